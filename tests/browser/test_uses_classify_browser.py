"""Browser end-to-end for the Classification and Recommendation pages, as a projector shows them.

Runs on the shared harness (tests/browser/conftest.py: one app server for the session, Debian Chromium
through Playwright) in a 1280x720 window with presenter mode on (``?present=1``). Each test does the
page's main interaction, asserts that no exception box appears and saves screenshots of each figure
scrolled into view (test-output/screenshots/uses_*.png) for a person to check: legends below the plot,
no overlapping labels, titles not cut.
"""
from __future__ import annotations

import pytest

from .conftest import assert_no_exception, goto_page, screenshot, wait_for_app

SLOW = 180_000          # the first polarity run encodes 200 sentences and trains 240 classifiers
PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport=PROJECTOR)
    p = context.new_page()
    p.set_default_timeout(60_000)
    yield p
    context.close()


def _show(page, nth: int, name: str) -> None:
    """Scroll the ``nth`` figure into view and screenshot the window."""
    fig = page.locator(".js-plotly-plot").nth(nth)
    fig.wait_for()
    fig.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, name)


def test_classification_curves_and_boundary_on_a_projector(app_server, projector):
    page = projector
    goto_page(page, app_server, "Classification?present=1", timeout=SLOW)
    assert_no_exception(page)
    page.get_by_text("keeps almost nothing", exact=False).wait_for(timeout=SLOW)   # polarity: honest 2-D note
    _show(page, 0, "uses_classification_polarity_curve")
    _show(page, 1, "uses_classification_polarity_boundary")
    page.get_by_text("Word categories (Google analogy file)").click()
    wait_for_app(page, timeout=SLOW)
    page.get_by_role("button", name="countries vs capitals").click()
    wait_for_app(page, timeout=SLOW)
    assert_no_exception(page)
    page.get_by_text("Why one-hot cannot generalise", exact=False).wait_for()
    assert "cats=country%2Ccapital" in page.url or "cats=country,capital" in page.url
    assert "present=1" in page.url
    _show(page, 0, "uses_classification_words_curve")
    _show(page, 1, "uses_classification_words_boundary")


def test_recommendation_profile_and_item2vec_on_a_projector(app_server, projector):
    page = projector
    goto_page(page, app_server, "Recommendation?present=1")
    assert_no_exception(page)
    page.get_by_role("button", name="Preset: sports").click()
    wait_for_app(page)
    assert_no_exception(page)
    assert "like=football" in page.url
    page.locator(".js-plotly-plot text", has_text="soccer").first.wait_for()   # a label on the map
    _show(page, 0, "uses_recommendation_profile_map")
    page.get_by_text("Davis Southern Women: women as items").click()
    wait_for_app(page)
    assert_no_exception(page)
    assert "baskets=women" in page.url
    _show(page, 1, "uses_recommendation_item2vec_women")
