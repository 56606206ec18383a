"""AppTest: the Semantic axes page."""
import json

from tests.app.helpers import open_page

PAGE = "app_pages/4_Semantic_axes.py"


def _page(**query):
    return open_page(PAGE, timeout=120, **query)


def test_gender_axis_ranks_words():
    at = _page()
    at.text_input(key="ax_xf").input("man he").run()
    at.text_input(key="ax_xt").input("woman she").run()
    at.text_area(key="ax_words").input("king queen actor actress").run()
    table = at.dataframe[0].value
    order = table["word"].tolist()
    assert order.index("queen") < order.index("king")
    assert order.index("actress") < order.index("actor")
    assert table["rank on x"].tolist() == [1, 2, 3, 4]
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["xaxis"]["title"]["text"] == "man+he  ←   → woman+she"


def test_second_axis_and_preset():
    at = _page()
    at.toggle(key="ax_y").set_value(True).run()
    at.selectbox(key="ax_y_preset").set_value("size (small → big)").run()
    assert at.text_input(key="ax_yf").value == "small little tiny"
    at.text_area(key="ax_words").input("ant elephant mouse whale").run()
    table = at.dataframe[0].value
    big = table.set_index("word")["y position"]
    assert big["whale"] > big["ant"] and big["elephant"] > big["mouse"]


def test_unknown_words_warn_bad_pole_errors():
    at = _page()
    at.text_area(key="ax_words").input("nurse qqqxx").run()
    assert not at.exception and "qqqxx" in at.warning[0].value
    assert at.dataframe[0].value["word"].tolist() == ["nurse"]
    at.text_input(key="ax_xt").input("").run()
    assert not at.exception and "at least one word" in at.error[0].value


def test_query_params_restore_axes():
    at = _page(xf="poor", xt="rich", words="peasant millionaire", y="0")
    assert at.text_input(key="ax_xf").value == "poor"
    assert at.dataframe[0].value["word"].tolist() == ["millionaire", "peasant"]
    at.text_input(key="ax_xt").input("wealthy").run()
    assert at.query_params["xt"] == "wealthy"


def test_capitalised_pole_and_word_are_matched_and_missing_words_all_named():
    at = _page(xf="Man", xt="Woman", words="Doctor nurse zzqx qqzz")
    assert not at.error and not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Man → man" in captions and "Doctor → doctor" in captions
    assert "zzqx" in at.warning[0].value and "qqzz" in at.warning[0].value


def test_the_preset_picker_names_the_axis_in_the_fields():
    at = _page()                                           # the default axis is the gender preset
    assert at.selectbox(key="ax_x_preset").value == "gender (man → woman)"
    at.text_input(key="ax_xf").input("cold").run()
    assert at.selectbox(key="ax_x_preset").value == "(type your own)"
    at2 = _page(xf="small little tiny", xt="big large huge")     # a shared link with a preset's words
    assert at2.selectbox(key="ax_x_preset").value == "size (small → big)"
