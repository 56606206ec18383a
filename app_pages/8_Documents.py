"""Documents: encode pasted or uploaded texts, see them on a map, search them by meaning."""
from pathlib import PurePath

import numpy as np
import pandas as pd
import streamlit as st

import embedlab
from embedlab.encoder import documents as ed
from embedlab.io import documents as dm
from embedlab.viz.documents import documents_figure
from ui import cached, lessons, params, state
from ui.figures import plotly_chart, table
from ui.setup import page_set
from ui.text import md_text

CONFIG = {"displaylogo": False}
SAMPLE = """Simmer the tomato sauce with garlic and fresh basil for twenty minutes.
Knead the bread dough, then let it rise overnight in a warm kitchen.
Whisk the eggs with sugar until pale before folding in the flour.
The striker scored twice in the second half to win the cup final.
The goalkeeper saved a penalty in the last minute of the match.
Our team trains three evenings a week on the athletics track.
Astronomers pointed the telescope at a distant spiral galaxy.
The rover sent back pictures of dusty red rocks on Mars.
A comet will be visible to the naked eye next spring.
Drink plenty of water and rest if you have a fever.
Regular exercise lowers blood pressure and improves sleep.
The new phone has a faster chip and a brighter screen.
Restart the router if the wireless connection keeps dropping.
Back up your files before installing the system update."""
METHODS = {"pca": "PCA (instant)", "umap": "UMAP (groups neighbours)"}

current = page_set()
st.title("📄 Documents on a map")
st.markdown(
    "Each document — a line, a paragraph or a table cell — becomes one **sentence embedding**, so documents about "
    "the same thing land close together, whatever words they use. **Try:** encode the sample (or your own "
    "texts), then search with a question in your own words.")

# -- 1. input ---------------------------------------------------------------------------------------------
st.subheader("1 · Your documents")
source = st.radio("Source", ("Paste text", "Upload a .txt or .csv file"), horizontal=True, key="docs_source")
mode, column, data, filename = "auto", None, None, None
if source == "Paste text":
    st.session_state.setdefault("docs_text", SAMPLE)
    data = st.text_area("One document per line (or paragraphs separated by a blank line)", key="docs_text",
                        height=220)
else:
    upload = st.file_uploader("A .txt file (one document per line or paragraph) or a .csv file (pick the column)",
                              type=["txt", "csv"], key="docs_upload")
    if upload is not None:
        data, filename = upload.getvalue(), upload.name
        if filename.lower().endswith(".csv"):
            try:
                columns = dm.csv_columns(data, name=filename)
            except embedlab.EmbedLabError as exc:
                st.error(md_text(exc))
                st.stop()
            column = st.selectbox("Column holding the documents", columns, key="docs_column",
                                  index=None, placeholder="the column with the most text")
if filename is None or not filename.lower().endswith(".csv"):
    mode = st.radio("A document is…", ("auto", "lines", "paragraphs"), horizontal=True, key="docs_mode",
                    format_func={"auto": "detect", "lines": "one line", "paragraphs": "one paragraph"}.get)

docs = None
if data or filename is not None:     # an uploaded file of 0 bytes gets its message too
    try:
        docs = dm.read_documents(data, filename=filename, mode=mode, column=column)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
if docs is not None:
    skipped = f", {docs.skipped_empty} empty skipped" if docs.skipped_empty else ""
    col = f" from column {md_text(repr(docs.column))}" if docs.column else ""
    st.caption(f"{len(docs):,} documents read as {docs.mode}{col}{skipped}.")
    default_name = f"documents: {PurePath(filename).stem}" if filename else "documents"
    name = st.text_input("Name of the encoded set (it appears in the sidebar)", value=default_name,
                         key="docs_name")
    if st.button(f"Encode {len(docs):,} documents", type="primary", key="docs_encode"):
        bar = st.progress(0.0, text="Encoding…")
        try:
            es = ed.encode_documents(list(docs.texts), name=name.strip() or "documents",
                                     progress=lambda done, total: bar.progress(
                                         done / total, text=f"Encoding… {done:,} / {total:,}"))
        except embedlab.EmbedLabError as exc:
            st.error(md_text(exc))
        else:
            st.session_state[lessons.DOCS_SET] = es
            state.add_user_set(es)
            st.rerun()

# -- 2. map and search ------------------------------------------------------------------------------------
es = st.session_state.get(lessons.DOCS_SET)
if ed.is_document_set(current):
    es = current          # a documents set picked in the sidebar
if es is None:
    st.info("Encode some documents to see the map and search them.")
    st.stop()

st.subheader(f"2 · Search {md_text(es.name)} ({len(es):,} documents)")
n_cut = sum(es.meta.get("truncated", ()))
if n_cut:
    st.warning(f"{n_cut:,} document(s) had more than 512 tokens; the model read only their first 512 tokens.")
params.bind("docs_q", "q", "looking at the night sky")
params.bind("docs_k", "k", 5, parse=int, check=lambda v: 1 <= v <= 20)
params.bind("docs_method", "method", "pca", options=tuple(METHODS))
params.bind("docs_cut", "cutoff", ed.RELEVANCE_CUTOFF, parse=float, check=lambda v: 0.0 <= v <= 0.9)
query = st.text_input("Search by meaning",
                      value=params.value("docs_q"), key="docs_q", help="A question or a description in your own words")
mid, cut, right = st.columns([1, 1, 1])
k = mid.slider("Results", 1, 20, value=params.value("docs_k"), key="docs_k")
cutoff = cut.slider("Relevance cut-off (cosine)", 0.0, 0.9, step=0.05, value=params.value("docs_cut"), key="docs_cut",
                    help="Results below this cosine similarity are listed but not counted as matches")
method = right.radio("Map", tuple(METHODS),
                     index=params.index("docs_method", tuple(METHODS)), key="docs_method", format_func=METHODS.get)
params.sync({"q": "docs_q", "k": ("docs_k", str), "method": "docs_method", "cutoff": ("docs_cut", str)})

hits, qv = [], None
if query.strip():
    try:
        qv = ed.encode_query(es, query)
        hits = ed.search_vector(es, qv, k=k)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
good = ed.relevant(hits, cutoff)
if hits:
    st.caption(f"{len(good)} of {len(hits)} results reach the cut-off (cosine ≥ {cutoff:.2f}); "
               "the others are the nearest documents, but not about your question."
               if len(good) < len(hits) else f"All {len(hits)} results reach the cut-off (cosine ≥ {cutoff:.2f}).")
    table(pd.DataFrame({"rank": [h.rank for h in hits], "similarity": [round(h.score, 3) for h in hits],
                        "match": ["yes" if h.score >= cutoff else "no" for h in hits],   # ("below cut-off" wrapped at 1024 px)
                        "document": [h.text for h in hits]}),
          key="docs_hits", column_config={"document": st.column_config.TextColumn(width="large"),
                                          "similarity": st.column_config.NumberColumn(format="%.3f")})

if len(es) < 3:
    st.info("The map needs at least 3 documents.")
    st.stop()
if method == "umap" and len(es) < 10:
    st.caption("UMAP needs at least 10 documents; showing PCA.")
    method = "pca"
try:
    proj = cached.projection(es, np.arange(len(es)), method, 2)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()
query_xy = None if qv is None else ed.query_position(es, proj.coords, qv, method=method)
fig = documents_figure(proj.coords, list(es.tokens), query_xy=query_xy, query=query,
                       hit_rows=[h.index for h in good], weak_rows=[h.index for h in hits if h.score < cutoff],
                       cutoff=cutoff,
                       axis_titles=(f"{METHODS[method].split()[0]} 1", f"{METHODS[method].split()[0]} 2"),
                       title="★ = your question (hover a point for its text)", height=600)
plotly_chart(fig, width="stretch", config=CONFIG, key="docs_map")
if query_xy is not None:
    st.caption("Your question is encoded like a document and placed on the map: " + (
        "projected onto the same PCA plane." if method == "pca" else
        "UMAP cannot place a new point exactly, so it sits among its three most similar documents."))
st.caption(f"The documents are now an embedding set: pick **{md_text(es.name)}** in the sidebar to use them on the other "
           "pages (map, neighbours…).")
