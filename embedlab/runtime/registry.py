"""A bounded registry of large sets and their approximate indexes, built in the background.

The app asks for an index when a large set arrives (:func:`request`), passes the ready one to
searches (``es.neighbors(..., index=ready(es))``) and tells the user which search answered
(:func:`status`). Searches never consult the registry themselves: without an index they are exact.

The index is a faiss index (:class:`embedlab.runtime.faiss_index.FaissIndex`: 4-bit PQ codes
whose candidates are re-ranked exactly from the set's own rows; no JIT warm-up, saved beside the
set and read back after a restart). A large set may be handed to the
registry to be kept once for every session of the process (:meth:`IndexRegistry.share`; the same
data uploaded twice gives the same object).

The registry holds at most a byte budget of sets and indexes (``$EMBEDLAB_INDEX_BUDGET_MB``,
default :data:`DEFAULT_BUDGET_MB`; a 1M x 300 set is 1.2 GB, its faiss index 50 MB): when a new
one does not fit, the least recently used sets and indexes are dropped (their memory comes back
once no session or search holds them) and their sets fall back to exact search until asked for
again. A failed build is retried in the
background after a back-off (:data:`RETRY_AFTER` seconds, doubled each time), at most
:data:`MAX_ATTEMPTS` times in all; a later :meth:`IndexRegistry.request` after as long again
starts a new round.

>>> import numpy as np
>>> from embedlab.core.embeddings import EmbeddingSet
>>> reg = IndexRegistry(threshold=1000)
>>> small = EmbeddingSet(["a", "b"], np.eye(2))
>>> reg.request(small) is None, reg.ready(small), reg.status(small)
(True, None, <IndexStatus.EXACT: 'exact'>)
"""
from __future__ import annotations

import enum
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from ..core.embeddings import EmbeddingSet
from ..core.validate import check_choice, check_float, check_int, env_megabytes
from ..core.index import NeighborIndex
from .ann import ANN_THRESHOLD
from .faiss_index import build_in_own_process as build_faiss

logger = logging.getLogger(__name__)

__all__ = ["IndexStatus", "IndexRegistry", "BUDGET_ENV", "DEFAULT_BUDGET_MB", "RETRY_AFTER", "MAX_ATTEMPTS",
           "budget_bytes", "describe", "default_registry", "request", "ready", "status", "share", "set_nbytes",
           "BACKENDS"]

BUDGET_ENV = "EMBEDLAB_INDEX_BUDGET_MB"
DEFAULT_BUDGET_MB = 6144
"""Megabytes of shared sets and indexes kept per process: two 1M x 300 sets with their faiss indexes
(1.2 + 1.2 GB each)."""
BACKENDS = ("faiss",)
"""Index builders of the registry: faiss (PQ + exact re-ranking; the pynndescent one is gone, see
:mod:`embedlab.runtime.ann`)."""
RETRY_AFTER = 60.0
"""Seconds before a failed build is tried again (doubled after each further failure)."""
MAX_ATTEMPTS = 3
"""Builds tried per round for one set (the first and two retries)."""


class IndexStatus(str, enum.Enum):
    """Which search answers a set's cosine queries."""

    EXACT = "exact"                #: no index: small set, never requested, or dropped to fit the budget
    BUILDING = "building"          #: exact search while the index is being built
    APPROXIMATE = "approximate"    #: the index is ready and answers
    FAILED = "failed"              #: the last build failed: exact search (a retry may be waiting)


def budget_bytes() -> int:
    """The index budget in bytes: ``$EMBEDLAB_INDEX_BUDGET_MB`` megabytes (default :data:`DEFAULT_BUDGET_MB`).

    Raises
    ------
    InvalidParameterError
        If the variable is not a number of megabytes >= 0.

    >>> import os
    >>> budget_bytes() == DEFAULT_BUDGET_MB * 2**20 or BUDGET_ENV in os.environ
    True
    """
    return env_megabytes(BUDGET_ENV, DEFAULT_BUDGET_MB)


def describe(status: IndexStatus, *, approximate: bool) -> str:
    """One sentence for the page: which search answered a query.

    Parameters
    ----------
    status : IndexStatus
        The set's status in the registry.
    approximate : bool
        Whether the query was given the index (False for a Euclidean query, for instance).

    >>> describe(IndexStatus.BUILDING, approximate=False)
    'Exact search answered (an approximate index of this large set is being built).'
    """
    if approximate:
        return ("Approximate search answered (a faiss index: candidates from compressed codes re-ranked by "
                "their exact cosine; a few of the true nearest tokens may be missed).")
    return "Exact search answered" + {
        IndexStatus.BUILDING: " (an approximate index of this large set is being built).",
        IndexStatus.FAILED: " (the approximate index of this large set could not be built).",
        IndexStatus.APPROXIMATE: " (the approximate index answers cosine similarity only).",
    }.get(status, ".")


@dataclass
class _Entry:
    status: IndexStatus
    thread: threading.Thread | None = None
    index: NeighborIndex | None = None
    nbytes: int = 0
    attempts: int = 0
    error: str | None = None
    failed_at: float = 0.0
    shared: EmbeddingSet | None = None   #: the set kept for every session (:meth:`IndexRegistry.share`)
    set_bytes: int = 0

    @property
    def held(self) -> int:
        return self.nbytes + self.set_bytes

    @property
    def droppable(self) -> bool:
        return self.status is IndexStatus.APPROXIMATE or (self.shared is not None and self.thread is None)


class IndexRegistry:
    """Large sets and their approximate indexes, keyed by :attr:`EmbeddingSet.fingerprint`, within a byte budget.

    Parameters
    ----------
    threshold : int
        Sets with fewer rows get no index (exact search is fast enough).
    budget : int, optional
        Bytes of indexes and shared sets kept (default :func:`budget_bytes`). Least recently used
        ones are dropped to make room; an index larger than the whole budget is not kept.
    retry_after : float
        Seconds before the first retry of a failed build; doubled for each further one.
    max_attempts : int
        Builds tried per round (>= 1).
    build : callable(EmbeddingSet) -> index, optional
        How an index is built (blocking; called in a background thread). Default: in a process of
        its own at low priority with ``options``, by the ``backend``.
    backend : {"faiss"}
        The default ``build``: :func:`embedlab.runtime.faiss_index.build_in_own_process` (a faiss
        index, read back from the cache folder if built before).
    **options
        Passed to :meth:`~embedlab.runtime.faiss_index.FaissIndex.build` by the default ``build``.
    """

    def __init__(self, *, threshold: int = ANN_THRESHOLD, budget: int | None = None,
                 retry_after: float = RETRY_AFTER, max_attempts: int = MAX_ATTEMPTS,
                 build: Callable[[EmbeddingSet], NeighborIndex] | None = None, clock: Callable[[], float] =
                 time.monotonic, backend: str = "faiss", **options):
        self.threshold = check_int(threshold, "threshold", minimum=1)
        self.budget = budget_bytes() if budget is None else check_int(budget, "budget", minimum=0)
        self.retry_after = check_float(retry_after, "retry_after", low=0)
        self.max_attempts = check_int(max_attempts, "max_attempts", minimum=1)
        backend = check_choice(backend, "backend", BACKENDS, case_sensitive=True)
        self._build = build if build is not None else (lambda es: build_faiss(es, **options))
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()   # ready ones in least-recently-used order
        self._lock = threading.Lock()
        self._closed = threading.Event()

    # -- what the app calls ------------------------------------------------------------------
    def request(self, es: EmbeddingSet) -> threading.Thread | None:
        """Start building the index of a large set in the background (once: idempotent).

        Returns the thread that builds it (running or finished; a retry after a failure runs in
        the same thread), or None when no build is started: a set below ``threshold``, a ready
        index, or a failed round whose back-off has not passed yet.
        """
        if len(es) < self.threshold or self._closed.is_set():
            return None
        key = es.fingerprint
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                if entry.status is IndexStatus.APPROXIMATE:
                    self._entries.move_to_end(key)
                    return None
                if entry.thread is not None and entry.thread.is_alive():
                    return entry.thread
                if entry.thread is not None and self._clock() - entry.failed_at < self._backoff(entry.attempts):
                    return None
            shared = entry.shared if entry is not None else None
            entry = _Entry(IndexStatus.BUILDING, shared=shared, set_bytes=set_nbytes(shared) if shared else 0)
            self._entries[key] = entry
            self._entries.move_to_end(key)
            entry.thread = threading.Thread(target=self._run, args=(es, key, entry), daemon=True,
                                            name=f"embedlab-index-{es.name}")
            entry.thread.start()
            return entry.thread

    def share(self, es: EmbeddingSet) -> EmbeddingSet:
        """Keep a large set for every session of this process, within the budget; returns the kept set.

        The same data shared twice (same fingerprint: two sessions uploading one file) gives the
        set kept the first time, so the process holds it once. Kept sets count towards the budget
        with their index and are dropped with it, least recently used first (:meth:`request`,
        :meth:`ready` and :meth:`share` mark a set as used). A set below ``threshold`` is returned
        as it is and not kept.

        >>> import numpy as np
        >>> reg = IndexRegistry(threshold=2, build=lambda es: None)
        >>> a = EmbeddingSet(["x", "y"], np.eye(2))
        >>> b = EmbeddingSet(["x", "y"], np.eye(2))
        >>> reg.share(a) is a, reg.share(b) is a, reg.nbytes
        (True, True, 16)
        """
        if len(es) < self.threshold or self._closed.is_set():
            return es
        key = es.fingerprint
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry(IndexStatus.EXACT)
            if entry.shared is None:
                entry.shared, entry.set_bytes = es, set_nbytes(es)
            self._entries.move_to_end(key)
            self._make_room(key, sum(e.held for e in self._entries.values()))
            return entry.shared

    def shared(self, fingerprint: str) -> EmbeddingSet | None:
        """The set kept under ``fingerprint`` (:meth:`share`), or None (never shared, or dropped)."""
        with self._lock:
            entry = self._entries.get(fingerprint)
            return None if entry is None else entry.shared

    def ready(self, es: EmbeddingSet) -> NeighborIndex | None:
        """The ready index of ``es`` (marked as just used), or None: search exactly."""
        if len(es) < self.threshold:
            return None
        key = es.fingerprint
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.status is not IndexStatus.APPROXIMATE:
                return None
            self._entries.move_to_end(key)
            return entry.index

    def status(self, es: EmbeddingSet) -> IndexStatus:
        """Which search answers cosine queries on ``es`` now (see :class:`IndexStatus`)."""
        if len(es) < self.threshold:
            return IndexStatus.EXACT
        with self._lock:
            entry = self._entries.get(es.fingerprint)
            return IndexStatus.EXACT if entry is None else entry.status

    def error(self, es: EmbeddingSet) -> str | None:
        """Why the last build of ``es`` failed (None if it did not)."""
        with self._lock:
            entry = self._entries.get(es.fingerprint) if len(es) >= self.threshold else None
            return None if entry is None else entry.error

    @property
    def nbytes(self) -> int:
        """Bytes of the indexes and shared sets held now."""
        with self._lock:
            return sum(e.held for e in self._entries.values())

    def close(self) -> None:
        """Drop every index and stop waiting retries (a build already running finishes unused)."""
        self._closed.set()
        with self._lock:
            self._entries.clear()

    # -- the build thread --------------------------------------------------------------------
    def _backoff(self, attempts: int) -> float:
        return self.retry_after * 2 ** max(attempts - 1, 0)

    def _run(self, es: EmbeddingSet, key: str, entry: _Entry) -> None:
        while not self._closed.is_set():
            try:
                index = self._build(es)
            except Exception as exc:  # noqa: BLE001 - a failed build leaves exact search; logged, retried
                logger.exception("building the approximate index of %s failed (attempt %d of %d)", es.name,
                                 entry.attempts + 1, self.max_attempts)
                with self._lock:
                    entry.attempts += 1
                    entry.status, entry.error, entry.failed_at = IndexStatus.FAILED, str(exc), self._clock()
                    if entry.attempts >= self.max_attempts:
                        return
                if self._closed.wait(self._backoff(entry.attempts)):
                    return
                with self._lock:
                    if self._entries.get(key) is not entry:
                        return
                    entry.status = IndexStatus.BUILDING
                continue
            self._keep(es, key, entry, index)
            return

    def _keep(self, es: EmbeddingSet, key: str, entry: _Entry, index) -> None:
        size = int(getattr(index, "nbytes", 0))
        with self._lock:
            if self._closed.is_set() or self._entries.get(key) is not entry:
                return
            if size > self.budget:
                # never built again: it would not fit the next time either
                entry.status, entry.attempts, entry.failed_at = IndexStatus.FAILED, self.max_attempts, float("inf")
                entry.error = (f"the index needs {size / 2**20:,.0f} MB, more than the whole budget of "
                               f"{self.budget / 2**20:,.0f} MB (${BUDGET_ENV})")
                logger.warning("approximate index of %s not kept: %s", es.name, entry.error)
                return
            entry.status, entry.index, entry.nbytes, entry.error = IndexStatus.APPROXIMATE, index, size, None
            self._entries.move_to_end(key)
            self._make_room(key, sum(e.held for e in self._entries.values()))
        logger.info("approximate index ready for %s (%d rows, %d MB)", es.name, len(es), size // 2**20)


    def _make_room(self, key: str, held: int) -> None:
        """Drop least recently used sets and indexes (not ``key``'s) until ``held`` bytes fit the budget."""
        for old_key in [k for k, e in self._entries.items() if k != key and e.droppable]:
            if held <= self.budget:
                break
            old = self._entries.pop(old_key)
            held -= old.held
            logger.info("dropped the set and approximate index %s (%d MB) to stay within %d MB", old_key,
                        old.held // 2**20, self.budget // 2**20)


def set_nbytes(es: EmbeddingSet) -> int:
    """Bytes of a set's arrays: its vectors (in memory or memory-mapped) and its unit vectors if computed.

    >>> import numpy as np
    >>> set_nbytes(EmbeddingSet(["a", "b"], np.eye(2)))
    16
    """
    unit = vars(es).get("unit")      # a cached_property: present only once computed
    return int(es.vectors.nbytes) + (int(unit.nbytes) if unit is not None else 0)


# -- the process's registry -----------------------------------------------------------------------
_default: IndexRegistry | None = None
_default_lock = threading.Lock()


def default_registry() -> IndexRegistry:
    """The registry of this process (created on first use, with the budget of ``$EMBEDLAB_INDEX_BUDGET_MB``)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = IndexRegistry()
        return _default


def request(es: EmbeddingSet) -> threading.Thread | None:
    """:meth:`IndexRegistry.request` on the :func:`default_registry`."""
    return default_registry().request(es)


def ready(es: EmbeddingSet) -> NeighborIndex | None:
    """:meth:`IndexRegistry.ready` on the :func:`default_registry`."""
    return default_registry().ready(es)


def status(es: EmbeddingSet) -> IndexStatus:
    """:meth:`IndexRegistry.status` on the :func:`default_registry`."""
    return default_registry().status(es)


def share(es: EmbeddingSet) -> EmbeddingSet:
    """:meth:`IndexRegistry.share` on the :func:`default_registry`."""
    return default_registry().share(es)
