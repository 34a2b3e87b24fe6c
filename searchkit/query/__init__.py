"""query: the query language (`query.parser`: text -> query tree) and the query node classes
(`query.nodes`). The tree is whoosh's; a second engine translates it (see `searchkit.engine`).
"""
