"""Read-only share links for single saved sets: a token that opens one set, and nothing else.

A workspace is owned by whoever holds its key (see :class:`~embedlab.io.workspace.Workspace`'s
``session_id``); the key never goes into a link. To give one trained set to somebody, its owner
makes a *share token* for it: a fresh random 32-hex-digit name of a small record
``<workspace root>/shares/<token>.json`` that says which workspace and which set it opens. The
token does not contain or reveal the owner's key; whoever has it can load that one set (not list
the others, not delete anything). Deleting the set (or :func:`revoke`) makes its token open nothing.

>>> import numpy as np, tempfile
>>> from embedlab import EmbeddingSet
>>> from embedlab.io.workspace import Workspace
>>> root = tempfile.mkdtemp()
>>> ws = Workspace(root, session_id="0" * 32)
>>> entry = ws.save(EmbeddingSet(["a", "b"], np.eye(2), name="mine"))
>>> token = share(ws, entry.id)
>>> shared_entry(token, root=root).name, open_shared(token, root=root)[0].tokens
('mine', ('a', 'b'))
"""
from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from ..core.embeddings import EmbeddingSet
from ..core.errors import WorkspaceError
from .workspace import Workspace, WorkspaceEntry, workspace_dir

logger = logging.getLogger(__name__)

__all__ = ["share", "shared_entry", "open_shared", "revoke", "is_token"]

_TOKEN_RE = re.compile(r"^[a-f0-9]{32}$")
_INDEX = ".shares.json"          # in the owner's folder: {entry_id: token}, so one set keeps one token


def is_token(value: Any) -> bool:
    """True if ``value`` has the shape of a share token (checked before any file is touched)."""
    return isinstance(value, str) and bool(_TOKEN_RE.match(value))


def _shares_dir(root: str | os.PathLike | None) -> Path:
    return (Path(root).expanduser() if root is not None else workspace_dir()) / "shares"


def _root_of(ws: Workspace) -> Path:
    return ws.root.parent.parent        # <root>/sessions/<key>


def _owner_key(ws: Workspace) -> str:
    if ws.root.parent.name != "sessions":
        raise WorkspaceError("only a session's workspace can share its sets")
    return ws.root.name


def _read_json(path: Path) -> dict:
    try:
        d = json.loads(path.read_text("utf-8"))
        return d if isinstance(d, dict) else {}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("shares: ignoring unreadable %s: %s", path, exc)
        return {}


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def share(ws: Workspace, entry_id: str) -> str:
    """The share token of the saved set ``entry_id`` of ``ws`` (made on first call, the same after).

    Raises
    ------
    WorkspaceError
        No such set, or the record cannot be written.
    """
    entry = next((e for e in ws.list() if e.id == entry_id), None)
    if entry is None:
        raise WorkspaceError(f"no saved set {entry_id!r} in the workspace")
    index_path = ws.root / _INDEX
    index = _read_json(index_path)
    token = index.get(entry_id)
    shares = _shares_dir(_root_of(ws))
    if is_token(token) and (shares / f"{token}.json").is_file():
        return token
    token = uuid.uuid4().hex
    try:
        _write_json(shares / f"{token}.json", {"owner": _owner_key(ws), "entry": entry_id, "created": time.time()})
        _write_json(index_path, {**index, entry_id: token})
    except OSError as exc:
        raise WorkspaceError(f"cannot write the share link: {exc.strerror or exc}") from None
    logger.info("shares: %s shared", entry_id)
    return token


def shared_entry(token: str, *, root: str | os.PathLike | None = None) -> WorkspaceEntry:
    """The listing of the set a share token opens (its name and sizes; nothing is loaded).

    Raises
    ------
    WorkspaceError
        Not a token, an unknown token, or the set was deleted by its owner.
    """
    return _resolve(token, root)[1]


def open_shared(token: str, *, root: str | os.PathLike | None = None) -> tuple[EmbeddingSet, dict, WorkspaceEntry]:
    """The set a share token opens: ``(set, extra, entry)`` as :meth:`Workspace.load_full` gives them.

    Raises
    ------
    WorkspaceError
        Not a token, an unknown token, or the set was deleted by its owner.
    """
    ws, entry = _resolve(token, root)
    es, extra = ws.load_full(entry.id)
    return es, extra, entry


def _resolve(token: str, root) -> tuple[Workspace, WorkspaceEntry]:
    if not is_token(token):
        raise WorkspaceError("this share link is not valid (a share token is 32 hexadecimal digits)")
    record = _read_json(_shares_dir(root) / f"{token}.json")
    owner, entry_id = record.get("owner"), record.get("entry")
    if not isinstance(owner, str) or not isinstance(entry_id, str):
        raise WorkspaceError("this share link opens nothing: it is unknown, or its owner deleted the set or "
                             "stopped sharing it")
    ws = Workspace(root, session_id=owner)
    entry = next((e for e in ws.list() if e.id == entry_id), None)
    if entry is None:
        raise WorkspaceError("this share link opens nothing: its owner deleted the shared set")
    return ws, entry


def revoke(ws: Workspace, entry_id: str) -> bool:
    """Make the share token of ``entry_id`` (if any) open nothing; True if there was one."""
    index_path = ws.root / _INDEX
    index = _read_json(index_path)
    token = index.pop(entry_id, None)
    if not is_token(token):
        return False
    try:
        (_shares_dir(_root_of(ws)) / f"{token}.json").unlink(missing_ok=True)
        _write_json(index_path, index)
    except OSError as exc:
        raise WorkspaceError(f"cannot withdraw the share link: {exc.strerror or exc}") from None
    return True
