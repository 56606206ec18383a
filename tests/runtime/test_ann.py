"""The approximate index for large sets: recall against exact search, exclusion, the build in its own process."""
from __future__ import annotations

import os

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.runtime import ann
from embedlab.runtime.ann import ApproximateIndex, recall_at_k
from embedlab.runtime.registry import IndexRegistry, IndexStatus
from embedlab.core.search import top_k


@pytest.fixture(scope="module")
def clustered() -> EmbeddingSet:
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(40, 32))
    x = centers[rng.integers(0, 40, 3000)] + 0.4 * rng.normal(size=(3000, 32))
    return EmbeddingSet([f"t{i}" for i in range(len(x))], x, name="clustered")


@pytest.fixture(scope="module")
def index(clustered) -> ApproximateIndex:
    return ApproximateIndex(clustered, seed=0, n_jobs=1)


def test_recall_at_10_is_high(index):
    report = recall_at_k(index, k=10, n_queries=200)
    assert report.n_queries == 200
    assert report.recall >= 0.95


def test_query_excludes_rows_and_returns_exact_scores(index, clustered):
    q = clustered.vectors[[5, 7]]
    idx, scores = index.query(q, k=5, exclude=[[5], [7]])
    assert idx.shape == (2, 5)
    assert 5 not in idx[0] and 7 not in idx[1]
    exact = clustered.unit[idx[0]] @ clustered.unit[5]
    np.testing.assert_allclose(scores[0], exact, rtol=1e-5)
    assert np.all(np.diff(scores, axis=1) <= 1e-7)  # best first
    ref, _ = top_k(clustered, q, k=5, exclude=[[5], [7]])
    assert len(set(idx[0]) & set(ref[0])) >= 4


def test_query_shape_is_checked(index):
    with pytest.raises(InvalidParameterError, match=r"queries of shape \(1, 3\) is not allowed; must have shape \(m, 32\)"):
        index.query(np.zeros((1, 3), dtype=np.float32))


def test_small_sets_get_no_index(clustered):
    registry = IndexRegistry()                   # the default threshold: 200,000 rows
    assert registry.request(clustered) is None
    assert registry.ready(clustered) is None and registry.status(clustered) is IndexStatus.EXACT


def test_background_build_runs_in_a_worker_and_answers_like_an_index_built_here(clustered, index):
    registry = IndexRegistry(threshold=1000, backend="pynndescent", n_jobs=1)
    thread = registry.request(clustered)
    assert registry.status(clustered) is IndexStatus.BUILDING
    assert thread is registry.request(clustered)  # built once per set
    thread.join(timeout=600)
    ready = registry.ready(clustered)
    assert isinstance(ready, ApproximateIndex) and registry.status(clustered) is IndexStatus.APPROXIMATE
    assert ready.es is clustered
    # the graph was built in another process (EMBEDLAB_WORKERS=1), which is gone once no build is left
    assert ready.built_in_pid != os.getpid() and index.built_in_pid == os.getpid()
    assert ann._build_pool is None
    # its state came back without the vectors and was joined to this process's copy: same answers
    assert ready._nnd._raw_data.shape == (len(clustered), clustered.dim)
    rows = np.arange(0, 3000, 30)
    q, excl = clustered.vectors[rows], [[r] for r in rows]
    here_idx, here_scores = index.query(q, k=10, exclude=excl)
    there_idx, there_scores = ready.query(q, k=10, exclude=excl)
    np.testing.assert_array_equal(there_idx, here_idx)
    np.testing.assert_allclose(there_scores, here_scores, rtol=1e-6)
    # and a search given it answers like exact search at high recall
    hits = 0
    for r in rows:
        approx = [n.token for n in clustered.neighbors(clustered.tokens[r], 10, index=ready)]
        exact = [n.token for n in clustered.neighbors(clustered.tokens[r], 10)]
        hits += len(set(approx) & set(exact))
    assert hits / (10 * len(rows)) >= 0.95
    assert registry.nbytes == ready.nbytes > clustered.vectors.nbytes   # its own normalised rows + graph


def test_without_workers_the_background_build_stays_in_this_process(monkeypatch):
    monkeypatch.setenv("EMBEDLAB_WORKERS", "0")
    rng = np.random.default_rng(1)
    es = EmbeddingSet([f"w{i}" for i in range(1200)], rng.normal(size=(1200, 16)), name="in-process")
    registry = IndexRegistry(threshold=1000, backend="pynndescent", n_jobs=1)
    registry.request(es).join(timeout=300)
    assert registry.ready(es).built_in_pid == os.getpid()


@pytest.mark.parametrize("kwargs, match", [
    ({"n_neighbors": 1}, r"n_neighbors=1 is not allowed; must be a whole number >= 2"),
    ({"n_neighbors": 8.5}, r"n_neighbors=8.5 is not allowed"),
    ({"seed": True}, r"seed=True is not allowed"),
    ({"diversify_prob": 2.0}, r"diversify_prob=2.0 is not allowed; must be a number in \[0, 1\]"),
])
def test_bad_build_options_are_refused(clustered, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        ApproximateIndex(clustered, **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"k": 0}, r"k=0 is not allowed; must be a whole number >= 1"),
    ({"k": True}, r"k=True is not allowed"),
    ({"epsilon": 0}, r"epsilon=0 is not allowed; must be a number > 0"),
])
def test_bad_query_options_are_refused(index, clustered, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        index.query(clustered.vectors[:1], **kwargs)


def test_more_candidates_keep_exclusions_and_find_at_least_as_many(index, clustered):
    rows = np.arange(0, 3000, 60)
    q = clustered.vectors[rows]
    excl = [[r] for r in rows]
    exact, _ = top_k(clustered, q, k=10, exclude=excl)
    few, _ = index.query(q, k=10, exclude=excl, epsilon=0.1)
    many, scores = index.query(q, k=10, exclude=excl, epsilon=0.1, candidates=40)
    assert many.shape == (len(rows), 10)
    assert all(r not in m for r, m in zip(rows, many))
    assert np.all(np.diff(scores, axis=1) <= 1e-7)
    hits = [sum(len(set(a) & set(e)) for a, e in zip(found, exact)) for found in (few, many)]
    assert hits[1] >= hits[0]


def test_build_options_reach_pynndescent(clustered):
    dense = ApproximateIndex(clustered, seed=0, n_jobs=1, diversify_prob=0.0, pruning_degree_multiplier=3.0)
    sparse = ApproximateIndex(clustered, seed=0, n_jobs=1, diversify_prob=1.0, pruning_degree_multiplier=1.0)
    assert dense._nnd._search_graph.nnz > sparse._nnd._search_graph.nnz
