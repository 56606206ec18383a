"""The faiss index of large sets: recall against exact search, exclusion, saved and read back, built in a worker."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.core.search import top_k
from embedlab.io.mapped import store_mapped
from embedlab.runtime import ann, faiss_index
from embedlab.runtime.ann import recall_at_k
from embedlab.runtime.faiss_index import FaissIndex, index_params, index_path, mapped_file, thread_count
from embedlab.runtime.registry import IndexRegistry, IndexStatus


def clustered_set(n: int = 10_000, dim: int = 32, seed: int = 0, name: str = "clustered") -> EmbeddingSet:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(60, dim))
    x = centers[rng.integers(0, 60, n)] + 0.5 * rng.normal(size=(n, dim))
    return EmbeddingSet([f"t{i}" for i in range(n)], x, name=name)


@pytest.fixture(scope="module")
def clustered() -> EmbeddingSet:
    return clustered_set()


@pytest.fixture(scope="module")
def index(clustered) -> FaissIndex:
    return FaissIndex.build(clustered, save=False)


@pytest.fixture(scope="module")
def ivf_index(clustered) -> FaissIndex:
    return FaissIndex.build(clustered, kind="ivf-flat", save=False)


# the IVF-Flat kind (the default before PQ + re-ranking) keeps its tests; kind="ivf-flat" asks for it
def test_recall_at_10_against_exact_search_is_at_least_095(ivf_index, clustered):
    index = ivf_index
    report = recall_at_k(index, k=10, n_queries=300, seed=1)
    assert report.n_queries == 300 and report.recall >= 0.95
    assert index.params == {"kind": "ivf-flat-ip", "nlist": 256, "nprobe": None, "train": 10_000,
                            "iterations": 10, "seed": 0}          # nlist: min(4 sqrt(10,000), 10,000 // 39)
    assert index.nprobe == 8                                      # measured: the first of 8, 16, ... enough here


def test_query_excludes_rows_and_returns_exact_cosines_best_first(index, clustered):
    q = clustered.vectors[[5, 7]]
    idx, scores = index.query(q, k=5, exclude=[[5], [7]])
    assert idx.shape == (2, 5) and idx.dtype == np.int64 and scores.dtype == np.float32
    assert 5 not in idx[0] and 7 not in idx[1]
    exact = clustered.unit[idx[0]] @ clustered.unit[5]
    np.testing.assert_allclose(scores[0], exact, rtol=1e-5)
    assert np.all(np.diff(scores, axis=1) <= 1e-7)
    ref, _ = top_k(clustered, q, k=5, exclude=[[5], [7]])
    assert len(set(idx[0]) & set(ref[0])) >= 4


def test_a_search_given_the_index_uses_it_and_leaves_the_query_token_out(index, clustered):
    found = clustered.neighbors("t3", 10, index=index)
    assert "t3" not in [n.token for n in found] and len(found) == 10
    exact = {n.token for n in clustered.neighbors("t3", 10)}
    assert len(exact & {n.token for n in found}) >= 9


def test_the_index_never_makes_the_sets_unit_vectors():
    es = clustered_set(3000, seed=2)
    ix = FaissIndex.build(es, kind="ivf-flat", save=False)
    ix.query(es.vectors[:3], k=5, exclude=[[0], [1], [2]])
    es.neighbors("t1", 5, index=ix)
    assert "unit" not in vars(es)           # the index holds the only unit rows
    assert ix.nbytes == 3000 * (32 * 4 + 8) + ix.params["nlist"] * 32 * 4


def test_a_saved_index_is_read_back_with_identical_answers(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    es = clustered_set(5000, seed=3)
    first = FaissIndex.build(es)
    assert not first.loaded and first.path == index_path(es, first.params) and first.path.is_file()
    assert first.path.parent == tmp_path / "indexes"
    # "after a restart": another set object with the same data finds the file and reads it
    again = EmbeddingSet(es.tokens, np.array(es.vectors), name="again")
    t = time.perf_counter()
    second = FaissIndex.build(again)
    assert time.perf_counter() - t < 2.0 and second.loaded and second.path == first.path
    rows = np.arange(0, 5000, 50)
    excl = [[r] for r in rows]
    a_idx, a_val = first.query(es.vectors[rows], k=10, exclude=excl)
    b_idx, b_val = second.query(again.vectors[rows], k=10, exclude=excl)
    np.testing.assert_array_equal(a_idx, b_idx)
    np.testing.assert_array_equal(a_val, b_val)


def test_other_parameters_or_other_data_get_another_file(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    es, other = clustered_set(2000, seed=4), clustered_set(2000, seed=5)
    p = index_params(len(es))
    assert index_path(es, p) != index_path(other, p)
    assert index_path(es, p) != index_path(es, index_params(len(es), nlist=10))
    assert index_path(es, p) == index_path(es, index_params(len(es), nprobe=3))   # a query setting only


def test_an_unreadable_saved_index_is_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    es = clustered_set(2000, seed=6)
    path = index_path(es, index_params(len(es)))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a faiss index")
    ix = FaissIndex.build(es, kind="ivf-flat")
    assert not ix.loaded and path.stat().st_size > 1000
    assert len(ix.query(es.vectors[:1], k=3, exclude=[[0]])[0][0]) == 3


def test_the_registry_builds_it_in_a_worker_from_the_sets_own_mapped_file(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("EMBEDLAB_WORKERS", "1")
    es = store_mapped(clustered_set(4000, seed=7), min_bytes=0)
    assert mapped_file(es.vectors) == str(tmp_path / "sets" / f"{es.fingerprint}.npy")
    reg = IndexRegistry(threshold=1000)                    # the default backend: faiss
    thread = reg.request(es)
    assert reg.status(es) is IndexStatus.BUILDING
    thread.join(timeout=300)
    ready = reg.ready(es)
    assert isinstance(ready, FaissIndex) and reg.status(es) is IndexStatus.APPROXIMATE
    assert ready.built_in_pid != os.getpid() and ann._build_pool is None   # the worker is gone
    assert reg.nbytes == ready.nbytes
    found = [n.token for n in es.neighbors("t10", 10, index=ready)]
    exact = [n.token for n in es.neighbors("t10", 10)]
    assert len(set(found) & set(exact)) >= 9
    # a new registry (a restarted server) reads the saved index instead of building it
    reg2 = IndexRegistry(threshold=1000)
    reg2.request(es).join(timeout=60)
    assert reg2.ready(es).loaded and reg2.ready(es).built_in_pid == os.getpid()


def test_small_sets_get_no_index(clustered):
    registry = IndexRegistry()                   # the default threshold: 200,000 rows
    assert registry.request(clustered) is None
    assert registry.ready(clustered) is None and registry.status(clustered) is IndexStatus.EXACT


def test_without_workers_the_background_build_stays_in_this_process(tmp_path, monkeypatch):
    # (was tests/runtime/test_ann.py's, for the pynndescent index: in_build_process is shared)
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("EMBEDLAB_WORKERS", "0")
    rng = np.random.default_rng(1)
    es = EmbeddingSet([f"w{i}" for i in range(1200)], rng.normal(size=(1200, 16)), name="in-process")
    registry = IndexRegistry(threshold=1000)
    registry.request(es).join(timeout=300)
    ready = registry.ready(es)
    assert ready.built_in_pid == os.getpid() and not ready.loaded and ann._build_pool is None


@pytest.mark.parametrize("kwargs, match", [
    ({"k": 0}, r"k=0 is not allowed; must be a whole number >= 1"),
    ({"nprobe": 0}, r"nprobe=0 is not allowed; must be a whole number >= 1"),
])
def test_bad_query_options_are_refused(index, clustered, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        index.query(clustered.vectors[:1], **kwargs)


def test_query_shape_is_checked(index):
    with pytest.raises(InvalidParameterError, match=r"queries of shape \(1, 3\) is not allowed; must have shape \(m, 32\)"):
        index.query(np.zeros((1, 3), dtype=np.float32))


def test_faiss_threads_are_bounded_by_the_cores_and_the_environment(monkeypatch):
    monkeypatch.delenv(faiss_index.THREADS_ENV, raising=False)
    cores = len(os.sched_getaffinity(0))
    assert thread_count() == cores
    monkeypatch.setenv(faiss_index.THREADS_ENV, "1")
    assert thread_count() == 1
    monkeypatch.setenv(faiss_index.THREADS_ENV, "999")
    assert thread_count() == cores
    monkeypatch.setenv(faiss_index.THREADS_ENV, "many")
    with pytest.raises(InvalidParameterError, match=r"EMBEDLAB_FAISS_THREADS='many' is not allowed"):
        thread_count()


def test_an_expression_query_given_the_index_never_makes_the_sets_unit_vectors():
    from embedlab.space.analogy import expression_vector
    from embedlab.space.neighbours import query_neighbors

    es = clustered_set(3000, seed=8)
    ix = FaissIndex.build(es, save=False)
    found, inputs = query_neighbors(es, "t1 - t2 + t3", k=5, index=ix)
    assert inputs == ["t1", "t2", "t3"] and len(found) == 5
    assert "unit" not in vars(es)
    # the same vector as the set's unit rows give
    expected = es.unit[1] - es.unit[2] + es.unit[3]
    np.testing.assert_allclose(expression_vector(es, "t1 - t2 + t3")[0], expected, rtol=1e-6)


def test_nprobe_is_measured_on_the_set_and_kept_in_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(9)
    hard = EmbeddingSet([f"g{i}" for i in range(6000)], rng.normal(size=(6000, 24)), name="isotropic")
    ivf = {"kind": "ivf-flat"}
    ix = FaissIndex.build(hard, **ivf)
    assert ix.nprobe > 8 and ix.nprobe in (16, 32, 64, 128, ix.params["nlist"])   # no clusters: more lists
    assert recall_at_k(ix, k=10, n_queries=300, seed=2).recall >= 0.94
    assert FaissIndex.build(hard, **ivf).loaded and FaissIndex.build(hard, **ivf).nprobe == ix.nprobe  # the file's
    assert FaissIndex.build(hard, nprobe=4, **ivf).nprobe == 4                                   # or given
    fewer = recall_at_k(FaissIndex.build(hard, nprobe=4, **ivf), k=10, n_queries=300, seed=2).recall
    assert fewer < 0.9


def test_the_exact_neighbours_of_the_calibration_match_top_k(clustered):
    rows = np.array([0, 17, 4999, 9999])
    found = faiss_index._exact_top(clustered.vectors, rows, 10)
    ref, _ = top_k(clustered, clustered.vectors[rows], k=10, exclude=[[r] for r in rows])
    assert [set(f) for f in found.tolist()] == [set(r) for r in ref.tolist()]


# -- the default kind: PQ codes, candidates re-ranked exactly from the set's own rows ---------------
def test_pq_index_reaches_recall_095_and_keeps_no_copy_of_the_vectors(index, clustered):
    assert index.params == {"kind": "pq4fs-rerank-ip", "m": 16, "bits": 4, "rerank": None, "train": 10_000,
                            "seed": 0}                              # m: 32 dims in 16 sub-vectors of 2
    assert index.nprobe is None and index.rerank in faiss_index.RERANK_STEPS
    assert index.recall >= faiss_index.RECALL_TARGET               # measured on the calibration rows
    assert recall_at_k(index, k=10, n_queries=300, seed=1).recall >= 0.95
    # codes (8 bytes a row, blocks of 32 rows) and codebooks: no float rows of its own
    assert index.nbytes == 10_016 * 8 + 16 * 16 * 2 * 4 < clustered.vectors.nbytes / 10
    fresh = clustered_set(2000, seed=13)
    FaissIndex.build(fresh, save=False).query(fresh.vectors[:2], k=5, exclude=[[0], [1]])
    assert "unit" not in vars(fresh)                                # re-ranked from the raw rows


def test_pq_rerank_depth_is_measured_kept_in_the_sidecar_and_read_back(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(9)
    hard = EmbeddingSet([f"g{i}" for i in range(3000)], rng.normal(size=(3000, 24)), name="isotropic")
    ix = FaissIndex.build(hard)
    side = json.loads(faiss_index.sidecar_path(ix.path).read_text())
    assert side["rerank"] == ix.rerank and side["recall"] == ix.recall >= 0.96
    easy = FaissIndex.build(clustered_set(3000, dim=24, seed=10), save=False)
    assert ix.rerank > easy.rerank                # no clusters: deeper re-ranking for the same recall
    assert recall_at_k(ix, k=10, n_queries=300, seed=2).recall >= 0.94
    again = FaissIndex.build(hard)
    assert again.loaded and again.rerank == ix.rerank and again.recall == ix.recall
    shallow = FaissIndex.build(hard, rerank=10)
    assert shallow.rerank == 10 and shallow.path == ix.path        # a query setting: the same file
    assert recall_at_k(shallow, k=10, n_queries=300, seed=2).recall < 0.9
    faiss_index.sidecar_path(ix.path).unlink()                     # no measured setting: built again
    rebuilt = FaissIndex.build(hard)
    assert not rebuilt.loaded and rebuilt.rerank == ix.rerank


def test_pq_index_re_ranks_from_the_mapped_file_and_more_results_re_rank_deeper(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    es = store_mapped(clustered_set(4000, seed=11), min_bytes=0)
    ix = FaissIndex.build(es, rerank=20)
    assert mapped_file(ix.es.vectors) is not None                   # the rows re-ranked are the file's
    idx, scores = ix.query(es.vectors[:1], k=60, exclude=[[0]])
    assert idx.shape == (1, 60) and 0 not in idx[0]                 # 60 wanted: 120 candidates, not 20
    ref, ref_scores = top_k(es, es.vectors[:1], k=60, exclude=[[0]])
    assert len(set(idx[0]) & set(ref[0])) >= 54
    np.testing.assert_allclose(scores[0][:5], ref_scores[0][:5], rtol=1e-5)


def test_a_file_of_the_other_kind_is_not_read_as_this_one(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    es = clustered_set(2000, seed=12)
    ivf = FaissIndex.build(es, kind="ivf-flat")
    pq_path = index_path(es, faiss_index.pq_params(len(es), es.dim))
    pq_path.write_bytes(ivf.path.read_bytes())
    ix = FaissIndex.build(es)
    assert not ix.loaded and ix.rerank is not None


@pytest.mark.parametrize("kwargs, match", [
    ({"rerank": 0}, r"rerank=0 is not allowed; must be a whole number >= 1"),
    ({"kind": "hnsw"}, r"kind='hnsw' is not allowed; must be one of: pq-rerank, ivf-flat"),
])
def test_bad_build_or_query_options_of_the_pq_index_are_refused(index, clustered, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        if "kind" in kwargs:
            FaissIndex.build(clustered, save=False, **kwargs)
        else:
            index.query(clustered.vectors[:1], **kwargs)


def test_rerank_scores_are_exact_cosines_also_for_zero_huge_and_tiny_rows():
    from embedlab.core.linalg import unit_rows
    from embedlab.runtime.rerank import rerank

    rows = np.array([[1, 2, 2], [1e30, 2e30, -2e30], [0, 0, 0], [1e-38, 0, 1e-38], [3, 0, 4]], dtype=np.float32)
    q = unit_rows(np.array([[1.0, 2.0, 2.0]], dtype=np.float32))
    for cand in ([0, 4, 1], [4, 2, 3, 0, 1]):          # the fast path (ordinary rows) and the guarded one
        idx, scores = rerank(rows, q, np.array([cand]), 5)[0]
        expected = unit_rows(rows[idx]) @ q[0]
        np.testing.assert_allclose(scores, expected, rtol=1e-6, atol=1e-7)
        assert idx[0] == 0 and np.all(np.diff(scores) <= 0)
