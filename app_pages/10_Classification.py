"""Classification: dense vectors learn from a few labelled examples, one-hot codes cannot."""
import pandas as pd
import streamlit as st

import embedlab
from embedlab.lessons.labelled import MAX_LABELLED_BYTES, WORD_CATEGORIES
from embedlab.viz.uses_classify import KIND_LABELS, boundary_figure, learning_curve_figure
from ui import params
from ui import uses_classify as uc
from ui.figures import plotly_chart
from ui.setup import page_set
from ui.text import md_text

CONFIG = {"displaylogo": False}
SOURCES = {"polarity": "Movie-review sentences (positive / negative)",
           "words": "Word categories (Google analogy file)", "upload": "Upload a labelled CSV"}
CATEGORY_LABELS = {"country": "countries", "capital": "capital cities", "currency": "currencies",
                   "us-state": "US states", "us-city": "US cities", "family": "family words"}
DEFAULT_CATS = [c for c in WORD_CATEGORIES if c != "currency"]   # only 7 currency words are MiniLM tokens
PRESETS = {"countries vs capitals": ["country", "capital"], "family words vs US states": ["family", "us-state"],
           "all but currencies": DEFAULT_CATS}
SEED = 0

es = page_set()
st.title("🏷️ Classification")
st.markdown(
    "Give a classifier a handful of labelled examples and ask it to label new items. With **dense vectors** "
    "what it learns from *paris* carries over to *rome*, because they share dimensions; with **one-hot ids** "
    "every new word is a stranger. **Try:** compare the two curves, then look at the decision boundary below.")
if es is None:
    st.stop()


def _cats(raw: str) -> list[str]:
    return [c for c in raw.split(",") if c]


params.bind("cls_source", "data", "polarity", options=tuple(SOURCES))
params.bind("cls_cats", "cats", DEFAULT_CATS, parse=_cats,
            check=lambda v: len(set(v)) >= 2 and set(v) <= set(WORD_CATEGORIES))
params.bind("cls_repeats", "splits", 10, parse=int, check=lambda v: 5 <= v <= 20)
params.bind("cls_dense", "plane", True, parse=params.to_bool)


def use_preset(cats):
    st.session_state["cls_cats"] = list(cats)


# -- 1. data ------------------------------------------------------------------------------------------
st.subheader("1 · Labelled data")
source = st.radio("Data", tuple(SOURCES), format_func=SOURCES.get, horizontal=True,
                  index=params.index("cls_source", tuple(SOURCES)), key="cls_source")
data = None
try:
    if source == "polarity":
        data = uc.polarity()
    elif source == "words":
        cats = st.multiselect("Categories (each word is labelled with its category)", tuple(WORD_CATEGORIES),
                              format_func=CATEGORY_LABELS.get, key="cls_cats",
                              default=params.value("cls_cats", tuple(WORD_CATEGORIES)))
        cols = st.columns(len(PRESETS))
        for col, (label, preset) in zip(cols, PRESETS.items()):
            col.button(label, on_click=use_preset, args=(preset,), key=f"cls_preset_{preset[0]}_{len(preset)}",
                       width="stretch")
        if len(cats) < 2:
            st.info("Pick at least two categories.")
        else:
            data = uc.word_categories(tuple(cats))
    else:
        upload = st.file_uploader(f"A CSV or TSV file with a header line: a text column and a label column "
                                  f"(at most {MAX_LABELLED_BYTES // 2**20} MB, 2,000 rows)", type=["csv", "tsv", "txt"],
                                  key="cls_upload", max_upload_size=MAX_LABELLED_BYTES // 2**20)
        if upload is not None:
            raw, name = upload.getvalue(), upload.name
            header = uc.labelled_columns(raw, name)
            lower = [h.lower() for h in header]
            c1, c2, c3 = st.columns(3)
            text_col = c1.selectbox("Text column", header, key="cls_text_col",
                                    index=lower.index("text") if "text" in lower else 0)
            label_col = c2.selectbox("Label column", header, key="cls_label_col",
                                     index=lower.index("label") if "label" in lower else min(1, len(header) - 1))
            kind = c3.radio("Each text is…", ("sentences", "words"), horizontal=True, key="cls_kind",
                            format_func={"sentences": "a sentence (MiniLM)", "words": "a word (this set)"}.get)
            data = uc.labelled_csv(raw, name, text_col, label_col, kind)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    data = None
params.sync({"data": "cls_source", "cats": ("cls_cats", ",".join)})
if data is None:
    st.stop()

counts = ", ".join(f"{n:,} {md_text(c)}" for c, n in data.counts().items())
dense_name = "MiniLM sentence vectors (384 dims)" if data.kind == "sentences" else \
    f"the rows of {md_text(es.name)} ({es.dim} dims)"
sparse_name = "bag-of-words counts" if data.kind == "sentences" else "one-hot ids"
st.caption(f"{md_text(data.source)} · {len(data.items):,} {data.kind}: {counts}. "
           + " ".join(md_text(n) for n in data.notes))

# -- 2. learning curve --------------------------------------------------------------------------------
st.subheader("2 · How many labelled examples does it need?")
repeats = st.slider("Random splits averaged", 5, 20, value=params.value("cls_repeats"), key="cls_repeats")
try:
    curve = uc.learning_curve(data, es, repeats, SEED)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()
dense_kind, sparse_kind = uc.DENSE_KIND[data.kind], uc.SPARSE_KIND[data.kind]
plotly_chart(learning_curve_figure(curve, title=f"Dense vectors vs {sparse_name}: accuracy on unseen items"),
             width="stretch", config=CONFIG, key="cls_curve")
largest = curve.sizes[-1]
m1, m2, m3 = st.columns(3)
m1.metric(f"Dense, {largest} per class", f"{curve.at(dense_kind, largest):.0%}")
m2.metric(f"{sparse_name.capitalize()}, {largest} per class", f"{curve.at(sparse_kind, largest):.0%}")
m3.metric("Chance", f"{curve.chance:.0%}")
dropped = f" {curve.dropped_items:,} items not in the set were left out." if curve.dropped_items else ""
st.caption(
    f"Features: {dense_name} vs {sparse_name}; the same logistic regression on the same labelled examples. "
    f"{', '.join(map(str, curve.sizes))} labelled examples per class, {curve.test_per_class} held-out items "
    f"per class, {repeats} random splits (seed {SEED}); line = mean accuracy on the held-out items, band = ± one "
    f"standard deviation over the splits; chance = {curve.chance:.0%} (the test sets are balanced)."
    f" {curve.n_items:,} items used.{dropped}")
if data.kind == "words":
    st.info("**Why one-hot cannot generalise:** a held-out word was never a training word, so its one-hot id is a "
            "column no training example has. The model learned no weight for it and gives every unseen word the "
            "same answer — chance, however many examples it sees. Dense vectors share their dimensions between "
            "words, so what was learned from the training words applies to new ones.")
else:
    st.info("**Why bag-of-words barely learns:** a new sentence is scored only through the words it shares with "
            "the training sentences; words never seen in training (most of them, with few examples) share no "
            "feature with anything learned. Sentence vectors place sentences of similar meaning close together, "
            "whatever their words.")

# -- 3. decision boundary -----------------------------------------------------------------------------
st.subheader("3 · The decision boundary in a flat picture")
default_per = max(s for s in curve.sizes if s <= 20)   # enough examples for the full model to beat chance
params.bind("cls_per", "per", default_per, parse=int, check=lambda v: v in curve.sizes)
if st.session_state["cls_per"] not in curve.sizes:     # left from another data set
    st.session_state["cls_per"] = default_per
b1, b2 = st.columns([2, 3])
dense = b1.toggle(f"Dense features (off: {sparse_name})", value=params.value("cls_dense"), key="cls_dense")
per = b2.select_slider("Labelled examples per class", curve.sizes, value=params.value("cls_per"), key="cls_per")
params.sync({"splits": ("cls_repeats", str), "plane": ("cls_dense", params.from_bool), "per": ("cls_per", str)})
try:
    db = uc.decision_boundary(data, es, dense, per, SEED)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()
feature_name = dense_name if dense else sparse_name
plotly_chart(boundary_figure(db, title=f"{KIND_LABELS[db.kind]} in their 2-D PCA plane"), width="stretch",
             config=CONFIG, key="cls_boundary")
n1, n2, n3 = st.columns(3)
n1.metric("Accuracy in the 2-D plane", f"{db.accuracy_2d:.0%}")
n2.metric("All dimensions", f"{db.accuracy_full:.0%}")
n3.metric("Variance kept", f"{sum(db.explained_variance):.0%}")
st.caption(
    f"Features: {feature_name}, squeezed to their two main directions (PCA, fitted without labels). The model "
    f"learned from {per} examples per class (filled dots) and is scored on {int(db.test.sum()):,} held-out items "
    f"(open circles; crosses = wrong). The shaded regions are the classes it predicts in the plane; "
    f"“all dimensions” is the same model and split on the full features.")
if db.accuracy_2d <= curve.chance + 0.1 < db.accuracy_full:
    st.warning(f"The 2-D plane keeps almost nothing of these labels: {db.accuracy_2d:.0%} is about chance "
               f"({curve.chance:.0%}), while all dimensions give {db.accuracy_full:.0%}. The two directions along "
               "which these vectors vary most are not the ones that separate the classes"
               + (" (for the movie reviews: topic and style, not sentiment)." if source == "polarity" else "."))
elif db.accuracy_2d <= curve.chance + 0.1:
    st.warning(f"Neither the plane ({db.accuracy_2d:.0%}) nor all dimensions ({db.accuracy_full:.0%}) do much "
               f"better than chance ({curve.chance:.0%}) with {per} examples per class.")
st.markdown(f"**Held-out items the 2-D model got wrong** ({len(db.misclassified):,} of {int(db.test.sum()):,})")
st.dataframe(pd.DataFrame([{"item": m.item, "label": m.label, "predicted (2-D)": m.predicted}
                           for m in db.misclassified], columns=["item", "label", "predicted (2-D)"]),
             hide_index=True, width="stretch", key="cls_wrong",     # (a long sentence hid the other columns)
             column_config={"item": st.column_config.TextColumn(width=300)})
