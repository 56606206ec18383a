"""query_neighbors: a token or an arithmetic expression, with the token fallback, exact unless given an index."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError, UnknownTokenError
from embedlab.space.neighbours import query_neighbors


@pytest.fixture
def es() -> EmbeddingSet:
    tokens = ["king", "queen", "man", "woman", "can't", "apple"]
    vectors = np.array([[1, 1, 0], [1, -1, 0], [0, 1, 0.1], [0, -1, 0.1], [0.5, 0.5, 1], [0, 0, 3]],
                       dtype=np.float32)
    return EmbeddingSet(tokens, vectors, name="toy")


class Recording:
    metric = "cosine"

    def __init__(self, es):
        self.fingerprint, self.calls = es.fingerprint, 0

    def query(self, queries, *, k, exclude=None):
        self.calls += 1
        return np.array([[5]]), np.array([[0.25]], dtype=np.float32)


def test_one_word_is_a_token_query(es):
    found, inputs = query_neighbors(es, "  king ", k=2)
    assert inputs == ["king"]
    assert [n.token for n in found] == ["man", "can't"]          # cosine 0.7036, 0.5774
    assert found == es.neighbors("king", 2)


def test_an_expression_searches_near_the_sum_of_unit_vectors_leaving_its_words_out(es):
    found, inputs = query_neighbors(es, "king - man + woman", k=1)
    assert inputs == ["king", "man", "woman"] and [n.token for n in found] == ["queen"]
    u = es.unit
    vec = u[0] - u[2] + u[3]
    expected = float(vec @ u[1] / np.linalg.norm(vec))
    assert found[0].score == pytest.approx(expected, rel=1e-6)


def test_a_euclidean_expression_sums_the_raw_vectors(es):
    found, inputs = query_neighbors(es, "apple - king", k=2, metric="euclidean")
    vec = es["apple"] - es["king"]                               # (-1, -1, 3)
    want = sorted(((float(np.linalg.norm(es.vectors[i] - vec)), t) for i, t in enumerate(es.tokens)
                   if t not in ("apple", "king")))[:2]
    assert [(n.token, round(n.score, 5)) for n in found] == [(t, round(d, 5)) for d, t in want]
    assert inputs == ["apple", "king"]


def test_a_token_the_expression_syntax_cannot_spell_falls_back_to_the_token(es):
    found, inputs = query_neighbors(es, "can't", k=1)
    assert inputs == ["can't"] and found == es.neighbors("can't", 1)


def test_unknown_words_and_malformed_expressions_are_errors(es):
    with pytest.raises(UnknownTokenError, match="'kingg'"):
        query_neighbors(es, "kingg - man", k=3)
    with pytest.raises(InvalidParameterError, match="two operators in a row"):
        query_neighbors(es, "king - - man", k=3)
    with pytest.raises(InvalidParameterError, match=r"metric='cos' is not allowed; must be one of: cosine, euclidean"):
        query_neighbors(es, "king", k=3, metric="cos")


def test_an_index_answers_cosine_queries_only(es):
    index = Recording(es)
    found, _ = query_neighbors(es, "king", k=1, index=index)
    assert [(n.token, n.score) for n in found] == [("apple", 0.25)] and index.calls == 1
    found, _ = query_neighbors(es, "king - man", k=1, index=index)
    assert found[0].token == "apple" and index.calls == 2
    found, _ = query_neighbors(es, "king", k=1, metric="euclidean", index=index)   # always exact
    assert found == es.neighbors("king", 1, metric="euclidean") and index.calls == 2
