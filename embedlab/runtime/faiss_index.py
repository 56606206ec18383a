"""The approximate index of large sets: faiss product-quantisation codes, re-ranked exactly from the set's rows.

faiss (the field's standard vector-search library) has no JIT: a fresh process answers at once,
which is why it replaced pynndescent (1-3 minutes of numba compilation per process, ~4 minutes of
build at 1M rows) as the registry's index (:mod:`embedlab.runtime.registry`; the benches keep a pynndescent
index of their own to compare against, ``bench/nndescent_index.py``).

Two kinds (``kind=``), chosen by measurement with ``bench/bench_index_choice.py`` and
``bench/bench_ann.py`` on the MiniLM-grown "realistic" sets (whose neighbours are barely nearer
than the rest: the hard case) and Gaussian clusters, 200k and 1M x 300, 2 threads:

- ``"pq-rerank"`` (the default): the unit rows as 4-bit product-quantisation codes
  (``faiss.IndexPQFastScan``, :func:`pq_subquantizers` ~ dim / 3 sub-vectors: 50 bytes a row at
  300 dims, 50 MB at 1M), trained on a seeded sample of :data:`PQ_TRAIN` rows. A query scans all
  codes (SIMD "fast scan") for its ``R`` best candidates, which are re-ranked by their exact
  cosine from the set's own float32 rows (:func:`embedlab.runtime.rerank.rerank`): the index
  holds no copy of the vectors, the set's memory-mapped ``.npy`` is the one copy that serves.
  ``R`` is measured on each set when its index is built (:func:`~embedlab.runtime.rerank.calibrate_rerank`:
  the smallest of 50, 100, 200, ... reaching recall@10 0.96 on 200 rows) and stored beside the
  index. Measured at 1M realistic (load ~3): built in 4.7 s, R 1,000 for recall 0.96, 2.2 ms a
  query against 28 ms exact. Why not HNSW or IVF: at 200k realistic HNSWFlat M 16 reached only
  0.93 at efSearch 1,024 (34.6 s of build), M 32 needed efSearch 256 (55.5 s of build, ~5x more
  at 1M), IVF-Flat needed 512 of 1,789 lists (2,048 of 4,000 at 1M: no faster than exact) and an
  HNSW coarse quantizer or PQ inside IVF lists did not help (0.88 / 0.87).
- ``"ivf-flat"`` (the index of before): faiss IVF-Flat of the unit rows (``nlist`` = 4 sqrt(n), k-means on
  :data:`TRAIN_PER_LIST` sample rows per list, :data:`KMEANS_ITERATIONS` iterations), ``nprobe``
  measured per set (:func:`~embedlab.runtime.rerank.calibrate_nprobe`: 8 on Gaussian clusters) and kept in
  the file; it holds its own unit copy of the rows (1.2 GB at 1M).

Scores returned are exact cosines of the candidates either way; only *which* neighbours are found
is approximate. faiss threads: :func:`thread_count` (the cores this process may use, at most
``$EMBEDLAB_FAISS_THREADS``).

The index is written beside the set in the cache folder (:func:`index_path`, keyed by the set's
fingerprint, the kind and the build parameters) with ``faiss.write_index`` plus a JSON sidecar of
the measured setting (``.json``), and read back after a restart (an IVF's lists memory-mapped).

>>> import numpy as np
>>> from embedlab.core.embeddings import EmbeddingSet
>>> rng = np.random.default_rng(0)
>>> es = EmbeddingSet([f"w{i}" for i in range(2000)], rng.normal(size=(2000, 8)))
>>> index = FaissIndex.build(es, save=False)
>>> [n.token for n in es.neighbors("w0", 3, index=index)] == [n.token for n in es.neighbors("w0", 3)]
True
"""
from __future__ import annotations

import json
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
from ..core.validate import check_choice, check_int
from ..io.cache import cache_dir, cache_key, prune, touch
from .ann import best_first, in_build_process, query_rows
from .rerank import CALIBRATION_QUERIES, RECALL_TARGET, RERANK_STEPS, calibrate_nprobe, calibrate_rerank
from .rerank import rerank as rerank_rows
from .rerank import exact_top as _exact_top  # noqa: F401 - the calibration's exact neighbours (tests)
from .workers import WorkerPool

logger = logging.getLogger(__name__)

__all__ = ["FaissIndex", "KINDS", "DEFAULT_KIND", "NPROBE", "TRAIN_PER_LIST", "KMEANS_ITERATIONS", "PQ_TRAIN",
           "THREADS_ENV", "index_params", "pq_params", "pq_subquantizers", "index_path", "thread_count",
           "build_in_own_process", "mapped_file", "calibrate_nprobe", "calibrate_rerank", "RECALL_TARGET",
           "CALIBRATION_QUERIES", "RERANK_STEPS", "sidecar_path", "build_params", "QUERY_SETTINGS"]

KINDS = ("pq-rerank", "ivf-flat")
"""The index kinds :meth:`FaissIndex.build` makes (see the module's text)."""
DEFAULT_KIND = "pq-rerank"
NPROBE = None
"""Default ``nprobe`` of an IVF: None = measured on each set when its index is built (see :data:`RECALL_TARGET`)."""
TRAIN_PER_LIST = 40
"""IVF: training rows per inverted list (faiss asks for at least 39)."""
KMEANS_ITERATIONS = 10
"""IVF: iterations of the coarse k-means (faiss' default is 25; 10 loses no recall in the bench)."""
PQ_TRAIN = 65_536
"""PQ: rows of the seeded training sample (faiss itself uses 256 per centroid, 4,096, of them per sub-vector)."""
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
    """The build parameters of an IVF-Flat index (``kind="ivf-flat"``) of ``n`` rows (they key its file).

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


def pq_subquantizers(dim: int) -> int:
    """Sub-vectors of a row's PQ code: the fewest that divide ``dim`` with at most 3 dimensions each.

    Three dimensions a 4-bit sub-code kept recall@10 at 0.96 with re-ranking depth 1,000 at 1M
    realistic rows (two a sub-code: 0.957 at depth 100 but 1.5x the code and 6x the training).

    >>> pq_subquantizers(300), pq_subquantizers(384), pq_subquantizers(32), pq_subquantizers(7)
    (100, 128, 16, 7)
    """
    dim = check_int(dim, "dim", minimum=1)
    return min(m for m in range(1, dim + 1) if dim % m == 0 and 3 * m >= dim)


def pq_params(n: int, dim: int, *, rerank: int | None = None, seed: int = 0) -> dict:
    """The build parameters of a PQ index re-ranked exactly (``kind="pq-rerank"``) of ``n`` x ``dim`` rows.

    ``rerank`` (candidates re-ranked per query) is a query setting: None measures it on the set.

    >>> pq_params(1_000_000, 300)
    {'kind': 'pq4fs-rerank-ip', 'm': 100, 'bits': 4, 'rerank': None, 'train': 65536, 'seed': 0}
    """
    n = check_int(n, "n", minimum=1)
    if rerank is not None:
        rerank = check_int(rerank, "rerank", minimum=1)
    return {"kind": "pq4fs-rerank-ip", "m": pq_subquantizers(dim), "bits": 4, "rerank": rerank,
            "train": min(n, PQ_TRAIN), "seed": check_int(seed, "seed", minimum=0)}


def build_params(es: EmbeddingSet, kind: str = DEFAULT_KIND, **options) -> dict:
    """:func:`pq_params` or :func:`index_params` of ``es`` by ``kind`` (options: ``rerank`` / ``nlist``, ``nprobe``; ``seed``)."""
    kind = check_choice(kind, "kind", KINDS, case_sensitive=True)
    if kind == "ivf-flat":
        return index_params(len(es), **{k: v for k, v in options.items() if k in ("nlist", "nprobe", "seed")})
    return pq_params(len(es), es.dim, **{k: v for k, v in options.items() if k in ("rerank", "seed")})


QUERY_SETTINGS = ("nprobe", "rerank")
"""Parameters that are query settings (not part of the file's key): measured at build time, kept in the files."""


def index_path(es: EmbeddingSet, params: dict) -> Path:
    """Where the index of ``es`` built with ``params`` is kept (the cache folder, see :mod:`embedlab.io.cache`)."""
    build = {k: v for k, v in params.items() if k not in QUERY_SETTINGS}
    return cache_dir() / "indexes" / f"{cache_key('faiss', {'set': es.fingerprint, **build})}.faiss"


def sidecar_path(path: Path | str) -> Path:
    """The JSON beside an index file: its measured query setting and recall."""
    return Path(path).with_suffix(".json")


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


def _write_atomic(path: str, write) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _build_file(vectors: np.ndarray, path: str, params: dict, threads: int) -> int:
    """Build the index of ``vectors`` (normalised block by block), measure its query setting, write both.

    The sidecar (:func:`sidecar_path`) is written first: an index file is only ever found with it.
    Returns the id of the process that built it."""
    import faiss

    faiss.omp_set_num_threads(threads)
    n, dim = vectors.shape
    rng = np.random.default_rng(params["seed"])
    sample = np.sort(rng.choice(n, size=params["train"], replace=False))
    if params["kind"] == "ivf-flat-ip":
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, params["nlist"], faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = params["iterations"]
        index.cp.seed = params["seed"]
        index.cp.max_points_per_centroid = TRAIN_PER_LIST + 1
        index.cp.min_points_per_centroid = 1        # small sets: fewer than 39 rows a list is fine
    else:
        index = faiss.IndexPQFastScan(dim, params["m"], params["bits"], faiss.METRIC_INNER_PRODUCT)
        index.pq.cp.seed = params["seed"]
    # PQ: 1 thread to train: its many tiny k-means (16 centroids a sub-vector) spend their time in
    # OpenMP barriers, and on a loaded machine 2 threads took 59 s where 1 took 3.8 s (65k x 300)
    faiss.omp_set_num_threads(threads if params["kind"] == "ivf-flat-ip" else 1)
    index.train(unit_rows(np.asarray(vectors[sample], dtype=np.float32)))
    for start in range(0, n, BLOCK):
        faiss.omp_set_num_threads(threads)    # again: a query in this process may have lowered it
        index.add(unit_rows(np.asarray(vectors[start:start + BLOCK], dtype=np.float32)))
    if params["kind"] == "ivf-flat-ip":
        index.nprobe = params["nprobe"] or calibrate_nprobe(index, vectors, seed=params["seed"])
        setting = {"nprobe": int(index.nprobe), "recall": None}
    else:
        depth, recall = ((params["rerank"], None) if params["rerank"]
                         else calibrate_rerank(index, vectors, seed=params["seed"]))
        setting = {"rerank": int(depth), "recall": recall}
    setting["target"] = RECALL_TARGET
    _write_atomic(str(sidecar_path(path)), lambda tmp: Path(tmp).write_text(json.dumps(setting)))
    _write_atomic(path, lambda tmp: faiss.write_index(index, tmp))
    return os.getpid()


def _build_from_npy(npy: str, path: str, params: dict, threads: int) -> int:
    """Runs in a worker: the rows come as a ``.npy`` file, memory-mapped (no copy in the worker)."""
    return _build_file(np.load(npy, mmap_mode="r", allow_pickle=False), path, params, threads)


class FaissIndex:
    """A faiss index of one set's unit rows (cosine similarity): PQ codes re-ranked exactly, or IVF-Flat.

    It satisfies :class:`embedlab.core.index.NeighborIndex`: pass it to
    ``es.neighbors(query, k, index=...)``. Build one with :meth:`build` (or
    :func:`build_in_own_process`); it is saved in the cache folder and a later :meth:`build` of
    the same set and parameters reads it back instead of building again.

    Attributes
    ----------
    es : EmbeddingSet
    params : dict
        What :func:`pq_params` or :func:`index_params` gave (``params["kind"]``).
    rerank : int or None
        PQ: candidates re-ranked exactly per 10 results: measured on the set when built
        (:func:`calibrate_rerank`, kept in the sidecar) unless given. None for an IVF.
    nprobe : int or None
        IVF: inverted lists a query visits: measured on the set when built (:func:`calibrate_nprobe`)
        unless given. None for a PQ index.
    recall : float or None
        recall@10 measured on the calibration rows at that setting (None if the setting was given).
    path : pathlib.Path or None
        Its file (None if not saved).
    built_in_pid : int
        The process that built it (this one, a worker, or the one that saved the file read).
    loaded : bool
        True if it was read from a file built earlier.
    nbytes : int
        Bytes of the index: PQ codes and codebooks (the rows re-ranked are the set's own); an IVF's
        unit vectors, row ids and centroids. What the registry counts.
    """

    metric = "cosine"

    def __init__(self, es: EmbeddingSet, faiss_index, params: dict, *, path: Path | None = None,
                 built_in_pid: int | None = None, loaded: bool = False, setting: dict | None = None):
        self.es, self._index, self.params, self.path = es, faiss_index, dict(params), path
        self.built_in_pid = os.getpid() if built_in_pid is None else built_in_pid
        self.loaded = loaded
        setting = setting or {}
        self.recall = setting.get("recall")
        if params["kind"] == "ivf-flat-ip":
            self.rerank = None
            self.nprobe = int(params["nprobe"] or faiss_index.nprobe)  #: lists a query visits (measured, in the file)
            self.nbytes = int(faiss_index.ntotal) * (es.dim * 4 + 8) + int(params["nlist"]) * es.dim * 4
        else:
            self.nprobe = None
            self.rerank = int(params["rerank"] or setting["rerank"])    #: candidates re-ranked (measured, sidecar)
            self.nbytes = int(faiss_index.codes.size()) + int(faiss_index.pq.centroids.size()) * 4
        self._lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the set it was built on (see :class:`embedlab.core.index.NeighborIndex`)."""
        return self.es.fingerprint

    # -- building and reading ----------------------------------------------------------------
    @classmethod
    def build(cls, es: EmbeddingSet, *, kind: str = DEFAULT_KIND, nlist: int | None = None,
              nprobe: int | None = NPROBE, rerank: int | None = None, seed: int = 0, save: bool = True,
              reuse: bool = True, pool: WorkerPool | None = None) -> "FaissIndex":
        """The index of ``es``: read from the cache folder if it was built before, else built (and saved).

        Parameters
        ----------
        es : EmbeddingSet
        kind : {"pq-rerank", "ivf-flat"}
            See the module's text (:data:`KINDS`).
        rerank, seed : int
            PQ: see :func:`pq_params`; ``rerank=None`` (the default) measures it on the set
            (:func:`calibrate_rerank`) and keeps it in the sidecar.
        nlist, nprobe : int
            IVF: see :func:`index_params`; ``nprobe=None`` measures it (:func:`calibrate_nprobe`).
        save : bool
            Write the index to :func:`index_path` (and read it back).
        reuse : bool
            Read an index saved earlier instead of building.
        pool : WorkerPool, optional
            Build in this pool's worker process (its rows go there as the set's own ``.npy`` file
            when it is memory-mapped, else as a temporary one); needs ``save``.
        """
        params = build_params(es, kind, nlist=nlist, nprobe=nprobe, rerank=rerank, seed=seed)
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
        prune(keep=[path])                      # the cache folder's disk budget (io.cache)
        return cls.load(es, path, params, built_in_pid=pid, loaded=False)

    @classmethod
    def _in_memory(cls, es: EmbeddingSet, params: dict, threads: int) -> "FaissIndex":
        with tempfile.TemporaryDirectory(prefix="embedlab-faiss-") as folder:
            tmp = os.path.join(folder, "index.faiss")
            _build_file(es.vectors, tmp, params, threads)
            return cls.load(es, Path(tmp), params, loaded=False, keep_path=False)

    @classmethod
    def load(cls, es: EmbeddingSet, path: Path, params: dict, *, built_in_pid: int | None = None,
             loaded: bool = True, keep_path: bool = True) -> "FaissIndex":
        """Read a saved index of ``es`` and its sidecar (an IVF's inverted lists memory-mapped from ``path``).

        Raises
        ------
        RuntimeError
            If the file is not a faiss index of this set's shape and kind, or a PQ index's sidecar is
            missing or unreadable.
        """
        import faiss

        mmap = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if keep_path else 0
        index = faiss.read_index(str(path), mmap)
        if index.ntotal != len(es) or index.d != es.dim:
            raise RuntimeError(f"{path} holds {index.ntotal} x {index.d} rows, the set {len(es)} x {es.dim}")
        pq = params["kind"] != "ivf-flat-ip"
        if pq != isinstance(index, faiss.IndexPQFastScan):
            raise RuntimeError(f"{path} is a {type(index).__name__}, not a {params['kind']} index")
        try:
            setting = json.loads(sidecar_path(path).read_text())
        except (OSError, ValueError) as exc:
            if pq and not params["rerank"]:
                raise RuntimeError(f"{sidecar_path(path)}: {exc}") from None
            setting = {}
        if keep_path:
            touch(path)
        return cls(es, index, params, path=Path(path) if keep_path else None, built_in_pid=built_in_pid,
                   loaded=loaded, setting=setting)

    # -- queries -------------------------------------------------------------------------------
    def query(self, queries: np.ndarray, *, k: int = 10, exclude=None, nprobe: int | None = None,
              rerank: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Approximate top-k by cosine similarity of ``queries`` (m, dim), best first (ties by row order).

        ``k`` and ``exclude`` (m iterables of rows left out of each query's results) are those of
        :meth:`embedlab.core.index.NeighborIndex.query`.

        Parameters
        ----------
        nprobe : int, optional
            IVF: inverted lists visited (default: :attr:`nprobe`, measured when it was built).
        rerank : int, optional
            PQ: candidates re-ranked exactly per 10 results wanted (default: :attr:`rerank`,
            measured when it was built; more results wanted re-rank proportionally more).

        Returns
        -------
        indices : (m, k') int64, scores : (m, k') float32 exact cosine similarities
        """
        import faiss

        k = check_int(k, "k", minimum=1)
        if nprobe is not None:
            nprobe = check_int(nprobe, "nprobe", minimum=1)
        if rerank is not None:
            rerank = check_int(rerank, "rerank", minimum=1)
        q, excl = query_rows(queries, self.es.dim, exclude)
        want = min(k + max((len(e) for e in excl), default=0), len(self.es))
        with self._lock:   # omp_set_num_threads is process-wide; searches themselves are read-only
            # one thread for a few queries: waking a team of OpenMP threads costs more than it saves
            # (0.11 vs 0.30 ms a query at 20k rows here), and spinning threads take a shared core
            faiss.omp_set_num_threads(1 if len(q) < 16 else thread_count())
        uq = unit_rows(q)
        if self.nprobe is None:
            depth = rerank or self.rerank
            depth = min(len(self.es), max(want, depth, math.ceil(depth * want / 10)))
            _, cand = self._index.search(uq, depth)
            found = rerank_rows(self.es.vectors, uq, cand, want)
        else:
            probe = min(nprobe or self.nprobe, self.params["nlist"])
            scores, idx = self._index.search(uq, want, params=faiss.SearchParametersIVF(nprobe=probe))
            found = [(idx[r].astype(np.int64), scores[r]) for r in range(len(q))]
        picked = []
        for (ids, scores), ex in zip(found, excl):
            keep = [j for j, i in enumerate(ids.tolist()) if i >= 0 and i not in ex]
            picked.append((ids[keep], scores[keep]))
        return best_first(picked, k)


def build_in_own_process(es: EmbeddingSet, **options) -> FaissIndex:
    """:meth:`FaissIndex.build` in a process of its own at low priority (blocks); a saved index is read instead.

    The process (:func:`embedlab.runtime.ann.in_build_process`) is stopped when no build is left, so its memory goes back to the system. With
    ``EMBEDLAB_WORKERS=0`` the index is built in the calling thread.
    """
    params = build_params(es, **{k: options[k] for k in ("kind", "nlist", "nprobe", "rerank", "seed") if k in options})
    if options.get("save") is False or (options.get("reuse", True) and index_path(es, params).is_file()):
        return FaissIndex.build(es, **options)           # in memory, or read back: no process needed
    return in_build_process(lambda pool: FaissIndex.build(es, pool=pool, **options))
