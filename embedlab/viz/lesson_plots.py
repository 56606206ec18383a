"""Plotly figures for the lesson pages (one-hot vs dense, token pipeline, context, documents).

Data in, figure out; no Streamlit. Same conventions as :mod:`embedlab.viz.style`: colour-blind-safe
colours (Okabe & Ito), a legend or colour bar on every figure, axis titles that say what an axis
is, fonts large enough for a projector. Every text argument (tokens, sentences, titles) is plain
text: it is escaped with :func:`embedlab.viz.style.escape_plotly_text` before plotly sees it.

>>> fig = chips_figure(["[CLS]", "em", "##bed", "[SEP]"], [101, 7861, 8270, 102])
>>> sorted(t.name for t in fig.data if t.showlegend)
['special token', 'sub-word piece (##)', 'word / first piece']
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..core.errors import InvalidParameterError
from ..core.linalg import pca_plane, unit_rows
from .style import FONT_SIZE, GREY, HIGHLIGHT, PALETTE, colors_for, escape_plotly_text, escape_plotly_texts, figure_layout

__all__ = ["row_labels", "robust_limit", "pipeline_figure", "matrix_heatmap", "onehot_figure", "dense_rows_figure", "sizes_figure",
           "lookup_figure", "chips_figure", "position_similarity_figure", "sinusoidal_figure",
           "context_figure", "pca2"]

_SPECIAL = {"[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"}
# short function words: drawn on the context map but not labelled, to keep the labels readable
_UNLABELLED = frozenset("a an the of to in on at by for and or but is are was were be been it its he she they we "
                        "i you her his their our my your this that with from as into has have had will".split())
_CHIP_COLOURS = {"word / first piece": PALETTE[0], "sub-word piece (##)": PALETTE[1], "special token": GREY}


def row_labels(tokens: Sequence[str]) -> list[str]:
    """Unique axis labels for token rows: ``"0 · [CLS]"``, ``"1 · the"`` (a token may repeat).

    >>> row_labels(["the", "cat", "the"])
    ['0 · the', '1 · cat', '2 · the']
    """
    return [f"{i} · {t}" for i, t in enumerate(tokens)]


def robust_limit(values, *, q: float = 99.0) -> float:
    """A symmetric colour limit that ignores a few outliers (the q-th percentile of ``|values|``).

    >>> robust_limit(np.r_[np.linspace(-1, 1, 99), 50.0], q=98)
    1.0
    """
    v = np.abs(np.asarray(values, dtype=np.float32))
    lim = float(np.percentile(v, q)) if v.size else 1.0
    return round(lim, 6) or 1.0


def pipeline_figure(panels, rows: Sequence[str], *, height: int | None = None):
    """Several (n_tokens, d) matrices side by side with shared token rows, one colour bar each, lying
    under its panel (upright bars between the panels ran their numbers into the next panel at 1024 px).

    ``panels`` is a sequence of (title, matrix). Colour limits ignore the top 1% of magnitudes so
    a few outlying dimensions do not wash the picture out (hover shows the real values).

    >>> fig = pipeline_figure([("a", np.ones((2, 4))), ("b", -np.ones((2, 4)))], ["x", "y"])
    >>> [(round(t.colorbar.x, 2), t.colorbar.orientation, t.colorbar.yref) for t in fig.data]
    [(0.23, 'h', 'container'), (0.78, 'h', 'container')]
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = list(panels)
    k = len(panels)
    spacing = 0.1
    fig = make_subplots(rows=1, cols=k, shared_yaxes=True, horizontal_spacing=spacing,
                        subplot_titles=escape_plotly_texts(t for t, _ in panels))
    labels = escape_plotly_texts(rows)
    width = (1 - spacing * (k - 1)) / k
    for j, (title, matrix) in enumerate(panels):
        m = np.asarray(matrix, dtype=np.float32)
        if m.ndim != 2 or m.shape[0] != len(rows):
            raise InvalidParameterError(f"panel {title!r}: shape {m.shape} does not have one row per label ({len(rows)})")
        lim = robust_limit(m)
        x_mid = j * (width + spacing) + width / 2
        fig.add_trace(go.Heatmap(
            z=m.tolist(), y=labels, zmin=-lim, zmax=lim, zmid=0, colorscale="RdBu", reversescale=True,
            name=escape_plotly_text(title),
            colorbar=dict(orientation="h", x=x_mid, xanchor="center", len=width, thickness=12,
                          tickvals=[-lim, 0, lim], ticktext=[f"{-lim:.2g}".replace("-", "−"), "0", f"{lim:.2g}"],
                          yref="container", y=0.0, yanchor="bottom", tickfont=dict(size=FONT_SIZE - 4)),
            hovertemplate="%{y}, dimension %{x}: %{z:.3f}<extra>%{fullData.name}</extra>"), row=1, col=j + 1)
        fig.update_xaxes(title_text=f"dim 0…{m.shape[1] - 1}", row=1, col=j + 1)
    fig.update_yaxes(autorange="reversed", type="category", row=1, col=1)
    h = height or min(900, max(340, 30 * len(rows) + 170)) + 50
    # the bottom margin holds the tick labels, the axis titles and, under them, the colour bars
    return figure_layout(fig, height=h, showlegend=None).update_layout(margin_b=130)


MAX_EVERY_TICK = 40
"""A heatmap with at most this many rows (columns) names every one of them on its axis."""


def matrix_heatmap(matrix, rows: Sequence[str], *, cols: Sequence[str] | None = None, title: str = "",
                   xtitle: str = "", ytitle: str = "", colorbar: str = "value", zmid: float | None = 0.0,
                   annotate: bool = False, colorscale: str = "RdBu", reversescale: bool = True,
                   zmin: float | None = None, zmax: float | None = None, height: int | None = None,
                   text_format: str = "%{z:.2g}"):
    """A labelled heatmap of a matrix (rows = tokens), diverging colours centred on ``zmid``.

    >>> fig = matrix_heatmap(np.eye(2), ["a", "b"], annotate=True)
    >>> fig.data[0].texttemplate
    '%{z:.2g}'
    """
    import plotly.graph_objects as go

    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim != 2 or m.shape[0] != len(rows):
        raise InvalidParameterError(f"matrix of shape {m.shape} does not have one row per label ({len(rows)})")
    x = escape_plotly_texts(cols) if cols is not None else list(range(m.shape[1]))
    fig = go.Figure(go.Heatmap(
        z=m.tolist(), x=x, y=escape_plotly_texts(rows), zmid=zmid, zmin=zmin, zmax=zmax, colorscale=colorscale,
        reversescale=reversescale, colorbar=dict(title=dict(text=escape_plotly_text(colorbar))),
        texttemplate=text_format if annotate else None, textfont=dict(size=FONT_SIZE),
        hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>", name=escape_plotly_text(colorbar)))
    y = escape_plotly_texts(rows)
    fig.update_yaxes(autorange="reversed", type="category")
    if len(y) <= MAX_EVERY_TICK:
        # every row named: plotly thins a category axis's ticks when the plot is short (presenter
        # fonts), and a heatmap of six words then named only king, man and apple
        fig.update_yaxes(tickmode="array", tickvals=y, ticktext=y)
    if cols is not None:
        fig.update_xaxes(type="category")
        if len(x) <= MAX_EVERY_TICK:
            fig.update_xaxes(tickmode="array", tickvals=x, ticktext=x)
    h = height or min(900, max(300, 34 * len(rows) + 150))
    return figure_layout(fig, title=title, height=h, xtitle=xtitle, ytitle=ytitle, showlegend=None)


def onehot_figure(tokens: Sequence[str], onehot, *, title: str = "One-hot codes"):
    """The one-hot codes of a small vocabulary: one row per token, a single 1 in its own column."""
    fig = matrix_heatmap(onehot, list(tokens), cols=list(tokens), title=title, annotate=True,
                         xtitle="one-hot position", ytitle="token",
                         colorbar="code value", zmid=None, zmin=0, zmax=1, colorscale="Blues",
                         reversescale=False, text_format="%{z:.0f}",
                         # taller than the default: its x axis carries rotated names and a 2-line title
                         height=min(900, max(420, 40 * len(tokens) + 230)))
    # fixed text on two lines: in half a 1280 px projector screen one line was cut at both ends
    return fig.update_xaxes(title_text="one-hot position<br>(one column per vocabulary entry)")


def dense_rows_figure(tokens: Sequence[str], dense, *, title: str = "Dense rows of E"):
    """The dense embedding rows of the same tokens: every column is a learned number."""
    m = np.asarray(dense, dtype=np.float32)
    lim = float(np.abs(m).max()) or 1.0
    return matrix_heatmap(m, list(tokens), title=title, xtitle=f"dimension (0 … {m.shape[1] - 1})",
                          ytitle="token", colorbar="value", zmin=-lim, zmax=lim)


def byte_tick(n: float) -> str:
    """A compact byte label for a power of ten: ``1 MB``, ``10 MB``, ``100 GB``, ``1 PB``.

    >>> [byte_tick(10 ** e) for e in (3, 7, 9, 12, 15)]
    ['1 KB', '10 MB', '1 GB', '1 TB', '1 PB']
    """
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:g} {unit}"
        n /= 1000
    return f"{n:g} PB"  # pragma: no cover


def sizes_figure(sizes):
    """Bytes of V×V one-hot codes vs a V×d table, for real vocabulary sizes (log scale)."""
    import plotly.graph_objects as go

    from ..lessons.onehot import human_bytes

    x = [f"V = {s.vocab_size:,}" for s in sizes]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=[s.onehot_bytes for s in sizes], name="one-hot: V × V values",
                         marker_color=PALETTE[5], text=[human_bytes(s.onehot_bytes) for s in sizes],
                         textposition="outside", textfont=dict(size=FONT_SIZE - 1),
                         hovertemplate="%{x}: %{text}<extra>one-hot</extra>"))
    fig.add_trace(go.Bar(x=x, y=[s.dense_bytes for s in sizes], name=f"dense: V × {sizes[0].dim} values",
                         marker_color=PALETTE[0], text=[human_bytes(s.dense_bytes) for s in sizes],
                         textposition="outside", textfont=dict(size=FONT_SIZE - 1),
                         hovertemplate="%{x}: %{text}<extra>dense</extra>"))
    top = max(s.onehot_bytes for s in sizes)
    hi = float(np.log10(top)) + 1.2
    ticks = [10 ** e for e in range(6, int(np.floor(hi)) + 1)]
    # bytes in KB/MB/GB/TB: plotly's own SI ticks would read "1B" (a billion) as one byte
    fig.update_yaxes(type="log", title_text="bytes (float32, log scale)", range=[6, hi],
                     tickvals=ticks, ticktext=[byte_tick(t) for t in ticks])
    figure_layout(fig, title="Memory for the whole vocabulary", height=520, xtitle="vocabulary size", showlegend=None)
    # the legend below the x title (above the plot it lay on the title in presenter mode)
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.22, yanchor="top", x=0),
                      margin=dict(b=130))
    return fig


def lookup_figure(token: str, product, row, *, n: int = 12):
    """The first ``n`` numbers of ``one_hot(i) @ E`` and of row ``E[i]``: the same bars."""
    import plotly.graph_objects as go

    p = np.asarray(product, dtype=np.float32)[:n]
    r = np.asarray(row, dtype=np.float32)[:n]
    dims = [str(i) for i in range(len(p))]
    fig = go.Figure()
    tok = escape_plotly_text(token)
    fig.add_trace(go.Bar(x=dims, y=p.tolist(), name=f"one_hot({tok}) @ E", marker_color=PALETTE[5]))
    fig.add_trace(go.Bar(x=dims, y=r.tolist(), name=f"row E[{tok}]", marker_color=PALETTE[0]))
    fig.update_layout(barmode="group")
    return figure_layout(fig, title="Multiplying by a one-hot code = looking up a row", height=380,
                         xtitle="dimension", ytitle="value", showlegend=None)


def chips_figure(tokens: Sequence[str], ids: Sequence[int], *, per_row: int | None = None, truncated: bool = False):
    """WordPiece tokens as coloured chips, each with its id underneath; sub-word pieces marked.

    The chips wrap onto several lines; tokens are escaped plotly text (shown as typed).
    """
    import plotly.graph_objects as go

    if len(tokens) != len(ids):
        raise InvalidParameterError(f"{len(tokens)} tokens but {len(ids)} ids; they must match")
    kinds = ["special token" if t in _SPECIAL else "sub-word piece (##)" if t.startswith("##") and len(t) > 2
             else "word / first piece" for t in tokens]
    widths = [max(4.0, 0.95 * len(t) + 1.6) for t in tokens]     # in character units
    line_width = float(per_row or 70)
    xs, ys, x, y = [], [], 0.0, 0
    for wdt in widths:
        if x > 0 and x + wdt > line_width:
            x, y = 0.0, y + 1
        xs.append(x + wdt / 2)
        ys.append(y)
        x += wdt + 0.8
    fig = go.Figure()
    shapes: list[dict] = []      # set once: fig.add_shape per chip is quadratic (13 s for 96 chips)
    for kind, colour in _CHIP_COLOURS.items():
        rows = [i for i, k in enumerate(kinds) if k == kind]
        if not rows:
            continue
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=kind, showlegend=True,
                                 marker=dict(color=colour, symbol="square", size=16, opacity=0.6)))
        fig.add_trace(go.Scatter(
            x=[xs[i] for i in rows], y=[-ys[i] for i in rows], mode="text", name=f"{kind} tokens",
            text=escape_plotly_texts(tokens[i] for i in rows), textfont=dict(size=FONT_SIZE + 2, color=HIGHLIGHT),
            hovertext=escape_plotly_texts(f"{tokens[i]} → id {ids[i]} (position {i})" for i in rows),
            hoverinfo="text",
            showlegend=False))
        fig.add_trace(go.Scatter(
            x=[xs[i] for i in rows], y=[-ys[i] - 0.38 for i in rows], mode="text", showlegend=False,
            text=[str(ids[i]) for i in rows], textfont=dict(size=FONT_SIZE - 3, color="#555555"),
            hoverinfo="skip", name=f"{kind} ids"))
        shapes += [dict(type="rect", x0=xs[i] - widths[i] / 2, x1=xs[i] + widths[i] / 2,
                        y0=-ys[i] - 0.22, y1=-ys[i] + 0.22, fillcolor=colour, opacity=0.35,
                        line=dict(color=colour, width=2, dash="dot" if kind.startswith("sub") else "solid"),
                        layer="below") for i in rows]
    fig.update_layout(shapes=shapes)
    n_lines = (max(ys) + 1) if ys else 1
    fig.update_xaxes(visible=False, range=[-0.5, line_width + 0.5])
    fig.update_yaxes(visible=False, range=[-n_lines + 0.3, 0.5])
    title = "WordPiece tokens (id underneath)" + (" — cut to 512 tokens" if truncated else "")
    figure_layout(fig, title=title, height=110 + 75 * n_lines, showlegend=None)
    fig.update_layout(legend=dict(orientation="h", y=-0.02, yanchor="top", x=0), margin=dict(l=10, r=10, b=40))
    return fig


def position_similarity_figure(vectors, *, title: str, n: int | None = None):
    """Cosine similarity between position vectors 0..n-1 (nearby positions: similar)."""
    v = np.asarray(vectors, dtype=np.float32)[: n or None]
    u = unit_rows(v)
    m = np.clip(u @ u.T, -1, 1)
    import plotly.graph_objects as go

    fig = go.Figure(go.Heatmap(z=m.tolist(), x=list(range(len(m))), y=list(range(len(m))), zmin=-1, zmax=1,
                               zmid=0, colorscale="RdBu", reversescale=True, name="cosine",
                               colorbar=dict(title=dict(text="cosine")),
                               hovertemplate="positions %{y} and %{x}: %{z:.2f}<extra></extra>"))
    # square cells: the plot area shrinks to a square (constrain="domain"); with the default the axes'
    # ranges grew instead, to -50...200 around a 0...127 picture
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    fig.update_xaxes(constrain="domain")
    return figure_layout(fig, title=title, height=470, xtitle="position", ytitle="position", showlegend=None)


def sinusoidal_figure(encoding, *, title: str = "Sinusoidal encoding (fixed, not learned)"):
    """The classic sin/cos position encoding: position × dimension."""
    import plotly.graph_objects as go

    pe = np.asarray(encoding, dtype=np.float32)
    fig = go.Figure(go.Heatmap(z=pe.tolist(), zmin=-1, zmax=1, zmid=0, colorscale="RdBu", reversescale=True,
                               name="value", colorbar=dict(title=dict(text="value")),
                               hovertemplate="position %{y}, dimension %{x}: %{z:.2f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return figure_layout(fig, title=title, height=470, xtitle="dimension", ytitle="position", showlegend=None)


def pca2(vectors) -> np.ndarray:
    """2-D PCA coordinates of a few points (:func:`embedlab.core.linalg.pca_plane`: signs fixed so
    the largest loading of each component is positive, making the picture deterministic).

    >>> pca2(np.array([[0, 0, 0], [2, 0, 0], [0, 1, 0]], np.float32)).shape
    (3, 2)
    """
    x = np.asarray(vectors, dtype=np.float64)
    if len(x) == 0:
        return np.zeros((0, 2), np.float32)
    return pca_plane(x, 2).transform(x)


#: the contextual panel's plot area assumed when its labels are placed (px): half of the main column at
#: 1024x768 in presenter mode, the worst case
_CONTEXT_PANEL_PX = (300, 400)


def _panel_spots(xy, texts: Sequence[str], first: Sequence[int], *, star_size: float, dot_size: float
                 ) -> list[str | None]:
    """Label positions in one panel of the context figure (see :mod:`embedlab.viz.labels`): the rows
    ``first`` (the word's stars, markers ``star_size`` px across) always written, then the other
    non-empty texts (dots ``dot_size`` px across) where they fit; None = no label (hover names the point).
    Sizes are the figure's: they are placed for presenter mode's (x :data:`MARKER_SCALE`)."""
    from .labels import place_labels, to_px
    from .presenter import MARKER_SCALE, PRESENTER_FONT_SIZE

    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = (hi - lo) * 0.05 + 1e-9
    ranges = ((float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1])))
    order = [int(i) for i in first] + [i for i in range(len(texts)) if texts[i] and i not in set(first)]
    grow = PRESENTER_FONT_SIZE / FONT_SIZE
    r_star, r_dot = star_size * MARKER_SCALE / 2, dot_size * MARKER_SCALE / 2
    radii = [r_star] * len(first) + [r_dot] * (len(order) - len(first))
    # the stars are obstacles: a word's label never covers one (other markers are only avoided)
    stars = [(x - r_star, y - r_star, x + r_star, y + r_star)
             for x, y in to_px(xy[order[:len(first)]], ranges, *_CONTEXT_PANEL_PX)]
    spots = place_labels(xy[order], [texts[i] for i in order], ranges=ranges, width_px=_CONTEXT_PANEL_PX[0],
                         height_px=_CONTEXT_PANEL_PX[1], font_px=FONT_SIZE * grow, marker_px=radii,
                         always=range(len(first)), obstacles=stars)
    out: list[str | None] = [None] * len(texts)
    for i, spot in zip(order, spots):
        out[i] = spot
    return out


def context_figure(result, static_tokens: Sequence[str], static_vectors):
    """Two panels: the word's static row among its static neighbours (one point, whatever the
    sentence), and the output vectors of the sentences' tokens (the word lands in a different
    place in each sentence).

    ``result`` is a :class:`embedlab.encoder.stages.WordInContexts`; ``static_tokens`` /
    ``static_vectors`` are the word and its nearest rows of E (word first).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    m = len(result.sentences)
    colours = colors_for(m)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08, subplot_titles=(
        "Before the encoder: rows of E (static)", "After 6 layers: output vectors (contextual)"))
    # left: static neighbours
    c = pca2(static_vectors)
    word = escape_plotly_text(result.word)
    left = _panel_spots(c, [f"{result.word} (×{m})"] + list(static_tokens[1:]), [0], star_size=20, dot_size=10)
    fig.add_trace(go.Scatter(x=c[1:, 0], y=c[1:, 1], mode="markers+text",
                             text=escape_plotly_texts("" if spot is None else t for t, spot in zip(static_tokens[1:], left[1:])),
                             hovertext=escape_plotly_texts(static_tokens[1:]),
                             textposition=[spot or "bottom center" for spot in left[1:]], name="static neighbours in E",
                             marker=dict(size=10, color=GREY), hovertemplate="%{hovertext}<extra>row of E</extra>"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=[c[0, 0]], y=[c[0, 1]], mode="markers+text",
                             text=[f"{word} (×{m})"], textposition=left[0],
                             hovertext=[f"{word}: the same row of E in all {m} sentences"],
                             name=f"'{word}' input row (×{m})",
                             marker=dict(size=20, color=HIGHLIGHT, symbol="star"),
                             textfont=dict(size=FONT_SIZE + 2, color=HIGHLIGHT),
                             hovertemplate="%{hovertext}<extra></extra>"), row=1, col=1)
    # right: contextual outputs of every word-like token of every sentence
    vecs, labels, sent_of, is_word = [], [], [], []
    for s, (out, pos) in enumerate(zip(result.outputs, result.positions)):
        for i, t in enumerate(out.tokens):
            if t in _SPECIAL or not any(ch.isalnum() for ch in t):
                continue
            vecs.append(out.output_vectors[i])
            labels.append(t)
            sent_of.append(s)
            is_word.append(i == pos)
    c2 = pca2(np.stack(vecs))
    sent_of, is_word = np.asarray(sent_of), np.asarray(is_word)
    spots = _panel_spots(c2, [f"{word} ({s + 1})" if w else ("" if t in _UNLABELLED else t)
                              for t, s, w in zip(labels, sent_of, is_word)], np.flatnonzero(is_word),
                         star_size=22, dot_size=8)
    for s in range(m):
        rows = np.flatnonzero((sent_of == s) & ~is_word)
        short = result.sentences[s] if len(result.sentences[s]) <= 40 else result.sentences[s][:39] + "…"
        fig.add_trace(go.Scatter(x=c2[rows, 0], y=c2[rows, 1], mode="markers+text",
                                 text=escape_plotly_texts("" if spots[r] is None else labels[r] for r in rows),
                                 hovertext=escape_plotly_texts(labels[r] for r in rows),
                                 textposition=[spots[r] or "top center" for r in rows],
                                 name=escape_plotly_text(f"sentence {s + 1}: {short}"),
                                 legendgroup=f"s{s}",
                                 marker=dict(size=8, color=colours[s], opacity=0.7), textfont=dict(color=colours[s]),
                                 hovertemplate="%{hovertext}<extra>sentence " + str(s + 1) + "</extra>"), row=1, col=2)
        rows = np.flatnonzero((sent_of == s) & is_word)
        fig.add_trace(go.Scatter(x=c2[rows, 0], y=c2[rows, 1], mode="markers+text",
                                 text=[f"{word} ({s + 1})"] * len(rows),
                                 textposition=[spots[r] or "top center" for r in rows],
                                 name=f"'{word}' in sentence {s + 1}", legendgroup=f"s{s}", showlegend=False,
                                 marker=dict(size=22, color=colours[s], symbol="star", line=dict(color=HIGHLIGHT, width=1.5)),
                                 textfont=dict(size=FONT_SIZE + 2, color=HIGHLIGHT),
                                 hovertemplate="%{text}<extra></extra>"), row=1, col=2)
    for col in (1, 2):   # (one y title: the right panel's sat in the gap, on the left panel's labels)
        fig.update_xaxes(title_text="PCA 1", showticklabels=False, zeroline=False, row=1, col=col)
        fig.update_yaxes(title_text="PCA 2" if col == 1 else "", showticklabels=False, zeroline=False, row=1, col=col)
    figure_layout(fig, height=620, showlegend=None)
    fig.update_traces(cliponaxis=False)            # labels at the edges stay readable
    fig.update_layout(legend=dict(orientation="h", y=-0.12, yanchor="top", x=0), margin=dict(l=70, r=60))
    return fig
