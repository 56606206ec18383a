"""Issue 15: exact search blocked over rows gives exactly the results of one product over the whole set
(ties by row order, exclusions, k larger than a block), with no full-size temporaries, and a
memory-mapped set is searched without a normalised copy of it."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from embedlab import EmbeddingSet
from embedlab.core import search
from embedlab.core.search import block_rows, select_top_k, top_k


def _exact_set(n=300, d=16, seed=0) -> EmbeddingSet:
    """Rows with four entries of +-1 (norm 2: unit entries +-0.5, every cosine an exact multiple of
    1/4), so any order of summation gives the same scores and ties are everywhere."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, d), dtype=np.float32)
    for r in range(n):
        x[r, rng.choice(d, 4, replace=False)] = rng.choice([-1.0, 1.0], 4)
    return EmbeddingSet([f"t{i}" for i in range(n)], x)


def _reference(es, q, k, exclude, metric):
    """Brute force: every score, excluded rows dropped, sorted by (best score, row)."""
    v = es.vectors.astype(np.float64)
    out_i, out_s = [], []
    for r, qv in enumerate(q.astype(np.float64)):
        if metric == "cosine":
            qn = qv / np.linalg.norm(qv)
            s = -(v @ qn) / np.linalg.norm(v, axis=1)
        else:
            s = np.sqrt(((v - qv) ** 2).sum(axis=1))
        keep = np.setdiff1d(np.arange(len(es)), exclude[r])
        order = keep[np.lexsort((keep, s[keep]))][:k]
        out_i.append(order)
        out_s.append(-s[order] if metric == "cosine" else s[order])
    return np.array(out_i), np.array(out_s)


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 7 rows (and chunks of 4 queries) instead of ~16 MB of scores."""
    monkeypatch.setattr(search, "BLOCK_ELEMENTS", 7 * 5)
    monkeypatch.setattr(search, "MIN_BLOCK_ROWS", 7)
    monkeypatch.setattr(search, "QUERY_CHUNK", 5)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
@pytest.mark.parametrize("k", [1, 3, 20, 300])
def test_blocked_equals_one_block_and_brute_force_exactly(metric, k, monkeypatch):
    es = _exact_set()
    q = es.vectors[[0, 5, 17, 99, 150, 151, 299, 42, 8, 9, 10, 11]] + np.float32(0.0)
    exclude = [[0], [5, 6, 7], [], [99, 98], [150], [151, 0], [299], [42], [8], [9], [10], [11, 12, 13]]
    whole = top_k(es, q, k=k, exclude=exclude, metric=metric)           # one block at this size
    assert block_rows(len(q), len(es)) == len(es)
    monkeypatch.setattr(search, "BLOCK_ELEMENTS", 7 * 5)
    monkeypatch.setattr(search, "MIN_BLOCK_ROWS", 7)
    monkeypatch.setattr(search, "QUERY_CHUNK", 5)
    assert block_rows(5, len(es)) == 7
    blocked = top_k(es, q, k=k, exclude=exclude, metric=metric)
    np.testing.assert_array_equal(blocked[0], whole[0])
    np.testing.assert_array_equal(blocked[1], whole[1])
    ref_i, ref_s = _reference(es, q, min(k, len(es) - 3), exclude, metric)
    np.testing.assert_array_equal(blocked[0], ref_i)
    np.testing.assert_allclose(blocked[1], ref_s, atol=1e-6)
    assert blocked[0].dtype == np.int64 and blocked[1].dtype == np.float32


def test_ties_across_blocks_go_to_the_earliest_rows(small_blocks):
    x = np.tile(np.array([[1.0, 0.0]], np.float32), (30, 1))
    x[::2] = [0.0, 1.0]                                   # rows 1, 3, 5, ... all tie with the query
    es = EmbeddingSet([f"r{i}" for i in range(30)], x)
    idx, val = top_k(es, np.array([[1.0, 0.0]], np.float32), k=10, exclude=[[3]])
    assert idx[0].tolist() == [1, 5, 7, 9, 11, 13, 15, 17, 19, 21]
    assert val[0].tolist() == [1.0] * 10


def test_select_top_k_fixes_a_tie_at_the_kth_place():
    scores = np.array([[0.5, 0.9, 0.7, 0.9, 0.7, 0.7, 0.1]])
    idx, val = select_top_k(scores, 3, True)
    assert idx.tolist() == [[1, 3, 2]] and val.tolist() == [[0.9, 0.9, 0.7]]
    idx, _ = select_top_k(scores, 4, False)
    assert idx.tolist() == [[6, 0, 2, 4]]


def test_no_full_size_temporaries(monkeypatch):
    rng = np.random.default_rng(1)
    es = EmbeddingSet([f"w{i}" for i in range(50_000)], rng.normal(size=(50_000, 8)))
    es.unit  # noqa: B018  (kept by the set, as in the app)
    q = rng.normal(size=(100, 8)).astype(np.float32)
    monkeypatch.setattr(search, "BLOCK_ELEMENTS", 1 << 16)
    monkeypatch.setattr(search, "MIN_BLOCK_ROWS", 256)
    top_k(es, q, k=10)
    for metric in ("cosine", "euclidean"):
        tracemalloc.start()
        try:
            top_k(es, q, k=10, metric=metric)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 100 * 50_000 * 4 / 4      # a quarter of one (queries x rows) float32 score matrix


def test_memory_mapped_set_is_searched_without_a_normalised_copy(tmp_path, small_blocks):
    es = _exact_set(n=120, d=16, seed=3)
    path = tmp_path / "v.f32"
    es.vectors.tofile(path)
    mm = np.memmap(path, dtype=np.float32, mode="r", shape=es.vectors.shape)
    mapped = EmbeddingSet(es.tokens, mm, copy=False)
    assert search._is_mapped(mapped.vectors) and not search._is_mapped(es.vectors)
    q = es.vectors[[1, 2, 3]]
    got = top_k(mapped, q, k=15, exclude=[[1], [2], [3]])
    want = top_k(es, q, k=15, exclude=[[1], [2], [3]])
    assert "unit" not in mapped.__dict__
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
