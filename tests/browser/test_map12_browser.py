"""Browser: the Map page at a projector's 1280x720 in presenter mode (issue 12 items 3 and 4):
named clusters, a UMAP search that moves nothing, the zoom to neighbours, 3-D titles, the comparison.
Screenshots go to test-output/screenshots/ for a person to look at."""
from __future__ import annotations

from .conftest import assert_no_exception, goto_page, screenshot, wait_for_app

MAP = "Map?present=1&n=1000"


def _open(page, app_server, query: str, size=(1280, 720)):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    goto_page(page, app_server, f"{MAP}&{query}")
    assert_no_exception(page)


def test_map_named_clusters_and_zoomed_neighbours_at_1280x720(app_server, page):
    _open(page, app_server, "q=king")
    # the legend names its clusters' words; wait for plotly to draw it (under load it lags the script run)
    page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    page.get_by_text("cluster 1: ", exact=False).first.wait_for(timeout=60_000)
    screenshot(page, "map12-clusters-search-1280x720")
    page.locator('[data-testid="stCheckbox"]', has_text="Zoom to the searched word").first.click()
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "map12-zoom-neighbours-1280x720")


def test_map_3d_and_comparison(app_server, page):
    _open(page, app_server, "method=pca&dims=3&color=none", size=(1024, 768))
    screenshot(page, "map12-3d-1024x768")
    page.set_viewport_size({"width": 1280, "height": 720})       # the same page on a projector: no reload
    page.wait_for_timeout(800)
    screenshot(page, "map12-3d-1280x720")
    _open(page, app_server, "q=king&compare=1")
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(800)
    screenshot(page, "map12-compare-1280x720")
