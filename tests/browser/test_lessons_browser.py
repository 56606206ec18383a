"""Browser end-to-end for the lesson pages (One-hot vs dense, Token pipeline, Context, Documents).

A real ``streamlit run`` on a free local port, headless Debian Chromium driven by Playwright (never a
downloaded browser). Each test opens its page as a deep link, does the page's main interaction, asserts
that no exception box appears and saves a screenshot to test-output/browser/ for a person to check
(readable on a projector, nothing overlapping). The first request to the fresh server is a deep link.

Self-contained (own server and browser fixtures, as the other browser test files), so it does not
depend on a shared harness being present.
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

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EXCEPTION = '[data-testid="stException"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lessons_server(tmp_path_factory):
    """A fresh app process (own cache folder), stopped by its process group id."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (CI installs it: see .ci/run)")
    port = _free_port()
    env = dict(os.environ, EMBEDLAB_CACHE_DIR=str(tmp_path_factory.mktemp("lessons-cache")),
               EMBEDLAB_WORKSPACE_DIR=str(tmp_path_factory.mktemp("lessons-ws")))
    log = open(tmp_path_factory.mktemp("lessons-log") / "server.log", "w")
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
def lessons_browser(lessons_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(lessons_browser):
    context = lessons_browser.new_context(viewport={"width": 1400, "height": 2200})
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


def _type(page, label: str, text: str, *, area: bool = False) -> None:
    box = page.get_by_role("textbox", name=label)
    box.fill(text)
    box.press("Control+Enter" if area else "Enter")
    _settled(page)


def test_onehot_deep_link_new_vocabulary(lessons_server, page):
    page.goto(f"{lessons_server}/One_hot_vs_dense")      # the first request to this server
    _settled(page)
    _type(page, "Your small vocabulary (words separated by spaces or commas)", "king queen apple banana")
    page.get_by_text("king – queen", exact=False).first.wait_for()
    page.get_by_text("Equal in all 384 dimensions", exact=False).wait_for()
    page.locator(".js-plotly-plot").nth(5).wait_for()       # 2 codings, 2 similarity maps, sizes, lookup
    assert "words=king" in page.url
    _finish(page, "lessons_onehot")


def test_token_pipeline_pieces_and_long_text(lessons_server, page):
    page.goto(f"{lessons_server}/Token_pipeline")
    _settled(page)
    _type(page, "Text", "Unbelievably, the tokenizer splits transformers.")
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_text("of them are sub-word pieces", exact=False).wait_for()
    page.locator(".js-plotly-plot").nth(4).wait_for()       # chips, pipeline, 2 position maps, sinusoid
    _finish(page, "lessons_token_pipeline")
    _type(page, "Text", "word " * 600)
    page.get_by_text("was cut to the first 512", exact=False).wait_for()
    assert page.locator(EXCEPTION).count() == 0


def test_context_word_in_my_sentences(lessons_server, page):
    page.goto(f"{lessons_server}/Context")
    _settled(page)
    page.get_by_text("in all 4 sentences", exact=False).wait_for()
    _type(page, "Word", "light")
    page.get_by_text("does not contain the token 'light'", exact=False).wait_for()   # shown, not a crash
    _type(page, "Sentences that use it (one per line)",
          "Turn on the light, it is dark.\nThe suitcase is light enough to carry.\nThe light of the sun is warm.",
          area=True)
    page.get_by_text("in all 3 sentences", exact=False).wait_for()
    page.locator(".js-plotly-plot").nth(3).wait_for()       # map, two heatmaps, sentence similarity
    _finish(page, "lessons_context")


def test_documents_encode_search_and_select(lessons_server, page, tmp_path):
    page.goto(f"{lessons_server}/Documents")
    _settled(page)
    page.get_by_role("button", name="Encode 14 documents").click()
    _settled(page)
    page.locator(".js-plotly-plot").first.wait_for()
    _type(page, "Search by meaning", "my laptop keeps losing the wifi")
    page.get_by_test_id("stDataFrame").first.wait_for()
    # the encoded set is now the current set: the sidebar describes it
    page.get_by_test_id("stSidebar").get_by_text("14 tokens × 384 dimensions", exact=False).wait_for()
    _finish(page, "lessons_documents")
    # a CSV upload offers its columns
    csv = tmp_path / "notes.csv"
    csv.write_text("id,title,body\n1,Pasta,Boil the pasta in salted water\n2,Match,The referee blew the whistle\n")
    page.get_by_text("Upload a .txt or .csv file").click()
    _settled(page)
    page.get_by_test_id("stMainBlockContainer").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv))
    _settled(page)
    page.get_by_text("2 documents read as csv from column 'body'").wait_for()
    assert page.locator(EXCEPTION).count() == 0
