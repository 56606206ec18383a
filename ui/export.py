"""Download buttons that take a view home: the figure as one offline HTML file, a table as Parquet.

The files are made only when a button is clicked (``data`` is a callable, run by Streamlit on click: the
HTML is about 4.8 MB, plotly.js inside), and the click does not rerun the page."""
from __future__ import annotations

from typing import Sequence

import streamlit as st

from embedlab.io.tables import parquet_bytes
from embedlab.viz.export import figure_html


def html_button(fig, *, title: str, caption: Sequence[str], file_name: str, key: str, where=None,
                label: str = "Download this view (HTML, works offline)") -> None:
    """A download button for ``fig`` as one self-contained HTML page with ``title`` and ``caption``."""
    fig = fig.to_dict()          # a plain copy: the callable runs later, on another thread
    lines = list(caption)

    def make() -> bytes:
        import plotly.graph_objects as go

        return figure_html(go.Figure(fig), title=title, caption=lines)

    (where or st).download_button(label, make, file_name=file_name, mime="text/html", key=key, on_click="ignore",
                                  help="One HTML file with the picture, a caption of what it shows and the "
                                       "settings used. It opens in any browser without the internet: hover "
                                       "and zoom still work.")


def parquet_button(table, *, file_name: str, key: str, where=None, metadata: dict | None = None,
                   label: str = "Download (Parquet)") -> None:
    """A download button for a DataFrame as Parquet (types kept; opens in pandas, polars, DuckDB), written
    when clicked."""
    table, meta = table.copy(), dict(metadata or {})

    def make() -> bytes:
        return parquet_bytes(table, metadata=meta)

    (where or st).download_button(label, make, file_name=file_name, mime="application/vnd.apache.parquet", key=key,
                                  on_click="ignore")
