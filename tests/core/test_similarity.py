"""Exact cosine / Euclidean search: hand-built answers, ties, exclusions, batches, and gensim agreement."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError, UnknownTokenError
from embedlab.core.search import cosine_matrix, most_similar, most_similar_batch, select_top_k, top_k


@pytest.fixture
def square():
    # four points on the unit circle plus one scaled copy: exact cosines 1, 0, -1 and sqrt(1/2)
    s = np.sqrt(0.5)
    return EmbeddingSet(["e", "n", "w", "s", "ne", "E2"],
                        [[1, 0], [0, 1], [-1, 0], [0, -1], [s, s], [2, 0]], name="square")


def tokens(res):
    return [n.token for n in res]


def test_cosine_exact_scores(square):
    res = most_similar(square, "e", k=5)
    assert tokens(res) == ["E2", "ne", "n", "s", "w"]
    np.testing.assert_allclose([n.score for n in res], [1.0, np.sqrt(0.5), 0.0, 0.0, -1.0], atol=1e-6)
    assert [n.index for n in res] == [5, 4, 1, 3, 2]


def test_ties_broken_by_row_order():
    # every candidate has the same cosine to the query: results come in row order
    rng = np.random.default_rng(0)
    v = np.tile(rng.normal(size=(1, 5)), (50, 1))
    es = EmbeddingSet([f"w{i}" for i in range(50)], v)
    assert [n.index for n in es.neighbors("w10", 7)] == [0, 1, 2, 3, 4, 5, 6]
    q = np.zeros(5)  # a zero query scores 0 everywhere
    idx, _ = top_k(es, q[None, :], k=4)
    assert idx.tolist() == [[0, 1, 2, 3]]


def test_select_matches_a_stable_full_sort():
    # small integer scores force ties at the k-th place; the answer must equal a stable argsort
    rng = np.random.default_rng(0)
    for _ in range(300):
        scores = rng.integers(0, 4, size=(3, 17)).astype(np.float32)
        k = int(rng.integers(1, 18))
        for largest in (True, False):
            idx, val = select_top_k(scores, k, largest)
            ref = np.argsort(-scores if largest else scores, axis=1, kind="stable")[:, :k]
            np.testing.assert_array_equal(idx, ref)
            np.testing.assert_array_equal(val, np.take_along_axis(scores, ref, axis=1))


def test_k_larger_than_set(square):
    assert len(square.neighbors("e", 100)) == 5
    idx, val = top_k(square, square.vectors[:2], k=100)
    assert idx.shape == (2, 6) and val.shape == (2, 6)


def test_excluded_tokens_never_returned(square):
    res = most_similar(square, "e", k=10, exclude=["E2", "ne"])
    assert tokens(res) == ["n", "s", "w"]
    idx, _ = top_k(square, square.vectors[[0, 1]], k=10, exclude=[[0, 5], [1]])
    # k shrinks to what the most-excluded query can still return
    assert idx.shape == (2, 4) and 0 not in idx[0] and 5 not in idx[0] and 1 not in idx[1]


def test_vector_query_is_not_excluded(square):
    res = square.neighbors(np.array([1.0, 0.0]), 2)
    assert tokens(res) == ["e", "E2"]


def test_euclidean_exact_distances(square):
    res = square.neighbors("e", 6, metric="euclidean")
    assert tokens(res)[:2] == ["ne", "E2"]  # 0.765 < 1.0
    d = dict((n.token, n.score) for n in res)
    assert d["E2"] == pytest.approx(1.0, abs=1e-6)
    assert d["w"] == pytest.approx(2.0, abs=1e-6)
    assert d["n"] == pytest.approx(np.sqrt(2), abs=1e-6)
    assert d["ne"] == pytest.approx(np.hypot(1 - np.sqrt(0.5), np.sqrt(0.5)), abs=1e-6)


def test_euclidean_agrees_with_scipy():
    from scipy.spatial.distance import cdist

    rng = np.random.default_rng(1)
    es = EmbeddingSet([f"w{i}" for i in range(200)], rng.normal(size=(200, 16)))
    q = rng.normal(size=(3, 16)).astype(np.float32)
    idx, val = top_k(es, q, k=8, metric="euclidean")
    ref = cdist(q, es.vectors)
    np.testing.assert_array_equal(idx, np.argsort(ref, axis=1, kind="stable")[:, :8])
    np.testing.assert_allclose(val, np.sort(ref, axis=1)[:, :8], rtol=1e-4)


def test_batch_equals_single():
    rng = np.random.default_rng(2)
    es = EmbeddingSet([f"w{i}" for i in range(300)], rng.normal(size=(300, 12)))
    words = ["w3", "w77", "w150", "w299"]
    batch = most_similar_batch(es, words, k=6)
    for w, res in zip(words, batch):
        single = es.neighbors(w, 6)
        assert tokens(res) == tokens(single)
        np.testing.assert_allclose([n.score for n in res], [n.score for n in single], rtol=1e-6)
    vecs = es.vectors[es.indices(words)]
    by_vec = most_similar_batch(es, vecs, k=6)
    assert [r[0].token for r in by_vec] == words  # a vector query finds its own token first


def test_cosine_matrix(square):
    m = cosine_matrix(square, ["e", "n", "E2"])
    np.testing.assert_allclose(m, [[1, 0, 1], [0, 1, 0], [1, 0, 1]], atol=1e-6)
    assert m.dtype == np.float32 and m.shape == (3, 3)
    with pytest.raises(UnknownTokenError, match="'nope'"):
        cosine_matrix(square, ["e", "nope"])


@pytest.mark.parametrize("kwargs, match", [
    ({"k": 0}, "k=0 is not allowed; must be a whole number >= 1"),
    ({"k": 2.5}, "k=2.5 is not allowed; must be a whole number >= 1"),
    ({"k": True}, "k=True is not allowed; must be a whole number >= 1"),
    ({"metric": "dot"}, "metric='dot' is not allowed; must be one of: cosine, euclidean"),
])
def test_bad_parameters(square, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        top_k(square, square.vectors[:1], **kwargs)


def test_bad_query_shape_and_exclude(square):
    with pytest.raises(InvalidParameterError, match=r"queries must have shape \(m, 2\)"):
        top_k(square, np.ones((1, 3)))
    with pytest.raises(InvalidParameterError, match="one list of rows per query"):
        top_k(square, np.ones((2, 2)), exclude=[[0]])
    with pytest.raises(InvalidParameterError, match="excluded row out of range"):
        top_k(square, np.ones((1, 2)), exclude=[[9]])


def test_results_do_not_touch_the_set(square):
    before = square.unit.copy()
    top_k(square, square.vectors, k=3, exclude=[[0]] * 6)
    np.testing.assert_array_equal(square.unit, before)


# -- agreement with gensim on the real default set -------------------------------------------------------
@pytest.fixture(scope="module")
def kv(words):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(words.dim)
    kv.add_vectors(list(words.tokens), np.array(words.vectors))
    return kv


@pytest.mark.parametrize("word", ["king", "paris", "computer", "happy", "run", "blue"])
def test_agrees_with_gensim_most_similar(words, kv, word):
    ours = words.neighbors(word, 10)
    ref = kv.most_similar(word, topn=10)
    assert tokens(ours) == [t for t, _ in ref]
    np.testing.assert_allclose([n.score for n in ours], [s for _, s in ref], atol=1e-5)


def test_agrees_with_gensim_for_a_vector_query(words, kv):
    v = words["river"] + words["bank"]
    ours = words.neighbors(v, 10)
    ref = kv.most_similar(positive=[v], topn=10)
    assert tokens(ours) == [t for t, _ in ref]
    np.testing.assert_allclose([n.score for n in ours], [s for _, s in ref], atol=1e-5)
