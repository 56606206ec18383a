"""The approximate index of large sets: a faiss IVF-Flat index of the unit vectors (inner product).

faiss (the field's standard vector-search library) has no JIT: a fresh process answers at once,
which is why it replaced pynndescent (1-3 minutes of numba compilation per process, ~4 minutes of
build at 1M rows) as the registry's index (:mod:`embedlab.runtime.registry`; the pynndescent
index of :mod:`embedlab.runtime.ann` is still there for the bench and its tests).

How it is built (parameters chosen with ``bench/bench_ann.py`` at 200k and 1M x 300):

- the rows are L2-normalised block by block (never a second full copy in the caller's process),
  so inner product = cosine similarity and the scores returned are exact cosines of the
  candidates; only *which* neighbours are found is approximate;
- ``nlist`` = 4 sqrt(n) inverted lists (4,000 at 1M), lowered so each list has >= 39 training
  points; the coarse k-means is trained on a seeded sample of :data:`TRAIN_PER_LIST` rows per list
  with :data:`KMEANS_ITERATIONS` iterations;
- how many lists a query visits (``nprobe``) is measured on each set when its index is built:
  the smallest of 8, 16, 32, ... whose recall@10 against exact search reaches
  :data:`RECALL_TARGET` on :data:`CALIBRATION_QUERIES` rows of the set (their exact neighbours
  found block by block) is stored in the index file. It depends on the data: 8 on Gaussian
  clusters; on the MiniLM-grown sets of ``bench/bench_ann.py``, whose neighbours are barely
  nearer than the rest, 512 of 1,789 lists at 200k (a fixed 16 gave recall 0.73) and 2,048 of
  4,000 at 1M (recall 0.99, but a query then costs about as much as exact search);
- faiss threads: :func:`thread_count` (the cores this process may use, at most
  ``$EMBEDLAB_FAISS_THREADS``).

The index is written beside the set in the cache folder (:func:`index_path`, keyed by the set's
fingerprint and the parameters) with ``faiss.write_index`` and read back with
``faiss.read_index(..., IO_FLAG_MMAP)`` after a restart: its inverted lists are then mapped from
the file, shared by every process that serves the set, and only the pages queries touch are read.

>>> import numpy as np
>>> from embedlab.core.embeddings import EmbeddingSet
>>> rng = np.random.default_rng(0)
>>> es = EmbeddingSet([f"w{i}" for i in range(2000)], rng.normal(size=(2000, 8)))
>>> index = FaissIndex.build(es, save=False)
>>> [n.token for n in es.neighbors("w0", 3, index=index)] == [n.token for n in es.neighbors("w0", 3)]
True
"""
from __future__ import annotations

import logging
import math
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError
from ..core.linalg import unit_rows
from ..core.validate import check_int
from ..io.cache import cache_dir, cache_key
from .ann import best_first, in_build_process
from .workers import WorkerPool

logger = logging.getLogger(__name__)

__all__ = ["FaissIndex", "NPROBE", "TRAIN_PER_LIST", "KMEANS_ITERATIONS", "THREADS_ENV", "index_params",
           "index_path", "thread_count", "build_in_own_process", "mapped_file", "calibrate_nprobe", "RECALL_TARGET",
           "CALIBRATION_QUERIES"]

NPROBE = None
"""Default ``nprobe``: None = measured on each set when its index is built (see :data:`RECALL_TARGET`)."""
RECALL_TARGET = 0.96
"""recall@10 the measured ``nprobe`` reaches on the calibration rows (0.95 asked, a margin for the sample)."""
CALIBRATION_QUERIES = 200
"""Rows of the set whose exact neighbours measure ``nprobe`` (left out of their own results)."""
TRAIN_PER_LIST = 40
"""Training rows per inverted list (faiss asks for at least 39)."""
KMEANS_ITERATIONS = 10
"""Iterations of the coarse k-means (faiss' default is 25; 10 loses no recall in the bench)."""
THREADS_ENV = "EMBEDLAB_FAISS_THREADS"
BLOCK = 65_536
"""Rows normalised and added at a time."""


def thread_count() -> int:
    """faiss threads: the cores this process may run on, at most ``$EMBEDLAB_FAISS_THREADS`` if set.

    >>> 1 <= thread_count() <= (os.cpu_count() or 1)
    True
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:          # not Linux
        cores = os.cpu_count() or 1
    raw = os.environ.get(THREADS_ENV, "").strip()
    if raw:
        try:
            cores = min(cores, check_int(int(raw), THREADS_ENV, minimum=1))
        except ValueError:
            raise InvalidParameterError(f"{THREADS_ENV}={raw!r} is not allowed; must be a whole number >= 1") \
                from None
    return max(1, cores)


def index_params(n: int, *, nlist: int | None = None, nprobe: int | None = NPROBE, seed: int = 0) -> dict:
    """The build parameters of an index of ``n`` rows (they key its file).

    >>> index_params(1_000_000)["nlist"], index_params(5000)["nlist"]
    (4000, 128)
    """
    n = check_int(n, "n", minimum=1)
    if nlist is None:
        nlist = max(1, min(round(4 * math.sqrt(n)), n // 39))
    nlist = min(check_int(nlist, "nlist", minimum=1), n)
    if nprobe is not None:
        nprobe = check_int(nprobe, "nprobe", minimum=1)
    return {"kind": "ivf-flat-ip", "nlist": nlist, "nprobe": nprobe,
            "train": min(n, TRAIN_PER_LIST * nlist), "iterations": KMEANS_ITERATIONS,
            "seed": check_int(seed, "seed", minimum=0)}


def index_path(es: EmbeddingSet, params: dict) -> Path:
    """Where the index of ``es`` built with ``params`` is kept (the cache folder, see :mod:`embedlab.io.cache`)."""
    build = {k: v for k, v in params.items() if k != "nprobe"}     # a query setting (the measured one is in the file)
    return cache_dir() / "indexes" / f"{cache_key('faiss', {'set': es.fingerprint, **build})}.faiss"


def mapped_file(array: np.ndarray) -> str | None:
    """The ``.npy`` file a read-only memory-mapped array was opened from (None for an array in memory).

    >>> mapped_file(np.zeros(3)) is None
    True
    """
    a = array
    while a is not None:
        if isinstance(a, np.memmap) and getattr(a, "filename", None):
            return str(a.filename)
        a = a.base if isinstance(a.base, np.ndarray) else None
    return None


def _build_file(vectors: np.ndarray, path: str, params: dict, threads: int) -> int:
    """Build the IVF-Flat index of ``vectors`` (normalised block by block) and write it to ``path``.

    Returns the id of the process that built it."""
    import faiss

    faiss.omp_set_num_threads(threads)
    n, dim = vectors.shape
    rng = np.random.default_rng(params["seed"])
    sample = np.sort(rng.choice(n, size=params["train"], replace=False))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, params["nlist"], faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = params["iterations"]
    index.cp.seed = params["seed"]
    index.cp.max_points_per_centroid = TRAIN_PER_LIST + 1
    index.cp.min_points_per_centroid = 1        # small sets: fewer than 39 rows a list is fine
    index.train(unit_rows(vectors[sample]))
    for start in range(0, n, BLOCK):
        faiss.omp_set_num_threads(threads)    # again: a query in this process may have lowered it
        index.add(unit_rows(vectors[start:start + BLOCK]))
    index.nprobe = params["nprobe"] or calibrate_nprobe(index, vectors, seed=params["seed"])
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".faiss.tmp")
    os.close(fd)
    try:
        faiss.write_index(index, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return os.getpid()


def _exact_top(vectors: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """Exact top-``k`` rows by cosine of each of ``rows`` (itself left out), the set normalised block by block."""
    q = unit_rows(vectors[rows])
    best_s = np.full((len(rows), k), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(rows), k), dtype=np.int64)
    for start in range(0, len(vectors), BLOCK):
        s = q @ unit_rows(vectors[start:start + BLOCK]).T
        own = (rows >= start) & (rows < start + s.shape[1])
        s[np.flatnonzero(own), rows[own] - start] = -np.inf
        cand_s = np.concatenate([best_s, s], axis=1)
        cand_i = np.concatenate([best_i, np.broadcast_to(np.arange(start, start + s.shape[1]), s.shape)], axis=1)
        top = np.argpartition(-cand_s, k - 1, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(cand_s, top, 1), np.take_along_axis(cand_i, top, 1)
    return best_i


def calibrate_nprobe(index, vectors: np.ndarray, *, seed: int = 0, target: float = RECALL_TARGET,
                     queries: int = CALIBRATION_QUERIES) -> int:
    """The smallest ``nprobe`` of 8, 16, 32, ... (up to all lists) whose recall@10 reaches ``target``.

    Measured on ``queries`` random rows of ``vectors`` (each left out of its own results)
    against exact search. Returns the number of lists (all of them: exact) if none does.
    """
    import faiss

    n = len(vectors)
    k = min(10, n - 1)
    if k < 1:
        return 1
    rows = np.sort(np.random.default_rng([seed, 1]).choice(n, size=min(queries, n), replace=False))
    truth = _exact_top(vectors, rows, k)
    q = unit_rows(vectors[rows])
    nprobe = min(8, index.nlist)
    while True:
        _, found = index.search(q, k + 1, params=faiss.SearchParametersIVF(nprobe=nprobe))
        hits = sum(len(set(f[f != r][:k].tolist()) & set(t.tolist())) for f, r, t in zip(found, rows, truth))
        recall = hits / truth.size
        logger.info("nprobe %d of %d lists: recall@%d %.3f on %d rows", nprobe, index.nlist, k, recall, len(rows))
        if recall >= target or nprobe >= index.nlist:
            return nprobe
        nprobe = min(2 * nprobe, index.nlist)


def _build_from_npy(npy: str, path: str, params: dict, threads: int) -> int:
    """Runs in a worker: the rows come as a ``.npy`` file, memory-mapped (no copy in the worker)."""
    return _build_file(np.load(npy, mmap_mode="r", allow_pickle=False), path, params, threads)


class FaissIndex:
    """A faiss IVF-Flat index over the unit vectors of one set (cosine similarity).

    It satisfies :class:`embedlab.core.index.NeighborIndex`: pass it to
    ``es.neighbors(query, k, index=...)``. Build one with :meth:`build` (or
    :func:`build_in_own_process`); it is saved in the cache folder and a later :meth:`build` of
    the same set and parameters reads it back (memory-mapped) instead of building again.

    Attributes
    ----------
    es : EmbeddingSet
    params : dict
        What :func:`index_params` gave.
    nprobe : int
        Inverted lists a query visits: measured on the set when built (:func:`calibrate_nprobe`)
        unless given.
    path : pathlib.Path or None
        Its file (None if not saved).
    built_in_pid : int
        The process that built it (this one, a worker, or the one that saved the file read).
    loaded : bool
        True if it was read from a file built earlier.
    nbytes : int
        Bytes of the index (its unit vectors, row ids and centroids): what the registry counts.
    """

    metric = "cosine"

    def __init__(self, es: EmbeddingSet, faiss_index, params: dict, *, path: Path | None = None,
                 built_in_pid: int | None = None, loaded: bool = False):
        self.es, self._index, self.params, self.path = es, faiss_index, dict(params), path
        self.built_in_pid = os.getpid() if built_in_pid is None else built_in_pid
        self.loaded = loaded
        self.nprobe = int(params["nprobe"] or faiss_index.nprobe)   #: lists a query visits (measured, in the file)
        self.nbytes = int(faiss_index.ntotal) * (es.dim * 4 + 8) + int(params["nlist"]) * es.dim * 4
        self._lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the set it was built on (see :class:`embedlab.core.index.NeighborIndex`)."""
        return self.es.fingerprint

    # -- building and reading ----------------------------------------------------------------
    @classmethod
    def build(cls, es: EmbeddingSet, *, nlist: int | None = None, nprobe: int | None = NPROBE, seed: int = 0,
              save: bool = True, reuse: bool = True, pool: WorkerPool | None = None) -> "FaissIndex":
        """The index of ``es``: read from the cache folder if it was built before, else built (and saved).

        Parameters
        ----------
        es : EmbeddingSet
        nlist, nprobe, seed : int
            See :func:`index_params`; ``nprobe=None`` (the default) measures it on the set
            (:func:`calibrate_nprobe`) and keeps it in the file.
        save : bool
            Write the index to :func:`index_path` (and read it back memory-mapped).
        reuse : bool
            Read an index saved earlier instead of building.
        pool : WorkerPool, optional
            Build in this pool's worker process (its rows go there as the set's own ``.npy`` file
            when it is memory-mapped, else as a temporary one); needs ``save``.
        """
        params = index_params(len(es), nlist=nlist, nprobe=nprobe, seed=seed)
        path = index_path(es, params) if save else None
        if path is not None and reuse and path.is_file():
            try:
                return cls.load(es, path, params)
            except RuntimeError as exc:      # a truncated or foreign file: build again
                logger.warning("ignoring unreadable index %s: %s", path, exc)
        threads = thread_count()
        if pool is None or path is None:
            if path is None:
                return cls._in_memory(es, params, threads)
            pid = _build_file(es.vectors, str(path), params, threads)
        else:
            npy = mapped_file(es.vectors)
            if npy is not None:
                pid = pool.run(_build_from_npy, npy, str(path), params, threads)
            else:
                with tempfile.TemporaryDirectory(prefix="embedlab-faiss-") as folder:
                    npy = os.path.join(folder, "rows.npy")
                    np.save(npy, es.vectors)
                    pid = pool.run(_build_from_npy, npy, str(path), params, threads)
        return cls.load(es, path, params, built_in_pid=pid, loaded=False)

    @classmethod
    def _in_memory(cls, es: EmbeddingSet, params: dict, threads: int) -> "FaissIndex":
        import faiss

        with tempfile.TemporaryDirectory(prefix="embedlab-faiss-") as folder:
            tmp = os.path.join(folder, "index.faiss")
            _build_file(es.vectors, tmp, params, threads)
            return cls(es, faiss.read_index(tmp), params)

    @classmethod
    def load(cls, es: EmbeddingSet, path: Path, params: dict, *, built_in_pid: int | None = None,
             loaded: bool = True) -> "FaissIndex":
        """Read a saved index of ``es`` (its inverted lists memory-mapped from ``path``)."""
        import faiss

        index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        if index.ntotal != len(es) or index.d != es.dim:
            raise RuntimeError(f"{path} holds {index.ntotal} x {index.d} rows, the set {len(es)} x {es.dim}")
        return cls(es, index, params, path=Path(path), built_in_pid=built_in_pid, loaded=loaded)

    # -- queries -------------------------------------------------------------------------------
    def query(self, queries: np.ndarray, *, k: int = 10, exclude=None, nprobe: int | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
        """Approximate top-k by cosine similarity of ``queries`` (m, dim), best first (ties by row order).

        ``k`` and ``exclude`` (m iterables of rows left out of each query's results) are those of
        :meth:`embedlab.core.index.NeighborIndex.query`.

        Parameters
        ----------
        nprobe : int, optional
            Inverted lists visited (default: :attr:`nprobe`, measured when it was built).

        Returns
        -------
        indices : (m, k') int64, scores : (m, k') float32 exact cosine similarities
        """
        import faiss

        k = check_int(k, "k", minimum=1)
        nprobe = self.nprobe if nprobe is None else check_int(nprobe, "nprobe", minimum=1)
        q = np.asarray(queries, dtype=np.float32)
        if q.ndim != 2 or q.shape[1] != self.es.dim:
            raise InvalidParameterError(f"queries of shape {q.shape} is not allowed; must have shape (m, {self.es.dim})")
        excl = [set(int(r) for r in ex) for ex in exclude] if exclude is not None else [set()] * len(q)
        want = min(k + max((len(e) for e in excl), default=0), len(self.es))
        with self._lock:   # omp_set_num_threads is process-wide; searches themselves are read-only
            # one thread for a few queries: waking a team of OpenMP threads costs more than it saves
            # (0.11 vs 0.30 ms a query at 20k rows here), and spinning threads take a shared core
            faiss.omp_set_num_threads(1 if len(q) < 16 else thread_count())
        scores, idx = self._index.search(unit_rows(q), want,
                                         params=faiss.SearchParametersIVF(nprobe=min(nprobe, self.params["nlist"])))
        picked = []
        for r in range(len(q)):
            keep = [j for j, i in enumerate(idx[r]) if i >= 0 and int(i) not in excl[r]]
            picked.append((idx[r, keep].astype(np.int64), scores[r, keep]))
        return best_first(picked, k)


def build_in_own_process(es: EmbeddingSet, **options) -> FaissIndex:
    """:meth:`FaissIndex.build` in a process of its own at low priority (blocks); a saved index is read instead.

    The process (:func:`embedlab.runtime.ann.in_build_process`, shared with the pynndescent
    index) is stopped when no build is left, so its memory goes back to the system. With
    ``EMBEDLAB_WORKERS=0`` the index is built in the calling thread.
    """
    params = index_params(len(es), **{k: options[k] for k in ("nlist", "nprobe", "seed") if k in options})
    if options.get("save") is False or (options.get("reuse", True) and index_path(es, params).is_file()):
        return FaissIndex.build(es, **options)           # in memory, or read back: no process needed
    return in_build_process(lambda pool: FaissIndex.build(es, pool=pool, **options))
