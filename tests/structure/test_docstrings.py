"""Every public function of the library says what its parameters are (help() is the first manual a user reads)."""
from __future__ import annotations

import inspect

import pytest

import searchkit
from searchkit.results import search as search_module


def _public_callables():
    for name in searchkit.__all__:
        obj = getattr(searchkit, name)
        if inspect.isclass(obj):
            if issubclass(obj, BaseException):
                continue
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and inspect.isfunction(member):
                    yield f"{name}.{attr}", member
        elif callable(obj):
            yield name, obj
    yield "searchkit.results.search.search", search_module.search


@pytest.mark.parametrize("name,func", list(_public_callables()), ids=lambda x: x if isinstance(x, str) else "")
def test_public_function_documents_its_parameters(name, func):
    doc = inspect.getdoc(func) or ""
    assert doc, f"{name} has no docstring"
    params = [p for p in inspect.signature(func).parameters.values()
              if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    missing = [p.name for p in params if p.name not in doc]
    assert not missing, f"{name} does not mention its parameters {missing}"


def test_help_of_index_search_explains_the_query_and_filters():
    doc = inspect.getdoc(searchkit.Index.search)
    for word in ("limit", "page", "unit", "source", "since", "SearchResults"):
        assert word in doc
