"""Plotly figures for the Graphs and Knowledge graphs pages: a graph drawn with its nodes coloured by
group, the DeepWalk node map, the probe's accuracy beside its baselines, TransE's loss curves,
link prediction beside chance, and the pairs of one relation drawn as arrows.

Data in, figure out; no Streamlit. Node names, group names and entity names are plain text, escaped
with :func:`embedlab.viz.style.escape_plotly_text`. Labels are drawn only where they do not overlap
(:func:`label_mask`), sized for presenter mode's larger font, so a projected figure stays readable.
Legends sit below the plot.

>>> import numpy as np
>>> xy = np.array([[0, 0], [0.001, 0], [1, 1]], dtype=np.float32)
>>> label_mask(xy, ["alpha", "beta", "gamma"], priority=[3, 2, 1], ranges=((-1, 2), (-1, 2))).tolist()
[True, False, True]
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..core.linalg import pca_plane
from .style import FONT_SIZE, GREY, HIGHLIGHT, PALETTE, colors_for, escape_plotly_text, figure_layout

__all__ = ["LABEL_FONT", "LABEL_LIMIT", "label_mask", "graph_figure", "node_map_figure", "probe_figure",
           "transe_loss_figure", "link_prediction_figure", "relation_arrows_figure"]

LABEL_FONT = 12          #: label font size (presenter mode makes it 15: labels are placed for that size)
LABEL_LIMIT = 80         #: graphs with more nodes than this get no node labels
_PRESENTER_GROWTH = 1.25  # presenter mode: 16 -> 20 px
_LEGEND_ROW = 24          # px per legend row (presenter mode scales margins with the font: 30)
_AXIS_ROOM = 62           # px below the plot for tick labels and the axis title


def _legend_below(fig, entries: int, *, per_row: int = 2, axis: bool = True, top: int = 50) -> int:
    """The legend under the plot, anchored to the figure's bottom edge with room reserved for it, so it
    never covers the plot or the x-axis title. Returns the bottom margin in pixels."""
    rows = -(-max(entries, 1) // per_row)
    bottom = (_AXIS_ROOM if axis else 10) + rows * _LEGEND_ROW + 6
    fig.update_layout(legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left",
                                  entrywidth=1.0 / per_row, entrywidthmode="fraction"),
                      margin=dict(t=top, b=bottom))
    return bottom


def _ranges(xy: np.ndarray, pad: float = 0.08) -> tuple[list[float], list[float]]:
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    return ([float(lo[0] - pad * span[0]), float(hi[0] + pad * span[0])],
            [float(lo[1] - pad * span[1] * 1.6), float(hi[1] + pad * span[1] * 1.6)])


def label_mask(xy, labels: Sequence[str], *, priority=None, width_px: float = 300, height_px: float = 380,
               font_px: float = LABEL_FONT * _PRESENTER_GROWTH, marker_px: float = 10, ranges=None,
               always: Sequence[int] = ()) -> np.ndarray:
    """Which points get a text label so that no two labels overlap, and no label covers another point's
    marker or runs off the plot: greedy, highest ``priority`` first.

    Each label is a box of about ``0.62 * font_px`` per character by ``1.25 * font_px``, centred just above
    its marker (radius ``marker_px``, plotly's ``top center``), in a plot area of ``width_px`` × ``height_px``
    pixels spanning ``ranges`` (default: the points' own, padded as the figures here pad them).
    Points in ``always`` (a chosen node) are tried first and may cover other markers, never other labels.

    Returns
    -------
    (n,) bool array
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    n = len(xy)
    if n == 0:
        return np.zeros(0, dtype=bool)
    (x0, x1), (y0, y1) = ranges if ranges is not None else _ranges(xy)
    px = (xy[:, 0] - x0) / max(x1 - x0, 1e-12) * width_px
    py = (xy[:, 1] - y0) / max(y1 - y0, 1e-12) * height_px
    order = np.argsort(-np.asarray(priority, dtype=np.float64), kind="stable") if priority is not None \
        else np.arange(n)
    first = [int(i) for i in always]
    order = first + [int(i) for i in order if int(i) not in set(first)]
    boxes, keep = [], np.zeros(n, dtype=bool)
    h, r = 1.25 * font_px, marker_px
    dots = np.stack([px - r, py - r, px + r, py + r], axis=1)
    for i in order:
        w = 0.62 * font_px * max(len(str(labels[i])), 1)
        box = (px[i] - w / 2, py[i] + r, px[i] + w / 2, py[i] + r + h)
        if box[0] < 0 or box[2] > width_px or box[3] > height_px:
            continue
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            continue
        hit = (box[0] < dots[:, 2]) & (dots[:, 0] < box[2]) & (box[1] < dots[:, 3]) & (dots[:, 1] < box[3])
        hit[i] = False
        if hit.any() and i not in first:
            continue
        boxes.append(box)
        keep[i] = True
    return keep


def _group_colours(groups: Sequence[str]) -> dict[str, str]:
    names = sorted(set(groups), key=lambda g: (-list(groups).count(g), g))
    return dict(zip(names, colors_for(len(names))))


_NODE_SIZE = 11
_COLUMN_PX = 290          # plot width of a half-width figure at 1280 px in presenter mode (the tightest case)


def _labels_trace(xy, names, keep):
    """Text labels above invisible markers of the nodes' size (so plotly offsets them like the nodes')."""
    import plotly.graph_objects as go

    return go.Scatter(x=xy[keep, 0], y=xy[keep, 1], mode="markers+text", textposition="top center",
                      text=[escape_plotly_text(names[i]) for i in keep], hoverinfo="skip", showlegend=False,
                      textfont=dict(size=LABEL_FONT, color="#333333"), name="labels",
                      marker=dict(size=_NODE_SIZE, color="rgba(0,0,0,0)"))


def _node_figure(xy, names, groups, degree, *, highlight, title: str, height: int, axis: bool, edges=None,
                 xtitle: str = "", ytitle: str = "", legend: bool = True):
    """Nodes (one trace per group, legend below), black rings on ``highlight``, the labels that fit."""
    import plotly.graph_objects as go

    fig = go.Figure()
    if edges is not None:
        fig.add_trace(edges)
    groups = list(groups) if groups is not None else ["node"] * len(names)
    colours = _group_colours(groups)
    for g, colour in colours.items():
        rows = [i for i, v in enumerate(groups) if v == g]
        hover = [escape_plotly_text(f"{names[i]} · {g} · {int(degree[i])} links") for i in rows]
        # text (hover only, mode "markers") keeps presenter mode from labelling every point itself
        fig.add_trace(go.Scatter(x=xy[rows, 0], y=xy[rows, 1], mode="markers", name=escape_plotly_text(g),
                                 text=hover, hovertext=hover, hoverinfo="text", customdata=rows,
                                 marker=dict(size=_NODE_SIZE, color=colour, line=dict(color="white", width=1))))
    h = list(highlight)
    if h:
        fig.add_trace(go.Scatter(x=xy[h, 0], y=xy[h, 1], mode="markers", name="chosen + nearest",
                                 text=[escape_plotly_text(names[i]) for i in h], hoverinfo="text",
                                 marker=dict(size=18, color="rgba(0,0,0,0)", line=dict(color=HIGHLIGHT, width=2))))
    figure_layout(fig, title=title, height=height, xtitle=xtitle, ytitle=ytitle)
    top = 50
    if legend:     # two entries a row when the names are short enough for half the plot's width
        per_row = 2 if max(len(g) for g in list(colours) + ["chosen + nearest"]) <= 13 else 1
        bottom = _legend_below(fig, len(colours) + bool(h), axis=axis, top=top, per_row=per_row)
    else:
        bottom = _AXIS_ROOM if axis else 10
        fig.update_layout(showlegend=False, margin=dict(t=top, b=bottom))
    xr, yr = _ranges(xy)
    fig.update_xaxes(range=xr, visible=axis, zeroline=False)
    fig.update_yaxes(range=yr, visible=axis, zeroline=False)
    fig.update_layout(margin=dict(l=60 if axis else 10, r=10))
    if len(names) <= LABEL_LIMIT:
        prio = np.asarray(degree, dtype=np.float64).copy()
        prio[h] += 1e6                             # the chosen node and its neighbours first
        plot_w = _COLUMN_PX + (60 if not axis else 0)
        plot_h = height - _PRESENTER_GROWTH * (top + bottom)
        keep = np.flatnonzero(label_mask(xy, names, priority=prio, ranges=(xr, yr), width_px=plot_w,
                                         height_px=plot_h, always=h[:1]))
        fig.add_trace(_labels_trace(xy, names, [i for i in keep if not h or i != h[0]]))
        if h:          # the chosen node's name on a white box, above every marker
            fig.add_annotation(x=float(xy[h[0], 0]), y=float(xy[h[0], 1]),
                               text=f"<b>{escape_plotly_text(names[h[0]])}</b>",
                               showarrow=False, yshift=16, bgcolor="rgba(255,255,255,0.85)",
                               font=dict(size=LABEL_FONT + 1, color=HIGHLIGHT), name="chosen node")
    return fig


def graph_figure(graph, xy, *, highlight: Sequence[int] = (), title: str = "The graph"):
    """The graph drawn at ``xy`` (``graph_layout``): grey edges, nodes coloured by ``graph.labels``.

    Parameters
    ----------
    graph : embedlab.lessons.graphs.Graph
    xy : (n, 2) array, one row per node
    highlight : node rows to ring in black (a chosen node and its neighbours)
    """
    import plotly.graph_objects as go

    xy = np.asarray(xy, dtype=np.float32)
    ex, ey = [], []
    for a, b in np.asarray(graph.edges):
        ex += [float(xy[a, 0]), float(xy[b, 0]), None]
        ey += [float(xy[a, 1]), float(xy[b, 1]), None]
    edges = go.Scatter(x=ex, y=ey, mode="lines", name="link", hoverinfo="skip", showlegend=False,
                       line=dict(color=GREY, width=1))
    degree = np.diff(graph.adjacency()[0])
    return _node_figure(xy, graph.nodes, graph.labels, degree, highlight=highlight, title=title, height=600,
                        axis=False, edges=edges)


def node_map_figure(coords, names: Sequence[str], groups, degree, *, explained=(0.0, 0.0),
                    highlight: Sequence[int] = (), title: str = "DeepWalk vectors (PCA)", legend: bool = True):
    """The node vectors projected to two dimensions, coloured and labelled as :func:`graph_figure`
    (``legend=False`` when it is drawn beside that figure, whose legend it shares).

    Parameters
    ----------
    coords : (n, 2) array (e.g. ``pca_plane(vectors).transform(vectors)``)
    explained : the share of variance of each axis, for the axis titles
    """
    xy = np.asarray(coords, dtype=np.float32)
    return _node_figure(xy, list(names), groups, degree, highlight=highlight, title=title, height=600, axis=True,
                        legend=legend,
                        xtitle=f"PC 1 ({explained[0]:.0%} of the spread)",
                        ytitle=f"PC 2 ({explained[1]:.0%} of the spread)")


def probe_figure(accuracy: float, baseline: float, random_vectors: float, *, spread: float = 0.0,
                 title: str = "Predicting each node's group from its vector"):
    """Three horizontal bars: the probe on DeepWalk vectors, on random vectors, the most common group."""
    import plotly.graph_objects as go

    names = ["DeepWalk vectors", "random vectors (chance)", "always the most common group"]
    values = [accuracy, random_vectors, baseline]
    colours = [PALETTE[0], GREY, PALETTE[1]]
    fig = go.Figure()
    for name, v, c in zip(names, values, colours):
        # the spread over the folds is written beside the bar (an error bar would cross the text)
        text = f"{v:.0%} ± {spread:.0%}" if name == names[0] and spread else f"{v:.0%}"
        fig.add_trace(go.Bar(y=[name], x=[v], orientation="h", name=name, marker_color=c,
                             text=[text], textposition="outside", cliponaxis=False, constraintext="none",
                             hovertemplate=f"{name}: %{{x:.1%}}<extra></extra>"))
    figure_layout(fig, title=title, height=300, xtitle="accuracy on held-out nodes (cross-validated)")
    fig.update_xaxes(range=[0, 1.22], tickformat=".0%", tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(showlegend=False, margin=dict(l=10, r=20, t=50, b=60))
    return fig


def transe_loss_figure(losses: dict, *, title: str = "Training loss"):
    """One line per model: mean margin loss per epoch (``{name: sequence of float}``)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for (name, ys), c in zip(losses.items(), PALETTE):
        fig.add_trace(go.Scatter(x=list(range(1, len(ys) + 1)), y=list(ys), mode="lines",
                                 name=escape_plotly_text(name), line=dict(color=c, width=2),
                                 hovertemplate="epoch %{x}: loss %{y:.3f}<extra></extra>"))
    figure_layout(fig, title=title, height=380, xtitle="epoch (one pass over the training triples)",
                  ytitle="loss (lower is better)")
    _legend_below(fig, len(losses), per_row=1)
    fig.update_layout(margin=dict(l=70, r=20))
    return fig


def link_prediction_figure(rows: Sequence[tuple[str, str, float]], chance: float,
                           *, title: str = "Held-out triples: true tail in the top 10"):
    """Grouped bars of hits@10: ``rows`` of (model, which test triples, hits@10); a dashed chance line."""
    import plotly.graph_objects as go

    fig = go.Figure()
    models = list(dict.fromkeys(r[0] for r in rows))
    for m, c in zip(models, PALETTE):
        mine = [r for r in rows if r[0] == m]
        fig.add_trace(go.Bar(x=[escape_plotly_text(r[1]) for r in mine], y=[r[2] for r in mine],
                             name=escape_plotly_text(m), marker_color=c, text=[f"{r[2]:.0%}" for r in mine],
                             textposition="outside", cliponaxis=False, constraintext="none",
                             hovertemplate="%{x}: %{y:.0%}<extra></extra>"))
    fig.add_trace(go.Scatter(x=list(dict.fromkeys(escape_plotly_text(r[1]) for r in rows)),
                             y=[chance] * len({r[1] for r in rows}), mode="lines+markers", name="chance",
                             line=dict(color=HIGHLIGHT, dash="dash", width=2), marker=dict(size=6),
                             hovertemplate="chance: %{y:.1%}<extra></extra>"))
    figure_layout(fig, title=title, height=420, ytitle="hits@10")
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%")
    fig.update_layout(barmode="group")
    _legend_below(fig, len(models) + 1, per_row=1)
    fig.update_layout(margin=dict(l=70, r=20))
    return fig


def relation_arrows_figure(model, triples, relation: str, *, max_pairs: int = 12,
                           title: str = ""):
    """The pairs of one relation as arrows head → tail in a PCA plane of their entities, with the learned
    relation vector drawn from the heads' centre: if the relation is a translation, the arrows are parallel.

    Parameters
    ----------
    model : embedlab.lessons.knowledge.TransEModel
    triples : the triples to draw from (the first ``max_pairs`` of ``relation`` the model knows)
    """
    import plotly.graph_objects as go

    ents = {e: i for i, e in enumerate(model.entities)}
    pairs = [t for t in triples if t.relation == relation and t.head in ents and t.tail in ents][:max_pairs]
    if not pairs:
        fig = go.Figure()
        fig.add_annotation(text="no pair of this relation to draw", showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5, font=dict(size=FONT_SIZE))
        return figure_layout(fig, title=title, height=520)
    rows = list(dict.fromkeys([ents[t.head] for t in pairs] + [ents[t.tail] for t in pairs]))
    plane = pca_plane(model.entity_vectors[rows])
    pos = dict(zip(rows, plane.transform(model.entity_vectors[rows])))
    h = np.stack([pos[ents[t.head]] for t in pairs])
    t_ = np.stack([pos[ents[t.tail]] for t in pairs])
    r2 = (np.asarray(model.relation(relation), dtype=np.float64) @ plane.components.T).astype(np.float32)
    start = h.mean(axis=0)
    fig = go.Figure()
    for kind, xy, names, c in (("head", h, [t.head for t in pairs], PALETTE[0]),
                               ("tail", t_, [t.tail for t in pairs], PALETTE[1])):
        esc = [escape_plotly_text(n) for n in names]
        fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", name=f"{kind} entity", text=esc,
                                 hovertext=esc, hoverinfo="text", marker=dict(size=10, color=c)))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="head → tail of a pair",
                             line=dict(color=PALETTE[2], width=2)))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"learned vector of {escape_plotly_text(relation)}",
                             line=dict(color=HIGHLIGHT, width=3)))
    for a, b in zip(h, t_):
        fig.add_annotation(x=float(b[0]), y=float(b[1]), ax=float(a[0]), ay=float(a[1]), xref="x", yref="y",
                           axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1, arrowwidth=1.6,
                           arrowcolor=PALETTE[2], text="")
    end = start + r2
    fig.add_annotation(x=float(end[0]), y=float(end[1]), ax=float(start[0]), ay=float(start[1]), xref="x",
                       yref="y", axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=3,
                       arrowcolor=HIGHLIGHT, text="")
    allxy = np.vstack([h, t_, start[None], end[None]])
    names = [t.head for t in pairs] + [t.tail for t in pairs]
    ranges = _ranges(allxy)
    height, top = 600, 50
    figure_layout(fig, title=title, height=height,
                  xtitle=f"PC 1 ({plane.explained_variance_ratio[0]:.0%} of the spread)",
                  ytitle=f"PC 2 ({plane.explained_variance_ratio[1]:.0%} of the spread)")
    bottom = _legend_below(fig, 4, top=top)
    fig.update_xaxes(range=ranges[0], zeroline=False)
    fig.update_yaxes(range=ranges[1], zeroline=False)
    fig.update_layout(margin=dict(l=70, r=10))
    pts = np.vstack([h, t_])
    keep = np.flatnonzero(label_mask(pts, names, ranges=ranges, width_px=2 * _COLUMN_PX + 40,
                                     height_px=height - _PRESENTER_GROWTH * (top + bottom)))
    fig.add_trace(_labels_trace(pts, names, keep))
    return fig
