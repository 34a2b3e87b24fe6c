"""The peers bench/relevance.py ranks beside searchkit: one document per article (title + text), each query's
words OR-ed, top 100 ids. They use their own analysis, never searchkit's (that would flatter or handicap a side).

* ``naive`` — whoosh as its docs show it: ``StemmingAnalyzer``, ``MultifieldParser`` over title and body, OR group;
* ``bm25s`` — bm25s (Lucene BM25, k1 1.5, b 0.75) with its English stop words and PyStemmer's English stemmer:
  the plain one-document-per-article BM25 the issue measures against, fast enough to run on every bench run;
* ``tantivy`` — tantivy-py, ``en_stem`` on title and body, disjunction of the words;
* ``fts5`` — SQLite FTS5, ``porter unicode61``, the words OR-ed, ``ORDER BY rank`` (bm25()).
"""
from __future__ import annotations

import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Callable

Ranker = Callable[[str], list[str]]
WORD = re.compile(r"\w+")
DEPTH = 100


def words(query: str) -> list[str]:
    """The query as lower-case words: no peer's operator syntax (AND/OR/NOT, quotes, colons) survives."""
    return [w.lower() for w in WORD.findall(query)]


def naive(docs: list[dict], tmp: Path) -> Ranker:
    from whoosh import index as windex
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser, OrGroup

    schema = Schema(id=ID(stored=True), title=TEXT(analyzer=StemmingAnalyzer()),
                    body=TEXT(analyzer=StemmingAnalyzer()))
    (tmp / "naive").mkdir()
    ix = windex.create_in(str(tmp / "naive"), schema)
    w = ix.writer()
    for d in docs:
        w.add_document(id=d["id"], title=d["title"], body=d["text"])
    w.commit()
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)

    def rank(query: str) -> list[str]:
        return [h["id"] for h in searcher.search(parser.parse(" ".join(words(query))), limit=DEPTH)]
    return rank


def bm25s_ranker(docs: list[dict], tmp: Path) -> Ranker:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([f"{d['title']} {d['text']}" for d in docs], stopwords="en", stemmer=stemmer,
                                   show_progress=False), show_progress=False)
    ids = [d["id"] for d in docs]

    def rank(query: str) -> list[str]:
        toks = bm25s.tokenize([" ".join(words(query))], stopwords="en", stemmer=stemmer, show_progress=False)
        if not toks.vocab:
            return []
        res, scores = retriever.retrieve(toks, k=min(DEPTH, len(ids)), show_progress=False)
        return [ids[i] for i, s in zip(res[0], scores[0]) if s > 0]
    return rank


def tantivy_ranker(docs: list[dict], tmp: Path) -> Ranker:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", tokenizer_name="en_stem")
    sb.add_text_field("body", tokenizer_name="en_stem")
    (tmp / "tantivy").mkdir()
    ix = tantivy.Index(sb.build(), path=str(tmp / "tantivy"))
    w = ix.writer(num_threads=1)
    for d in docs:
        w.add_document(tantivy.Document(id=d["id"], title=d["title"], body=d["text"]))
    w.commit()
    w.wait_merging_threads()
    ix.reload()
    searcher = ix.searcher()

    def rank(query: str) -> list[str]:
        ws = [w for w in words(query) if w not in ("and", "or", "not")]
        if not ws:
            return []
        q = ix.parse_query(" ".join(ws), ["title", "body"])
        return [searcher.doc(a).get_first("id") for _s, a in searcher.search(q, DEPTH).hits]
    return rank


def fts5(docs: list[dict], tmp: Path) -> Ranker:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE a USING fts5(id UNINDEXED, title, body, tokenize='porter unicode61')")
    with con:
        con.executemany("INSERT INTO a VALUES (?, ?, ?)", [(d["id"], d["title"], d["text"]) for d in docs])

    def rank(query: str) -> list[str]:
        ws = words(query)
        if not ws:
            return []
        match = " OR ".join(f'"{w}"' for w in ws)
        return [r[0] for r in con.execute("SELECT id FROM a WHERE a MATCH ? ORDER BY rank LIMIT ?", (match, DEPTH))]
    return rank


PEERS: dict[str, Callable[[list[dict], Path], Ranker]] = {
    "naive": naive, "bm25s": bm25s_ranker, "tantivy": tantivy_ranker, "fts5": fts5}


def peer_runs(docs: list[dict], queries: dict[str, str], peers=tuple(PEERS)) -> dict[str, dict[str, list[str]]]:
    """{peer: {qid: ranked ids}} for each peer, each built in its own temporary folder."""
    out: dict[str, dict[str, list[str]]] = {}
    for name in peers:
        with tempfile.TemporaryDirectory(prefix=f"relevance-{name}-") as tmp:
            rank = PEERS[name](docs, Path(tmp))
            out[name] = {q: rank(text) for q, text in queries.items()}
    return out
