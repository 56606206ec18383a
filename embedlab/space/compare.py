"""Compare two spaces: align them over their shared words and measure how much their neighbourhoods agree.

Two sets trained separately (word2vec and fastText on one corpus, two training runs, a trained set and
MiniLM) put the same words at unrelated coordinates: any rotation of a space is as good as another. So the
second set is rotated onto the first with orthogonal Procrustes (``scipy.linalg.orthogonal_procrustes``:
the rotation ``R`` minimising ``||B R - A||``) over the shared words, after making every row unit length
(only directions count for cosine), subtracting the mean and making the rows unit again (a small trained
set's vectors share one large common direction that would otherwise decide the alignment). If the two sets have different dimensions, the larger one is first
reduced to the smaller dimension with PCA (over the shared words; the share of the spread kept is said in
:attr:`Comparison.note`). The neighbour overlap is measured on each set's own cosines (what the
Neighbours page shows), so it does not depend on the alignment; the alignment makes the two maps
comparable and says how far each word moved.

>>> import numpy as np
>>> from embedlab import EmbeddingSet
>>> rng = np.random.default_rng(0)
>>> words = [f"w{i}" for i in range(40)]
>>> v = rng.standard_normal((40, 5)).astype(np.float32)
>>> q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
>>> c = compare_sets(EmbeddingSet(words, v), EmbeddingSet(words, (v @ q).astype(np.float32)), k=5)
>>> round(c.error, 6), c.mean_overlap
(0.0, 1.0)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import CompareError, UnknownTokenError
from ..core.linalg import pca_plane, unit_rows
from ..core.search import select_top_k
from ..core.validate import check_int
from .frequency import frequency_order

logger = logging.getLogger(__name__)

__all__ = ["Comparison", "compare_sets", "neighbour_overlap", "map_coords", "MIN_SHARED"]

MIN_SHARED = 10
"""Fewest shared words two sets need to be compared."""

_BLOCK = 1024   # rows of the similarity matrix computed at once (5,000 words: 20 MB a block)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two sets aligned over their shared words.

    Attributes
    ----------
    tokens : tuple of str
        The shared words compared, the most frequent first (English word frequency, else set A's order).
    a : ndarray, shape (n, d), float32, read-only
        Set A's rows of those words, unit, centred, unit again (reduced by PCA first if A had more
        dimensions than B).
    b : ndarray, shape (n, d), float32, read-only
        Set B's rows made the same way, rotated onto A.
    rotation : ndarray, shape (d, d), float64
        The orthogonal matrix applied to B's rows.
    error : float
        ``||B R - A|| / ||A||`` (Frobenius): 0 when B is a rotated copy of A, about 1.4 for unrelated sets.
    overlap : ndarray, shape (n,), float64
        Per word: the share of its ``k`` nearest shared words in A that are also among its ``k`` nearest in B
        (each set's own cosine).
    k : int
    names : tuple of str
        ``(A's name, B's name)``.
    n_shared : int
        Words the sets share (``len(tokens)`` may be fewer: at most ``max_words`` are compared).
    nearest_a, nearest_b : ndarray, shape (n, k), int64, read-only
        Each word's ``k`` nearest compared words in A and in B (positions in ``tokens``, nearest first).
    note : str
        How different dimensions were handled ("" when both sets had the same).
    """

    tokens: tuple
    a: np.ndarray
    b: np.ndarray
    rotation: np.ndarray
    error: float
    overlap: np.ndarray
    k: int
    names: tuple
    n_shared: int
    nearest_a: np.ndarray
    nearest_b: np.ndarray
    note: str = ""

    @property
    def mean_overlap(self) -> float:
        """The mean top-k overlap over the compared words (1.0 = the same neighbours everywhere)."""
        return float(np.mean(self.overlap))

    def position(self, word: str) -> int:
        """Where ``word`` is in :attr:`tokens`.

        Raises
        ------
        UnknownTokenError
            If ``word`` is not among the compared words.
        """
        try:
            return self.tokens.index(word)
        except ValueError:
            raise UnknownTokenError.for_tokens([word], self.tokens) from None

    def moved(self) -> np.ndarray:
        """Per word, the cosine between its vector in A and its rotated vector in B: ``(n,) float64``."""
        return np.einsum("ij,ij->i", self.a.astype(np.float64), self.b.astype(np.float64))

    def most_different(self, n: int = 15) -> list[tuple[str, float]]:
        """The ``n`` words whose neighbours differ most: ``(word, overlap)``, lowest overlap first
        (ties: the word that moved most after the alignment, i.e. the lowest :meth:`moved`, first)."""
        n = check_int(n, "n", minimum=1)
        order = np.lexsort((self.moved(), self.overlap))[:n]
        return [(self.tokens[i], float(self.overlap[i])) for i in order]

    def most_alike(self, n: int = 5) -> list[tuple[str, float]]:
        """The ``n`` words whose neighbours agree most: ``(word, overlap)``, highest overlap first
        (ties by row order)."""
        n = check_int(n, "n", minimum=1)
        order = np.argsort(-self.overlap, kind="stable")[:n]
        return [(self.tokens[i], float(self.overlap[i])) for i in order]

    def neighbours(self, word: str) -> tuple[tuple, tuple]:
        """``word``'s ``k`` nearest compared words in A and in B, nearest first."""
        i = self.position(word)
        return (tuple(self.tokens[j] for j in self.nearest_a[i]), tuple(self.tokens[j] for j in self.nearest_b[i]))


def _top_k_rows(m: np.ndarray, k: int) -> np.ndarray:
    """Each row's ``k`` nearest other rows (cosine of unit rows), ``(n, k) int``, in blocks."""
    n = m.shape[0]
    out = np.empty((n, k), dtype=np.int64)
    for s in range(0, n, _BLOCK):
        sims = m[s:s + _BLOCK] @ m.T
        sims[np.arange(sims.shape[0]), np.arange(s, s + sims.shape[0])] = -np.inf
        out[s:s + _BLOCK] = select_top_k(sims, k, True)[0]
    return out


def neighbour_overlap(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """Per row, the share of its ``k`` nearest rows in ``a`` that are also among its ``k`` nearest in ``b``.

    Parameters
    ----------
    a, b : ndarray, shape (n, d_a) and (n, d_b)
        Unit rows of the same n words in two spaces.
    k : int
        Lowered to ``n - 1``.

    Returns
    -------
    ndarray, shape (n,), float64, values in [0, 1]

    >>> a = np.eye(4, dtype=np.float32)[[0, 0, 1, 1]] + [[0, 0, 0, .1], [0, 0, .1, 0], [0, 0, 0, .1], [0, 0, .1, 0]]
    >>> neighbour_overlap(unit_rows(a), unit_rows(a), 1).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    k = min(check_int(k, "k", minimum=1), a.shape[0] - 1)
    return _overlap(_top_k_rows(a, k), _top_k_rows(b, k))


def _overlap(na: np.ndarray, nb: np.ndarray) -> np.ndarray:
    return (na[:, :, None] == nb[:, None, :]).any(axis=2).sum(axis=1) / na.shape[1]


def _centred(unit: np.ndarray) -> np.ndarray:
    """Unit rows minus their mean, made unit again ("unit, centre, unit"): the direction every vector of a
    small trained set shares would otherwise dominate the alignment."""
    return unit_rows(unit - unit.mean(axis=0)).astype(np.float64)


def _reduce(vectors: np.ndarray, dims: int) -> tuple[np.ndarray, float]:
    plane = pca_plane(vectors, dims)
    return unit_rows(plane.transform(vectors)), float(sum(plane.explained_variance_ratio))


def compare_sets(a: EmbeddingSet, b: EmbeddingSet, *, k: int = 10, max_words: int = 2000) -> Comparison:
    """Align ``b`` onto ``a`` over their shared words and measure the top-k neighbour overlap.

    Parameters
    ----------
    a, b : EmbeddingSet
        Neither is modified.
    k : int
        Neighbours compared per word (among the shared words).
    max_words : int
        At most this many shared words are compared, the most frequent first.

    Returns
    -------
    Comparison

    Raises
    ------
    CompareError
        If the sets share fewer than :data:`MIN_SHARED` words, or a shared word's vector is zero.
    InvalidParameterError
        Bad ``k`` or ``max_words``.
    """
    from scipy.linalg import orthogonal_procrustes

    k = check_int(k, "k", minimum=1, maximum=100)
    max_words = check_int(max_words, "max_words", minimum=MIN_SHARED)
    in_b = set(b.tokens)
    shared = [int(i) for i in frequency_order(a) if a.tokens[int(i)] in in_b]
    if len(shared) < MIN_SHARED:
        raise CompareError(f"{a.name!r} and {b.name!r} share {len(shared)} words; comparing them needs at least "
                           f"{MIN_SHARED}")
    rows_a = shared[:max_words]
    tokens = tuple(a.tokens[i] for i in rows_a)
    rows_b = b.indices(tokens)
    va = np.asarray(a.unit[rows_a], dtype=np.float64)
    vb = np.asarray(b.unit[rows_b], dtype=np.float64)
    for name, v in ((a.name, va), (b.name, vb)):
        zero = np.flatnonzero(~np.any(v, axis=1))
        if zero.size:
            raise CompareError(f"{tokens[zero[0]]!r} has a zero vector in {name!r}: it has no direction to align")
    k = min(k, len(tokens) - 1)
    nearest_a, nearest_b = _top_k_rows(va.astype(np.float32), k), _top_k_rows(vb.astype(np.float32), k)
    overlap = _overlap(nearest_a, nearest_b)
    va, vb = _centred(va), _centred(vb)
    note = ""
    if a.dim != b.dim:
        small = min(a.dim, b.dim)
        if a.dim > small:
            va, kept = _reduce(va, small)
            which = a.name
        else:
            vb, kept = _reduce(vb, small)
            which = b.name
        note = (f"{which!r} ({max(a.dim, b.dim)} dimensions) was reduced to {small} with PCA over the shared words "
                f"({kept:.0%} of its spread kept) before aligning")
    rotation, _ = orthogonal_procrustes(vb, va)
    vb = vb @ rotation
    error = float(np.linalg.norm(vb - va) / np.linalg.norm(va))
    fa, fb = np.ascontiguousarray(va, dtype=np.float32), np.ascontiguousarray(vb, dtype=np.float32)
    for arr in (fa, fb, rotation, overlap, nearest_a, nearest_b):
        arr.flags.writeable = False
    logger.debug("compared %s and %s over %d words: error %.3f, overlap %.3f", a.name, b.name, len(tokens),
                 error, float(overlap.mean()))
    return Comparison(tokens, fa, fb, rotation, error, overlap, k, (a.name, b.name), len(shared), nearest_a,
                      nearest_b, note)


def map_coords(comparison: Comparison, *, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """2-D coordinates of the compared words in both spaces, in ONE PCA plane (fitted to A's rows), so the
    two maps are directly comparable: ``((m, 2), (m, 2)) float32`` for the first ``n`` words (all if None)."""
    a = comparison.a if n is None else comparison.a[:n]
    b = comparison.b if n is None else comparison.b[:n]
    plane = pca_plane(a, 2)
    return plane.transform(a), plane.transform(b)
