"""Every use of a dependency's private internals in embedlab.runtime, in one place.

Each function wraps one internal, names it, and says why it is used. :func:`check_versions`
compares the installed versions with the ones these uses were verified on (logged once as a
warning by the first use on an untested version), and ``tests/runtime/test_internals.py`` fails
loudly if an internal disappears from the installed version.

Internals used:

``threading._register_atexit``
    Registers a hook that runs before ``concurrent.futures`` joins its process pools at exit, so
    running workers are killed instead of waited for (a running UMAP kept pytest alive 72 s).
``concurrent.futures.ProcessPoolExecutor._processes``
    The worker processes of a pool: their ids (for tests and the bench) and killing them on
    shutdown (the public ``shutdown`` lets a running task finish).
``concurrent.futures.ProcessPoolExecutor._broken``
    Whether a worker of the pool died: a broken pool is replaced before a request is submitted
    (without it, ``submit`` raising ``BrokenProcessPool`` is caught and the pool replaced then).

>>> sorted(TESTED)
['python']
"""
from __future__ import annotations

import logging
import sys
import threading
from importlib import metadata
from typing import Callable

logger = logging.getLogger(__name__)

__all__ = ["TESTED", "check_versions", "register_before_pool_exit", "executor_processes", "executor_broken"]

TESTED = {
    "python": ((3, 9), (3, 14)),
}
"""Version ranges ``[low, high)`` (major, minor) the internals above were verified on
(Python 3.11 here; ``threading._register_atexit`` exists from 3.9)."""

_warned = False


def _major_minor(version: str) -> tuple[int, int]:
    parts = (version.split(".") + ["0"])[:2]
    return tuple(int("".join(ch for ch in p if ch.isdigit()) or 0) for p in parts)  # type: ignore[return-value]


def _installed(name: str) -> str | None:
    if name == "python":
        return ".".join(map(str, sys.version_info[:3]))
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_versions(installed: Callable[[str], str | None] = _installed) -> list[str]:
    """Installed versions outside the tested ranges, one sentence each (empty: all tested).

    Parameters
    ----------
    installed : callable(name) -> version string or None
        How to find a version (tests pass a stand-in).

    >>> check_versions(lambda name: {"python": "3.8.10"}[name])
    ['python 3.8.10 is not a version the private internals used by embedlab.runtime were tested with (3.9 to before 3.14)']
    """
    out = []
    for name, (low, high) in TESTED.items():
        version = installed(name)
        if version is None:
            continue
        if not low <= _major_minor(version) < high:
            out.append(f"{name} {version} is not a version the private internals used by embedlab.runtime were "
                       f"tested with ({'.'.join(map(str, low))} to before {'.'.join(map(str, high))})")
    return out


def _check_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        for problem in check_versions():
            logger.warning("%s; check embedlab/runtime/internals.py", problem)


# -- threading / concurrent.futures -----------------------------------------------------------------
def register_before_pool_exit(hook: Callable[[], None]) -> bool:
    """Run ``hook`` when the interpreter exits, before ``concurrent.futures`` joins its pools.

    threading's exit hooks run in reverse order of registration and concurrent.futures registers
    its own when it is imported, so a hook registered later runs first. Returns False where the
    internal is missing or the interpreter is already shutting down (the hook is then not run).
    """
    _check_once()
    register = getattr(threading, "_register_atexit", None)
    if register is None:
        logger.warning("threading._register_atexit is missing: running workers will be waited for at exit")
        return False
    try:
        register(hook)
    except RuntimeError:          # already shutting down
        return False
    return True


def executor_processes(executor) -> dict:
    """``{pid: multiprocessing.Process}`` of a ``ProcessPoolExecutor``'s running workers (maybe empty)."""
    return dict(getattr(executor, "_processes", None) or {})


def executor_broken(executor) -> bool:
    """True once a ``ProcessPoolExecutor`` is broken (one of its workers died): it refuses new work.

    ``concurrent.futures`` keeps this in the private ``_broken`` attribute (False, or the reason);
    where that is missing we answer False and the caller learns it from ``submit``'s
    ``BrokenProcessPool`` instead.
    """
    return bool(getattr(executor, "_broken", False))
