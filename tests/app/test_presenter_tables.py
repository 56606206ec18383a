"""ui.figures.table: a grid normally, a static table whose text wraps in presenter mode (a wide grid
scrolled sideways out of a projector's view: Documents, Knowledge graphs, One-hot, Neighbours...),
with user text shown as typed (st.table draws its cells as Markdown)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script():
    import pandas as pd
    import streamlit as st

    from ui import figures

    st.session_state.setdefault(figures.PRESENTER, False)
    df = pd.DataFrame({"rank": [1, 2], "document": ["**bold** [link](https://x.org) $x$", "plain"],
                       "score": [0.5, 0.25], "detail": ["x", "y"]})
    figures.table(df, key="t", presenter_columns=("rank", "document", "score"))


def test_a_grid_normally():
    at = AppTest.from_function(_script).run()
    assert not at.exception
    assert len(at.dataframe) == 1 and not at.table
    assert list(at.dataframe[0].value.columns) == ["rank", "document", "score", "detail"]


def test_a_static_table_of_the_chosen_columns_with_user_text_escaped_in_presenter_mode():
    at = AppTest.from_function(_script)
    at.session_state["presenter_mode"] = True
    at.run()
    assert not at.exception
    assert not at.dataframe and len(at.table) == 1
    shown = at.table[0].value
    assert list(shown.columns) == ["rank", "document", "score"]        # the projector's columns
    assert shown["score"].tolist() == ["0.5", "0.25"]                  # as given, not padded to "0.5000"
    cell = shown["document"].iloc[0]
    assert cell != "**bold** [link](https://x.org) $x$" and "\\*\\*bold\\*\\*" in cell   # Markdown escaped
    assert shown["rank"].tolist() == [1, 2] and shown["document"].iloc[1] == "plain"
