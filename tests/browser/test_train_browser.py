"""Browser end-to-end: upload a small corpus file on the Train page, train, and find the new set selected
on the Map page with no exception box. Screenshots go to test-output/browser/."""
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
def train_server(tmp_path_factory):
    """A fresh app process with its own empty workspace; stopped by its process group id."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (CI installs it: see .ci/run)")
    port = _free_port()
    env = dict(os.environ, EMBEDLAB_WORKSPACE_DIR=str(tmp_path_factory.mktemp("ws")))
    log = open(tmp_path_factory.mktemp("log") / "server.log", "w")
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


@pytest.fixture
def page(train_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        pg = browser.new_page(viewport={"width": 1400, "height": 2400})
        yield pg
        browser.close()


def _settled(page, timeout=120_000) -> None:
    """Wait until the script has finished running (no status widget)."""
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stStatusWidget\"]').length === 0", timeout=timeout)


def test_upload_train_and_see_the_set_on_the_map(train_server, page, tmp_path):
    from embedlab.corpus import toy_corpus

    corpus = tmp_path / "royal_corpus.txt"
    corpus.write_text("\n".join(" ".join(s) for s in toy_corpus(1500, seed=5).sentences), encoding="utf-8")
    OUT.mkdir(parents=True, exist_ok=True)

    page.goto(f"{train_server}/Train?corpus=upload&epochs=4&dim=20&min_count=1")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(corpus))
    page.get_by_text("types (distinct words)").wait_for(timeout=60_000)
    page.get_by_role("button", name="Train").click()
    page.get_by_text("It is selected in the sidebar").wait_for(timeout=120_000)
    main.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    _settled(page)
    page.screenshot(path=str(OUT / "train_result.png"), animations="disabled")
    assert page.locator(EXCEPTION).count() == 0
    assert "royal_corpus-word2vec-20d" in page.get_by_test_id("stSidebarUserContent").inner_text()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Map").click()
    page.wait_for_url("**/Map**", timeout=60_000)
    _settled(page)
    main.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    page.screenshot(path=str(OUT / "train_then_map.png"), animations="disabled")
    assert page.locator(EXCEPTION).count() == 0
    sidebar = page.get_by_test_id("stSidebarUserContent").inner_text()
    assert "royal_corpus-word2vec-20d · 104 tokens × 20 dimensions" in sidebar
