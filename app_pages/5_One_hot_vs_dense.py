"""One-hot vs dense: why models learn a small table of numbers instead of one column per word."""
import pandas as pd
import streamlit as st

import embedlab
from embedlab.viz import lesson_plots as lp
from embedlab.lessons import onehot
from embedlab.viz import similarity_heatmap
from ui import figures, params
from ui.figures import plotly_chart
from ui.setup import page_set
from ui.text import md_text
from ui.words import typed_words

CONFIG = {"displaylogo": False}

es = page_set()

st.title("🔢 One-hot vs dense")
st.markdown(
    "A computer first needs a number code for every word. The simplest code, **one-hot**, gives each word its own "
    "column with a single 1 in it — so no two words are ever alike. A **dense embedding** gives each word a short "
    "row of learned numbers, and similar words get similar rows. **Try:** change the words below and compare the "
    "two similarity pictures."
)
if es is None:
    st.stop()

params.bind("oh_words", "words", " ".join(onehot.DEFAULT_TOKENS))
words_text = st.text_input("Your small vocabulary (words separated by spaces or commas)",
                           value=params.value("oh_words"), key="oh_words")
words = typed_words(es, words_text, limit=onehot.MAX_WORDS, what="the one-hot comparison")

try:
    cmp = onehot.compare(es, words)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    params.sync({"words": "oh_words"})
    st.stop()

toks = list(cmp.tokens)
V, d = len(es), es.dim
st.subheader("1 · The same words, coded two ways")
left, right = figures.columns(2)
plotly_chart(lp.onehot_figure(toks, cmp.onehot, title=f"One-hot: {len(toks)} × {len(toks)}"),
             width="stretch", config=CONFIG, key="oh_onehot", where=left)
plotly_chart(lp.dense_rows_figure(toks, cmp.dense, title=f"Dense rows of E: {len(toks)} × {d}"),
             width="stretch", config=CONFIG, key="oh_dense", where=right)
st.caption(
    f"Here the one-hot code only needs {len(toks)} columns because the vocabulary has {len(toks)} words. "
    f"For the whole set **{md_text(es.name)}** every code would have {V:,} entries — all zero except one. "
    f"The dense rows always have {d} numbers, however large the vocabulary.")

st.subheader("2 · How similar are the words?")
left, right = figures.columns(2)
plotly_chart(similarity_heatmap(cmp.onehot_cosine, toks, title="One-hot: cosine similarity"),
             width="stretch", config=CONFIG, key="oh_sim_onehot", where=left)
plotly_chart(similarity_heatmap(cmp.dense_cosine, toks, title="Dense: cosine similarity"),
             width="stretch", config=CONFIG, key="oh_sim_dense", where=right)
pairs = [(cmp.dense_cosine[i, j], toks[i], toks[j]) for i in range(len(toks)) for j in range(i + 1, len(toks))]
best = max(pairs)
st.markdown(
    f"One-hot codes are at right angles: every pair scores **0**, *{md_text(toks[0])}* is as far from "
    f"*{md_text(toks[1])}* as from anything else. The dense rows have structure: the most similar pair here is "
    f"**{md_text(best[1])} – {md_text(best[2])}** "
    f"(cosine {best[0]:.2f}).")

st.subheader("3 · Size at real vocabulary sizes")
sizes = onehot.table_sizes(dim=d)
table = pd.DataFrame({
    "vocabulary V": [f"{s.vocab_size:,}" for s in sizes],
    "one-hot V × V values": [f"{s.onehot_values:,}" for s in sizes],
    "one-hot bytes": [onehot.human_bytes(s.onehot_bytes) for s in sizes],
    f"dense V × {d} values": [f"{s.dense_values:,}" for s in sizes],
    "dense bytes": [onehot.human_bytes(s.dense_bytes) for s in sizes],
    "one-hot is … × larger": [f"{s.ratio:,.0f}" for s in sizes],
})
figures.table(table, key="oh_sizes",
              presenter_columns=("vocabulary V", "one-hot bytes", "dense bytes", "one-hot is … × larger"))
# beside each other; on a projector the chart under the text (in half the page at 1024 px its ticks
# turned sideways into its legend and its title ran past the column)
left, right = figures.columns([1, 1])
left.markdown(
    f"Written out, the one-hot codes of a vocabulary fill a V × V matrix that grows with the *square* of V — but "
    "no model stores them: a one-hot code is just the word's id *i*, and multiplying it by the table is the same as "
    f"reading row *i* (section 4). The real difference is what the codes can say. A dense table is V × {d}: it "
    f"grows in step with the vocabulary, and its {d} numbers per word place similar words near each other. One-hot "
    "codes are all equally far apart, so they cannot say that *cat* is closer to *dog* than to *bond*; a model given "
    "one-hot inputs has to learn such a table itself (its first layer's weights are exactly that).")
left.caption("30,522 = BERT / MiniLM WordPiece; 50,000 ≈ GPT-2's byte-pair vocabulary; 250,000 ≈ a multilingual "
             "model. Stored as float32 (4 bytes per value).")
plotly_chart(lp.sizes_figure(sizes), width="stretch", config=CONFIG, key="oh_sizes_fig", where=right)

st.subheader("4 · Looking a word up = multiplying by its one-hot code")
params.bind("oh_lookup", "lookup", toks[0], options=toks)
if st.session_state.get("oh_lookup") not in toks:
    st.session_state["oh_lookup"] = toks[0]
tok = st.selectbox("Word to look up", toks, index=params.index("oh_lookup", toks), key="oh_lookup")
i = es.index(tok)
res = onehot.lookup(es.vectors, i)
st.markdown(
    f"*{md_text(tok)}* is row **{i:,}** of this set's table E ({V:,} × {d}). Its one-hot code has {V:,} entries with a "
    f"single 1 at position {i:,}. Multiplying it by E picks out exactly that row:")
n_show = 8
nums = pd.DataFrame({"dimension": list(range(n_show)),
                     f"one_hot({tok}) @ E": [f"{x:.6f}" for x in res.product[:n_show]],
                     f"E[{i}]": [f"{x:.6f}" for x in res.row[:n_show]]})
left, right = st.columns([1, 1] if figures.presenter_on() else [2, 3])   # a projector's numbers need room
# (a projector shows the two columns of numbers only: with the dimensions they ran past their half page)
figures.table(nums, key="oh_lookup_table", where=left, presenter_columns=list(nums.columns[1:]))
if res.equal:
    left.success(f"Equal in all {d} dimensions: " + md_text(f"one_hot({tok}) @ E == E[{i}]"))
else:  # pragma: no cover - would mean a numerical surprise
    left.warning("The two differ — please report this.")
plotly_chart(lp.lookup_figure(tok, res.product, res.row), width="stretch", config=CONFIG, key="oh_lookup_fig", where=right)
st.caption("This is why an embedding layer is stored as a table and read by row number: the multiplication would "
           f"do {V:,} × {d} = {V * d:,} multiply-adds to find the same {d} numbers.")

params.sync({"words": "oh_words", "lookup": "oh_lookup"})
