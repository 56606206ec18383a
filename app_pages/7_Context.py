"""Context: the same word gets one input row but a different output vector in every sentence."""
import numpy as np
import streamlit as st

import embedlab
from embedlab.viz import lesson_plots as lp
from embedlab.io.documents import document_labels
from ui import lessons, params
from ui.figures import columns, plotly_chart
from ui.text import md_text

CONFIG = {"displaylogo": False}
DEFAULT_WORD = "bank"
DEFAULT_SENTENCES = ("We sat on the grassy bank of the river.\n"
                     "She paid her salary into the bank account.\n"
                     "The hospital blood bank needs more donors.\n"
                     "The bank raised its interest rates again.")
DEFAULT_COMPARE = ("The weather is lovely today.\nIt's so sunny outside!\nHe drove to the stadium.\n"
                   "A storm is coming tonight.\nThe match was played in a huge arena.")
MAX_SENTENCES = 12



def cosine_heatmap(matrix, labels, title):
    """Rows labelled with the sentences, columns with their numbers (keeps the axes readable)."""
    return lp.matrix_heatmap(matrix, labels, cols=[str(i + 1) for i in range(len(labels))], title=title,
                             annotate=True, text_format="%{z:.2f}", zmin=-1, zmax=1, colorbar="cosine",
                             xtitle="sentence")


st.title("🌊 Same word, different meaning: contextual embeddings")
st.markdown(
    "A word's row in the embedding table is the same in every sentence — *bank* is *bank*. The transformer's "
    "six attention layers then mix in the words around it, so its **output vector depends on the sentence**. "
    "**Try:** write sentences where a word means different things (bat, light, play, spring…) and see where its "
    "output vectors land.")

lessons.note_own_model("contextual vectors come out of a transformer's attention layers")
params.bind("ctx_word", "word", DEFAULT_WORD)
params.bind("ctx_sents", "sentences", DEFAULT_SENTENCES)
params.bind("ctx_cmp", "compare", DEFAULT_COMPARE)
left, right = st.columns([1, 3])
word = left.text_input("Word", value=params.value("ctx_word"), key="ctx_word")
sent_text = right.text_area("Sentences that use it (one per line)",
                            value=params.value("ctx_sents"), key="ctx_sents", height=140)
params.sync({"word": "ctx_word", "sentences": "ctx_sents", "compare": "ctx_cmp"})

sentences = tuple(s.strip() for s in sent_text.splitlines() if s.strip())
if len(sentences) > MAX_SENTENCES:
    st.caption(f"Only the first {MAX_SENTENCES} of {len(sentences)} sentences are used.")
    sentences = sentences[:MAX_SENTENCES]
try:
    result = lessons.word_in_contexts(word.strip().lower(), sentences)
    static_tokens, static_vectors = lessons.static_neighbours(result.word, 10)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
else:
    m = len(result.sentences)
    off = result.output_cosine[~np.eye(m, dtype=bool)]
    same = "identical" if result.inputs_identical else "not identical (unexpected)"
    st.info(
        f"**Input:** *{md_text(result.word)}* (token id {result.token_id:,}) enters the encoder as the same row of E in all "
        f"{m} sentences — {same}, cosine 1.00. **Output:** after six layers its vectors differ: cosine between "
        f"sentences from {off.min():.2f} to {off.max():.2f}. Its static neighbours (left) never change; its "
        "contextual vectors (right) each sit among the words of their own sentence.")
    st.caption(f"The static neighbours of *{md_text(result.word)}* come from the token table alone: "
               f"{md_text(', '.join(static_tokens[1:6]))}… The table keeps one row per token, so it can only hold the "
               "sense the word has most often; the encoder tells the senses apart.")
    plotly_chart(lp.context_figure(result, static_tokens, static_vectors), width="stretch", config=CONFIG,
                 key="ctx_map")
    st.caption("Both panels are 2-D PCA pictures of the vectors shown in them (separately: the input table and the "
               "encoder's output are different spaces). Hover a point for its token.")
    labels = [f"{i + 1}: {s}" for i, s in enumerate(document_labels(result.sentences, width=24))]
    # side by side; on a projector one under the other (in half a column the cells' numbers ran together)
    c1, c2 = columns(2)
    plotly_chart(cosine_heatmap(result.input_cosine, labels, f"'{result.word}' input rows: cosine"),
                 width="stretch", config=CONFIG, key="ctx_in_sim", where=c1)
    plotly_chart(cosine_heatmap(result.output_cosine, labels, f"'{result.word}' output vectors: cosine"),
                 width="stretch", config=CONFIG, key="ctx_out_sim", where=c2)

st.divider()
st.subheader("Sentence similarity")
st.markdown(
    "Averaging a sentence's output vectors (and scaling to length 1) gives one **sentence embedding**. Sentences "
    "about the same thing point the same way, even with no word in common. Type your own, one per line.")
cmp_text = st.text_area("Sentences to compare (one per line)", value=params.value("ctx_cmp"), key="ctx_cmp", height=150)
all_cmp = tuple(s.strip() for s in cmp_text.splitlines() if s.strip())
cmp = all_cmp[:20]
if len(cmp) < 2:
    st.info("Type at least two sentences, one per line.")
else:
    try:
        vecs = lessons.sentence_vectors(cmp)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
    else:
        labels = [f"{i + 1}: {s}" for i, s in enumerate(document_labels(cmp, width=40))]
        plotly_chart(cosine_heatmap(np.clip(vecs @ vecs.T, -1, 1), labels,
                                    "Cosine similarity of the sentence embeddings"),
                     width="stretch", config=CONFIG, key="ctx_sent_sim")
        if len(all_cmp) > len(cmp):
            st.caption(f"Only the first {len(cmp)} of {len(all_cmp)} sentences are compared.")
