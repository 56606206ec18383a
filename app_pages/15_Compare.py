"""Compare two spaces: align one set onto another (orthogonal Procrustes), two linked maps, neighbour overlap."""
import pandas as pd
import streamlit as st

import embedlab
from embedlab.viz.compare import compare_maps
from ui import compare, params
from ui.export import html_button
from ui.figures import plotly_chart
from ui.setup import page_set
from ui.text import csv_bytes, file_stem, md_text

SOURCES = {"demo": "Built-in pair: word2vec vs fastText on one text", "sets": "Two sets of this session"}

page_set()      # the sidebar's set is not needed here, but a broken one is reported like on every page
st.title("Compare two spaces")
st.markdown(
    "Two embeddings of the same words put them at unrelated coordinates: any rotation of a space is as good as "
    "another. So the second space is **rotated onto the first** (orthogonal Procrustes, over the words they "
    "share) and both are drawn in the same axes. Then see which words keep their neighbours and which do not."
)

params.bind("cmp_source", "pair", "demo", options=tuple(SOURCES))
names = compare.set_names()
params.bind("cmp_a", "a", names[0], options=names)
params.bind("cmp_b", "b", names[1] if len(names) > 1 else names[0], options=names)
params.bind("cmp_k", "k", 10, parse=int, check=lambda v: 3 <= v <= 30)
params.bind("cmp_word", "q", "")

source = st.radio("Spaces", tuple(SOURCES),
                  index=params.index("cmp_source", tuple(SOURCES)), key="cmp_source",
                  format_func=SOURCES.get, horizontal=True)
if source == "sets":
    c1, c2 = st.columns(2)
    c1.selectbox("Space A", names, index=params.index("cmp_a", names), key="cmp_a")
    c2.selectbox("Space B (rotated onto A)", names, index=params.index("cmp_b", names), key="cmp_b")
    if len(names) <= 3:
        st.caption("Upload a vector file or train a set (Train page) to compare it here with MiniLM.")
w1, w2 = st.columns([2, 1])
word = w1.text_input("Highlight a word in both maps",
                     value=params.value("cmp_word"), key="cmp_word", placeholder="e.g. government").strip()
k = w2.slider("Neighbours compared per word", 3, 30, value=params.value("cmp_k"), key="cmp_k")
params.sync({"pair": "cmp_source", "a": "cmp_a", "b": "cmp_b", "k": ("cmp_k", str), "q": "cmp_word"})

try:
    if source == "demo":
        with st.spinner("Training word2vec and fastText on the lee corpus (once; then kept on disk)…"):
            a, b = compare.demo_pair()
    else:
        a, b = compare.set_by_name(st.session_state.cmp_a), compare.set_by_name(st.session_state.cmp_b)
    cmp = compare.comparison(a, b, k)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()

if source == "demo":
    st.caption(md_text(f"A: {a.name}, {a.origin}. B: {b.name}, the same settings with fastText, which also "
                       "learns from letter pieces (3 to 6 letters) of each word."))
m1, m2, m3 = st.columns([2, 1, 1])
m1.metric(f"Mean overlap of the top-{cmp.k} neighbours", f"{cmp.mean_overlap:.3f}",
          help="For each shared word: the share of its nearest words in A that are also among its nearest in B, "
               "averaged. 1 = the same neighbours everywhere, near 0 = unrelated.")
m2.metric("Alignment error", f"{cmp.error:.3f}",
          help="How far B's words stay from A's after the best rotation, relative to their length "
               "(0 = B is a rotated copy of A; about 1.4 = no relation).")
m3.metric("Words compared", f"{len(cmp.tokens):,}",
          help=f"The {len(cmp.tokens):,} most frequent of the {cmp.n_shared:,} words both sets have.")
if cmp.note:
    st.caption(md_text(cmp.note) + ".")

# -- two linked maps ---------------------------------------------------------------------------------
tokens = list(cmp.tokens)
hl = None
if word:
    hl = word if word in cmp.tokens else next((t for t in cmp.tokens if t.lower() == word.lower()), None)
    if hl is None:
        st.warning(md_text(f"“{word}” is not among the words both spaces have (of the {len(cmp.tokens):,} "
                           "compared)."))
fig = compare_maps(cmp, highlight=hl)
plotly_chart(fig, width="stretch", key="cmp_maps", config={"displaylogo": False})
st.caption("Both maps use the same axes (a PCA of A), so a word sits in the same place in both when the spaces "
           "agree. Colour: how many of the word's nearest words the two spaces share (grey: none)."
           + (f" The lines join the highlighted word to its {cmp.k} nearest words in A, drawn where they are "
              "in each space (hover a circle for its word; the table below names them)." if hl is not None else " Type a word above to highlight it in both maps."))
caption = [f"A: {a.name} ({len(a):,} words, {a.dim} dimensions). B: {b.name} ({len(b):,} words, {b.dim} "
           "dimensions), rotated onto A with orthogonal Procrustes over their shared words.",
           f"{len(cmp.tokens):,} shared words compared; mean overlap of the top-{cmp.k} neighbours "
           f"{cmp.mean_overlap:.3f}; alignment error {cmp.error:.3f}." + (f" {cmp.note}." if cmp.note else ""),
           "Both maps: a PCA of A's vectors; B's rotated vectors drawn in the same axes."
           + (f" Highlighted: {hl}." if hl is not None else "")]
html_button(fig, title=f"Compare {a.name} and {b.name}", caption=caption,
            file_name=f"{file_stem(a.name)}-vs-{file_stem(b.name)}.html", key="cmp_dl_html")

# -- the highlighted word's neighbours, the words whose neighbours differ most ------------------------------
# stacked and as wide as their content: presenter mode enlarges tables, which overflowed at 1280 px
moved = cmp.moved()
if hl is not None:
    st.subheader(f"Neighbours of “{md_text(hl)}”")
    na, nb = cmp.neighbours(hl)
    shared = set(na) & set(nb)
    st.dataframe(pd.DataFrame({"in A": [t + (" ✓" if t in shared else "") for t in na],
                               "in B": [t + (" ✓" if t in shared else "") for t in nb]}),
                 hide_index=True, key="cmp_word_table")
    st.caption(f"✓ marks a word in both lists: {len(shared)} of {cmp.k}.")
st.subheader("Words whose neighbours differ most")
worst = cmp.most_different(15)
table = pd.DataFrame({"word": [w for w, _ in worst],
                      f"top-{cmp.k} overlap": [round(o, 2) for _, o in worst],
                      "cosine after rotation": [round(float(moved[cmp.position(w)]), 3) for w, _ in worst]})
st.dataframe(table, hide_index=True, key="cmp_worst",
             column_config={f"top-{cmp.k} overlap": st.column_config.NumberColumn(format="%.2f"),
                            "cosine after rotation": st.column_config.NumberColumn(format="%.3f")})
st.caption("Ties are listed by how far the word moved after the rotation (lowest cosine first). Most alike: "
           + ", ".join(f"{md_text(w)} ({o:.0%})" for w, o in cmp.most_alike(5)) + ".")
all_table = pd.DataFrame({"word": tokens, f"top-{cmp.k} overlap": cmp.overlap, "cosine after rotation": moved})
st.download_button("Download every compared word (CSV)", csv_bytes(all_table),
                   file_name=f"{file_stem(a.name)}-vs-{file_stem(b.name)}.csv", mime="text/csv", key="cmp_dl_csv")
