"""Where EmbedLab keeps files between runs: the disk cache of projections and similar results.

The folder is ``$EMBEDLAB_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/embedlab``, else
``~/.cache/embedlab``. Entries are ``.npz`` files written with ``allow_pickle=False`` and a
JSON sidecar of the parameters that made them.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["cache_dir", "cache_key", "load_arrays", "save_arrays"]


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
            return {k: data[k] for k in data.files}
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
    return path
