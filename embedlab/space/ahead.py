"""The default set's Map view, computed ahead of time and shipped with the code (issue 12: the first
Map within 3 s of the page request, also when a class opens it the moment ``make run`` answers).

The Map's default view needs, before anything is drawn, the frequency order of the set's tokens
(wordfreq, for the 5,000 words drawn), their k-means clusters and the clusters' names, and after the
figure the distortion measures of the PCA picture. For the built-in default set that was 1.5 s of
work at every server start (0.3 s, 0.2 s and 0.9 s on this 2-core machine), done while the first
browsers were loading: the page that arrived first waited for it. These results depend only on the
set's rows and on wordfreq and scikit-learn, so ``python -m embedlab.space.ahead`` computes them once,
with the app's own functions and parameters, and keeps them next to this module:

- ``ahead_data/<set>.json``: the set's name and fingerprint, the parameters, the cluster names, the
  trustworthiness, how many tokens wordfreq knows, and the versions the file was made with;
- ``ahead_data/<set>.npz``: the arrays (frequency order, k-means labels and centres, the PCA
  coordinates the distortion was measured on, the per-point neighbour overlap), read with
  ``allow_pickle=False``.

:func:`shipped` returns the view only for the very set it was made from (same fingerprint), and each
of its methods answers only for the very arguments it was made with (the same rows, ``k``, seed,
coordinates); everything else is computed as before. A file that cannot be read or does not match is
logged once and ignored. ``tests/space/test_ahead.py`` computes everything live and compares.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.embeddings import EmbeddingSet

logger = logging.getLogger(__name__)

__all__ = ["AheadView", "shipped", "compute", "write", "DATA_DIR", "ROWS", "CLUSTERS", "SEED", "OVERLAP_K"]

DATA_DIR = Path(__file__).resolve().parent / "ahead_data"
#: The Map's default view: its 5,000 most frequent words, 8 k-means clusters (seed 0, cosine), the
#: distortion with 10 neighbours (ui.warm's MAP_* constants and the page's URL defaults).
ROWS, CLUSTERS, SEED, OVERLAP_K, LANG = 5000, 8, 0, 10, "en"
_ARRAYS = ("order", "labels", "centers", "coords", "overlap")


@dataclass(frozen=True)
class AheadView:
    """What was computed ahead for one set (see the module's text); each method returns None unless
    its arguments are the ones the view was made with."""

    name: str
    fingerprint: str
    lang: str
    k: int
    seed: int
    overlap_k: int
    names: tuple[str, ...]
    trustworthiness: float
    known: int              # tokens wordfreq knows (the Map's "points drawn" sentence)
    order: np.ndarray       # (len(set),) int64: rows, most frequent token first
    labels: np.ndarray      # (ROWS,) int64
    centers: np.ndarray     # (k, d) float32
    coords: np.ndarray      # (ROWS, 2) float32: the PCA picture the distortion was measured on
    overlap: np.ndarray     # (ROWS,) float32

    @property
    def rows(self) -> np.ndarray:
        return self.order[: len(self.labels)]

    def frequency_order(self, lang: str) -> np.ndarray | None:
        return self.order if lang == self.lang else None

    def _same_rows(self, rows) -> bool:
        rows = np.asarray(rows)
        return rows.shape == self.rows.shape and bool(np.array_equal(rows, self.rows))

    def kmeans(self, rows, k: int, seed: int = 0, cosine: bool = True):
        """The :class:`~embedlab.space.clusters.KMeansResult` of ``kmeans_fit(vectors[rows], k=k, seed=seed)``."""
        from .clusters import KMeansResult

        if k != self.k or seed != self.seed or not cosine or not self._same_rows(rows):
            return None
        return KMeansResult(self.labels, self.centers, True)

    def cluster_names(self, rows, k: int, seed: int = 0) -> list[str] | None:
        return list(self.names) if k == self.k and seed == self.seed and self._same_rows(rows) else None

    def distortion(self, rows, coords, k: int) -> tuple[np.ndarray, float] | None:
        """(neighbour overlap per point, trustworthiness) of ``coords`` of ``rows``, if ``coords`` is
        the picture they were measured on (to 1e-5 of its extent: another BLAS may round otherwise)."""
        coords = np.asarray(coords)
        if k != self.overlap_k or coords.shape != self.coords.shape or not self._same_rows(rows):
            return None
        scale = max(1.0, float(np.abs(self.coords).max()))
        if not np.allclose(coords, self.coords, rtol=0.0, atol=1e-5 * scale):
            return None
        return self.overlap, self.trustworthiness


_lock = threading.Lock()
_loaded: dict[tuple[str, str], AheadView | None] = {}
_MAX_LOADED = 16        # (set files read, or found not to match, kept per process)


def shipped(es: EmbeddingSet, folder: Path | None = None) -> AheadView | None:
    """The view computed ahead for ``es`` (None when there is none for this very set); read once per
    set and folder (default :data:`DATA_DIR`)."""
    folder = DATA_DIR if folder is None else Path(folder)
    meta_path = folder / f"{es.name}.json"
    if not meta_path.is_file():          # (most sets: no fingerprint needed to say so)
        return None
    key = (str(meta_path), es.fingerprint)
    with _lock:
        if key in _loaded:
            return _loaded[key]
    view = _read(es, meta_path)
    with _lock:
        while len(_loaded) >= _MAX_LOADED:
            _loaded.pop(next(iter(_loaded)))
        _loaded[key] = view
    return view


def _read(es: EmbeddingSet, meta_path: Path) -> AheadView | None:
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("fingerprint") != es.fingerprint:
            logger.info("%s was computed for another version of %s; computing its Map view live",
                        meta_path.name, es.name)
            return None
        with np.load(meta_path.with_suffix(".npz"), allow_pickle=False) as z:
            arrays = {name: z[name] for name in _ARRAYS}
        view = AheadView(name=str(meta["set"]), fingerprint=str(meta["fingerprint"]), lang=str(meta["lang"]),
                         k=int(meta["k"]), seed=int(meta["seed"]), overlap_k=int(meta["overlap_k"]),
                         names=tuple(str(n) for n in meta["names"]), trustworthiness=float(meta["trustworthiness"]),
                         known=int(meta["known"]),
                         order=_frozen(arrays["order"], np.int64), labels=_frozen(arrays["labels"], np.int64),
                         centers=_frozen(arrays["centers"], np.float32), coords=_frozen(arrays["coords"], np.float32),
                         overlap=_frozen(arrays["overlap"], np.float32))
        n = len(view.labels)
        if (view.order.shape != (len(es),) or n > len(es) or view.centers.shape != (view.k, es.dim)
                or view.coords.shape != (n, 2) or view.overlap.shape != (n,) or len(view.names) != view.k
                or not np.array_equal(np.sort(view.order), np.arange(len(es)))):
            raise ValueError("arrays of unexpected shapes")
        return view
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("could not read %s (%s); computing the Map view live", meta_path, exc)
        return None


def _frozen(a: np.ndarray, dtype) -> np.ndarray:
    out = np.ascontiguousarray(a, dtype=dtype)
    out.flags.writeable = False
    return out


def compute(es: EmbeddingSet, *, rows: int = ROWS, k: int = CLUSTERS, seed: int = SEED,
            overlap_k: int = OVERLAP_K, lang: str = LANG) -> AheadView:
    """Compute the view live, with the functions and parameters the Map uses (never the shipped file)."""
    from .clusters import cluster_names, kmeans_fit
    from .distortion import neighbor_overlap, trustworthiness
    from .frequency import frequency_order, known_count
    from .projection import fit_pca

    order = frequency_order(es, lang=lang, ahead=False)
    base = order[:rows]
    vectors = es.vectors[base]
    km = kmeans_fit(vectors, k=k, seed=seed)
    names = cluster_names(vectors, km, [es.tokens[i] for i in base])
    coords = np.asarray(fit_pca(vectors, dims=2).transform(vectors), dtype=np.float32)
    overlap = neighbor_overlap(vectors, coords, k=overlap_k)
    trust = float(trustworthiness(vectors, coords, k=overlap_k))
    return AheadView(name=es.name, fingerprint=es.fingerprint, lang=lang, k=k, seed=seed, overlap_k=overlap_k,
                     names=tuple(names), trustworthiness=trust,
                     known=known_count(es, lang=lang, ahead=False), order=_frozen(order, np.int64),
                     labels=_frozen(km.labels, np.int64), centers=_frozen(km.centers, np.float32),
                     coords=_frozen(coords, np.float32), overlap=_frozen(overlap, np.float32))


def write(view: AheadView, folder: Path | None = None) -> Path:
    """Write ``view`` as ``<set>.json`` and ``<set>.npz`` in ``folder`` (default :data:`DATA_DIR`)."""
    import importlib.metadata as md

    folder = DATA_DIR if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    versions = {}
    for dist in ("numpy", "scikit-learn", "wordfreq"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            versions[dist] = None
    meta = {"set": view.name, "fingerprint": view.fingerprint, "lang": view.lang, "rows": int(len(view.labels)),
            "k": view.k, "seed": view.seed, "overlap_k": view.overlap_k, "names": list(view.names),
            "trustworthiness": view.trustworthiness, "known": view.known,
            "made_with": versions,
            "made_by": "python -m embedlab.space.ahead"}
    np.savez_compressed(folder / f"{view.name}.npz", order=view.order.astype(np.int32),
                        labels=view.labels.astype(np.int16), centers=view.centers, coords=view.coords,
                        overlap=view.overlap)
    path = folder / f"{view.name}.json"
    path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    with _lock:
        _loaded.clear()
    return path


def main() -> int:
    """``python -m embedlab.space.ahead``: compute the default set's view and write it to :data:`DATA_DIR`."""
    from ..io.sources import DEFAULT_SET, load

    view = compute(load(DEFAULT_SET))
    print(f"wrote {write(view)} ({len(view.order):,} tokens ordered, {len(view.labels):,} rows clustered, "
          f"trustworthiness {view.trustworthiness:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
