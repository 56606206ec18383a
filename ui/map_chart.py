"""The Map's 2-D figure drawn by plotly.js's gl2d bundle instead of Streamlit's whole plotly.js
(issue 12: the first Map within 3 s of the page request).

Streamlit's ``st.plotly_chart`` brings all of plotly.js (its ``PlotlyChart`` chunk, 4.7 MB: every
trace type, maps, 3-D) and the browser compiles and starts it before the first figure is drawn. The
Map's 2-D figure needs only ``scattergl`` / ``scatter``: plotly.js's own ``gl2d`` bundle (1.6 MB,
MIT, vendored in ``ui/vendor/`` with its licence) draws it. :func:`selectable_chart` mounts a
components-v2 element (``ui/map_chart.js``) that loads the bundle from the server's own route
(:func:`route`, added by ``server.py``; nothing comes from a CDN) and sends box / lasso / click
selections back in the shape of ``st.plotly_chart``'s selection event, so
:func:`embedlab.viz.selected_rows` and the lesson bar read either. Measured by
``bench/first_map_gl2d.py`` on the same figure: 1.46 s against 2.05 s to the figure drawn.

Streamlit's chart themes a figure in the browser: its ``CustomTheme`` merges the app's theme (fonts,
text and grid colours, hover labels, legend) into the figure's template. The element cannot run
that code, so ``ui/map_theme.json`` is that themed template as the browser made it from
``plotly_white`` (every figure of ours starts from it) under ``.streamlit/config.toml``; a browser
test compares it with what ``st.plotly_chart`` makes on the same page and writes the new one when
Streamlit changes it.

The element is used only where it can stand in (:func:`enabled`, :func:`fits`): under ``server.py``
(which serves the bundle), for a figure of ``scatter`` / ``scattergl`` traces on the ``plotly_white``
template. Anything else, and ``streamlit run app.py`` or AppTest, gets ``st.plotly_chart`` as before.
``EMBEDLAB_MAP_ELEMENT=0`` switches the element off.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

import streamlit as st

from embedlab.viz.presenter import presenter_style

from . import figures

__all__ = ["ENV", "BUNDLE", "ROUTE", "TRACE_TYPES", "route", "enable", "enabled", "fits", "selectable_chart", "chart"]

ENV = "EMBEDLAB_MAP_ELEMENT"
HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "vendor" / "plotly-gl2d-3.7.0.min.js"
THEME = HERE / "map_theme.json"
ROUTE = "/embedlab-static/plotly-gl2d-3.7.0.min.js"
"""The bundle's URL path on the server (its name carries the version: served as immutable)."""
TRACE_TYPES = frozenset({"scatter", "scattergl"})
"""Trace types the gl2d bundle draws that our Map figures use (it also has ``splom`` and ``parcoords``)."""
_SERVED = {"on": False}


def route():
    """The starlette route that serves :data:`BUNDLE` at :data:`ROUTE` (``server.py`` adds it to its
    ``st.App``); calling it also turns the element on for this process (:func:`enable`)."""
    from starlette.responses import FileResponse
    from starlette.routing import Route

    async def bundle(_request):
        return FileResponse(BUNDLE, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=31536000, immutable"})

    enable()
    return Route(ROUTE, bundle, methods=["GET", "HEAD"])


def enable() -> None:
    """Say that this server serves the bundle (the element is then used, unless :data:`ENV` is ``0``)."""
    _SERVED["on"] = True


def enabled() -> bool:
    """True when the server serves the bundle and :data:`ENV` does not switch the element off."""
    return _SERVED["on"] and os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


@functools.cache
def _plotly_white() -> dict:
    import plotly.io as pio

    return pio.templates["plotly_white"].to_plotly_json()


def fits(fig) -> bool:
    """True when the element can draw ``fig`` as ``st.plotly_chart`` would: only :data:`TRACE_TYPES`
    traces, on the ``plotly_white`` template (the one ``ui/map_theme.json`` was made from)."""
    if any(t.type not in TRACE_TYPES for t in fig.data):
        return False
    return fig.layout.template.to_plotly_json() == _plotly_white()


@functools.cache
def _theme() -> dict:
    return json.loads(THEME.read_text(encoding="utf-8"))


@functools.cache
def _component():
    return st.components.v2.component("embedlab_map", js=(HERE / "map_chart.js").read_text(encoding="utf-8"),
                                      isolate_styles=False)   # plotly.js puts its styles in the page's head


def selectable_chart(fig, *, key: str, click: bool = False, config: dict | None = None):
    """The Map's 2-D figure, selectable with a box or a lasso (and by a click when ``click``): the
    gl2d element when :func:`enabled` and :func:`fits`, else ``st.plotly_chart(..., on_select="rerun")``.
    Presenter mode restyles it either way. Returns the selection event (``{"selection": {"points":
    [...]}}``) or None. The element's selection counts only for the figure it was made on: a new figure
    (another search, set or colouring) starts with none, as the drawn one does."""
    config = {"displaylogo": False, **(config or {})}
    if not (enabled() and fits(fig)):
        return figures.plotly_chart(fig, width="stretch", key=key, on_select="rerun", config=config,
                                    selection_mode=("points", "box", "lasso") if click else ("box", "lasso"))
    data = _data(fig, key, click, config)
    result = _component()(data=data, key=f"{key}_gl2d", default={"selection": None}, on_selection_change=lambda: None)
    rev = data["rev"]
    sel = getattr(result, "selection", None)
    if not isinstance(sel, dict) or sel.get("rev") != rev:
        return None
    return {"selection": {"points": list(sel.get("points") or [])}}


def chart(fig, *, key: str, config: dict | None = None) -> None:
    """A Map figure that is only looked at (the previous picture while a layout computes): the gl2d
    element when :func:`enabled` and :func:`fits` (the page then needs no second plotly.js), else
    ``st.plotly_chart``; presenter mode restyles it either way."""
    config = {"displaylogo": False, **(config or {})}
    if not (enabled() and fits(fig)):
        figures.plotly_chart(fig, width="stretch", key=key, config=config)
        return
    _component()(data=_data(fig, key, False, config), key=f"{key}_gl2d")


def _data(fig, key: str, click: bool, config: dict) -> dict:
    """What the element is sent: the figure's JSON as ``st.plotly_chart`` sends it (restyled in presenter
    mode), its digest (``rev``), the theme, the bundle's URL, the element's key and the options."""
    import plotly.io as pio

    if figures.presenter_on():
        fig = presenter_style(fig)
    spec = pio.to_json(fig, validate=False)
    return {"figure": spec, "template": _theme(), "src": "." + ROUTE, "id": key, "click": bool(click),
            "config": config, "rev": hashlib.blake2b(spec.encode(), digest_size=12).hexdigest()}
