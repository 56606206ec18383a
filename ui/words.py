"""Words a person types into a page: read as tokens of the set, with what was changed said on the page."""
from __future__ import annotations

import streamlit as st

from embedlab import EmbeddingSet
from embedlab.space.axes import parse_words

from .text import md_text

__all__ = ["typed_words"]


def typed_words(es: EmbeddingSet, text: str, *, limit: int | None = None, what: str = "this figure") -> list[str]:
    """The words of ``text`` (spaces or commas) as tokens of ``es``, each once, in order: matched ignoring
    case where needed (a caption says so), words with no token dropped with one warning naming them all.

    With ``limit``, only the first ``limit`` distinct words are read (a warning says how many were left
    out and why), so a pasted list of thousands of words costs no more than ``limit`` words."""
    words = list(dict.fromkeys(parse_words(text)))
    if limit is not None and len(words) > limit:
        st.warning(f"Showing the first {limit:,} of {len(words):,} words: {md_text(what)} takes at most {limit:,}.")
        words = words[:limit]
    typed = es.resolve(words, drop_missing=True)
    if typed.missing:
        st.warning(md_text(es.unknown_error(typed.missing)) + " — left out.")
    if typed.changed:
        st.caption(md_text(typed.note()))
    return list(dict.fromkeys(typed.tokens))
