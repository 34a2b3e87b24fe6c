"""ranking: BM25 weighting (`ranking.bm25`), the array evaluator that scores every match of a query
(`ranking.evaluator`), and whole-article scoring (`ranking.scoring`). Parameters come from
`searchkit.settings.Settings`; the tuning log is docs/ranking.md.
"""
