"""Did-you-mean (`searchkit.results.suggest`): an unknown word becomes the closest indexed term; a query whose
words are all indexed gets no suggestion."""
from __future__ import annotations


def test_a_misspelt_name_is_corrected_and_a_correct_query_is_left_alone(corpus_index):
    assert corpus_index.suggest("Patrushef") == "patrushev"
    assert corpus_index.search("Atmar Patrushef").suggestion == "Atmar patrushev"
    assert corpus_index.suggest("Atmar Patrushev") is None
