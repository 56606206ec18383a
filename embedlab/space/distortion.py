"""What a projection distorts: :func:`neighbor_overlap` (per point) and :func:`trustworthiness` (one score).

The Map page colours points by how many of their nearest neighbours in the full space are
still nearest in the picture, and states the projection's trustworthiness (Venna & Kaski,
scikit-learn's ``trustworthiness``).

>>> import numpy as np
>>> x = np.random.default_rng(0).normal(size=(30, 2))
>>> neighbor_overlap(x, x, k=3, metric="euclidean").tolist() == [1.0] * 30
True
"""
from __future__ import annotations

import numpy as np

from ..core.errors import InvalidParameterError
from ..core.linalg import unit_rows
from ..core.search import METRICS
from ..core.validate import check_choice, check_int, check_matrix

__all__ = ["neighbor_overlap", "trustworthiness"]


def _pair(high, low) -> tuple[np.ndarray, np.ndarray]:
    h = check_matrix(high, "high")
    lo = check_matrix(low, "low")
    if h.shape[0] != lo.shape[0]:
        raise InvalidParameterError(f"high has {h.shape[0]} points but low has {lo.shape[0]}; they must match")
    return h, lo


def _full_knn(x: np.ndarray, k: int, metric: str) -> np.ndarray:
    """Exact k nearest neighbours of every row among the others: ``(n, k)`` row indices
    (unordered), by matrix products in chunks of rows."""
    n = x.shape[0]
    if metric == "cosine":
        x = unit_rows(x)
    else:
        sq = np.einsum("ij,ij->i", x, x)
    out = np.empty((n, k), dtype=np.int64)
    step = max(1, min(n, (1 << 24) // max(n, 1)))  # ~64 MB of float32 scores per chunk
    for start in range(0, n, step):
        stop = min(n, start + step)
        s = x[start:stop] @ x.T  # similarity: larger is nearer
        if metric == "euclidean":
            s = 2 * s - sq[None, :]  # -(squared distance) up to a per-row constant
        s[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        out[start:stop] = np.argpartition(-s, k - 1, axis=1)[:, :k]
    return out


def neighbor_overlap(high, low, *, k: int = 10, metric: str = "cosine") -> np.ndarray:
    """For every point, the share of its k nearest neighbours in the projection that are also
    among its k nearest neighbours in the full space.

    Parameters
    ----------
    high : array_like, shape (n, d)
        The full-space vectors (exact kNN by matrix products, ``metric``).
    low : array_like, shape (n, 2 or 3)
        Their projected coordinates (Euclidean kNN, scikit-learn ``NearestNeighbors``).
    k : int
        Neighbours per point; lowered to n - 1 for tiny sets.
    metric : {"cosine", "euclidean"}

    Returns
    -------
    ndarray, shape (n,), float32
        Values in {0, 1/k, ..., 1}. Ties in distance are broken arbitrarily.

    Raises
    ------
    InvalidParameterError
        Shapes that do not match, fewer than 2 points, k < 1, unknown metric.

    >>> high = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    >>> low = np.array([[0, 0], [5, 0], [0, 1], [5, 1]])
    >>> neighbor_overlap(high, low, k=1).tolist()
    [0.0, 0.0, 0.0, 0.0]
    """
    from sklearn.neighbors import NearestNeighbors

    metric = check_choice(metric, "metric", METRICS)
    h, lo = _pair(high, low)
    n = h.shape[0]
    k = check_int(k, "k", minimum=1)
    if n < 2:
        raise InvalidParameterError(f"neighbour overlap needs at least 2 points; got {n}")
    k = min(k, n - 1)
    full = _full_knn(h, k, metric)
    pict = NearestNeighbors(n_neighbors=k).fit(lo).kneighbors(return_distance=False)
    same = (full[:, :, None] == pict[:, None, :]).any(axis=2).sum(axis=1)
    return (same / k).astype(np.float32)


def trustworthiness(high, low, *, k: int = 10, metric: str = "cosine", max_points: int = 3000,
                    seed: int = 0) -> float:
    """How far the projection keeps neighbourhoods: 1 when no point has strangers among its k
    nearest neighbours in the picture (scikit-learn's ``trustworthiness``, Venna & Kaski).

    Parameters
    ----------
    high : array_like, shape (n, d)
    low : array_like, shape (n, m)
    k : int
        Neighbours per point. scikit-learn needs ``k < n / 2``: a larger k is lowered to
        ``(n - 1) // 2`` (on tiny sets only).
    metric : {"cosine", "euclidean"}
        Distance in the full space (the picture uses Euclidean distance).
    max_points : int
        scikit-learn compares all pairwise distances (memory ~ n^2), so above ``max_points``
        the score is computed on a random sample of that many points (``seed``): an estimate of
        the score on the whole set (neighbourhoods are judged among the sampled points).
    seed : int
        Seeds the sample.

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    InvalidParameterError
        Shapes that do not match, fewer than 3 points, k < 1, unknown metric.

    >>> x = np.random.default_rng(0).normal(size=(40, 2))
    >>> trustworthiness(x, x * 3, k=5, metric="euclidean")
    1.0
    """
    from sklearn.manifold import trustworthiness as sk_trust

    metric = check_choice(metric, "metric", METRICS)
    h, lo = _pair(high, low)
    k = check_int(k, "k", minimum=1)
    max_points = check_int(max_points, "max_points", minimum=3)
    n = h.shape[0]
    if n < 3:
        raise InvalidParameterError(f"trustworthiness needs at least 3 points; got {n}")
    if n > max_points:
        rows = np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))
        h, lo, n = h[rows], lo[rows], max_points
    if k >= n / 2:
        k = (n - 1) // 2
    return float(sk_trust(h.astype(np.float64), lo.astype(np.float64), n_neighbors=k, metric=metric))
