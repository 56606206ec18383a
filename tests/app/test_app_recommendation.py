"""AppTest: the Recommendation page (profile vectors, item2vec on baskets, uploads, URL state)."""
import base64
import json

import numpy as np

from tests.app.helpers import open_page

PAGE = "app_pages/11_Recommendation.py"


def _page(**query):
    return open_page(PAGE, timeout=120, **query)


def _figure(at, i):
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def _values(v):
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=float)


def test_food_preset_recommends_with_explanations_and_a_map():
    at = _page()
    table = at.dataframe[0].value
    assert table["recommended"].iloc[0] == "hamburger" and table["because you like"].iloc[0] == "burger"
    assert "salad" not in set(table["recommended"]) and len(table) == 10
    assert (np.diff(table["cosine to profile"].to_numpy()) <= 0).all()
    traces = {t["name"]: t for t in _figure(at, 0)["data"]}
    assert {"liked", "disliked", "recommended", "profile (user vector)"} <= set(traces)
    assert traces["liked"]["text"] == ["pizza", "pasta", "burger"]
    assert len(_values(traces["profile (user vector)"]["x"])) == 1


def test_presets_weight_and_unknown_word():
    at = _page()
    at.button(key="rec_preset_sports").click().run()
    assert at.text_input(key="rec_liked").value == "football tennis basketball"
    assert "soccer" in at.dataframe[0].value["recommended"].tolist()[:3]
    at.slider(key="rec_weight").set_value(0.0).run()
    assert at.query_params["w"] == "0.0" and at.query_params["like"] == "football tennis basketball"
    at.text_input(key="rec_liked").input("pizzza").run()
    assert not at.exception and "pizzza" in at.error[0].value
    assert at.metric[0].value == "18"                      # item2vec below still works


def test_item2vec_on_davis_events_and_women():
    at = _page()
    assert [m.value for m in at.metric] == ["18", "14", "4.9", "8"]
    near = at.dataframe[1].value
    assert list(near.columns) == ["item", "cosine", "baskets shared"] and len(near) == 8
    item_map = _figure(at, 1)
    assert sum(len(t["text"]) for t in item_map["data"]) == 14
    chosen = next(t for t in item_map["data"] if t["name"] == "chosen item")
    assert chosen["text"] == [at.selectbox(key="rec_item").value]
    at.radio(key="rec_baskets").set_value("women").run()
    assert not at.exception and at.metric[1].value == "18"
    assert "Evelyn Jefferson" in at.selectbox(key="rec_item").options


def test_bad_basket_upload_then_a_good_one():
    at = _page()
    at.radio(key="rec_baskets").set_value("upload").run()
    at.file_uploader(key="rec_upload").set_value(("b.csv", b"milk\ntea\n", "text/csv")).run()
    assert not at.exception and "item2vec needs at least two" in at.error[0].value
    assert at.dataframe[0].value["recommended"].iloc[0] == "hamburger"   # the page stays usable
    csv = b"order_id,item\n1,milk\n1,bread\n2,milk\n2,butter\n3,bread\n3,butter\n4,tea\n4,biscuits\n"
    at.file_uploader(key="rec_upload").set_value(("orders.csv", csv, "text/csv")).run()
    assert not at.exception and not at.error
    assert at.metric[0].value == "4" and at.metric[1].value == "5"


def test_url_parameters_restore_the_view():
    at = _page(like="dog cat", dislike="", w="1.0", k="5", baskets="women", item="Evelyn Jefferson", seed="3")
    assert at.text_input(key="rec_liked").value == "dog cat" and at.slider(key="rec_k").value == 5
    assert len(at.dataframe[0].value) == 5
    assert at.radio(key="rec_baskets").value == "women" and at.selectbox(key="rec_item").value == "Evelyn Jefferson"
    assert "seed 3" in at.main.caption[-1].value
