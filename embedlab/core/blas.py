"""numpy's BLAS thread count, set in one place: every limit of EmbedLab's goes through :func:`one_thread`.

OpenBLAS (pthreads build, as numpy's wheels ship it) has one process-wide thread count. threadpoolctl
3.8 lets only one Python thread change it: the first that set a limit, for as long as it lives; a
limit set from any other thread is ignored without a word, and so is its restore on leaving — until
the controlling thread has ended, when the next thread's restore writes whatever it saved. Two
limiters in different threads that overlap (the warm-up's, an encode's, scikit-learn's inside
KMeans) could so leave the process at one BLAS thread for good: every product, and every encode, at
half speed on 2 cores. The test suite met it (issue 12's note: a worker stuck at one thread for 120 s).

So EmbedLab never limits BLAS through threadpoolctl's context managers. :func:`one_thread` counts its
holders under one lock: the first one in sets one thread, the last one out sets the process's own
count back (:func:`default_threads`, read once), whatever threads they run in. Each change is made
by the calling thread taking control for that call, and control is then given to the main thread,
which lives as long as the process and never limits BLAS in the server: other threads' threadpoolctl
limiters (scikit-learn's) then change nothing, so none of them can restore a stale count later.
That last step uses threadpoolctl's private shared state (``_SHARED_STATE``), checked for and left
alone when a release does not have it.
"""
from __future__ import annotations

import contextlib
import os
import threading
from functools import lru_cache

__all__ = ["threads", "default_threads", "one_thread"]

_lock = threading.Lock()
_holders = 0


def _controllers() -> tuple:
    """threadpoolctl's controllers of the BLAS libraries loaded now (numpy's OpenBLAS, and scipy's own
    once scipy is imported: each has its own count), scanned every call (about 1 ms)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return ()
    return tuple(ThreadpoolController().select(user_api="blas").lib_controllers)


def threads() -> int:
    """Threads numpy's BLAS uses now (1 if it cannot be told).

    >>> threads() >= 1
    True
    """
    counts = [lc.get_num_threads() for lc in _controllers()]
    counts = [c for c in counts if c]
    return max(1, min(counts)) if counts else 1


@lru_cache(maxsize=1)
def default_threads() -> int:
    """The process's own BLAS thread count: ``OPENBLAS_NUM_THREADS`` (or ``OMP_NUM_THREADS``) when set,
    else the cores this process may run on — what OpenBLAS starts with; read once, never from the
    current setting (which a limit may hold at one).

    >>> default_threads() >= 1
    True
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _set(n: int) -> None:
    for lc in _controllers():
        shared = getattr(type(lc), "_SHARED_STATE", None)
        if shared is None or not hasattr(shared, "controlling_thread"):
            lc.set_num_threads(n)          # a threadpoolctl without a controlling thread: this just works
            continue
        with shared.lock:
            shared.controlling_thread = threading.current_thread()
        lc.set_num_threads(n)
        with shared.lock:
            shared.controlling_thread = threading.main_thread()


@contextlib.contextmanager
def one_thread():
    """BLAS on one thread while any caller is inside (from any thread); when the last one leaves,
    :func:`default_threads` again — also after an error.

    >>> with one_thread():
    ...     threads()
    1
    >>> threads() == default_threads()
    True
    """
    global _holders
    with _lock:
        if _holders == 0:
            _set(1)
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                _set(default_threads())
