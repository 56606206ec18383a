"""The sidebar app.py draws once for every page (set picker, upload, presenter switch), and the
current set a page reads with :func:`page_set`."""
from __future__ import annotations

import io

import streamlit as st

import embedlab
from embedlab import BUILTIN_SETS, DEFAULT_SET

from . import cached, figures, lesson_bar, narrow, params, precompute, state, table_upload, warm
from .streamlit_internals import release_upload as _release_upload
from .streamlit_internals import stored_upload_bytes as _stored_bytes
from .text import md_text

UPLOAD_KEY = "sidebar_upload"
COMPANION_KEY = "sidebar_upload_companion"   # a .npy's vocabulary or a vectors.tsv's metadata.tsv
_UPLOAD_DONE = "_upload_done"      # {file_id: error message or None}, so a file is read once
_UPLOAD_ROUND = "_upload_round"    # bumped to give the uploader a fresh key (see RELEASE_UPLOADS_ABOVE)
RELEASE_UPLOADS_ABOVE = 64 * 2**20
"""Bytes. Streamlit keeps an uploaded file in the server's memory until the browser deletes it or
the session ends, and every run copies it again for the value st.file_uploader returns. A file
larger than this is removed from Streamlit's file manager as soon as it arrives (as its own chat
input does) and the uploader gets a fresh key, so a 1.2 GB upload is held once while it is read
and not at all afterwards. Smaller files stay listed."""


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


def set_names() -> list[str]:
    """Built-in set names, then the sets loaded or trained in this session."""
    return list(BUILTIN_SETS) + [n for n in st.session_state[state.USER_SETS] if n not in BUILTIN_SETS]


def _upload() -> None:
    """Sidebar uploader: read a vector file with embedlab.io.formats, add it, select it."""
    up = st.file_uploader(
        "Load a vector file", key=upload_key(),
        help="word2vec text or binary, GloVe text, fastText .vec, Embedding Projector TSV, .npy, or a "
             "Parquet / Feather / Arrow table with a vector column (its other columns colour the Map). "
             f"Up to {st.get_option('server.maxUploadSize')} MB. For very large sets word2vec binary is "
             "the smallest file (1,000,000 × 300 ≈ 1.2 GB; `python -m embedlab convert` makes one). "
             "The set stays in this browser session only (a large one's vectors are kept, memory-mapped, "
             "in the server's cache folder, so that its sessions share one copy).")
    companion = st.file_uploader(
        "Its vocabulary or metadata file (optional)", key=COMPANION_KEY,
        help="A .npy array has no token names: add its vocabulary (one token per line, in row order). "
             "A Projector vectors.tsv: add its metadata.tsv (labels, and columns kept with the set).")
    if up is None:
        return
    done = st.session_state.setdefault(_UPLOAD_DONE, {})
    file_id = (up.file_id, companion.file_id if companion is not None else None)
    if file_id in done:
        if done[file_id]:
            st.error(md_text(done[file_id]))
        return
    from embedlab.io.formats import companion_role, read_vectors

    read_options = table_upload.column_choice(up)      # Parquet / Arrow: which columns (waits for *Load*)
    if read_options is None:
        return
    if companion is not None:
        read_options = {**read_options, companion_role(up.name): io.BytesIO(companion.getvalue())}
    name, large = up.name, up.size > RELEASE_UPLOADS_ABOVE
    source = up
    if large:
        # Streamlit holds the bytes twice now: the stored upload (which the widget's state also
        # refers to) and the deep copy st.file_uploader returned. Read the stored bytes and drop
        # the copy (1.2 GB less at 1M x 300); release the upload once read, and give the next run
        # a fresh, empty uploader so that the widget's state lets go of it too.
        stored = _stored_bytes(up.file_id)
        if stored is not None:
            source = io.BytesIO(stored)       # shares the bytes (CPython's BytesIO copy-on-write)
        del stored
        st.session_state[_UPLOAD_ROUND] = st.session_state.get(_UPLOAD_ROUND, 0) + 1
    del up
    reading = f"Reading {md_text(name)}…"
    bar = st.progress(0.0, text=reading)
    try:
        es = read_vectors(source, filename=name, **read_options,
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
            _release_upload(file_id[0])
    done[file_id] = None
    from embedlab.io.mapped import store_mapped
    from embedlab.runtime import registry

    # a large set: its array written once to the cache folder and memory-mapped (the reader's copy
    # goes), kept once per process for every session, and its index built (or read back)
    es = registry.share(store_mapped(es))
    registry.request(es)  # large sets only: neighbour queries pass it to the search once built
    state.add_user_set(es)
    st.rerun()


def _keep_training_watched() -> None:
    """This session's training (ui.training.JOB) counts as watched while the session runs any page,
    not only the Train page, so it is not stopped as abandoned while its student browses."""
    job = st.session_state.get("tr_job")
    if job is not None:
        job.touch()


def draw_sidebar(current: str | None = None) -> embedlab.EmbeddingSet | None:
    """Session defaults and the sidebar: the set picker, its caption, the upload, the presenter
    switch; returns the current set (None if it cannot load; the sidebar says why).

    app.py calls this once per run, before the page, so every page and every deep link gets it.
    The current set is mirrored in the URL as ``?set=``; the presenter-mode switch (larger text and
    figures for a projector, see :mod:`ui.figures`) as ``?present=1``. Drawn by the entrypoint,
    these widgets keep one widget id on every page (Streamlit hashes the entrypoint's script, not
    the page's, into it), so their values survive page switches without copies in other keys.
    ``current`` is the url_path of the page about to run: a lesson step's bar goes above it
    (:func:`ui.lesson_bar.draw`).
    """
    state.init_state()
    if not warm.started():    # `make run` (server.py) compiles UMAP in its warm-up, once no page is opening
        cached.start_warm_up()
    _keep_training_watched()
    precompute.start_precompute()      # the default set's UMAP and t-SNE, once per server process
    names = set_names()
    _note_unknown_set_link(names)
    params.bind(state.CURRENT_SET, "set", DEFAULT_SET, options=names, warn=False)  # said below
    if st.session_state[state.CURRENT_SET] not in names:    # a guard: the picker must hold its own value
        st.session_state[state.CURRENT_SET] = DEFAULT_SET
    with st.sidebar:
        st.selectbox("Embedding set", names, index=params.index(state.CURRENT_SET, names), key=state.CURRENT_SET)
        params.sync({"set": state.CURRENT_SET})
        es = page_set(report=True)
        if es is not None:
            st.caption(f"**{md_text(es.name)}** · {len(es):,} tokens × {es.dim} dimensions  \n{md_text(es.origin)}")
        _upload()
        figures.presenter_toggle()
        narrow.fold_sidebar_on_narrow_screens()
    _warn_unknown_set_link()
    lesson_bar.draw(current)
    return es


_UNKNOWN_LINK_SET = "_unknown_link_set"   # (set named by the link, set used instead)


def _note_unknown_set_link(names: list[str]) -> None:
    """Remember a ``?set=`` naming a set this server does not have (before bind drops it)."""
    raw = st.query_params.get("set")
    if raw is None or raw in names or params.applied_value(state.CURRENT_SET) == raw:
        return
    st.session_state[_UNKNOWN_LINK_SET] = (raw, None)


def _warn_unknown_set_link() -> None:
    """Say plainly, above the page, that the link's set is not here and which set is used instead;
    shown until another set is picked."""
    note = st.session_state.get(_UNKNOWN_LINK_SET)
    if note is None:
        return
    wanted, used = note
    current = st.session_state[state.CURRENT_SET]
    if used is None:
        st.session_state[_UNKNOWN_LINK_SET] = (wanted, current)
    elif used != current:
        del st.session_state[_UNKNOWN_LINK_SET]
        return
    st.warning(f"This link names the set **{md_text(wanted)}**, which this server does not have (a set "
               "uploaded, trained or encoded lives only in the browser session that made it). Using "
               f"**{md_text(current)}** instead; load or train that set in the sidebar to see the linked view.")


def page_set(*, report: bool = False) -> embedlab.EmbeddingSet | None:
    """The set picked in the sidebar, or None if it cannot be loaded (shown with ``st.error`` when
    ``report``: the sidebar does that once per run, pages then just stop)."""
    try:
        return current_set()
    except embedlab.EmbedLabError as exc:
        if report:
            st.error(md_text(exc))
        return None
