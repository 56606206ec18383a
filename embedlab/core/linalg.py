"""Linear-algebra helpers shared by every layer: unit rows, the non-finite row check, one PCA plane.

Each exists once here: :func:`unit_rows` (a zero row stays zero), :func:`first_non_finite_row`
(checked in row blocks, so no (n, d) temporary), and :func:`pca_plane`, the PCA that the Map
page, the analogy parallelogram, the lesson figures and the training animation all use, with
one sign rule (the largest-magnitude loading of each component is positive) and one guard
(points with no spread get zero components instead of an arbitrary direction).

>>> import numpy as np
>>> unit_rows(np.array([[3.0, 4.0]], dtype=np.float32)) * 5
array([[3., 4.]], dtype=float32)
>>> plane = pca_plane(np.array([[0., 0.], [2., 0.], [0., 1.], [2., 1.]]))
>>> plane.components.round(6).tolist(), [round(x, 2) for x in plane.explained_variance_ratio]
([[1.0, 0.0], [0.0, 1.0]], [0.8, 0.2])
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .errors import InvalidParameterError
from .validate import check_int

logger = logging.getLogger(__name__)

__all__ = ["unit_rows", "first_non_finite_row", "PCAPlane", "pca_plane", "fix_signs", "default_pca_solver"]

ROW_BLOCK = 65_536
"""Rows processed at a time by whole-array checks and normalisation, so their temporaries stay small."""
TRANSFORM_BLOCK = 8_192
"""Rows centred at a time by :meth:`PCAPlane.transform_float32` (12 MB at 384 dimensions)."""


_TINY_NORM = 1e-18   # below it a float32 row's squared norm may have lost its precision (or be 0)


def unit_rows(vectors) -> np.ndarray:
    """Return a new float32 C-contiguous array with every row (last axis) scaled to unit length.

    Zero rows stay zero (no division by zero, no NaN).

    Parameters
    ----------
    vectors : array_like, shape (..., d)
        Usually ``(n, d)``; a single vector ``(d,)`` or a stack ``(s, n, d)`` works too.

    Returns
    -------
    ndarray, float32, same shape

    >>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    >>> unit_rows(np.array([0.0, 2.0])).tolist()
    [0.0, 1.0]
    >>> unit_rows(np.array([[3e30, 4e30], [3e-30, -4e-30]], dtype=np.float32)).astype(float).round(6).tolist()
    [[0.6, 0.8], [0.6, -0.8]]
    """
    v = np.asarray(vectors, dtype=np.float32)
    shape = v.shape
    v2 = v.reshape(1, -1) if v.ndim == 1 else v.reshape(-1, shape[-1])
    out = np.empty(v2.shape, dtype=np.float32)
    for start in range(0, v2.shape[0], ROW_BLOCK):  # in row blocks: no (n, d) temporaries
        block = v2[start:start + ROW_BLOCK]
        with np.errstate(over="ignore", under="ignore"):
            norms = np.linalg.norm(block, axis=1, keepdims=True).astype(np.float32)
        odd = ~np.isfinite(norms[:, 0]) | ((norms[:, 0] < _TINY_NORM) & block.any(axis=1))
        norms[norms == 0] = 1.0
        if odd.any():   # squares overflowed (|x| ~ 1e20+) or underflowed (~1e-20): scale those rows first
            rows = block[odd].astype(np.float64)
            peak = np.abs(rows).max(axis=1, keepdims=True)
            peak[peak == 0] = 1.0
            rows /= peak
            rows /= np.linalg.norm(rows, axis=1, keepdims=True)
            norms[odd] = 1.0
            np.divide(block, norms, out=out[start:start + ROW_BLOCK])
            out[start:start + ROW_BLOCK][odd] = rows
            continue
        np.divide(block, norms, out=out[start:start + ROW_BLOCK])
    return out.reshape(shape)


def first_non_finite_row(vectors: np.ndarray, *, block: int = ROW_BLOCK) -> int | None:
    """Row of the first NaN or inf value in a 2-D array, or None if all values are finite.

    Checks ``block`` rows at a time: a whole-array ``np.isfinite`` would build an (n, d) bool
    temporary (300 MB at 1M x 300) while a file is being loaded.

    >>> first_non_finite_row(np.array([[1.0, 2.0], [3.0, np.inf], [np.nan, 0.0]]), block=1)
    1
    >>> first_non_finite_row(np.ones((5, 2))) is None
    True
    """
    for start in range(0, vectors.shape[0], block):
        ok = np.isfinite(vectors[start:start + block]).all(axis=1)
        if not ok.all():
            return start + int(np.argmin(ok))
    return None


def fix_signs(components: np.ndarray) -> np.ndarray:
    """The sign rule, in place: flip each row so that its largest-magnitude entry is positive.

    The first of several equally large entries decides; a zero row is left as it is.

    >>> fix_signs(np.array([[0.6, -0.8], [0.0, 0.0], [-1.0, 1.0]])).tolist()
    [[-0.6, 0.8], [0.0, 0.0], [1.0, -1.0]]
    """
    for row in components:
        i = int(np.argmax(np.abs(row)))
        if row[i] < 0:
            row *= -1
    return components


def default_pca_solver(n: int, d: int) -> str:
    """scikit-learn's ``svd_solver`` used for ``n`` points in ``d`` dimensions: exact and deterministic
    (``covariance_eigh`` up to 2,048 dimensions, ``full`` for wide short data), ``randomized`` only
    for data both wider than 2,048 and taller than wide.

    >>> default_pca_solver(1_000_000, 384), default_pca_solver(10, 4096), default_pca_solver(9000, 4096)
    ('covariance_eigh', 'full', 'randomized')
    """
    return "covariance_eigh" if d <= 2048 else ("full" if n <= d else "randomized")


@dataclass(frozen=True, eq=False)
class PCAPlane:
    """A PCA fitted to some vectors, to place these or other vectors in the same axes.

    Attributes
    ----------
    mean : ndarray, shape (d,), float64, read-only
    components : ndarray, shape (dims, d), float64, read-only
        Unit rows, sign-flipped so the largest-magnitude entry of each is positive (see
        :func:`fix_signs`); zero rows where the data have fewer directions than ``dims``.
    explained_variance_ratio : tuple of float
        Share of the fitted vectors' total variance along each component (0.0 for a zero row).
    """

    mean: np.ndarray
    components: np.ndarray
    explained_variance_ratio: tuple

    @property
    def dims(self) -> int:
        return int(self.components.shape[0])

    def transform(self, vectors) -> np.ndarray:
        """Coordinates of ``vectors`` (m, d) in the fitted axes: ``(m, dims) float32``.

        A stack ``(s, m, d)`` gives ``(s, m, dims)``; one vector ``(d,)`` gives ``(1, dims)``.

        Raises
        ------
        InvalidParameterError
            If the vectors do not have the fitted dimension.
        """
        v = np.asarray(vectors, dtype=np.float64)
        if v.ndim == 1:
            v = v.reshape(1, -1)
        if v.ndim < 2 or v.shape[-1] != self.mean.shape[0]:
            raise InvalidParameterError(
                f"vectors must have shape (m, {self.mean.shape[0]}) to use this PCA, got {np.shape(vectors)}")
        return np.ascontiguousarray((v - self.mean) @ self.components.T, dtype=np.float32)

    def transform_float32(self, vectors: np.ndarray) -> np.ndarray:
        """:meth:`transform` of a large float32 ``(n, d)`` array, computed in float32 as scikit-learn's
        ``PCA.transform`` does: no float64 copy of the array, centred :data:`TRANSFORM_BLOCK` rows at a
        time (no full-size temporary). Equal to :meth:`transform` to float32 rounding.

        >>> plane = pca_plane(np.array([[0., 0.], [2., 0.], [0., 1.], [2., 1.]], np.float32))
        >>> plane.transform_float32(np.array([[2., 0.]], np.float32)).tolist()
        [[1.0, -0.5]]
        """
        v = np.asarray(vectors)
        if v.ndim != 2 or v.dtype != np.float32:
            return self.transform(v)
        if v.shape[1] != self.mean.shape[0]:
            return self.transform(v)      # raises the shape error
        mean = self.mean.astype(np.float32)
        comps_t = np.ascontiguousarray(self.components.T, dtype=np.float32)
        out = np.empty((v.shape[0], self.dims), dtype=np.float32)
        tmp = np.empty((min(TRANSFORM_BLOCK, v.shape[0]), v.shape[1]), dtype=np.float32)
        for start in range(0, v.shape[0], TRANSFORM_BLOCK):
            block = v[start:start + TRANSFORM_BLOCK]
            centred = np.subtract(block, mean, out=tmp[:block.shape[0]])
            np.matmul(centred, comps_t, out=out[start:start + block.shape[0]])
        return out


def _has_spread(x: np.ndarray) -> bool:
    """True if not all rows of ``x`` are equal (``np.ptp(x, axis=0).max() > 0``), usually at the cost of
    comparing two rows: a full pass only when the first rows are all equal.

    >>> _has_spread(np.ones((4, 3))), _has_spread(np.array([[1., 2.], [1., 2.], [1., 2.5]]))
    (False, True)
    """
    first = x[0]
    if x.shape[0] > 1 and (x[1] != first).any():
        return True
    for start in range(1, x.shape[0], ROW_BLOCK):
        if (x[start:start + ROW_BLOCK] != first).any():
            return True
    return False


def _covariance_eigh(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's ``PCA(svd_solver="covariance_eigh")`` fit, step for step in the input's dtype
    (``C = X.T @ X - n mean mean.T``, ``eigh``, eigenvalues clipped at 0), without its copy of a
    read-only array (its ``force_writeable``): (mean float64, k components, k variance ratios).
    Signs are left to :func:`fix_signs`."""
    n = x.shape[0]
    mean = x.mean(axis=0)
    cov = x.T @ x
    cov -= n * mean.reshape(-1, 1) * mean.reshape(1, -1)
    cov /= n - 1
    vals, vecs = np.linalg.eigh(cov)
    vals, vecs = vals[::-1], vecs[:, ::-1]
    vals = np.where(vals < 0.0, vals.dtype.type(0.0), vals)
    total = vals.sum()
    return mean.astype(np.float64), vecs[:, :k].T, (vals[:k] / total if total > 0 else np.zeros(k))


def pca_plane(vectors, dims: int = 2, *, solver: str | None = None, assume_finite: bool = False) -> PCAPlane:
    """Fit a PCA with ``dims`` components (scikit-learn), with the sign rule and the zero guard.

    Parameters
    ----------
    vectors : array_like, shape (n, d)
        Not modified. Fitted in float64 if given float64, else in float32.
    dims : int
        Number of components (at least 1). If the data have fewer directions than that
        (``min(n, d) < dims``), the missing components are zero rows with zero explained variance.
    solver : str, optional
        scikit-learn's ``svd_solver``; default :func:`default_pca_solver`.
    assume_finite : bool
        Skip the NaN/inf check (the caller checked, e.g. the vectors of an ``EmbeddingSet``).

    Returns
    -------
    PCAPlane
        If all points are equal (no spread), every component is a zero row: every point lands on 0.

    Raises
    ------
    InvalidParameterError
        ``vectors`` not a non-empty 2-D array, a value NaN or inf, ``dims`` not a whole number >= 1.

    >>> v = np.array([[0., 0., 0.], [2., 0., 0.], [0., 1., 0.], [2., 1., 0.]])
    >>> pca_plane(v).transform([[2., 0., 5.]]).tolist()
    [[1.0, -0.5]]
    >>> pca_plane(np.ones((3, 2))).components.tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """
    dims = check_int(dims, "dims", minimum=1)
    x = np.asarray(vectors)
    x = np.ascontiguousarray(x, dtype=np.float64 if x.dtype == np.float64 else np.float32)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise InvalidParameterError(f"vectors of shape {x.shape} is not allowed; must be a non-empty 2-D array (n, d)")
    bad = None if assume_finite else first_non_finite_row(x)
    if bad is not None:
        raise InvalidParameterError(f"vectors is not allowed: row {bad} contains NaN or inf; every value must be finite")
    n, d = x.shape
    k = min(dims, n, d)
    comps = np.zeros((dims, d))
    evr = np.zeros(dims)
    solver = solver or default_pca_solver(n, d)
    if n > 1 and _has_spread(x):  # not all points equal (else: no direction to choose)
        if solver == "covariance_eigh":
            mean, comps[:k], evr[:k] = _covariance_eigh(x, k)
        else:
            from sklearn.decomposition import PCA  # lazy: a slow import

            pca = PCA(n_components=k, svd_solver=solver, random_state=0).fit(x)
            comps[:k] = pca.components_
            evr[:k] = pca.explained_variance_ratio_
            mean = pca.mean_.astype(np.float64)
    else:
        mean = x.mean(axis=0, dtype=np.float64)
    fix_signs(comps)
    comps.flags.writeable = False
    mean.flags.writeable = False
    return PCAPlane(mean=mean, components=comps, explained_variance_ratio=tuple(float(v) for v in evr))
