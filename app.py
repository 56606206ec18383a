"""EmbedLab home page: what the app is and what each page teaches."""
from pathlib import Path

import streamlit as st

from ui.setup import setup_page
from ui.text import md_text

es = setup_page("Home", "🧭")
st.title("EmbedLab")
st.markdown(
    "An **embedding** gives every word (or token) a list of numbers — a point in a space with hundreds "
    "of dimensions — so that words used alike end up close together. EmbedLab lets you *see* such a space: "
    "map it, search it, do arithmetic with it, and find out what it has learned, bias included."
)
if es is not None:
    st.info(f"Current set: **{md_text(es.name)}** — {len(es):,} tokens, {es.dim} dimensions. "
            "Change it, or load your own vector file, in the sidebar on any page.")

PAGES = [
    ("pages/1_Map.py", "🗺️", "Map",
     "A picture of the whole space squeezed into two (or three) dimensions with PCA, UMAP or t-SNE. "
     "Search a word to see its nearest neighbours, colour the points by cluster or by groups you type, "
     "and see how much the picture distorts the real distances."),
    ("pages/2_Neighbours.py", "🔎", "Neighbours",
     "Which words are closest to a word, or to a sum like `paris - france + italy`? "
     "Compare cosine similarity with Euclidean distance, and look at a whole word list as a heatmap."),
    ("pages/3_Analogies.py", "🧩", "Analogies",
     "man is to king as woman is to … ? Solve analogies with vector arithmetic, see the parallelogram, "
     "and test a whole family of analogies — including the catch in how the answer is picked."),
    ("pages/4_Semantic_axes.py", "🧭", "Semantic axes",
     "Build a direction such as man → woman or poor → rich and line words up along it. "
     "It shows what the space encodes, including social biases."),
    ("pages/5_One_hot_vs_dense.py", "🔢", "One-hot vs dense",
     "Why not just number the words? Compare one-hot codes, where every word is equally far from every "
     "other, with dense vectors, where distance means something."),
    ("pages/6_Token_pipeline.py", "🧱", "Token pipeline",
     "Follow a sentence through a transformer's input: tokenizer pieces, token ids, the embedding table "
     "rows and the position embeddings added to them."),
    ("pages/7_Context.py", "🌀", "Context",
     "The same word in different sentences gets different vectors after the encoder: watch 'bank' move "
     "between rivers and money."),
    ("pages/8_Documents.py", "📄", "Documents",
     "Embed whole sentences or documents and search them by meaning rather than by exact words."),
    ("pages/9_Train.py", "🏋️", "Train",
     "Train your own word vectors on a text you upload and watch the neighbours form as training runs."),
]

st.subheader("Pages")
root = Path(__file__).parent
cols = st.columns(2)
shown = 0
for path, icon, label, text in PAGES:
    if not (root / path).exists():  # pages are added by several people; link only those present
        continue
    with cols[shown % 2].container(border=True):
        st.page_link(path, label=label, icon=icon)
        st.markdown(text)
    shown += 1
