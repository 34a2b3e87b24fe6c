"""The query language, parsed against the real schema (no index needed), and its error recovery."""
from __future__ import annotations

import pytest
from whoosh import query as wq

from searchkit.errors import QueryError
from searchkit.query.parser import MAX_QUERY_CHARS, parse_query, positive_terms
from searchkit.query.words import plain_words
from searchkit.store.schema import build_schema

SCHEMA = build_schema()
BOOSTS = {"headline": 2.0, "quote": 1.5, "body": 1.0, "names": 0.2}


def parse(text: str):
    return parse_query(text, SCHEMA, BOOSTS)


def leaves(q):
    return list(q.leaves()) if not q.is_leaf() else [q]


def fields_of(q) -> set[str]:
    return {getattr(leaf, "fieldname", None) for leaf in leaves(q)}


def test_plain_words_search_all_default_fields_with_boosts():
    q = parse("Taliban talks").query
    assert {"body", "headline", "quote", "names"} <= fields_of(q)
    terms = positive_terms(q)
    assert {"taliban", "talk"} <= terms["body"]  # analysed like the index: stemmed, lower case
    by_field = {leaf.fieldname: leaf.boost for leaf in leaves(q) if isinstance(leaf, wq.Term)}
    assert by_field["headline"] > by_field["body"] > by_field["names"]


def test_words_are_ored_with_a_coordination_bonus():
    q = parse("russia taliban").query
    assert isinstance(q, wq.Or) and q.scale  # any word matches; matching more of them scores higher


def test_phrase_keeps_word_order_and_stop_words_do_not_break_it():
    q = parse('"adviser of Russia"').query
    phrases = [p for p in leaves(q) if isinstance(p, wq.Phrase)]
    assert phrases and all(p.words == ["advis", "russia"] for p in phrases if p.fieldname == "body")
    # names has no positions: its phrase becomes an And of the name codes, which whoosh can run
    assert not any(isinstance(p, wq.Phrase) and p.fieldname == "names" for p in leaves(q))


@pytest.mark.parametrize("text", ["taliban -russia", "taliban NOT russia"])
def test_exclusion_is_a_real_and_not(text):
    q = parse(text).query
    assert isinstance(q, wq.AndNot)
    assert "russia" in {getattr(leaf, "text", None) for leaf in leaves(q.b)}
    assert "names" not in fields_of(q.b)  # excluding a word must not exclude its sound-alikes
    assert "russia" not in positive_terms(q).get("body", set())


def test_minus_inside_a_word_is_not_exclusion():
    q = parse("covid-19 anti-corruption").query
    assert not isinstance(q, (wq.AndNot, wq.Not))


def test_or_and_and():
    assert isinstance(parse("kabul OR moscow").query, wq.Or)
    q = parse("kabul AND moscow").query
    assert isinstance(q, wq.And)


@pytest.mark.parametrize("scope", ["headline", "quote", "speaker", "source", "author"])
def test_field_scopes(scope):
    q = parse(f"{scope}:atmar").query
    assert fields_of(q) == {scope}


def test_unknown_field_names_are_plain_words():
    q = parse("pid:x file_hash:abc").query
    assert "pid" not in fields_of(q) and "file_hash" not in fields_of(q)


def test_dates_month_and_range():
    month = parse("date:2017-03").query
    rng = parse("date:[2017-01-01 TO 2017-06-30]").query
    for q in (month, rng):
        assert isinstance(q, wq.NumericRange) and q.fieldname == "date"
    assert month.start < month.end and rng.start < rng.end


def test_fuzzy_and_prefix():
    q = parse("patrushef~ negot*").query
    kinds = {type(leaf) for leaf in leaves(q)}
    assert wq.FuzzyTerm in kinds and wq.Prefix in kinds


@pytest.mark.parametrize("text,fragment", [
    ("date:2017-13 peace", "2017-13"),
    ("date:[foo TO bar] peace", "a range needs two dates"),  # issue 11 item 7: the help, not whoosh's "[foo"
])
def test_a_broken_part_is_dropped_with_a_warning_and_the_rest_runs(text, fragment):
    parsed = parse(text)
    assert parsed.warnings and fragment in parsed.warnings[0] and "\n" not in parsed.warnings[0]
    assert "peac" in positive_terms(parsed.query)["body"]


@pytest.mark.parametrize("text", ['"peace talks', "(peace talks", "peace talks)"])
def test_unbalanced_quotes_and_parentheses_are_repaired(text):
    parsed = parse(text)
    assert parsed.warnings
    assert {"peac", "talk"} & positive_terms(parsed.query)["body"]


def test_nothing_runnable_is_a_query_error():
    with pytest.raises(QueryError) as e:
        parse("date:2017-13")
    assert "month" in str(e.value)


@pytest.mark.parametrize("text", ['"[ NOT\nAND~', "date:2017-13\n\tpeace~ date:2017-14", "J~\r\nK~"])
def test_errors_and_warnings_are_one_line_whatever_whitespace_the_query_holds(text):
    try:
        lines = parse(text).warnings
    except QueryError as e:
        lines = [str(e)]
    assert lines and all(line == " ".join(line.split()) for line in lines), lines


def test_empty_and_stop_word_queries_are_empty_not_errors():
    assert parse("").is_empty
    assert parse("the of and").is_empty


def test_overlong_query_is_cut_with_a_warning():
    parsed = parse("peace " * 400)
    assert len(parsed.text) <= MAX_QUERY_CHARS and parsed.warnings


@pytest.mark.parametrize("text", ["\x00", "((((", '"""', "a:b:c:", "~~~", "*", "-", "NOT", "AND OR",
                                  "date:[", "date:[2017 TO", "headline:", "^^^", "[x TO y]", "é~3/9"])
def test_hostile_input_never_raises_anything_but_query_error(text):
    try:
        parse(text)
    except QueryError:
        pass


def test_plain_words_for_suggestions_skip_syntax():
    words = [w for _, _, w in plain_words('Patrushef headline:x "peace" -foo bar~ date:[2017 TO 2018] OR Kabul')]
    assert words == ["Patrushef", "peace", "Kabul"]


def test_fuzzy_term_on_a_word_that_analyses_to_nothing_is_a_plain_error(corpus_index):
    from searchkit.errors import QueryError

    with pytest.raises(QueryError) as e:
        corpus_index.search("J~")
    assert "NoneType" not in str(e.value) and "nothing searchable" in str(e.value)
    # with something runnable beside it, the rest still runs
    assert corpus_index.search("J~ taliban").total > 0


def test_plain_word_queries_are_built_exactly_as_whooshs_parser_builds_them():
    """The fast path for plain words (searchkit.query.parser._plain_words) must give the parser's query."""
    import re
    from pathlib import Path

    from searchkit.query import parser as Q
    from searchkit.settings import DEFAULT_BOOSTS

    schema = build_schema()
    parser = Q._cached_parser(schema, DEFAULT_BOOSTS, Q.COORDINATION, Q.FIELD_GROUP)
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    words = sorted({w for p in corpus.iterdir() if p.is_file()
                    for w in re.findall(r"[A-Za-z0-9]+", p.read_text(encoding="utf-8", errors="replace"))})
    assert len(words) > 500
    texts = words[::7] + [" ".join(words[i:i + 3]) for i in range(0, len(words), 11)]
    texts += ["the", "the Taliban", "and or", "Russia talks Taliban", "US troops 2018", "x"]
    built = 0
    for text in texts:
        fast = Q._plain_words(text, parser, schema, DEFAULT_BOOSTS, Q.COORDINATION)
        assert fast is not None, text
        built += fast is not wq.NullQuery
        full = Q._exact_negations(Q._unphrase(Q._drop_errors(parser.parse(text)), schema))
        assert Q._unphrase(fast, schema) == full, text
    assert built > len(texts) // 2
    for text in ["russia AND talks", "headline:taliban", '"peace talks"', "negot*", "-russia kabul", "Kabul's"]:
        assert Q._plain_words(text, parser, schema, DEFAULT_BOOSTS, Q.COORDINATION) is None, text
