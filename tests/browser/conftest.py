"""The browser-test harness: a real ``streamlit run`` server and headless Debian Chromium (Playwright).

Fixtures
--------
chromium_path (session)  path of the system Chromium; skips with a reason when absent, but FAILS when
                         the ``CI`` environment variable is set (in CI the browser tests must run).
app_server (session)     base URL (``http://127.0.0.1:PORT``) of one app server shared by the session.
fresh_server (session)   a factory: ``with fresh_server() as url: ...`` starts a new server process
                         (empty caches, first request still to come) and stops it afterwards.
browser (session)        a Playwright Chromium browser launched from ``chromium_path``.
page (function)          a page in a brand-new browser context (new Streamlit session), tall viewport.
sized_page (function)    a factory: ``sized_page(width, height)`` is a page in a new context of that viewport.

Helpers (import them: ``from .conftest import goto_page, wait_for_app, ...``)
-------
goto_page(page, base_url, url_path)  open a page by its URL (``""`` = home, ``"Map"``) and wait for it.
wait_for_app(page, timeout=...)      wait until the script run finished and the main block is drawn.
assert_no_exception(page)            fail with the text of any Streamlit exception box.
lasso_circle(page, box)              drag a ring-shaped lasso in the middle of a plot's drag area.
screenshot(page, name)               PNG under ``test-output/screenshots/NAME.png`` (repo root).
page_url_paths()                     [(file, url_path)] of every page, home first (ui/navigation.py's table).
page_titles()                        the sidebar label of every page, home ("Home") first.

Every server gets its own temporary ``EMBEDLAB_CACHE_DIR`` and ``EMBEDLAB_WORKSPACE_DIR``.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 2200}
SERVER_START_TIMEOUT = 60.0   # seconds until /_stcore/health answers "ok"
APP_TIMEOUT = 120_000         # ms: a page's first run on a cold server (loads a set, maybe computes)

# -- discovering pages ------------------------------------------------------------------------------


def page_url_paths() -> list[tuple[str, str]]:
    """``[(file, url_path)]`` of every page, home (``""``) first, in sidebar order, read from the app's
    own page table (ui/navigation.py, which app.py hands to ``st.navigation``)."""
    from ui.navigation import PAGES

    return [(p.file, p.url_path) for p in PAGES]


def page_titles() -> list[str]:
    """The sidebar label of every page, home first (ui/navigation.py)."""
    from ui.navigation import PAGES

    return [p.title for p in PAGES]


# -- the browser --------------------------------------------------------------------------------------


def _missing(reason: str):
    """Skip on a developer's machine, fail in CI (where the browser tests must run)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: browser tests must run; .ci/run installs Debian's chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the system Chromium: ``$CHROMIUM`` or ``/usr/bin/chromium``."""
    path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        found = shutil.which(path)
        if not found:
            _missing(f"no Chromium at {path!r} (install Debian's: apt-get install chromium, or set $CHROMIUM)")
        path = found
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _missing(f"the playwright package is not installed ({exc})")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """Headless Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        pw.stop()
        raise
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser):
    """A fresh browser context (so a new Streamlit session) with a tall viewport, and its page.
    Uncaught JavaScript errors are collected in ``page.js_errors``."""
    context = browser.new_context(viewport=VIEWPORT)
    p = context.new_page()
    p.set_default_timeout(30_000)
    p.js_errors = []
    p.on("pageerror", lambda err: p.js_errors.append(str(err)))
    yield p
    context.close()


@pytest.fixture
def sized_page(browser):
    """``make(width, height, scale=1)``: a page in a new browser context of that viewport size and device
    pixel ratio (closed at the end); uncaught JavaScript errors in ``page.js_errors``."""
    contexts = []

    def make(width, height, scale=1):
        ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
        contexts.append(ctx)
        p = ctx.new_page()
        p.set_default_timeout(30_000)
        p.js_errors = []
        p.on("pageerror", lambda err: p.js_errors.append(str(err)))
        return p
    yield make
    for ctx in contexts:
        ctx.close()


# -- the app server -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, n: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return "(no server log)"


_SERVER_LOGS: list[Path] = []     # the logs of the servers running now (newest last), for failure reports


@contextlib.contextmanager
def run_server(workdir: Path, *, script: str = "server.py", env_extra: dict | None = None):
    """Start ``streamlit run server.py`` (what ``make run`` starts: app.py in an ``st.App`` whose start
    hook warms the server, switched off in tests by ``EMBEDLAB_PRECOMPUTE=0`` unless ``env_extra``
    says otherwise) on a free port in a new process group; yield its base URL; stop it.

    ``workdir`` receives the cache and workspace folders and the server's log (stdout + stderr).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = dict(os.environ)
    env.update(EMBEDLAB_CACHE_DIR=str(workdir / "cache"), EMBEDLAB_WORKSPACE_DIR=str(workdir / "workspace"),
               PYTHONUNBUFFERED="1", **(env_extra or {}))
    log_path = workdir / "server.log"
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    _SERVER_LOGS.append(log_path)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app server exited with code {proc.returncode} before answering:\n"
                            f"{_tail(log_path)}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app server did not answer /_stcore/health within {SERVER_START_TIMEOUT:.0f} s:\n"
                            f"{_tail(log_path)}")
            time.sleep(0.25)
        yield url
    finally:
        _stop(proc)
        _SERVER_LOGS.remove(log_path)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, chromium_path):
    """Base URL of one app server for the whole session (started once, stopped at the end)."""
    with run_server(tmp_path_factory.mktemp("app-server")) as url:
        yield url


@pytest.fixture(scope="session")
def fresh_server(tmp_path_factory, chromium_path):
    """Factory of freshly started servers: ``with fresh_server() as url: ...``."""
    def start():
        return run_server(tmp_path_factory.mktemp("fresh-server"))

    return start


# -- what a failed test leaves behind -------------------------------------------------------------------

_PAGE_STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  return {state: app ? app.getAttribute('data-test-script-state') : null,
          status: status ? status.innerText : null,
          main: main ? main.innerText : null};
}"""


def failure_report(browser, test_name: str) -> str:
    """What the pages of ``browser`` show now, and the tails of the running servers' logs: the text a
    failed browser test adds to its report (a CI log is all there is to read afterwards). A screenshot of
    each page is saved too, as ``test-output/screenshots/FAILED_<test>_<n>.png``."""
    parts = []
    pages = [p for ctx in browser.contexts for p in ctx.pages]
    for n, p in enumerate(pages):
        try:
            shot = SCREENSHOT_DIR / f"FAILED_{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name)}_{n}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            p.screenshot(path=str(shot), full_page=True, timeout=10_000)
            seen = p.evaluate(_PAGE_STATE_JS)
            main = (seen.get("main") or "").strip()
            parts.append(f"page {n}: {p.url}\nscript state {seen.get('state')!r}, status widget "
                         f"{seen.get('status')!r}; screenshot {shot.name}\n--- its main block (last 2,500 "
                         f"characters) ---\n{main[-2500:]}")
        except Exception as exc:  # noqa: BLE001 - a report must not hide the failure itself
            parts.append(f"page {n}: could not be read ({type(exc).__name__}: {exc})")
    for log in _SERVER_LOGS:
        parts.append(f"--- the tail of {log} ---\n{_tail(log, 3000)}")
    return "\n\n".join(parts) or "(no page open, no server running)"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    browser = getattr(item, "funcargs", {}).get("browser")
    if rep.when == "call" and rep.failed and browser is not None:
        rep.sections.append(("what the browser showed when it failed", failure_report(browser, item.name)))


# -- helpers -------------------------------------------------------------------------------------------

_FINISHED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  return !!main && main.innerText.trim().length > 0;
}"""


def wait_for_app(page, timeout: float = APP_TIMEOUT) -> None:
    """Wait (ms) until the script run has finished (no running status widget, script state
    ``notRunning``) and the main block shows something; then once more after a short pause, so a
    rerun the script asked for (``st.rerun``, query-param sync) is waited for too. (It paused twice,
    0.8 s a call, ~250 calls a suite; one pause is what this says and what the tier needs.)"""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(_FINISHED_JS, timeout=timeout, polling=100)
    page.wait_for_timeout(400)
    page.wait_for_function(_FINISHED_JS, timeout=timeout, polling=100)


def assert_no_exception(page) -> None:
    """Fail if Streamlit shows an exception box; the failure includes the box's text."""
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        texts = "\n---\n".join(t.strip() for t in boxes.all_inner_texts())
        pytest.fail(f"{boxes.count()} exception box(es) on {page.url}:\n{texts}")


def lasso_circle(page, box: dict) -> tuple[float, float]:
    """Drag a closed ring (32 steps, a quarter of the smaller side across) in the middle of ``box`` (a
    plot's drag area, ``bounding_box()``), as a hand draws a lasso; returns the ring's centre."""
    import math

    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    r = min(box["width"], box["height"]) / 4
    page.mouse.move(cx + r, cy)
    page.mouse.down()
    for i in range(1, 33):
        a = 2 * math.pi * i / 32
        page.mouse.move(cx + r * math.cos(a), cy + r * math.sin(a), steps=2)
    page.mouse.up()
    return cx, cy


def screenshot(page, name: str) -> Path:
    """Save a PNG of the viewport under ``test-output/screenshots/`` and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "page"
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), animations="disabled")
    return path


def goto_page(page, base_url: str, url_path: str = "", *, timeout: float = APP_TIMEOUT) -> None:
    """Open ``base_url/url_path`` (``""`` is the home page; a query string may follow) and wait for
    the app to finish its run. A link value the page does not offer fails the test (the page would
    show its default instead, as ``Map?n=300`` did: 5,000 points, not 300)."""
    url = base_url.rstrip("/") + "/" + url_path.lstrip("/")
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    wait_for_app(page, timeout=timeout)
    refused = page.get_by_text("is not a value this page offers")
    assert refused.count() == 0, refused.first.inner_text()


def vector_file_input(page):
    """The sidebar's "Load a vector file" drop zone (the sidebar has a second uploader, for a .npy's
    vocabulary or a vectors.tsv's metadata, below it)."""
    return (page.get_by_test_id("stSidebar").get_by_test_id("stFileUploader")
            .filter(has_text="Load a vector file").get_by_test_id("stFileUploaderDropzoneInput"))


def pick_option(page, label: str, option: str) -> None:
    """Choose ``option`` in the selectbox labelled ``label`` (type to filter, then click it)."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    box.scroll_into_view_if_needed()
    box.locator("input").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).first.click()
    wait_for_app(page)
