"""Presenter mode: a copy of any figure restyled for a projector and the back of a classroom.

>>> import plotly.graph_objects as go
>>> presenter_style(go.Figure(go.Bar(x=[1], y=["a"]))).layout.font.size
20
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..core.validate import check_float, check_int
from .style import FONT_SIZE, HIGHLIGHT, unescape_plotly_text

__all__ = ["PRESENTER_FONT_SIZE", "MARKER_SCALE", "NO_LABELS", "presenter_style", "wrap_title", "legend_rows"]

#: Base font size of figures in presenter mode (projectors, the back of a classroom).
PRESENTER_FONT_SIZE = 20
#: How much larger presenter mode draws markers (figures that place labels beside them count on it).
MARKER_SCALE = 1.6
#: A trace's ``meta`` that keeps presenter mode from labelling its points (context dots: hover only).
NO_LABELS = {"presenter": "no-labels"}
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


def presenter_style(fig, *, font_size: int = PRESENTER_FONT_SIZE, marker_scale: float = MARKER_SCALE,
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
    >>> from embedlab.viz.maps import map_figure
    >>> fig = map_figure(np.zeros((3, 2), np.float32), ["a", "b", "c"])
    >>> big = presenter_style(fig)
    >>> big.layout.font.size, big.data[0].marker.size, fig.data[0].marker.size
    (20, 9.6, 6)
    >>> big.data[0].mode, list(big.data[0].text)
    ('markers+text', ['a', 'b', 'c'])
    """
    import plotly.graph_objects as go

    for name, value in (("font_size", font_size), ("marker_scale", marker_scale), ("line_scale", line_scale)):
        check_float(value, name, low=0, low_open=True)
    label_limit = check_int(label_limit, "label_limit", minimum=0)
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
                    and 0 < len(hover) <= label_limit and tr.get("hoverinfo") != "skip"
                    and (tr.get("meta") or {}) != NO_LABELS):
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
    _legend_below(out)
    _titles_clear_of_the_toolbar(out, font_size)
    return out


#: plotly's toolbar (modebar) takes the top ~35 px at the top right of a figure (measured at 1024 px): titles start below it
MODEBAR_PX = 46
#: presenter titles longer than this many characters are wrapped (at 20 px a 1024-px screen's
#: main column holds ~50, a figure in one of two columns ~25); subplot titles of one row share
#: :data:`SUBPLOT_TITLE_CHARS`
TITLE_CHARS = 32
SUBPLOT_TITLE_CHARS = 60


def wrap_title(text: str, width: int) -> str:
    """``text`` broken with ``<br>`` at spaces into lines of at most ``width`` characters (a longer
    word stays whole); text with its own line breaks or markup is left as it is.

    >>> wrap_title("LayerNorm(sum): input to layer 1", 20)
    'LayerNorm(sum):<br>input to layer 1'
    >>> wrap_title("<b>king</b> and its neighbours", 10)
    '<b>king</b> and its neighbours'
    """
    if len(text) <= width or "<" in text or "\n" in text:
        return text
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _titles_clear_of_the_toolbar(fig, font_size: int) -> None:
    """Long titles wrapped, and the title (with the subplot titles under it) moved below the strip
    plotly's toolbar takes at the top right, which covered the end of long titles at 1024 px."""
    lay = fig.layout
    subplot = [a for a in (lay.annotations or ()) if a.yref == "paper" and a.y is not None and a.y >= 0.99
               and a.yanchor == "bottom" and isinstance(a.text, str)]
    row = max(1, len(subplot))
    for a in subplot:
        a.text = wrap_title(a.text, max(14, SUBPLOT_TITLE_CHARS // row))
    sub_lines = max((a.text.count("<br>") + 1 for a in subplot), default=0)
    title = lay.title.text if lay.title and isinstance(lay.title.text, str) else ""
    line = 1.3 * ((lay.title.font.size if lay.title and lay.title.font.size else None) or font_size * 1.1)
    top = lay.margin.t if lay.margin and lay.margin.t is not None else 100
    if title:
        title = wrap_title(title, TITLE_CHARS)
        lines = title.count("<br>") + 1
        # (plotly grows a multi-line title upwards from its first line: pad the extra lines too)
        fig.update_layout(title=dict(text=title, yref="container", y=1, yanchor="top",
                                     pad=dict(t=round(MODEBAR_PX + (lines - 1) * line))))
        need = MODEBAR_PX + lines * line + sub_lines * 1.3 * font_size + 12
    elif subplot:
        need = MODEBAR_PX + sub_lines * 1.3 * font_size + 8
    else:
        return
    if need > top:
        fig.update_layout(margin_t=round(need), height=(lay.height or 450) + round(need - top))


#: px kept below a legend for play buttons or a slider drawn under the plot
CONTROLS_PX = 100
#: the narrowest plot a presenter-mode legend is laid out for (px): the main column at 1024x768, or an
#: 800 px window with the sidebar folded, less a figure's margins
LEGEND_WIDTH_PX = 560


def legend_rows(names, font_size: float, *, width_px: float = LEGEND_WIDTH_PX) -> int:
    """How many rows plotly needs for a horizontal legend of these entry ``names`` at ``font_size``
    in a plot ``width_px`` wide (entries flow left to right, a new row when the next one does not fit;
    an entry is its symbol, about 40 px, and its text). Estimated for the narrowest plot, so the room
    kept below a figure is enough on any wider one; a row per entry reserved a blank band (8 entries
    of the analogy figure take 3 rows at 1280 px, not 8).

    >>> legend_rows(["a → b", "a → c", "answers"], 20)
    1
    >>> legend_rows(["cluster 1: offered, provide, provides (852)"] * 3, 20)
    3
    """
    rows, used = 1, 0.0
    for name in names:
        w = 0.55 * font_size * len(unescape_plotly_text(name)) + 50
        if used and used + w > width_px:
            rows, used = rows + 1, 0.0
        used += w
    return rows


_NO_LEGEND_TYPES = frozenset({"heatmap", "contour", "histogram2d", "histogram2dcontour", "surface", "image",
                              "table", "parcoords", "parcats", "sankey", "indicator"})


def _legend_below(fig) -> None:
    """A legend on the right takes a third of a projector's width: put it in rows below the plot,
    under the x-axis title (a figure's own horizontal legend stays where it is)."""
    lay = fig.layout
    below_plot = lay.legend.orientation == "h" and lay.legend.y is not None and lay.legend.y < 0
    if lay.showlegend is False or (lay.legend.orientation == "h" and not below_plot):
        return      # (a legend in rows below the plot is placed again: at 20 px it covered the x title)
    names = [str(tr.name) for tr in fig.data        # (heatmaps, tables... have no legend entry by default)
             if getattr(tr, "showlegend", None) is not False and getattr(tr, "name", None)
             and (tr.type not in _NO_LEGEND_TYPES or getattr(tr, "showlegend", None))]
    if len(names) < (1 if lay.showlegend else 2):
        return
    top = lay.margin.t if lay.margin and lay.margin.t is not None else 100
    below, rows = 95.0, 30 * legend_rows(names, lay.legend.font.size or PRESENTER_FONT_SIZE) + 10
    height = max(lay.height or 450, top + below + 10 + 250)
    # below the tick labels and the axis title (about 95 px at 20 px fonts), in a bottom margin kept
    # for the legend's rows (one entry a row on a narrow screen): the figure grows by the rows, the
    # plot keeps its height, and plotly has no reason to push the margin into the plot (it did: the
    # legend then lay over the x-axis title and squeezed the map)
    plot = height - top - below
    # play buttons and a slider under the plot (the training animation) go below the legend's rows:
    # they sat at fixed paper heights that the larger legend now covers
    controls = [c for c in (*(lay.updatemenus or ()), *(lay.sliders or ())) if c.y is not None and c.y < 0]
    extra = CONTROLS_PX if controls else 0
    for c in controls:
        c.y, c.yanchor = -(below + rows + (0 if c.plotly_name == "updatemenus" else 4)) / plot, "top"
    fig.update_layout(height=height + rows + extra, margin_b=below + rows + extra,
                      legend=dict(orientation="h", x=0, xanchor="left", y=-below / plot, yanchor="top"))
