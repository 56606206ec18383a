"""Presenter mode at projector sizes (issue 12 items 1 and 11) on Neighbours, Analogies, Semantic axes
and One-hot: legends below the plot, the plot at full width, tables enlarged; and an 800 px screen.
Screenshots go to test-output/screenshots/present12_*.png (look at them)."""
from __future__ import annotations

import pytest

from .conftest import assert_no_exception, goto_page, screenshot

PAGES = [("Neighbours", "neighbours"), ("Analogies", "analogies"), ("Semantic_axes", "axes"),
         ("One_hot_vs_dense", "onehot")]
# the first figure's legend: its orientation and whether it lies inside the plot's width
LEGEND_JS = """() => { const l = document.querySelector('.js-plotly-plot')._fullLayout;
  return {orientation: l.legend ? l.legend.orientation : null, showlegend: l.showlegend,
          plotWidth: l._size.w, width: l.width,
          main: (e => e.clientWidth - parseFloat(getComputedStyle(e).paddingLeft)
            - parseFloat(getComputedStyle(e).paddingRight))(document.querySelector('[data-testid="stMainBlockContainer"]'))}; }"""
TABLE_FONT_JS = """() => { const t = document.querySelector('[data-testid="stDataFrame"]');
  return t ? parseFloat(getComputedStyle(t).zoom) : null; }"""


@pytest.fixture
def sized_page(browser):
    contexts = []

    def make(width, height):
        ctx = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(ctx)
        p = ctx.new_page()
        p.set_default_timeout(30_000)
        p.js_errors = []
        p.on("pageerror", lambda err: p.js_errors.append(str(err)))
        return p
    yield make
    for ctx in contexts:
        ctx.close()


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)])
def test_presenter_pages_at_projector_sizes(app_server, sized_page, size):
    page = sized_page(*size)
    for url, name in PAGES:
        goto_page(page, app_server, f"{url}?present=1")
        page.wait_for_selector(".js-plotly-plot")
        assert_no_exception(page)
        page.wait_for_function("() => document.querySelector('.js-plotly-plot')._fullLayout.font.size === 20")
        leg = page.evaluate(LEGEND_JS)
        if leg["showlegend"]:
            assert leg["orientation"] == "h", (url, leg)        # below the plot, not beside it
        if url == "Analogies":
            assert leg["width"] > 0.8 * leg["main"], leg  # the parallelogram at full width, not a strip
        zoom = page.evaluate(TABLE_FONT_JS)
        assert zoom is None or zoom > 1.2, (url, zoom)
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        screenshot(page, f"present12_{name}_{size[0]}x{size[1]}")
    assert not page.js_errors, page.js_errors


def test_narrow_screen_sidebar_leaves_room(app_server, sized_page):
    page = sized_page(800, 1000)
    goto_page(page, app_server, "Neighbours")
    page.wait_for_selector(".js-plotly-plot")
    assert_no_exception(page)
    screenshot(page, "present12_neighbours_800x1000")
    box = page.get_by_test_id("stSidebar").bounding_box()
    assert box is None or box["width"] <= 250, box      # narrower than Streamlit's 300 px (or collapsed)
    assert page.get_by_test_id("stSidebarCollapseButton").count() or page.get_by_test_id(
        "stExpandSidebarButton").count()                 # and it can be folded away
