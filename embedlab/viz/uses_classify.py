"""Figures of the Classification and Recommendation pages: the learning curve, the 2-D decision
boundary, the recommendation map and the item2vec map.

Every item text (a word, a sentence, an uploaded label or item) is escaped with
:func:`~embedlab.viz.style.escape_plotly_text`; legends sit below the plot so they never cover it
on a projector.

>>> import numpy as np
>>> from embedlab.lessons.classify import LearningCurve
>>> c = LearningCurve(("word-vectors", "one-hot"), (1, 2), np.array([[[0.8], [0.9]], [[0.5], [0.5]]]),
...                   ("a", "b"), 3, 10, 0)
>>> fig = learning_curve_figure(c)
>>> [t.name for t in fig.data][-1], fig.layout.xaxis.title.text
('chance (50%)', 'labelled examples per class')
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.linalg import pca_plane
from ..lessons.classify import DecisionBoundary, LearningCurve
from ..lessons.recommend import ItemEmbedding, Recommendation
from .labels import POSITIONS, box_overlap, label_box
from .style import GREY, HIGHLIGHT, PALETTE, colors_for, escape_plotly_text, escape_plotly_texts, figure_layout

__all__ = ["KIND_LABELS", "short_text", "label_positions", "learning_curve_figure", "boundary_figure",
           "recommendation_figure", "item_map_figure"]

KIND_LABELS = {"sentence-embedding": "dense: MiniLM sentence vectors", "word-vectors": "dense: word vectors",
               "bag-of-words": "bag-of-words counts", "one-hot": "one-hot ids"}
_KIND_COLOURS = {"sentence-embedding": PALETTE[0], "word-vectors": PALETTE[0], "bag-of-words": PALETTE[5],
                 "one-hot": PALETTE[5]}
_LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.3, x=0, xanchor="left")   # clear of the x-axis title


def short_text(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (for hover labels of long sentences).

    >>> short_text("a" * 10, 5)
    'aaaa…'
    """
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)}, {alpha})"


def learning_curve_figure(curve: LearningCurve, *, labels: Mapping[str, str] | None = None, title: str = "",
                          height: int = 460):
    """Mean held-out accuracy (line) ± one standard deviation over the splits (band) per feature kind,
    against labelled examples per class (log axis), with the chance level as a dashed line."""
    import plotly.graph_objects as go

    labels = {**KIND_LABELS, **(labels or {})}
    sizes = list(curve.sizes)
    fig = go.Figure()
    for k, kind in enumerate(curve.kinds):
        colour = _KIND_COLOURS.get(kind, colors_for(len(curve.kinds))[k])
        mean, std = curve.mean[k], curve.std[k]
        name = escape_plotly_text(labels.get(kind, kind))
        fig.add_trace(go.Scatter(x=sizes + sizes[::-1], y=list(mean + std) + list((mean - std)[::-1]),
                                 mode="lines", fill="toself", fillcolor=_rgba(colour, 0.18), line=dict(width=0),
                                 hoverinfo="skip", showlegend=False, name=f"{name} ± 1 sd"))
        fig.add_trace(go.Scatter(x=sizes, y=list(mean), mode="lines+markers", name=name,
                                 line=dict(color=colour, width=3,
                                           dash="solid" if kind in ("sentence-embedding", "word-vectors") else "dot"),
                                 marker=dict(size=9), customdata=list(std),
                                 hovertemplate="%{x} per class: %{y:.0%} ± %{customdata:.0%}<extra>" + name
                                 + "</extra>"))
    fig.add_trace(go.Scatter(x=[sizes[0], sizes[-1]], y=[curve.chance] * 2, mode="lines",
                             name=f"chance ({curve.chance:.0%})", line=dict(color=GREY, width=2, dash="dash"),
                             hoverinfo="skip"))
    figure_layout(fig, title=title, height=height, xtitle="labelled examples per class",
                  ytitle="accuracy on held-out items")
    fig.update_xaxes(type="log", tickvals=sizes, ticktext=[str(s) for s in sizes])
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    fig.update_layout(legend=_LEGEND_BELOW, margin=dict(b=130))
    return fig


def boundary_figure(db: DecisionBoundary, *, title: str = "", height: int = 560, hover_limit: int = 70):
    """The 2-D PCA plane: background = the class the 2-D model predicts there; dots = items
    (filled: labelled examples it learned from, open: held-out, a cross: held-out and misclassified;
    small grey: neither)."""
    import plotly.graph_objects as go

    colours = colors_for(len(db.classes))
    n = len(db.classes)
    # one flat colour band per class index: a discrete colour scale
    scale = []
    for i, c in enumerate(colours):
        scale += [[i / n, _rgba(c, 0.16)], [(i + 1) / n, _rgba(c, 0.16)]]
    fig = go.Figure(go.Heatmap(x=db.xs, y=db.ys, z=db.grid_class, zmin=-0.5, zmax=n - 0.5, colorscale=scale,
                               showscale=False, hoverinfo="skip", name="predicted region"))
    xy = np.asarray(db.coords)
    labels = np.asarray(db.labels, dtype=object)
    pred = np.asarray(db.predicted, dtype=object)
    hover = np.asarray(escape_plotly_texts(short_text(t, hover_limit) for t in db.items), dtype=object)
    wrong = db.test & (pred != labels)

    def points(mask, name, marker, group):
        # hover text also set as ``text`` (not drawn: mode "markers"), so presenter mode does not turn
        # dozens of words or whole sentences into overlapping labels
        fig.add_trace(go.Scatter(x=xy[mask, 0], y=xy[mask, 1], mode="markers", name=name, text=list(hover[mask]),
                                 hovertext=list(hover[mask]), marker=marker, customdata=list(np.flatnonzero(mask)),
                                 hovertemplate="%{hovertext}<extra>" + group + "</extra>"))

    unused = ~db.train & ~db.test
    if unused.any():
        points(unused, "not used (neither learned from nor scored)", dict(size=5, color=GREY), "not used")
    for i, cls in enumerate(db.classes):
        name = escape_plotly_text(cls)
        of = labels == cls
        for mask, suffix, marker in (
                (of & db.train, "learned from", dict(size=12, color=colours[i], line=dict(color=HIGHLIGHT, width=1))),
                (of & db.test & ~wrong, "held out, right", dict(size=10, color="white", symbol="circle",
                                                                line=dict(color=colours[i], width=2.5))),
                (of & wrong, "held out, wrong", dict(size=12, color=colours[i], symbol="x",
                                                     line=dict(color=HIGHLIGHT, width=1)))):
            if mask.any():
                points(mask, f"{name}: {suffix}", marker, name)
    ev = db.explained_variance
    figure_layout(fig, title=title, height=height, xtitle=f"PCA axis 1 ({ev[0]:.0%} of the variance)",
                  ytitle=f"PCA axis 2 ({ev[1]:.0%} of the variance)")
    fig.update_layout(legend=_LEGEND_BELOW, margin=dict(b=170))
    return fig


_POSITIONS = POSITIONS


def label_positions(xy, labels: Sequence[str], *, width: float = 700, height: float = 320, font: float = 20,
                    radius: float = 9, pad: tuple[float, float] = (0.1, 0.15)) -> list[str]:
    """A plotly ``textposition`` for each point's label, chosen greedily (in the order given, so put
    the most important points first) to overlap the labels already placed, the markers and the plot
    edge as little as possible. Sizes are estimated in pixels for a plot area of ``width`` x
    ``height`` and a ``font``-pixel font (presenter mode's), the points spread over all but ``pad``
    (a share of the width and height) on each side, as :func:`_pad_axes` draws them.

    >>> label_positions([[0, 0], [1, 1]], ["alpha", "beta"], width=400, height=200)   # beta at the top edge
    ['top center', 'bottom center']
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if not len(xy):
        return []
    lo, span = xy.min(axis=0), np.ptp(xy, axis=0)
    span = np.where(span > 0, span, 1.0)
    px = (xy - lo) / span * [width * (1 - 2 * pad[0]), height * (1 - 2 * pad[1])] + [width * pad[0], height * pad[1]]
    markers = [(x - radius, y - radius, x + radius, y + radius) for x, y in px]
    placed, out = [], []
    for i, (x, y) in enumerate(px):
        w, h = 0.58 * font * max(len(str(labels[i])), 1), 1.15 * font
        best, best_cost = _POSITIONS[0], None
        for pos in _POSITIONS:
            b = label_box(x, y, w, h, radius, pos)
            cost = sum(box_overlap(b, p) for p in placed) + 0.5 * sum(
                box_overlap(b, m) for j, m in enumerate(markers) if j != i)
            cost += w * h * (max(0.0, -b[0]) + max(0.0, b[2] - width) + max(0.0, -b[1]) + max(0.0, b[3] - height)) / w
            cost += 0.01 * _POSITIONS.index(pos)       # ties: the earlier (more natural) position
            if best_cost is None or cost < best_cost:
                best, best_cost = pos, cost
        placed.append(label_box(x, y, w, h, radius, best))
        out.append(best)
    return out


def _pad_axes(fig, xy: np.ndarray, *, pad: tuple[float, float] = (0.1, 0.15)) -> None:
    """Axis ranges with room around the points for their labels (as :func:`label_positions` assumes)."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    fx, fy = (p / (1 - 2 * p) for p in pad)
    fig.update_xaxes(range=[float(lo[0] - fx * span[0]), float(hi[0] + fx * span[0])])
    fig.update_yaxes(range=[float(lo[1] - fy * span[1]), float(hi[1] + fy * span[1])])


def recommendation_figure(es: EmbeddingSet, rec: Recommendation, *, title: str = "", height: int = 560):
    """The liked, disliked and recommended items and the profile vector (a star) in the PCA plane of
    their unit vectors; grey lines join each recommendation to its closest liked item."""
    import plotly.graph_objects as go

    groups = (("liked", list(rec.liked), PALETTE[2], "circle"), ("disliked", list(rec.disliked), PALETTE[5], "x"),
              ("recommended", [r.token for r in rec.items], PALETTE[0], "diamond"))
    tokens = [t for _, ts, _, _ in groups for t in ts]
    unit = es.unit[es.indices(tokens)]
    prof = np.asarray(rec.profile, dtype=np.float64)
    prof = prof / np.linalg.norm(prof)
    plane = pca_plane(np.vstack([unit, prof[None, :]]).astype(np.float64))
    xy = plane.transform(unit)
    star = plane.transform(prof)[0]
    where = {t: xy[i] for i, t in enumerate(tokens)}
    positions = label_positions(xy, tokens)
    fig = go.Figure()
    lx, ly = [], []
    for r in rec.items:
        if r.closest_liked is not None:
            a, b = where[r.token], where[r.closest_liked]
            lx += [float(a[0]), float(b[0]), None]
            ly += [float(a[1]), float(b[1]), None]
    fig.add_trace(go.Scatter(x=lx, y=ly, mode="lines", line=dict(color=GREY, width=1),
                             name="closest liked item", hoverinfo="skip"))
    start = 0
    for name, ts, colour, symbol in groups:
        sl = slice(start, start + len(ts))
        start += len(ts)
        if not ts:
            continue
        fig.add_trace(go.Scatter(x=xy[sl, 0], y=xy[sl, 1], mode="markers+text", name=name,
                                 text=escape_plotly_texts(ts), hovertext=escape_plotly_texts(ts),
                                 textposition=positions[sl], marker=dict(size=12, color=colour, symbol=symbol),
                                 hovertemplate="%{hovertext}<extra>" + name + "</extra>"))
    fig.add_trace(go.Scatter(x=[float(star[0])], y=[float(star[1])], mode="markers", name="profile (user vector)",
                             marker=dict(size=22, color=HIGHLIGHT, symbol="star"),
                             hovertemplate="the profile vector<extra></extra>"))
    _pad_axes(fig, np.vstack([xy, star[None, :]]))
    ev = plane.explained_variance_ratio
    figure_layout(fig, title=title, height=height, xtitle=f"PCA axis 1 of these items ({ev[0]:.0%})",
                  ytitle=f"PCA axis 2 ({ev[1]:.0%})")
    fig.update_layout(legend=_LEGEND_BELOW, margin=dict(b=140))
    return fig


def item_map_figure(emb: ItemEmbedding, *, selected: str | None = None, neighbours: Sequence[str] = (),
                    title: str = "", height: int = 560, label_limit: int = 60):
    """The learned item vectors in their PCA plane (exact when the vectors have 2 dimensions), marker
    size = baskets the item is in; the selected item and its neighbours highlighted. Labels are drawn
    for up to ``label_limit`` items (hover shows every name)."""
    import plotly.graph_objects as go

    es = emb.set
    plane = pca_plane(np.asarray(es.unit, dtype=np.float64))
    xy = plane.transform(es.unit)
    freq = np.asarray(es.meta.get("frequency", [1] * len(es)), dtype=np.float64)
    size = 7 + 9 * np.sqrt(freq / max(freq.max(), 1.0))
    tokens = list(es.tokens)
    role = np.zeros(len(es), dtype=int)              # 0 other, 1 neighbour, 2 selected
    near = set(neighbours)
    for i, t in enumerate(tokens):
        role[i] = 2 if t == selected else 1 if t in near else 0
    labelled = len(es) <= label_limit
    first = np.argsort(-role, kind="stable")            # the chosen item and its neighbours get the best places
    placed = label_positions(xy[first], [tokens[i] for i in first])
    positions = np.empty(len(es), dtype=object)
    positions[first] = placed
    fig = go.Figure()
    for r, name, colour in ((0, "items", PALETTE[0]), (1, "its nearest neighbours", PALETTE[1]),
                            (2, "chosen item", HIGHLIGHT)):
        m = role == r
        if not m.any():
            continue
        ts = [tokens[i] for i in np.flatnonzero(m)]
        fig.add_trace(go.Scatter(x=xy[m, 0], y=xy[m, 1], mode="markers+text" if labelled or r else "markers",
                                 name=name, text=escape_plotly_texts(ts), hovertext=escape_plotly_texts(ts),
                                 textposition=list(positions[m]), customdata=list(freq[m]),
                                 marker=dict(size=list(size[m]), color=colour, line=dict(color="white", width=1)),
                                 hovertemplate="%{hovertext}: in %{customdata:.0f} baskets<extra></extra>"))
    _pad_axes(fig, xy)
    ev = plane.explained_variance_ratio
    figure_layout(fig, title=title, height=height,
                  xtitle=f"PCA axis 1 of the item vectors ({ev[0]:.0%})", ytitle=f"PCA axis 2 ({ev[1]:.0%})")
    fig.update_layout(legend=_LEGEND_BELOW, margin=dict(b=140))
    return fig
