"""The workspace: trained sets kept on disk, so a page reload or an app restart loses nothing.

The folder is ``$EMBEDLAB_WORKSPACE_DIR`` if set, else ``$XDG_DATA_HOME/embedlab/workspace``, else
``~/.local/share/embedlab/workspace``. ``Workspace(session_id=...)`` uses a sub-folder of its own
(``sessions/<id>``), so each browser session keeps its sets apart from the others.

Each set is two files named by a generated id (never by a user-supplied name):

* ``<id>.npz`` -- written with ``numpy.savez`` and read with ``allow_pickle=False``: ``vectors``
  (float32), the tokens as UTF-8 bytes plus offsets, numeric/text meta columns, and optionally the
  training snapshots, watched words and losses;
* ``<id>.json`` -- the sidecar: display name, origin, creation time, sizes, training parameters.

Writes are atomic: both files are written under temporary names and renamed into place, the
sidecar last, so a set is listed only once it is complete; leftovers of an interrupted write are
removed on the next listing. The folder has a size cap (:data:`DEFAULT_MAX_BYTES`, or
``$EMBEDLAB_WORKSPACE_MAX_MB``); when a save goes over it, the oldest sets are deleted first.

>>> import numpy as np, tempfile
>>> from embedlab import EmbeddingSet
>>> ws = Workspace(tempfile.mkdtemp())
>>> entry = ws.save(EmbeddingSet(["a", "b"], np.eye(2), name="../evil name"))
>>> [e.name for e in ws.list()], ws.load(entry.id).tokens
(['../evil name'], ('a', 'b'))
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError, WorkspaceError
from ..core.validate import check_int, invalid

logger = logging.getLogger(__name__)

__all__ = ["Workspace", "WorkspaceEntry", "workspace_dir", "max_bytes_from_env", "sanitize_name", "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_BYTES = 500 * 1024 * 1024     #: size cap of one workspace folder
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
_SESSION_RE = re.compile(r"[^A-Za-z0-9_-]")
_TMP_PREFIX = ".tmp-"
_STALE_SECONDS = 3600.0


def max_bytes_from_env() -> tuple[int, str | None]:
    """The workspace size cap from ``$EMBEDLAB_WORKSPACE_MAX_MB`` and, when that value cannot be used
    (not a number, 0 or less, not finite), the default with a one-line note saying so.

    >>> import os; os.environ["EMBEDLAB_WORKSPACE_MAX_MB"] = "0"
    >>> max_bytes_from_env()[1]
    'EMBEDLAB_WORKSPACE_MAX_MB=0 is not allowed (must be a size in MB above 0); using the default 500 MB'
    >>> del os.environ["EMBEDLAB_WORKSPACE_MAX_MB"]; max_bytes_from_env()[1] is None
    True
    """
    env = os.environ.get("EMBEDLAB_WORKSPACE_MAX_MB", "").strip()
    if not env:
        return DEFAULT_MAX_BYTES, None
    try:
        mb = float(env)
    except ValueError:
        mb = float("nan")
    if math.isfinite(mb) and int(mb * 1024 * 1024) >= 1:
        return int(mb * 1024 * 1024), None
    return DEFAULT_MAX_BYTES, (f"EMBEDLAB_WORKSPACE_MAX_MB={env[:40]} is not allowed (must be a size in MB above 0); "
                               f"using the default {DEFAULT_MAX_BYTES / 2**20:,.0f} MB")


def workspace_dir() -> Path:
    """The root workspace folder (not created here)."""
    env = os.environ.get("EMBEDLAB_WORKSPACE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "embedlab" / "workspace"


def sanitize_name(name: str, *, max_len: int = 40) -> str:
    """A file-name-safe slug of ``name``: lower-case ASCII letters, digits, ``-`` and ``_`` only.

    >>> sanitize_name("../../etc/Passwd Ä")
    'etc-passwd-a'
    >>> sanitize_name("...")
    'set'
    """
    import unicodedata

    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9_]+", "-", s).strip("-_")[:max_len].strip("-_")
    return s or "set"


@dataclass(frozen=True)
class WorkspaceEntry:
    """One saved set, as described by its sidecar."""

    id: str
    name: str
    origin: str
    created: float
    n_tokens: int
    dim: int
    size_bytes: int
    params: dict = field(default_factory=dict)
    has_training: bool = False


def _encode_strings(strings) -> tuple[np.ndarray, np.ndarray]:
    blobs = [s.encode("utf-8", "surrogatepass") for s in strings]
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in blobs], out=offsets[1:])
    return np.frombuffer(b"".join(blobs), dtype=np.uint8), offsets


def _decode_strings(data: np.ndarray, offsets: np.ndarray) -> list[str]:
    raw = np.asarray(data, dtype=np.uint8).tobytes()
    off = np.asarray(offsets, dtype=np.int64)
    if off.ndim != 1 or len(off) < 1 or off[0] != 0 or off[-1] != len(raw) or np.any(np.diff(off) < 0):
        raise ValueError("string offsets are inconsistent")
    return [raw[off[i]:off[i + 1]].decode("utf-8", "surrogatepass") for i in range(len(off) - 1)]


class Workspace:
    """A folder of saved embedding sets.

    Parameters
    ----------
    root : str or Path, optional
        Default :func:`workspace_dir`.
    session_id : str, optional
        Use the sub-folder ``sessions/<session_id>`` (sanitised) of ``root``.
    max_bytes : int, optional
        Size cap (default ``$EMBEDLAB_WORKSPACE_MAX_MB`` MB or :data:`DEFAULT_MAX_BYTES`).
    """

    def __init__(self, root: str | os.PathLike | None = None, *, session_id: str | None = None,
                 max_bytes: int | None = None):
        base = Path(root).expanduser() if root is not None else workspace_dir()
        if session_id is not None:
            sid = _SESSION_RE.sub("", str(session_id))[:64]
            if not sid:
                raise invalid("session_id", session_id, "a name with some usable characters (A-Z a-z 0-9 _ -)")
            base = base / "sessions" / sid
        self.root = base
        if max_bytes is None:
            max_bytes, problem = max_bytes_from_env()
            if problem:
                logger.warning("%s", problem)
        self.max_bytes = check_int(max_bytes, "max_bytes", minimum=1)

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r}, max_bytes={self.max_bytes})"

    # -- paths -------------------------------------------------------------------------------------
    def _paths(self, entry_id: str) -> tuple[Path, Path]:
        if not isinstance(entry_id, str) or not _ID_RE.match(entry_id):
            raise WorkspaceError(f"no saved set {entry_id!r} in the workspace (not a valid id)")
        return self.root / f"{entry_id}.npz", self.root / f"{entry_id}.json"

    def _mkdir(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create the workspace folder {self.root}: {exc.strerror or exc}") from None

    # -- write -------------------------------------------------------------------------------------
    def save(self, es: EmbeddingSet, *, params: Mapping[str, Any] | None = None, training=None) -> WorkspaceEntry:
        """Save ``es`` (and optionally a :class:`~embedlab.train.training.TrainingResult`'s snapshots).

        Returns the new entry. The oldest other sets are deleted while the folder is over the cap.

        Raises
        ------
        WorkspaceError
            The set alone is larger than the cap, or the folder cannot be written (nothing is
            left half-written).
        """
        if not isinstance(es, EmbeddingSet):
            raise InvalidParameterError(f"expected an EmbeddingSet, got {type(es).__name__}")
        self._mkdir()
        entry_id = f"{sanitize_name(es.name)}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        npz, js = self._paths(entry_id)
        tok_data, tok_off = _encode_strings(es.tokens)
        arrays: dict[str, np.ndarray] = {"vectors": es.vectors, "tokens_utf8": tok_data, "tokens_offsets": tok_off}
        meta_cols = []
        for key, col in es.meta.items():
            if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in col):
                arrays[f"meta_int_{len(meta_cols)}"] = np.asarray(col, dtype=np.int64)
            elif all(isinstance(v, (float, np.floating, int, np.integer)) and not isinstance(v, bool) for v in col):
                arrays[f"meta_float_{len(meta_cols)}"] = np.asarray(col, dtype=np.float64)
            elif all(isinstance(v, str) for v in col):
                d, o = _encode_strings(col)
                arrays[f"meta_str_{len(meta_cols)}"], arrays[f"meta_stroff_{len(meta_cols)}"] = d, o
            else:
                logger.info("workspace: meta column %r has mixed types; not saved", key)
                continue
            meta_cols.append(key)
        info: dict[str, Any] = {"params": dict(params or {})}
        if training is not None:
            wd, wo = _encode_strings(training.watched)
            nb_tokens = [t for ep in training.neighbors for w in ep for t, _ in w]
            nd, no = _encode_strings(nb_tokens)
            arrays.update(snapshots=np.asarray(training.snapshots, dtype=np.float32), watched_utf8=wd,
                          watched_offsets=wo, neighbor_utf8=nd, neighbor_offsets=no,
                          neighbor_scores=np.array([s for ep in training.neighbors for w in ep for _, s in w],
                                                   dtype=np.float32),
                          neighbor_counts=np.array([[len(w) for w in ep] for ep in training.neighbors],
                                                   dtype=np.int64).reshape(len(training.neighbors), -1),
                          losses=np.array([np.nan if v is None else v for v in training.losses], dtype=np.float64),
                          epoch_seconds=np.asarray(training.epoch_seconds, dtype=np.float64))
            info["training"] = {
                "params": training.params.to_dict(), "corpus_name": training.corpus_name,
                "corpus_tokens": training.corpus_tokens, "stopped": training.stopped,
                "epochs_done": training.epochs_done, "loss_available": training.loss_available,
                "seconds": training.seconds, "train_seconds": training.train_seconds,
                "words_per_second": training.words_per_second, "notes": list(training.notes)}
        tmp_npz = tmp_js = None
        try:
            fd, tmp_npz = tempfile.mkstemp(dir=self.root, prefix=_TMP_PREFIX, suffix=".npz")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            size = os.path.getsize(tmp_npz)
            if size > self.max_bytes:
                raise WorkspaceError(f"the set {es.name!r} needs {size / 2**20:.1f} MB, more than the workspace "
                                     f"cap of {self.max_bytes / 2**20:.1f} MB; it was not saved")
            sidecar = {"id": entry_id, "name": es.name, "origin": es.origin, "created": time.time(),
                       "n_tokens": len(es), "dim": es.dim, "size_bytes": size, "meta_columns": meta_cols,
                       "format": 1, **info}
            fd, tmp_js = tempfile.mkstemp(dir=self.root, prefix=_TMP_PREFIX, suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(sidecar, fh, ensure_ascii=False, default=str, indent=1, allow_nan=True)
            os.replace(tmp_npz, npz)
            tmp_npz = None
            os.replace(tmp_js, js)   # the sidecar is the commit mark: the set now exists
            tmp_js = None
        except OSError as exc:
            for p in (npz,):
                if tmp_js is not None and p.exists():
                    p.unlink(missing_ok=True)
            raise WorkspaceError(f"cannot save {es.name!r} in the workspace {self.root}: "
                                 f"{exc.strerror or exc}") from None
        finally:
            for tmp in (tmp_npz, tmp_js):
                if tmp is not None and os.path.exists(tmp):
                    os.unlink(tmp)
        entry = self._entry(sidecar)
        self.enforce_cap(keep=entry_id)
        logger.info("workspace: saved %s (%d bytes) in %s", entry_id, size, self.root)
        return entry

    # -- read --------------------------------------------------------------------------------------
    @staticmethod
    def _entry(d: Mapping[str, Any]) -> WorkspaceEntry:
        return WorkspaceEntry(id=str(d["id"]), name=str(d["name"]), origin=str(d.get("origin", "")),
                              created=float(d["created"]), n_tokens=int(d["n_tokens"]), dim=int(d["dim"]),
                              size_bytes=int(d["size_bytes"]), params=dict(d.get("params") or {}),
                              has_training="training" in d)

    def _sidecar(self, entry_id: str) -> dict:
        _, js = self._paths(entry_id)
        try:
            d = json.loads(js.read_text("utf-8"))
            if d.get("id") != entry_id:
                raise ValueError("id mismatch")
            return d
        except FileNotFoundError:
            raise WorkspaceError(f"no saved set {entry_id!r} in the workspace") from None
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise WorkspaceError(f"the saved set {entry_id!r} is unreadable ({exc}); delete it") from None

    def list(self) -> list[WorkspaceEntry]:
        """Complete saved sets, newest first (removes leftovers of interrupted writes).

        Raises
        ------
        WorkspaceError
            The folder exists but cannot be read.
        """
        if not self.root.is_dir():
            return []
        out = []
        now = time.time()
        try:
            paths = list(self.root.iterdir())
        except OSError as exc:
            raise WorkspaceError(f"cannot read the workspace folder {self.root}: {exc.strerror or exc}") from None
        for p in paths:
            try:
                if p.name.startswith(_TMP_PREFIX):
                    if now - p.stat().st_mtime > _STALE_SECONDS:
                        p.unlink(missing_ok=True)
                    continue
                if p.suffix == ".npz" and not p.with_suffix(".json").exists():
                    if now - p.stat().st_mtime > _STALE_SECONDS:   # orphan of an interrupted save
                        p.unlink(missing_ok=True)
                    continue
                if p.suffix != ".json" or not _ID_RE.match(p.stem):
                    continue
                d = self._sidecar(p.stem)
                if not p.with_suffix(".npz").is_file():
                    continue
                out.append(self._entry(d))
            except (WorkspaceError, KeyError, ValueError, TypeError, OSError) as exc:
                logger.warning("workspace: skipping %s: %s", p.name, exc)
        return sorted(out, key=lambda e: (-e.created, e.id))

    def total_bytes(self) -> int:
        """Bytes used by the listed sets."""
        return sum(e.size_bytes for e in self.list())

    def load(self, entry_id: str) -> EmbeddingSet:
        """The saved set ``entry_id``.

        Raises
        ------
        WorkspaceError
            Unknown id or an unreadable file.
        """
        return self.load_full(entry_id)[0]

    def load_full(self, entry_id: str) -> tuple[EmbeddingSet, dict]:
        """The saved set and a dict of what else was saved: the sidecar under ``"info"`` and,
        for a trained set, ``snapshots``, ``watched``, ``neighbors``, ``losses``, ``epoch_seconds``."""
        npz, _ = self._paths(entry_id)
        d = self._sidecar(entry_id)
        try:
            with np.load(npz, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            tokens = _decode_strings(arrays["tokens_utf8"], arrays["tokens_offsets"])
            meta = {}
            for i, key in enumerate(d.get("meta_columns", [])):
                if f"meta_int_{i}" in arrays:
                    meta[key] = [int(v) for v in arrays[f"meta_int_{i}"]]
                elif f"meta_float_{i}" in arrays:
                    meta[key] = [float(v) for v in arrays[f"meta_float_{i}"]]
                elif f"meta_str_{i}" in arrays:
                    meta[key] = _decode_strings(arrays[f"meta_str_{i}"], arrays[f"meta_stroff_{i}"])
            es = EmbeddingSet(tokens, arrays["vectors"], name=d["name"], origin=d.get("origin", ""), meta=meta,
                              copy=False)
            extra: dict[str, Any] = {"info": d}
            if "snapshots" in arrays:
                watched = _decode_strings(arrays["watched_utf8"], arrays["watched_offsets"])
                nb_tok = _decode_strings(arrays["neighbor_utf8"], arrays["neighbor_offsets"])
                scores, counts = arrays["neighbor_scores"], arrays["neighbor_counts"]
                pos, neighbors = 0, []
                for ep in counts:
                    row = []
                    for c in ep:
                        row.append(tuple((nb_tok[pos + j], float(scores[pos + j])) for j in range(int(c))))
                        pos += int(c)
                    neighbors.append(tuple(row))
                extra.update(snapshots=arrays["snapshots"], watched=tuple(watched), neighbors=tuple(neighbors),
                             losses=tuple(None if np.isnan(v) else float(v) for v in arrays["losses"]),
                             epoch_seconds=tuple(float(v) for v in arrays["epoch_seconds"]))
        except FileNotFoundError:
            raise WorkspaceError(f"no saved set {entry_id!r} in the workspace") from None
        except WorkspaceError:
            raise
        except (OSError, ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError, EOFError,
                InvalidParameterError) as exc:
            raise WorkspaceError(f"the saved set {entry_id!r} is unreadable ({exc}); delete it") from None
        return es, extra

    # -- delete ------------------------------------------------------------------------------------
    def delete(self, entry_id: str) -> None:
        """Delete a saved set (sidecar first, so it disappears from the list at once).

        Raises
        ------
        WorkspaceError
            No such set.
        """
        npz, js = self._paths(entry_id)
        if not js.exists() and not npz.exists():
            raise WorkspaceError(f"no saved set {entry_id!r} in the workspace")
        try:
            js.unlink(missing_ok=True)
            npz.unlink(missing_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot delete {entry_id!r}: {exc.strerror or exc}") from None
        logger.info("workspace: deleted %s", entry_id)

    def enforce_cap(self, *, keep: str | None = None) -> list[str]:
        """Delete the oldest sets (never ``keep``) until the folder is within the cap; returns their ids."""
        entries = sorted(self.list(), key=lambda e: (e.created, e.id))
        total = sum(e.size_bytes for e in entries)
        deleted = []
        for e in entries:
            if total <= self.max_bytes:
                break
            if e.id == keep:
                continue
            self.delete(e.id)
            total -= e.size_bytes
            deleted.append(e.id)
        if deleted:
            logger.info("workspace: over the cap, deleted the oldest sets %s", deleted)
        return deleted
