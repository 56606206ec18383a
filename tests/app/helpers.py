"""Shared AppTest helpers: open a page the way a browser does.

:func:`open_page` runs app.py (the home page) first, then switches to the page, as a user clicking
in the sidebar; :func:`open_deep_link` makes the page's own URL the session's first request, as a
shared link does. Pages are named by their file in ui/navigation.py's table (``"app_pages/1_Map.py"``).
:func:`run_async` runs a coroutine to its end from any test.
"""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.navigation import page_for_file

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def open_page(page: str, *, timeout: float = 120, **query) -> AppTest:
    """Run app.py, then switch to ``page`` with ``query`` as URL parameters; check no exception."""
    page_for_file(page)                       # a KeyError names the pages if ``page`` is not one
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    assert not at.exception, at.exception
    at.query_params.update(query)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def open_deep_link(page: str, *, timeout: float = 120, **query) -> AppTest:
    """Open ``page`` (with ``query``) as the session's first request, as a shared link does."""
    page_for_file(page)
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(query)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def plotly_specs(at: AppTest) -> list[dict]:
    """Every plotly figure on the page as its JSON spec, in page order."""
    import json

    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def plotly_array(v):
    """A numeric array of a plotly spec: plotly 7's typed array ``{"dtype", "bdata"}`` or a plain list."""
    import base64

    import numpy as np

    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=float)


def run_async(coro, timeout: float = 30.0):
    """``asyncio.run(coro)`` in a thread of its own: under pytest-xdist a browser test file can run first
    in the same process, and Playwright's sync API keeps an event loop running in the main thread for
    the session, where ``asyncio.run`` raises "cannot be called from a running event loop"."""
    box = {}

    def run():
        try:
            box["result"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc

    t = threading.Thread(target=run, name="test-run-async")
    t.start()
    t.join(timeout)
    assert not t.is_alive(), f"the coroutine did not finish within {timeout} s"
    if "error" in box:
        raise box["error"]
    return box.get("result")
