"""Plotly figures for the explorer pages: data in, figure out (no Streamlit here).

Conventions: ``Scattergl`` for point clouds, hover shows the token, a legend is always
shown, colours are colour-blind safe (Okabe & Ito), axis titles say what an axis is, and
fonts are large enough for a projector.

>>> import numpy as np
>>> fig = map_figure(np.zeros((3, 2), np.float32), ["a", "b", "c"], labels=["x", "x", "other"])
>>> [t.name for t in fig.data]
['other (1)', 'x (2)']
>>> selected_rows({"selection": {"points": [{"customdata": {"0": 2}}, {"customdata": [0]}]}})
[2, 0]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet, unit_rows
from ..core.errors import InvalidParameterError

__all__ = [
    "PALETTE", "GREY", "colors_for", "map_figure", "compare_figure", "neighbor_bar", "similarity_heatmap",
    "AnalogyPlane", "analogy_plane", "analogy_figure", "axes_figure", "selected_rows", "nearest_in_picture",
    "PRESENTER_FONT_SIZE", "presenter_style", "escape_plotly_text", "escape_plotly_texts", "unescape_plotly_text",
]

#: Okabe & Ito (2008) colour-blind-safe palette (black left out: it is kept for highlights).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
#: Extra colour-blind-safe colours (Paul Tol's "muted") for more than seven categories.
PALETTE_MORE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
                "#882255", "#AA4499")
GREY = "#BBBBBB"
HIGHLIGHT = "#000000"
FONT_SIZE = 16
OTHER = "other"


def escape_plotly_text(text) -> str:
    """``text`` (a token, a file name, a typed label) as plotly text that is shown as typed.

    plotly.js reads a little HTML in every string it draws as SVG — titles, axis titles and tick
    labels (category values), legend entries (trace names), hover labels (including values put in
    by ``%{text}``, ``%{hovertext}``, ``%{x}``/``%{y}``, ``%{customdata}``), annotations, SVG text
    labels (``go.Scatter``, ``go.Bar``, ``go.Heatmap``) and ``go.Table`` cells: the tags ``<b> <i>
    <em> <s> <u> <sup> <sub> <br> <span style=…> <a href=…>`` format the text (a link is
    clickable) and entities (``&lt;``, ``&#60;``) are decoded. Escaping ``&``, ``<`` and ``>``
    leaves no tag and no entity, and plotly decodes the escapes back into the typed characters.

    The one exception: ``go.Scatter3d`` and ``go.Scattergl`` draw their ``text`` labels with WebGL,
    literally (``&lt;`` would show as ``&lt;``). Figures here put labels on ``go.Scatter`` (SVG)
    traces, and give a ``Scatter3d`` trace its raw tokens as ``text`` (its hover text is escaped).

    >>> escape_plotly_text("<b>bold</b> & a&lt;b")
    '&lt;b&gt;bold&lt;/b&gt; &amp; a&amp;lt;b'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_plotly_texts(texts) -> list[str]:
    """:func:`escape_plotly_text` of every item.

    >>> escape_plotly_texts(["<i>", "x"])
    ['&lt;i&gt;', 'x']
    """
    return [escape_plotly_text(t) for t in texts]


def unescape_plotly_text(text: str) -> str:
    """The inverse of :func:`escape_plotly_text` (for WebGL text labels, which are drawn literally).

    >>> unescape_plotly_text(escape_plotly_text("a&lt;<b>"))
    'a&lt;<b>'
    """
    return str(text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")



def colors_for(n: int) -> list[str]:
    """``n`` distinct colour-blind-safe colours (cycled beyond 16).

    >>> colors_for(2)
    ['#0072B2', '#E69F00']
    """
    base = list(PALETTE) + list(PALETTE_MORE)
    return [base[i % len(base)] for i in range(n)]


def _layout(fig, *, title: str = "", height: int = 650, xtitle: str = "", ytitle: str = ""):
    """Shared layout; ``title``, ``xtitle`` and ``ytitle`` are plain text (escaped here)."""
    fig.update_layout(
        title=dict(text=escape_plotly_text(title), font=dict(size=FONT_SIZE + 2)),
        height=height, font=dict(size=FONT_SIZE), showlegend=True,
        legend=dict(itemsizing="constant", title_text=""),
        margin=dict(l=60, r=20, t=60 if title else 30, b=60), template="plotly_white",
    )
    if xtitle or ytitle:
        fig.update_xaxes(title_text=escape_plotly_text(xtitle))
        fig.update_yaxes(title_text=escape_plotly_text(ytitle))
    return fig


def _check_coords(coords, tokens) -> np.ndarray:
    c = np.asarray(coords, dtype=np.float32)
    if c.ndim != 2 or c.shape[1] not in (2, 3):
        raise InvalidParameterError(f"coordinates must have shape (n, 2) or (n, 3), got {c.shape}")
    if len(tokens) != len(c):
        raise InvalidParameterError(f"{len(tokens)} tokens for {len(c)} points; they must match")
    return c


def _points_trace(c: np.ndarray, rows: np.ndarray, tokens, *, name: str, marker: dict,
                  mode: str = "markers", text_labels: bool = False, hover: bool = True):
    import plotly.graph_objects as go

    toks = [tokens[i] for i in rows]
    common = dict(
        name=escape_plotly_text(name), mode=mode, marker=marker, customdata=rows.tolist(),
        hovertext=escape_plotly_texts(toks),
        hovertemplate="<b>%{hovertext}</b><extra>%{fullData.name}</extra>" if hover else None,
        hoverinfo=None if hover else "skip",
    )
    if text_labels:   # SVG labels read HTML (escaped); WebGL (3-D) labels are drawn literally
        common.update(text=toks if c.shape[1] == 3 else escape_plotly_texts(toks), textposition="top center",
                      textfont=dict(size=FONT_SIZE + 2))
    if c.shape[1] == 3:
        m = dict(marker)
        m["size"] = max(2, int(m.get("size", 5)) - 2)
        common["marker"] = m
        return go.Scatter3d(x=c[rows, 0], y=c[rows, 1], z=c[rows, 2], **common)
    cls = go.Scatter if text_labels else go.Scattergl
    return cls(x=c[rows, 0], y=c[rows, 1], **common)


def map_figure(coords, tokens: Sequence[str], *, labels: Sequence[str] | None = None,
               values=None, value_title: str = "", highlight: int | None = None,
               neighbor_rows: Sequence[int] = (), axis_titles: Sequence[str] = ("dimension 1", "dimension 2"),
               title: str = "", category_order: Sequence[str] | None = None, height: int = 650):
    """A 2-D (``Scattergl``) or 3-D scatter of projected tokens.

    Parameters
    ----------
    coords : array_like, shape (n, 2) or (n, 3)
    tokens : sequence of str
        One per point, shown on hover.
    labels : sequence of str, optional
        A category per point; one trace (and legend entry) per category; the category
        ``"other"`` is drawn grey and underneath.
    values : array_like (n,), optional
        A number per point (e.g. neighbour overlap), drawn with a colour scale instead.
    highlight : int, optional
        Row of a searched token: drawn large, black and labelled.
    neighbor_rows : sequence of int
        Rows joined to ``highlight`` by lines and labelled (its nearest neighbours).
    axis_titles, title : str
    category_order : sequence of str, optional
        Order of the legend (default: sorted, "other" first).

    Returns
    -------
    plotly.graph_objects.Figure
        Every point trace carries ``customdata`` = the point's row, for selections.
    """
    import plotly.graph_objects as go

    c = _check_coords(coords, tokens)
    n, dims = c.shape
    fig = go.Figure()
    size = 6 if n <= 3000 else 4
    if values is not None:
        vals = np.asarray(values, dtype=np.float32)
        if vals.shape != (n,):
            raise InvalidParameterError(f"values must have one number per point ({n}), got shape {vals.shape}")
        rows = np.arange(n)
        marker = dict(size=size + 1, color=vals.tolist(), colorscale="Viridis", showscale=True,
                      colorbar=dict(title=dict(text=escape_plotly_text(value_title)), x=1.02, len=0.6, y=0.3))
        fig.add_trace(_points_trace(c, rows, tokens, name=value_title or "points", marker=marker))
    elif labels is not None:
        labs = np.asarray([str(x) for x in labels], dtype=object)
        if len(labs) != n:
            raise InvalidParameterError(f"labels must have one category per point ({n}), got {len(labs)}")
        cats = list(category_order) if category_order is not None else sorted(set(labs.tolist()) - {OTHER})
        if OTHER in set(labs.tolist()) and OTHER not in cats:
            cats = [OTHER] + cats
        colours = iter(colors_for(len([x for x in cats if x != OTHER])))
        for cat in cats:
            rows = np.flatnonzero(labs == cat)
            if not rows.size:
                continue
            grey = cat == OTHER
            marker = dict(size=size if grey else size + 3, color=GREY if grey else next(colours),
                          opacity=0.5 if grey else 0.95)
            fig.add_trace(_points_trace(c, rows, tokens, name=f"{cat} ({rows.size:,})", marker=marker))
    else:
        fig.add_trace(_points_trace(c, np.arange(n), tokens, name=f"tokens ({n:,})",
                                    marker=dict(size=size, color=PALETTE[0], opacity=0.6)))
    if highlight is not None:
        _add_highlight(fig, c, tokens, int(highlight), [int(r) for r in neighbor_rows])
    _layout(fig, title=title, height=height)
    ax_titles = escape_plotly_texts(axis_titles)
    if dims == 3:
        fig.update_layout(scene=dict(xaxis_title=ax_titles[0], yaxis_title=ax_titles[1],
                                     zaxis_title=ax_titles[2] if len(ax_titles) > 2 else "dimension 3"))
    else:
        fig.update_layout(xaxis_title=ax_titles[0], yaxis_title=ax_titles[1], dragmode="lasso")
    return fig


def _add_highlight(fig, c, tokens, row: int, neighbors: list[int], *, row_col: dict | None = None,
                   legend: bool = True):
    import plotly.graph_objects as go

    loc = row_col or {}
    dims = c.shape[1]
    if neighbors:
        xs, ys, zs = [], [], []
        for r in neighbors:
            for a, b in ((row, r),):
                xs += [c[a, 0], c[b, 0], None]
                ys += [c[a, 1], c[b, 1], None]
                if dims == 3:
                    zs += [c[a, 2], c[b, 2], None]
        line = dict(color=HIGHLIGHT, width=1.5)
        name = f"{len(neighbors)} nearest (full space)"
        if dims == 3:
            fig.add_trace(go.Scatter3d(x=xs, y=ys, z=zs, mode="lines", line=line, name=name,
                                       hoverinfo="skip", showlegend=legend), **loc)
        else:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=line, name=name, hoverinfo="skip",
                                     showlegend=legend, legendgroup="nn"), **loc)
        fig.add_trace(_points_trace(c, np.asarray(neighbors), tokens, name="neighbours",
                                    marker=dict(size=10, color="white", line=dict(color=HIGHLIGHT, width=2)),
                                    mode="markers+text", text_labels=True), **loc)
        fig.data[-1].showlegend = False
        fig.data[-1].textfont = dict(size=FONT_SIZE - 3, color="#333333")
        if dims == 2:
            fig.data[-1].textposition = [("top right", "bottom left", "top left", "bottom right")[i % 4]
                                         for i in range(len(neighbors))]
    fig.add_trace(_points_trace(c, np.asarray([row]), tokens, name=f"searched: {tokens[row]}",
                                marker=dict(size=18, color=HIGHLIGHT, symbol="diamond" if dims == 3 else "star"),
                                mode="markers+text", text_labels=True), **loc)
    fig.data[-1].showlegend = legend
    fig.data[-1].textfont = dict(size=FONT_SIZE + 4, color=HIGHLIGHT)
    if dims == 2:  # a boxed label stays readable on top of crowded neighbours
        fig.data[-1].mode = "markers"
        ref = {}
        if row_col is not None:
            n = "" if row_col["col"] == 1 else str(row_col["col"])
            ref = dict(xref=f"x{n}", yref=f"y{n}")
        fig.add_annotation(x=float(c[row, 0]), y=float(c[row, 1]), text=f"<b>{escape_plotly_text(tokens[row])}</b>",
                           showarrow=True, arrowhead=0, ax=0, ay=-36, bgcolor="rgba(255,255,255,0.9)",
                           bordercolor=HIGHLIGHT, borderwidth=1.5, font=dict(size=FONT_SIZE + 2, color=HIGHLIGHT),
                           **ref)


def compare_figure(projections: Mapping[str, np.ndarray], tokens: Sequence[str], *,
                   highlight: int | None = None, neighbor_rows: Sequence[int] = (), height: int = 480):
    """The same points under several projections, side by side (2-D only).

    Parameters
    ----------
    projections : mapping of panel title to coords (n, 2)
    tokens : sequence of str
    highlight : int, optional
        Row of a searched token, highlighted (with its neighbours) in every panel.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = list(projections)
    if not names:
        raise InvalidParameterError("give at least one projection to compare")
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=escape_plotly_texts(names), horizontal_spacing=0.04)
    hover = escape_plotly_texts(tokens)
    for j, name in enumerate(names, start=1):
        c = _check_coords(projections[name], tokens)
        if c.shape[1] != 2:
            raise InvalidParameterError("side-by-side comparison needs 2-D coordinates")
        fig.add_trace(go.Scattergl(x=c[:, 0], y=c[:, 1], mode="markers", name="tokens", showlegend=j == 1,
                                   legendgroup="tokens", marker=dict(size=4, color=PALETTE[0], opacity=0.5),
                                   hovertext=hover, customdata=np.arange(len(c)).tolist(),
                                   hovertemplate="<b>%{hovertext}</b><extra></extra>"), row=1, col=j)
        if highlight is not None:
            _add_highlight(fig, c, tokens, int(highlight), [int(r) for r in neighbor_rows],
                           row_col=dict(row=1, col=j), legend=j == 1)
        fig.update_xaxes(showticklabels=False, title_text="", row=1, col=j)
        fig.update_yaxes(showticklabels=False, row=1, col=j)
    return _layout(fig, height=height)


def neighbor_bar(tokens: Sequence[str], scores: Sequence[float], *, metric: str = "cosine", title: str = ""):
    """Horizontal bars of neighbour scores, best at the top.

    >>> fig = neighbor_bar(["queen", "prince"], [0.8, 0.7])
    >>> fig.layout.xaxis.title.text
    'cosine similarity'
    """
    import plotly.graph_objects as go

    label = "cosine similarity" if metric == "cosine" else "Euclidean distance (smaller = nearer)"
    fig = go.Figure(go.Bar(x=list(scores), y=escape_plotly_texts(tokens), orientation="h", name=label,
                           marker_color=PALETTE[0], text=[f"{s:.3f}" for s in scores], textposition="auto",
                           hovertemplate="<b>%{y}</b>: %{x:.3f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title_text="neighbour")
    return _layout(fig, title=title, height=max(300, 34 * len(tokens) + 120), xtitle=label)


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
    labels = escape_plotly_texts(tokens)
    fig = go.Figure(go.Heatmap(z=m.tolist(), x=labels, y=labels, zmin=-1, zmax=1, zmid=0,
                               colorscale="RdBu", reversescale=True, name="cosine similarity",
                               texttemplate="%{z:.2f}" if len(tokens) <= 20 else None,
                               colorbar=dict(title=dict(text="cosine")),
                               hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>", showlegend=False))
    fig.update_yaxes(autorange="reversed")
    side = max(420, 40 * len(tokens) + 160)
    return _layout(fig, title=title, height=min(side, 900))


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
    centre = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - centre, full_matrices=False)
    comps = vt[:2]
    # deterministic signs: the largest-magnitude loading of each component is positive
    signs = np.sign(comps[np.arange(2), np.argmax(np.abs(comps), axis=1)])
    comps = comps * signs[:, None]
    coords = ((x - centre) @ comps.T).astype(np.float32)
    var = s ** 2
    explained = float(var[:2].sum() / var.sum()) if var.sum() > 0 else 1.0
    return AnalogyPlane(tuple(labels), tuple(roles), coords, explained)


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
                                 marker=dict(color=GREY, size=8),
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
    fig.add_trace(go.Scatter(x=c[inputs, 0], y=c[inputs, 1], mode="markers+text", name="a, b, c (inputs)",
                             text=escape_plotly_texts(f"{plane.roles[i]}: {plane.labels[i]}" for i in inputs),
                             textposition="top center", textfont=dict(size=FONT_SIZE + 2, color="#111111"),
                             marker=dict(color=PALETTE[2], size=14), hovertemplate="%{text}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[c[it, 0]], y=[c[it, 1]], mode="markers+text", name="b − a + c",
                             text=["b − a + c"], textposition="bottom center", textfont=dict(color="#111111"),
                             marker=dict(color=HIGHLIGHT, size=14, symbol="x"),
                             hovertemplate="b − a + c<extra></extra>"))
    ans = np.flatnonzero(roles == "answer")
    if ans.size:
        fig.add_trace(go.Scatter(x=c[ans, 0], y=c[ans, 1], mode="markers+text", name="answers",
                                 text=escape_plotly_texts(plane.labels[i] for i in ans), textposition="top center",
                                 textfont=dict(size=FONT_SIZE + 2, color=PALETTE[5]),
                                 marker=dict(color=PALETTE[5], size=16, symbol="star"),
                                 hovertemplate="%{text}<extra></extra>"))
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    pct = f"{plane.explained:.0%}"
    return _layout(fig, title=title, height=600, xtitle=f"plane axis 1 (the plane keeps {pct} of the variance)",
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
        _layout(fig, title=title, height=min(height, 1400), xtitle=pole_title(axis_labels[0]), ytitle="")
        fig.update_yaxes(showticklabels=False)
    else:
        fig.add_trace(go.Scatter(x=p[:, 0], y=p[:, 1], mode="markers+text", name="words",
                                 text=escape_plotly_texts(tokens),
                                 textposition="top center", marker=dict(size=12, color=colours),
                                 hovertemplate="<b>%{text}</b>: (%{x:.3f}, %{y:.3f})<extra></extra>"))
        fig.add_vline(x=0, line_color=GREY)
        fig.add_hline(y=0, line_color=GREY)
        _layout(fig, title=title, height=650, xtitle=pole_title(axis_labels[0]), ytitle=pole_title(axis_labels[1]))
    pad = 0.05
    fig.update_xaxes(range=[float(p[:, 0].min()) - pad, float(p[:, 0].max()) + 3 * pad])
    return fig


def selected_rows(selection) -> list[int]:
    """Rows of the points in a Streamlit plotly selection event, in selection order, no repeats.

    Accepts both payload shapes seen: ``customdata`` as ``17``, ``[17]`` or ``{"0": 17}``.
    Points without customdata (lines, highlight labels) are ignored.

    >>> selected_rows({"selection": {"points": [{"customdata": 3}, {"customdata": [3]}, {"x": 1}]}})
    [3]
    >>> selected_rows(None)
    []
    """
    if not selection:
        return []
    sel = selection.get("selection", selection) if isinstance(selection, Mapping) else getattr(selection, "selection", None)
    if sel is None:
        return []
    points = sel.get("points", []) if isinstance(sel, Mapping) else getattr(sel, "points", [])
    out: dict[int, None] = {}
    for p in points or []:
        cd = p.get("customdata") if isinstance(p, Mapping) else None
        if isinstance(cd, Mapping):
            cd = cd.get("0", next(iter(cd.values()), None))
        elif isinstance(cd, (list, tuple)):
            cd = cd[0] if cd else None
        if isinstance(cd, (int, float, np.integer)) and not isinstance(cd, bool):
            out.setdefault(int(cd), None)
    return list(out)


def nearest_in_picture(coords, row: int, k: int) -> np.ndarray:
    """Rows of the ``k`` points nearest to ``row`` in the drawn (projected) coordinates.

    >>> nearest_in_picture(np.array([[0, 0], [5, 5], [1, 0]], np.float32), 0, 1).tolist()
    [2]
    """
    c = np.asarray(coords, dtype=np.float32)
    d = np.linalg.norm(c - c[row], axis=1)
    d[row] = np.inf
    k = min(k, len(c) - 1)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argpartition(d, k - 1)[:k]
    return idx[np.argsort(d[idx], kind="stable")].astype(np.int64)


# -- presenter mode ----------------------------------------------------------------------------------
#: Base font size of figures in presenter mode (projectors, the back of a classroom).
PRESENTER_FONT_SIZE = 20
_FONT_KEYS = frozenset({"font", "textfont", "tickfont", "insidetextfont", "outsidetextfont"})


def _luminance(colour) -> float | None:
    """WCAG relative luminance of a ``#RRGGBB`` colour, None for anything else."""
    if not (isinstance(colour, str) and len(colour) == 7 and colour.startswith("#")):
        return None
    try:
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    except ValueError:
        return None
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _scaled(value, factor: float):
    """``value`` (a number, a list of numbers, an array or plotly's base64 typed array) times ``factor``."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return round(float(value) * factor, 2)
    if isinstance(value, Mapping) and "bdata" in value:   # plotly's typed array: {"dtype", "bdata", "shape"}
        import base64

        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return (arr.astype(np.float64) * factor).round(2).tolist()
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_scaled(v, factor) for v in value]
    return value


def presenter_style(fig, *, font_size: int = PRESENTER_FONT_SIZE, marker_scale: float = 1.6,
                    line_scale: float = 1.6, label_limit: int = 40):
    """A copy of ``fig`` restyled for a projector; ``fig`` itself is left unchanged.

    - fonts: the base font becomes ``font_size`` (black) and every explicit font size grows in
      proportion (titles, labels, tick labels, annotations, tables, sliders);
    - markers grow by ``marker_scale``, line widths by ``line_scale``, faint markers get more opaque;
    - colours keep their hue (the figures already use the colour-blind-safe Okabe & Ito / Tol
      palettes); light ones (yellow, sand, light cyan, luminance > 0.5) get a thin black outline
      so they stand out on white;
    - labels on: point traces drawn as bare markers with at most ``label_limit`` points (a group
      of words, the context words of an analogy) show their hover text as a label, since nobody
      hovers on a projector. Larger clouds stay unlabelled. A labelled ``scattergl`` trace is drawn
      as ``scatter`` (SVG) instead, whose labels show escaped text as typed (WebGL labels would show
      the escapes themselves; see :func:`escape_plotly_text`).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    font_size : int
        Base font size in pixels.
    marker_scale, line_scale : float
        Factors for marker sizes and line widths.
    label_limit : int
        Largest point trace that gets text labels (0: never add labels).

    Returns
    -------
    plotly.graph_objects.Figure
        A new figure.

    Examples
    --------
    >>> fig = map_figure(np.zeros((3, 2), np.float32), ["a", "b", "c"])
    >>> big = presenter_style(fig)
    >>> big.layout.font.size, big.data[0].marker.size, fig.data[0].marker.size
    (20, 9.6, 6)
    >>> big.data[0].mode, list(big.data[0].text)
    ('markers+text', ['a', 'b', 'c'])
    """
    import plotly.graph_objects as go

    if font_size <= 0 or marker_scale <= 0 or line_scale <= 0 or label_limit < 0:
        raise InvalidParameterError(
            f"font_size, marker_scale and line_scale must be positive and label_limit >= 0; got "
            f"font_size={font_size}, marker_scale={marker_scale}, line_scale={line_scale}, label_limit={label_limit}")
    spec = fig.to_dict()          # a deep copy: the input (maybe a cached figure) is never touched
    layout = spec.setdefault("layout", {})
    base = (layout.get("font") or {}).get("size") or FONT_SIZE
    f = font_size / base

    def marker(m: dict) -> None:
        if "size" in m:
            m["size"] = _scaled(m["size"], marker_scale)
        line = m.get("line") if isinstance(m.get("line"), dict) else None
        if line is not None and "width" in line:
            line["width"] = _scaled(line["width"], line_scale)
        op = m.get("opacity")
        if isinstance(op, (int, float)) and not isinstance(op, bool):
            m["opacity"] = round(min(1.0, float(op) + 0.25), 2)
        colours = m.get("color")
        colours = [colours] if isinstance(colours, str) else colours if isinstance(colours, list) else []
        lum = [v for v in (_luminance(c) for c in colours) if v is not None]
        if lum and max(lum) > 0.5 and not (line and line.get("width")):
            m["line"] = {**(line or {}), "color": HIGHLIGHT, "width": 1}

    def walk(node, key: str = "") -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, key)
            return
        if not isinstance(node, dict) or "bdata" in node:
            return
        if key in _FONT_KEYS and "size" in node:
            node["size"] = _scaled(node["size"], f)
        elif key == "marker":
            marker(node)
        elif key == "line" and "width" in node:
            node["width"] = _scaled(node["width"], line_scale)
        for wkey in ("arrowwidth", "borderwidth"):
            if wkey in node:
                node[wkey] = _scaled(node[wkey], line_scale)
        if key in ("cells", "header") and "height" in node:
            node["height"] = _scaled(node["height"], f)
        for k, v in node.items():
            if k == "template" or (key == "marker" and k == "line"):   # the marker's outline is done
                continue
            if isinstance(v, (dict, list)):
                walk(v, k)

    walk(spec)
    layout["font"] = {**(layout.get("font") or {}), "size": font_size, "color": HIGHLIGHT}
    margin = layout.get("margin")
    if isinstance(margin, dict):
        layout["margin"] = {k: _scaled(v, f) if k in ("l", "r", "t", "b") else v for k, v in margin.items()}
    if label_limit:
        for tr in spec.get("data", []):
            hover = tr.get("hovertext")
            if (tr.get("type") in ("scatter", "scattergl", "scatter3d") and tr.get("mode") == "markers"
                    and tr.get("text") is None and isinstance(hover, (list, tuple))
                    and 0 < len(hover) <= label_limit and tr.get("hoverinfo") != "skip"):
                tr["mode"] = "markers+text"
                if tr["type"] == "scattergl":   # WebGL draws text literally: use SVG for these few points
                    tr["type"] = "scatter"
                # hover texts are escaped plotly text (see escape_plotly_text); 3-D labels are literal
                tr["text"] = [unescape_plotly_text(h) if tr["type"] == "scatter3d" else str(h) for h in hover]
                tr.setdefault("textposition", "top center")
    out = go.Figure(spec)
    # Streamlit's plotly theme sets small tick, axis-title and legend fonts itself: set them explicitly
    tick = max(font_size - 2, 1)
    out.update_xaxes(tickfont_size=tick, title_font_size=font_size)
    out.update_yaxes(tickfont_size=tick, title_font_size=font_size)
    out.update_layout(legend_font_size=font_size)
    return out
