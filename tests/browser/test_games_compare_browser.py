"""Challenges, Compare and the offline HTML export in a real browser at 1280x720 in presenter mode.

Screenshots: test-output/screenshots/games_*.png (look at them). The exported HTML is opened in a browser
context with the network off (``offline=True``, and every request that is not ``file:`` aborted and
recorded): the plot must draw (a ``.main-svg``) and nothing may be requested from outside.
"""
from __future__ import annotations

import pytest

import embedlab
from embedlab.lessons.games import game_space, odd_one_out_puzzle, word_path_puzzle

from .conftest import assert_no_exception, goto_page, screenshot, wait_for_app

SIZE = {"width": 1280, "height": 720}


@pytest.fixture(scope="module")
def space():
    return game_space(embedlab.load(embedlab.DEFAULT_SET))


@pytest.fixture
def small_page(browser):
    ctx = browser.new_context(viewport=SIZE, accept_downloads=True)
    p = ctx.new_page()
    p.set_default_timeout(60_000)
    p.js_errors = []
    p.on("pageerror", lambda err: p.js_errors.append(str(err)))
    yield p
    ctx.close()


def _main_text(page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"]').inner_text()


def test_a_word_path_is_solved_by_clicking(app_server, small_page, space):
    page = small_page
    puzzle = word_path_puzzle(space, 5)
    goto_page(page, app_server, "Challenges?present=1&seed=5")
    assert_no_exception(page)
    assert f"From “{puzzle.start}” to “{puzzle.target}”" in _main_text(page)
    screenshot(page, "games_path_start_1280x720")
    for word in puzzle.shortest[1:]:
        page.get_by_role("button", name=word, exact=True).click()
        wait_for_app(page)
        assert_no_exception(page)
    text = _main_text(page)
    assert f"You reached “{puzzle.target}” in {puzzle.hops} hops" in text
    page.get_by_text("A shortest path").scroll_into_view_if_needed()
    screenshot(page, "games_path_solved_1280x720")
    assert not page.js_errors, page.js_errors


def test_odd_one_out_is_answered(app_server, small_page, space):
    page = small_page
    puzzle = odd_one_out_puzzle(space, 3)
    goto_page(page, app_server, "Challenges?present=1&game=odd&seed=3")
    page.get_by_test_id("stRadio").last.get_by_text(puzzle.odd, exact=True).click()
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot")
    assert_no_exception(page)
    assert f"Yes — “{puzzle.odd}” is the odd one out." in _main_text(page)
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    screenshot(page, "games_odd_1280x720")


def _open_offline(browser, path, name: str):
    """Open the saved HTML file with the network off; return (main-svg count, outside requests)."""
    ctx = browser.new_context(viewport=SIZE, offline=True)
    outside = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()
    ctx.route("**/*", route)
    p = ctx.new_page()
    try:
        p.goto(path.as_uri(), wait_until="load")
        p.wait_for_selector(".main-svg", timeout=60_000)
        count = p.locator(".main-svg").count()
        p.wait_for_timeout(500)
        screenshot(p, name)
        return count, outside
    finally:
        ctx.close()


def _download_html(page, path, shot: str) -> str:
    """Click the page's HTML export button (screenshot first), save the file to ``path``, return its text."""
    button = page.get_by_role("button", name="Download this view (HTML, works offline)")
    button.scroll_into_view_if_needed()
    screenshot(page, shot)
    with page.expect_download(timeout=120_000) as dl:
        button.click()
    dl.value.save_as(path)
    return path.read_text("utf-8")


def test_the_map_view_exported_as_html_draws_offline(app_server, small_page, browser, tmp_path):
    page = small_page
    goto_page(page, app_server, "Map?present=1&q=king")
    page.wait_for_selector(".js-plotly-plot")
    path = tmp_path / "map.html"
    html = _download_html(page, path, "games_map_export_buttons_1280x720")
    assert "<h1>Map of minilm-words</h1>" in html and "Searched: king" in html
    count, outside = _open_offline(browser, path, "games_map_export_offline_1280x720")
    assert count >= 1 and outside == []


def test_two_spaces_compared_and_exported(app_server, small_page, browser, tmp_path):
    page = small_page
    goto_page(page, app_server, "Compare?present=1&q=government", timeout=240_000)
    page.wait_for_selector(".js-plotly-plot", timeout=240_000)
    assert_no_exception(page)
    metric = page.get_by_test_id("stMetric").first
    label, value = metric.get_by_test_id("stMetricLabel").inner_text(), metric.get_by_test_id("stMetricValue").inner_text()
    assert "Mean overlap of the top-10 neighbours" in label and 0.0 < float(value) < 1.0
    screenshot(page, "games_compare_top_1280x720")
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    screenshot(page, "games_compare_maps_1280x720")
    path = tmp_path / "compare.html"
    html = _download_html(page, path, "games_compare_tables_1280x720")
    assert "<h1>Compare lee-word2vec-50d and lee-fasttext-50d</h1>" in html and "Highlighted: government." in html
    count, outside = _open_offline(browser, path, "games_compare_export_offline_1280x720")
    assert count >= 1 and outside == []
    assert not page.js_errors, page.js_errors
