"""The browser session's workspace (trained sets on disk) and the training job of the Train page.

Each browser session gets a workspace of its own: a sub-folder named by a random key. The key is
kept in the session and in the Train page's address (``?ws=``), so reloading that page, or opening
its bookmarked address after an app restart, brings the same sets back. Somebody without the key
cannot see them.
"""
from __future__ import annotations

import re
import uuid

import streamlit as st

from embedlab.train.training import TrainingResult, TrainParams
from embedlab.io.workspace import Workspace

WORKSPACE_KEY = "workspace_key"     # session-state key of this session's workspace key
_KEY_RE = re.compile(r"^[a-f0-9]{32}$")


def workspace_key() -> str:
    """This session's workspace key: from the session, else a valid ``?ws=`` in the URL, else new."""
    key = st.session_state.get(WORKSPACE_KEY)
    if key is None:
        raw = st.query_params.get("ws")
        key = raw if isinstance(raw, str) and _KEY_RE.match(raw) else uuid.uuid4().hex
        st.session_state[WORKSPACE_KEY] = key
    return key


def sync_workspace_param() -> None:
    """Write this session's workspace key to the page's address (``?ws=``), so it can be bookmarked."""
    key = workspace_key()
    if st.query_params.get("ws") != key:
        st.query_params["ws"] = key


def session_workspace() -> Workspace:
    """The workspace folder of this browser session."""
    return Workspace(session_id=workspace_key())


def result_from_saved(es, extra: dict) -> TrainingResult | None:
    """Rebuild a :class:`TrainingResult` from a workspace entry saved with its training record."""
    info = extra.get("info", {}).get("training")
    if info is None or "snapshots" not in extra:
        return None
    p = TrainParams(**info["params"])
    return TrainingResult(
        embedding_set=es, watched=extra["watched"], snapshots=extra["snapshots"], neighbors=extra["neighbors"],
        losses=extra["losses"], loss_available=bool(info["loss_available"]), epoch_seconds=extra["epoch_seconds"],
        seconds=float(info["seconds"]), train_seconds=float(info["train_seconds"]),
        words_per_second=float(info["words_per_second"]), params=p, corpus_name=str(info["corpus_name"]),
        corpus_tokens=int(info["corpus_tokens"]), stopped=bool(info["stopped"]),
        epochs_done=int(info["epochs_done"]), notes=tuple(info.get("notes", ())))


@st.cache_resource(max_entries=8, show_spinner="Preparing the corpus…")
def builtin_corpus(name: str, options):
    """A built-in corpus, tokenized once per process and shared (a Corpus is immutable)."""
    from embedlab.io.builtin_corpora import builtin_corpus as _builtin

    return _builtin(name, options=options)


RESTORED = "_workspace_restored"


def restore_sets(limit: int = 10) -> int:
    """Once per session, make the newest ``limit`` sets of this session's workspace selectable
    (not selected); returns how many were added. Unreadable entries are skipped (logged)."""
    import logging

    from embedlab import EmbedLabError

    from . import state

    if st.session_state.get(RESTORED):
        return 0
    st.session_state[RESTORED] = True
    state.init_state()
    have = st.session_state[state.USER_SETS]
    ws = session_workspace()
    added = 0
    for entry in reversed(ws.list()[:limit]):
        if entry.name in have:
            continue
        try:
            state.add_user_set(ws.load(entry.id), select=False)
            added += 1
        except EmbedLabError as exc:
            logging.getLogger(__name__).warning("workspace set %s not restored: %s", entry.id, exc)
    return added
