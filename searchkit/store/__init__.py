"""store: how articles sit on disk — the schema (fields), the analysers (words of a text), the postings
codec, and `store.layout`, the one owner of the article/passage layout and of reading a segment's arrays.

Nothing here knows about queries or ranking; everything above reads documents through these modules.
"""
