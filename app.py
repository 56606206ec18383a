"""EmbedLab: the app's frame. ``streamlit run app.py``.

With ``st.navigation`` this file runs on every page, first: it picks the page from the URL
(ui/navigation.py's table), sets the page config, draws the sidebar once (set picker, upload,
presenter switch; ui/setup.py), then runs the page, which draws only its own screen.
"""
import streamlit as st

from ui.narrow import SIDEBAR_PX
from ui.navigation import streamlit_sections
from ui.setup import draw_sidebar
from ui.streamlit_internals import serve_without_nagle
from ui.warm import note_activity

note_activity()     # `make run`'s background fits wait while pages are opened and run (ui.warm)
serve_without_nagle()   # under `streamlit run app.py` too, from the first run on (server.py: before any)

page = st.navigation(streamlit_sections(), expanded=True)   # expanded: all 14 pages, no 'View more'
st.set_page_config(page_title=f"{page.title} · EmbedLab", page_icon=page.icon, layout="wide",
                   initial_sidebar_state=SIDEBAR_PX)   # expanded at 240 px (Streamlit: 300): more room for the page at 800 px
draw_sidebar(page.url_path)
page.run()
