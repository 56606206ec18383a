"""EmbedLab home page: what the app is and what each page teaches."""
import streamlit as st

from ui import lesson_bar
from ui.navigation import explorer_pages, uses
from ui.setup import page_set
from ui.text import md_text

es = page_set()
st.title("EmbedLab")
st.markdown(
    "An **embedding** gives every word (or token) a list of numbers — a point in a space with hundreds "
    "of dimensions — so that words used alike end up close together. EmbedLab lets you *see* such a space: "
    "map it, search it, do arithmetic with it, and find out what it has learned, bias included."
)
if es is not None:
    st.info(f"Current set: **{md_text(es.name)}** — {len(es):,} tokens, {es.dim} dimensions. "
            "Change it, or load your own vector file, in the sidebar on any page.")
lesson_bar.home_start()

st.subheader("Where you see embeddings")
for use, pages in uses():
    if not pages:
        continue
    left, right = st.columns([3, 2])
    left.markdown(f"**{use.use}.** {use.sentence}")
    with right:
        for entry in pages:
            st.page_link(entry.file, label=entry.title, icon=entry.icon)

st.subheader("Pages")
cols = st.columns(2)
for i, entry in enumerate(explorer_pages()):
    with cols[i % 2].container(border=True):
        st.page_link(entry.file, label=entry.title, icon=entry.icon)
        st.markdown(entry.summary)
