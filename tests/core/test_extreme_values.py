"""Huge and tiny finite values (1e30, 1e-30, float32's max) rank exactly like ordinary ones (issue 11 item 9)."""
import warnings

import numpy as np
import pytest

from embedlab import EmbeddingSet

pytestmark = pytest.mark.unit

BASE = np.array([[1, 2], [1, 0], [0, 1], [2, 4]], dtype=np.float64)   # a, b, c, d
TOKENS = ["a", "b", "c", "d"]


def _set(scale: float) -> EmbeddingSet:
    return EmbeddingSet(TOKENS, (BASE * scale).astype(np.float32))


@pytest.mark.parametrize("scale", [1.0, 1e30, 1e38 / 4, 1e-30, 1e-38])
def test_euclidean_ranks_and_distances_scale_with_the_values(scale):
    es = _set(scale)
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # no overflow / underflow warnings either
        found = es.neighbors("a", k=3, metric="euclidean")
    assert [n.token for n in found] == ["c", "b", "d"]
    np.testing.assert_allclose([n.score for n in found], np.array([2 ** 0.5, 2.0, 5 ** 0.5]) * scale, rtol=1e-5)


@pytest.mark.parametrize("scale", [1e30, 1e38 / 4, 1e-30, 1e-38])
def test_cosine_of_extreme_rows_is_the_cosine_of_ordinary_ones(scale):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = _set(scale).neighbors("a", k=3)
    assert [n.token for n in found] == ["d", "c", "b"]
    np.testing.assert_allclose([n.score for n in found], [1.0, 2 / 5 ** 0.5, 1 / 5 ** 0.5], rtol=1e-5)


def test_a_huge_row_among_ordinary_ones_leaves_their_ranks_alone():
    vecs = np.vstack([BASE, [[1e30, 1e30]], [[3e-30, 4e-30]]]).astype(np.float32)
    es = EmbeddingSet(TOKENS + ["huge", "tiny"], vecs)
    eu = es.neighbors("a", k=5, metric="euclidean")
    exact = np.linalg.norm(vecs.astype(np.float64) - vecs[0].astype(np.float64), axis=1)[1:]
    assert [n.score for n in eu] == pytest.approx(sorted(exact), rel=1e-6)
    assert [n.token for n in eu][:2] == ["c", "b"] and eu[-1].token == "huge"
    assert eu[-1].score == pytest.approx(2 ** 0.5 * 1e30, rel=1e-5)
    assert es.neighbors("tiny", k=1)[0].token == "huge" and es.unit[5].tolist() == pytest.approx([0.6, 0.8])
    assert es.euclidean_vectors.dtype == np.float64
    ordinary = _set(1.0)
    assert ordinary.euclidean_vectors is ordinary.vectors          # no copy for ordinary values
