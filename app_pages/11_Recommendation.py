"""Recommendation: a profile vector ("more like these, less like those") and item vectors from baskets."""
import re

import pandas as pd
import streamlit as st

import embedlab
from embedlab.lessons.recommend import MAX_BASKET_BYTES, shared_baskets
from embedlab.viz.uses_classify import item_map_figure, recommendation_figure
from ui import figures, params
from ui import uses_classify as uc
from ui.figures import plotly_chart
from ui.setup import page_set
from ui.text import md_text

CONFIG = {"displaylogo": False}
PRESETS = {"food": ("pizza pasta burger", "salad"), "sports": ("football tennis basketball", "golf"),
           "music": ("guitar piano drums", "violin"), "pets": ("dog cat rabbit", "snake")}
BASKETS = {"events": "Davis Southern Women: events as items", "women": "Davis Southern Women: women as items",
           "upload": "Upload a basket CSV"}
BASKET_NOTES = {
    "events": "Each of the 18 women's set of attended events (1930s Natchez, Mississippi) is one basket: two "
              "events co-occur when the same woman went to both.",
    "women": "Each of the 14 events' attendees is one basket: two women co-occur when they went to the same event.",
    "upload": "Each basket of your file is one basket: two items co-occur when they are in the same basket.",
}

es = page_set()
st.title("🛒 Recommendation")
st.markdown(
    "A recommender can be one vector: the **profile** of a user, the mean of what they like minus a share of what "
    "they dislike. Recommending is then a nearest-neighbour search around that user vector. **Try:** pick a "
    "preset, or type your own likes and dislikes; then let item vectors be learned from baskets below.")
if es is None:
    st.stop()


def _words(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in re.split(r"[\s,;]+", text.strip()) if w))


def use_preset(name):
    st.session_state["rec_liked"], st.session_state["rec_disliked"] = PRESETS[name]


params.bind("rec_liked", "like", PRESETS["food"][0])
params.bind("rec_disliked", "dislike", PRESETS["food"][1])
params.bind("rec_weight", "w", 0.5, parse=float, check=lambda v: 0.0 <= v <= 2.0)
params.bind("rec_k", "k", 10, parse=int, check=lambda v: 5 <= v <= 30)
params.bind("rec_baskets", "baskets", "events", options=tuple(BASKETS))
params.bind("rec_seed", "seed", 0, parse=int, check=lambda v: 0 <= v <= 9999)

# -- 1. more like these, less like those ------------------------------------------------------------
st.subheader("1 · More like these, less like those")
cols = st.columns(len(PRESETS))
for col, name in zip(cols, PRESETS):
    col.button(f"Preset: {name}", on_click=use_preset, args=(name,), key=f"rec_preset_{name}", width="stretch")
c1, c2 = st.columns(2)
liked = _words(c1.text_input("I like… (words of the set, separated by spaces)",
                             value=params.value("rec_liked"), key="rec_liked"))
disliked = _words(c2.text_input("…but not (optional)", value=params.value("rec_disliked"), key="rec_disliked"))
s1, s2 = st.columns(2)
weight = s1.slider("Weight of the dislikes", 0.0, 2.0, step=0.1, value=params.value("rec_weight"), key="rec_weight",
                   help="0 ignores them; 1 subtracts them as much as the likes add.")
k = s2.slider("Recommendations", 5, 30, value=params.value("rec_k"), key="rec_k")
rec = None
if liked:
    try:
        rec = uc.recommendation(es, liked, disliked, k, weight)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
else:
    st.info("Type at least one word you like.")
if rec is not None:
    figures.table(pd.DataFrame([{"rank": r.rank, "recommended": r.token, "cosine to profile": round(r.score, 3),
                                 "because you like": r.closest_liked,
                                 "cosine to it": round(r.closest_liked_cosine, 3)} for r in rec.items]),
                  key="rec_table")
    plotly_chart(recommendation_figure(es, rec, title="Likes, dislikes, recommendations and the profile ★"),
                 width="stretch", config=CONFIG, key="rec_map")
    st.caption(
        f"Set: {md_text(es.name)}. Profile = mean of the {len(rec.liked)} liked unit vectors − {weight:g} × mean "
        f"of the {len(rec.disliked)} disliked; the list is the {len(rec.items)} words with the highest cosine to "
        "it (marked words left out). “Because you like” is the liked word each recommendation is most similar "
        "to — the explanation. The map is a PCA plane of just these words and the profile (★).")

# -- 2. item2vec ------------------------------------------------------------------------------------
st.divider()
st.subheader("2 · Item vectors learned from baskets (item2vec)")
st.markdown(
    "When items are not words, where do their vectors come from? From **co-occurrence**, as word2vec learns a "
    "word from the words around it: treat each basket (an order, a session, the events one person went to) as "
    "a sentence and train skip-gram on it. Items that share baskets end up close.")
b1, b2 = st.columns([3, 1])
which = b1.radio("Baskets", tuple(BASKETS), format_func=BASKETS.get, horizontal=True,
                 index=params.index("rec_baskets", tuple(BASKETS)), key="rec_baskets")
seed = b2.number_input("Seed", 0, 9999, step=1, value=params.value("rec_seed"), key="rec_seed")
baskets = None
try:
    if which == "upload":
        upload = st.file_uploader(
            f"A CSV/TSV: one basket per row (its cells are the items), or a header `basket_id,item` and one "
            f"row per item (at most {MAX_BASKET_BYTES // 2**20} MB)", type=["csv", "tsv", "txt"],
            key="rec_upload", max_upload_size=MAX_BASKET_BYTES // 2**20)
        if upload is not None:
            baskets = uc.basket_csv(upload.getvalue(), upload.name)
    else:
        baskets = uc.davis(which)
    emb = uc.item_vectors(baskets, int(seed)) if baskets is not None else None
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    emb = None
if emb is None:
    params.sync({"like": "rec_liked", "dislike": "rec_disliked", "w": ("rec_weight", str), "k": ("rec_k", str),
                 "baskets": "rec_baskets", "seed": ("rec_seed", str)})
    st.stop()

stats = emb.stats
m = st.columns(4)
m[0].metric("Baskets", f"{stats.n_baskets:,}")
m[1].metric("Distinct items", f"{stats.n_items:,}")
m[2].metric("Items per basket (mean)", f"{stats.mean_size:.1f}")
m[3].metric("Largest basket", f"{stats.max_size:,}")
items = sorted(emb.set.tokens, key=lambda t: (-emb.set.meta["frequency"][emb.set.index(t)], t))
params.bind("rec_item", "item", items[0], options=items)
if st.session_state.get("rec_item") not in items:
    st.session_state["rec_item"] = items[0]
item = st.selectbox("Neighbours of", items, index=params.index("rec_item", items), key="rec_item")
params.sync({"like": "rec_liked", "dislike": "rec_disliked", "w": ("rec_weight", str), "k": ("rec_k", str),
             "baskets": "rec_baskets", "seed": ("rec_seed", str), "item": "rec_item"})
near = emb.set.neighbors(item, min(8, len(emb.set) - 1))
shared = shared_baskets(baskets, item)
plotly_chart(item_map_figure(emb, selected=item, neighbours=[n.token for n in near],
                             title=f"The learned map of {stats.n_items:,} items"),
             width="stretch", config=CONFIG, key="rec_items_map")
st.dataframe(pd.DataFrame([{"item": n.token, "cosine": round(n.score, 3), "baskets shared": shared.get(n.token, 0)}
                           for n in near]), hide_index=True, width="stretch", key="rec_item_table",
             column_config={"cosine": st.column_config.NumberColumn(format="%.3f")})
p = emb.params
st.caption(
    f"{md_text(baskets.source)}. {BASKET_NOTES[which]} " + " ".join(md_text(n) for n in baskets.notes)
    + f" Trained with gensim Word2Vec (skip-gram, the window spans a whole basket so order does not matter, "
    f"{p['vector_size']} dimensions, {p['epochs']} passes, seed {p['seed']}, one thread: the same on every run). "
    "Cosine is between learned item vectors; “baskets shared” counts the baskets that hold both items. "
    "The map is a PCA plane of the item vectors; a bigger dot is an item in more baskets.")
