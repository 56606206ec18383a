"""Labels that fit: a position beside each point's marker for its word, so that no two labels overlap
and none runs off the plot; a label with no free position is left out (hover names the point).

Sizes are estimated in pixels, for presenter mode's 20 px font (the worst case: a label that fits there
fits at the normal size too, since the points only move further apart on a larger plot).

>>> place_labels([[0, 0], [0, 0.001], [1, 1]], ["king", "queen", "far"], ranges=((-0.5, 1.5), (-0.5, 1.5)))
['bottom center', 'top center', 'top center']

(king's label goes below it: above it sits queen's marker.)
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..core.errors import InvalidParameterError
from ..core.validate import check_float

__all__ = ["POSITIONS", "label_box", "box_overlap", "to_px", "place_labels", "label_annotations"]

#: plotly ``textposition`` values, in the order they are tried (the most natural first)
POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "top left",
             "bottom right", "bottom left")


def label_box(x: float, y: float, w: float, h: float, r: float, pos: str) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) in pixels (y up) of a ``w`` x ``h`` label at ``pos`` around a marker of radius ``r``.

    >>> label_box(0, 0, 10, 4, 2, "top center")
    (-5.0, 2, 5.0, 6)
    """
    vert, horiz = pos.split()
    y0 = y + r if vert == "top" else y - r - h if vert == "bottom" else y - h / 2
    if horiz == "center":
        x0 = x - w / 2
    elif horiz == "right":
        x0 = x + (r if vert == "middle" else 0)
    else:
        x0 = x - w - (r if vert == "middle" else 0)
    return x0, y0, x0 + w, y0 + h


def box_overlap(a, b) -> float:
    """The area two (x0, y0, x1, y1) boxes share.

    >>> box_overlap((0, 0, 2, 2), (1, 1, 3, 3))
    1
    """
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def to_px(xy, ranges, width_px: float, height_px: float) -> np.ndarray:
    """Data coordinates ``xy`` (n, 2) as pixels (y up, from the plot's bottom left) of a plot area of
    ``width_px`` x ``height_px`` showing ``ranges`` ((x0, x1), (y0, y1)).

    >>> to_px([[0.5, 1.0]], ((0, 1), (0, 2)), 100, 50).tolist()
    [[50.0, 25.0]]
    """
    p = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    (x0, x1), (y0, y1) = ranges
    return np.column_stack([(p[:, 0] - x0) / max(x1 - x0, 1e-12) * width_px,
                            (p[:, 1] - y0) / max(y1 - y0, 1e-12) * height_px])


def place_labels(xy, labels: Sequence[str], *, ranges, width_px: float = 600, height_px: float = 420,
                 font_px: float = 20, marker_px: float = 10, obstacles=(), always: Sequence[int] = (),
                 avoid=(), edge_weight: float = 1.0) -> list[str | None]:
    """A ``textposition`` for each label (in the order given: most important first), or None where
    every position would overlap a label already placed, an obstacle or the plot's edge.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        The labelled points, in data coordinates.
    labels : sequence of str
        One per point; ``"\n"`` separates the lines of a label written on several.
    ranges : ((x0, x1), (y0, y1))
        The data range the plot area shows.
    width_px, height_px : float
        The plot area's size in pixels (estimate it small: labels then fit on any larger plot).
    font_px : float
        Label font size in pixels.
    marker_px : float or sequence of float
        Marker radius in pixels, or one per point (a star beside small dots: labels were placed for
        the dots' radius and plotly, offsetting them by the star's, wrote them over the next star).
    obstacles : sequence of (x0, y0, x1, y1)
        Pixel boxes (y up, from the plot's bottom left) no label may cover, e.g. a boxed title label.
    always : sequence of int
        Labels placed even when they overlap (at their least-overlapping position), e.g. the searched word.
    avoid : array_like, shape (m, 2), optional
        Unlabelled points, in data coordinates, whose markers a label covers only when no position
        is clear of them (like the labelled points' markers).
    edge_weight : float
        For a label in ``always`` with no clear position: how much worse running past the plot's edge
        is than covering a marker (1: as bad as covering one of its own size; Documents' long labels
        use 100, a label cut by the edge being unreadable).

    Returns
    -------
    list of str or None
        Markers of other labelled points are avoided when possible, never required.
    """
    for name, value in (("width_px", width_px), ("height_px", height_px), ("font_px", font_px)):
        check_float(value, name, low=0, low_open=True)
    px = to_px(xy, ranges, width_px, height_px)
    radii = np.asarray(marker_px, dtype=np.float64).ravel() if np.ndim(marker_px) else \
        np.full(len(px), check_float(marker_px, "marker_px", low=0))
    if len(radii) != len(px) or not np.all(np.isfinite(radii)) or np.any(radii < 0):
        raise InvalidParameterError(f"marker_px: one radius >= 0 per point ({len(px)}), got {len(radii)}")
    markers = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(px, radii)]
    r = float(np.min(radii)) if len(radii) else 0.0      # the unlabelled points: as small as the smallest
    others = [(x - r, y - r, x + r, y + r) for x, y in (to_px(avoid, ranges, width_px, height_px) if len(avoid) else ())]
    placed = [tuple(b) for b in obstacles]
    forced = {int(i) for i in always}
    out: list[str | None] = []
    for i, ((x, y), label, r) in enumerate(zip(px, labels, radii)):
        lines = str(label).split("\n")       # a label of several lines: its longest line, its lines' height
        w, h = 0.58 * font_px * max(max(map(len, lines)), 1) + 4, 1.2 * font_px * len(lines)
        best, best_cost = None, None
        for pos in POSITIONS:
            b = label_box(x, y, w, h, r, pos)
            clash = sum(box_overlap(b, q) for q in placed)
            off = b[0] < 0 or b[2] > width_px or b[1] < 0 or b[3] > height_px
            if (clash > 0 or off) and i not in forced:
                continue
            cost = (clash * 100 + off * w * h * edge_weight + sum(box_overlap(b, m) for j, m in enumerate(markers) if j != i)
                    + sum(box_overlap(b, m) for m in others))
            if best_cost is None or cost < best_cost - 1e-9:
                best, best_cost, best_box = pos, cost, b
        if best is not None:
            placed.append(best_box)
        out.append(best)
    return out


def label_annotations(xy, labels: Sequence[str], positions: Sequence[str | None], *, font_size: float,
                      marker_px: float = 10, name: str = "label", ref: dict | None = None) -> list[dict]:
    """Plotly annotations writing ``labels`` at ``positions`` (from :func:`place_labels`) beside their
    points, on a white box: annotations are drawn above WebGL markers, a text trace below them.
    Labels must be escaped plotly text already.

    >>> [a["yanchor"] for a in label_annotations([[0, 0]], ["a"], ["top center"], font_size=12)]
    ['bottom']
    """
    notes = []
    for (x, y), text, pos in zip(np.asarray(xy, dtype=np.float64).reshape(-1, 2), labels, positions):
        if pos is None:
            continue
        vert, horiz = pos.split()
        notes.append(dict(
            x=float(x), y=float(y), text=text, showarrow=False, name=name,
            xanchor={"center": "center", "right": "left", "left": "right"}[horiz],
            yanchor={"top": "bottom", "bottom": "top", "middle": "middle"}[vert],
            xshift={"center": 0, "right": marker_px, "left": -marker_px}[horiz] if vert == "middle" else 0,
            yshift={"top": marker_px, "bottom": -marker_px, "middle": 0}[vert],
            bgcolor="rgba(255,255,255,0.85)", borderpad=1, font=dict(size=font_size, color="#222222"),
            **(ref or {})))
    return notes
