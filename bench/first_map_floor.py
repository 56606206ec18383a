"""The floor of bench_first_map.py: a Streamlit page with nothing but one plotly chart of the Map's
kind (5,000 WebGL points in 8 traces, a hover word each, x-axis ``PC 1``): what Streamlit, plotly.js
and the browser cost before any of EmbedLab's work. ``streamlit run bench/first_map_floor.py``.
bench/first_map_gl2d.py's page imports :func:`floor_figure` to draw the same figure another way."""
import numpy as np
import plotly.graph_objects as go


def floor_figure() -> go.Figure:
    """The floor's figure: 5,000 seeded points in 8 Scattergl traces, hover words, a horizontal legend."""
    rng = np.random.default_rng(0)
    xy = rng.normal(size=(5000, 2)).astype(np.float32)
    cluster = rng.integers(0, 8, 5000)
    fig = go.Figure()
    for c in range(8):
        rows = np.flatnonzero(cluster == c)
        fig.add_trace(go.Scattergl(x=xy[rows, 0], y=xy[rows, 1], mode="markers", name=f"cluster {c + 1}",
                                   hovertext=[f"word{i}" for i in rows], customdata=rows.tolist(),
                                   hovertemplate="<b>%{hovertext}</b><extra></extra>", marker=dict(size=6)))
    fig.update_layout(height=650, xaxis_title="PC 1 (12.3% of the spread)", yaxis_title="PC 2",
                      legend=dict(orientation="h", y=-0.15))
    return fig


if __name__ == "__main__":      # Streamlit runs a page as __main__
    import streamlit as st

    st.caption("The floor: one plotly chart, nothing else.")
    st.plotly_chart(floor_figure(), width="stretch")
