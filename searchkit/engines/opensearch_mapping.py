"""The OpenSearch index definition (settings, analyzers, mapping) equivalent to searchkit's analysis.

Why not a stock analyzer: searchkit's terms must come out the same on both engines, or totals and
phrases differ between them. So the chain below is built from searchkit.analysis itself (the same
token pattern, the same stop list) using only analysis components every OpenSearch 2.x node has
(core + analysis-common); it needs no plugin and works on an existing cluster as it is.

``searchkit_news`` (headline, body, quote, speaker, source, author), step by step:

1. char filter ``searchkit_apostrophes``: curly apostrophes -> ``'`` (``O’Brien`` = ``O'Brien``).
2. char filter ``searchkit_stopwords``: stop words standing as whole words are cut out of the text
   *before* tokenizing. Why: searchkit renumbers positions across stop words (``"adviser of Russia"``
   matches "adviser to Russia"), and Lucene's ``stop`` filter leaves a position gap instead. Offsets
   stay right (char filters keep an offset map), so highlighting is unaffected.
3. tokenizer ``searchkit_words``: `searchkit.analysis.TOKEN_PATTERN` itself (Java regex with Unicode
   classes): words joined by inner apostrophes, acronyms (``U.S.``) as one token.
4. filters: ``lowercase``, ``asciifolding`` (accents, ß, æ, ø, ł ...), ``searchkit_possessive``
   (``Russia's`` -> ``russia``), ``searchkit_dots`` (``u.s.`` -> ``us``), ``searchkit_stop`` (stop
   words that only appear as such after folding, e.g. ``it's``; these do leave a gap), and
   ``searchkit_stem`` (Snowball English = Porter2, the stemmer searchkit uses).

Name variants (``names``): OpenSearch's ``analysis-phonetic`` plugin is not published on Maven
Central (only the distribution's modules are), and on a managed cluster it may be absent. So the
engine sends searchkit's own Double Metaphone codes (`name_codes`) as the ``names`` field's text and
the field splits them on whitespace: the codes are exactly whoosh's (commons-codec's Double
Metaphone differs: codes cut at 4 letters), and the query side looks them up the same way
(`searchkit.analysis.analyze(word, "names", mode="query")`).

``own_names`` holds the codes of the passage's own text and speakers only (``names`` also has the headline's,
as whoosh's field): README's matching semantics, "a name in the headline matches the article once, on its
lead", is then an exact filter (`searchkit.engines.opensearch_query`, ``HeadlineFree``) while ``names``
keeps scoring as whoosh's does. An index made before the field was added needs ``--rebuild`` for it.
"""
from __future__ import annotations

from typing import Any

from searchkit.settings import DEFAULT_SETTINGS
from searchkit.store.analysis import OWN_NAMES_CODE, STOP_WORDS, TOKEN_PATTERN, name_analyzer

NEWS_ANALYZER = "searchkit_news"
NAMES_ANALYZER = "searchkit_names"
TEXT_FIELDS = ("headline", "body", "quote", "speaker", "source", "author")
OWN_NAMES = "own_names"  # `names` less the headline's codes: a names term matches a later passage by it alone

# A stop word must stand alone, as searchkit's tokenizer sees it: no word char or inner apostrophe
# joins it to a neighbour (a quote mark does not: "'to" is the stop word "to"), and a one-letter word
# is not a letter of an acronym ("U.S.A", "a.m."), whose letters are single letters joined by dots.
_APOS = "'\u2019\u2018\u02bc"
_STOP_ALTERNATIVES = "|".join(
    w + (r"(?!\.\w)" if len(w) == 1 else "") for w in sorted(STOP_WORDS, key=lambda w: (-len(w), w))
)
_STOP_PATTERN = (
    rf"(?U)(?i)(?<!\w)(?<!\w[{_APOS}])(?<!(?<!\w)\w\.)"
    rf"(?:{_STOP_ALTERNATIVES})(?:[{_APOS}]s)?(?!\w)(?![{_APOS}]\w)"
)


def analysis_settings() -> dict[str, Any]:
    """The ``settings.analysis`` block defining ``searchkit_news`` and ``searchkit_names``."""
    return {
        "char_filter": {
            "searchkit_apostrophes": {
                "type": "mapping",
                "mappings": ["\u2019=>'", "\u2018=>'", "\u02bc=>'"],
            },
            "searchkit_stopwords": {"type": "pattern_replace", "pattern": _STOP_PATTERN, "replacement": ""},
        },
        "tokenizer": {
            "searchkit_words": {
                "type": "pattern", "pattern": TOKEN_PATTERN, "group": 0, "flags": "UNICODE_CHARACTER_CLASS",
            },
        },
        "filter": {
            "searchkit_possessive": {"type": "stemmer", "language": "possessive_english"},
            "searchkit_dots": {"type": "pattern_replace", "pattern": r"\.", "replacement": ""},
            "searchkit_stop": {"type": "stop", "stopwords": sorted(STOP_WORDS), "ignore_case": True},
            "searchkit_stem": {"type": "stemmer", "language": "porter2"},
        },
        "analyzer": {
            NEWS_ANALYZER: {
                "type": "custom",
                "char_filter": ["searchkit_apostrophes", "searchkit_stopwords"],
                "tokenizer": "searchkit_words",
                "filter": ["lowercase", "asciifolding", "searchkit_possessive", "searchkit_dots",
                           "searchkit_stop", "searchkit_stem"],
            },
            # the codes arrive precomputed (see name_codes): split on spaces, nothing else
            NAMES_ANALYZER: {"type": "custom", "tokenizer": "whitespace"},
        },
    }


def mappings() -> dict[str, Any]:
    """The mapping of a passage document (one per passage, carrying its article's fields).

    Mirrors searchkit's whoosh schema; ``article`` (the whole article, on passage 0 only) is kept
    in ``_source`` but not indexed, so the article is stored once. ``body`` indexes offsets so the
    highlighter returns spans without re-analysing the passage.
    """
    text = {"type": "text", "analyzer": NEWS_ANALYZER}
    props: dict[str, Any] = {name: dict(text) for name in TEXT_FIELDS}
    props["body"]["index_options"] = "offsets"
    props.update({
        "article_id": {"type": "keyword"},
        "pindex": {"type": "integer"},
        "file": {"type": "keyword"},
        "content_hash": {"type": "keyword"},
        "group_id": {"type": "keyword"},  # unused (kept: indices created before copy groups have it)
        # copy groups (`searchkit.engines.opensearch_dupes`): the group (its original's article id) on every
        # passage of a member; on passage 0 the article's sketch, its copies and passage provenance
        "group": {"type": "keyword"},
        "group_rank": {"type": "integer"},  # place in the group (0: the original): breaks equal scores
        "sketch": {"type": "object", "enabled": False},
        "copies": {"type": "object", "enabled": False},
        "first_seen": {"type": "object", "enabled": False},
        "names": {"type": "text", "analyzer": NAMES_ANALYZER, "index_options": "freqs"},
        # the codes of the passage's own text and speakers, without the headline's: matching only, not scored
        OWN_NAMES: {"type": "text", "analyzer": NAMES_ANALYZER, "index_options": "docs", "norms": False},
        "speaker_facet": {"type": "keyword"},
        "source_facet": {"type": "keyword"},
        "date": {"type": "date", "format": "strict_date_optional_time||epoch_millis"},
        "year": {"type": "integer"},
        "path": {"type": "keyword", "index": False},
        "article": {"type": "object", "enabled": False},
        # passage 0 only: the article-level ranking field (`searchkit.engines.opensearch_ranking`)
        "article_text": {"type": "text", "analyzer": NEWS_ANALYZER, "index_options": "freqs"},
    })
    return {"dynamic": "strict", "_source": {"excludes": ["article_text"]}, "properties": props}


def index_body(shards: int = 3, replicas: int = 1) -> dict[str, Any]:
    """The body of the create-index request (defaults fit a 3-node cluster: 3 shards, 1 replica)."""
    if shards < 1 or replicas < 0:
        raise ValueError(f"shards must be >= 1 and replicas >= 0, got {shards} and {replicas}")
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas,
                      # searchkit's BM25 parameters (`searchkit.settings.Settings`: k1 1.5 for long news articles)
                      "similarity": {"default": {"type": "BM25", "k1": DEFAULT_SETTINGS.k1, "b": DEFAULT_SETTINGS.b}}},
            "analysis": analysis_settings(),
        },
        "mappings": mappings(),
    }


def name_codes(text: str) -> str:
    """The ``names`` field's value: searchkit's Double Metaphone codes of the capitalised words of
    ``text``, space-separated (exactly the terms the whoosh engine indexes, less its per-article layout mark
    `OWN_NAMES_CODE`: this engine has the ``own_names`` field instead)."""
    return " ".join(c for c in name_analyzer().index_terms(text)[1] if c != OWN_NAMES_CODE)
