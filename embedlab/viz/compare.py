"""Figures of the Compare and Challenges pages: two aligned spaces side by side, an odd-one-out reveal."""
from __future__ import annotations

import numpy as np

from ..lessons.games import OddPuzzle
from ..space.compare import Comparison, map_coords
from .explorer import neighbor_bar
from .maps import compare_figure
from .presenter import NO_LABELS
from .style import OTHER, PALETTE, escape_plotly_text

__all__ = ["OVERLAP_GROUPS", "overlap_groups", "compare_maps", "odd_one_out_figure"]

OVERLAP_GROUPS = ("most neighbours shared (≥ 50%)", "some shared (10–40%)")
"""Colour groups of the Compare maps; a word sharing no neighbour is grey."""
NONE_SHARED = "no neighbour shared"


def overlap_groups(overlap) -> list[str]:
    """The colour group of each word's top-k overlap (``"other"``, drawn grey, for none shared).

    >>> overlap_groups([1.0, 0.5, 0.2, 0.0])
    ['most neighbours shared (≥ 50%)', 'most neighbours shared (≥ 50%)', 'some shared (10–40%)', 'other']
    """
    return [OVERLAP_GROUPS[0] if o >= 0.5 else OVERLAP_GROUPS[1] if o > 0 else OTHER for o in overlap]


def compare_maps(comparison: Comparison, *, highlight: str | None = None, height: int = 520):
    """Both spaces in one PCA plane (fitted to A), side by side, coloured by neighbour overlap; ``highlight``
    (a compared word) is starred in both, with lines to its nearest words in A drawn where they are in each.

    Raises
    ------
    UnknownTokenError
        If ``highlight`` is not a compared word.
    """
    ca, cb = map_coords(comparison)
    a_name, b_name = comparison.names
    row = None if highlight is None else comparison.position(highlight)
    nn = [] if row is None else [int(j) for j in comparison.nearest_a[row]]
    fig = compare_figure({f"A: {a_name}": ca, f"B: {b_name}, rotated onto A": cb}, list(comparison.tokens),
                         highlight=row, neighbor_rows=nn, labels=overlap_groups(comparison.overlap),
                         category_order=(OTHER,) + OVERLAP_GROUPS, height=height)
    clouds = {escape_plotly_text(g) for g in (OTHER,) + OVERLAP_GROUPS}
    for tr in fig.data:
        if tr.name in clouds:
            tr.meta = NO_LABELS                 # thousands of words: hover, never labels on a projector
        if tr.name == OTHER:
            tr.name = NONE_SHARED
    if nn:
        for tr in fig.data:
            if tr.name and tr.name.endswith("nearest (full space)"):
                tr.name = f"{len(nn)} nearest in A"
            elif tr.name == "neighbours":
                # two maps side by side leave ~330 px each: ten labels around one star would knot (seen at
                # 1280x720); the neighbours are named on hover and in the page's table below the maps
                tr.mode, tr.meta = "markers", NO_LABELS
        fig.layout.annotations = [a for a in fig.layout.annotations if a.name != "neighbour label"]
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.04, x=0))
    return fig


def odd_one_out_figure(puzzle: OddPuzzle):
    """The reveal: each word's cosine to the mean of the others, best fit first, the odd word in vermilion."""
    order = np.argsort(-np.asarray(puzzle.scores), kind="stable")
    words = [puzzle.words[i] for i in order]
    fig = neighbor_bar(words, [puzzle.scores[i] for i in order], title="How well each word fits the others")
    fig.data[0].marker.color = [PALETTE[5] if w == puzzle.odd else PALETTE[0] for w in words]
    fig.data[0].name = "cosine to the mean of the other words"
    fig.update_layout(showlegend=False)
    fig.update_xaxes(title_text="cosine to the mean of the other words")
    return fig
