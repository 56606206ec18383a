"""Plotly figures: style, maps, explorer figures, lesson and training figures, presenter mode."""
