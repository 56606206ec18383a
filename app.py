"""EmbedLab home page."""
import streamlit as st

from ui.setup import setup_page

es = setup_page("Home")
st.title("EmbedLab")
st.write(
    "An embedding gives every item of a vocabulary a vector, so that items used alike end up close "
    "together. EmbedLab lets you see such a space: map it, search it, do arithmetic with it."
)
if es is not None:
    st.write(f"Current set: **{es.name}** — {len(es):,} tokens, {es.dim} dimensions.")
