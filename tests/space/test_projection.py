"""embedlab.space.projection: PCA / UMAP / t-SNE, the disk cache, distortion measures, errors."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.space.distortion import trustworthiness
from embedlab.space.projection import PCAFit, Projection, fit_pca, project, warm_up


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty cache folder for one test."""
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    """300 points in 3 well separated Gaussian clusters in 20-d (float32)."""
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=6.0, size=(3, 20))
    return np.vstack([c + rng.normal(size=(100, 20)) for c in centres]).astype(np.float32)


def _noise(n=200, d=12, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


# -- PCA -------------------------------------------------------------------------------------------
def test_pca_equals_sklearn_up_to_sign_with_its_explained_variance(cache_dir):
    from sklearn.decomposition import PCA

    x = _noise() * np.linspace(3, 0.5, 12, dtype=np.float32)  # distinct variances per direction
    p = project(x, method="pca", dims=2, cache=False)
    ref = PCA(n_components=2).fit(x)
    ref_coords = ref.transform(x)
    for j in range(2):
        sign = np.sign(np.dot(p.coords[:, j], ref_coords[:, j]))
        np.testing.assert_allclose(p.coords[:, j], sign * ref_coords[:, j], atol=1e-4)
    np.testing.assert_allclose(p.explained_variance_ratio, ref.explained_variance_ratio_, rtol=1e-5)
    assert isinstance(p, Projection) and p.method == "pca" and p.dims == 2 and not p.from_cache
    assert p.coords.dtype == np.float32 and p.coords.shape == (200, 2) and not p.coords.flags.writeable


def test_pca_signs_are_fixed_largest_loading_positive():
    x = _noise(seed=3)
    fit = fit_pca(x, dims=3)
    for row in fit.components:
        assert row[np.argmax(np.abs(row))] > 0
    # the same directions whichever way the data points: the sign rule, not the solver, decides
    fit_neg = fit_pca(-x, dims=3)
    for row in fit_neg.components:
        assert row[np.argmax(np.abs(row))] > 0
    np.testing.assert_allclose(fit.components, fit_neg.components, atol=1e-5)


def test_pca_3d_and_explained_variance_descending(cache_dir):
    x = _noise() * np.linspace(4, 1, 12, dtype=np.float32)
    p = project(x, method="pca", dims=3, cache=False)
    evr = p.explained_variance_ratio
    assert p.coords.shape == (200, 3) and len(evr) == 3
    assert evr[0] >= evr[1] >= evr[2] > 0 and sum(evr) < 1


def test_fit_pca_places_other_points_in_the_same_plane():
    x = _noise(seed=1)
    fit = fit_pca(x[:100], dims=2)
    assert isinstance(fit, PCAFit)
    both = fit.transform(x)
    np.testing.assert_allclose(both[:100], fit.transform(x[:100]), atol=1e-5)
    np.testing.assert_allclose(both[100:], (x[100:] - x[:100].mean(0)) @ fit.components.T, atol=1e-4)
    with pytest.raises(InvalidParameterError, match=r"shape \(m, 12\)"):
        fit.transform(np.zeros((3, 5)))


def test_pca_of_rank_deficient_data_pads_with_zero_variance():
    line = np.outer(np.arange(5, dtype=np.float32), [1.0, 2.0])   # 5 points on a line in 2-D
    p = project(line, method="pca", dims=3, cache=False)
    assert p.coords.shape == (5, 3)
    assert p.explained_variance_ratio[0] == pytest.approx(1.0) and p.explained_variance_ratio[2] == 0.0
    np.testing.assert_allclose(p.coords[:, 2], 0.0)
    same = project(np.ones((4, 3)), method="pca", cache=False)  # no spread at all: everything at 0
    assert not same.coords.any() and same.explained_variance_ratio == (0.0, 0.0)


def test_input_is_not_mutated_and_sets_work(toy_set, cache_dir):
    x = _noise(n=40)
    before = x.copy()
    project(x, method="pca", cache=True)
    np.testing.assert_array_equal(x, before)
    assert x.flags.writeable
    from_set = project(toy_set, method="pca", cache=True)
    np.testing.assert_allclose(from_set.coords, project(toy_set.vectors, cache=False).coords)


# -- the disk cache -------------------------------------------------------------------------------
def test_cache_hit_survives_and_changed_parameters_miss(cache_dir):
    x = _noise(n=60)
    first = project(x, method="pca", dims=2)
    assert not first.from_cache and any(cache_dir.glob("*.npz")) and any(cache_dir.glob("*.json"))
    again = project(x, method="pca", dims=2)  # nothing is kept in memory: this reads the file
    assert again.from_cache
    np.testing.assert_array_equal(again.coords, first.coords)
    assert again.explained_variance_ratio == first.explained_variance_ratio
    assert not project(x, method="pca", dims=3).from_cache           # other dims
    assert not project(x[:-1], method="pca", dims=2).from_cache      # other data
    assert not project(x, method="pca", dims=2, cache=False).from_cache


def test_corrupt_cache_entry_is_recomputed(cache_dir):
    x = _noise(n=30)
    first = project(x)
    for f in cache_dir.glob("*.npz"):
        f.write_bytes(b"not a zip file")
    again = project(x)
    assert not again.from_cache
    np.testing.assert_array_equal(again.coords, first.coords)


# -- UMAP and t-SNE (small data; numba compiles once per process) ------------------------------------
def test_umap_is_deterministic_cached_reports_progress_and_keeps_clusters(blobs, cache_dir):
    calls = []
    a = project(blobs, method="umap", seed=0, progress=lambda msg, frac: calls.append((msg, frac)))
    assert a.coords.shape == (300, 2) and a.coords.dtype == np.float32 and a.explained_variance_ratio is None
    assert a.params["force_approximation_algorithm"] is True and a.params["n_neighbors"] == 15
    assert calls and calls[-1][1] == 1.0 and all(isinstance(m, str) and 0 <= f <= 1 for m, f in calls)
    assert [f for _, f in calls] == sorted(f for _, f in calls)
    b = project(blobs, method="umap", seed=0, cache=False)
    np.testing.assert_array_equal(a.coords, b.coords)
    hit = project(blobs, method="umap", seed=0)
    assert hit.from_cache and np.array_equal(hit.coords, a.coords)
    assert not project(blobs, method="umap", seed=0, n_neighbors=10).from_cache   # a changed parameter
    assert trustworthiness(blobs, a.coords, k=10, metric="euclidean") > 0.9
    other = project(blobs, method="umap", seed=1, cache=False)
    assert not np.array_equal(other.coords, a.coords)


def test_umap_3d_and_tiny_sets(blobs):
    p = project(blobs[:40], method="umap", dims=3, cache=False)
    assert p.coords.shape == (40, 3) and np.isfinite(p.coords).all()
    tiny = project(blobs[:8], method="umap", cache=False)
    assert tiny.params["n_neighbors"] == 7 and tiny.coords.shape == (8, 2)


def test_tsne_is_deterministic_and_reports_progress(blobs):
    calls = []
    a = project(blobs, method="tsne", seed=0, cache=False, progress=lambda msg, frac: calls.append(frac))
    b = project(blobs, method="tsne", seed=0, cache=False)
    np.testing.assert_array_equal(a.coords, b.coords)
    assert a.coords.shape == (300, 2) and a.params["perplexity"] == 30.0 and a.params["n_jobs"] == 2
    assert len(calls) > 10 and calls == sorted(calls) and calls[-1] == 1.0
    assert trustworthiness(blobs, a.coords, k=10, metric="euclidean") > 0.9


def test_tsne_3d_and_perplexity_clamped_on_small_sets(blobs):
    p = project(blobs[:31], method="tsne", dims=3, cache=False)
    assert p.coords.shape == (31, 3) and np.isfinite(p.coords).all()
    assert p.params["perplexity"] == pytest.approx(10.0)          # (31 - 1) / 3
    assert p.params["negative_gradient_method"] == "bh"


def test_warm_up_runs_and_refuses_unknown_methods():
    warm_up(("umap",))
    warm_up(("umap",))  # the second call does nothing
    with pytest.raises(InvalidParameterError, match="method='lda'.*pca, umap, tsne"):
        warm_up(("lda",))


# -- bad input ---------------------------------------------------------------------------------------
def test_bad_method_dims_metric_and_data():
    x = _noise(n=20)
    with pytest.raises(InvalidParameterError, match="method='lda' is not allowed; must be one of: pca, umap, tsne"):
        project(x, method="lda")
    with pytest.raises(InvalidParameterError, match=r"dims=4 is not allowed; must be a whole number in \[2, 3\]"):
        project(x, dims=4)
    with pytest.raises(InvalidParameterError, match="metric='manhattan'.*cosine, euclidean"):
        project(x, method="umap", metric="manhattan")
    with pytest.raises(InvalidParameterError, match="NaN or inf"):
        project(np.full((5, 3), np.nan))
    with pytest.raises(InvalidParameterError, match=r"data of shape \(5,\) is not allowed; must be a non-empty 2-D array"):
        project(np.zeros(5))
    with pytest.raises(InvalidParameterError, match="seed=-1 is not allowed; must be a whole number >= 0"):
        project(x, seed=-1)


def test_too_few_points_for_each_method():
    with pytest.raises(InvalidParameterError, match="PCA needs at least 2 points; got 1"):
        project(np.zeros((1, 3)))
    with pytest.raises(InvalidParameterError, match="UMAP needs at least 5 points; got 4"):
        project(_noise(n=4), method="umap")
    with pytest.raises(InvalidParameterError, match="t-SNE needs at least 5 points; got 3"):
        project(_noise(n=3), method="tsne")


def test_bad_method_parameters():
    x = _noise(n=20)
    with pytest.raises(InvalidParameterError, match="n_neighbors=1 is not allowed; must be a whole number >= 2"):
        project(x, method="umap", n_neighbors=1)
    with pytest.raises(InvalidParameterError, match=r"min_dist=-0.5 is not allowed; must be a number in \[0.0, 1.0\]"):
        project(x, method="umap", min_dist=-0.5)
    with pytest.raises(InvalidParameterError, match=r"perplexity=0 is not allowed; must be a number in \(0.0, "):
        project(x, method="tsne", perplexity=0)


def test_projection_of_a_set_and_its_array_agree():
    es = EmbeddingSet(list("abcdefgh"), _noise(n=8, d=4))
    np.testing.assert_allclose(project(es, cache=False).coords, project(es.vectors, cache=False).coords)


def test_place_by_neighbours_puts_new_points_among_their_neighbours_and_moves_no_base_point():
    from embedlab.space.projection import place_by_neighbours

    rng = np.random.default_rng(1)
    base_v = rng.normal(size=(40, 6)).astype(np.float32)
    base_c = rng.normal(size=(40, 2)).astype(np.float32)
    before = base_c.copy()
    new_v = base_v[[3, 17]] + 0.01
    placed = place_by_neighbours(base_v, base_c, new_v, k=1)
    np.testing.assert_array_equal(base_c, before)            # the others are not moved
    np.testing.assert_allclose(placed, base_c[[3, 17]], atol=1e-6)
    five = place_by_neighbours(base_v, base_c, new_v, k=5)
    assert five.shape == (2, 2) and np.all(np.isfinite(five))
    assert place_by_neighbours(base_v, base_c, new_v[:0]).shape == (0, 2)
