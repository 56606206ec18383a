"""Every page opens by its own URL, also as the first request to a freshly started server.

How: the pages come from the app's own page table (ui/navigation.py, which app.py hands to
``st.navigation``). For EACH page a new ``streamlit run`` process is started and the page's URL is
the first request it gets (a deep link, with every cache empty: app.py runs first and draws the
frame, then the page). The page must finish its run with no exception box, show the sidebar's
embedding-set picker and a sidebar navigation listing "Home" and every page by its title; a
screenshot is saved under ``test-output/screenshots/open_<page>.png``.

Why one server per page, not one shared server: the promise is that a shared link works as the
first request to a freshly started server, for every page; a shared server would test that for one
page only, and a page that relies on state another page left in the process (a cache_resource
filled elsewhere, an import done by app.py) would pass unnoticed. The price is a server start
(~3-5 s) per page: measured here, 11 tests in ~5 min on a machine loaded by other work (~28 s
each, mostly the pages' own first run); a warm shared server was not faster per page, so a second
pass on one server was dropped. The servers are started one ahead (:func:`servers_ahead`): while a
page is checked on its server, the next page's server boots, and it gets no request before that
page's URL (with ``EMBEDLAB_PRECOMPUTE=0`` an idle server does nothing), so the promise holds and
the boot no longer adds to every test.
"""
from __future__ import annotations

import contextlib
import threading
from urllib.parse import urlparse

import pytest

from .conftest import ROOT, assert_no_exception, goto_page, page_titles, page_url_paths, screenshot

PAGES = page_url_paths()


def _label(url_path: str) -> str:
    return url_path or "home"


class _Ahead:
    """Fresh servers started in a background thread, one ahead of the test that takes it."""

    def __init__(self, fresh_server, count: int):
        self._fresh, self._left = fresh_server, count
        self._pending = None
        self._start_next()

    def _start_next(self) -> None:
        if self._left <= 0:
            self._pending = None
            return
        self._left -= 1
        box: dict = {}

        def boot():
            cm = self._fresh()
            try:
                box["url"] = cm.__enter__()       # returns once /_stcore/health answers "ok"
                box["cm"] = cm
            except BaseException as exc:           # (pytest.fail is a BaseException) re-raised by take()
                box["error"] = exc

        thread = threading.Thread(target=boot, name="fresh-server-ahead", daemon=True)
        thread.start()
        self._pending = (thread, box)

    @contextlib.contextmanager
    def take(self):
        """The next fresh server's base URL (no request sent to it yet); the server stops afterwards."""
        if self._pending is None:                   # more tests than counted: start one now
            self._left += 1
            self._start_next()
        thread, box = self._pending
        thread.join()
        self._start_next()                          # the next page's server boots while this one is used
        if "error" in box:
            raise box["error"]
        try:
            yield box["url"]
        finally:
            box["cm"].__exit__(None, None, None)

    def close(self) -> None:
        if self._pending is not None:
            thread, box = self._pending
            thread.join()
            if "cm" in box:
                box["cm"].__exit__(None, None, None)


@pytest.fixture(scope="module")
def servers_ahead(fresh_server):
    """``with servers_ahead() as url:`` a freshly started server (see the module's docstring)."""
    ahead = _Ahead(fresh_server, len(PAGES))
    yield ahead.take
    ahead.close()


def _check_page(page, url_path: str, shot: str) -> None:
    assert_no_exception(page)
    # an unknown path makes Streamlit fall back to the home page with a "Page not found" notice
    assert urlparse(page.url).path.strip("/") == url_path, f"asked for /{url_path}, landed on {page.url}"
    assert page.get_by_text("Page not found").count() == 0, f"Streamlit did not find /{url_path}"
    picker = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Embedding set")
    with contextlib.suppress(Exception):     # (CI once counted none right after the first run on a fresh server)
        picker.first.wait_for(timeout=15_000)
    assert picker.count() == 1, f"no sidebar set picker on {page.url}"
    assert picker.is_visible(), f"the sidebar set picker is hidden on {page.url}"
    nav = page.get_by_test_id("stSidebarNav")
    for title in page_titles():
        assert nav.get_by_role("link", name=title, exact=True).count() == 1, \
            f"the sidebar navigation on {page.url} has no link {title!r}: {nav.inner_text()!r}"
    assert not page.js_errors, f"JavaScript errors on {page.url}: {page.js_errors}"
    screenshot(page, shot)


def test_pages_were_found():
    files = [f for f, _ in PAGES]
    on_disk = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "app_pages").glob("*.py"))
    assert files[0] == "app_pages/0_Home.py" and len(files) == len(set(files)) and sorted(files) == on_disk
    assert page_titles()[0] == "Home"
    paths = [p for _, p in PAGES]
    assert len(paths) == len(set(paths)), f"two pages share a URL path: {paths}"


@pytest.mark.parametrize("file,url_path", PAGES, ids=[_label(p) for _, p in PAGES])
def test_deep_link_is_first_request_to_a_fresh_server(servers_ahead, page, file, url_path):
    with servers_ahead() as url:
        goto_page(page, url, url_path)
        _check_page(page, url_path, f"open_{_label(url_path)}")

