"""results: one search from start to finish (`results.search`), filters (`results.filters`), facets
(`results.facets`), snippets and highlighting (`results.snippets`), did-you-mean (`results.suggest`).
"""
