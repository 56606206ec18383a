"""Session-state keys shared across pages, and their defaults."""
from __future__ import annotations

import streamlit as st

from embedlab import DEFAULT_SET

CURRENT_SET = "current_set"      # name of the selected embedding set
USER_SETS = "user_sets"          # {name: EmbeddingSet} loaded or trained in this session
# A selection to apply before the sidebar picker is drawn. Still needed with st.navigation: app.py
# draws the picker before the page runs, and a widget's key cannot be set once the widget is drawn
# in a run, so a page that adds a set (upload, training, documents) leaves it here and reruns.
PENDING_SET = "_pending_set"


def init_state() -> None:
    """Set cross-page defaults once per session (``setdefault``, never overwrite)."""
    st.session_state.setdefault(CURRENT_SET, DEFAULT_SET)
    st.session_state.setdefault(USER_SETS, {})
    pending = st.session_state.pop(PENDING_SET, None)
    if pending is not None:
        st.session_state[CURRENT_SET] = pending


def add_user_set(es, *, select: bool = True) -> str:
    """Make ``es`` selectable on every page for this session (a set loaded from a file, trained,
    or encoded); returns the name it is listed under. Built-in names are never shadowed.

    With ``select=True`` the set becomes current on the next run: the picker is a widget, whose
    value cannot change once drawn in this run, so call ``st.rerun()`` afterwards (or call this
    from a widget callback, which runs before the page is drawn)."""
    from embedlab import BUILTIN_SETS

    init_state()
    name = es.name
    if name in BUILTIN_SETS:
        name = f"{name} (uploaded)"
    st.session_state[USER_SETS][name] = es
    if select:
        st.session_state[PENDING_SET] = name
    return name
