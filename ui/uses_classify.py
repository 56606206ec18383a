"""Cached wrappers of the Classification and Recommendation pages (no widgets in here).

Results are cached per process (``st.cache_data``), keyed on the data and the parameters: a labelled
data set by its items and labels, baskets by their contents, an EmbeddingSet by name and
fingerprint. Encoding the 200 polarity sentences takes a few seconds, once.
"""
from __future__ import annotations

import streamlit as st

from embedlab import EmbeddingSet
from embedlab.lessons import classify, labelled, recommend
from embedlab.lessons.labelled import LabelledData
from embedlab.lessons.recommend import Baskets

from . import lessons
from .cached import SET_HASH as _SET_HASH

_HASH = {**_SET_HASH,
         LabelledData: lambda d: (d.name, d.kind, d.items, d.labels),
         Baskets: lambda b: (b.name, b.baskets)}

DENSE_KIND = {"sentences": "sentence-embedding", "words": "word-vectors"}
SPARSE_KIND = {"sentences": "bag-of-words", "words": "one-hot"}


# -- classification ------------------------------------------------------------------------------
@st.cache_data(max_entries=4, show_spinner=False)
def polarity() -> LabelledData:
    return labelled.polarity_sentences()


@st.cache_data(max_entries=16, show_spinner=False)
def word_categories(categories: tuple[str, ...]) -> LabelledData:
    return labelled.word_categories(categories)


@st.cache_data(max_entries=8, show_spinner=False)
def labelled_columns(data: bytes, filename: str) -> tuple[str, ...]:
    """The header of an uploaded labelled CSV (for the column pickers), read with the same caps."""
    from embedlab.core.errors import LabelledDataError
    from embedlab.lessons.uploads import read_table

    return read_table(data, name=filename, max_bytes=labelled.MAX_LABELLED_BYTES,
                      max_rows=labelled.MAX_LABELLED_ROWS, error=LabelledDataError).header


@st.cache_data(max_entries=8, show_spinner=False)
def labelled_csv(data: bytes, filename: str, text_column: str | None, label_column: str | None,
                 kind: str) -> LabelledData:
    return labelled.read_labelled_csv(data, filename=filename, text_column=text_column,
                                      label_column=label_column, kind=kind)


@st.cache_data(max_entries=8, show_spinner="Encoding the sentences with MiniLM (a few seconds, once)…",
               hash_funcs=_HASH)
def sentence_features(data: LabelledData) -> classify.Features:
    lessons.encoder()
    return classify.sentence_features(data)


def features(data: LabelledData, es: EmbeddingSet) -> tuple[classify.Features, classify.Features]:
    """(dense, one-hot or bag-of-words) features of ``data``: sentence vectors for sentences, the
    rows of ``es`` for words."""
    dense = sentence_features(data) if data.kind == "sentences" else classify.word_features(data, es)
    return dense, classify.onehot_features(data)


@st.cache_data(max_entries=16, show_spinner="Training the classifiers on every split…", hash_funcs=_HASH)
def learning_curve(data: LabelledData, es: EmbeddingSet, n_repeats: int, seed: int) -> classify.LearningCurve:
    return classify.learning_curve(features(data, es), n_repeats=n_repeats, seed=seed)


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=_HASH)
def decision_boundary(data: LabelledData, es: EmbeddingSet, dense: bool, per_class: int,
                      seed: int) -> classify.DecisionBoundary:
    f = features(data, es)[0 if dense else 1]
    return classify.decision_boundary(f, per_class=per_class, seed=seed)


# -- recommendation ------------------------------------------------------------------------------
@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_HASH)
def recommendation(es: EmbeddingSet, liked: tuple[str, ...], disliked: tuple[str, ...], k: int,
                   dislike_weight: float) -> recommend.Recommendation:
    return recommend.recommend(es, liked, disliked, k=k, dislike_weight=dislike_weight)


@st.cache_data(max_entries=8, show_spinner=False)
def davis(items: str) -> Baskets:
    return recommend.davis_baskets(items)


@st.cache_data(max_entries=8, show_spinner=False)
def basket_csv(data: bytes, filename: str) -> Baskets:
    return recommend.read_baskets(data, filename=filename)


@st.cache_data(max_entries=8, show_spinner="Training item vectors on the baskets (gensim Word2Vec)…",
               hash_funcs=_HASH)
def item_vectors(baskets: Baskets, seed: int) -> recommend.ItemEmbedding:
    return recommend.item2vec(baskets, seed=seed)
