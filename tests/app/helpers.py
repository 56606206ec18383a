"""Shared AppTest helper: open a page the way a browser does (app.py first, then the page)."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def open_page(page: str, *, timeout: float = 120, **query) -> AppTest:
    """Run app.py with ``query`` as URL parameters, switch to ``page``, and check no exception."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.query_params.update(query)
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at
