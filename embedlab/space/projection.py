"""Projections of an embedding space to 2 or 3 dimensions: PCA, UMAP and t-SNE, with a disk cache.

Every projection is deterministic for a given seed, and its result is stored in the user's
cache folder (:mod:`embedlab.io.cache`) under a key made of a fingerprint of the vectors, the
method, the number of dimensions and every parameter, so asking again (also after a restart)
is instant and says ``from_cache=True``.

Also here: :func:`fit_pca` for a PCA plane fitted to some points and reused for others (the
plane itself, with its sign rule, is :func:`embedlab.core.linalg.pca_plane`). What a projection
distorts is measured in :mod:`embedlab.space.distortion`.

>>> import numpy as np
>>> x = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32)
>>> p = project(x, method="pca", dims=2, cache=False)
>>> p.coords.shape, p.coords.dtype.name, len(p.explained_variance_ratio)
((50, 2), 'float32', 2)
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from ..io.cache import cache_key, load_arrays, save_arrays
from ..core.embeddings import EmbeddingSet
from ..core.linalg import unit_rows
from ..core.errors import InvalidParameterError
from ..core.linalg import PCAPlane, default_pca_solver, pca_plane
from ..core.search import METRICS
from ..core.validate import check_choice, check_float, check_int, check_matrix

logger = logging.getLogger(__name__)

__all__ = ["METHODS", "METRICS", "UMAP_DEFAULTS", "Projection", "PCAFit", "project", "fit_pca", "place_by_neighbours", "warm_up"]

METHODS = ("pca", "umap", "tsne")
#: keyword arguments of ``umap.UMAP`` that :func:`project` uses by default (bench/ compares with them)
UMAP_DEFAULTS = {"n_neighbors": 15, "min_dist": 0.1, "metric": "cosine"}
#: below this many points UMAP is told to use its approximate kNN (its exact small-data path is slow)
UMAP_APPROX_BELOW = 4096
#: above this many points UMAP starts from a PCA layout instead of a spectral one (3x faster at 100k,
#: and robust to disconnected kNN graphs)
UMAP_PCA_INIT_ABOVE = 10_000
#: the fewest points each method accepts
MIN_POINTS = {"pca": 2, "umap": 5, "tsne": 5}
#: openTSNE threads; results are identical for a given seed with this fixed value (tested)
TSNE_N_JOBS = 2
#: bump when the way results are computed changes, so old cache entries are not reused
_CACHE_VERSION = 1

Progress = Optional[Callable[[str, float], Any]]


# -- result types -------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Projection:
    """The result of :func:`project`.

    Attributes
    ----------
    coords : ndarray, shape (n, dims), float32, read-only
    method : str
        One of :data:`METHODS`.
    dims : int
        2 or 3.
    params : dict
        The parameters actually used (after clamping to the data size), e.g. ``perplexity``.
    explained_variance_ratio : tuple of float or None
        For PCA, the share of the total variance along each axis; None for UMAP and t-SNE.
    from_cache : bool
        True if the coordinates were read from the disk cache instead of computed.
    """

    coords: np.ndarray
    method: str
    dims: int
    params: dict = field(default_factory=dict)
    explained_variance_ratio: Optional[tuple] = None
    from_cache: bool = False


#: The result of :func:`fit_pca`: a :class:`embedlab.core.linalg.PCAPlane` (mean, components,
#: explained_variance_ratio, transform).
PCAFit = PCAPlane


# -- validation ---------------------------------------------------------------------------------
def _as_vectors(data) -> np.ndarray:
    """The float32 C-contiguous, finite (n, d) array of an EmbeddingSet or an array (not copied)."""
    if isinstance(data, EmbeddingSet):
        return data.vectors
    return check_matrix(data, "data")


def _fingerprint(data, v: np.ndarray) -> str:
    """The cache's name for the data: a set's own :attr:`~EmbeddingSet.fingerprint` (computed once per
    set and kept on it), or a digest of an array's buffer (no copy). Only asked for when the cache is used."""
    if isinstance(data, EmbeddingSet):
        return "set:" + data.fingerprint
    h = hashlib.blake2b(digest_size=16)
    h.update(np.asarray(v.shape, dtype=np.int64).tobytes())
    h.update(memoryview(v).cast("B"))
    return "array:" + h.hexdigest()


def _method_params(method: str, n: int, dims: int, *, seed: int, n_neighbors, min_dist, perplexity,
                   metric: str, d: int) -> dict:
    """Validate the parameters of ``method`` and return those actually used (clamped to ``n``)."""
    need = max(MIN_POINTS[method], dims + 2 if method != "pca" else 2)
    if n < need:
        raise InvalidParameterError(
            f"{method.upper() if method != 'tsne' else 't-SNE'} needs at least {need} points; got {n}")
    if method == "pca":
        return {"solver": default_pca_solver(n, d)}
    if method == "umap":
        nn = check_int(n_neighbors, "n_neighbors", minimum=2)
        md = check_float(min_dist, "min_dist", low=0.0, high=1.0)
        return {"n_neighbors": min(nn, n - 1), "min_dist": md, "metric": metric, "seed": seed,
                "init": "pca" if n > UMAP_PCA_INIT_ABOVE else "spectral",
                "force_approximation_algorithm": n < UMAP_APPROX_BELOW}
    # t-SNE: openTSNE needs 3 * perplexity < n; a too-large perplexity is lowered (clamped), not refused
    perp = check_float(perplexity, "perplexity", low=0.0, high=10_000.0, low_open=True)
    limit = (n - 1) / 3.0
    if perp > limit:
        logger.info("t-SNE perplexity %s lowered to %.2f for %d points (must be below n/3)", perp, limit, n)
        perp = limit
    return {"perplexity": perp, "metric": metric, "seed": seed, "n_jobs": TSNE_N_JOBS,
            "initialization": "pca", "negative_gradient_method": "bh" if dims == 3 else "auto"}


# -- PCA ----------------------------------------------------------------------------------------
def fit_pca(vectors, *, dims: int = 2, solver: str | None = None) -> PCAFit:
    """Fit a PCA with ``dims`` components (scikit-learn), signs fixed for determinism.

    The plane of :func:`embedlab.core.linalg.pca_plane`, fitted in float32, for 2 or 3 dimensions.

    Parameters
    ----------
    vectors : array_like, shape (n, d)
        At least 2 rows. Not modified.
    dims : int
        2 or 3. If the data has fewer than ``dims`` directions (``min(n, d) < dims``), the missing
        components are zero rows with zero explained variance.
    solver : str, optional
        scikit-learn's ``svd_solver``; default: ``covariance_eigh`` up to 2,048 dimensions.

    Returns
    -------
    PCAFit

    Raises
    ------
    InvalidParameterError
        For dims other than 2 or 3, fewer than 2 rows, or non-finite values.

    >>> v = np.array([[0., 0., 0.], [2., 0., 0.], [0., 1., 0.], [2., 1., 0.]])
    >>> fit = fit_pca(v)
    >>> [round(x, 2) for x in fit.explained_variance_ratio]
    [0.8, 0.2]
    >>> fit.transform([[2., 0., 5.]]).tolist()
    [[1.0, -0.5]]
    """
    dims = check_int(dims, "dims", minimum=2, maximum=3)
    v = check_matrix(vectors, "vectors")
    if v.shape[0] < 2:
        raise InvalidParameterError(f"PCA needs at least 2 points; got {v.shape[0]}")
    return pca_plane(v, dims, solver=solver)


# -- UMAP and t-SNE -----------------------------------------------------------------------------
class _TqdmSink:
    """A file-like object for umap's tqdm bar (with ``bar_format="{n}/{total}"``) that turns its
    output into ``progress(message, fraction)`` calls."""

    _pat = re.compile(r"(\d+)/(\d+)")

    def __init__(self, progress: Callable[[str, float], Any], start: float, span: float):
        self.progress, self.start, self.span = progress, start, span

    def write(self, s: str) -> int:
        found = self._pat.findall(s)
        if found:
            done, total = (int(x) for x in found[-1])
            if total:
                self.progress(f"Optimising the layout: epoch {done} of {total}",
                              self.start + self.span * done / total)
        return len(s)

    def flush(self) -> None:
        pass


def _umap(v: np.ndarray, dims: int, p: dict, progress: Progress) -> np.ndarray:
    import umap  # lazy: slow import, numba compilation on first use

    kwds = None
    if progress is not None:
        progress("Finding each point's nearest neighbours…", 0.05)
        kwds = {"disable": False, "file": _TqdmSink(progress, 0.3, 0.7), "bar_format": "{n}/{total}",
                "mininterval": 0.25, "ascii": True}
    reducer = umap.UMAP(n_components=dims, n_neighbors=p["n_neighbors"], min_dist=p["min_dist"],
                        metric=p["metric"], random_state=p["seed"], n_jobs=1,  # a seed means 1 thread anyway
                        init=p["init"],
                        force_approximation_algorithm=p["force_approximation_algorithm"],
                        verbose=False, tqdm_kwds=kwds)
    # a writable copy (~10 ms at 22k x 384, 0.1% of the fit): numba compiles per array type, and the
    # warm-up (and the NUMBA_CACHE_DIR entries) are of writable arrays; a set's vectors are read-only
    return np.asarray(reducer.fit_transform(np.array(v, dtype=np.float32, copy=True)), dtype=np.float32)


def _tsne(v: np.ndarray, dims: int, p: dict, progress: Progress) -> np.ndarray:
    from openTSNE import TSNE  # lazy

    early, main, every = 250, 500, 25
    total_calls = early // every + main // every
    calls = [0]

    def callback(iteration, error, embedding):
        calls[0] += 1
        phase = "early exaggeration" if calls[0] <= early // every else "refining"
        progress(f"Optimising the layout ({phase})", 0.2 + 0.8 * min(calls[0] / total_calls, 1.0))
        return False

    if progress is not None:
        progress("Computing affinities between neighbours…", 0.05)
    tsne = TSNE(n_components=dims, perplexity=p["perplexity"], metric=p["metric"], random_state=p["seed"],
                n_jobs=p["n_jobs"], initialization=p["initialization"],
                negative_gradient_method=p["negative_gradient_method"],
                early_exaggeration_iter=early, n_iter=main,
                callbacks=callback if progress is not None else None, callbacks_every_iters=every,
                verbose=False)
    # float64 (~30 ms at 22k x 384, 0.1% of the fit): openTSNE's PCA start in float64, as every
    # layout computed (and cached) so far; float32 would move every point
    emb = tsne.fit(np.array(v, dtype=np.float64, copy=True))
    return np.asarray(emb, dtype=np.float32)


# -- the entry point ----------------------------------------------------------------------------
def project(data, *, method: str = "pca", dims: int = 2, seed: int = 0, cache: bool = True,
            progress: Progress = None, n_neighbors: int = 15, min_dist: float = 0.1,
            perplexity: float = 30.0, metric: str = "cosine") -> Projection:
    """Project vectors to 2 or 3 dimensions with PCA, UMAP or t-SNE.

    Parameters
    ----------
    data : EmbeddingSet or array_like, shape (n, d)
        Not modified.
    method : {"pca", "umap", "tsne"}
    dims : {2, 3}
    seed : int
        Seeds UMAP and t-SNE (``random_state``); the same seed gives the same coordinates.
        PCA needs no seed.
    cache : bool
        Read and write the disk cache (``$EMBEDLAB_CACHE_DIR``). The key covers a fingerprint of
        the vectors, the method, ``dims`` and every parameter used.
    progress : callable(message: str, fraction: float), optional
        Called now and then while UMAP or t-SNE run (fraction from 0 to 1), e.g. to move a
        progress bar. Not called for a cache hit.
    n_neighbors, min_dist : UMAP's parameters. ``n_neighbors`` is lowered to n - 1 on tiny sets.
    perplexity : float
        t-SNE's perplexity. openTSNE needs ``3 * perplexity < n``: a larger value is lowered
        (clamped) to ``(n - 1) / 3``, and ``params["perplexity"]`` says the value used.
    metric : {"cosine", "euclidean"}
        Distance of the full space for UMAP and t-SNE (PCA is linear and has none).

    Returns
    -------
    Projection
        With ``explained_variance_ratio`` for PCA.

    Raises
    ------
    InvalidParameterError
        Unknown method or metric, dims not 2 or 3, too few points for the method (PCA 2,
        UMAP and t-SNE 5), a parameter out of range, or non-finite data.

    Notes
    -----
    UMAP: below 4,096 points ``force_approximation_algorithm=True``; above 10,000 points
    ``init="pca"`` (much faster than the spectral start on large sets, see DESIGN.md).
    t-SNE: openTSNE, ``n_jobs=2``, PCA initialisation; Barnes-Hut for 3-D (its FFT method is 2-D only).

    >>> x = np.random.default_rng(1).normal(size=(30, 5))
    >>> project(x, dims=3, cache=False).coords.shape
    (30, 3)
    """
    method = check_choice(method, "method", METHODS)
    dims = check_int(dims, "dims", minimum=2, maximum=3)
    metric = check_choice(metric, "metric", METRICS)
    seed = check_int(seed, "seed", minimum=0)
    v = _as_vectors(data)
    n, d = v.shape
    p = _method_params(method, n, dims, seed=seed, n_neighbors=n_neighbors, min_dist=min_dist,
                       perplexity=perplexity, metric=metric, d=d)
    if cache:  # without the cache nothing is hashed
        fingerprint = _fingerprint(data, v)
        key = cache_key("projection", {"data": fingerprint, "n": n, "d": d, "method": method, "dims": dims,
                                       "version": _CACHE_VERSION, **p})
        hit = load_arrays(key)
        if hit is not None and hit.get("coords") is not None and hit["coords"].shape == (n, dims):
            coords = np.ascontiguousarray(hit["coords"], dtype=np.float32)
            coords.flags.writeable = False
            evr = tuple(float(x) for x in hit["evr"]) if "evr" in hit else None
            logger.debug("projection %s from the cache", key)
            return Projection(coords, method, dims, dict(p), evr, True)

    evr = None
    if method == "pca":  # v is float32 and finite (an EmbeddingSet's vectors, or checked by _as_vectors)
        fit = pca_plane(v, dims, solver=p["solver"], assume_finite=True)
        coords = fit.transform_float32(v)
        evr = fit.explained_variance_ratio
    elif method == "umap":
        coords = _umap(v, dims, p, progress)
    else:
        coords = _tsne(v, dims, p, progress)
    coords = np.ascontiguousarray(coords, dtype=np.float32)
    if progress is not None and method != "pca":
        progress("Done", 1.0)
    if cache:
        arrays = {"coords": coords} if evr is None else {"coords": coords, "evr": np.asarray(evr)}
        try:
            save_arrays(key, arrays, {"data": fingerprint, "n": n, "d": d, "method": method, "dims": dims, **p})
        except OSError as exc:  # a read-only or full disk costs a recomputation later, nothing else
            logger.warning("could not cache the projection: %s", exc)
    coords.flags.writeable = False
    return Projection(coords, method, dims, dict(p), evr, False)


# -- start-up --------------------------------------------------------------------------------------
_warm_lock = threading.Lock()
_warmed: set[str] = set()


def warm_up(methods=("umap",)) -> None:
    """Run each method once on tiny data (no cache), so that UMAP's numba code is compiled
    before a user asks for it (~25 s in a fresh process). Meant for a background thread at
    app start; safe to call again (does nothing the second time) and from several threads.

    Raises
    ------
    InvalidParameterError
        For an unknown method name.
    """
    methods = [check_choice(m, "method", METHODS) for m in methods]
    x = np.random.default_rng(0).normal(size=(64, 8)).astype(np.float32)
    with _warm_lock:
        for m in methods:
            if m in _warmed:
                continue
            project(x, method=m, dims=2, cache=False, n_neighbors=5, perplexity=5.0)
            _warmed.add(m)


def place_by_neighbours(base_vectors, base_coords, new_vectors, *, k: int = 5) -> np.ndarray:
    """Layout positions for new points without moving the base points: each new point lands at
    the cosine-weighted mean of the layout positions of its ``k`` nearest base points (cosine in
    the full space). UMAP and t-SNE cannot add points to a fitted layout faithfully; this keeps
    the class's mental map (the base coordinates are not touched) and puts a searched word among
    its real neighbours.

    >>> bv = np.array([[1, 0], [0, 1], [-1, 0]], np.float32)
    >>> bc = np.array([[0, 0], [10, 0], [20, 0]], np.float32)
    >>> place_by_neighbours(bv, bc, np.array([[1, 0.01]], np.float32), k=1).tolist()
    [[0.0, 0.0]]
    """
    bc = np.asarray(base_coords, dtype=np.float32)
    nv = np.asarray(new_vectors, dtype=np.float32)
    if not len(nv):
        return np.zeros((0, bc.shape[1]), dtype=np.float32)
    k = max(1, min(int(k), len(bc)))
    sims = unit_rows(nv) @ unit_rows(np.asarray(base_vectors, dtype=np.float32)).T
    near = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    w = np.clip(np.take_along_axis(sims, near, axis=1), 1e-3, None)
    w = w / w.sum(axis=1, keepdims=True)
    return np.einsum("nk,nkd->nd", w, bc[near]).astype(np.float32)
