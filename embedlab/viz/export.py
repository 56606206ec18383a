"""Take a view home: a figure as ONE self-contained HTML file that works offline.

:func:`figure_html` embeds plotly.js itself (``fig.to_html(include_plotlyjs=True, full_html=True)``: no CDN,
no ``<script src>``), puts a caption above the plot (what it shows, the set and the parameters; HTML-escaped,
so a token or a file name is shown as typed, never run), and removes the web addresses plotly.js carries
for features a saved scatter plot never uses (map tiles and fonts of its map traces, links in licence
comments and error messages), so nothing in the file points outside it. The figure's own data are kept as
they are: a token that is itself an address stays in its hover text (plain, escaped text, never a link). The only addresses left are the
W3C namespace names (``http://www.w3.org/2000/svg`` ...): identifiers the browser's DOM needs to make SVG
elements, never fetched (:data:`NAMESPACE_URIS`).

>>> import plotly.graph_objects as go
>>> page = figure_html(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), title="<b>map</b>", caption=["set: a&b"])
>>> b"&lt;b&gt;map&lt;/b&gt;" in page and b"set: a&amp;b" in page and b"<script src" not in page
True
>>> external_urls(page.decode())
[]
"""
from __future__ import annotations

import html
import re
from typing import Iterable

__all__ = ["figure_html", "external_urls", "NAMESPACE_URIS"]

NAMESPACE_URIS = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink", "http://www.w3.org/2000/xmlns/",
                  "http://www.w3.org/1999/xhtml", "http://www.w3.org/XML/1998/namespace")
"""XML namespace names plotly.js passes to ``createElementNS``: identifiers, not resources."""

# an address: a scheme for the web, then everything up to a quote, a space, a bracket or a backslash
_URL = re.compile(r"""(?i)\b(?:https?|wss?|ftp):/{2}[^\s"'`<>()\\]*""")
_REMOVED = "about:blank"

_PAGE_CSS = """body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 16px 24px;
       color: #1a1a1a; }
header h1 { font-size: 22px; margin: 0 0 6px 0; }
header p { margin: 2px 0; font-size: 15px; color: #333; }
footer { margin-top: 8px; font-size: 13px; color: #555; }"""


def _is_namespace(url: str) -> bool:
    return any(url.startswith(ns) for ns in NAMESPACE_URIS)


def external_urls(text: str) -> list[str]:
    """Every web address in ``text`` that is not one of :data:`NAMESPACE_URIS` (what an offline file
    must not hold).

    >>> external_urls('<a href="https://cdn.plot.ly/x.js"> "http://www.w3.org/2000/svg"')
    ['https://cdn.plot.ly/x.js']
    """
    return [m.group() for m in _URL.finditer(text) if not _is_namespace(m.group())]


def _strip_urls(text: str) -> str:
    return _URL.sub(lambda m: m.group() if _is_namespace(m.group()) else _REMOVED, text)


_JS_CACHE: dict = {}


def _plotlyjs(get) -> str:
    """plotly.js (4.8 MB) with its outside addresses removed, computed once per process."""
    if "js" not in _JS_CACHE:
        _JS_CACHE["js"] = _strip_urls(get())
    return _JS_CACHE["js"]


def figure_html(fig, *, title: str, caption: Iterable[str] = (), height: int | None = None) -> bytes:
    """``fig`` as one offline HTML page (UTF-8 bytes): plotly.js embedded, a caption, no outside address.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Not modified.
    title : str
        The page's heading and ``<title>`` (plain text, escaped here).
    caption : iterable of str
        Lines shown under the heading: what the figure shows, the set, the parameters (plain text).
    height : int, optional
        The plot's height in pixels (default: the figure's own height, else 650).

    Returns
    -------
    bytes
        About 4.8 MB, almost all of it plotly.js.
    """
    from plotly.offline import get_plotlyjs

    height = int(height or fig.layout.height or 650)
    body = fig.to_html(include_plotlyjs=False, full_html=False, default_height=f"{height}px",
                       default_width="100%", config={"displaylogo": False, "responsive": True})
    script = f'<script type="text/javascript">{_plotlyjs(get_plotlyjs)}</script>'
    lines = "".join(f"<p>{html.escape(str(line))}</p>" for line in caption)
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n<body>\n"
            f"<header><h1>{html.escape(title)}</h1>{lines}</header>\n{script}\n{body}\n"
            "<footer>Saved from EmbedLab. This file works offline: plotly.js is inside it. Hover a point to "
            "see its word; drag to zoom, double-click to zoom out.</footer>\n</body>\n</html>\n")
    return page.encode("utf-8")
