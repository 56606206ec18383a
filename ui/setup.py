"""The call every page starts with: page config, session defaults, sidebar set picker."""
from __future__ import annotations

import streamlit as st

import embedlab
from embedlab import BUILTIN_SETS

from . import cached, state


def current_set() -> embedlab.EmbeddingSet:
    """The embedding set selected in the sidebar."""
    name = st.session_state[state.CURRENT_SET]
    user = st.session_state[state.USER_SETS]
    if name in user:
        return user[name]
    return cached.builtin_set(name)


def setup_page(title: str, icon: str = "🧭") -> embedlab.EmbeddingSet | None:
    """Configure the page and draw the sidebar; return the current set (None if it cannot load)."""
    st.set_page_config(page_title=f"{title} · EmbedLab", page_icon=icon, layout="wide")
    state.init_state()
    names = list(BUILTIN_SETS) + [n for n in st.session_state[state.USER_SETS] if n not in BUILTIN_SETS]
    with st.sidebar:
        st.selectbox("Embedding set", names, key=state.CURRENT_SET)
        try:
            es = current_set()
        except embedlab.EmbedLabError as exc:
            st.error(str(exc))
            return None
        st.caption(f"**{es.name}** · {len(es):,} tokens × {es.dim} dims  \n{es.origin}")
    return es
