"""embedlab.space.distortion: neighbour overlap and trustworthiness, hand-built and against scikit-learn."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import InvalidParameterError
from embedlab.space.distortion import neighbor_overlap, trustworthiness
from embedlab.space.projection import project


def _noise(n=200, d=12, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


def _line_case():
    """Points at 0, 1, 2, 10, 11, 12 on a line; in the picture the 3rd and 4th swap places."""
    pos = np.array([0, 1, 2, 10, 11, 12], dtype=np.float32)
    low = np.c_[np.array([0, 1, 10, 2, 11, 12], dtype=np.float32), np.zeros(6, np.float32)]
    expected = [0.5, 0.5, 0.0, 0.0, 0.5, 0.5]
    return pos, low, expected


def test_neighbor_overlap_exact_on_a_hand_built_case():
    pos, low, expected = _line_case()
    high = np.c_[pos, np.zeros(6, np.float32)]
    np.testing.assert_array_equal(neighbor_overlap(high, low, k=2, metric="euclidean"), expected)
    # the same neighbourhoods as angles, with lengths that cosine must ignore (Euclidean must not)
    angles = pos * 0.1
    scale = np.array([1, 5, 0.2, 3, 7, 0.5], dtype=np.float32)[:, None]
    rays = np.c_[np.cos(angles), np.sin(angles)] * scale
    got = neighbor_overlap(rays, low, k=2, metric="cosine")
    assert got.dtype == np.float32 and got.shape == (6,)
    np.testing.assert_array_equal(got, expected)
    assert not np.array_equal(neighbor_overlap(rays, low, k=2, metric="euclidean"), expected)
    np.testing.assert_array_equal(neighbor_overlap(high, high, k=5, metric="euclidean"), 1.0)
    np.testing.assert_array_equal(neighbor_overlap(high, low, k=50), 1.0)  # k lowered to n - 1: everyone


def test_neighbor_overlap_matches_sklearn_on_random_data():
    from sklearn.neighbors import NearestNeighbors

    x = _noise(n=150, d=10, seed=2)
    low = project(x, cache=False).coords
    got = neighbor_overlap(x, low, k=7, metric="cosine")
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    full = NearestNeighbors(n_neighbors=7).fit(unit).kneighbors(return_distance=False)
    pict = NearestNeighbors(n_neighbors=7).fit(low).kneighbors(return_distance=False)
    ref = [len(set(f) & set(p)) / 7 for f, p in zip(full, pict)]
    np.testing.assert_allclose(got, ref)
    assert 0 < got.mean() < 1


def test_trustworthiness_is_one_for_pca_of_truly_2d_data_and_lower_for_noise():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(10, 2)))[0].T           # a random plane in 10-d
    flat = (rng.normal(size=(300, 2)) @ basis + 5.0).astype(np.float32)
    t = trustworthiness(flat, project(flat, cache=False).coords, k=10, metric="euclidean")
    assert t == pytest.approx(1.0, abs=1e-6)
    noise = _noise(n=300, d=10)
    t_noise = trustworthiness(noise, project(noise, cache=False).coords, k=10, metric="euclidean")
    assert 0.0 <= t_noise < 0.9


def test_trustworthiness_samples_large_sets_deterministically():
    x = _noise(n=400, d=8, seed=4)
    low = project(x, cache=False).coords
    a = trustworthiness(x, low, k=5, max_points=100)
    assert a == trustworthiness(x, low, k=5, max_points=100)
    assert a != trustworthiness(x, low, k=5, max_points=100, seed=1)
    assert 0.0 <= a <= 1.0
    assert 0.0 <= trustworthiness(x[:12], low[:12], k=10) <= 1.0    # k lowered below n / 2


def test_bad_input_to_distortion_measures():
    x = _noise(n=20)
    with pytest.raises(InvalidParameterError, match="high has 20 points but low has 19"):
        neighbor_overlap(x, x[:19, :2])
    with pytest.raises(InvalidParameterError, match="k=0 is not allowed; must be a whole number >= 1"):
        neighbor_overlap(x, x[:, :2], k=0)
    with pytest.raises(InvalidParameterError, match="at least 3 points; got 2"):
        trustworthiness(x[:2], x[:2, :2])
    with pytest.raises(InvalidParameterError, match="metric='hamming'"):
        trustworthiness(x, x[:, :2], metric="hamming")
