"""embedlab.core.linalg: unit rows of any stack, the non-finite row check, the one PCA plane (sign rule, zero guard)."""
from __future__ import annotations

import numpy as np
import pytest

import embedlab
from embedlab import InvalidParameterError
from embedlab.core.linalg import PCAPlane, first_non_finite_row, fix_signs, pca_plane, unit_rows
from embedlab.space.projection import fit_pca
from embedlab.viz.explorer import analogy_plane
from embedlab.viz.lesson_plots import pca2
from embedlab.viz.train_plots import fixed_projection


def test_unit_rows_is_the_one_exported():
    from embedlab.core import embeddings

    assert embedlab.unit_rows is unit_rows
    assert embeddings.unit_rows is unit_rows    # modules written against core.embeddings keep working


def test_unit_rows_of_a_vector_and_of_a_stack():
    np.testing.assert_array_equal(unit_rows(np.array([0.0, 5.0])), [0.0, 1.0])
    stack = np.array([[[3.0, 4.0], [0.0, 0.0]], [[0.0, -2.0], [6.0, 8.0]]])
    u = unit_rows(stack)
    assert u.shape == (2, 2, 2) and u.dtype == np.float32
    np.testing.assert_allclose(u, [[[0.6, 0.8], [0.0, 0.0]], [[0.0, -1.0], [0.6, 0.8]]], atol=1e-7)


def test_first_non_finite_row_across_blocks():
    v = np.zeros((10, 3), dtype=np.float32)
    assert first_non_finite_row(v, block=4) is None
    v[7, 2] = -np.inf
    v[9, 0] = np.nan
    assert first_non_finite_row(v, block=4) == 7
    assert first_non_finite_row(v, block=100) == 7


def test_fix_signs_largest_entry_positive_first_of_ties_zero_rows_kept():
    c = np.array([[0.3, -0.9, 0.1], [-0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])
    fix_signs(c)
    np.testing.assert_array_equal(c, [[-0.3, 0.9, -0.1], [0.5, -0.5, 0.0], [0.0, 0.0, 0.0]])


def test_pca_plane_of_a_hand_built_rectangle():
    # corners of a 4 x 2 rectangle, tilted into 3-d along (1, 0, 1) / sqrt(2) and (0, 1, 0)
    e1, e2 = np.array([1.0, 0.0, 1.0]) / np.sqrt(2), np.array([0.0, 1.0, 0.0])
    pts = np.array([a * e1 + b * e2 for a, b in ((-2, -1), (2, -1), (-2, 1), (2, 1))]) + 10.0
    plane = pca_plane(pts, 2)
    assert isinstance(plane, PCAPlane) and plane.dims == 2
    np.testing.assert_allclose(plane.mean, [10.0, 10.0, 10.0], atol=1e-12)
    np.testing.assert_allclose(plane.components, [e1, e2], atol=1e-12)     # signs: largest loading positive
    np.testing.assert_allclose(plane.explained_variance_ratio, [0.8, 0.2], atol=1e-12)
    np.testing.assert_allclose(plane.transform(pts), [[-2, -1], [2, -1], [-2, 1], [2, 1]], atol=1e-6)
    flipped = pca_plane(20.0 - pts, 2)                  # the same points mirrored: the same axes
    np.testing.assert_allclose(flipped.components, plane.components, atol=1e-12)
    assert not plane.components.flags.writeable and not plane.mean.flags.writeable


def test_pca_plane_zero_guard_and_missing_directions():
    same = pca_plane(np.full((4, 3), 2.5), 2)         # no spread: no direction to choose
    assert not same.components.any() and same.explained_variance_ratio == (0.0, 0.0)
    np.testing.assert_array_equal(same.transform(np.full((4, 3), 2.5)), np.zeros((4, 2)))
    one = pca_plane(np.array([[1.0, 2.0]]), 2)         # a single point: the same
    assert not one.components.any() and one.mean.tolist() == [1.0, 2.0]
    line = pca_plane(np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0]]), 3)  # 2-d data, 3 components
    assert line.components.shape == (3, 2) and not line.components[2].any()
    np.testing.assert_allclose(line.components[0], [2 ** -0.5, 2 ** -0.5], atol=1e-7)
    assert line.explained_variance_ratio[0] == pytest.approx(1.0) and line.explained_variance_ratio[2] == 0.0


def test_pca_plane_keeps_float64_and_fits_float32_otherwise():
    x = np.random.default_rng(0).normal(size=(30, 5))
    p64, p32 = pca_plane(x), pca_plane(x.astype(np.float32))
    np.testing.assert_allclose(np.abs(p64.components), np.abs(p32.components), atol=1e-5)
    assert p64.transform(x).dtype == np.float32 and p64.transform(x[None]).shape == (1, 30, 2)


def test_pca_plane_bad_input():
    with pytest.raises(InvalidParameterError, match="dims=0 is not allowed; must be a whole number >= 1"):
        pca_plane(np.eye(3), 0)
    with pytest.raises(InvalidParameterError, match=r"dims=2.5 is not allowed"):
        pca_plane(np.eye(3), 2.5)
    with pytest.raises(InvalidParameterError, match=r"vectors of shape \(3,\) is not allowed; must be a non-empty 2-D"):
        pca_plane(np.zeros(3))
    bad = np.eye(3)
    bad[1, 1] = np.nan
    with pytest.raises(InvalidParameterError, match="row 1 contains NaN or inf"):
        pca_plane(bad)
    with pytest.raises(InvalidParameterError, match=r"shape \(m, 3\) to use this PCA"):
        pca_plane(np.eye(3)).transform(np.zeros((2, 4)))


# -- every PCA of the app is this plane --------------------------------------------------------------------
def test_every_pca_uses_the_one_plane(toy_set):
    x = np.random.default_rng(1).normal(size=(12, 6)).astype(np.float32)
    plane = pca_plane(x.astype(np.float64), 2)
    np.testing.assert_allclose(pca2(x), plane.transform(x), atol=1e-6)
    fit = fit_pca(x)
    np.testing.assert_allclose(np.abs(fit.components), np.abs(plane.components), atol=1e-5)
    np.testing.assert_allclose(fit.components, plane.components, atol=1e-5)   # same signs, too
    snaps = np.stack([x * 0.5, x])
    coords, var = fixed_projection(snaps, normalize=False)
    np.testing.assert_allclose(coords[1], plane.transform(x), atol=1e-5)
    assert var == pytest.approx(plane.explained_variance_ratio)
    ap = analogy_plane(toy_set, "man", "king", "woman", ["queen"], n_context=0)
    rows = toy_set.indices(["man", "king", "woman"])
    u = toy_set.unit.astype(np.float64)
    pts = np.vstack([u[rows], u[rows[1]] - u[rows[0]] + u[rows[2]], u[toy_set.index("queen")]])
    np.testing.assert_allclose(ap.coords, pca_plane(pts, 2).transform(pts), atol=1e-6)


def test_fixed_projection_of_one_word_falls_back_to_the_first_two_axes():
    snaps = np.array([[[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]]])
    coords, var = fixed_projection(snaps, normalize=False)
    np.testing.assert_allclose(coords[:, 0], [[1.0, -1.0], [0.0, 0.0]])
    assert var == (0.0, 0.0)
