"""Did-you-mean (`searchkit.results.suggest`): an unknown word becomes the closest indexed term; a query whose
words are all indexed gets no suggestion."""
from __future__ import annotations


def test_a_misspelt_name_is_corrected_and_a_correct_query_is_left_alone(corpus_index):
    assert corpus_index.suggest("Patrushef") == "patrushev"
    assert corpus_index.search("Atmar Patrushef").suggestion == "Atmar patrushev"
    assert corpus_index.suggest("Atmar Patrushev") is None


def test_no_suggestion_for_field_values_or_words_the_index_has(corpus_index):
    """Issue 11 item 7: a quoted source, an outlet's name typed as words, and a pasted upper-case question
    (its function words may be absent from a small archive) get no suggestion."""
    for source in corpus_index.facet_values("source"):
        for query in (f'source:"{source}"', source, source.upper(), f"taliban source:{source.split()[0]}"):
            assert corpus_index.search(query).suggestion is None, query
    assert corpus_index.search("WHAT DID RUSSIA AND THE TALIBAN SAY").suggestion is None


def test_a_suggestion_is_only_offered_when_it_finds_something(corpus_index):
    res = corpus_index.search("Patrushef talibna")
    assert res.suggestion and corpus_index.search(res.suggestion).total > 0
    # within a filter where the corrected word finds nothing, the correction is not offered
    without = [s for s in corpus_index.facet_values("source")
               if corpus_index.search("patrushev", source=s).total == 0]
    assert without, "some outlet never mentions Patrushev (else this proves nothing)"
    assert corpus_index.suggest("patrushef") == "patrushev"
    assert corpus_index.search("patrushef", source=without[0]).suggestion is None


def test_count_is_the_passage_total_a_search_reports(corpus_index):
    """`Engine.count` (what checks a suggestion) counts what a passage-mode search totals, filters included."""
    from searchkit.engine import Filters
    from searchkit.results.filters import make_filters

    settings = corpus_index.settings
    for query, kwargs in (("taliban", {}), ('"peace talks"', {}), ("russia -taliban", {}),
                          ("taliban", {"source": "Ariana News"}), ("atmar", {"since": "2017-03", "until": "2017-03"})):
        parsed = corpus_index.parse(query, settings)
        filters = make_filters(**kwargs) if kwargs else Filters()
        assert corpus_index.count(parsed, filters, settings) == corpus_index.search(query, **kwargs).total, query


def test_a_pasted_upper_case_query_gets_an_upper_case_suggestion_that_reads_the_same(corpus_index):
    res = corpus_index.search("WHAT DID RUSSIA AND THE TALIBN SAY")
    assert res.suggestion == "WHAT DID RUSSIA AND THE TALIBAN SAY"
    fixed = corpus_index.search(res.suggestion)
    assert fixed.suggestion is None and fixed.total == corpus_index.search("what did russia and the taliban say").total


def test_a_suggested_question_keeps_one_question_mark(corpus_index):
    from searchkit.present.terminal import render_results

    res = corpus_index.search("what did patrushef say?")
    assert res.suggestion and res.suggestion.endswith("say?")
    line = next(l for l in render_results(res).splitlines() if l.startswith("Did you mean"))
    assert line.endswith("say?") and not line.endswith("??")
