"""The analyzers decide which spellings meet in the index: test the equivalences the issue names."""
from __future__ import annotations

import pickle

import pytest

from searchkit.store.analysis import analyze, name_analyzer, news_analyzer


def terms(text: str) -> list[str]:
    return analyze(text, "news")


def codes(text: str, mode: str = "index") -> set[str]:
    return set(analyze(text, "names", mode=mode))


@pytest.mark.parametrize(
    "a, b",
    [
        ("Russia’s", "Russia's"),  # curly vs straight apostrophe
        ("Russia's", "Russia"),  # possessive
        ("Café Naïve", "cafe naive"),  # accents
        ("ＡＢＣ", "abc"),  # NFKC full-width
        ("Straße", "strasse"),
        ("U.S.", "US"),  # acronym dots
        ("negotiations", "negotiating"),  # stemming
        ("Afghanistan’s officials", "afghanistan official"),
    ],
)
def test_news_analyzer_folds_equivalent_spellings(a: str, b: str) -> None:
    assert terms(a) == terms(b)
    assert terms(a)  # not silently empty


def test_underscores_split_words() -> None:
    # Seen in corpus/000: an image caption glued to the text by underscores.
    assert terms("Atmar_Afghanistan_2016_(archives)")[:2] == ["atmar", "afghanistan"]


def test_stop_words_dropped_and_positions_renumbered() -> None:
    toks = [t.copy() for t in news_analyzer()("the adviser of Russia said", positions=True)]  # whoosh reuses one Token
    assert [t.text for t in toks] == ["advis", "russia", "said"]
    # consecutive positions: a phrase query analysed the same way ("adviser of Russia") matches
    assert [t.pos for t in toks] == [toks[0].pos, toks[0].pos + 1, toks[0].pos + 2]


def test_char_offsets_point_at_the_original_text() -> None:
    text = "Moscow’s support to Afghanistan"
    toks = [t.copy() for t in news_analyzer()(text, chars=True)]
    assert [text[t.startchar:t.endchar] for t in toks] == ["Moscow’s", "support", "Afghanistan"]


@pytest.mark.parametrize("a, b", [("Haneef", "Hanif"), ("Mahammad", "Mohammad"), ("Patrushef", "Patrushev")])
def test_name_variants_share_a_phonetic_code(a: str, b: str) -> None:
    assert codes(a) & codes(b)


def test_name_analyzer_keeps_capitalised_words_only_when_indexing() -> None:
    assert codes("the adviser said Atmar") == codes("Atmar")
    # a user typing lower case must still reach the name field
    assert codes("hanif", mode="query") == codes("Hanif")
    assert codes("The", mode="query") == set()  # function words never become names


def test_distinct_names_stay_distinct() -> None:
    assert not codes("Atmar") & codes("Patrushev")


def test_analyzers_survive_pickling() -> None:
    # whoosh pickles the schema (with its analyzers) into the index's table of contents
    for an in (news_analyzer(), name_analyzer()):
        back = pickle.loads(pickle.dumps(an))
        assert back == an
        assert [t.text for t in back("Russia’s Haneef")] == [t.text for t in an("Russia’s Haneef")]


def test_the_index_fast_path_gives_exactly_the_token_streams_postings() -> None:
    """The schema's formats fill postings from ``index_terms``; on real articles (every seed's headline,
    passages and quotes) they must equal whoosh's own formats driven by the token stream, or phrases
    and scores would differ between the index and the query side."""
    from pathlib import Path

    from whoosh.formats import Frequency, Positions

    from searchkit.parse import parse_file
    from searchkit.store.schema import build_schema

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    texts = []
    for f in sorted(corpus.iterdir()):
        for a in parse_file(f, corpus):
            texts += [a.headline or "", *(p.text for p in a.passages), *(q.text for q in a.quotes)]
    texts += ["The the of", "", "Of the U.S. and Russia’s café: 'O'Brien' said"]  # stop words only, empty, edges
    schema = build_schema()
    slow = {"body": Positions(field_boost=1.0), "names": Frequency(field_boost=1.0)}
    checked = 0
    for field in ("body", "names"):
        fast, analyzer = schema[field].format, schema[field].analyzer
        assert type(fast).word_values is not type(slow[field]).word_values  # the fast path is in use
        decode = {"body": lambda fmt, v: fmt.decode_positions(v), "names": lambda fmt, v: fmt.decode_frequency(v)}[field]
        for text in texts:
            # the same terms, frequencies, weights and positions (each format encodes them its own way)
            got = sorted((t, f, w, decode(fast, v)) for t, f, w, v in fast.word_values(text, analyzer, mode="index"))
            want = sorted((t, f, w, decode(slow[field], v))
                          for t, f, w, v in slow[field].word_values(text, analyzer, mode="index"))
            assert got == want, (field, text[:80])
            checked += len(want)
    assert checked > 1000  # real text went through, not just the edge cases



def test_names_reuse_the_body_tokens_exactly():
    """`index_tokens` reuses the last text's tokens inside a longer one (the names field holds the passage
    body): on real passage documents, and with the reused text at the start, the end, beside dots,
    apostrophes or accents, every field's index terms equal those of a fresh tokenization."""
    from pathlib import Path

    import searchkit.store.analysis as analysis
    from searchkit.parse import parse_file
    from searchkit.store.layout import passage_documents

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    docs = [d for f in sorted(corpus.iterdir()) for a in parse_file(f, corpus) for d in passage_documents(a, "k", "h", "p")]
    news, names = news_analyzer(), name_analyzer()
    steps = [(d[field], analyzer) for d in docs for field, analyzer in (("body", news), ("names", names), ("quote", news))
             if d.get(field)]
    for before, text in (("U.S.", "U.S. Talks"), ("Talks", "U.S. Talks"), ("U.S. Talks", "x U.S. Talks. Y"),
                         ("Brien", "O'Brien Brien"), ("Müller", "café Müller"), ("ab", "ab abab ab")):
        steps += [(before, news), (text, names), (text, news)]
    reused = 0
    for text, analyzer in steps:
        got = analyzer.index_terms(text)
        after = list(analysis._RECENT)
        analysis._RECENT.clear()
        assert got == analyzer.index_terms(text), text[:80]
        analysis._RECENT[:] = after
        reused += all(t != text for t, _ in after)
    assert reused > 10  # the reuse path ran, on the names of real passages


def test_index_tokens_reuses_the_body_past_a_headline():
    """The writer analyses a first passage's body, then its headline, then its names (headline, body,
    speakers): the body's tokens are still reused for the names, and the terms are a fresh tokenization's."""
    import searchkit.store.analysis as analysis

    expression = name_analyzer().items[0].expression
    body = "Prime Minister Boris Johnson told parliament on Tuesday that talks would go on."
    headline = "Johnson: talks go on"
    analysis._RECENT.clear()
    calls = []

    class Counting:
        def findall(self, text, *bounds):
            calls.append(text[bounds[0]:bounds[1] if len(bounds) > 1 else None] if bounds else text)
            return expression.findall(text, *bounds)

    counting = Counting()
    analysis.index_tokens(counting, body)
    analysis.index_tokens(counting, headline)
    names = f"{headline} {body} Boris Johnson"
    assert analysis.index_tokens(counting, names) == expression.findall(names)
    assert all(body not in c for c in calls[2:])  # the body was not tokenized again


def test_clear_caches_empties_them_and_terms_stay_the_same() -> None:
    from searchkit.store.analysis import NameAnalyzer, NewsAnalyzer, clear_caches

    news, names = pickle.loads(pickle.dumps(news_analyzer())), pickle.loads(pickle.dumps(name_analyzer()))
    text = "Officials in Kabul said Mr Atmar met Nikolai Patrushev's deputies on Tuesday."
    before = news.index_terms(text), names.index_terms(text)
    assert news.items[1]._cache and names.__dict__.get("_index_codes")
    clear_caches([news, names, None])
    assert not news.items[1]._cache and "_index_codes" not in names.__dict__
    assert isinstance(news, NewsAnalyzer) and isinstance(names, NameAnalyzer)
    assert (news.index_terms(text), names.index_terms(text)) == before
