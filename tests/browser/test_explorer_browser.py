"""Browser end-to-end for the explorer pages (Map, Neighbours, Analogies, Semantic axes).

A real ``streamlit run`` on a free local port, headless Debian Chromium driven by Playwright (never a
downloaded browser). Each test opens its page as a deep link, does the page's main interaction, asserts
that no exception box appears and saves a screenshot to test-output/browser/ for a person to check
(readable on a projector, nothing overlapping). The first request to the fresh server is a deep link
to the Map page, on which app.py (the frame: sidebar, set picker) runs before the page itself.

Its own server (a fresh process, so the first request is the Map deep link); the browser is the shared
one of tests/browser/conftest.py.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import lasso_circle

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EXCEPTION = '[data-testid="stException"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def explorer_server(tmp_path_factory):
    """A fresh app process (own cache folder), stopped by its process group id."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run must install it")
        pytest.skip("chromium is not installed (CI installs it: see .ci/run)")
    port = _free_port()
    env = dict(os.environ, EMBEDLAB_CACHE_DIR=str(tmp_path_factory.mktemp("explorer-cache")),
               EMBEDLAB_WORKSPACE_DIR=str(tmp_path_factory.mktemp("explorer-ws")))
    log = open(tmp_path_factory.mktemp("explorer-log") / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the app did not start within 120 s")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def explorer_browser(explorer_server, browser):
    """The session's Chromium (tests/browser/conftest.py): a second ``sync_playwright()`` started in
    the same process fails ("Sync API inside the asyncio loop") once another browser test ran."""
    return browser


@pytest.fixture
def page(explorer_browser):
    context = explorer_browser.new_context(viewport={"width": 1400, "height": 2000})
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    yield pg
    context.close()


def _settled(page) -> None:
    """Wait until the page has been drawn and its script has finished running."""
    page.get_by_test_id("stSidebarUserContent").wait_for()
    time.sleep(0.5)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stStatusWidget\"]').length === 0", timeout=180_000)
    time.sleep(0.3)


def _finish(page, name: str) -> None:
    _settled(page)
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), animations="disabled")
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()


def _expect(locator):
    """Playwright's polling assertions (imported here: the conftest reports a missing playwright)."""
    from playwright.sync_api import expect

    return expect(locator)


def _type(page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label)
    box.fill(text)
    box.press("Enter")
    _settled(page)


def test_map_deep_link_search_and_real_lasso(explorer_server, page):
    page.goto(f"{explorer_server}/Map?n=1000")   # the first request to this server
    _settled(page)
    page.locator(".js-plotly-plot").first.wait_for()
    _type(page, "Search a word", "king")
    page.get_by_text("Neighbours of “king”").wait_for()
    _expect(page.get_by_text("searched: king")).to_have_count(1, timeout=60_000)   # legend entry of the word
    drag = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    lasso_circle(page, drag)
    _settled(page)
    selected = page.get_by_text("Selected:", exact=False)
    selected.wait_for()
    count = int(selected.inner_text().split(":")[1].split()[0].replace(",", ""))
    assert count > 0
    download = page.get_by_role("button", name="Download the selection (CSV)")
    download.wait_for(timeout=60_000)  # drawn after the "Selected:" line; wait, don't race it
    assert download.count() == 1
    _finish(page, "explorer_map")


def test_neighbours_expression(explorer_server, page):
    page.goto(f"{explorer_server}/Neighbours")
    _settled(page)
    _type(page, "Word or expression", "paris - france + italy")
    page.get_by_text("Nearest to paris - france + italy").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    # bar chart and heatmap; polled: under load the previous run's figures can still be on screen
    # (stale) for a moment after the new heading appears (a clean-clone CI run counted 3)
    _expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=60_000)
    _finish(page, "explorer_neighbours")


def test_analogies_man_king_woman_queen_and_family(explorer_server, page):
    page.goto(f"{explorer_server}/Analogies")
    _settled(page)
    _type(page, "as c is to ?", "woman")
    page.get_by_role("heading", name="man : king :: woman : queen").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_role("button", name="Run the whole family").click()
    _settled(page)
    page.get_by_text("Accuracy (top answer)").wait_for()
    _finish(page, "explorer_analogies")


def test_semantic_axes_words(explorer_server, page):
    page.goto(f"{explorer_server}/Semantic_axes?y=1")
    _settled(page)
    words = page.get_by_role("textbox", name="Words to place")
    words.fill("king queen actor actress nurse engineer")
    words.press("Control+Enter")
    _settled(page)
    page.locator(".js-plotly-plot").first.wait_for()
    _expect(page.get_by_text("Ranking along each axis")).to_have_count(1, timeout=60_000)
    _expect(page.get_by_test_id("stDataFrame")).to_have_count(1, timeout=60_000)
    _finish(page, "explorer_axes")


def test_home_links_open_the_pages(explorer_server, page):
    page.goto(explorer_server)
    _settled(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("link", name="Neighbours").click()
    page.wait_for_url("**/Neighbours**")
    _settled(page)
    page.get_by_role("heading", name="Neighbours").first.wait_for()
    _finish(page, "explorer_home_link")
