"""AppTest: the Neighbours page."""
import json

from tests.app.helpers import open_page

PAGE = "app_pages/2_Neighbours.py"


def _page(**query):
    return open_page(PAGE, timeout=120, **query)


def test_neighbours_of_king_include_queen_with_bar_chart():
    at = _page()
    at.text_input(key="nb_query").input("king").run()
    table = at.dataframe[0].value
    assert "queen" in table["token"].tolist()[:5]
    assert "king" not in table["token"].tolist()
    bar = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert bar["data"][0]["type"] == "bar"
    # the table and the bars say the same score (rounded once, to 3 decimals: not 0.4935 -> "0.493" beside "0.494")
    assert [f"{v:.3f}" for v in table["cosine similarity"]] == bar["data"][0]["text"]


def test_expression_and_metric_switch():
    at = _page()
    at.text_input(key="nb_query").input("paris - france + italy").run()
    cos = at.dataframe[0].value
    assert "rome" in cos["token"].tolist()[:5]
    assert not {"paris", "france", "italy"} & set(cos["token"])
    at.radio(key="nb_metric").set_value("euclidean").run()
    assert not at.exception
    euc = at.dataframe[0].value
    assert "Euclidean distance" in euc.columns
    assert euc["Euclidean distance"].is_monotonic_increasing


def test_unknown_word_and_bad_expression_show_errors():
    at = _page()
    at.text_input(key="nb_query").input("kingg").run()
    assert not at.exception
    assert "kingg" in at.error[0].value and "king" in at.error[0].value
    at.text_input(key="nb_query").input("king + - man").run()
    assert not at.exception and "two operators" in at.error[0].value


def test_heatmap_of_typed_words():
    at = _page()
    at.text_area(key="nb_words").input("cat dog car").run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heat = [s for s in specs if s["data"][0]["type"] == "heatmap"][0]
    assert heat["data"][0]["x"] == ["cat", "dog", "car"]


def test_query_params_restore_the_view():
    at = _page(q="queen", k="5", metric="euclidean", words="red green")
    assert at.text_input(key="nb_query").value == "queen"
    assert at.radio(key="nb_metric").value == "euclidean"
    assert len(at.dataframe[0].value) == 5
    at.text_input(key="nb_query").input("paris").run()
    assert at.query_params["q"] == "paris"


def test_capitalised_words_and_expressions_are_matched_ignoring_case():
    at = _page(q="King - Man + Woman")
    assert not at.error and not at.exception
    assert "Matched ignoring case: King → king, Man → man, Woman → woman." in " ".join(c.value for c in at.caption)
    assert at.dataframe[0].value["token"].iloc[0] == "queen"
    at2 = _page(words="Paris London zzqx")
    assert "zzqx" in at2.warning[0].value and "left out" in at2.warning[0].value
    assert at2.get("plotly_chart")                               # the heatmap of paris and london
