"""Projections of an embedding space to 2 or 3 dimensions: PCA, UMAP and t-SNE, with a disk cache.

Every projection is deterministic for a given seed, and its result is stored in the user's
cache folder (:mod:`embedlab.io.cache`) under a key made of a fingerprint of the vectors, the
method, the number of dimensions and every parameter, so asking again (also after a restart)
is instant and says ``from_cache=True``.

Also here: the measures the Map page shows of what a projection distorts,
:func:`trustworthiness` and :func:`neighbor_overlap`, and :func:`fit_pca` for a PCA plane
fitted to some points and reused for others.

>>> import numpy as np
>>> x = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32)
>>> p = project(x, method="pca", dims=2, cache=False)
>>> p.coords.shape, p.coords.dtype.name, len(p.explained_variance_ratio)
((50, 2), 'float32', 2)
"""
from __future__ import annotations

import hashlib
import logging
import math
import numbers
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from ..io.cache import cache_key, load_arrays, save_arrays
from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError

logger = logging.getLogger(__name__)

__all__ = ["METHODS", "METRICS", "UMAP_DEFAULTS", "Projection", "PCAFit", "project", "fit_pca",
           "trustworthiness", "neighbor_overlap", "warm_up"]

METHODS = ("pca", "umap", "tsne")
METRICS = ("cosine", "euclidean")
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


@dataclass(frozen=True, eq=False)
class PCAFit:
    """A PCA fitted to some vectors, to place these or other vectors in the same plane.

    Attributes
    ----------
    mean : ndarray, shape (d,), float64
    components : ndarray, shape (dims, d), float64
        Unit rows, sign-flipped so the largest-magnitude entry of each is positive.
    explained_variance_ratio : tuple of float
        Share of the fitted vectors' total variance along each component.
    """

    mean: np.ndarray
    components: np.ndarray
    explained_variance_ratio: tuple

    @property
    def dims(self) -> int:
        return int(self.components.shape[0])

    def transform(self, vectors) -> np.ndarray:
        """Coordinates of ``vectors`` (m, d) in the fitted axes: ``(m, dims) float32``.

        Raises
        ------
        InvalidParameterError
            If the vectors are not 2-D with the fitted dimension.
        """
        v = np.asarray(vectors, dtype=np.float64)
        if v.ndim == 1:
            v = v.reshape(1, -1)
        if v.ndim != 2 or v.shape[1] != self.mean.shape[0]:
            raise InvalidParameterError(
                f"vectors must have shape (m, {self.mean.shape[0]}) to use this PCA, got {np.shape(vectors)}")
        return np.ascontiguousarray((v - self.mean) @ self.components.T, dtype=np.float32)


# -- validation ---------------------------------------------------------------------------------
def _as_vectors(data) -> tuple[np.ndarray, str]:
    """(float32 C-contiguous (n, d) array, fingerprint) of an EmbeddingSet or an array (not copied)."""
    if isinstance(data, EmbeddingSet):
        return data.vectors, "set:" + data.fingerprint
    try:
        v = np.ascontiguousarray(data, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"data must be an EmbeddingSet or a numeric (n, d) array ({exc})") from None
    _check_matrix(v, "data")
    h = hashlib.blake2b(digest_size=16)
    h.update(np.asarray(v.shape, dtype=np.int64).tobytes())
    h.update(v.tobytes())
    return v, "array:" + h.hexdigest()


def _check_matrix(v: np.ndarray, what: str) -> None:
    if v.ndim != 2 or v.shape[0] == 0 or v.shape[1] == 0:
        raise InvalidParameterError(f"{what} must be a non-empty 2-D array (n, d), got shape {v.shape}")
    if not np.isfinite(v).all():
        raise InvalidParameterError(f"{what} contains NaN or inf values; every value must be finite")


def _check_choice(value, allowed, name: str) -> str:
    if not isinstance(value, str) or value.lower() not in allowed:
        raise InvalidParameterError(f"{name}={value!r} is not known. Must be one of: {', '.join(allowed)}")
    return value.lower()


def _check_dims(dims) -> int:
    if isinstance(dims, bool) or not isinstance(dims, numbers.Integral) or int(dims) not in (2, 3):
        raise InvalidParameterError(f"dims={dims!r} is not allowed. Must be one of: 2, 3")
    return int(dims)


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < minimum:
        raise InvalidParameterError(f"{name}={value!r} is not allowed: it must be an integer >= {minimum}")
    return int(value)


def _check_float(value, name: str, low: float, high: float, *, low_open: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))
    if ok:
        f = float(value)
        ok = (f > low if low_open else f >= low) and f <= high
    if not ok:
        bracket = "(" if low_open else "["
        raise InvalidParameterError(f"{name}={value!r} is not allowed: it must be a number in {bracket}{low}, {high}]")
    return float(value)


def _method_params(method: str, n: int, dims: int, *, seed: int, n_neighbors, min_dist, perplexity,
                   metric: str, d: int) -> dict:
    """Validate the parameters of ``method`` and return those actually used (clamped to ``n``)."""
    need = max(MIN_POINTS[method], dims + 2 if method != "pca" else 2)
    if n < need:
        raise InvalidParameterError(
            f"{method.upper() if method != 'tsne' else 't-SNE'} needs at least {need} points; got {n}")
    if method == "pca":
        # exact, deterministic solvers; the randomized one only for very wide and tall data
        solver = "covariance_eigh" if d <= 2048 else ("full" if n <= d else "randomized")
        return {"solver": solver}
    if method == "umap":
        nn = _check_int(n_neighbors, "n_neighbors", 2)
        md = _check_float(min_dist, "min_dist", 0.0, 1.0)
        return {"n_neighbors": min(nn, n - 1), "min_dist": md, "metric": metric, "seed": seed,
                "init": "pca" if n > UMAP_PCA_INIT_ABOVE else "spectral",
                "force_approximation_algorithm": n < UMAP_APPROX_BELOW}
    # t-SNE: openTSNE needs 3 * perplexity < n; a too-large perplexity is lowered (clamped), not refused
    perp = _check_float(perplexity, "perplexity", 0.0, 10_000.0, low_open=True)
    limit = (n - 1) / 3.0
    if perp > limit:
        logger.info("t-SNE perplexity %s lowered to %.2f for %d points (must be below n/3)", perp, limit, n)
        perp = limit
    return {"perplexity": perp, "metric": metric, "seed": seed, "n_jobs": TSNE_N_JOBS,
            "initialization": "pca", "negative_gradient_method": "bh" if dims == 3 else "auto"}


# -- PCA ----------------------------------------------------------------------------------------
def fit_pca(vectors, *, dims: int = 2, solver: str | None = None) -> PCAFit:
    """Fit a PCA with ``dims`` components (scikit-learn), signs fixed for determinism.

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
    from sklearn.decomposition import PCA

    dims = _check_dims(dims)
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    _check_matrix(v, "vectors")
    n, d = v.shape
    if n < 2:
        raise InvalidParameterError(f"PCA needs at least 2 points; got {n}")
    if solver is None:
        solver = _method_params("pca", n, dims, seed=0, n_neighbors=None, min_dist=None, perplexity=None,
                                metric="cosine", d=d)["solver"]
    k = min(dims, n, d)
    mean = v.astype(np.float64).mean(axis=0)
    comps = np.zeros((dims, d))
    evr = np.zeros(dims)
    if np.ptp(v, axis=0).max() > 0:  # not all points equal (else: no direction to choose)
        pca = PCA(n_components=k, svd_solver=solver, random_state=0).fit(v)
        comps[:k] = pca.components_
        evr[:k] = pca.explained_variance_ratio_
        mean = pca.mean_.astype(np.float64)
    for row in comps:  # largest-|value| entry of each component positive
        i = int(np.argmax(np.abs(row)))
        if row[i] < 0:
            row *= -1
    comps.flags.writeable = False
    mean.flags.writeable = False
    return PCAFit(mean=mean, components=comps, explained_variance_ratio=tuple(float(x) for x in evr))


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
    method = _check_choice(method, METHODS, "method")
    dims = _check_dims(dims)
    metric = _check_choice(metric, METRICS, "metric")
    seed = _check_int(seed, "seed", 0)
    v, fingerprint = _as_vectors(data)
    n, d = v.shape
    p = _method_params(method, n, dims, seed=seed, n_neighbors=n_neighbors, min_dist=min_dist,
                       perplexity=perplexity, metric=metric, d=d)
    key = cache_key("projection", {"data": fingerprint, "n": n, "d": d, "method": method, "dims": dims,
                                   "version": _CACHE_VERSION, **p})
    if cache:
        hit = load_arrays(key)
        if hit is not None and hit.get("coords") is not None and hit["coords"].shape == (n, dims):
            coords = np.ascontiguousarray(hit["coords"], dtype=np.float32)
            coords.flags.writeable = False
            evr = tuple(float(x) for x in hit["evr"]) if "evr" in hit else None
            logger.debug("projection %s from the cache", key)
            return Projection(coords, method, dims, dict(p), evr, True)

    evr = None
    if method == "pca":
        fit = fit_pca(v, dims=dims, solver=p["solver"])
        coords = fit.transform(v)
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


# -- how faithful is a projection -------------------------------------------------------------
def _pair(high, low) -> tuple[np.ndarray, np.ndarray]:
    h = np.ascontiguousarray(high, dtype=np.float32)
    lo = np.ascontiguousarray(low, dtype=np.float32)
    _check_matrix(h, "high")
    _check_matrix(lo, "low")
    if h.shape[0] != lo.shape[0]:
        raise InvalidParameterError(f"high has {h.shape[0]} points but low has {lo.shape[0]}; they must match")
    return h, lo


def _full_knn(x: np.ndarray, k: int, metric: str) -> np.ndarray:
    """Exact k nearest neighbours of every row among the others: ``(n, k)`` row indices
    (unordered), by matrix products in chunks of rows."""
    n = x.shape[0]
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        x = x / norms
    else:
        sq = np.einsum("ij,ij->i", x, x)
    out = np.empty((n, k), dtype=np.int64)
    step = max(1, min(n, (1 << 24) // max(n, 1)))  # ~64 MB of float32 scores per chunk
    for start in range(0, n, step):
        stop = min(n, start + step)
        s = x[start:stop] @ x.T  # similarity: larger is nearer
        if metric == "euclidean":
            s = 2 * s - sq[None, :]  # -(squared distance) up to a per-row constant
        s[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        out[start:stop] = np.argpartition(-s, k - 1, axis=1)[:, :k]
    return out


def neighbor_overlap(high, low, *, k: int = 10, metric: str = "cosine") -> np.ndarray:
    """For every point, the share of its k nearest neighbours in the projection that are also
    among its k nearest neighbours in the full space.

    Parameters
    ----------
    high : array_like, shape (n, d)
        The full-space vectors (exact kNN by matrix products, ``metric``).
    low : array_like, shape (n, 2 or 3)
        Their projected coordinates (Euclidean kNN, scikit-learn ``NearestNeighbors``).
    k : int
        Neighbours per point; lowered to n - 1 for tiny sets.
    metric : {"cosine", "euclidean"}

    Returns
    -------
    ndarray, shape (n,), float32
        Values in {0, 1/k, ..., 1}. Ties in distance are broken arbitrarily.

    Raises
    ------
    InvalidParameterError
        Shapes that do not match, fewer than 2 points, k < 1, unknown metric.

    >>> high = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    >>> low = np.array([[0, 0], [5, 0], [0, 1], [5, 1]])
    >>> neighbor_overlap(high, low, k=1).tolist()
    [0.0, 0.0, 0.0, 0.0]
    """
    from sklearn.neighbors import NearestNeighbors

    metric = _check_choice(metric, METRICS, "metric")
    h, lo = _pair(high, low)
    n = h.shape[0]
    k = _check_int(k, "k", 1)
    if n < 2:
        raise InvalidParameterError(f"neighbour overlap needs at least 2 points; got {n}")
    k = min(k, n - 1)
    full = _full_knn(h, k, metric)
    pict = NearestNeighbors(n_neighbors=k).fit(lo).kneighbors(return_distance=False)
    same = (full[:, :, None] == pict[:, None, :]).any(axis=2).sum(axis=1)
    return (same / k).astype(np.float32)


def trustworthiness(high, low, *, k: int = 10, metric: str = "cosine", max_points: int = 3000,
                    seed: int = 0) -> float:
    """How far the projection keeps neighbourhoods: 1 when no point has strangers among its k
    nearest neighbours in the picture (scikit-learn's ``trustworthiness``, Venna & Kaski).

    Parameters
    ----------
    high : array_like, shape (n, d)
    low : array_like, shape (n, m)
    k : int
        Neighbours per point. scikit-learn needs ``k < n / 2``: a larger k is lowered to
        ``(n - 1) // 2`` (on tiny sets only).
    metric : {"cosine", "euclidean"}
        Distance in the full space (the picture uses Euclidean distance).
    max_points : int
        scikit-learn compares all pairwise distances (memory ~ n^2), so above ``max_points``
        the score is computed on a random sample of that many points (``seed``): an estimate of
        the score on the whole set (neighbourhoods are judged among the sampled points).
    seed : int
        Seeds the sample.

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    InvalidParameterError
        Shapes that do not match, fewer than 3 points, k < 1, unknown metric.

    >>> x = np.random.default_rng(0).normal(size=(40, 2))
    >>> trustworthiness(x, x * 3, k=5, metric="euclidean")
    1.0
    """
    from sklearn.manifold import trustworthiness as sk_trust

    metric = _check_choice(metric, METRICS, "metric")
    h, lo = _pair(high, low)
    k = _check_int(k, "k", 1)
    max_points = _check_int(max_points, "max_points", 3)
    n = h.shape[0]
    if n < 3:
        raise InvalidParameterError(f"trustworthiness needs at least 3 points; got {n}")
    if n > max_points:
        rows = np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))
        h, lo, n = h[rows], lo[rows], max_points
    if k >= n / 2:
        k = (n - 1) // 2
    return float(sk_trust(h.astype(np.float64), lo.astype(np.float64), n_neighbors=k, metric=metric))


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
    methods = [_check_choice(m, METHODS, "method") for m in methods]
    x = np.random.default_rng(0).normal(size=(64, 8)).astype(np.float32)
    with _warm_lock:
        for m in methods:
            if m in _warmed:
                continue
            project(x, method=m, dims=2, cache=False, n_neighbors=5, perplexity=5.0)
            _warmed.add(m)
