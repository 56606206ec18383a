"""k-means clusters of embedding vectors, for colouring the map.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> v = np.vstack([rng.normal(0, 0.1, (20, 4)) + 5, rng.normal(0, 0.1, (20, 4)) - 5]).astype(np.float32)
>>> labels = kmeans_labels(v, k=2, seed=0)
>>> len(set(labels[:20].tolist())), len(set(labels[20:].tolist())), bool(labels[0] != labels[20])
(1, 1, True)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..core.errors import InvalidParameterError
from ..core.linalg import unit_rows
from ..core.validate import check_int

logger = logging.getLogger(__name__)

__all__ = ["kmeans_labels", "kmeans_fit", "assign_clusters", "KMeansResult", "cluster_names"]


@dataclass(frozen=True)
class KMeansResult:
    """Labels ``(n,) int64`` (0 = largest cluster) and centres ``(k, d) float32`` in the same order."""

    labels: np.ndarray
    centers: np.ndarray
    cosine: bool = True


def assign_clusters(vectors, result: KMeansResult) -> np.ndarray:
    """Label new rows with their nearest centre of a fitted :class:`KMeansResult`.

    >>> r = KMeansResult(np.array([0, 1]), np.array([[1, 0], [0, 1]], np.float32))
    >>> assign_clusters(np.array([[0.1, 3.0], [2.0, 0.0]]), r).tolist()
    [1, 0]
    """
    v = np.asarray(vectors, dtype=np.float32)
    data = unit_rows(v) if result.cosine else v
    d = ((data[:, None, :] - result.centers[None, :, :]) ** 2).sum(axis=2)
    return np.argmin(d, axis=1).astype(np.int64)


def kmeans_labels(vectors, *, k: int = 8, seed: int = 0, cosine: bool = True) -> np.ndarray:
    """The labels of :func:`kmeans_fit`."""
    return kmeans_fit(vectors, k=k, seed=seed, cosine=cosine).labels


def kmeans_fit(vectors, *, k: int = 8, seed: int = 0, cosine: bool = True) -> KMeansResult:
    """Cluster rows with k-means (scikit-learn) and return one label per row.

    Labels are renumbered so that cluster 0 is the largest, 1 the next, and so on, so
    colours stay stable across seeds and runs.

    Parameters
    ----------
    vectors : array_like, shape (n, d)
    k : int
        Number of clusters, 2 <= k <= n.
    seed : int
        Passed to scikit-learn as ``random_state``.
    cosine : bool
        Cluster unit-normalized rows (spherical k-means, the usual choice for embeddings).

    Returns
    -------
    KMeansResult

    Raises
    ------
    InvalidParameterError
        If ``k`` is out of range.
    """
    from sklearn.cluster import KMeans

    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim != 2:
        raise InvalidParameterError(f"vectors must be 2-D, got shape {v.shape}")
    k = check_int(k, "k", minimum=2, maximum=len(v))   # at most one cluster per point
    data = unit_rows(v) if cosine else v
    km = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(data)
    raw = km.labels_
    sizes = np.bincount(raw, minlength=k)
    by_size = np.argsort(-sizes, kind="stable")
    rank = np.empty(k, dtype=np.int64)
    rank[by_size] = np.arange(k)
    return KMeansResult(rank[raw], km.cluster_centers_[by_size].astype(np.float32), cosine)


def cluster_names(vectors, result: KMeansResult, tokens, *, n_words: int = 3) -> list[str]:
    """A name per cluster from its most central words: the ``n_words`` members nearest its centre,
    e.g. ``"dog, cat, horse"`` (ordered by cluster, as ``result.centers``). ``vectors`` and
    ``tokens`` are the clustered rows, in the order of ``result.labels``.

    >>> v = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.2, 0.9]], np.float32)
    >>> r = KMeansResult(np.array([0, 0, 1, 1]), unit_rows(np.array([[1, 0.05], [0.1, 1]], np.float32)))
    >>> cluster_names(v, r, ["a", "b", "c", "d"], n_words=2)
    ['a, b', 'c, d']
    """
    v = np.asarray(vectors, dtype=np.float32)
    data = unit_rows(v) if result.cosine else v
    labels = np.asarray(result.labels)
    names = []
    for i, centre in enumerate(result.centers):
        members = np.flatnonzero(labels == i)
        d = ((data[members] - centre) ** 2).sum(axis=1)
        central = members[np.argsort(d, kind="stable")[:n_words]]
        names.append(", ".join(str(tokens[j]) for j in central) or f"cluster {i + 1}")
    return names
