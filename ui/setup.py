"""The call every page starts with: page config, session defaults, sidebar set picker, upload."""
from __future__ import annotations

import io

import streamlit as st

import embedlab
from embedlab import BUILTIN_SETS, DEFAULT_SET

from . import cached, figures, params, state
from .text import md_text

UPLOAD_KEY = "sidebar_upload"
_UPLOAD_DONE = "_upload_done"      # {file_id: error message or None}, so a file is read once
_UPLOAD_ROUND = "_upload_round"    # bumped to give the uploader a fresh key (see RELEASE_UPLOADS_ABOVE)
RELEASE_UPLOADS_ABOVE = 64 * 2**20
"""Bytes. Streamlit keeps an uploaded file in the server's memory until the browser deletes it or
the session ends, and every run copies it again for the value st.file_uploader returns. A file
larger than this is removed from Streamlit's file manager as soon as it arrives (as its own chat
input does) and the uploader gets a fresh key, so a 1.2 GB upload is held once while it is read
and not at all afterwards. Smaller files stay listed."""


def _file_manager():
    """Streamlit's in-memory file manager and this session's id, or (None, None) (another manager,
    or a changed runtime API: callers then fall back to what st.file_uploader returned)."""
    try:
        from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is not None and isinstance(ctx.uploaded_file_mgr, MemoryUploadedFileManager):
            return ctx.uploaded_file_mgr, ctx.session_id
    except (ImportError, AttributeError):
        pass
    return None, None


def _stored_bytes(file_id: str) -> bytes | None:
    """The uploaded file's bytes as Streamlit stores them (no copy), or None."""
    mgr, session = _file_manager()
    try:
        recs = mgr.get_files(session, [file_id]) if mgr is not None else []
        return recs[0].data if recs and isinstance(recs[0].data, bytes) else None
    except (AttributeError, TypeError, IndexError):
        return None


def _release_upload(file_id: str) -> bool:
    """Drop an uploaded file from Streamlit's in-memory file manager (True if done), the way
    ``st.chat_input`` does (1.67); the bytes are freed once nothing else refers to them."""
    mgr, session = _file_manager()
    if mgr is None:
        return False
    try:
        mgr.remove_file(session_id=session, file_id=file_id)
        return True
    except (AttributeError, TypeError):
        return False


def upload_key() -> str:
    """The sidebar uploader's current widget key (:data:`UPLOAD_KEY` until a large file was read)."""
    n = st.session_state.get(_UPLOAD_ROUND, 0)
    return UPLOAD_KEY if n == 0 else f"{UPLOAD_KEY}_{n}"


def current_set() -> embedlab.EmbeddingSet:
    """The embedding set selected in the sidebar."""
    name = st.session_state[state.CURRENT_SET]
    user = st.session_state[state.USER_SETS]
    if name in user:
        return user[name]
    return cached.builtin_set(name)


def _remember_choice() -> None:
    st.session_state[state.CHOSEN_SET] = st.session_state[state.CURRENT_SET]


def set_names() -> list[str]:
    """Built-in set names, then the sets loaded or trained in this session."""
    return list(BUILTIN_SETS) + [n for n in st.session_state[state.USER_SETS] if n not in BUILTIN_SETS]


def _upload() -> None:
    """Sidebar uploader: read a vector file with embedlab.io.formats, add it, select it."""
    up = st.file_uploader(
        "Load a vector file", key=upload_key(),
        help="word2vec text or binary, GloVe text, fastText .vec, Embedding Projector TSV, .npy. "
             f"Up to {st.get_option('server.maxUploadSize')} MB. For very large sets word2vec binary is "
             "the smallest file (1,000,000 × 300 ≈ 1.2 GB; `python -m embedlab convert` makes one). "
             "The file stays in this browser session only.")
    if up is None:
        return
    done = st.session_state.setdefault(_UPLOAD_DONE, {})
    if up.file_id in done:
        if done[up.file_id]:
            st.error(md_text(done[up.file_id]))
        return
    from embedlab.io.formats import read_vectors

    name, file_id, large = up.name, up.file_id, up.size > RELEASE_UPLOADS_ABOVE
    source = up
    if large:
        # Streamlit holds the bytes twice now: the stored upload (which the widget's state also
        # refers to) and the deep copy st.file_uploader returned. Read the stored bytes and drop
        # the copy (1.2 GB less at 1M x 300); release the upload once read, and give the next run
        # a fresh, empty uploader so that the widget's state lets go of it too.
        stored = _stored_bytes(file_id)
        if stored is not None:
            source = io.BytesIO(stored)       # shares the bytes (CPython's BytesIO copy-on-write)
        del stored
        st.session_state[_UPLOAD_ROUND] = st.session_state.get(_UPLOAD_ROUND, 0) + 1
    del up
    reading = f"Reading {md_text(name)}…"
    bar = st.progress(0.0, text=reading)
    try:
        es = read_vectors(source, filename=name,
                          progress=lambda frac: bar.progress(min(max(float(frac), 0.0), 1.0),
                                                             text=reading))
    except embedlab.EmbedLabError as exc:
        done[file_id] = str(exc)
        st.error(md_text(exc))
        return
    finally:
        bar.empty()
        del source
        if large:
            _release_upload(file_id)
    done[file_id] = None
    from embedlab.runtime import registry

    registry.request(es)  # large sets only: neighbour queries pass it to the search once built
    state.add_user_set(es)
    st.rerun()


def setup_page(title: str, icon: str = "🧭") -> embedlab.EmbeddingSet | None:
    """Configure the page and draw the sidebar; return the current set (None if it cannot load).

    Every page calls this first, so a deep link opened as the first request works. The
    current set is mirrored in the URL as ``?set=``; the presenter-mode switch (larger text and
    figures for a projector, see :mod:`ui.figures`) as ``?present=1``.
    """
    st.set_page_config(page_title=f"{title} · EmbedLab", page_icon=icon, layout="wide")
    state.init_state()
    cached.start_warm_up()
    names = set_names()
    url_before = params.applied_value(state.CURRENT_SET)
    params.bind(state.CURRENT_SET, "set", DEFAULT_SET, options=names)
    url_now = st.query_params.get("set")
    # The picker's widget key can come back as the default on the first run of a newly opened page
    # (seen in a browser test right after training). A plain session key keeps the choice; a link's
    # ?set= opened just now still wins.
    current = st.session_state[state.CURRENT_SET]
    chosen = st.session_state.get(state.CHOSEN_SET)
    fresh_link = url_now is not None and url_now != url_before
    if not fresh_link and chosen in names and current != chosen:
        current = chosen
    current = current if current in names else DEFAULT_SET
    st.session_state[state.CURRENT_SET] = st.session_state[state.CHOSEN_SET] = current
    with st.sidebar:
        st.selectbox("Embedding set", names, key=state.CURRENT_SET, persist_state="session",
                     on_change=_remember_choice)
        params.sync({"set": state.CURRENT_SET})
        try:
            es = current_set()
        except embedlab.EmbedLabError as exc:
            st.error(md_text(exc))
            es = None
        if es is not None:
            st.caption(f"**{md_text(es.name)}** · {len(es):,} tokens × {es.dim} dimensions  \n{md_text(es.origin)}")
        _upload()
        figures.presenter_toggle()
    return es
