"""Cached wrappers for the lesson pages (one-hot vs dense, token pipeline, context, documents).

The encoder weights are a shared read-only resource (``st.cache_resource``); results of the
encoder for given texts are cached per process (``st.cache_data``). No widgets in here.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from embedlab import encoder as transformer

from . import cached

DOCS_SET = "docs_set"          # the EmbeddingSet encoded on the Documents page (this session)


@st.cache_resource(max_entries=1, show_spinner="Loading the MiniLM encoder…")
def encoder() -> transformer.EncoderWeights:
    """Load the weights once per process; the GELU kernel compiles in the background."""
    transformer.warm_up(wait=False)
    return transformer.load_weights()


@st.cache_data(max_entries=64, show_spinner=False)
def input_stages(text: str) -> transformer.InputStages:
    encoder()
    return transformer.input_stages(text)


@st.cache_data(max_entries=8, show_spinner=False)
def position_table() -> np.ndarray:
    return encoder().position


@st.cache_data(max_entries=32, show_spinner="Running the encoder…")
def word_in_contexts(word: str, sentences: tuple[str, ...]) -> transformer.WordInContexts:
    encoder()
    return transformer.word_in_contexts(word, list(sentences))


@st.cache_data(max_entries=64, show_spinner="Encoding sentences…")
def sentence_vectors(texts: tuple[str, ...]) -> np.ndarray:
    encoder()
    return transformer.encode_sentences(list(texts))


@st.cache_data(max_entries=64, show_spinner=False)
def static_neighbours(word: str, k: int) -> tuple[list[str], np.ndarray]:
    """``word`` and its ``k`` nearest whole words in the token table E, with their rows (word first)."""
    es = cached.builtin_set("minilm-words")
    if word not in es:
        es = cached.builtin_set("minilm-tokens")
    found = es.neighbors(word, k)
    tokens = [word] + [n.token for n in found]
    return tokens, np.asarray(es.vectors[es.indices(tokens)])


def note_own_model(page_does: str) -> None:
    """One ``st.info`` line when the sidebar's set is not MiniLM's: the Token pipeline and Context
    pages run the MiniLM model itself (its tokenizer, table E and encoder layers), whatever set is picked."""
    from . import state

    name = st.session_state.get(state.CURRENT_SET)
    if name is None or str(name).startswith("minilm-"):
        return
    from .text import md_text

    st.info(f"This page uses **all-MiniLM-L6-v2**'s own tokenizer, embedding table and encoder, not the "
            f"sidebar's set **{md_text(name)}**: {page_does}, which only that model has.")
