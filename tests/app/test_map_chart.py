"""ui.map_chart: the Map's 2-D figure drawn by plotly.js's gl2d bundle (issue 12), and when it is not."""
from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest

from tests.app.helpers import run_async
from ui import map_chart, preload
from embedlab.viz.style import figure_layout


def _map_like(trace=go.Scattergl):
    fig = go.Figure(trace(x=[0.0, 1.0], y=[1.0, 0.0], mode="markers", customdata=[0, 1]))
    return figure_layout(fig, title="t", height=300)


def test_the_vendored_bundle_is_plotly_js_gl2d_under_its_licence():
    head = map_chart.BUNDLE.read_bytes()[:200].decode()
    assert "plotly.js (gl2d - minified) v3.7.0" in head and "MIT" in head
    assert map_chart.BUNDLE.stat().st_size > 1_000_000       # the whole bundle, not a pointer file
    assert "MIT License" in (map_chart.BUNDLE.parent / "plotly.js-LICENSE").read_text()
    assert map_chart.ROUTE.endswith(map_chart.BUNDLE.name)


def test_only_scatter_figures_on_plotly_white_fit():
    assert map_chart.fits(_map_like())
    assert map_chart.fits(_map_like(go.Scatter))
    heat = _map_like()
    heat.add_trace(go.Heatmap(z=[[1, 2], [3, 4]]))           # the density layer: not in the gl2d bundle
    assert not map_chart.fits(heat)
    assert not map_chart.fits(_map_like().update_layout(template="plotly_dark"))
    assert not map_chart.fits(go.Figure(go.Scatter3d(x=[0], y=[0], z=[0])))


def test_the_theme_is_plotly_white_as_streamlit_themes_it():
    theme = json.loads(map_chart.THEME.read_text())
    lay = theme["layout"]
    # Streamlit's theme merged in (fonts, text colours) over plotly_white's own grid and backgrounds
    assert "Source Sans" in lay["font"]["family"] and lay["title"]["font"]["color"] == "#1A1A1A"
    assert lay["paper_bgcolor"] == "#FFFFFF" and "scattergl" in theme["data"]


def test_the_element_is_off_unless_the_server_serves_the_bundle(monkeypatch):
    monkeypatch.setitem(map_chart._SERVED, "on", False)
    assert not map_chart.enabled()
    map_chart.enable()
    assert map_chart.enabled()
    monkeypatch.setenv(map_chart.ENV, "0")
    assert not map_chart.enabled()


def test_the_route_serves_the_bundle_as_javascript(monkeypatch):
    monkeypatch.setitem(map_chart._SERVED, "on", False)
    route = map_chart.route()
    assert map_chart.enabled() and route.path == map_chart.ROUTE and "GET" in route.methods
    response = run_async(route.endpoint(None))
    assert Path(response.path) == map_chart.BUNDLE
    assert response.media_type == "text/javascript"
    assert "immutable" in response.headers["cache-control"]


def test_with_the_element_on_the_page_preloads_the_bundle_and_components_v2_not_plotly(monkeypatch):
    monkeypatch.setitem(map_chart._SERVED, "on", True)
    stems = preload.map_components()
    assert "BidiComponent" in stems and "PlotlyChart" not in stems
    page = b"<html><head></head><body></body></html>"
    html = preload.inject_preloads(page, ["./static/js/BidiComponent.X.js"], early_import=True, roots=stems,
                                   script="." + map_chart.ROUTE).decode()
    assert f'<link rel="preload" as="script" href=".{map_chart.ROUTE}">' in html
    assert 'import("./static/js/BidiComponent.X.js")' in html
    assert f's.src=".{map_chart.ROUTE}"' in html and "window.__embedlabPlotly" in html
    monkeypatch.setitem(map_chart._SERVED, "on", False)
    assert preload.map_components() == preload.PRELOAD_COMPONENTS


@pytest.mark.parametrize("served", [False, True])
def test_the_preload_middleware_follows_the_element(monkeypatch, served):
    monkeypatch.setitem(map_chart._SERVED, "on", served)
    monkeypatch.delenv(preload.ENV, raising=False)

    async def app(scope, receive, send):
        pass

    mw = preload.PreloadIndexMiddleware(app)
    names = [h.rsplit("/", 1)[1].split(".")[0] for h in mw.hrefs]
    assert ("BidiComponent" in names) == served and ("PlotlyChart" in names) == (not served)
    assert bool(mw.script) == served
