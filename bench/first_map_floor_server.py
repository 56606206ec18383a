"""The floor page (bench/first_map_floor.py) served like ``make run`` serves the app: in an ``st.App``
with ui.preload's links for the plotly chunk (bench_first_map.py's "floor, preloaded" row).
``streamlit run bench/first_map_floor_server.py`` from the repository's root."""
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from ui.preload import PreloadIndexMiddleware, preload_hrefs
from ui.streamlit_internals import frontend_dir

app = st.App(str(Path(__file__).with_name("first_map_floor.py")),
             middleware=[Middleware(PreloadIndexMiddleware, hrefs=preload_hrefs(frontend_dir(), ("PlotlyChart",)))])
