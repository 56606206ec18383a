"""Which points the Map draws: a sample of the most frequent tokens, the searched and grouped words
added to it, and how the picture's neighbours of a searched word compare with the real ones.

The browser chokes on more than :data:`DRAW_LIMIT` points, so a larger set is drawn as a sample
(the *base* rows); a searched word, its neighbours and typed group words are always drawn, added
after the base rows when the sample lacks them, so the base rows' positions (and a PCA fitted to
them) do not move when a word is searched.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.validate import check_int
from .maps import LABEL_LIMIT, OTHER, nearest_in_picture

__all__ = ["DRAW_LIMIT", "SIZES", "DEFAULT_SIZE", "size_choices", "parse_size", "MapPoints", "map_points",
           "group_labels", "PictureNeighbours", "picture_neighbours", "MapView", "map_view"]

DRAW_LIMIT = 50_000
"""Points. Above this a browser chokes: "all" is not offered and a sample is drawn."""
SIZES = (1000, 2000, 5000, 10000, 20000, "all")
"""The "points drawn" choices: that many most frequent tokens, or all of them."""
DEFAULT_SIZE = 5000


def size_choices(n_tokens: int) -> tuple:
    """The :data:`SIZES` a set of ``n_tokens`` may be drawn with ("all" only up to :data:`DRAW_LIMIT`).

    >>> size_choices(22_501)[-1], size_choices(60_000)[-1]
    ('all', 20000)
    """
    n_tokens = check_int(n_tokens, "n_tokens", minimum=0)
    return SIZES if n_tokens <= DRAW_LIMIT else SIZES[:-1]


def parse_size(raw: str) -> int | str:
    """A "points drawn" value from its URL text (``"all"`` or a whole number).

    >>> parse_size("all"), parse_size("2000")
    ('all', 2000)
    """
    return "all" if raw == "all" else int(raw)


@dataclass(frozen=True)
class MapPoints:
    """The rows to draw.

    Attributes
    ----------
    rows : ndarray
        ``(n,) int64``: the base rows, then the added rows the base lacked (read-only).
    n_base : int
        How many of ``rows`` are base rows.
    tokens : tuple of str
        The token of each drawn row.
    highlight : int or None
        Position in ``rows`` of the searched word.
    neighbor_positions : tuple of int
        Positions in ``rows`` of its neighbours, in the order given.
    """

    rows: np.ndarray
    n_base: int
    tokens: tuple[str, ...]
    highlight: int | None = None
    neighbor_positions: tuple[int, ...] = ()

    @property
    def base(self) -> np.ndarray:
        return self.rows[: self.n_base]

    @property
    def extra(self) -> np.ndarray:
        """The added rows (``(m,) int64``, possibly empty)."""
        return self.rows[self.n_base:]

    def describe(self, base_description: str, n_tokens: int) -> str:
        """What is drawn, in words: ``base_description`` (e.g. "the 1,000 most frequent of 21,748
        tokens"), the added words, and a note when the base is a sample of the ``n_tokens``.

        >>> pts = MapPoints(np.array([0, 1, 7]), 2, ("a", "b", "h"))
        >>> pts.describe("the 2 most frequent", 2)
        'the 2 most frequent, plus 1 searched or grouped word not among them'
        """
        what = base_description
        n_extra = len(self.rows) - self.n_base
        if n_extra:
            what += f", plus {n_extra} searched or grouped word{'s' if n_extra > 1 else ''} not among them"
        if self.n_base < n_tokens:
            what += (f". A sample for drawing: the search box finds any of the {n_tokens:,} tokens and adds it, "
                     "with its neighbours, to the picture")
        return what


def map_points(es: EmbeddingSet, base, *, added: Sequence[str] = (), highlight: str | None = None,
               neighbors: Sequence[str] = ()) -> MapPoints:
    """The base rows plus every word of ``added``, ``highlight`` and ``neighbors`` they lack.

    Parameters
    ----------
    es : EmbeddingSet
    base : array-like of int
        Rows drawn in any case (the most frequent tokens), in drawing order.
    added : sequence of str
        Words to draw as well (searched words, typed group words); unknown words are left out
        (the caller reports them).
    highlight : str, optional
        The searched word: drawn, and its position returned.
    neighbors : sequence of str
        Its neighbours: drawn, and their positions returned.

    Returns
    -------
    MapPoints

    Raises
    ------
    UnknownTokenError
        ``highlight`` or one of ``neighbors`` is not in ``es``.

    Examples
    --------
    >>> es = EmbeddingSet(["a", "b", "c", "d"], np.eye(4, dtype=np.float32))
    >>> pts = map_points(es, [0, 1], added=["d", "b", "zz"], highlight="c", neighbors=["a"])
    >>> pts.rows.tolist(), pts.tokens, pts.highlight, pts.neighbor_positions
    ([0, 1, 3, 2], ('a', 'b', 'd', 'c'), 3, (0,))
    """
    base = np.asarray(base, dtype=np.int64).reshape(-1)
    must = ([highlight] if highlight is not None else []) + list(neighbors)
    must_rows = [int(r) for r in es.indices(must)] if must else []
    in_base = set(base.tolist())
    wanted = [es.index(w) for w in added if w in es] + must_rows
    extra = [r for r in dict.fromkeys(wanted) if r not in in_base]
    rows = np.concatenate([base, np.asarray(extra, dtype=np.int64)]) if extra else base.copy()
    rows.flags.writeable = False
    pos_of = {r: i for i, r in enumerate(rows.tolist())}
    hl = pos_of[must_rows[0]] if highlight is not None else None
    nn = tuple(pos_of[r] for r in (must_rows[1:] if highlight is not None else must_rows))
    return MapPoints(rows, len(base), tuple(es.tokens[i] for i in rows), hl, nn)


def group_labels(tokens: Sequence[str], groups: Mapping[str, Sequence[str]], *, other: str = OTHER) -> list[str]:
    """The group of each token (the first group listing it), ``other`` for the rest.

    >>> group_labels(["cat", "red", "sun"], {"animals": ["cat"], "colours": ["red", "cat"]})
    ['animals', 'colours', 'other']
    """
    member: dict[str, str] = {}
    for g, words in groups.items():
        for w in words:
            member.setdefault(w, g)
    return [member.get(t, other) for t in tokens]


@dataclass(frozen=True)
class PictureNeighbours:
    """The drawn points nearest to the searched word, beside its real neighbours.

    ``tokens[i]`` is the i-th nearest dot in the picture; ``real[i]`` says whether it is one of the
    real (full-space) neighbours; ``kept`` counts those."""

    tokens: tuple[str, ...]
    real: tuple[bool, ...]

    @property
    def kept(self) -> int:
        return sum(self.real)


def picture_neighbours(coords, tokens: Sequence[str], highlight: int, neighbors: Sequence[str]) -> PictureNeighbours:
    """The ``len(neighbors)`` dots nearest to the dot ``highlight`` in the drawn ``coords``.

    Parameters
    ----------
    coords : array-like
        ``(n, 2 or 3)`` drawn coordinates, one row per token.
    tokens : sequence of str
        The drawn tokens.
    highlight : int
        Position of the searched word.
    neighbors : sequence of str
        Its real neighbours.

    Examples
    --------
    >>> c = np.array([[0, 0], [5, 5], [1, 0], [0, 2]], np.float32)
    >>> picture_neighbours(c, ["q", "far", "near", "mid"], 0, ["far", "near"])
    PictureNeighbours(tokens=('near', 'mid'), real=(True, False))
    """
    real = set(neighbors)
    near = nearest_in_picture(coords, highlight, len(neighbors))
    picked = tuple(tokens[i] for i in near)
    return PictureNeighbours(picked, tuple(t in real for t in picked))


@dataclass(frozen=True)
class MapView:
    """What the map figure draws: the points (all, or only the searched word and its neighbours),
    their colours, and which of them are labelled."""

    coords: np.ndarray
    tokens: tuple[str, ...]
    labels: list | None
    values: np.ndarray | None
    highlight: int | None
    neighbor_rows: tuple[int, ...]
    labelled: tuple[int, ...]
    positions: tuple[int, ...] | None = None
    """Position of each drawn point in the full list (None: all drawn, in order)."""


def map_view(coords, tokens: Sequence[str], *, labels=None, values=None, highlight: int | None = None,
             neighbor_rows: Sequence[int] = (), isolate: bool = False, group_rows: Sequence[int] = ()) -> MapView:
    """The points to draw and to label. Every point is labelled when at most
    :data:`~embedlab.viz.maps.LABEL_LIMIT` are drawn, else the ``group_rows`` (typed group words);
    with ``isolate`` only the searched word and its neighbours are kept (all labelled).

    >>> v = map_view(np.zeros((500, 2)), [str(i) for i in range(500)], highlight=7, neighbor_rows=[3, 9],
    ...              isolate=True)
    >>> v.tokens, v.highlight, v.neighbor_rows, v.labelled
    (('7', '3', '9'), 0, (1, 2), (0, 1, 2))
    >>> map_view(np.zeros((500, 2)), [str(i) for i in range(500)], group_rows=[4]).labelled
    (4,)
    """
    c = np.asarray(coords, dtype=np.float32)
    nn = [int(r) for r in neighbor_rows]
    if isolate and highlight is not None:
        keep = [int(highlight)] + [r for r in nn if r != highlight]
        pick = lambda seq: None if seq is None else [seq[i] for i in keep]  # noqa: E731
        vals = None if values is None else np.asarray(values)[keep]
        return MapView(c[keep], tuple(tokens[i] for i in keep), pick(labels), vals, 0,
                       tuple(range(1, len(keep))), tuple(range(len(keep))), tuple(keep))
    labelled = tuple(range(len(c))) if len(c) <= LABEL_LIMIT else tuple(int(r) for r in group_rows)
    return MapView(c, tuple(tokens), None if labels is None else list(labels), values, highlight, tuple(nn),
                   labelled)
