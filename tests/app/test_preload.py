"""ui.preload: Streamlit's index.html served with modulepreload links for the Map's chunks (issue 12)."""
from __future__ import annotations

import gzip
import re

import pytest

from tests.app.helpers import run_async
from ui import preload
from ui.streamlit_internals import frontend_dir

PAGE = b"<!DOCTYPE html><html><head><title>Streamlit</title></head><body></body></html>"


def _serve(app, path="/Map", method="GET"):
    """Run the ASGI ``app`` on one request; returns (start message, body bytes)."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": [], "query_string": b""}
    run_async(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def _static(body: bytes, content_type: bytes, *, encoding: bytes | None = None, chunks: int = 1):
    async def app(scope, receive, send):
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                   (b"etag", b'"abc"'), (b"cache-control", b"no-cache")]
        if encoding:
            headers.append((b"content-encoding", encoding))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        step = max(1, len(body) // chunks)
        parts = [body[i:i + step] for i in range(0, len(body), step)] or [b""]
        for i, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part, "more_body": i < len(parts) - 1})
    return app


def _headers(start):
    return {k.decode(): v.decode() for k, v in start["headers"]}


def test_the_installed_streamlit_has_the_plotly_chunk_and_every_link_is_a_file():
    frontend = frontend_dir()
    assert frontend is not None and (frontend / "index.html").is_file()
    hrefs = preload.preload_hrefs(frontend)
    names = [h.rsplit("/", 1)[1] for h in hrefs]
    assert any(re.fullmatch(r"PlotlyChart\.[\w\-]+\.js", n) for n in names), names
    assert all((frontend / h[2:]).is_file() for h in hrefs)
    assert len(set(hrefs)) == len(hrefs)
    page = (frontend / "index.html").read_text()
    assert not [h for h in hrefs if f'"{h}"' in page], "a chunk the page already loads was linked again"
    # the plotly chunk's own imports come along (it imports from shared chunks)
    assert len(hrefs) > len([s for s in preload.PRELOAD_COMPONENTS if any(n.startswith(s + ".") for n in names)])


def test_no_chunks_found_means_no_links_and_the_page_is_served_unchanged(tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "index.html").write_bytes(PAGE)
    assert preload.preload_hrefs(tmp_path) == []
    assert preload.preload_hrefs(None) == []
    app = preload.PreloadIndexMiddleware(_static(PAGE, b"text/html; charset=utf-8"), hrefs=[])
    start, body = _serve(app)
    assert body == PAGE and _headers(start)["etag"] == '"abc"'


def test_chunks_are_found_by_their_stem_whatever_their_hash(tmp_path):
    js = tmp_path / "static" / "js"
    js.mkdir(parents=True)
    (js / "PlotlyChart.Zz9_x-1.js").write_text('import{a}from"./shared.Q1.js";import(`./lazy.L.js`)')
    (js / "shared.Q1.js").write_text('import"./index.M.js";')
    (js / "index.M.js").write_text("")
    (js / "lazy.L.js").write_text("")
    (tmp_path / "index.html").write_text('<script type="module" src="./static/js/index.M.js"></script>')
    assert preload.preload_hrefs(tmp_path, ["PlotlyChart", "Missing"]) == \
        ["./static/js/PlotlyChart.Zz9_x-1.js", "./static/js/shared.Q1.js"]


def test_the_html_page_gets_the_links_before_head_ends_and_loses_its_etag():
    hrefs = ["./static/js/PlotlyChart.X1.js", "./static/js/shared.Y2.js"]
    app = preload.PreloadIndexMiddleware(_static(PAGE, b"text/html; charset=utf-8", chunks=3), hrefs=hrefs,
                                         early_import=False)
    start, body = _serve(app)
    head = body[: body.index(b"</head>")]
    for h in hrefs:
        assert f'<link rel="modulepreload" crossorigin href="{h}">'.encode() in head
    assert b"<script" not in body
    headers = _headers(start)
    assert int(headers["content-length"]) == len(body)
    assert "etag" not in headers and headers["cache-control"] == "no-cache"


def test_a_gzipped_page_is_unpacked_rewritten_and_packed_again():
    hrefs = ["./static/js/PlotlyChart.X1.js"]
    app = preload.PreloadIndexMiddleware(_static(gzip.compress(PAGE), b"text/html", encoding=b"gzip"),
                                         hrefs=hrefs, early_import=True)
    start, body = _serve(app)
    html = gzip.decompress(body)
    assert b'href="./static/js/PlotlyChart.X1.js"' in html
    assert b'import("./static/js/PlotlyChart.X1.js")' in html     # early import of the component
    assert int(_headers(start)["content-length"]) == len(body)


@pytest.mark.parametrize("content_type,method", [(b"application/javascript", "GET"), (b"text/html", "HEAD")])
def test_other_answers_pass_through_untouched(content_type, method):
    body = b"x" * 100 + b"</head>"
    app = preload.PreloadIndexMiddleware(_static(body, content_type), hrefs=["./static/js/P.1.js"])
    start, out = _serve(app, method=method)
    assert out == body and _headers(start)["etag"] == '"abc"'


def test_the_switch(monkeypatch):
    for value, expected in (("0", "0"), ("off", "0"), ("1", "1"), ("links", "links"), ("", "1")):
        monkeypatch.setenv(preload.ENV, value)
        assert preload.mode() == expected
    monkeypatch.setenv(preload.ENV, "0")
    assert preload.PreloadIndexMiddleware(_static(PAGE, b"text/html")).hrefs == []
    monkeypatch.setenv(preload.ENV, "1")
    default = preload.PreloadIndexMiddleware(_static(PAGE, b"text/html"))
    assert default.hrefs == preload.preload_hrefs(frontend_dir(), preload.map_components()) and default.early_import
    monkeypatch.setenv(preload.ENV, "links")
    assert not preload.PreloadIndexMiddleware(_static(PAGE, b"text/html")).early_import
