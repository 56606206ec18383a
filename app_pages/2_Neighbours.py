"""Neighbours: nearest tokens to a word or an arithmetic expression; a similarity heatmap."""
import pandas as pd
import streamlit as st

import embedlab
from embedlab.space.neighbours import resolve_query
from embedlab.viz import neighbor_bar, similarity_heatmap
from embedlab.viz.explorer import MAX_HEATMAP_WORDS
from embedlab.core.search import cosine_matrix
from ui import cached, figures, lesson_bar, params
from ui.figures import plotly_chart
from ui.setup import page_set
from ui.text import md_text
from ui.words import typed_words

es = page_set()
st.title("Neighbours")
st.markdown(
    "Every word is a point; its **neighbours** are the points closest to it. Type a word to see which words the "
    "space puts next to it, or an expression such as `paris - france + italy` to search near a point made by "
    "arithmetic. Below, type a list of words to compare them all with each other."
)
if es is None:
    st.stop()

params.bind("nb_query", "q", "king")
params.bind("nb_k", "k", 10, parse=int, check=lambda v: 1 <= v <= 50)
params.bind("nb_metric", "metric", "cosine", options=("cosine", "euclidean"))
params.bind("nb_words", "words", "king queen man woman prince princess apple banana")

left, right = st.columns([2, 1])
query = left.text_input("Word or expression",
                        value=params.value("nb_query"), key="nb_query", help="e.g. king, or paris - france + italy")
k = right.slider("How many neighbours", 1, 50, value=params.value("nb_k"), key="nb_k")
metric = st.radio("Distance", ("cosine", "euclidean"),
                  index=params.index("nb_metric", ("cosine", "euclidean")), key="nb_metric", horizontal=True,
                  format_func=lambda m: {"cosine": "cosine similarity (angle)",
                                         "euclidean": "Euclidean distance (straight line)"}[m])
st.caption(
    "Cosine compares only the *direction* of two vectors; Euclidean distance also counts their *length*, "
    "and these vectors are not normalized — frequent and rare words differ in length, so the two rankings "
    "can disagree.")
words_text = st.text_area("Words to compare with each other (heatmap)",
                          value=params.value("nb_words"), key="nb_words", height=80)
params.sync({"q": "nb_query", "k": ("nb_k", str), "metric": "nb_metric", "words": "nb_words"})

if query.strip() and lesson_bar.revealed():   # a lesson's question first, then the answer
    searched, resolution = resolve_query(es, query)
    if resolution.changed:
        st.caption(md_text(resolution.note()))
    try:
        found, inputs, approximate = cached.neighbors(es, searched, k, metric)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
    else:
        score = "cosine similarity" if metric == "cosine" else "Euclidean distance"
        st.subheader(f"Nearest to {md_text(searched)}")
        table = pd.DataFrame({"rank": range(1, len(found) + 1), "token": [n.token for n in found],
                              score: [round(n.score, 3) for n in found]})
        c1, c2 = st.columns(2)
        # short headers and narrow number columns: all three fit a ~200 px column (800 px, sidebar open)
        short = "cosine" if metric == "cosine" else "distance"
        figures.table(table, key="nb_table", where=c1, column_config={
            "rank": st.column_config.NumberColumn("#", width=36),
            score: st.column_config.NumberColumn(short, help=score, format="%.4f", width=72)})
        plotly_chart(neighbor_bar([n.token for n in found], [n.score for n in found], metric=metric),
                     width="stretch", config={"displaylogo": False}, key="nb_bar", where=c2)
        st.caption(cached.search_note(es, approximate))
        if len(inputs) > 1:
            st.caption(f"The words of the expression ({md_text(', '.join(inputs))}) are left out of the results.")

words = typed_words(es, words_text, limit=MAX_HEATMAP_WORDS, what="the heatmap")
if len(words) >= 2:
    st.subheader("Cosine similarity between the words")
    plotly_chart(similarity_heatmap(cosine_matrix(es, words), words), width="stretch",
                 config={"displaylogo": False}, key="nb_heatmap")
    st.caption("1 = same direction, 0 = unrelated (at right angles), negative = pointing apart.")
elif words:
    st.info("Type at least two words for the heatmap.")
