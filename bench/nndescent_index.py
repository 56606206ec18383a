"""The benches' pynndescent index: what ``embedlab.runtime.ann.ApproximateIndex`` was, kept for the
benches that compare embedlab's faiss index against it (``bench_ann.py --methods pynndescent``,
``bench_nndescent.py``). The app no longer uses it (issue 13: the registry's index is faiss, no JIT
warm-up), so it lives under bench/, not in the product; same parameters and defaults as before.

An NN-descent graph over the unit vectors of a set (cosine): :class:`ApproximateIndex` satisfies
:class:`embedlab.core.index.NeighborIndex`, so ``es.neighbors(query, k, index=...)`` and
:func:`embedlab.runtime.ann.recall_at_k` take it. :func:`build_in_own_process` builds it in the
registry's index-build process (:func:`embedlab.runtime.ann.in_build_process`), for
``IndexRegistry(build=...)``: the graph comes back without the vectors (pynndescent's pickling
state minus ``_raw_data``, rebuilt here from this process's rows in ``_vertex_order``; verified on
pynndescent 0.7).

The defaults (:data:`N_NEIGHBORS`, :data:`EPSILON`) were chosen on a 1,000,000 x 300 set grown
from the real MiniLM token embeddings: recall@10 0.961 against exact search (0.998 for the
real-token rows); epsilon 0.25 gives 0.940, 0.2 gives 0.921. The index holds its own normalised
copy of the vectors plus the search graph: ~2.0 GB at 1M x 300 (3.6 GB extra at the peak of the build).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from embedlab.core.embeddings import EmbeddingSet  # noqa: E402
from embedlab.core.linalg import unit_rows  # noqa: E402
from embedlab.core.validate import check_float, check_int  # noqa: E402
from embedlab.runtime.ann import best_first, in_build_process, query_rows  # noqa: E402
from embedlab.runtime.workers import WorkerPool  # noqa: E402

__all__ = ["N_NEIGHBORS", "EPSILON", "DIVERSIFY_PROB", "PRUNING_DEGREE_MULTIPLIER", "ApproximateIndex", "build_in_own_process"]

N_NEIGHBORS = 64
"""Graph degree of the index (pynndescent ``n_neighbors``), chosen with ``bench/bench_nndescent.py``."""
EPSILON = 0.3
"""Search breadth of a query (pynndescent ``epsilon``), chosen with ``bench/bench_nndescent.py``."""
DIVERSIFY_PROB = 1.0
"""pynndescent ``diversify_prob`` (its default)."""
PRUNING_DEGREE_MULTIPLIER = 1.5
"""pynndescent ``pruning_degree_multiplier`` (its default)."""


def _nndescent(data: np.ndarray, *, n_neighbors: int, seed: int, n_jobs: int | None, diversify_prob: float,
               pruning_degree_multiplier: float):
    from pynndescent import NNDescent

    nnd = NNDescent(data, metric="cosine", n_neighbors=n_neighbors, random_state=seed, n_jobs=n_jobs,
                    low_memory=True, compressed=True, diversify_prob=diversify_prob,
                    pruning_degree_multiplier=pruning_degree_multiplier)
    nnd.prepare()
    return nnd


def _graph_from_file(path: str, options: dict) -> tuple[dict, int]:
    """Runs in a worker: build the index of the rows saved at ``path``; return pynndescent's
    pickled state without the vectors (1.2 GB at 1M x 300: the caller has them), and this process's id."""
    nnd = _nndescent(np.load(path, mmap_mode="r"), **options)
    return nndescent_state_for_transfer(nnd), os.getpid()


def _build_in(pool: WorkerPool, es: EmbeddingSet, options: dict):
    from sklearn.preprocessing import normalize

    folder = tempfile.mkdtemp(prefix="embedlab-ann-")
    try:
        path = os.path.join(folder, "rows.npy")
        np.save(path, es.vectors)   # raw rows: pynndescent normalises them for "cosine" itself
        state, pid = pool.run(_graph_from_file, path, options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # what NNDescent keeps: the L2-normalised rows, in the order of its search tree's leaves (the same
    # computation as in NNDescent, so the index is identical to one built in this process)
    rows = normalize(es.vectors[nndescent_vertex_order(state)], norm="l2", copy=False)
    return nndescent_from_state(state, rows), pid


class ApproximateIndex:
    """An NN-descent graph over the unit vectors of a set (cosine similarity).

    It satisfies :class:`embedlab.core.index.NeighborIndex`: pass it to
    ``es.neighbors(query, k, index=...)``.

    Parameters
    ----------
    es : EmbeddingSet
    n_neighbors : int
        Graph degree; more is slower to build and more accurate.
    diversify_prob, pruning_degree_multiplier : float
        pynndescent's search-graph pruning (its defaults).
    seed : int
        Seeds pynndescent's random projection trees (deterministic for a given seed
        with ``n_jobs=1``).
    n_jobs : int or None
        Threads used to build the graph.
    pool : embedlab.runtime.workers.WorkerPool, optional
        Build the graph in this pool's worker process (low priority) instead of the calling
        thread, so a web server's sessions keep both the CPU and the interpreter: measured with
        ``bench/bench_ann.py --server-stall`` at 200,000 x 300, a thread of the server woke up
        late by 2.8 ms (p99) / 0.36 s (max) during a worker build, 12.7 ms / 1.2 s during an
        in-thread build (pynndescent releases the GIL in its parallel loops, not while numba
        compiles). The set's rows go to the worker as a temporary ``.npy`` file; the search
        graph comes back and is joined to this process's own copy of the vectors, so queries
        answer exactly as an index built here.

    Attributes
    ----------
    built_in_pid : int
        Process id of the process that built the graph.
    metric : str
        ``"cosine"``, the only metric it answers.
    nbytes : int
        Bytes held by the index itself once built (its normalised rows, graphs and trees; not the
        set's vectors); what :class:`embedlab.runtime.registry.IndexRegistry` counts.
    """

    metric = "cosine"

    def __init__(self, es: EmbeddingSet, *, n_neighbors: int = N_NEIGHBORS, seed: int = 0, n_jobs: int | None = None,
                 diversify_prob: float = DIVERSIFY_PROB, pruning_degree_multiplier: float = PRUNING_DEGREE_MULTIPLIER,
                 pool: WorkerPool | None = None):
        self.es = es
        self.n_neighbors = check_int(n_neighbors, "n_neighbors", minimum=2)
        seed = check_int(seed, "seed", minimum=0)
        if n_jobs is not None:
            n_jobs = check_int(n_jobs, "n_jobs", minimum=-1)
        diversify_prob = check_float(diversify_prob, "diversify_prob", low=0, high=1)
        pruning_degree_multiplier = check_float(pruning_degree_multiplier, "pruning_degree_multiplier", low=1)
        options = dict(n_neighbors=min(self.n_neighbors, len(es) - 1), seed=seed, n_jobs=n_jobs,
                       diversify_prob=diversify_prob, pruning_degree_multiplier=pruning_degree_multiplier)
        if pool is None:
            # the raw rows, not es.unit: pynndescent normalises them itself, and a freshly uploaded
            # set's unit vectors (another copy of the array) are not computed before they are needed
            self._nnd = _nndescent(es.vectors, **options)
            self.built_in_pid = os.getpid()
        else:
            self._nnd, self.built_in_pid = _build_in(pool, es, options)
        self._lock = threading.Lock()
        self.nbytes = _array_bytes(vars(self._nnd))

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the set it was built on (see :class:`embedlab.core.index.NeighborIndex`)."""
        return self.es.fingerprint


    def query(self, queries: np.ndarray, *, k: int = 10, exclude=None, epsilon: float = EPSILON,
              candidates: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Approximate top-k by cosine similarity, best first.

        Parameters
        ----------
        queries : ndarray, shape (m, dim)
        k : int
        exclude : list of m iterables of row indices, optional
            Rows left out of each query's results.
        epsilon : float
            Search breadth of pynndescent (larger = more accurate, slower). Keep it above 0:
            pynndescent 0.7 at epsilon 0 with more than ~30 candidates misses most neighbours.
        candidates : int, optional
            How many candidates the graph search keeps before exact re-ranking (at least
            ``k`` plus the excluded rows, the default).

        Returns
        -------
        indices : (m, k) int64, scores : (m, k) float32 exact cosine similarities
        """
        k = check_int(k, "k", minimum=1)
        epsilon = check_float(epsilon, "epsilon", low=0, low_open=True)
        if candidates is not None:
            candidates = check_int(candidates, "candidates", minimum=1)
        q, excl = query_rows(queries, self.es.dim, exclude)
        extra = max((len(e) for e in excl), default=0)
        want = min(max(k + extra, candidates or 0), len(self.es))
        with self._lock:  # pynndescent's query is not documented as thread-safe
            idx, _ = self._nnd.query(q, k=want, epsilon=epsilon)
        qu = unit_rows(q)
        picked = []
        for r in range(len(q)):
            cand = np.array([i for i in idx[r] if i >= 0 and int(i) not in excl[r]], dtype=np.int64)
            picked.append((cand, self.es.unit[cand] @ qu[r]))
        return best_first(picked, k)


def _array_bytes(obj, seen: set | None = None, depth: int = 0) -> int:
    """Bytes of the NumPy arrays reachable from ``obj`` through dicts, lists, tuples and sparse matrices."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 6:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes) if obj.base is None or id(obj.base) not in seen else 0
    if isinstance(obj, dict):
        return sum(_array_bytes(v, seen, depth + 1) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_array_bytes(v, seen, depth + 1) for v in obj)
    if hasattr(obj, "indptr") and hasattr(obj, "data"):        # scipy.sparse compressed matrix
        return sum(_array_bytes(getattr(obj, a), seen, depth + 1) for a in ("data", "indices", "indptr"))
    return 0



# -- pynndescent's pickling state (private: verified on 0.7) ---------------------------------------
def nndescent_state_for_transfer(nnd) -> dict:
    """pynndescent's pickling state of a prepared ``NNDescent`` without its data rows (``_raw_data``)."""
    state = nnd.__getstate__()   # pynndescent's own pickling protocol (numba trees made plain)
    state["_raw_data"] = None    # the receiver has the rows: see nndescent_from_state
    return state


def nndescent_vertex_order(state: dict):
    """The row order in which ``NNDescent`` keeps its (normalised) data: the search tree's leaves."""
    return state["_vertex_order"]


def nndescent_from_state(state: dict, raw_data):
    """An ``NNDescent`` made from a transferred ``state`` and ``raw_data`` (rows in vertex order,
    L2-normalised for cosine, exactly as ``NNDescent.prepare`` keeps them)."""
    from pynndescent import NNDescent

    state = dict(state, _raw_data=raw_data)
    nnd = NNDescent.__new__(NNDescent)
    nnd.__setstate__(state)
    return nnd



def build_in_own_process(es: EmbeddingSet, **options) -> ApproximateIndex:
    """Build the index of ``es`` in a process of its own at low priority and return it (blocks).

    The registry's index-build process (not the shared UMAP pool), stopped when no build is left, so
    its memory (4 GB at the peak of a 1M x 300 build) goes back to the system. With
    ``EMBEDLAB_WORKERS=0`` the index is built in the calling thread. ``options`` are those of
    :class:`ApproximateIndex`; pass ``lambda es: build_in_own_process(es, **options)`` as
    ``IndexRegistry(build=...)``.
    """
    return in_build_process(lambda pool: ApproximateIndex(es, pool=pool, **options))
