"""Plotly figures: data in, figure out (no Streamlit here).

``style`` (palette, fonts, plotly-safe text, the one layout helper), ``maps`` (the projected
space), ``explorer`` (neighbours, analogies, semantic axes), ``presenter`` (presenter mode),
``lesson_plots`` and ``train_plots`` (the lesson and Train pages). The figures pages use most
are importable from here: ``from embedlab.viz import map_figure``.
"""
from .explorer import AnalogyPlane, analogy_figure, analogy_plane, axes_figure, neighbor_bar, similarity_heatmap
from .maps import OTHER, compare_figure, map_figure, nearest_in_picture, selected_rows
from .presenter import PRESENTER_FONT_SIZE, presenter_style
from .style import (FONT_SIZE, GREY, HIGHLIGHT, PALETTE, colors_for, escape_plotly_text, escape_plotly_texts,
                    figure_layout, unescape_plotly_text)
from .train_plots import loss_figure, rank_frequency_figure, training_animation

__all__ = [
    "map_figure", "compare_figure", "selected_rows", "nearest_in_picture", "OTHER",
    "neighbor_bar", "similarity_heatmap", "AnalogyPlane", "analogy_plane", "analogy_figure", "axes_figure",
    "presenter_style", "PRESENTER_FONT_SIZE",
    "rank_frequency_figure", "loss_figure", "training_animation",
    "PALETTE", "GREY", "HIGHLIGHT", "FONT_SIZE", "colors_for", "figure_layout",
    "escape_plotly_text", "escape_plotly_texts", "unescape_plotly_text",
]
