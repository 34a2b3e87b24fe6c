"""Search engines behind searchkit's engine seam (whoosh embedded; OpenSearch for clusters)."""
