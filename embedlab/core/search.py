"""Exact nearest-neighbour search and pairwise similarity.

One query is a matrix-vector product on the unit-normalized matrix plus
``np.argpartition``; a batch is one float32 matrix product per block of rows (about 16 MB of
scores at a time, see :func:`block_rows`), whose k best per block are merged. Results leave out excluded rows,
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
    key = -scores if largest else scores
    idx, _ = _smallest_k(key, k)
    return idx, np.take_along_axis(scores, idx, axis=1)


def _smallest_k(key: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k smallest of each row of ``key`` (m, n), smallest first, ties broken by column order:
    (columns, values). A tie straddling the k-th place is found without a pass over the row:
    ``np.argpartition`` at ``k`` also places the (k+1)-th smallest, and only if it equals the k-th
    is that row fixed up (the earliest tied columns win)."""
    m, n = key.shape
    if k >= n:
        idx = np.argsort(key, axis=1, kind="stable")
        return idx, np.take_along_axis(key, idx, axis=1)
    full = np.argpartition(key, k, axis=1)
    part = full[:, :k]
    part_key = np.take_along_axis(key, part, axis=1)
    kth = part_key.max(axis=1, keepdims=True)
    nxt = np.take_along_axis(key, full[:, k:k + 1], axis=1)
    for r in np.flatnonzero(nxt[:, 0] <= kth[:, 0]):     # the (k+1)-th ties the k-th: pick the earliest
        better = np.flatnonzero(key[r] < kth[r])
        tied = np.flatnonzero(key[r] == kth[r])[: k - better.size]
        part[r] = np.concatenate((better, tied))
        part_key[r] = key[r, part[r]]
    order = np.lexsort((part, part_key), axis=1)
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(part_key, order, axis=1)


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
    excl = []
    for ex in (exclude if exclude is not None else ()):
        rows = np.unique(np.asarray(list(ex), dtype=np.int64))
        if rows.size and (rows[0] < 0 or rows[-1] >= len(es)):
            raise InvalidParameterError(f"excluded row out of range 0..{len(es) - 1}: {rows.tolist()}")
        excl.append(rows)
    n_excl = max((r.size for r in excl), default=0)
    k = min(k, len(es) - n_excl)
    if k <= 0:
        return np.zeros((len(q), 0), dtype=np.int64), np.zeros((len(q), 0), dtype=np.float32)
    idx = np.empty((len(q), k), dtype=np.int64)
    val = np.empty((len(q), k), dtype=np.float32)
    step = max(1, min(len(q), QUERY_CHUNK))
    for start in range(0, len(q), step):
        rows = slice(start, start + step)
        idx[rows], val[rows] = _blocked_top_k(es, q[rows], k, excl[rows] if excl else None, metric)
    return idx, val


#: queries searched together (a larger batch is searched in chunks of this many)
QUERY_CHUNK = 1024
#: float32 scores held at once per chunk of queries (16 MB): rows per block = this // queries
BLOCK_ELEMENTS = 1 << 22
#: the fewest rows in a block (so that a large chunk of queries still gets efficient matrix products)
MIN_BLOCK_ROWS = 4096


def block_rows(n_queries: int, n_rows: int) -> int:
    """Rows of the set scored at once for ``n_queries`` queries: :data:`BLOCK_ELEMENTS` // queries,
    at least :data:`MIN_BLOCK_ROWS`, at most ``n_rows``.

    >>> block_rows(1, 1_000_000), block_rows(100, 1_000_000), block_rows(100, 5_000)
    (1000000, 41943, 5000)
    """
    return max(1, min(n_rows, max(MIN_BLOCK_ROWS, BLOCK_ELEMENTS // max(1, n_queries))))


def _is_mapped(a: np.ndarray) -> bool:
    """True if ``a`` is (a view of) a memory-mapped file, whose full normalised copy would live in RAM."""
    import mmap

    while a is not None:
        if isinstance(a, np.memmap) or isinstance(getattr(a, "base", None), mmap.mmap):
            return True
        a = a.base if isinstance(a.base, np.ndarray) else None
    return False


def _blocked_top_k(es: EmbeddingSet, q: np.ndarray, k: int, excl, metric: str):
    """:func:`top_k` of a chunk of queries, over blocks of rows: per block one float32 matrix product
    into a reused buffer of "keys" (smaller is better: minus the cosine, or the distance), its k best,
    then the best k of all blocks' candidates. Excluded rows get key +inf. Same results as one product
    over the whole set (ties by row order: candidates stay in row order within equal keys)."""
    n = len(es)
    m = q.shape[0]
    if metric == "cosine":
        # the set's own unit rows if it keeps them (or can: not for a memory-mapped file), else raw rows
        # divided per block by their norms, so a memory-mapped set is never copied whole
        unit = es.__dict__.get("unit")
        if unit is None and not _is_mapped(es.vectors):
            unit = es.unit
        base = unit if unit is not None else es.vectors
        qk = unit_rows(q)
        np.negative(qk, out=qk)                  # key = -cosine, exactly (a sign flip is exact)
    else:
        base = es.euclidean_vectors              # float64 for a set of extreme values (see EmbeddingSet)
        qd = q.astype(base.dtype, copy=False)
        qk = qd * base.dtype.type(-2.0)
        q_sq = np.einsum("ij,ij->i", qd, qd)[:, None]
    rows_per = block_rows(m, n)
    buf = np.empty((m, min(rows_per, n)), dtype=np.float32 if metric == "cosine" else base.dtype)
    cand_i, cand_v = [], []
    for start in range(0, n, rows_per):
        stop = min(n, start + rows_per)
        key = buf[:, :stop - start]
        np.matmul(qk, base[start:stop].T, out=key)
        if metric == "cosine":
            if unit is None:
                norms = np.sqrt(es.sq_norms[start:stop])
                key /= np.where(norms == 0, np.float32(1.0), norms)
        else:
            key += es.sq_norms[None, start:stop]
            key += q_sq
            np.maximum(key, 0.0, out=key)
            np.sqrt(key, out=key)
        for r, rows in enumerate(excl if excl is not None else ()):
            lo, hi = np.searchsorted(rows, (start, stop))
            if hi > lo:
                key[r, rows[lo:hi] - start] = np.inf
        bi, bv = _smallest_k(key, min(k, stop - start))
        cand_i.append(bi + start)
        cand_v.append(bv)
    if len(cand_i) == 1:
        idx, keys = cand_i[0], cand_v[0]
    else:
        ci, cv = np.concatenate(cand_i, axis=1), np.concatenate(cand_v, axis=1)
        pick, keys = _smallest_k(cv, k)
        idx = np.take_along_axis(ci, pick, axis=1)
    scores = -keys if metric == "cosine" else keys
    return idx, scores.astype(np.float32, copy=False)


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
