"""Exact re-ranking of an index's candidates from the set's own rows, and the search settings measured per set.

:mod:`embedlab.runtime.faiss_index` asks faiss for candidates (a compressed index: its ranking is
only roughly right) and re-ranks the best ``R`` of them here by the exact cosine of the set's
float32 rows. The rows are read from the set's array as it is (a memory-mapped ``.npy`` for a
large upload: only the candidates' pages are touched), so the index needs no copy of the
vectors. How deep to re-rank (``R``), or how many IVF lists to visit (``nprobe``), is measured on
each set when its index is built: the cheapest setting whose recall@10 against exact search
reaches :data:`RECALL_TARGET` on :data:`CALIBRATION_QUERIES` rows of the set.

>>> import numpy as np
>>> rows = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]], dtype=np.float32)
>>> idx, scores = rerank(rows, np.array([[0.0, 1.0]], dtype=np.float32), np.array([[0, 2, 1]]), 2)[0]
>>> idx.tolist(), [round(float(s), 3) for s in scores]
([1, 2], [1.0, 0.707])
"""
from __future__ import annotations

import logging

import numpy as np

from ..core.linalg import unit_rows

logger = logging.getLogger(__name__)

__all__ = ["RECALL_TARGET", "CALIBRATION_QUERIES", "RERANK_STEPS", "BLOCK", "exact_top", "rerank",
           "calibration_rows", "recall_of", "calibrate_nprobe", "calibrate_rerank"]

RECALL_TARGET = 0.96
"""recall@10 the measured setting reaches on the calibration rows (0.95 asked, a margin for the sample)."""
CALIBRATION_QUERIES = 200
"""Rows of the set whose exact neighbours measure the search setting (left out of their own results)."""
RERANK_STEPS = (50, 100, 200, 300, 500, 800, 1200, 2000, 3000, 5000, 8000)
"""Re-ranking depths tried, cheapest first; past the last one the index is no better than exact search."""
BLOCK = 65_536
"""Rows normalised at a time."""


def exact_top(vectors: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """Exact top-``k`` rows by cosine of each of ``rows`` (itself left out), the set normalised block by block."""
    q = unit_rows(np.asarray(vectors[rows], dtype=np.float32))
    best_s = np.full((len(rows), k), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(rows), k), dtype=np.int64)
    for start in range(0, len(vectors), BLOCK):
        s = q @ unit_rows(np.asarray(vectors[start:start + BLOCK], dtype=np.float32)).T
        own = (rows >= start) & (rows < start + s.shape[1])
        s[np.flatnonzero(own), rows[own] - start] = -np.inf
        cand_s = np.concatenate([best_s, s], axis=1)
        cand_i = np.concatenate([best_i, np.broadcast_to(np.arange(start, start + s.shape[1]), s.shape)], axis=1)
        top = np.argpartition(-cand_s, k - 1, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(cand_s, top, 1), np.take_along_axis(cand_i, top, 1)
    return best_i


def rerank(vectors: np.ndarray, queries: np.ndarray, candidates: np.ndarray, want: int
           ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``want`` best of each query's candidate rows by exact cosine, best first (ties by row order).

    Parameters
    ----------
    vectors : ndarray, shape (n, dim)
        The set's rows (raw: each candidate row is divided by its norm here), e.g. memory-mapped.
    queries : ndarray, shape (m, dim) float32
        Unit-length queries.
    candidates : ndarray, shape (m, R) int
        Candidate rows of each query (faiss marks missing ones -1; repeats are not expected).
    want : int

    Returns
    -------
    list of m (indices int64, cosine scores float32) pairs
    """
    out = []
    for q, cand in zip(queries, candidates):
        rows = np.unique(cand[cand >= 0]).astype(np.int64)      # sorted: the file is read in order
        block = np.asarray(vectors[rows], dtype=np.float32)
        sq = np.einsum("ij,ij->i", block, block)
        if np.all(np.isfinite(sq)) and np.all(sq > 1e-30):      # the usual rows: one product, one division
            scores = (block @ q) / np.sqrt(sq)
        else:                                                    # zero, huge or tiny rows: the guarded helper
            scores = unit_rows(block) @ q
        top = np.argsort(-scores, kind="stable")[:want]
        out.append((rows[top], scores[top].astype(np.float32)))
    return out


def calibration_rows(n: int, seed: int, queries: int = CALIBRATION_QUERIES) -> np.ndarray:
    """The seeded rows whose exact neighbours measure an index's search setting.

    >>> calibration_rows(1000, 0, 5).tolist() == calibration_rows(1000, 0, 5).tolist()
    True
    """
    return np.sort(np.random.default_rng([seed, 1]).choice(n, size=min(queries, n), replace=False))


def recall_of(found, rows: np.ndarray, truth: np.ndarray) -> float:
    """recall@k of ``found`` (m sequences of rows, best first, may hold the query row itself) against ``truth``."""
    k = truth.shape[1]
    hits = sum(len(set([i for i in f if i != r][:k]) & set(t.tolist())) for f, r, t in zip(found, rows.tolist(), truth))
    return hits / truth.size


def calibrate_nprobe(index, vectors: np.ndarray, *, seed: int = 0, target: float = RECALL_TARGET,
                     queries: int = CALIBRATION_QUERIES) -> int:
    """IVF: the smallest ``nprobe`` of 8, 16, 32, ... (up to all lists) whose recall@10 reaches ``target``.

    Measured on ``queries`` random rows of ``vectors`` (each left out of its own results)
    against exact search. Returns the number of lists (all of them: exact) if none does.
    """
    import faiss

    n = len(vectors)
    k = min(10, n - 1)
    if k < 1:
        return 1
    rows = calibration_rows(n, seed, queries)
    truth = exact_top(vectors, rows, k)
    q = unit_rows(np.asarray(vectors[rows], dtype=np.float32))
    nprobe = min(8, index.nlist)
    while True:
        _, found = index.search(q, k + 1, params=faiss.SearchParametersIVF(nprobe=nprobe))
        recall = recall_of([f[f >= 0].tolist() for f in found], rows, truth)
        logger.info("nprobe %d of %d lists: recall@%d %.3f on %d rows", nprobe, index.nlist, k, recall, len(rows))
        if recall >= target or nprobe >= index.nlist:
            return nprobe
        nprobe = min(2 * nprobe, index.nlist)


def calibrate_rerank(index, vectors: np.ndarray, *, seed: int = 0, target: float = RECALL_TARGET,
                     queries: int = CALIBRATION_QUERIES) -> tuple[int, float]:
    """Compressed index: the smallest re-ranking depth of :data:`RERANK_STEPS` whose recall@10 reaches ``target``.

    Each calibration row's ``R`` best candidates by the index are re-ranked exactly
    (:func:`rerank`) and compared with its exact neighbours. Returns ``(R, recall)``; if no depth
    up to the last step (or all rows) reaches the target, the deepest one with the recall it
    reached (logged as a warning).
    """
    n = len(vectors)
    k = min(10, n - 1)
    if k < 1:
        return 1, 1.0
    rows = calibration_rows(n, seed, queries)
    truth = exact_top(vectors, rows, k)
    q = unit_rows(np.asarray(vectors[rows], dtype=np.float32))
    steps = [r for r in RERANK_STEPS if r < n] + [min(n, RERANK_STEPS[-1])]
    recall = 0.0
    for depth in steps:
        _, cand = index.search(q, min(n, depth + 1))
        found = [ids.tolist() for ids, _ in rerank(vectors, q, cand, k + 1)]
        recall = recall_of(found, rows, truth)
        logger.info("re-rank depth %d: recall@%d %.3f on %d rows", depth, k, recall, len(rows))
        if recall >= target:
            return depth, recall
    logger.warning("re-ranking %d candidates reaches recall@%d %.3f only (target %.2f)", steps[-1], k, recall, target)
    return steps[-1], recall
