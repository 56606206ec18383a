"""bench/first_map_gl2d.py's page: the floor's figure (bench/first_map_floor.py) drawn by
``st.plotly_chart`` (``?v=st``: Streamlit's chunk with the whole plotly.js) or by a components-v2
element that loads plotly.js's gl2d bundle from the server's own route (``?v=gl2d``)."""
import json
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from first_map_floor import floor_figure  # noqa: E402

# The element: one div, plotly.js loaded once per page by a script tag (the bundle is UMD: window.Plotly).
JS = """
export default function (component) {
  const { parentElement, data } = component;
  let div = parentElement.querySelector('.gl2d-map');
  if (!div) { div = document.createElement('div'); div.className = 'gl2d-map'; div.style.width = '100%';
              parentElement.appendChild(div); }
  const draw = () => window.Plotly.react(div, data.figure.data, data.figure.layout, data.config);
  if (window.Plotly) { draw(); return; }
  if (!window.__gl2dPlotly) window.__gl2dPlotly = new Promise((ok, fail) => {
    const s = document.createElement('script'); s.src = data.src; s.onload = ok; s.onerror = fail;
    document.head.appendChild(s); });
  window.__gl2dPlotly.then(draw);
}
"""

fig = floor_figure()
st.caption("The floor: one plotly chart, nothing else.")
if st.query_params.get("v") == "gl2d":
    fig.update_layout(template="plotly")      # Streamlit's own template is completed by its browser code
    gl2d_map = st.components.v2.component("gl2d_map", js=JS, isolate_styles=False)   # plotly styles the page head
    gl2d_map(data={"figure": json.loads(fig.to_json()), "config": {"displaylogo": False, "responsive": True},
                   "src": "./bench-static/plotly-gl2d.min.js"}, key="gl2d_map")
else:
    st.plotly_chart(fig, width="stretch")
