"""Figures of the explorer pages: neighbour bars, a similarity heatmap, the analogy parallelogram
and words on semantic axes.

>>> fig = neighbor_bar(["queen", "prince"], [0.8, 0.7])
>>> fig.layout.xaxis.title.text
'cosine similarity'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError
from ..core.linalg import pca_plane
from .labels import label_annotations, place_labels
from .presenter import NO_LABELS
from .style import FONT_SIZE, GREY, HIGHLIGHT, PALETTE, escape_plotly_texts, figure_layout

__all__ = ["MAX_HEATMAP_WORDS", "MAX_AXIS_WORDS", "neighbor_bar", "similarity_heatmap", "AnalogyPlane", "analogy_plane", "analogy_figure", "axes_figure"]

MAX_HEATMAP_WORDS = 50   # a 50 x 50 heatmap is the most a screen shows readably (2,500 cells)
MAX_AXIS_WORDS = 200     # words placed on semantic axes (each one a text label)


def neighbor_bar(tokens: Sequence[str], scores: Sequence[float], *, metric: str = "cosine", title: str = ""):
    """Horizontal bars of neighbour scores, best at the top.

    >>> fig = neighbor_bar(["queen", "prince"], [0.8, 0.7])
    >>> fig.layout.xaxis.title.text
    'cosine similarity'
    >>> fig.layout.showlegend, fig.data[0].textposition
    (False, 'inside')
    """
    import plotly.graph_objects as go

    label = "cosine similarity" if metric == "cosine" else "Euclidean distance (smaller = nearer)"
    fig = go.Figure(go.Bar(x=list(scores), y=escape_plotly_texts(tokens), orientation="h", name=label,
                           marker_color=PALETTE[0], text=[f"{s:.3f}" for s in scores],
                           # inside the bar's end: a value outside a short bar was cut at the plot's edge;
                           # at the figure's font size (plotly shrank it to the bar: ~10 px in presenter mode)
                           textposition="inside", insidetextanchor="end", constraintext="none",
                           hovertemplate="<b>%{y}</b>: %{x:.3f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    # one series, named by the x-axis title: no legend taking the plot's width in a narrow column
    return figure_layout(fig, title=title, height=max(300, 34 * len(tokens) + 120), xtitle=label,
                         showlegend=False)


def similarity_heatmap(matrix, tokens: Sequence[str], *, title: str = ""):
    """Pairwise cosine similarity as an annotated heatmap (diverging colours centred on 0).

    >>> fig = similarity_heatmap(np.eye(2), ["a", "b"])
    >>> fig.data[0].zmid
    0
    """
    import plotly.graph_objects as go

    m = np.asarray(matrix, dtype=np.float32)
    if m.shape != (len(tokens), len(tokens)):
        raise InvalidParameterError(f"matrix shape {m.shape} does not match {len(tokens)} tokens")
    if len(tokens) > MAX_HEATMAP_WORDS:
        raise InvalidParameterError(f"a heatmap of {len(tokens):,} words is not drawn; at most {MAX_HEATMAP_WORDS}")
    labels = escape_plotly_texts(tokens)
    fig = go.Figure(go.Heatmap(z=m.tolist(), x=labels, y=labels, zmin=-1, zmax=1, zmid=0,
                               colorscale="RdBu", reversescale=True, name="cosine similarity",
                               texttemplate="%{z:.2f}" if len(tokens) <= 20 else None,
                               colorbar=dict(title=dict(text="cosine")),
                               hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>", showlegend=False))
    fig.update_yaxes(autorange="reversed")
    side = max(420, 40 * len(tokens) + 160)
    return figure_layout(fig, title=title, height=min(side, 900))


@dataclass(frozen=True)
class AnalogyPlane:
    """Words of an analogy placed in a 2-D plane fitted to them and their neighbours.

    Attributes
    ----------
    labels : tuple of str
        Token (or "b − a + c") of each point.
    roles : tuple of str
        "a", "b", "c", "b − a + c", "answer" or "context" for each point.
    coords : ndarray, shape (m, 2) float32
    explained : float
        Share of the variance of the fitted points that the plane keeps.
    """

    labels: tuple[str, ...]
    roles: tuple[str, ...]
    coords: np.ndarray
    explained: float


def analogy_plane(es: EmbeddingSet, a: str, b: str, c: str, answers: Sequence[str], *,
                  n_context: int = 4) -> AnalogyPlane:
    """Fit a PCA plane to the unit vectors of a, b, c, b − a + c, the answers and a few
    neighbours of each, and place them all in it.

    The plane is fitted to exactly these words (not to the whole vocabulary), so the
    parallelogram a → b, c → b − a + c is as visible as two dimensions allow. All points are
    unit vectors except b − a + c (the sum of unit vectors), and a linear projection keeps
    the parallelogram exact.

    Raises
    ------
    UnknownTokenError
        If a, b or c is not in the set.
    """
    rows = es.indices([a, b, c])
    u = es.unit
    target = u[rows[1]] - u[rows[0]] + u[rows[2]]   # not re-normalized: keeps the parallelogram exact
    labels, roles, vecs = [a, b, c, "b − a + c"], ["a", "b", "c", "b − a + c"], [u[r] for r in rows] + [target]
    seen = {a, b, c}
    for t in answers:
        if t in es and t not in seen:
            labels.append(t); roles.append("answer"); vecs.append(u[es.index(t)]); seen.add(t)
    if n_context > 0:
        from ..core.search import top_k

        idx, _ = top_k(es, np.stack(vecs[:4]), k=n_context + len(seen))
        for r in idx.ravel():
            t = es.tokens[int(r)]
            if t not in seen:
                labels.append(t); roles.append("context"); vecs.append(u[int(r)]); seen.add(t)
    x = np.stack(vecs).astype(np.float64)
    plane = pca_plane(x, 2)
    coords = plane.transform(x)
    explained = float(sum(plane.explained_variance_ratio)) if plane.components.any() else 1.0
    return AnalogyPlane(tuple(labels), tuple(roles), coords, explained)


def _analogy_labels(c: np.ndarray, plane: "AnalogyPlane", inputs: Sequence[int], it: int,
                   answers: Sequence[int]) -> list[dict]:
    """Boxed labels of the inputs, b − a + c and the answers, placed apart from each other and from
    the four arrows (annotations: drawn above the arrows, so a crossing arrow never strikes a word).

    Every one of them is written (at its least crowded spot when none is free); sizes estimated for
    presenter mode on a plot of at most 600 x 420 px with equal axis scales (the figure's own).
    """
    named = list(inputs) + [it] + list(answers)
    texts = [f"{plane.roles[i]}: {plane.labels[i]}" if i in inputs else "b − a + c" if i == it else plane.labels[i]
             for i in named]
    lo, hi = c.min(axis=0), c.max(axis=0)
    pad = 0.08 * np.maximum(hi - lo, 1e-9)
    (x0, y0), (x1, y1) = lo - pad, hi + pad
    scale = min(600 / (x1 - x0), 420 / (y1 - y0))
    w, h = (x1 - x0) * scale, (y1 - y0) * scale
    ia, ib, ic = inputs
    obstacles = []
    for s, e in ((ia, ib), (ic, it), (ia, ic), (ib, it)):      # each arrow as small boxes along it
        (sx, sy), (ex, ey) = (c[s] - (x0, y0)) * scale, (c[e] - (x0, y0)) * scale
        steps = max(2, int(np.hypot(ex - sx, ey - sy) // 10))
        for t in np.linspace(0, 1, steps + 1)[1:-1]:
            px, py = sx + t * (ex - sx), sy + t * (ey - sy)
            obstacles.append((px - 3, py - 3, px + 3, py + 3))
    spots = place_labels(c[named], texts, ranges=((x0, x1), (y0, y1)), width_px=w, height_px=h,
                         font_px=FONT_SIZE + 4, marker_px=9, obstacles=obstacles, always=range(len(named)))
    colours = {i: PALETTE[5] for i in answers}
    notes = label_annotations(c[named], escape_plotly_texts(texts), spots, font_size=FONT_SIZE + 2, marker_px=9,
                              name="analogy label", ref=dict(xref="x", yref="y"))
    for i, note in zip(named, notes):                 # every label is placed: one note per point
        note["font"]["color"] = colours.get(i, "#111111")
    return notes


def analogy_figure(plane: AnalogyPlane, *, title: str = ""):
    """The parallelogram: arrows a → b and c → (b − a + c), the answers, context words in grey."""
    import plotly.graph_objects as go

    c = plane.coords
    roles = np.asarray(plane.roles)
    fig = go.Figure()
    ctx = np.flatnonzero(roles == "context")
    if ctx.size:
        fig.add_trace(go.Scatter(x=c[ctx, 0], y=c[ctx, 1], mode="markers", name="nearby words (hover)",
                                 hovertext=escape_plotly_texts(plane.labels[i] for i in ctx),
                                 marker=dict(color=GREY, size=8), meta=NO_LABELS,
                                 hovertemplate="%{hovertext}<extra></extra>"))
    ia, ib, ic, it = (plane.roles.index(r) for r in ("a", "b", "c", "b − a + c"))
    for (s, e), colour, name, dash in (((ia, ib), PALETTE[0], "a → b", "solid"),
                                       ((ic, it), PALETTE[0], "c → b − a + c (same arrow)", "solid"),
                                       ((ia, ic), PALETTE[1], "a → c", "dot"),
                                       ((ib, it), PALETTE[1], "b → b − a + c (same arrow)", "dot")):
        fig.add_trace(go.Scatter(x=[c[s, 0], c[e, 0]], y=[c[s, 1], c[e, 1]], mode="lines", name=name,
                                 line=dict(color=colour, width=3, dash=dash), hoverinfo="skip"))
        fig.add_annotation(x=c[e, 0], y=c[e, 1], ax=c[s, 0], ay=c[s, 1], xref="x", yref="y", axref="x",
                           ayref="y", showarrow=True, arrowhead=3, arrowsize=1.5, arrowwidth=2, arrowcolor=colour,
                           text="", standoff=9)
    inputs = [ia, ib, ic]
    ans = [int(i) for i in np.flatnonzero(roles == "answer")]
    fig.add_trace(go.Scatter(x=c[inputs, 0], y=c[inputs, 1], mode="markers", name="a, b, c (inputs)",
                             hovertext=escape_plotly_texts(f"{plane.roles[i]}: {plane.labels[i]}" for i in inputs),
                             marker=dict(color=PALETTE[2], size=14), meta=NO_LABELS,    # labelled below
                             hovertemplate="%{hovertext}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[c[it, 0]], y=[c[it, 1]], mode="markers", name="b − a + c",
                             marker=dict(color=HIGHLIGHT, size=14, symbol="x"),
                             hovertemplate="b − a + c<extra></extra>"))
    if ans:
        fig.add_trace(go.Scatter(x=c[ans, 0], y=c[ans, 1], mode="markers", name="answers",
                                 hovertext=escape_plotly_texts(plane.labels[i] for i in ans),
                                 marker=dict(color=PALETTE[5], size=16, symbol="star"), meta=NO_LABELS,
                                 hovertemplate="%{hovertext}<extra></extra>"))
    for note in _analogy_labels(c, plane, inputs, it, ans):
        fig.add_annotation(note)
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    pct = f"{plane.explained:.0%}"
    return figure_layout(fig, title=title, height=600, xtitle=f"plane axis 1 (the plane keeps {pct} of the variance)",
                         ytitle="plane axis 2")


def axes_figure(tokens: Sequence[str], positions, axis_labels: Sequence[str], *, title: str = "",
                highlight: Sequence[str] = ()):
    """Words placed by their position on one or two semantic axes.

    With one axis, words are listed top to bottom by position (a ranked dot plot); with
    two, a labelled scatter. Axis titles name the poles ("man ← → woman").

    >>> fig = axes_figure(["a", "b"], np.array([[0.1], [-0.2]]), ["x → y"])
    >>> fig.layout.xaxis.title.text
    'x  ←   → y'
    """
    import plotly.graph_objects as go

    p = np.asarray(positions, dtype=np.float32)
    if p.ndim != 2 or p.shape[0] != len(tokens) or p.shape[1] not in (1, 2) or p.shape[1] != len(axis_labels):
        raise InvalidParameterError(f"positions must have shape ({len(tokens)}, 1 or 2) matching the axes, got {p.shape}")
    if len(tokens) > MAX_AXIS_WORDS:
        raise InvalidParameterError(f"{len(tokens):,} words are too many to place on the axes; at most {MAX_AXIS_WORDS}")

    def pole_title(label: str) -> str:
        left, _, right = label.partition(" → ")
        return f"{left}  ←   → {right}"

    hl = set(highlight)
    colours = [PALETTE[5] if t in hl else PALETTE[0] for t in tokens]
    fig = go.Figure()
    if p.shape[1] == 1:
        order = np.argsort(p[:, 0], kind="stable")
        toks = escape_plotly_texts(tokens[i] for i in order)
        fig.add_trace(go.Scatter(x=p[order, 0], y=toks, mode="markers+text", name="words",
                                 text=toks, textposition="middle right", marker=dict(size=12, color=[colours[i] for i in order]),
                                 hovertemplate="<b>%{y}</b>: %{x:.3f}<extra></extra>"))
        fig.add_vline(x=0, line_color=GREY)
        height = max(400, 28 * len(tokens) + 140)
        figure_layout(fig, title=title, height=min(height, 1400), xtitle=pole_title(axis_labels[0]), ytitle="")
        fig.update_yaxes(showticklabels=False)
    pad = 0.05
    x_range = (float(p[:, 0].min()) - pad, float(p[:, 0].max()) + 3 * pad)
    if p.shape[1] == 2:
        # free bands above and below the words, where the second axis's poles are written (at the top
        # left they covered the highest word, "lawyer"): 0.18 of the spread on top (a word's label goes
        # above it), 0.12 below
        lo, hi = float(p[:, 1].min()), float(p[:, 1].max())
        span = max(hi - lo, 1e-3)
        y_range = (lo - 0.12 * span, hi + 0.18 * span)
        fig.add_trace(go.Scatter(x=p[:, 0], y=p[:, 1], mode="markers+text", name="words",
                                 text=escape_plotly_texts(tokens),
                                 textposition=_axes_label_spots(p, tokens, (x_range, y_range), axis_labels[1]),
                                 marker=dict(size=12, color=colours), customdata=escape_plotly_texts(tokens),
                                 hovertemplate="<b>%{customdata}</b>: (%{x:.3f}, %{y:.3f})<extra></extra>"))
        fig.add_vline(x=0, line_color=GREY)
        fig.add_hline(y=0, line_color=GREY)
        figure_layout(fig, title=title, height=650, xtitle=pole_title(axis_labels[0]), ytitle=pole_title(axis_labels[1]))
        fig.update_yaxes(range=list(y_range))
    fig.update_xaxes(range=list(x_range))
    fig.update_layout(showlegend=False)      # one trace: a legend of "● words" said nothing
    _pole_labels(fig, axis_labels)
    return fig


def _axes_label_spots(p, tokens: Sequence[str], ranges, y_label: str) -> list[str]:
    """Each word's ``textposition`` on the two-axis plot, clear of the other words' labels and of the
    second axis's poles where a spot is free ("teacher" was written over "secretary"'s dot, "lawyer"
    under "↑ rich+wealth+e…"); every word keeps its label. Sized for presenter mode on a plot area of
    at least 560 x 380 px."""
    w, h = 560, 380
    poles = []
    for pole, bottom in zip(y_label.partition(" → ")[::2], (True, False)):     # as _pole_labels writes them
        width = 0.6 * (FONT_SIZE + 8) * (min(len(pole), 14) + 2) + 10
        poles.append((0, 0, width, 38) if bottom else (0, h - 38, width, h))
    spots = place_labels(p, [str(t) for t in tokens], ranges=ranges, width_px=w, height_px=h,
                         font_px=FONT_SIZE + 4, marker_px=7, obstacles=poles, always=range(len(tokens)))
    return [s or "top center" for s in spots]


def _pole_labels(fig, axis_labels: Sequence[str]) -> None:
    """Each pole's word at its own end of the axis, large and bold (the axis title alone is small
    and sits mid-axis): the left pole at the left end, the right pole at the right end; with two
    axes the second axis's poles at the bottom and top of the plot."""
    from .style import escape_plotly_text

    big = dict(size=FONT_SIZE + 4, color=HIGHLIGHT)

    def short(pole: str, limit: int = 14) -> str:     # "man+he+him+his+boy" -> "man+he+him+hi…"
        return pole if len(pole) <= limit else pole[:limit - 1].rstrip("+ ") + "…"

    left, _, right = (short(p) for p in axis_labels[0].partition(" → "))
    # two rows (the right pole above the left one), so long poles never overlap in a narrow plot
    for x, anchor, shift, text in ((0, "left", 0, f"← {left}"), (1, "right", 34, f"{right} →")):
        fig.add_annotation(xref="paper", yref="paper", x=x, y=1, xanchor=anchor, yanchor="bottom", yshift=shift,
                           text=f"<b>{escape_plotly_text(text)}</b>", showarrow=False, font=big,
                           name="pole")
    if len(axis_labels) > 1:
        low, _, high = (short(p) for p in axis_labels[1].partition(" → "))
        for y, anchor, text in ((0, "bottom", f"↓ {low}"), (1, "top", f"↑ {high}")):
            fig.add_annotation(xref="paper", yref="paper", x=0.01, y=y, xanchor="left", yanchor=anchor,
                               text=f"<b>{escape_plotly_text(text)}</b>", showarrow=False, font=big,
                               bgcolor="rgba(255,255,255,0.8)", name="pole")
    fig.update_layout(margin_t=max(fig.layout.margin.t or 0, 100))
