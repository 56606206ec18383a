"""What every approximate nearest-neighbour index of large sets shares: the size threshold, the
build process, the best-first merge of candidates and the recall measurement.

Exact search (a matrix-vector product) takes ~1 ms at 30k rows but ~25 ms at 1M x 300 on an idle
machine (100-350 ms with the shared machine loaded) and grows with the set; sets of at least
:data:`ANN_THRESHOLD` rows get an approximate index (:class:`embedlab.runtime.faiss_index.FaissIndex`),
built on demand in a separate low-priority process (:func:`in_build_process`, through
:func:`embedlab.runtime.registry.request`) and passed to searches once it is ready
(``es.neighbors(..., index=...)``); searches without it are exact. Scores returned are exact
cosine similarities of the candidates the index finds (:func:`best_first` orders them); only
*which* neighbours are found is approximate, and :func:`recall_at_k` measures that against exact
search. (The older pynndescent index that lived here is gone from the product: faiss needs no JIT
warm-up; ``bench/nndescent_index.py`` keeps it for the benches that compare against it.)
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from ..core.errors import InvalidParameterError
from .workers import WorkerPool, worker_count

__all__ = ["ANN_THRESHOLD", "RecallReport", "recall_at_k", "in_build_process", "best_first", "query_rows"]

ANN_THRESHOLD = 200_000
"""Sets with at least this many rows get an approximate index (see :mod:`embedlab.runtime.registry`)."""


def query_rows(queries, dim: int, exclude=None) -> tuple[np.ndarray, list[set]]:
    """An index query's rows as float32 ``(m, dim)`` and each row's excluded rows as a set.

    Raises
    ------
    InvalidParameterError
        If ``queries`` is not of shape ``(m, dim)``.

    >>> q, excl = query_rows([[1, 0], [0, 1]], 2, exclude=[[3], []])
    >>> q.dtype, excl
    (dtype('float32'), [{3}, set()])
    """
    q = np.asarray(queries, dtype=np.float32)
    if q.ndim != 2 or q.shape[1] != dim:
        raise InvalidParameterError(f"queries of shape {q.shape} is not allowed; must have shape (m, {dim})")
    excl = [set(int(r) for r in ex) for ex in exclude] if exclude is not None else [set() for _ in range(len(q))]
    return q, excl


def best_first(candidates: list[tuple[np.ndarray, np.ndarray]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of each query's (rows, scores) candidates, best first, ties by row order.

    Returns (m, k') int64 rows and float32 scores, ``k'`` the fewest candidates any query had (at most ``k``).

    >>> best_first([(np.array([4, 2, 9]), np.array([0.5, 0.9, 0.5]))], 2)[0].tolist()
    [[2, 4]]
    """
    out_idx = np.empty((len(candidates), k), dtype=np.int64)
    out_val = np.empty((len(candidates), k), dtype=np.float32)
    width = k
    for r, (cand, scores) in enumerate(candidates):
        order = np.lexsort((cand, -scores))[:k]
        width = min(width, len(order))
        out_idx[r, :len(order)] = cand[order]
        out_val[r, :len(order)] = scores[order]
    return out_idx[:, :width], out_val[:, :width]


@dataclass(frozen=True)
class RecallReport:
    """How many of the exact top-k neighbours the approximate index finds."""

    recall: float
    k: int
    n_queries: int
    exact_ms_per_query: float
    approx_ms_per_query: float


def recall_at_k(index, *, k: int = 10, n_queries: int = 200, seed: int = 0) -> RecallReport:
    """Measure recall@k of ``index`` against exact search on random tokens of its set.

    Each query is a token of the set, left out of its own results (as the app does).

    Parameters
    ----------
    index : NeighborIndex
        An index with its set as ``index.es`` and ``query(queries, k=, exclude=)``
        (:class:`embedlab.core.index.NeighborIndex`), e.g. a
        :class:`~embedlab.runtime.faiss_index.FaissIndex`.
    k, n_queries, seed : int
        Neighbours compared per query, how many random rows are asked, the seed choosing them.

    Returns
    -------
    RecallReport
    """
    from time import perf_counter

    from ..core.search import top_k

    es = index.es
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(es), size=min(n_queries, len(es)), replace=False)
    q = es.vectors[rows]
    excl = [[r] for r in rows]
    t0 = perf_counter()
    exact, _ = top_k(es, q, k=k, exclude=excl)
    t1 = perf_counter()
    approx, _ = index.query(q, k=k, exclude=excl)
    t2 = perf_counter()
    hits = sum(len(set(a.tolist()) & set(e.tolist())) for a, e in zip(approx, exact))
    return RecallReport(recall=hits / exact.size, k=k, n_queries=len(rows),
                        exact_ms_per_query=(t1 - t0) * 1000 / len(rows),
                        approx_ms_per_query=(t2 - t1) * 1000 / len(rows))


_build_pool: WorkerPool | None = None
_builds_running = 0
_build_lock = threading.Lock()


def in_build_process(make):
    """``make(pool)`` with the index-build pool: a process of its own at low priority, shared by
    the builds running at the same time and stopped when none is left.

    Parameters
    ----------
    make : callable(WorkerPool or None) -> index
        Builds the index in the given pool (None with ``EMBEDLAB_WORKERS=0``: in the calling thread).

    Returns
    -------
    What ``make`` returns. Used by :func:`embedlab.runtime.faiss_index.build_in_own_process` (and
    the benches' pynndescent index, ``bench/nndescent_index.py``).
    """
    global _build_pool, _builds_running
    if worker_count() == 0:
        return make(None)
    with _build_lock:
        if _build_pool is None:
            _build_pool = WorkerPool(1)
        pool = _build_pool
        _builds_running += 1
    try:
        return make(pool)
    finally:
        with _build_lock:
            _builds_running -= 1
            if _builds_running == 0 and _build_pool is pool:
                _build_pool = None
                pool.shutdown()
