"""The Map's slow layouts (UMAP, t-SNE) with the previous picture kept on screen while they compute.

The Map draws its figure into one ``st.empty`` slot. When a layout is not in memory yet (a new
method, size or set), :func:`layout_projection` fills that slot with a progress bar (in the open,
not inside a collapsed status) and the figure this session drew last, so the class keeps looking
at a map instead of a spinner; the page then replaces the slot's content with the new figure.
"""
from __future__ import annotations

import streamlit as st

from . import cached, map_chart

PREVIOUS_FIGURE = "_map_previous_figure"
"""Session key: the plotly figure the Map drew last (shown while the next layout computes)."""
PREVIOUS_CHART_KEY = "map_chart_previous"


def remember_figure(fig) -> None:
    """Keep ``fig`` as the figure to show while the next layout computes."""
    st.session_state[PREVIOUS_FIGURE] = fig


def layout_projection(es, base, method: str, dims: int, slot, label: str):
    """:func:`ui.cached.projection` of ``es.vectors[base]``; while it computes, ``slot`` (an
    ``st.empty``) shows a progress bar headed ``label`` above the previous figure.

    Returns
    -------
    embedlab.space.projection.Projection

    Raises
    ------
    EmbedLabError
        What the projection raised (the page shows it).
    """
    if cached.has_projection(es, base, method, dims):
        return cached.projection(es, base, method, dims)
    previous = st.session_state.get(PREVIOUS_FIGURE)
    with slot.container():
        bar = st.progress(0.0, text=f"{label}…")
        if previous is not None:
            st.caption("The previous picture stays here until the new layout is ready.")
            map_chart.chart(previous, key=PREVIOUS_CHART_KEY, config={"staticPlot": True})

    def progress(message: str, fraction: float) -> None:
        bar.progress(float(min(max(fraction, 0.0), 1.0)), text=f"{label}: {message}")

    return cached.projection(es, base, method, dims, progress=progress)
