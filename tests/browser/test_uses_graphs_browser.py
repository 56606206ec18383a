"""Browser end-to-end for the Graphs and Knowledge graphs pages, as a projector shows them.

Runs on the shared harness (tests/browser/conftest.py: one app server for the session, Debian Chromium
through Playwright) at 1280×720 with presenter mode on (``?present=1``). Each test opens its page by URL,
does the page's main interaction, asserts that no exception box appears and saves screenshots
(test-output/screenshots/) of each part of the page for a person to check: labels not overlapping,
legends below the plots, titles not cut.
"""
from __future__ import annotations

import pytest

from .conftest import assert_no_exception, goto_page, pick_option, screenshot

PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture
def projector(browser):
    """A fresh browser context (a new Streamlit session) the size of a classroom projector."""
    context = browser.new_context(viewport=PROJECTOR)
    p = context.new_page()
    p.set_default_timeout(60_000)
    p.js_errors = []
    p.on("pageerror", lambda err: p.js_errors.append(str(err)))
    yield p
    context.close()



def _shot(page, locator, name: str) -> None:
    """Scroll ``locator`` to the top of the viewport and save what a projector shows."""
    locator.scroll_into_view_if_needed()
    # to the top, then down by Streamlit's header bar (about 60 px), which would cover the figure's title
    locator.evaluate("""el => { el.scrollIntoView({block: 'start'});
        const main = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
        main.scrollTop += el.getBoundingClientRect().top - 100; }""")
    page.wait_for_timeout(500)
    screenshot(page, name)


def test_graphs_presenter_karate_then_les_miserables(app_server, projector):
    page = projector
    goto_page(page, app_server, "Graphs?present=1")
    page.locator(".js-plotly-plot").nth(2).wait_for()            # drawing, map, probe
    assert_no_exception(page)
    screenshot(page, "uses_graphs_karate_top")
    _shot(page, page.locator(".js-plotly-plot").first, "uses_graphs_karate_figures")
    _shot(page, page.locator(".js-plotly-plot").nth(2), "uses_graphs_karate_probe")
    pick_option(page, "Graph", "Les Misérables")
    page.get_by_text("77 nodes", exact=False).first.wait_for()
    assert "graph=les-miserables" in page.url and "present=1" in page.url
    pick_option(page, "Node whose nearest vectors to show", "Javert")
    assert "node=Javert" in page.url
    assert_no_exception(page)
    _shot(page, page.locator(".js-plotly-plot").first, "uses_graphs_lesmis_figures")
    assert not page.js_errors, page.js_errors


def test_knowledge_graphs_presenter_ask_the_graph(app_server, projector):
    page = projector
    goto_page(page, app_server, "Knowledge_graphs?present=1")
    page.locator(".js-plotly-plot").nth(2).wait_for()            # loss, link prediction, arrows
    assert_no_exception(page)
    screenshot(page, "uses_kg_top")
    _shot(page, page.locator(".js-plotly-plot").first, "uses_kg_training")
    _shot(page, page.locator(".js-plotly-plot").nth(1), "uses_kg_link_prediction")
    pick_option(page, "Head", "berlin")
    assert "head=berlin" in page.url
    page.get_by_text("berlin + capital-of ≈ ?", exact=False).wait_for()
    tails = page.get_by_test_id("stDataFrame").last   # (the scores table above it is a static table on a projector)
    tails.scroll_into_view_if_needed()
    assert_no_exception(page)
    _shot(page, page.get_by_text("berlin + capital-of ≈ ?", exact=False), "uses_kg_ask")
    _shot(page, page.locator(".js-plotly-plot").nth(2), "uses_kg_arrows")
    assert page.get_by_role("link", name="Analogies: b − a + c", exact=False).count() == 1
    assert not page.js_errors, page.js_errors
