"""The look shared by every figure: colours, fonts, plotly-safe text and the one layout helper.

Conventions: colour-blind-safe colours (Okabe & Ito, then Paul Tol's "muted"), a legend always,
axis titles that say what an axis is, fonts large enough for a projector. Every text a user
typed or a file brought (tokens, titles, file names) goes through :func:`escape_plotly_text`.

>>> import plotly.graph_objects as go
>>> fig = figure_layout(go.Figure(), title="<b>x</b>", height=300, xtitle="rank")
>>> fig.layout.title.text, fig.layout.height, fig.layout.xaxis.title.text, fig.layout.showlegend
('&lt;b&gt;x&lt;/b&gt;', 300, 'rank', True)
"""
from __future__ import annotations

__all__ = ["PALETTE", "PALETTE_MORE", "GREY", "HIGHLIGHT", "FONT_SIZE", "colors_for", "figure_layout",
           "escape_plotly_text", "escape_plotly_texts", "unescape_plotly_text"]

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


def figure_layout(fig, *, title: str = "", height: int = 650, xtitle: str = "", ytitle: str = "",
                  showlegend: bool | None = True):
    """The shared layout of every figure, applied to ``fig`` in place (and returned).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    title, xtitle, ytitle : str
        Plain text (escaped here). An empty axis title leaves that axis's title as it is.
    height : int
        In pixels.
    showlegend : bool or None
        True: a legend always; None: plotly's default (a legend when there are several traces).

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig``.
    """
    fig.update_layout(
        title=dict(text=escape_plotly_text(title), font=dict(size=FONT_SIZE + 2)),
        height=height, font=dict(size=FONT_SIZE),
        legend=dict(itemsizing="constant", title_text=""),
        margin=dict(l=60, r=20, t=60 if title else 30, b=60), template="plotly_white",
    )
    if showlegend is not None:
        fig.update_layout(showlegend=showlegend)
    if xtitle:
        fig.update_xaxes(title_text=escape_plotly_text(xtitle))
    if ytitle:
        fig.update_yaxes(title_text=escape_plotly_text(ytitle))
    return fig
