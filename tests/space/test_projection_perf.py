"""Issue 15 (performance) for PCA: the set's fingerprint computed once, no hashing without the cache,
PCA in float32 without a float64 copy of the array, equal to scikit-learn's float32 PCA."""
from __future__ import annotations

import hashlib
import tracemalloc

import numpy as np
import pytest

import embedlab.core.embeddings as emb_mod
from embedlab import EmbeddingSet
from embedlab.core.linalg import _has_spread, pca_plane
from embedlab.space.projection import project


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def hash_calls(monkeypatch):
    """Counts the blake2b digests EmbeddingSet.fingerprint starts."""
    calls = []
    real = hashlib.blake2b

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(emb_mod.hashlib, "blake2b", counting)
    return calls


def _set(n=400, d=16, seed=0) -> EmbeddingSet:
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32) * np.linspace(3, 0.5, d, dtype=np.float32)
    return EmbeddingSet([f"w{i}" for i in range(n)], x)


def test_fingerprint_is_computed_once_per_set_and_reused(cache_dir, hash_calls):
    es = _set()
    first = project(es, method="pca", dims=2)
    again = project(es, method="pca", dims=2)
    other = project(es, method="pca", dims=3)
    assert len(hash_calls) == 1
    assert not first.from_cache and again.from_cache and not other.from_cache
    np.testing.assert_array_equal(first.coords, again.coords)


def test_no_hashing_at_all_without_the_cache(cache_dir, hash_calls):
    es = _set()
    project(es, method="pca", dims=2, cache=False)
    project(es, method="pca", dims=3, cache=False)
    assert hash_calls == [] and "fingerprint" not in es.__dict__


def test_array_fingerprint_unchanged_by_hashing_the_buffer(cache_dir):
    from embedlab.space.projection import _fingerprint

    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    h = hashlib.blake2b(digest_size=16)
    h.update(np.asarray(x.shape, dtype=np.int64).tobytes())
    h.update(x.tobytes())
    assert _fingerprint(x, x) == "array:" + h.hexdigest()     # old cache entries stay valid


def test_float32_pca_equals_sklearn_covariance_eigh():
    from sklearn.decomposition import PCA

    es = _set(n=2000, d=24, seed=4)
    p = project(es, method="pca", dims=2, cache=False)
    ref = PCA(n_components=2, svd_solver="covariance_eigh", random_state=0).fit(es.vectors)
    ref_coords = ref.transform(es.vectors)
    assert ref_coords.dtype == np.float32 and p.params["solver"] == "covariance_eigh"
    for j in range(2):
        sign = np.sign(np.dot(p.coords[:, j], ref_coords[:, j]))
        np.testing.assert_allclose(p.coords[:, j], sign * ref_coords[:, j], atol=1e-5)
    np.testing.assert_allclose(p.explained_variance_ratio, ref.explained_variance_ratio_, rtol=1e-6)


def test_transform_float32_equals_the_float64_transform_in_blocks(monkeypatch):
    import embedlab.core.linalg as linalg

    x = np.random.default_rng(2).normal(size=(1000, 10)).astype(np.float32) + 5.0
    plane = pca_plane(x, 3)
    monkeypatch.setattr(linalg, "TRANSFORM_BLOCK", 128)         # several blocks and a short last one
    got = plane.transform_float32(x)
    assert got.dtype == np.float32 and got.shape == (1000, 3)
    np.testing.assert_allclose(got, plane.transform(x), atol=1e-5)


def test_pca_of_a_set_makes_no_float64_copy():
    es = _set(n=20_000, d=50, seed=1)
    project(es, method="pca", dims=2, cache=False)             # imports and first-call allocations
    tracemalloc.start()
    try:
        project(es, method="pca", dims=2, cache=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * es.vectors.nbytes * 2                  # a float64 copy alone would be 2x the array


def test_has_spread_is_ptp_greater_than_zero(monkeypatch):
    import embedlab.core.linalg as linalg

    monkeypatch.setattr(linalg, "ROW_BLOCK", 3)
    same = np.tile(np.array([[1.5, -2.0, 0.0]], np.float32), (10, 1))
    assert not _has_spread(same) and not _has_spread(same[:1])
    late = same.copy()
    late[9, 2] = 1e-30
    assert _has_spread(late) == (np.ptp(late, axis=0).max() > 0) == True   # noqa: E712
    assert pca_plane(same, 2).components.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
