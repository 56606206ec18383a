"""Exact nearest-neighbour search and pairwise similarity.

One query is a matrix-vector product on the unit-normalized matrix plus
``np.argpartition``; a batch is one matrix product. Results leave out excluded rows,
are best first, and break ties by row order, so they are deterministic.

>>> import numpy as np
>>> from embedlab.embeddings import EmbeddingSet
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

__all__ = ["top_k", "most_similar", "most_similar_batch", "cosine_matrix", "METRICS"]

METRICS = ("cosine", "euclidean")


def _check_k(k: int, n: int) -> int:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise InvalidParameterError(f"k must be a whole number of at least 1, got {k!r}")
    return int(min(k, n))


def _select(scores: np.ndarray, k: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Top-k of each row of ``scores`` (m, n), ties broken by column order."""
    m, n = scores.shape
    key = -scores if largest else scores
    if k < n:
        part = np.argpartition(key, k - 1, axis=1)[:, :k]
        # rows equal to the k-th value may be cut arbitrarily by argpartition: include them all
        kth = np.take_along_axis(key, part, axis=1).max(axis=1, keepdims=True)
        out_idx, out_val = [], []
        for r in range(m):
            cand = np.flatnonzero(key[r] <= kth[r]) if np.count_nonzero(key[r] == kth[r]) > 1 else part[r]
            order = np.lexsort((cand, key[r, cand]))[:k]
            out_idx.append(cand[order])
            out_val.append(scores[r, cand[order]])
        return np.array(out_idx), np.array(out_val)
    order = np.lexsort((np.broadcast_to(np.arange(n), key.shape), key), axis=1)
    return order, np.take_along_axis(scores, order, axis=1)


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
    if metric not in METRICS:
        raise InvalidParameterError(f"metric must be one of: {', '.join(METRICS)}; got {metric!r}")
    q = np.asarray(queries, dtype=np.float32)
    if q.ndim != 2 or q.shape[1] != es.dim:
        raise InvalidParameterError(f"queries must have shape (m, {es.dim}), got {q.shape}")
    if metric == "cosine":
        qn = np.linalg.norm(q, axis=1, keepdims=True)
        qn[qn == 0] = 1.0
        scores = (q / qn) @ es.unit.T
        fill = -np.inf
        largest = True
    else:
        d2 = es.sq_norms[None, :] - 2.0 * (q @ es.vectors.T) + np.einsum("ij,ij->i", q, q)[:, None]
        scores = np.sqrt(np.maximum(d2, 0.0))
        fill = np.inf
        largest = False
    n_excl = 0
    if exclude is not None:
        if len(exclude) != len(q):
            raise InvalidParameterError(
                f"exclude must have one list of rows per query ({len(q)}), got {len(exclude)}")
        for r, ex in enumerate(exclude):
            rows = np.unique(np.asarray(list(ex), dtype=np.int64))
            if rows.size:
                scores[r, rows] = fill
                n_excl = max(n_excl, rows.size)
    k = _check_k(k, len(es))
    k = max(0, min(k, len(es) - n_excl))
    if k == 0:
        return np.zeros((len(q), 0), dtype=np.int64), np.zeros((len(q), 0), dtype=np.float32)
    idx, val = _select(scores, k, largest)
    return idx.astype(np.int64), val.astype(np.float32)


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
