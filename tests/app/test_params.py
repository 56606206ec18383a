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


def _bound_script():
    import streamlit as st

    from ui import params

    params.bind("lower", "lower", True, parse=params.to_bool)
    params.bind("dim", "dim", 50, parse=int)
    params.bind("model", "model", "word2vec", options=["fasttext", "word2vec"])
    st.checkbox("lowercase", value=params.value("lower"), key="lower")
    st.slider("dim", 2, 300, value=params.value("dim"), key="dim")
    st.selectbox("model", ["fasttext", "word2vec"], index=params.index("model", ["fasttext", "word2vec"]), key="model")
    params.sync({"lower": ("lower", params.from_bool), "dim": ("dim", str), "model": "model"})


def test_a_bound_widget_carries_the_bound_value_as_its_own_default():
    # what a browser that has not yet applied the session's value sends back is the widget's own default:
    # it must be the link's value (dim=8) or bind's default (lowercase True, word2vec), not the widget's
    at = AppTest.from_function(_bound_script)
    at.query_params["dim"] = "8"
    at.run()
    assert at.checkbox(key="lower").proto.default is True and at.checkbox(key="lower").value is True
    assert list(at.slider(key="dim").proto.default) == [8] and at.slider(key="dim").value == 8
    assert at.selectbox(key="model").proto.default == 1 and at.selectbox(key="model").value == "word2vec"
    at.slider(key="dim").set_value(20).run()          # the user's change is kept and becomes the default
    at.checkbox(key="lower").uncheck().run()
    assert at.slider(key="dim").value == 20 and list(at.slider(key="dim").proto.default) == [20]
    assert at.checkbox(key="lower").value is False and at.query_params["lower"] == "0"
    assert at.query_params["dim"] == "20" and not at.exception


def test_every_bound_widget_of_the_app_is_given_its_bound_value():
    """Each widget whose key a page binds to the URL gets ``value=`` / ``index=`` / ``default=``
    (read from the source, so a new page cannot forget it)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    checked, missing = 0, []
    for path in sorted(root.glob("app_pages/*.py")) + sorted(root.glob("ui/*.py")):
        src = path.read_text(encoding="utf-8")
        tree = ast.parse(src)
        bound = {ast.get_source_segment(src, n.args[0]) for n in ast.walk(tree)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "bind"
                 and getattr(n.func.value, "id", None) == "params"}
        for n in ast.walk(tree):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
                continue
            kw = {k.arg: k.value for k in n.keywords}
            if "key" in kw and ast.get_source_segment(src, kw["key"]) in bound:
                checked += 1
                if not {"value", "index", "default"} & set(kw):
                    missing.append(f"{path.name}:{n.lineno} {n.func.attr}")
    assert checked >= 80, checked       # the app's bound widgets were found (85 when this was written; the
    # Semantic axes' pole fields build their keys with f-strings and are not counted)
    assert not missing, missing


def _multiselect_script():
    import streamlit as st

    from ui import params

    values = ["a", "b"] if st.session_state.get("phase", 0) == 0 else ["c", "d"]   # another set's values
    params.bind("only", "only", [], parse=lambda raw: raw.split(","), check=lambda v: set(v) <= set(values))
    st.multiselect("only", values, default=params.value("only", values), key="only")


def test_a_multiselect_value_left_from_other_options_is_dropped_not_an_error():
    at = AppTest.from_function(_multiselect_script)
    at.query_params["only"] = "a"
    at.run()
    assert at.multiselect(key="only").value == ["a"] and list(at.multiselect(key="only").proto.default) == [0]
    at.session_state["phase"] = 1
    at.run()
    assert not at.exception and at.multiselect(key="only").value == []


def test_a_link_value_the_page_does_not_offer_is_named_with_the_value_shown_instead():
    at = AppTest.from_function(_bound_script)
    at.query_params["dim"] = "900"            # fails no check here: applied
    at.query_params["model"] = "glove"        # not an option
    at.query_params["lower"] = "maybe"        # does not parse
    at.run()
    warnings = [w.value for w in at.warning]
    assert at.selectbox(key="model").value == "word2vec" and at.checkbox(key="lower").value is True
    assert "This link's model=glove is not a value this page offers, so it shows “word2vec” instead." in warnings
    assert "This link's lower=maybe is not a value this page offers, so it shows on instead." in warnings
    assert len(warnings) == 2 and not at.exception
    at.run()                                  # kept on the next run while the fallback stands
    assert len(at.warning) == 2
    at.selectbox(key="model").set_value("fasttext").run()    # changed: that one's warning goes
    assert [w.value for w in at.warning] == ["This link's lower=maybe is not a value this page offers, so it "
                                             "shows on instead."]


def test_the_map_names_a_points_drawn_value_it_does_not_offer():
    from tests.app.helpers import open_deep_link
    at = open_deep_link("app_pages/1_Map.py", timeout=180, n="300")     # the sizes are 1,000 … 20,000 and all
    assert any("n=300" in w.value and "5,000" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.selectbox(key="map_n").value == 5000 and "n" not in at.query_params
