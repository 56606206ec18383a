"""Column pickers for a Parquet / Arrow upload in the sidebar: when a table has more than one column
that could hold the vectors or the labels, the reader waits for the user to choose (the detected
defaults preselected) and press *Load*; otherwise it reads at once with the defaults."""
from __future__ import annotations

import streamlit as st

import embedlab
from embedlab.io.formats import table_columns
from embedlab.io.formats.parquet import table_format

from .text import md_text

TABLE_EXTENSIONS = (".parquet", ".pq", ".feather", ".arrow", ".ipc")
ROW_NUMBERS = "(row numbers)"


def is_table(up) -> bool:
    """Is the uploaded file a Parquet or Arrow table (by its first bytes, or its name)?"""
    try:
        pos = up.tell()
        head = up.read(8)
        up.seek(pos)
    except (OSError, ValueError, AttributeError):
        return up.name.lower().endswith(TABLE_EXTENSIONS)
    return table_format(head or b"") is not None


def column_choice(up) -> dict | None:
    """Read options for an uploaded file: ``{}`` for a vector file or a table without a choice to make,
    ``{"vector_column": ..., "label_column": ...}`` once the user pressed *Load*, None while the
    pickers wait (drawn in the current container, the sidebar)."""
    if not is_table(up):
        return {}
    try:
        cols = table_columns(up, filename=up.name)
    except embedlab.EmbedLabError:
        return {}        # the reader says what is wrong
    if not cols.needs_choice:
        return {}
    st.markdown(f"**{md_text(up.name)}**: {cols.rows:,} rows. Which columns hold the vectors and the labels?")
    vecs = list(cols.vector_columns)
    labels = list(cols.label_columns) + ([ROW_NUMBERS] if cols.label_default is None else [])
    vdef = vecs.index(cols.vector_default) if cols.vector_default in vecs else 0
    ldef = labels.index(cols.label_default) if cols.label_default in labels else len(labels) - 1
    vcol = st.selectbox("Vector column", vecs, index=vdef, key=f"upload_vector_column_{up.file_id}",
                        help="A column of lists of numbers, one vector per row.")
    lcol = st.selectbox("Label column", labels, index=ldef, key=f"upload_label_column_{up.file_id}",
                        help="The word or item name of each row (unique); the other columns become "
                             "metadata that can colour and filter the Map.")
    if not st.button("Load this table", key=f"upload_table_load_{up.file_id}", type="primary"):
        return None
    return {"vector_column": vcol, "label_column": None if lcol == ROW_NUMBERS else lcol}
