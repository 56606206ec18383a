"""Exact nearest-neighbour search and pairwise similarity.

One query is a matrix-vector product on the unit-normalized matrix plus
``np.argpartition``; a batch is one matrix product. Results leave out excluded rows,
are best first, and break ties by row order, so they are deterministic.

>>> import numpy as np
>>> from embedlab.core.embeddings import EmbeddingSet
>>> es = EmbeddingSet(["a", "b", "c"], [[1, 0], [1, 1], [0, 1]])
>>> [n.token for n in most_similar(es, "a", k=2)]
['b', 'c']
>>> cosine_matrix(es, ["a", "c"]).round(3).tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from .embeddings import EmbeddingSet, Neighbor
from .errors import InvalidParameterError
from .linalg import unit_rows
from .validate import check_choice, check_int

__all__ = ["top_k", "most_similar", "most_similar_batch", "cosine_matrix", "select_top_k", "check_k", "METRICS"]

METRICS = ("cosine", "euclidean")


def check_k(k, n: int) -> int:
    """``k`` checked (a whole number >= 1, never a bool or a float) and lowered to ``n``.

    >>> check_k(50, 3)
    3
    >>> check_k(2.5, 3)
    Traceback (most recent call last):
    ...
    embedlab.core.errors.InvalidParameterError: k=2.5 is not allowed; must be a whole number >= 1
    """
    return min(check_int(k, "k", minimum=1), int(n))


def select_top_k(scores: np.ndarray, k: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Top-k of each row of ``scores`` (m, n): best first, ties broken by column order.

    ``np.argpartition`` finds the k best in O(n); only rows where a tie straddles the
    k-th place are fixed up (the earliest tied columns win), then the k picks are sorted.

    Returns
    -------
    indices : ndarray, shape (m, k) int
    values : ndarray, shape (m, k), the scores at those columns

    >>> select_top_k(np.array([[0.1, 0.9, 0.9, 0.5]]), 2, True)[0].tolist()
    [[1, 2]]
    """
    m, n = scores.shape
    key = -scores if largest else scores
    if k >= n:
        idx = np.argsort(key, axis=1, kind="stable")
        return idx, np.take_along_axis(scores, idx, axis=1)
    part = np.argpartition(key, k - 1, axis=1)[:, :k]
    part_key = np.take_along_axis(key, part, axis=1)
    kth = part_key.max(axis=1, keepdims=True)
    for r in np.flatnonzero(np.count_nonzero(key <= kth, axis=1) > k):
        better = np.flatnonzero(key[r] < kth[r])
        tied = np.flatnonzero(key[r] == kth[r])[: k - better.size]
        part[r] = np.concatenate((better, tied))
        part_key[r] = key[r, part[r]]
    order = np.lexsort((part, part_key), axis=1)
    idx = np.take_along_axis(part, order, axis=1)
    return idx, np.take_along_axis(scores, idx, axis=1)


def top_k(es: EmbeddingSet, queries: np.ndarray, *, k: int = 10,
          exclude: Sequence[Iterable[int]] | None = None, metric: str = "cosine"
          ) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k rows for a batch of query vectors.

    Parameters
    ----------
    es : EmbeddingSet
    queries : ndarray, shape (m, dim)
    k : int
    exclude : list of m iterables of row indices, optional
        Rows left out of each query's results.
    metric : {"cosine", "euclidean"}

    Returns
    -------
    indices : ndarray, shape (m, k') int
    scores : ndarray, shape (m, k') float32
        Cosine similarity (best first) or Euclidean distance (nearest first).
        ``k' = min(k, n_tokens - excluded)``.
    """
    metric = check_choice(metric, "metric", METRICS, case_sensitive=True)
    k = check_k(k, len(es))
    q = np.asarray(queries, dtype=np.float32)
    if q.ndim != 2 or q.shape[1] != es.dim:
        raise InvalidParameterError(f"queries must have shape (m, {es.dim}), got {q.shape}")
    if exclude is not None and len(exclude) != len(q):
        raise InvalidParameterError(
            f"exclude must have one list of rows per query ({len(q)}), got {len(exclude)}")
    if metric == "cosine":
        scores = unit_rows(q) @ es.unit.T
        fill, largest = -np.inf, True
    else:
        vecs = es.euclidean_vectors          # float64 for a set of extreme values (see EmbeddingSet)
        if vecs.dtype != q.dtype:
            q = q.astype(vecs.dtype)
        d2 = q @ vecs.T
        d2 *= -2.0
        d2 += es.sq_norms[None, :]
        d2 += np.einsum("ij,ij->i", q, q)[:, None]
        scores = np.sqrt(np.maximum(d2, 0.0, out=d2), out=d2)
        fill, largest = np.inf, False
    n_excl = 0
    for r, ex in enumerate(exclude if exclude is not None else ()):
        rows = np.unique(np.asarray(list(ex), dtype=np.int64))
        if rows.size:
            if rows[0] < 0 or rows[-1] >= len(es):
                raise InvalidParameterError(f"excluded row out of range 0..{len(es) - 1}: {rows.tolist()}")
            scores[r, rows] = fill
            n_excl = max(n_excl, rows.size)
    k = min(k, len(es) - n_excl)
    if k <= 0:
        return np.zeros((len(q), 0), dtype=np.int64), np.zeros((len(q), 0), dtype=np.float32)
    idx, val = select_top_k(scores, k, largest)
    return idx.astype(np.int64, copy=False), val.astype(np.float32, copy=False)


def most_similar(es: EmbeddingSet, query, k: int = 10, *, exclude: Iterable[str] = (),
                 metric: str = "cosine") -> list[Neighbor]:
    """The ``k`` nearest tokens to a token or vector (see :meth:`EmbeddingSet.neighbors`)."""
    return es.neighbors(query, k, exclude=exclude, metric=metric)


def most_similar_batch(es: EmbeddingSet, queries, k: int = 10, *, metric: str = "cosine"
                       ) -> list[list[Neighbor]]:
    """Nearest tokens for many queries in one matrix product.

    Parameters
    ----------
    queries : list of str (each left out of its own results) or ndarray (m, dim)
    """
    if isinstance(queries, np.ndarray) and queries.dtype.kind == "f":
        vecs = queries
        excl = None
    else:
        rows = es.indices(list(queries))
        vecs = es.vectors[rows]
        excl = [[r] for r in rows]
    idx, val = top_k(es, vecs, k=k, exclude=excl, metric=metric)
    return [[Neighbor(es.tokens[i], float(s), int(i)) for i, s in zip(ri, rv)]
            for ri, rv in zip(idx, val)]


def cosine_matrix(es: EmbeddingSet, tokens: Sequence[str]) -> np.ndarray:
    """Pairwise cosine similarity of ``tokens``, shape (len(tokens), len(tokens)) float32."""
    u = es.unit[es.indices(tokens)]
    m = u @ u.T
    return np.clip(m, -1.0, 1.0)
