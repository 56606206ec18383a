"""ui.params: a URL's value sets the widget once; it is applied again if the widget's state was lost."""
from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from ui import params

    if st.session_state.pop("_drop", False):   # what a run cut short by a rerun can leave behind
        del st.session_state["src"]
    params.bind("src", "corpus", "toy", options=["toy", "upload"])
    st.radio("source", ["toy", "upload"], key="src")
    params.sync({"corpus": "src"})


def test_a_lost_widget_state_is_restored_from_the_url_not_reset_to_the_default():
    at = AppTest.from_function(_script)
    at.query_params["corpus"] = "upload"
    at.run()
    assert at.radio(key="src").value == "upload"
    at.session_state["_drop"] = True
    at.run()
    assert at.radio(key="src").value == "upload" and at.query_params["corpus"] == "upload"


def test_after_the_link_the_widget_writes_the_url_and_defaults_are_left_out():
    at = AppTest.from_function(_script)
    at.query_params["corpus"] = "upload"
    at.run()
    at.radio(key="src").set_value("toy").run()
    assert "corpus" not in at.query_params
    at.run()
    assert at.radio(key="src").value == "toy"
