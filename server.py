"""EmbedLab's server: ``streamlit run server.py`` (what ``make run`` starts).

The app itself is app.py (``streamlit run app.py`` serves it too); this wraps it in an ``st.App``
whose start hook warms the server before a class arrives (:mod:`ui.warm`): the page modules are
imported before the first request is accepted, then a background thread loads the default set and
computes the Map's default view, the transformer weights and the UMAP / t-SNE layouts.
``EMBEDLAB_PRECOMPUTE=0`` switches that off. The page itself is Streamlit's, with preload links for
the chunks the Map needs (:mod:`ui.preload`; ``EMBEDLAB_PRELOAD=0`` switches them off), and one more
route: plotly.js's gl2d bundle, which draws the Map's 2-D figure (:mod:`ui.map_chart`).
"""
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from ui import map_chart
from ui.preload import PreloadIndexMiddleware
from ui.streamlit_internals import serve_without_nagle

serve_without_nagle()      # no 40 ms stall per file on a kept-alive connection (ui/streamlit_internals.py)


@asynccontextmanager
async def lifespan(_app):
    from ui import warm

    warm.on_server_start()     # imports here (a few seconds, before requests), the rest in a thread
    yield


app = st.App("app.py", lifespan=lifespan, middleware=[Middleware(PreloadIndexMiddleware)],
             routes=[map_chart.route()])      # the Map's plotly.js bundle (ui/map_chart.py)
