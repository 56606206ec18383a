"""The Map's 2-D figure drawn by plotly.js's gl2d bundle (ui/map_chart.py, issue 12), in a real Chromium:
drawn from the server's own route without Streamlit's plotly.js, themed as ``st.plotly_chart`` themes a
figure, its lasso selection listed and still drawn after the rerun."""
from __future__ import annotations

import json

from ui import map_chart

from .conftest import ROOT, assert_no_exception, goto_page, lasso_circle, screenshot, wait_for_app

TEMPLATE_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')].map(p => ({
  element: !!p.closest('.embedlab-map') || p.classList.contains('embedlab-map'),
  template: JSON.parse(JSON.stringify(p.layout.template || null)),
}))"""
GL_RATIO_JS = "() => document.querySelector('.embedlab-map')._context.plotGlPixelRatio"
SELECTED_JS = ("document.querySelector('.embedlab-map').data"
               ".reduce((s, t) => s + (Array.isArray(t.selectedpoints) ? t.selectedpoints.length : 0), 0)")


def test_the_first_map_is_drawn_by_the_gl2d_bundle_from_the_servers_route(app_server, sized_page):
    page = sized_page(1280, 720)
    answers, plotly = {}, []
    page.on("response", lambda r: answers.setdefault(r.url.split("?")[0], r.status))
    page.on("request", lambda r: plotly.append(r.headers.get("sec-purpose")) if "/PlotlyChart." in r.url else None)
    goto_page(page, app_server, "Map")
    page.locator(".embedlab-map .main-svg").first.wait_for(timeout=60_000)
    assert page.get_by_test_id("stPlotlyChart").count() == 0
    bundle = [u for u in answers if u.endswith(map_chart.ROUTE)]
    assert bundle and answers[bundle[0]] == 200, answers
    # Streamlit's plotly.js (for the other pages' charts) is only prefetched: fetched when idle, never run
    assert all(purpose == "prefetch" for purpose in plotly), plotly
    # 5,000 words in 8 named clusters, hover words, axes titled as before
    n = page.evaluate("() => document.querySelector('.embedlab-map')._fullData.reduce((s, t) => s + (t._length || 0), 0)")
    assert n >= 5000
    assert page.evaluate("() => document.querySelector('.embedlab-map')._fullLayout.xaxis.title.text").startswith("PC 1")
    assert page.evaluate(GL_RATIO_JS) == 1      # the screen's pixels, not plotly's default of twice them
    assert not page.js_errors, page.js_errors
    screenshot(page, "map_gl2d_1280x720")


def test_the_gl2d_map_draws_a_high_density_screen_at_its_own_pixel_ratio(app_server, sized_page):
    page = sized_page(1280, 720, scale=2)
    goto_page(page, app_server, "Map")
    page.locator(".embedlab-map .main-svg").first.wait_for(timeout=60_000)
    assert page.evaluate(GL_RATIO_JS) == 2
    # the WebGL canvas holds twice the plot's CSS pixels each way
    width, css = page.evaluate("() => { const c = document.querySelector('.embedlab-map canvas.gl-canvas-context');"
                               " return [c.width, parseFloat(c.style.width)]; }")
    assert width == 2 * css
    assert not page.js_errors, page.js_errors


def test_the_gl2d_map_is_themed_as_streamlits_own_chart(app_server, sized_page):
    page = sized_page(1280, 1000)
    goto_page(page, app_server, "Map?n=1000")
    page.locator(".embedlab-map .main-svg").first.wait_for(timeout=60_000)
    ours = [c["template"] for c in page.evaluate(TEMPLATE_JS) if c["element"]]
    # the same Map in 3-D is drawn by st.plotly_chart, themed by Streamlit's browser code (the side-by-side
    # comparison, used before, fits UMAP and t-SNE first: in two CI runs its page lost n=300 and ran past
    # the timeout on 5,000 points)
    goto_page(page, app_server, "Map?n=1000&dims=3")
    page.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for(timeout=120_000)
    streamlits = [c["template"] for c in page.evaluate(TEMPLATE_JS) if not c["element"]]
    assert ours and streamlits
    if ours[0] != streamlits[0]:
        out = ROOT / "test-output" / "map_theme.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(streamlits[0], separators=(",", ":"), sort_keys=True))
        raise AssertionError(f"Streamlit themes plotly_white differently now: its template is in {out}; "
                             f"copy it to {map_chart.THEME} after a look")
    assert_no_exception(page)


def test_a_lasso_on_the_gl2d_map_lists_its_words_and_stays_drawn(app_server, sized_page):
    page = sized_page(1280, 1000)
    goto_page(page, app_server, "Map?n=1000")
    page.locator(".embedlab-map .main-svg").first.wait_for(timeout=60_000)
    drag = page.locator(".embedlab-map .nsewdrag").first.bounding_box()
    page.locator(".embedlab-map .modebar-btn[data-val='lasso']").first.click()
    cx, cy = lasso_circle(page, drag)
    selected = page.get_by_text("Selected:", exact=False)
    selected.wait_for(timeout=60_000)
    wait_for_app(page)
    count = int(selected.inner_text().split(":")[1].split()[0].replace(",", ""))
    # the rerun draws the same figure again (Streamlit mounts the element anew), the same points selected
    page.wait_for_function("() => " + SELECTED_JS + " === " + str(count), timeout=60_000)
    assert count > 0
    # a double click (anywhere on the plot) clears it, and the list goes
    page.mouse.dblclick(cx, cy)
    page.get_by_text("Draw a lasso or a box on the map").wait_for(timeout=60_000)
    assert page.get_by_text("Selected:", exact=False).count() == 0
    assert not page.js_errors, page.js_errors
