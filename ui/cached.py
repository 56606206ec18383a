"""st.cache_* wrappers around embedlab: shared read-only objects are loaded once per process."""
from __future__ import annotations

import streamlit as st

import embedlab


@st.cache_resource(max_entries=8, show_spinner="Loading embeddings…")
def builtin_set(name: str) -> embedlab.EmbeddingSet:
    """A built-in set, shared by every session of this process."""
    return embedlab.load(name)
