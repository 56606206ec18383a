"""The Documents page's map: documents as points, the question as a point of its own, the results
above a relevance cut-off coloured and labelled, the ones below it left grey.

>>> import numpy as np
>>> fig = documents_figure(np.zeros((3, 2)), ["a", "b", "c"], query_xy=[0.0, 0.0], query="q?",
...                        hit_rows=[0], weak_rows=[1], cutoff=0.25)
>>> [t.name for t in fig.data]
['other (1)', 'result, cosine below 0.25 (1)', 'result, cosine ≥ 0.25 (1)', 'hit labels', 'your question']
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .maps import OTHER, map_figure
from .style import FONT_SIZE, HIGHLIGHT, escape_plotly_text

__all__ = ["documents_figure", "hit_label_spots", "plot_ranges"]

#: the plot area the hits' labels are placed for (px): the Documents map at 1024x768 in presenter mode
_PLOT_PX = (560, 420)


#: a hit's label is wrapped to lines of at most this many characters, at most LABEL_LINES of them: a
#: 40-character line did not fit beside its dot on a 560 px plot (written over the other hit, cut by the edge)
LABEL_WIDTH, LABEL_LINES = 22, 2


def wrapped_label(text: str) -> list[str]:
    """A hit's label as its lines (at most :data:`LABEL_LINES` of at most :data:`LABEL_WIDTH` characters,
    the last ending in "…" when text is left out).

    >>> wrapped_label("The goalkeeper saved a penalty in the last minute")
    ['The goalkeeper saved a', 'penalty in the last…']
    """
    import textwrap

    lines = textwrap.wrap(str(text), LABEL_WIDTH) or [""]
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES]
        lines[-1] = lines[-1][:LABEL_WIDTH - 1].rstrip(" …") + "…"
    return lines


def plot_ranges(coords, query_xy=None) -> tuple[tuple[float, float], tuple[float, float]]:
    """The axes' ranges of the 2-D map: the documents and the question, padded by half their spread
    sideways (room for the hits' labels at the edges) and by 0.2 of it up and down (room for a two-line
    label below the lowest dot or above the highest).

    >>> [[round(v, 3) for v in r] for r in plot_ranges(np.array([[0.0, 0.0], [1.0, 2.0]]), query_xy=[3.0, 0.0])]
    [[-1.5, 4.5], [-0.4, 2.4]]
    """
    c = np.asarray(coords, dtype=np.float64)[:, :2]
    if query_xy is not None:
        c = np.vstack([c, np.asarray(query_xy, dtype=np.float64).ravel()[:2]])
    lo, hi = c.min(axis=0), c.max(axis=0)
    pad = (hi - lo) * 0.5 + 1e-6
    return ((float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1] * 0.4), float(hi[1] + pad[1] * 0.4)))


def hit_label_spots(coords, rows: Sequence[int], texts: Sequence[str], *, query_xy=None) -> list[str]:
    """A ``textposition`` for each hit's label, best first, placed clear of the other hits' labels and
    of the question's star where possible (two hits side by side wrote their texts over each other, and
    a hit's text ran across the star), then off the other documents' dots; every hit keeps its label,
    at its least crowded position (see :mod:`embedlab.viz.labels`).

    >>> hit_label_spots(np.array([[0.0, 0.0], [0.01, 0.0], [1.0, 1.0]]), [0, 1], ["a long text here", "another"])
    ['top center', 'bottom center']
    >>> hit_label_spots(np.array([[0.0, 0.0], [1.0, 1.0]]), [0], ["a text"], query_xy=[0.0, 0.06])
    ['bottom center']
    """
    from .labels import place_labels, to_px
    from .presenter import PRESENTER_FONT_SIZE

    c = np.asarray(coords, dtype=np.float64)[:, :2]
    ranges = plot_ranges(c, query_xy)
    labels = ["\n".join(wrapped_label(texts[r])) for r in rows]
    star = []
    if query_xy is not None:      # the star, 20 px across, as a box no label may cover when another spot is free
        (qx, qy), = to_px(np.asarray(query_xy, dtype=np.float64).ravel()[:2], ranges, *_PLOT_PX)
        star = [(qx - 12, qy - 12, qx + 12, qy + 12)]
    rest = [i for i in range(len(c)) if i not in set(rows)]
    spots = place_labels(c[list(rows)], labels, ranges=ranges, width_px=_PLOT_PX[0], height_px=_PLOT_PX[1],
                         font_px=(FONT_SIZE - 1) * PRESENTER_FONT_SIZE / FONT_SIZE, marker_px=10,
                         obstacles=star, always=range(len(labels)), avoid=c[rest], edge_weight=100)
    return [s or "top center" for s in spots]


def documents_figure(coords, tokens: Sequence[str], *, query_xy=None, query: str = "",
                     hit_rows: Sequence[int] = (), weak_rows: Sequence[int] = (), cutoff: float = 0.25,
                     axis_titles: Sequence[str] = ("dimension 1", "dimension 2"), title: str = "",
                     height: int = 600):
    """The documents' map (2-D or 3-D ``coords``, one per token) with the question at ``query_xy``.

    ``hit_rows`` (cosine >= ``cutoff``) are coloured and labelled; ``weak_rows`` (results below the
    cut-off) get a legend entry of their own in grey-blue, unlabelled; no lines are drawn.
    """
    import plotly.graph_objects as go

    hit = f"result, cosine ≥ {cutoff:.2f}"
    weak = f"result, cosine below {cutoff:.2f}"
    labels = [OTHER] * len(tokens)
    for r in weak_rows:
        labels[int(r)] = weak
    for r in hit_rows:
        labels[int(r)] = hit
    fig = map_figure(coords, tokens, labels=labels, category_order=[OTHER, weak, hit],
                     axis_titles=axis_titles, title=title, height=height)
    hit_name = escape_plotly_text(hit)
    for tr in fig.data:
        if tr.name.startswith(escape_plotly_text(weak)):
            tr.marker.color = "#9fb4c7"
        if not tr.name.startswith(hit_name):   # only the hits get labels (presenter mode labels small traces)
            tr.text = [""] * len(tr.x)
    c = np.asarray(coords, dtype=np.float32)
    if hit_rows and c.shape[1] == 2:
        rows = [int(r) for r in hit_rows]
        # an invisible marker the size of a hit's dot: plotly sets a text beside its own trace's marker
        # (with mode="text" the wrapped texts began at the dot's centre and covered it)
        fig.add_trace(go.Scatter(x=c[rows, 0], y=c[rows, 1], mode="markers+text", name="hit labels",
                                 marker=dict(size=20, color="rgba(0,0,0,0)"), showlegend=False, hoverinfo="skip",
                                 text=["<br>".join(escape_plotly_text(t) for t in wrapped_label(tokens[r])) for r in rows],
                                 textposition=hit_label_spots(c, rows, tokens, query_xy=query_xy),
                                 textfont=dict(size=FONT_SIZE - 1, color="#333333")))
        for tr in fig.data:
            if tr.name and tr.name.startswith(hit_name):
                tr.text = [""] * len(tr.x)
    if query_xy is not None:
        q = np.asarray(query_xy, dtype=np.float32).ravel()
        name = "your question"
        hover = escape_plotly_text(query) or name
        marker = dict(size=20, color=HIGHLIGHT, symbol="star" if q.size == 2 else "diamond",
                      line=dict(color="white", width=1))
        if q.size == 3:
            fig.add_trace(go.Scatter3d(x=[q[0]], y=[q[1]], z=[q[2]], mode="markers", name=name, marker=marker,
                                       hovertext=[hover], hovertemplate="<b>%{hovertext}</b><extra></extra>"))
        else:
            fig.add_trace(go.Scatter(x=[q[0]], y=[q[1]], mode="markers", name=name, marker=marker,
                                     hovertext=[hover], hovertemplate="<b>%{hovertext}</b><extra></extra>",
                                     text=[""]))
    fig.update_layout(legend=dict(orientation="h", x=0, y=-0.18, xanchor="left", yanchor="top"))
    if c.shape[1] == 2:          # the ranges the labels were placed for; labels may reach past the axes
        (x0, x1), (y0, y1) = plot_ranges(c, query_xy)
        fig.update_xaxes(range=[x0, x1])
        fig.update_yaxes(range=[y0, y1])
        fig.update_traces(cliponaxis=False, selector=dict(type="scatter"))
        fig.update_layout(margin=dict(l=70, r=40))
    return fig
