"""Knowledge graphs: TransE learns a relation as one translation vector, head + relation ≈ tail."""
import pandas as pd
import streamlit as st

import embedlab
from embedlab.lessons.knowledge import RELATION_NAMES, Triple, translation_agreement, triples_in_set
from embedlab.viz import uses_graphs as vg
from ui import figures, params
from ui import uses_graphs as ug
from ui.figures import plotly_chart
from ui.setup import page_set
from ui.text import md_text

CONFIG = {"displaylogo": False}
SOURCES = {"analogy": "Google analogy relations", "hypernyms": "WordNet hypernyms (is-a)"}
MODES = {"words": "fixed word vectors + learned relations", "scratch": "TransE from scratch"}
RELATIONS = tuple(dict.fromkeys(name for name, _ in RELATION_NAMES.values()))
MIN_WORD_TRIPLES = 20

es = page_set()
st.title("🔗 Knowledge graphs: TransE")
st.markdown(
    "A knowledge graph stores facts as triples *(head, relation, tail)*: **(athens, capital-of, greece)**. "
    "**TransE** gives every entity a vector and every relation a vector, and trains them so that "
    "**head + relation ≈ tail**. A relation becomes one step through the space. **Try:** train, see which "
    "held-out facts each model gets right, then ask the graph a question.")
if es is None:
    st.stop()

params.bind("kg_source", "source", "analogy", options=tuple(SOURCES))
params.bind("kg_relations", "relations", list(RELATIONS), parse=lambda s: [r for r in s.split(",") if r],
            check=lambda v: bool(v) and all(r in RELATIONS for r in v))
params.bind("kg_epochs", "epochs", 100, parse=int, check=lambda v: 20 <= v <= 300)
params.bind("kg_dim", "dim", 64, parse=int, options=(16, 32, 64, 128))
params.bind("kg_seed", "seed", 0, parse=int, check=lambda v: 0 <= v <= 9999)
SYNC = {"source": "kg_source", "relations": ("kg_relations", ",".join), "epochs": ("kg_epochs", str),
        "dim": ("kg_dim", str), "seed": ("kg_seed", str)}

c1, c2 = figures.columns([1, 2])     # (one under the other on a projector: "Google analogy relati…" at 1024 px)
source = c1.selectbox("Triples from", tuple(SOURCES),
                      index=params.index("kg_source", tuple(SOURCES)), key="kg_source", format_func=SOURCES.get)
if source == "analogy":
    chosen = c2.multiselect("Relations (from the sections of the Google analogy file)", RELATIONS,
                            default=params.value("kg_relations", RELATIONS), key="kg_relations")
    triples = [t for t in ug.analogy_triples() if t.relation in chosen]
else:
    triples = ug.hypernym_triples()
if not triples:
    st.info("Pick at least one relation.")
    params.sync(SYNC)
    st.stop()
examples = list({t.relation: t for t in reversed(triples)}.values())[::-1][:8]
st.dataframe(pd.DataFrame([{"head": t.head, "relation": t.relation, "tail": t.tail} for t in examples]),
             hide_index=True, key="kg_examples")
in_set = triples_in_set(triples, es)
words_ok = len(in_set) >= MIN_WORD_TRIPLES
used = in_set if words_ok else triples
st.caption(
    f"{len(triples):,} triples ({md_text(SOURCES[source])}, shipped in gensim's test data); above, one example "
    f"of each of {len(examples)} relations. {len(in_set):,} of them have both words in the set **{md_text(es.name)}**"
    + ("; both models use these." if words_ok else
       f": too few for the word-vector model (it needs {MIN_WORD_TRIPLES}), so only TransE from scratch is "
       "trained, on all of them."))

with st.form("kg_form"):
    f1, f2, f3 = st.columns(3)
    f1.slider("Epochs", 20, 300, step=10, value=params.value("kg_epochs"), key="kg_epochs")
    f2.select_slider("Dimensions (from scratch)", (16, 32, 64, 128), value=params.value("kg_dim"), key="kg_dim")
    f3.number_input("Seed", 0, 9999, step=1, value=params.value("kg_seed"), key="kg_seed")
    st.form_submit_button("Train", type="primary")
params.sync(SYNC)
epochs, dim, seed = (int(st.session_state[k]) for k in ("kg_epochs", "kg_dim", "kg_seed"))
words = es if words_ok else None
try:
    if ug.has_comparison(used, words, dim, epochs, seed):
        run = ug.comparison(used, words, dim, epochs, seed)
    else:
        bar = st.progress(0.0, text="Training TransE…")
        run = ug.comparison(used, words, dim, epochs, seed, progress=lambda f, text: bar.progress(min(f, 1.0), text))
        bar.empty()
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()
modes = [m for m in MODES if m in run.models]
n_ent = len(run.models[modes[0]].entities)

st.subheader("1 · Training and held-out facts")
plotly_chart(vg.transe_loss_figure({MODES[m]: run.models[m].losses for m in modes}), width="stretch",
             config=CONFIG, key="kg_loss_fig")
st.caption(f"{len(run.train):,} training triples, {epochs} epochs, seed {seed}. Margin loss: how far each true "
             "tail still is from beating a random wrong one.")
parts = {"seen": f"both entities seen in training ({len(run.seen)})",
         "unseen": f"an entity never seen in training ({len(run.unseen)})"}
rows = [(MODES[m], parts[p], run.results[(m, p)].hits_at_10) for m in modes for p in parts if run.results[(m, p)]]
chance = run.results[(modes[0], "all")].chance_hits_at_10
plotly_chart(vg.link_prediction_figure(rows, chance), width="stretch", config=CONFIG, key="kg_lp_fig")
table = pd.DataFrame([{"model": MODES[m], "test triples": parts[p], "hits@1": round(r.hits_at_1, 3),
                       "hits@10": round(r.hits_at_10, 3), "mean rank": round(r.mean_rank, 1),
                       "chance hits@10": round(r.chance_hits_at_10, 3), "chance mean rank": round(n_ent / 2)}
                      for m in modes for p in parts if (r := run.results[(m, p)])])
figures.table(table, key="kg_lp_table",
              presenter_columns=("model", "test triples", "hits@10", "mean rank", "chance hits@10"))
st.caption(
    f"{len(run.test):,} held-out triples (30 %): for each (head, relation, ?) all {n_ent:,} entities are ranked by "
    "distance to head + relation; other true tails are left out of the ranking (the filtered setting). "
    "hits@10 = share of triples whose true tail is in the top 10; chance is 10 of "
    f"{n_ent - 1:,}.")
st.info(
    "**The lesson:** from scratch, an entity that no training triple mentions keeps its random starting vector, "
    "so TransE cannot place it — those test triples stay at chance. "
    + ("With fixed word vectors every entity already has a place learned from text, and one learned translation "
       "per relation reaches them too." if words_ok else
       "Word vectors would give every entity a place learned from text, but too few of these triples have both "
       "words in this set."))

st.subheader("2 · Ask the graph")
params.bind("kg_mode", "mode", modes[0], options=modes)
if st.session_state.get("kg_mode") not in modes:
    st.session_state["kg_mode"] = modes[0]
mode = st.radio("Model", modes,
                index=params.index("kg_mode", modes), key="kg_mode", format_func=MODES.get, horizontal=True)
model = run.models[mode]
heads = sorted({t.head for t in used})
params.bind("kg_head", "head", "paris" if "paris" in heads else heads[0], options=heads)
params.bind("kg_rel", "rel", "capital-of" if "capital-of" in model.relations else model.relations[0],
            options=model.relations)
for key, opts in (("kg_head", heads), ("kg_rel", model.relations)):
    if st.session_state.get(key) not in opts:
        st.session_state[key] = opts[0]
a1, a2 = st.columns(2)
head = a1.selectbox("Head", heads, index=params.index("kg_head", heads), key="kg_head")
rel = a2.selectbox("Relation", model.relations, index=params.index("kg_rel", model.relations), key="kg_rel")
params.sync({"mode": "kg_mode", "head": "kg_head", "rel": "kg_rel"})
train_set, test_set = set(run.train), set(run.test)


def fact(tail: str) -> str:
    t = Triple(head, rel, tail)
    return "a training fact" if t in train_set else "a held-out fact" if t in test_set else ""


tails = model.tails(head, rel, 5)
st.markdown(f"**{md_text(head)} + {md_text(rel)} ≈ ?**")
st.dataframe(pd.DataFrame({"rank": range(1, len(tails) + 1), "tail": [t for t, _ in tails],
                           "distance to head + relation": [round(d, 3) for _, d in tails],
                           "known as": [fact(t) for t, _ in tails]}), hide_index=True, width="stretch",
             key="kg_tails",
             column_config={"distance to head + relation": st.column_config.NumberColumn(format="%.3f")})
st.caption("The 5 entities nearest to head + relation (Euclidean distance; the head itself left out). "
           "“known as” says whether the triple is one the model trained on, a held-out one, or neither.")

st.subheader("3 · A relation is a translation")
try:
    agree = translation_agreement(model, list(run.train) + list(run.test), rel)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()
m1, m2, m3 = st.columns(3)
m1.metric("tail − head vs the relation vector", f"{agree['with_relation']:.2f}")
m2.metric("tail − head vs other pairs of it", f"{agree['between_pairs']:.2f}")
m3.metric("vs pairs of other relations", f"{agree['other_relations']:.2f}" if "other_relations" in agree else "—",
          help="Needs a second relation among the triples.")
st.caption(f"Mean cosine similarities over the {md_text(rel)} pairs, with {md_text(MODES[mode])}: 1 = the same "
           "direction, 0 = unrelated. High on the left and in the middle, near 0 on the right: one direction "
           "per relation.")
plotly_chart(vg.relation_arrows_figure(model, list(run.train) + list(run.test), rel,
                                       title=f"Pairs of {rel}: head → tail"),
             width="stretch", config=CONFIG, key="kg_arrows_fig")
st.caption("Up to 12 pairs of the relation in a PCA plane of their own entities: roughly parallel arrows of "
           "similar length mean one translation carries every head to its tail. Black: the learned relation "
           "vector, drawn from the heads' centre. Only as many names as fit are labelled; hover for the rest.")
st.page_link("app_pages/3_Analogies.py", label="Analogies: b − a + c is the same idea (b − a is one such step)",
             icon="🧩")
