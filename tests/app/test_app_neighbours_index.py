"""AppTest: the Neighbours page says which search answered, and passes the registry's ready index to it."""
from __future__ import annotations

import numpy as np
import pytest

import embedlab
from embedlab.runtime import registry
from tests.app.helpers import open_page

PAGE = "app_pages/2_Neighbours.py"


class FixedIndex:
    """An 'approximate index' that always answers the same two rows: easy to recognise on the page."""

    metric = "cosine"
    nbytes = 1

    def __init__(self, es):
        self.fingerprint = es.fingerprint
        self.rows = [es.index("apple"), es.index("banana")]

    def query(self, queries, *, k, exclude=None):
        return np.array([self.rows[:k]]), np.array([[0.5, 0.25][:k]], dtype=np.float32)


@pytest.fixture
def ready_index(monkeypatch):
    reg = registry.IndexRegistry(threshold=1, build=FixedIndex)
    monkeypatch.setattr(registry, "_default", reg)
    reg.request(embedlab.load("minilm-words")).join(30)
    yield reg
    reg.close()


def test_exact_search_is_named_without_an_index():
    at = open_page(PAGE, q="king")
    assert "queen" in at.dataframe[0].value["token"].tolist()[:5]
    assert "Exact search answered." in [c.value for c in at.caption]


def test_the_ready_index_answers_cosine_and_the_page_says_so(ready_index):
    at = open_page(PAGE, q="king", k="2")
    assert at.dataframe[0].value["token"].tolist() == ["apple", "banana"]
    assert any(c.value.startswith("Approximate search answered") for c in at.caption)
    at.radio(key="nb_metric").set_value("euclidean").run()          # the index answers cosine only
    assert not at.exception
    assert at.dataframe[0].value["token"].tolist() != ["apple", "banana"]
    assert any("answers cosine similarity only" in c.value for c in at.caption)
