"""Token pipeline: text -> WordPiece tokens -> ids -> rows of E (+ positions) -> LayerNorm."""
import numpy as np
import pandas as pd
import streamlit as st

import embedlab
from embedlab.viz import lesson_plots as lp
from embedlab.io.sources import token_kind
from embedlab.encoder import MAX_TOKENS, sinusoidal_encoding
from ui import lessons, params
from ui.figures import columns, number_formats, plotly_chart
from ui.text import md_text

CONFIG = {"displaylogo": False}
DEFAULT_TEXT = "Embeddings turn unbelievable tokenization into geometry!"
MAX_CHIPS = 96
MAX_ROWS = 64          # token rows drawn in the pipeline heatmaps (3 x 64 x 384 cells stay light in a browser)

st.title("🧩 From text to vectors: the token pipeline")
st.markdown(
    "Before a transformer can read text, the text is cut into **tokens** (whole words or word pieces), each token "
    "becomes a **row number** (its id), and the id picks a **row of the embedding table E**. A learned **position "
    "vector** is added so the model knows the order, and LayerNorm rescales the result. **Try:** type a long or "
    "rare word and watch it fall apart into pieces marked `##`."
)

lessons.note_own_model("it shows how a transformer cuts text into tokens and looks them up")
params.bind("tp_text", "text", DEFAULT_TEXT)
params.bind("tp_n", "positions", 128, parse=int, check=lambda v: 8 <= v <= MAX_TOKENS)
text = st.text_input("Text",
                     value=params.value("tp_text"), key="tp_text",
                     help="Anything: a sentence, a made-up word, another language…")
params.sync({"text": "tp_text", "positions": ("tp_n", str)})

try:
    stages = lessons.input_stages(text)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()

tok = stages.tokenization
n = len(tok)
if tok.truncated:
    st.warning(f"The text has {tok.n_tokens_before_truncation:,} tokens; the model reads at most {MAX_TOKENS}, so it "
               f"was cut to the first {MAX_TOKENS} ([CLS] + {MAX_TOKENS - 2} + [SEP]).")

st.subheader("1 · Tokens and their ids")
shown = min(n, MAX_CHIPS)
plotly_chart(lp.chips_figure(tok.tokens[:shown], tok.ids[:shown], truncated=tok.truncated), width="stretch",
             config=CONFIG, key="tp_chips")
pieces = sum(tok.is_subword)
st.markdown(
    f"**{n}** tokens, including the special **[CLS]** (start) and **[SEP]** (end). "
    + (f"**{pieces}** of them are sub-word pieces (`##…`): the word was not in the vocabulary as a whole, "
       "so it is spelled from pieces that are." if pieces else "Every word was in the vocabulary as a whole.")
    + (f" Only the first {MAX_CHIPS} chips are drawn." if n > MAX_CHIPS else ""))
with st.expander("Tokens as a table"):
    st.dataframe(pd.DataFrame({"position": range(n), "token": tok.tokens, "id": tok.ids,
                               "kind": [token_kind(t) for t in tok.tokens],
                               "characters": [text[a:b] if b > a else "" for a, b in tok.offsets]}),
                 hide_index=True, width="stretch", key="tp_table")

st.subheader("2 · Rows of E, plus positions, then LayerNorm")
labels = lp.row_labels(tok.tokens)
V, d = stages.vocab_size, stages.word.shape[1]
st.markdown(
    f"The embedding table **E** has shape **{V:,} × {d}**: one row of {d} numbers per token id. The ids above "
    f"pick {n} of its rows. Each row then gets the learned **position vector** of its place in the text added "
    "(and a constant segment vector), and **LayerNorm** rescales every row to mean 0 and spread 1 before the "
    "learned scale: that is exactly what the first attention layer receives.")
r = min(n, MAX_ROWS)
plotly_chart(lp.pipeline_figure([(f"rows of E ({n} × {d})", stages.word[:r]),
                                  (f"+ position vectors 0…{n - 1}", stages.position[:r]),
                                  ("= LayerNorm(sum): input to layer 1", stages.normed[:r])], labels[:r]),
             width="stretch", config=CONFIG, key="tp_pipeline")
if n > r:
    st.caption(f"Only the first {r} of the {n} token rows are drawn.")
st.caption("Colours are capped at the 99th percentile of each panel so a few large dimensions do not wash the "
           "picture out; hover for the exact numbers. The middle panel does not depend on the text at all: "
           "position 3 gets the same vector whatever token stands there.")
norms = pd.DataFrame({"position · token": labels,
                      "length of E row": np.linalg.norm(stages.word, axis=1).round(3),
                      "length of position vector": np.linalg.norm(stages.position, axis=1).round(3),
                      "length after LayerNorm": np.linalg.norm(stages.normed, axis=1).round(3)})
with st.expander("Vector lengths at each step"):
    st.dataframe(norms, hide_index=True, width="stretch", key="tp_norms", column_config=number_formats(norms))

st.subheader("3 · Position vectors: learned vs. the classic sinusoidal code")
st.markdown(
    "This model *learned* its 512 position vectors. The original transformer used a fixed pattern of sines and "
    "cosines instead. In both, **nearby positions have similar vectors** — the bright band along the diagonal.")
npos = st.slider("Positions shown", 8, MAX_TOKENS, value=params.value("tp_n"), key="tp_n", step=8)
c1, c2 = columns(2)
plotly_chart(lp.position_similarity_figure(lessons.position_table(), n=npos,
                                           title=f"Learned position vectors 0…{npos - 1}: cosine"),
             width="stretch", config=CONFIG, key="tp_pos_sim", where=c1)
pe = sinusoidal_encoding(npos, d)
plotly_chart(lp.position_similarity_figure(pe, title=f"Sinusoidal encoding 0…{npos - 1}: cosine"),
             width="stretch", config=CONFIG, key="tp_sin_sim", where=c2)
plotly_chart(lp.sinusoidal_figure(pe[:, :128], title="The sinusoidal encoding itself (first 128 of "
                                  f"{d} dimensions): fast waves on the left, slow on the right"),
             width="stretch", config=CONFIG, key="tp_sin")
