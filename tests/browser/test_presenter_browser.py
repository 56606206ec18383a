"""Presenter mode in a real browser: what only a browser shows (the page CSS, the drawn figure)."""
from __future__ import annotations

from .conftest import assert_no_exception, goto_page, screenshot, wait_for_app

ROOT_FONT_JS = "() => getComputedStyle(document.documentElement).fontSize"
PLOT_FONT_JS = "() => document.querySelector('.js-plotly-plot')._fullLayout.font.size"


def test_presenter_switch_enlarges_page_and_figure_and_keeps_it_across_pages(app_server, page):
    goto_page(page, app_server, "Neighbours")
    page.wait_for_selector(".js-plotly-plot")
    assert page.evaluate(ROOT_FONT_JS) == "16px"
    assert page.evaluate(PLOT_FONT_JS) == 16
    page.get_by_test_id("stSidebar").get_by_text("Presenter mode").click()
    wait_for_app(page)
    assert_no_exception(page)
    assert "present=1" in page.url
    assert page.evaluate(ROOT_FONT_JS) == "20px"
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')._fullLayout.font.size === 20")
    screenshot(page, "presenter_neighbours")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Map").click()
    wait_for_app(page)
    assert_no_exception(page)
    page.wait_for_selector(".js-plotly-plot")
    assert page.evaluate(ROOT_FONT_JS) == "20px"
    assert page.evaluate(PLOT_FONT_JS) == 20
    assert not page.js_errors, page.js_errors
