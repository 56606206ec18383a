"""The browser session's workspace (trained sets on disk), its owner key, and read-only share links.

Each browser gets a workspace of its own: a sub-folder named by a random 32-hex-digit *owner key*.
Whoever holds the key can list, use and delete its sets, so the key is never put in an address:
it is kept in the session and in a cookie of this browser (``embedlab_ws``, written by a small
script on the Train page, read back with ``st.context.cookies`` when a new session starts), so a
reload, a new tab or an app restart in the same browser finds the same workspace. A copied link
carries no key; it opens the recipient's own (empty) workspace. A browser that refuses cookies
gets a fresh workspace per session.

To give somebody one trained set, its owner makes a *share link* (``?share=<token>``,
:mod:`embedlab.io.shares`): it opens that one set read-only (use it, not list the owner's
other sets, not delete anything). Deleting the set withdraws the link.

Old links with ``?ws=<key>`` (before keys were taken out of addresses) no longer open anything:
the parameter is removed from the address and the page says so.
"""
from __future__ import annotations

import re
import uuid

import streamlit as st

from embedlab.train.training import TrainingResult, TrainParams
from embedlab.io.workspace import Workspace

WORKSPACE_KEY = "workspace_key"     # session-state key of this session's workspace key
COOKIE = "embedlab_ws"              # the browser cookie that keeps the owner key
COOKIE_MAX_AGE = 400 * 24 * 3600    # seconds (the longest lifetime browsers allow a cookie)
OLD_LINK = "_workspace_old_link"    # session flag: this session was opened with an old ?ws= link
SHARE_PARAM = "share"
_KEY_RE = re.compile(r"^[a-f0-9]{32}$")


def browser_cookie() -> str | None:
    """The owner key this browser sent in its cookie when the session opened (None if none or malformed)."""
    try:
        raw = st.context.cookies.get(COOKIE)
    except (RuntimeError, AttributeError, KeyError):      # no browser behind this run (bare mode)
        return None
    return raw if isinstance(raw, str) and _KEY_RE.match(raw) else None


def drop_old_key_param() -> bool:
    """Remove an old-style ``?ws=`` key from the address (it grants nothing any more); True if this
    session was opened with one, so the page can say what happened."""
    if "ws" in st.query_params:
        del st.query_params["ws"]
        st.session_state[OLD_LINK] = True
    return bool(st.session_state.get(OLD_LINK))


def workspace_key() -> str:
    """This session's owner key: from the session, else from this browser's cookie, else new.
    Never from the address."""
    key = st.session_state.get(WORKSPACE_KEY)
    if key is None:
        key = browser_cookie() or uuid.uuid4().hex
        st.session_state[WORKSPACE_KEY] = key
    return key


def remember_in_browser() -> None:
    """Keep this session's owner key in this browser's cookie, so a reload finds the workspace again.

    Draws a tiny script (our own text; the key is 32 hex digits) only while the cookie the session
    opened with is not this key. Nothing is fetched from anywhere."""
    key = workspace_key()
    if browser_cookie() == key or not _KEY_RE.match(key):
        return
    st.html(f"<script>document.cookie = '{COOKIE}={key}; path=/; max-age={COOKIE_MAX_AGE}; SameSite=Strict';"
            "</script>", unsafe_allow_javascript=True, width="content")


def shared_token() -> str | None:
    """The ``?share=`` token of the address, if any (its shape is checked when it is opened)."""
    raw = st.query_params.get(SHARE_PARAM)
    return raw if isinstance(raw, str) and raw else None


def share_link(token: str) -> str:
    """The address that opens the shared set ``token``: this page's address with only ``?share=``."""
    try:
        url = st.context.url or ""
    except (RuntimeError, AttributeError):
        url = ""
    base = url.split("?", 1)[0].split("#", 1)[0]
    return f"{base}?{SHARE_PARAM}={token}"


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
