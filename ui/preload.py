"""The browser starts fetching the Map's chunks while it waits for the script run (issue 12: the first
Map within 3 s of the page request).

Streamlit's browser app loads each element's code lazily: plotly.js (``PlotlyChart.*.js``, ~4.7 MB)
is requested only when the first chart arrives over the websocket, i.e. after the bundle booted, the
session connected and the page's script ran — then fetched and compiled while the user waits. The
server (``server.py``) serves Streamlit's own ``index.html`` through :class:`PreloadIndexMiddleware`,
which adds a ``<link rel="modulepreload">`` for every chunk :data:`PRELOAD_COMPONENTS` needs (the
component's file and the files it imports, found in the installed Streamlit's ``static/js`` folder
when the server starts: the names carry a content hash and change with every release), so the
browser fetches and compiles them beside Streamlit's bundle. Chunks the page already preloads are
not repeated; a component whose file is not found is skipped (logged), and with none found the page
is served unchanged. Nothing comes from a CDN: the links point at the server's own files.

``EMBEDLAB_PRELOAD`` chooses: ``1`` (default) the links and an early ``import()`` of the
components once the page has loaded (the browser then also *evaluates* plotly.js while the websocket
opens and the server runs the page), ``links`` the links only, ``0`` Streamlit's page as it is.
Measured (new browser sessions, server idle, three servers side by side, 5 alternating requests each,
load 11-15): links and early import 4.32 s median, links only 4.77 s, Streamlit's page 4.57 s; in
bench/bench_first_map.py's runs (load 7-9) ``make run`` 3.2 s vs 4.3 s without the preload. A small
gain: most of the time is the browser starting Streamlit's bundle and drawing.
"""
from __future__ import annotations

import functools
import gzip
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["ENV", "PRELOAD_COMPONENTS", "mode", "chunk_closure", "preload_hrefs", "map_components", "inject_preloads",
           "PreloadIndexMiddleware"]

ENV = "EMBEDLAB_PRELOAD"
PRELOAD_COMPONENTS = ("PlotlyChart", "Selectbox", "Radio", "Slider", "TextInput", "Checkbox", "DownloadButton",
                      "FileUploader", "Html")
"""Streamlit's lazily loaded components the first Map page shows (read from its AppTest element tree:
the figure, 3 select boxes, 2 radios, 2 sliders, a text input, 2 toggles — drawn by ``Checkbox`` —,
3 download buttons, the sidebar's 2 uploaders, an ``st.html``): the stems of their chunk files."""
_NOT_PAGES = ("/static/", "/_stcore/", "/media/", "/component/", "/favicon.png", "/manifest.json")
"""Paths that are never a page being opened (a base URL path is not stripped: only the warm-up's pause
depends on this, and a missed page costs nothing but an earlier background step)."""
_IMPORT = re.compile(rb'(?:\bfrom|\bimport)\s*"\./([\w.\-]+\.js)"')
_ALREADY = re.compile(r'(?:href|src)="\./static/js/([\w.\-]+\.js)"')


def mode() -> str:
    """``"1"`` (links and an early import, the default), ``"links"`` (links only) or ``"0"`` (off),
    from :data:`ENV`.

    >>> os.environ.pop(ENV, None); mode()
    '1'
    """
    value = os.environ.get(ENV, "1").strip().lower()
    if value in ("0", "false", "no", "off"):
        return "0"
    return "links" if value == "links" else "1"


def chunk_closure(js_dir: Path, names: Iterable[str]) -> list[str]:
    """File names of the chunks ``names`` (file names in ``js_dir``) and of every chunk they import
    statically (``import … from "./x.js"``, recursively), each once, in the order found; dynamic
    ``import()`` calls are lazy and left out, missing files skipped.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "A.1.js").write_text('import{x}from"./b.2.js";import"./c.3.js";import(`./lazy.js`)')
    >>> _ = (d / "b.2.js").write_text('import"./c.3.js";'); _ = (d / "c.3.js").write_text("")
    >>> chunk_closure(d, ["A.1.js"])
    ['A.1.js', 'b.2.js', 'c.3.js']
    """
    seen: dict[str, None] = {}
    todo = list(names)
    while todo:
        name = todo.pop(0)
        if name in seen or not (js_dir / name).is_file():
            continue
        seen[name] = None
        todo.extend(m.decode() for m in _IMPORT.findall((js_dir / name).read_bytes()))
    return list(seen)


def preload_hrefs(frontend: Path | None, components: Iterable[str] = PRELOAD_COMPONENTS) -> list[str]:
    """``./static/js/…`` links of the chunks ``components`` need that ``frontend``'s ``index.html``
    does not already load; ``[]`` when ``frontend`` is None or none is found (read once per folder).

    >>> preload_hrefs(None)
    []
    """
    return list(_hrefs(frontend, tuple(components))) if frontend is not None else []


@functools.lru_cache(maxsize=8)
def _hrefs(frontend: Path, components: tuple[str, ...]) -> tuple[str, ...]:
    js_dir = frontend / "static" / "js"
    roots = []
    for stem in components:
        found = sorted(js_dir.glob(f"{stem}.*.js"))
        if len(found) == 1:
            roots.append(found[0].name)
        else:
            logger.info("preload: %d chunk files for %s in %s; not preloaded", len(found), stem, js_dir)
    already = set(_ALREADY.findall((frontend / "index.html").read_text(errors="replace")))
    return tuple(f"./static/js/{n}" for n in chunk_closure(js_dir, roots) if n not in already)


def map_components(element: bool | None = None) -> tuple[str, ...]:
    """The chunk stems the first Map needs: :data:`PRELOAD_COMPONENTS`, with components v2's
    ``BidiComponent`` in place of ``PlotlyChart`` when the Map draws with plotly.js's gl2d bundle
    (``element``; default: whether :mod:`ui.map_chart` is on, i.e. the server serves the bundle)."""
    from . import map_chart

    if not (map_chart.enabled() if element is None else element):
        return PRELOAD_COMPONENTS
    return tuple("BidiComponent" if c == "PlotlyChart" else c for c in PRELOAD_COMPONENTS)


def inject_preloads(html: bytes, hrefs: list[str], *, early_import: bool = False,
                    roots: Iterable[str] = PRELOAD_COMPONENTS, script: str = "",
                    prefetch: Iterable[str] = ()) -> bytes:
    """``html`` with a ``<link rel="modulepreload">`` per href before ``</head>`` (and with
    ``early_import``, a module script importing the chunks of ``roots`` once the page has loaded);
    with ``script`` (the URL of a classic script, the Map's plotly.js bundle), a ``<link rel="preload">``
    of it and, with ``early_import``, its ``<script>`` added at the load event too, its promise kept in
    ``window.__embedlabPlotly`` (where ``ui/map_chart.js`` looks first); a ``<link rel="prefetch">``
    per href of ``prefetch`` (fetched into the HTTP cache when the browser is idle, not run: Streamlit's
    plotly.js for the pages after the Map); unchanged when there are no hrefs or no ``</head>``.

    >>> inject_preloads(b"<html><head></head></html>", ["./static/js/P.1.js"])
    b'<html><head><link rel="modulepreload" crossorigin href="./static/js/P.1.js">\\n</head></html>'
    """
    at = html.find(b"</head>")
    if not hrefs or at < 0:
        return html
    tags = "".join(f'<link rel="modulepreload" crossorigin href="{h}">\n' for h in hrefs)
    tags += "".join(f'<link rel="prefetch" crossorigin href="{h}">\n' for h in prefetch)
    if script:
        tags += f'<link rel="preload" as="script" href="{script}">\n'
    if early_import:
        wanted = set(roots)
        imports = "".join(f'import("{h}").catch(()=>{{}});' for h in hrefs if Path(h).name.split(".")[0] in wanted)
        if script:
            imports += _EARLY_SCRIPT.replace("SRC", script)
        tags += _EARLY_IMPORT.replace("IMPORTS", imports)
    return html[:at] + tags.encode() + html[at:]


# The early import starts at the page's load event: the browser evaluates the chunks while the
# websocket opens and the server runs the page. Started instead once the session's script runs
# (Streamlit's data-test-script-state="running"), the evaluation blocked the main thread while the
# page's elements arrived: first Map 4.2-4.9 s vs 3.3-4.5 s (3 new sessions each, one locked run).
_EARLY_IMPORT = """<script type="module">window.addEventListener("load",()=>{IMPORTS});</script>
"""
# the same loader as ui/map_chart.js's loadPlotly (which uses this promise when it is there)
_EARLY_SCRIPT = ('if(!window.__embedlabPlotly){window.__embedlabPlotly=new Promise((ok,fail)=>{'
                 'const s=document.createElement("script");s.src="SRC";s.onload=()=>ok(window.Plotly);'
                 's.onerror=()=>{window.__embedlabPlotly=null;fail(new Error("plotly.js did not load"));};'
                 'document.head.appendChild(s);});window.__embedlabPlotly.catch(()=>{});}')


class PreloadIndexMiddleware:
    """ASGI middleware (``st.App(..., middleware=[Middleware(PreloadIndexMiddleware)])``): every
    ``text/html`` answer to a GET — Streamlit's ``index.html``, served for ``/`` and each page's URL —
    gets :func:`inject_preloads`' links (a gzip-encoded one is unpacked and packed again); its
    ``ETag`` / ``Last-Modified`` are dropped, since the bytes are no longer the file's. Everything
    else passes through untouched. The links are found once, when the middleware is built."""

    def __init__(self, app, hrefs: list[str] | None = None, early_import: bool | None = None) -> None:
        self.app = app
        from .streamlit_internals import frontend_dir

        current = mode()
        if hrefs is None:
            hrefs = preload_hrefs(frontend_dir(), map_components()) if current != "0" else []
        from . import map_chart

        self.roots = map_components()
        self.script = ("." + map_chart.ROUTE) if map_chart.enabled() and current != "0" else ""
        # the other pages' charts still need Streamlit's plotly.js: fetched while the browser is idle
        self.prefetch = ([h for h in preload_hrefs(frontend_dir(), ("PlotlyChart",)) if h not in hrefs]
                         if self.script else [])
        self.hrefs = hrefs
        self.early_import = (current == "1") if early_import is None else early_import
        logger.info("preload: %d chunk links added to the page%s", len(hrefs),
                    " (and imported early)" if self.early_import and hrefs else "")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        if not scope.get("path", "").startswith(_NOT_PAGES):
            from . import warm

            warm.note_activity()       # a page may be opening: the warm-up's background steps wait
        if not self.hrefs:
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        body: list[bytes] = []

        async def wrapped(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                html = headers.get(b"content-type", b"").startswith(b"text/html")
                if message.get("status") == 200 and html and \
                        headers.get(b"content-encoding", b"identity") in (b"gzip", b"identity"):
                    start = message
                    return
                await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await send_rewritten(start, b"".join(body))
            else:
                await send(message)

        async def send_rewritten(message: dict, data: bytes) -> None:
            headers = [(k, v) for k, v in message.get("headers", [])
                       if k.lower() not in (b"content-length", b"etag", b"last-modified")]
            gz = any(k.lower() == b"content-encoding" and v == b"gzip" for k, v in headers)
            html = inject_preloads(gzip.decompress(data) if gz else data, self.hrefs,
                                   early_import=self.early_import, roots=self.roots, script=self.script,
                                   prefetch=self.prefetch)
            out = gzip.compress(html, compresslevel=5) if gz else html
            headers.append((b"content-length", str(len(out)).encode()))
            await send({**message, "headers": headers})
            await send({"type": "http.response.body", "body": out, "more_body": False})

        await self.app(scope, receive, wrapped)
