"""results: one search from start to finish (`results.search`), filters (`results.filters`), snippets and
highlighting (`results.snippets`), did-you-mean (`results.suggest`). Facets are counted engine-side
(`searchkit.index.facets` for whoosh).
"""

MAX_LIMIT = 100  # results per page, at most: the library, the CLI's --limit and the web's limit all use it
UNITS = ("passage", "article")  # what a hit is
