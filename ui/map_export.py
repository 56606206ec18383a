"""The Map page's "take it home" row: the figure as one offline HTML file, the coordinates (or the lasso
selection) as Parquet. Kept here so the Map page gains one call."""
from __future__ import annotations

from typing import Sequence

import streamlit as st

from .export import html_button, parquet_button


def caption(*, set_name: str, origin: str, method: str, dims: int, drawn: str, colour: str, query: str) -> list[str]:
    """The caption lines of an exported map: what it shows and the set / parameters used (plain text)."""
    lines = [f"Each dot is a word of the embedding set {set_name} ({origin}), squeezed from its full dimensions "
             f"into {dims}-D with {method}: nearby dots are words the space puts close together.",
             f"Drawn: {drawn}. Colour: {colour}." + (f" Searched: {query} (with its nearest neighbours)."
                                                     if query else "")]
    return lines


def buttons(fig, table, selection: Sequence[int], *, es, method: str, dims: int, drawn: str, colour: str,
            query: str, stem: str) -> None:
    """Download buttons under the map: this view as HTML; the drawn coordinates (or the selection) as Parquet."""
    lines = caption(set_name=es.name, origin=es.origin, method=method, dims=dims, drawn=drawn, colour=colour,
                    query=query)
    c1, c2 = st.columns(2)
    html_button(fig, title=f"Map of {es.name}", caption=lines, file_name=f"{stem}.html", key="map_dl_html", where=c1)
    meta = {"set": es.name, "method": method, "dims": str(dims), "drawn": drawn, "colour": colour, "query": query}
    if selection:
        parquet_button(table.iloc[list(selection)], file_name=f"{stem}-selection.parquet", key="map_dl_sel_parquet",
                       where=c2, metadata=meta, label="Download the selection (Parquet)")
    else:
        parquet_button(table, file_name=f"{stem}.parquet", key="map_dl_parquet", where=c2, metadata=meta,
                       label="Download the drawn coordinates (Parquet)")
