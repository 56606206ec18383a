"""Cached wrappers for the Graphs and Knowledge graphs pages. No widgets in here.

Graphs and DeepWalk vectors are results (``st.cache_data``), keyed on the graph's source (a built-in
name, or an uploaded file's bytes) and the walk parameters. TransE training reports progress while it
runs, which an ``st.cache_data`` function cannot replay, so its results live in a small LRU of this
process instead (as ``ui.cached.projection`` does).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import streamlit as st

from embedlab import EmbeddingSet
from embedlab.core.linalg import pca_plane
from embedlab.lessons import graphs as gr
from embedlab.lessons import knowledge as kg

from .cached import SET_HASH as _HASH   # one hash for an EmbeddingSet in every ui module


# -- graphs ---------------------------------------------------------------------------------------
@st.cache_data(max_entries=16, show_spinner=False)
def graph(source: str, data: bytes | None = None, name: str = "edges.csv") -> gr.Graph:
    """A built-in graph (``source`` a name of ``BUILTIN_GRAPHS``) or an uploaded edge list (``data``)."""
    if data is not None:
        return gr.read_edge_list(data, name=name)
    return gr.builtin_graph(source)


@st.cache_data(max_entries=16, show_spinner="Laying the graph out…")
def layout(source: str, data: bytes | None = None, name: str = "edges.csv") -> np.ndarray:
    return gr.graph_layout(graph(source, data, name), seed=0)


@st.cache_data(max_entries=16, show_spinner="Walking the graph and training word2vec on the walks…")
def deepwalk(source: str, data: bytes | None, name: str, walks_per_node: int, walk_length: int, dim: int,
             window: int, seed: int) -> EmbeddingSet:
    return gr.deepwalk(graph(source, data, name), dim=dim, window=window, walks_per_node=walks_per_node,
                       walk_length=walk_length, seed=seed)


@st.cache_data(max_entries=16, show_spinner=False)
def example_walks(source: str, data: bytes | None, name: str, walk_length: int, seed: int,
                  n: int = 3) -> list[list[str]]:
    """``n`` walks from the highest-degree nodes (the first round of DeepWalk's walks)."""
    g = graph(source, data, name)
    walks = gr.random_walks(g, walks_per_node=1, walk_length=walk_length, seed=seed)
    degree = np.diff(g.adjacency()[0])
    return [walks[i] for i in np.argsort(-degree, kind="stable")[:n]]


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=_HASH)
def node_map(es: EmbeddingSet) -> tuple[np.ndarray, tuple]:
    """PCA coordinates (n, 2) of the node vectors and the share of variance of each axis."""
    plane = pca_plane(es.unit)
    return plane.transform(es.unit), plane.explained_variance_ratio


@st.cache_data(max_entries=16, show_spinner="Cross-validating the probe…", hash_funcs=_HASH)
def probe(es: EmbeddingSet, labels: tuple, seed: int) -> gr.ProbeResult:
    return gr.node_probe(es, labels, seed=seed)


# -- knowledge graphs ----------------------------------------------------------------------------
@st.cache_data(max_entries=4, show_spinner=False)
def analogy_triples() -> list[kg.Triple]:
    return kg.analogy_triples()


@st.cache_data(max_entries=4, show_spinner=False)
def hypernym_triples() -> list[kg.Triple]:
    return kg.hypernym_triples()


_runs: "OrderedDict[tuple, kg.ModeComparison]" = OrderedDict()
_runs_lock = threading.Lock()
_MAX_RUNS = 8


def _run_key(triples, words, dim, epochs, seed) -> tuple:
    wkey = None if words is None else (words.name, words.fingerprint)
    return (tuple(triples), wkey, dim, epochs, seed)


def has_comparison(triples, words, dim: int, epochs: int, seed: int) -> bool:
    """True if :func:`comparison` would answer from memory (no progress bar needed)."""
    with _runs_lock:
        return _run_key(triples, words, dim, epochs, seed) in _runs


def comparison(triples, words, dim: int, epochs: int, seed: int, progress=None) -> kg.ModeComparison:
    """:func:`embedlab.lessons.knowledge.compare_modes`, kept for the last few parameter sets."""
    key = _run_key(triples, words, dim, epochs, seed)
    with _runs_lock:
        if key in _runs:
            _runs.move_to_end(key)
            return _runs[key]
    result = kg.compare_modes(list(triples), words=words, dim=dim, epochs=epochs, seed=seed, progress=progress)
    with _runs_lock:
        _runs[key] = result
        while len(_runs) > _MAX_RUNS:
            _runs.popitem(last=False)
    return result
