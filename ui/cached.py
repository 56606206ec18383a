"""st.cache_* wrappers around embedlab: shared read-only objects are loaded once per process,
results are cached per (set, parameters). An EmbeddingSet is hashed by name and fingerprint."""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict

import numpy as np
import streamlit as st

import embedlab
from embedlab import EmbeddingSet

logger = logging.getLogger(__name__)

SET_HASH = {EmbeddingSet: lambda es: (es.name, es.fingerprint)}
"""hash_funcs for st.cache_*: an EmbeddingSet is keyed by its name and fingerprint (for every ui module)."""


@st.cache_resource(max_entries=8, show_spinner="Loading embeddings…")
def builtin_set(name: str) -> embedlab.EmbeddingSet:
    """A built-in set, shared by every session of this process."""
    return embedlab.load(name)


@st.cache_resource(max_entries=1, show_spinner=False)
def start_warm_up() -> object | None:
    """Compile UMAP's numba code once, in the worker process that will run UMAP (see
    embedlab.runtime.workers; a background thread when ``EMBEDLAB_WORKERS=0``), so the first UMAP on
    the Map page does not pay for it.

    pandas and plotly are imported here first, in the script thread: a first import racing
    between the warm-up thread (umap -> sklearn -> pandas) and a page's figure code left a
    partially initialised pandas ("no attribute 'Series'") on a fresh server."""
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401

    try:
        from embedlab.space.projection import warm_up
    except ImportError:
        return None
    from embedlab.runtime.workers import shared_pool

    try:
        pool = shared_pool()
        if pool is not None:
            return pool.submit(warm_up, key="warm-up")
    except Exception:  # a failed warm-up only costs time later; never break a page
        logger.exception("could not start the UMAP warm-up in the worker process")
        return None

    def run():
        try:
            warm_up()
        except Exception:  # a failed warm-up only costs time later; never break a page
            logger.exception("UMAP warm-up failed")

    t = threading.Thread(target=run, name="embedlab-umap-warm-up", daemon=True)
    t.start()
    return t


# -- map -----------------------------------------------------------------------------------------
@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=SET_HASH)
def frequent_rows(es: EmbeddingSet, n: int | None) -> np.ndarray:
    """Rows of the n most frequent tokens (wordfreq), all if n is None."""
    from embedlab.space.frequency import most_frequent

    return np.asarray(most_frequent(es, n))


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=SET_HASH)
def points_description(es: EmbeddingSet, n: int | None) -> str:
    from embedlab.space.frequency import describe_points

    return describe_points(es, n)


_projections: "OrderedDict[tuple, object]" = OrderedDict()
_projections_lock = threading.Lock()
_MAX_PROJECTIONS = 32


def projection_key(es: EmbeddingSet, rows: np.ndarray, method: str, dims: int, seed: int = 0) -> tuple:
    """The key of :func:`projection`'s in-memory cache (and of its shared worker task)."""
    digest = hashlib.blake2b(np.ascontiguousarray(rows, dtype=np.int64).tobytes(), digest_size=16).hexdigest()
    return (es.name, es.fingerprint, digest, method, dims, seed)


def has_projection(es: EmbeddingSet, rows: np.ndarray, method: str, dims: int, seed: int = 0) -> bool:
    """True if :func:`projection` would answer from memory (no progress display needed)."""
    with _projections_lock:
        return projection_key(es, rows, method, dims, seed) in _projections


def projection(es: EmbeddingSet, rows: np.ndarray, method: str, dims: int, seed: int = 0, progress=None):
    """Projection of ``es.vectors[rows]``: a small in-process LRU here, the disk cache in
    embedlab.space.projection behind it. Not an st.cache_data function, so ``progress`` may draw
    Streamlit elements (st.cache_data cannot replay elements drawn into outside blocks).

    UMAP and t-SNE run in the worker process (embedlab.runtime.workers): their numba code holds the
    GIL, and in this server every session is a thread. Sessions asking for the same
    projection at the same time share one run."""
    from embedlab.space.projection import project
    from embedlab.runtime.workers import run_in_worker

    key = projection_key(es, rows, method, dims, seed)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    with _projections_lock:
        if key in _projections:
            _projections.move_to_end(key)
            return _projections[key]
    if method == "pca":      # BLAS, releases the GIL, fast: no need to ship the data elsewhere
        result = project(es.vectors[rows], method=method, dims=dims, seed=seed, progress=progress)
    else:
        result = run_in_worker(project, es.vectors[rows], method=method, dims=dims, seed=seed, key=key,
                               progress=progress)
        result.coords.flags.writeable = False        # (a pickled array arrives writeable)
    with _projections_lock:
        _projections[key] = result
        while len(_projections) > _MAX_PROJECTIONS:
            _projections.popitem(last=False)
    return result


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=SET_HASH)
def pca_fit(es: EmbeddingSet, base: np.ndarray, dims: int):
    """The PCA fitted to the ``base`` rows (shared by the Map's coordinates and its density layer)."""
    from embedlab.space.projection import fit_pca

    return fit_pca(es.vectors[base], dims=dims)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=SET_HASH)
def pca_coords(es: EmbeddingSet, base: np.ndarray, extra: np.ndarray, dims: int) -> np.ndarray:
    """PCA fitted to the ``base`` rows; coordinates of base then ``extra`` rows. Searched words
    added to the picture do not move the other points."""
    fit = pca_fit(es, base, dims)
    rows = np.concatenate([base, extra]) if len(extra) else base
    return np.asarray(fit.transform(es.vectors[rows]), dtype=np.float32)


def layout_coords(es: EmbeddingSet, base: np.ndarray, extra: np.ndarray, base_coords: np.ndarray) -> np.ndarray:
    """A UMAP/t-SNE layout fitted to the ``base`` rows (once, cached), with ``extra`` rows placed
    among their nearest base points: a search never refits nor moves the drawn points."""
    from embedlab.space.projection import place_by_neighbours

    base_coords = np.asarray(base_coords, dtype=np.float32)
    if not len(extra):
        return base_coords
    placed = place_by_neighbours(es.vectors[base], base_coords, es.vectors[extra])
    return np.concatenate([base_coords, placed])


@st.cache_data(max_entries=16, show_spinner="Clustering…", hash_funcs=SET_HASH)
def kmeans(es: EmbeddingSet, base: np.ndarray, k: int):
    from embedlab.space.ahead import shipped
    from embedlab.space.clusters import kmeans_fit

    view = shipped(es)            # the default set's default view was computed ahead of time
    ahead = view.kmeans(base, k, seed=0) if view is not None else None
    return ahead if ahead is not None else kmeans_fit(es.vectors[base], k=k, seed=0)


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=SET_HASH)
def cluster_names(es: EmbeddingSet, base: np.ndarray, k: int) -> list[str]:
    """Each k-means cluster of the ``base`` rows named by its 3 most central words."""
    from embedlab.space.ahead import shipped
    from embedlab.space.clusters import cluster_names as names

    view = shipped(es)
    ahead = view.cluster_names(base, k, seed=0) if view is not None else None
    if ahead is not None:
        return ahead
    return names(es.vectors[base], kmeans(es, base, k), [es.tokens[i] for i in base])


def cluster_labels(es: EmbeddingSet, base: np.ndarray, extra: np.ndarray, k: int) -> np.ndarray:
    """k-means fitted to the ``base`` rows; ``extra`` rows get their nearest centre."""
    from embedlab.space.clusters import assign_clusters

    res = kmeans(es, base, k)
    if not len(extra):
        return res.labels
    return np.concatenate([res.labels, assign_clusters(es.vectors[extra], res)])


@st.cache_data(max_entries=16, show_spinner="Measuring distortion…", hash_funcs=SET_HASH)
def distortion(es: EmbeddingSet, rows: np.ndarray, coords: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """(per-point share of its k full-space neighbours kept in the picture, trustworthiness)."""
    from embedlab.space.ahead import shipped
    from embedlab.space.distortion import neighbor_overlap, trustworthiness

    view = shipped(es)
    ahead = view.distortion(rows, coords, k) if view is not None else None
    if ahead is not None:
        return ahead
    high = es.vectors[rows]
    return neighbor_overlap(high, coords, k=k), float(trustworthiness(high, coords, k=k))


# -- neighbours and analogies ------------------------------------------------------------------
def neighbors(es: EmbeddingSet, query: str, k: int, metric: str = "cosine") -> tuple[list, list, bool]:
    """Neighbours of a token or an arithmetic expression: (neighbours, input tokens, approximate).

    ``approximate`` is True when the set's approximate index (embedlab.runtime.registry) answered."""
    from embedlab.runtime import registry

    index = registry.ready(es) if metric == "cosine" else None
    found, inputs = _neighbors(es, query, k, metric, index is not None, index)
    return found, inputs, index is not None


def search_note(es: EmbeddingSet, approximate: bool) -> str:
    """One line for the page: exact or approximate search answered (and whether an index is coming)."""
    from embedlab.runtime import registry

    return registry.describe(registry.status(es), approximate=approximate)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=SET_HASH)
def _neighbors(es: EmbeddingSet, query: str, k: int, metric: str, approximate: bool, _index) -> tuple[list, list]:
    # ``approximate`` is in the cache key, so an index that becomes ready is used; ``_index`` is not hashed
    from embedlab.space.neighbours import query_neighbors

    return query_neighbors(es, query, k=k, metric=metric, index=_index)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=SET_HASH)
def analogy(es: EmbeddingSet, a: str, b: str, c: str, k: int, method: str, exclude_inputs: bool):
    from embedlab.space.analogy import analogy as solve

    return solve(es, a, b, c, k=k, method=method, exclude_inputs=exclude_inputs)


@st.cache_data(max_entries=1, show_spinner=False)
def analogy_sections() -> dict:
    from embedlab.io.gensim_data import analogy_sections as load

    return load()


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=SET_HASH)
def answerable(es: EmbeddingSet, section: str) -> list:
    """The questions of an analogy family that ``es`` can answer (all four words known)."""
    from embedlab.space.families import answerable as usable

    return usable(es, analogy_sections()[section])


@st.cache_data(max_entries=32, show_spinner="Answering every question of the family…", hash_funcs=SET_HASH)
def run_family(es: EmbeddingSet, section: str, method: str, exclude_inputs: bool):
    from embedlab.space.families import run_family as run

    return run(es, analogy_sections()[section], method=method, exclude_inputs=exclude_inputs, k=10)
