"""Maps of a projected embedding space: the scatter of all points, projections side by side, and
reading a plotly selection back into rows.

>>> import numpy as np
>>> fig = map_figure(np.zeros((3, 2), np.float32), ["a", "b", "c"], labels=["x", "x", "other"])
>>> [t.name for t in fig.data]
['other (1)', 'x (2)']
>>> selected_rows({"selection": {"points": [{"customdata": {"0": 2}}, {"customdata": [0]}]}})
[2, 0]
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..core.errors import InvalidParameterError
from .labels import box_overlap, label_annotations, place_labels, to_px
from .presenter import NO_LABELS, PRESENTER_FONT_SIZE
from .style import FONT_SIZE, GREY, HIGHLIGHT, PALETTE, colors_for, escape_plotly_text, escape_plotly_texts, figure_layout

__all__ = ["OTHER", "LABEL_LIMIT", "map_figure", "compare_figure", "selected_rows", "nearest_in_picture"]

#: The category drawn grey and underneath on a map.
OTHER = "other"
#: Points whose metadata value is missing: grey too (see :mod:`embedlab.viz.map_meta`).
NO_VALUE = "no value"
#: Up to this many drawn points, every point carries its word (small uploaded or trained sets).
LABEL_LIMIT = 300


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
               title: str = "", category_order: Sequence[str] | None = None, height: int = 650,
               labelled: Sequence[int] = (), hover_title: str = ""):
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
    labelled : sequence of int
        Rows whose word is written beside the dot (e.g. every row of a small set, typed group words).
    hover_title : str
        The name of what ``labels`` or ``values`` are (a metadata column): the hover then shows
        ``<hover_title>: <the point's category or value>`` under the word.

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
        if hover_title:
            fig.data[-1].update(meta=[escape_plotly_text(hover_title)],
                                hovertemplate="<b>%{hovertext}</b><br>%{meta[0]}: %{marker.color:.4~g}<extra></extra>")
    elif labels is not None:
        for cat, rows, colour in _categories(labels, category_order, n):
            grey = cat in (OTHER, NO_VALUE)
            marker = dict(size=size if grey else size + 3, color=colour, opacity=0.5 if grey else 0.95)
            fig.add_trace(_points_trace(c, rows, tokens, name=f"{cat} ({rows.size:,})", marker=marker))
            if hover_title:
                fig.data[-1].update(meta=[escape_plotly_text(hover_title), escape_plotly_text(cat)],
                                    hovertemplate="<b>%{hovertext}</b><br>%{meta[0]}: %{meta[1]}<extra></extra>")
    else:
        fig.add_trace(_points_trace(c, np.arange(n), tokens, name=f"tokens ({n:,})",
                                    marker=dict(size=size, color=PALETTE[0], opacity=0.6)))
    skip = set([int(highlight)] + [int(r) for r in neighbor_rows]) if highlight is not None else set()
    lab = np.asarray([r for r in dict.fromkeys(int(r) for r in labelled) if r not in skip], dtype=np.int64)
    written = skip | set(lab.tolist())
    for tr in fig.data:     # already labelled elsewhere: no second label (presenter mode labels small traces)
        if tr.customdata is not None and written and set(tr.customdata) <= written:
            tr.text = [""] * len(tr.customdata)
    if lab.size:
        _add_labels(fig, c, tokens, lab)
    if highlight is not None:
        _add_highlight(fig, c, tokens, int(highlight), [int(r) for r in neighbor_rows])
    figure_layout(fig, title=title, height=height)
    if labels is not None and values is None:   # named clusters are long: a side legend squeezes the plot
        # below the tick labels and the x title, also at presenter-mode font sizes (-0.12 touched the title)
        fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0))
    ax_titles = escape_plotly_texts(axis_titles)
    if dims == 3:
        axis = dict(title_font=dict(size=FONT_SIZE - 2), showticklabels=False)   # ticks crowd the titles out
        fig.update_layout(scene=dict(xaxis=dict(axis, title_text=ax_titles[0]),
                                     yaxis=dict(axis, title_text=ax_titles[1]),
                                     zaxis=dict(axis, title_text=ax_titles[2] if len(ax_titles) > 2 else "dimension 3"),
                                     camera=dict(eye=dict(x=1.6, y=1.6, z=1.1))))
    else:
        fig.update_layout(xaxis_title=ax_titles[0], yaxis_title=ax_titles[1], dragmode="lasso")
    return fig


def _add_labels(fig, c: np.ndarray, tokens, rows: np.ndarray, **loc):
    """The words of ``rows`` written beside their dots (a text-only trace, out of the legend)."""
    import plotly.graph_objects as go

    toks = [tokens[i] for i in rows]
    common = dict(mode="text", name="labels", showlegend=False, hoverinfo="skip", textposition="top center",
                  textfont=dict(size=FONT_SIZE - 4, color="#444444"))
    if c.shape[1] == 3:   # WebGL labels are drawn literally
        fig.add_trace(go.Scatter3d(x=c[rows, 0], y=c[rows, 1], z=c[rows, 2], text=toks, **common), **loc)
    else:
        fig.add_trace(go.Scatter(x=c[rows, 0], y=c[rows, 1], text=escape_plotly_texts(toks), **common), **loc)


def _add_highlight(fig, c, tokens, row: int, neighbors: list[int], *, row_col: dict | None = None,
                   legend: bool = True, panels: int = 1):
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
        else:   # WebGL, like the cloud: plotly draws every SVG trace under the WebGL ones
            fig.add_trace(go.Scattergl(x=xs, y=ys, mode="lines", line=line, name=name, hoverinfo="skip",
                                       showlegend=legend, legendgroup="nn"), **loc)
        fig.add_trace(_points_trace(c, np.asarray(neighbors), tokens, name="neighbours",
                                    marker=dict(size=10, color="white", line=dict(color=HIGHLIGHT, width=2)),
                                    mode="markers+text" if dims == 3 else "markers", text_labels=dims == 3), **loc)
        fig.data[-1].showlegend = False
        if dims == 3:
            fig.data[-1].textfont = dict(size=FONT_SIZE - 3, color="#333333")
        else:
            # in 2-D the dots are WebGL (an SVG trace lay under the cloud, its dots and labels hidden under
            # the cloud's) and the words are annotations on a white box, which plotly draws above WebGL,
            # placed where no two overlap; a word with no free spot is left to hover and the page's table
            fig.data[-1].meta = NO_LABELS
    fig.add_trace(_points_trace(c, np.asarray([row]), tokens, name=f"searched: {tokens[row]}",
                                marker=dict(size=18, color=HIGHLIGHT, symbol="diamond" if dims == 3 else "star"),
                                mode="markers+text" if dims == 3 else "markers", text_labels=dims == 3), **loc)
    fig.data[-1].showlegend = legend
    if dims == 3:
        fig.data[-1].textfont = dict(size=FONT_SIZE + 4, color=HIGHLIGHT)
    else:
        fig.data[-1].text = [""]               # named by its boxed label (presenter mode adds no second one)
    if dims == 2:  # a boxed label stays readable on top of crowded neighbours
        ref = _axis_ref(row_col)
        ranges, size = _label_frame(c, panels)
        dx, dy = searched_box_offset(c, tokens, row, neighbors, ranges=ranges, size=size)
        fig.add_annotation(x=float(c[row, 0]), y=float(c[row, 1]), text=f"<b>{escape_plotly_text(tokens[row])}</b>",
                           showarrow=True, arrowhead=0, ax=dx, ay=-dy, bgcolor="rgba(255,255,255,0.9)",
                           bordercolor=HIGHLIGHT, borderwidth=1.5, font=dict(size=FONT_SIZE + 2, color=HIGHLIGHT),
                           name="searched label", **ref)
        for note in _neighbour_labels(c, tokens, row, neighbors, (dx, dy), panels=panels) if neighbors else ():
            fig.add_annotation(**note, **ref)


#: px the searched word's boxed label sits from its star (above it when that spot is clear)
SEARCHED_BOX_RISE = 36
#: the offsets (px, y up) tried for the searched word's box, in order: above, then the other sides,
#: then the same further out
_BOX_OFFSETS = tuple((round(d * x), round(d * y)) for d in (SEARCHED_BOX_RISE, 2 * SEARCHED_BOX_RISE)
                     for x, y in ((0, 1), (0, -1), (1.6, 0.6), (-1.6, 0.6), (1.6, -0.6), (-1.6, -0.6)))
#: the plot area assumed when placing neighbour labels (px; small, so that what fits fits anywhere):
#: the Map's at 1024x768 in presenter mode, and one panel of the side-by-side comparison
_MAP_PLOT_PX = (620, 440)
#: a comparison panel's plot height (px): its 520 px figure keeps two legend rows and a title (at
#: 1280x720 the panels were 350 px tall and a box placed for 440 px covered the neighbours' rings)
_COMPARE_PLOT_H = 340
#: a neighbour label's font in presenter mode (px), the size its room is measured for
_LABEL_PX = (FONT_SIZE - 3) * PRESENTER_FONT_SIZE / FONT_SIZE


def _axis_ref(row_col: dict | None) -> dict:
    if row_col is None:
        return {}
    n = "" if row_col["col"] == 1 else str(row_col["col"])
    return dict(xref=f"x{n}", yref=f"y{n}")


def _label_frame(c: np.ndarray, panels: int = 1):
    """The data ranges plotly's autorange shows for ``c`` and the plot area (px) labels are placed for."""
    lo, hi = c[:, :2].min(axis=0), c[:, :2].max(axis=0)
    pad = (hi - lo) * 0.05 + 1e-9          # plotly's autorange pads the points by about this much
    ranges = ((float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1])))
    return ranges, (_MAP_PLOT_PX[0] / panels, _MAP_PLOT_PX[1] if panels == 1 else _COMPARE_PLOT_H)


def _searched_box(c: np.ndarray, tokens, row: int, offset, ranges, size) -> tuple[float, float, float, float]:
    """The searched word's boxed label (px, y up) at ``offset`` (px) from its star."""
    (sx, sy), = to_px(c[row, :2], ranges, *size)
    bw, bh = 0.62 * _LABEL_PX * (len(str(tokens[row])) + 2), 32
    bx, by = sx + offset[0], sy + offset[1]
    return bx - bw / 2, by - bh / 2, bx + bw / 2, by + bh / 2


def searched_box_offset(c, tokens, row: int, neighbors: Sequence[int], *, ranges, size) -> tuple[int, int]:
    """Where the searched word's boxed label goes (px from its star, y up): the first of
    :data:`_BOX_OFFSETS` whose box covers the fewest of its neighbours' dots and stays inside the
    plot. Above the star by default; a word in the middle of its neighbours ("king" among
    kings, monarch, monarchy…) had its box over their dots and the lines to them.

    >>> c = np.array([[0.0, 0.0], [0.0, 0.27], [0.05, 0.27], [1.0, 1.0]])      # two neighbours 36 px above
    >>> searched_box_offset(c, ["king", "a", "b", "far"], 0, [1, 2], ranges=((-1, 2), (-1, 2)), size=(600, 400))
    (0, -36)
    >>> searched_box_offset(c, ["king", "a", "b", "far"], 0, [3], ranges=((-1, 2), (-1, 2)), size=(600, 400))
    (0, 36)
    """
    c = np.asarray(c, dtype=np.float64)
    w, h = size
    dots = [(x - 9, y - 9, x + 9, y + 9) for x, y in to_px(c[list(neighbors), :2], ranges, w, h)] if len(neighbors) else []
    best, best_cost = _BOX_OFFSETS[0], None
    for off in _BOX_OFFSETS:
        b = _searched_box(c, tokens, row, off, ranges, size)
        cost = sum(box_overlap(b, d) for d in dots) + 1e6 * (b[0] < 0 or b[1] < 0 or b[2] > w or b[3] > h)
        if best_cost is None or cost < best_cost - 1e-9:
            best, best_cost = off, cost
    return best


def _neighbour_labels(c: np.ndarray, tokens, row: int, neighbors: list[int], offset, *, panels: int = 1) -> list[dict]:
    """Annotations naming the neighbours that fit beside their dots (see :mod:`embedlab.viz.labels`),
    clear of each other and of the searched word's boxed label and its stem, at presenter mode's sizes."""
    ranges, (w, h) = _label_frame(c, panels)
    (sx, sy), = to_px(c[row, :2], ranges, w, h)
    stem = [(sx + t * offset[0] - 2, sy + t * offset[1] - 2, sx + t * offset[0] + 2, sy + t * offset[1] + 2)
            for t in np.linspace(0.3, 0.8, 4)]
    star = [_searched_box(c, tokens, row, offset, ranges, (w, h)), *stem]
    words = [tokens[r] for r in neighbors]
    spots = place_labels(c[neighbors], words, ranges=ranges, width_px=w, height_px=h,
                         font_px=_LABEL_PX, marker_px=9, obstacles=star)
    return label_annotations(c[neighbors], escape_plotly_texts(words), spots, font_size=FONT_SIZE - 3,
                             marker_px=8, name="neighbour label")


def compare_figure(projections: Mapping[str, np.ndarray], tokens: Sequence[str], *,
                   highlight: int | None = None, neighbor_rows: Sequence[int] = (), height: int = 480,
                   labels: Sequence[str] | None = None, category_order: Sequence[str] | None = None):
    """The same points under several projections, side by side (2-D only).

    Parameters
    ----------
    projections : mapping of panel title to coords (n, 2)
    tokens : sequence of str
    highlight : int, optional
        Row of a searched token, highlighted (with its neighbours) in every panel.
    labels : sequence of str, optional
        A category per point, coloured as on the map (``"other"`` grey), one legend entry each.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = list(projections)
    if not names:
        raise InvalidParameterError("give at least one projection to compare")
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=escape_plotly_texts(names), horizontal_spacing=0.04)
    hover = escape_plotly_texts(tokens)
    groups = _categories(labels, category_order, len(tokens))
    for j, name in enumerate(names, start=1):
        c = _check_coords(projections[name], tokens)
        if c.shape[1] != 2:
            raise InvalidParameterError("side-by-side comparison needs 2-D coordinates")
        for cat, rows, colour in groups:
            fig.add_trace(go.Scattergl(x=c[rows, 0], y=c[rows, 1], mode="markers", name=escape_plotly_text(cat),
                                       showlegend=j == 1, legendgroup=cat,
                                       marker=dict(size=4, color=colour, opacity=0.5 if colour == GREY else 0.8),
                                       hovertext=[hover[i] for i in rows], customdata=rows.tolist(),
                                       hovertemplate="<b>%{hovertext}</b><extra></extra>"), row=1, col=j)
        if highlight is not None:
            _add_highlight(fig, c, tokens, int(highlight), [int(r) for r in neighbor_rows],
                           row_col=dict(row=1, col=j), legend=j == 1, panels=len(names))
        fig.update_xaxes(showticklabels=False, title_text="", row=1, col=j)
        fig.update_yaxes(showticklabels=False, row=1, col=j)
    return figure_layout(fig, height=height)


def _categories(labels, order, n: int) -> list[tuple[str, np.ndarray, str]]:
    """(name, rows, colour) per category of ``labels`` ("other" grey, first); one "tokens" group without."""
    if labels is None:
        return [("tokens", np.arange(n), PALETTE[0])]
    labs = np.asarray([str(x) for x in labels], dtype=object)
    if len(labs) != n:
        raise InvalidParameterError(f"labels must have one category per point ({n}), got {len(labs)}")
    cats = list(order) if order is not None else sorted(set(labs.tolist()) - {OTHER})
    if OTHER in set(labs.tolist()) and OTHER not in cats:
        cats = [OTHER] + cats
    colours = iter(colors_for(len([x for x in cats if x not in (OTHER, NO_VALUE)])))
    out = []
    for cat in cats:
        rows = np.flatnonzero(labs == cat)
        colour = GREY if cat in (OTHER, NO_VALUE) else next(colours)
        if rows.size:
            out.append((cat, rows, colour))
    return out


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
