"""Session-state keys shared across pages, and their defaults."""
from __future__ import annotations

import streamlit as st

from embedlab import DEFAULT_SET

CURRENT_SET = "current_set"      # name of the selected embedding set
USER_SETS = "user_sets"          # {name: EmbeddingSet} loaded or trained in this session


def init_state() -> None:
    """Set cross-page defaults once per session (``setdefault``, never overwrite)."""
    st.session_state.setdefault(CURRENT_SET, DEFAULT_SET)
    st.session_state.setdefault(USER_SETS, {})
