"""bench/first_map_gl2d.py's server: its page in an ``st.App`` with one more route, the plotly.js gl2d
bundle named by ``$EMBEDLAB_GL2D_BUNDLE``, served as JavaScript (``streamlit run`` from the repository)."""
import os
from pathlib import Path

import streamlit as st
from starlette.responses import FileResponse
from starlette.routing import Route

BUNDLE = Path(os.environ["EMBEDLAB_GL2D_BUNDLE"])


async def bundle(_request):
    return FileResponse(BUNDLE, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})


app = st.App(str(Path(__file__).with_name("first_map_gl2d_page.py")),
             routes=[Route("/bench-static/plotly-gl2d.min.js", bundle)])
