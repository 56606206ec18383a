"""Large sets stored once on disk and memory-mapped, so every session and process shares one copy.

An uploaded set above :func:`map_min_bytes` (``$EMBEDLAB_MAP_MIN_MB`` megabytes, default
:data:`DEFAULT_MAP_MIN_MB`) has its float32 array written once to the cache folder
(``<cache>/sets/<fingerprint>.npy``, see :mod:`embedlab.io.cache`) and reopened with
``np.load(mmap_mode="r")``: the rows then live in the operating system's page cache, shared by
every process that maps the file, and the copy the reader made in memory is let go. The same
data uploaded again (in any session or after a restart) maps the file already there.

>>> import numpy as np
>>> from embedlab.core.embeddings import EmbeddingSet
>>> es = EmbeddingSet(["a", "b"], np.eye(2))
>>> store_mapped(es, min_bytes=10**9) is es          # small: kept in memory
True
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.validate import env_megabytes
from .cache import cache_dir, prune, touch

logger = logging.getLogger(__name__)

__all__ = ["MAP_MIN_ENV", "DEFAULT_MAP_MIN_MB", "map_min_bytes", "store_mapped", "is_mapped", "set_path",
           "release_pages"]

MAP_MIN_ENV = "EMBEDLAB_MAP_MIN_MB"
DEFAULT_MAP_MIN_MB = 64
"""Uploads whose array holds at least this many megabytes (~55,000 x 300 float32) are memory-mapped."""


def map_min_bytes() -> int:
    """Arrays of at least this many bytes are memory-mapped: ``$EMBEDLAB_MAP_MIN_MB`` (default 64 MB).

    Raises
    ------
    InvalidParameterError
        If the variable is not a number of megabytes >= 0.
    """
    return env_megabytes(MAP_MIN_ENV, DEFAULT_MAP_MIN_MB)


def set_path(es: EmbeddingSet) -> Path:
    """Where the array of ``es`` is stored: ``<cache>/sets/<fingerprint>.npy``."""
    return cache_dir() / "sets" / f"{es.fingerprint}.npy"


def is_mapped(array: np.ndarray) -> bool:
    """True if ``array`` is (a view of) a memory-mapped file.

    >>> is_mapped(np.zeros(2))
    False
    """
    a = array
    while isinstance(a, np.ndarray):
        if isinstance(a, np.memmap):
            return True
        a = a.base
    return False


def _write_once(path: Path, vectors: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, vectors, allow_pickle=False)
        os.replace(tmp, path)          # atomic: a reader never maps a half-written file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def store_mapped(es: EmbeddingSet, *, min_bytes: int | None = None) -> EmbeddingSet:
    """``es`` with its vectors memory-mapped from the cache folder (written there once), if large.

    Parameters
    ----------
    es : EmbeddingSet
    min_bytes : int, optional
        Smaller arrays are returned as they are (default :func:`map_min_bytes`).

    Returns
    -------
    EmbeddingSet
        A new set with the same tokens, metadata, name, origin and fingerprint whose vectors are a
        read-only memory map (no copy in memory); ``es`` itself when small, already mapped, or when
        the file cannot be written (a warning is logged and the set stays in memory).
    """
    limit = map_min_bytes() if min_bytes is None else int(min_bytes)
    if es.vectors.nbytes < limit or is_mapped(es.vectors):
        return es
    path = set_path(es)
    try:
        if not path.is_file():
            _write_once(path, es.vectors)
            prune(keep=[path])                  # the cache folder's disk budget (io.cache)
        else:
            touch(path)
        mm = np.load(path, mmap_mode="r", allow_pickle=False)
        if mm.shape != es.vectors.shape or mm.dtype != np.float32:
            raise ValueError(f"{path} holds {mm.shape} {mm.dtype}, the set {es.vectors.shape} float32")
    except (OSError, ValueError) as exc:      # disk full, a foreign file: serve from memory
        logger.warning("could not memory-map %s from %s: %s", es.name, path, exc)
        return es
    # the same rows: not checked or hashed again, so no page of the map is read (none is resident)
    out = es.stored_as(mm)
    logger.info("%s memory-mapped from %s (%d MB)", es.name, path, mm.nbytes // 2**20)
    return out


def release_pages(array: np.ndarray) -> bool:
    """Drop the pages of a read-only memory map from this process's resident memory (not from the file).

    The operating system keeps them in its page cache, and any later read of a row maps it back
    in; what stays resident is what queries touch. Used once a mapped set has been checked and
    hashed (every page read), so that a server serving the set through its index holds only the
    index and the rows it looks at (``madvise(MADV_DONTNEED)``: harmless on a read-only file
    mapping). Returns False when there is nothing to release (not a read-only memory map, or no
    ``madvise`` on this platform).

    >>> release_pages(np.zeros(3))
    False
    """
    import mmap

    a = array
    while isinstance(a, np.ndarray) and not isinstance(a, np.memmap):
        a = a.base
    raw = getattr(a, "_mmap", None)          # numpy.memmap keeps its mmap.mmap here (numpy 1.x and 2.x)
    if not isinstance(a, np.memmap) or a.mode != "r" or raw is None or not hasattr(mmap, "MADV_DONTNEED"):
        return False
    try:
        raw.madvise(mmap.MADV_DONTNEED)
    except (OSError, ValueError) as exc:       # a closed map, a platform without it: nothing released
        logger.debug("madvise failed: %s", exc)
        return False
    return True
