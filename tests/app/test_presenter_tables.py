"""ui.figures.table: a grid normally, a static table whose text wraps in presenter mode (a wide grid
scrolled sideways out of a projector's view: Documents, Knowledge graphs, One-hot, Neighbours...),
with user text shown as typed (st.table draws its cells as Markdown)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script():
    import numpy as np
    import pandas as pd
    import streamlit as st

    from ui import figures

    st.session_state.setdefault(figures.PRESENTER, False)
    df = pd.DataFrame({"rank": [1, 2], "document": ["**bold** [link](https://x.org) $x$", "plain"],
                       "score": [0.5, 0.25], "cosine": np.array([0.812345, 0.7], dtype=np.float32), "count": [12.0, 3.0],
                       "detail": ["x", "y"]})
    figures.table(df, key="t", presenter_columns=("rank", "document", "score", "cosine", "count"))


def test_a_grid_normally():
    at = AppTest.from_function(_script).run()
    assert not at.exception
    assert len(at.dataframe) == 1 and not at.table
    assert list(at.dataframe[0].value.columns) == ["rank", "document", "score", "cosine", "count", "detail"]


def test_a_static_table_of_the_chosen_columns_with_user_text_escaped_in_presenter_mode():
    at = AppTest.from_function(_script)
    at.session_state["presenter_mode"] = True
    at.run()
    assert not at.exception
    assert not at.dataframe and len(at.table) == 1
    shown = at.table[0].value
    assert list(shown.columns) == ["rank", "document", "score", "cosine", "count"]   # the projector's columns
    # one number of decimals per column, as few as it needs (3 at most): not "0.5000", not 0.812345 beside 0.7
    assert shown["score"].tolist() == ["0.50", "0.25"]
    assert shown["cosine"].tolist() == ["0.812", "0.700"]
    assert shown["count"].tolist() == ["12", "3"]
    cell = shown["document"].iloc[0]
    assert cell != "**bold** [link](https://x.org) $x$" and "\\*\\*bold\\*\\*" in cell   # Markdown escaped
    assert shown["rank"].tolist() == [1, 2] and shown["document"].iloc[1] == "plain"
