"""The schema (`searchkit.store.schema`): the stored article round-trips, and the version check refuses a
schema that is not this one."""
from __future__ import annotations

from searchkit.article import build_article
from searchkit.model import Article, RawDocument
from searchkit.settings import DEFAULT_BOOSTS
from searchkit.store.schema import FIELDS, WORD_FIELDS, build_schema, decode_article, encode_article, is_current


def test_a_stored_article_decodes_to_the_same_article():
    article = build_article(RawDocument(id="a1", path="a.txt", format="text", text="Headline here\n\nSergei Lavrov said: \"We "
                                        "will talk.\" The talks went on.\n\nA second paragraph, longer than the "
                                        "first one, so that there is some text."))
    encoded = encode_article(article.to_dict())
    assert isinstance(encoded, (bytes, str)) and encoded
    assert Article.from_dict(decode_article(encoded)).to_dict() == article.to_dict()


def test_only_this_schema_is_current():
    schema = build_schema()
    assert is_current(schema)
    other = build_schema().copy()
    other.remove("names")
    assert not is_current(other)


def test_the_field_constants_name_exactly_the_schemas_fields():
    assert sorted(build_schema().names()) == sorted(FIELDS) and len(set(FIELDS)) == len(FIELDS)
    assert set(WORD_FIELDS) == set(DEFAULT_BOOSTS)  # every field a plain word searches has its boost
