"""Where EmbedLab keeps files between runs: the disk cache of projections and similar results.

The folder is ``$EMBEDLAB_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/embedlab``, else
``~/.cache/embedlab``. Entries are ``.npz`` files written with ``allow_pickle=False`` and a
JSON sidecar of the parameters that made them; large sets' arrays (``sets/``, :mod:`embedlab.io.mapped`)
and faiss indexes (``indexes/``, :mod:`embedlab.runtime.faiss_index`) live in sub-folders.

The folder is bounded on disk: after each write, :func:`prune` deletes the least recently used
entries (a file and its ``.json`` sidecar together; reading one counts as a use, :func:`touch`)
until the folder holds at most ``$EMBEDLAB_CACHE_BUDGET_MB`` megabytes (default
:data:`DEFAULT_CACHE_BUDGET_MB`). An entry used in the last :data:`PRUNE_MIN_AGE` seconds is never
deleted, nor the one just written; a set still memory-mapped by a server stays readable there
after its file is deleted (the operating system frees it when the last map closes).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..core.validate import env_megabytes

logger = logging.getLogger(__name__)

__all__ = ["cache_dir", "cache_key", "load_arrays", "save_arrays", "CACHE_BUDGET_ENV", "DEFAULT_CACHE_BUDGET_MB",
           "PRUNE_MIN_AGE", "cache_budget_bytes", "touch", "prune"]

CACHE_BUDGET_ENV = "EMBEDLAB_CACHE_BUDGET_MB"
DEFAULT_CACHE_BUDGET_MB = 20_000
"""Megabytes the cache folder may hold (~16 sets of 1M x 300 float32 with their indexes)."""
PRUNE_MIN_AGE = 600.0
"""Seconds: an entry written or read this recently is never pruned (another process may be about to map it)."""


def cache_dir() -> Path:
    """The user's EmbedLab cache folder (created on first use)."""
    env = os.environ.get("EMBEDLAB_CACHE_DIR")
    if env:
        path = Path(env)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / "embedlab"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_key(kind: str, params: Mapping[str, Any]) -> str:
    """A stable key for a kind of result and its parameters (which include a data fingerprint).

    >>> cache_key("pca", {"dims": 2, "data": "ab"}) == cache_key("pca", {"data": "ab", "dims": 2})
    True
    """
    blob = json.dumps({"kind": kind, **params}, sort_keys=True, default=str)
    return f"{kind}-" + hashlib.sha256(blob.encode()).hexdigest()[:32]


def load_arrays(key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``key``, or None if absent or unreadable."""
    path = cache_dir() / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            out = {k: data[k] for k in data.files}
        touch(path)
        return out
    except (OSError, ValueError) as exc:  # a truncated or foreign file: recompute
        logger.warning("ignoring unreadable cache entry %s: %s", path, exc)
        return None


def save_arrays(key: str, arrays: Mapping[str, np.ndarray], params: Mapping[str, Any]) -> Path:
    """Store ``arrays`` under ``key`` atomically, with a JSON sidecar of ``params``."""
    folder = cache_dir()
    path = folder / f"{key}.npz"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **{k: np.asarray(v) for k, v in arrays.items()})
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    (folder / f"{key}.json").write_text(json.dumps(dict(params), sort_keys=True, default=str, indent=1))
    prune(keep=[path])
    return path


def cache_budget_bytes() -> int:
    """Bytes the cache folder may hold: ``$EMBEDLAB_CACHE_BUDGET_MB`` (default 20,000 MB).

    Raises
    ------
    InvalidParameterError
        If the variable is not a number of megabytes >= 0.
    """
    return env_megabytes(CACHE_BUDGET_ENV, DEFAULT_CACHE_BUDGET_MB)


def touch(path: Path | str) -> None:
    """Mark a cache entry (and its sidecar) as just used, so :func:`prune` deletes it last."""
    for p in (Path(path), Path(path).with_suffix(".json")):
        try:
            os.utime(p)
        except OSError:          # gone, or not ours: nothing to mark
            pass


def _entries(folder: Path) -> list[tuple[float, int, list[Path]]]:
    """(last use, bytes, files) of each entry: a data file and the ``.json`` of the same stem."""
    groups: dict[Path, list[Path]] = {}
    for p in folder.rglob("*"):
        if p.is_file() and not p.name.endswith(".tmp"):       # files being written are not entries
            groups.setdefault(p.with_suffix(""), []).append(p)
    out = []
    for files in groups.values():
        try:
            stats = [f.stat() for f in files]
        except OSError:          # deleted meanwhile by another process
            continue
        out.append((max(st.st_mtime for st in stats), sum(st.st_size for st in stats), files))
    return sorted(out, key=lambda e: e[0])


def prune(budget: int | None = None, *, keep=(), min_age: float = PRUNE_MIN_AGE) -> int:
    """Delete the least recently used cache entries until the folder holds at most ``budget`` bytes.

    Parameters
    ----------
    budget : int, optional
        Bytes (default :func:`cache_budget_bytes`).
    keep : iterable of path
        Entries never deleted (what was just written).
    min_age : float
        Entries used fewer seconds ago than this are kept too.

    Returns
    -------
    int
        The bytes deleted.

    >>> import tempfile, os
    >>> os.environ["EMBEDLAB_CACHE_DIR"] = tempfile.mkdtemp()
    >>> _ = save_arrays("a", {"x": np.zeros(1000)}, {})
    >>> prune(0, min_age=0) > 8000, load_arrays("a")
    (True, None)
    >>> del os.environ["EMBEDLAB_CACHE_DIR"]
    """
    budget = cache_budget_bytes() if budget is None else int(budget)
    folder = cache_dir()
    kept = {Path(k).with_suffix("") for k in keep}
    entries = _entries(folder)
    total = sum(size for _, size, _ in entries)
    freed = 0
    now = time.time()
    for used, size, files in entries:
        if total <= budget:
            break
        if files[0].with_suffix("") in kept or now - used < min_age:
            continue
        for f in files:
            try:
                f.unlink()
            except OSError as exc:
                logger.debug("could not delete %s: %s", f, exc)
        total -= size
        freed += size
        logger.info("cache: deleted %s (%d MB, unused for %.0f s) to stay within %d MB", files[0].name,
                    size // 2**20, now - used, budget // 2**20)
    return freed
