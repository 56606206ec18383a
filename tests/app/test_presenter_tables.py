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


def test_number_formats_give_each_float_column_one_number_of_decimals():
    import numpy as np
    import pandas as pd

    from ui.figures import number_formats

    df = pd.DataFrame({"word": ["a", "b", "c"], "x position": [0.05, 0.059, -0.1], "rank": [1, 2, 3],
                       "half": np.array([0.5, 0.25, 1.0], dtype=np.float32), "whole": [2.0, 3.0, float("nan")],
                       "long": [0.123456, 1.0, 2.5]})
    formats = {name: cfg["type_config"]["format"] for name, cfg in number_formats(df).items()}
    assert formats == {"x position": "%.3f", "half": "%.2f", "whole": "%.0f", "long": "%.3f"}


def test_the_semantic_axes_ranking_shows_one_number_of_decimals():
    import json

    from tests.app.helpers import open_page

    at = open_page("app_pages/4_Semantic_axes.py")
    assert len(at.dataframe) == 1
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["x position"]["type_config"]["format"] == "%.3f"       # 0.050 beside 0.059, not 0.05


def _columns_script():
    import streamlit as st

    from ui import figures

    st.session_state.setdefault(figures.PRESENTER, False)
    left, right = figures.columns([1, 2])
    left.markdown("one-hot")
    right.markdown("dense")
    a, b, c = figures.columns(3, gap="small")
    c.markdown("third")


def test_columns_side_by_side_normally_one_under_the_other_in_presenter_mode():
    """One-hot's 6 x 6 code read "100000" in half a 1024 px projector screen: in presenter mode
    ui.figures.columns stacks what st.columns puts side by side, in the same order."""
    at = AppTest.from_function(_columns_script).run()
    assert not at.exception
    assert len(at.columns) == 5
    assert [m.value for m in at.markdown] == ["one-hot", "dense", "third"]
    at = AppTest.from_function(_columns_script)
    at.session_state["presenter_mode"] = True
    at.run()
    assert not at.exception
    assert len(at.columns) == 0
    assert [m.value for m in at.markdown] == ["one-hot", "dense", "third"]


def test_one_hot_page_stacks_its_figure_pairs_on_a_projector():
    from tests.app.helpers import open_page

    wide = open_page("app_pages/5_One_hot_vs_dense.py")
    narrow = open_page("app_pages/5_One_hot_vs_dense.py", present="1")
    assert narrow.session_state["presenter_mode"] and not wide.session_state["presenter_mode"]
    assert len(narrow.get("plotly_chart")) == len(wide.get("plotly_chart")) >= 5
    assert len(narrow.columns) <= len(wide.columns) - 6        # three pairs of figures no longer in columns
