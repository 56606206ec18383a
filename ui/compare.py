"""Session glue of the Compare page: the sets to pick from, the built-in pair and the cached comparison."""
from __future__ import annotations

import streamlit as st

from embedlab import BUILTIN_SETS, EmbeddingSet
from embedlab.space.compare import Comparison, compare_sets

from . import cached, state
from .cached import SET_HASH

PAIR_SCOPE = "demo"


@st.cache_resource(max_entries=1, show_spinner=False)
def demo_pair() -> tuple[EmbeddingSet, EmbeddingSet]:
    """word2vec and fastText on the lee corpus (trained once, then read from the disk cache)."""
    from embedlab.train.pair import demo_pair as make

    return make()


def set_names() -> list[str]:
    """The sets this session can compare: built-in, then uploaded / trained / encoded ones."""
    user = st.session_state.get(state.USER_SETS, {})
    return [n for n in BUILTIN_SETS if n != "minilm-positions"] + [n for n in user if n not in BUILTIN_SETS]


def set_by_name(name: str) -> EmbeddingSet:
    user = st.session_state.get(state.USER_SETS, {})
    return user[name] if name in user else cached.builtin_set(name)


@st.cache_data(max_entries=16, show_spinner="Aligning the two spaces…", hash_funcs=SET_HASH)
def comparison(a: EmbeddingSet, b: EmbeddingSet, k: int) -> Comparison:
    return compare_sets(a, b, k=k)
