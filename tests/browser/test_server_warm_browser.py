"""``make run``'s server (``streamlit run server.py``): its start hook warms the server before a
class arrives (ui.warm), and the Map then draws in a real Chromium (issue 12: the first Map in seconds;
its time is measured by bench/bench_first_map.py, not here)."""
from __future__ import annotations

import time

import pytest

from .conftest import assert_no_exception, run_server, screenshot, wait_for_app

pytestmark = pytest.mark.browser

FIGURE_TITLED_JS = """(title) => {
  const plot = document.querySelector('.js-plotly-plot');
  const t = plot && plot._fullLayout && plot._fullLayout.xaxis && plot._fullLayout.xaxis.title;
  return !!t && typeof t.text === 'string' && t.text.startsWith(title);
}"""


def _wait_for_log(path, text: str, timeout: float = 180.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = path.read_text(errors="replace") if path.exists() else ""
        if text in log:
            return log
        time.sleep(0.25)
    pytest.fail(f"{text!r} not in the server log after {timeout:.0f} s:\n{log[-3000:]}")


def test_the_server_warms_at_start_and_the_first_map_draws(tmp_path, browser):
    with run_server(tmp_path, env_extra={"EMBEDLAB_PRECOMPUTE": "1"}) as url:
        log = _wait_for_log(tmp_path / "server.log", "warm: default Map ready")
        assert "warm: modules imported" in log and "warm: default set ready" in log
        assert "Traceback" not in log, log[-3000:]
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        try:
            page = context.new_page()
            page.goto(f"{url}/Map", wait_until="domcontentloaded")
            page.wait_for_function(FIGURE_TITLED_JS, arg="PC 1", timeout=60_000, polling=50)
            wait_for_app(page)
            assert_no_exception(page)
            assert page.get_by_text("5,000 most frequent").count()
            screenshot(page, "server_warm_first_map_1280x720")
        finally:
            context.close()


def test_the_served_page_preloads_the_maps_chunks_and_they_are_cached_for_good(app_server):
    """The shared server (server.py) serves Streamlit's page with ui.preload's links, for the home page
    and a page's own URL; each link is a file the server has, served immutable (a second visit reads
    them from the browser's cache)."""
    import re
    import urllib.request

    from ui import map_chart
    from ui.preload import map_components, preload_hrefs
    from ui.streamlit_internals import frontend_dir

    # server.py draws the Map with the gl2d bundle: components v2's chunk is preloaded, not plotly.js
    expected = preload_hrefs(frontend_dir(), map_components(element=True))
    assert expected and not [h for h in expected if "/PlotlyChart." in h]
    for path in ("/", "/Map"):
        with urllib.request.urlopen(f"{app_server}{path}", timeout=30) as r:
            html = r.read().decode()
            assert r.headers["Cache-Control"] == "no-cache"
        links = re.findall(r'<link rel="modulepreload" crossorigin href="(\./static/js/[^"]+)">', html)
        assert set(expected) <= set(links), path
        assert html.index(expected[0]) < html.index("</head>")
        assert f'<link rel="preload" as="script" href=".{map_chart.ROUTE}">' in html
        # Streamlit's plotly.js, for the other pages' charts, only prefetched (fetched when idle, not run)
        prefetched = re.findall(r'<link rel="prefetch" crossorigin href="(\./static/js/[^"]+)">', html)
        assert [h for h in prefetched if "/PlotlyChart." in h] and not set(prefetched) & set(links)
    bidi = next(h for h in expected if "/BidiComponent." in h)
    for path in (bidi[2:], expected[-1][2:], map_chart.ROUTE[1:]):
        req = urllib.request.Request(f"{app_server}/{path}", method="HEAD")
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200 and "immutable" in r.headers["Cache-Control"]
