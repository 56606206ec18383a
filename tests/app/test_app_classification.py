"""AppTest: the Classification page (learning curves, the 2-D decision boundary, uploads, URL state)."""
import base64
import json

import numpy as np

from tests.app.helpers import open_page

PAGE = "app_pages/10_Classification.py"


def _page(**query):
    return open_page(PAGE, timeout=180, **query)


def _values(v):
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=float)


def _figure(at, i):
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def _curve(at):
    """{trace name: {x: y}} of the learning-curve lines (the bands have no legend entry)."""
    fig = _figure(at, 0)
    return {t["name"]: dict(zip(_values(t["x"]).astype(int).tolist(), _values(t["y"]).tolist()))
            for t in fig["data"] if t.get("showlegend", True) is not False}


def test_polarity_dense_beats_bag_of_words_and_the_plane_is_said_to_lose_sentiment():
    at = _page()
    lines = _curve(at)
    dense, bow = lines["dense: MiniLM sentence vectors"], lines["bag-of-words counts"]
    chance = next(v for k, v in lines.items() if k.startswith("chance"))
    assert set(chance.values()) == {0.5}
    assert dense[10] > bow[10] + 0.05 and dense[50] > 0.65
    assert any("10 random splits" in c.value and "seed 0" in c.value for c in at.main.caption)
    assert "2-D plane keeps almost nothing" in at.warning[0].value and "sentiment" in at.warning[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Accuracy in the 2-D plane"][:-1]) <= 60
    wrong = at.dataframe[0].value
    assert list(wrong.columns) == ["item", "label", "predicted (2-D)"] and len(wrong) > 10
    assert (wrong["label"] != wrong["predicted (2-D)"]).all()
    names = {t.get("name") for t in _figure(at, 1)["data"]}
    assert {"neg: learned from", "pos: held out, wrong"} <= names


def test_word_categories_dense_generalises_one_hot_stays_at_chance_and_presets():
    at = _page()
    at.radio(key="cls_source").set_value("words").run()
    assert not at.exception
    assert "currency" not in at.multiselect(key="cls_cats").value
    lines = _curve(at)
    assert lines["dense: word vectors"][10] > 0.9
    assert set(lines["one-hot ids"].values()) == {0.2}      # 5 classes: exactly chance
    assert "Why one-hot cannot generalise" in at.info[0].value
    at.button(key="cls_preset_country_2").click().run()
    assert at.multiselect(key="cls_cats").value == ["country", "capital"]
    assert set(_curve(at)["one-hot ids"].values()) == {0.5}
    assert at.query_params["cats"] == "country,capital" and at.query_params["data"] == "words"


def test_bad_upload_is_an_error_and_a_good_one_is_classified():
    at = _page()
    at.radio(key="cls_source").set_value("upload").run()
    at.file_uploader(key="cls_upload").set_value(("one.csv", b"text,label\ngood,pos\nfine,pos\n", "text/csv")).run()
    assert not at.exception and "only one class" in at.error[0].value
    assert at.radio(key="cls_source").value == "upload"          # the page is still there
    rows = ["text,label"] + [f"{w},fruit" for w in "apple banana cherry grape lemon mango peach pear".split()] \
        + [f"{w},animal" for w in "dog cat horse cow sheep goat lion tiger".split()]
    at.file_uploader(key="cls_upload").set_value(("words.csv", "\n".join(rows).encode(), "text/csv")).run()
    at.radio(key="cls_kind").set_value("words").run()
    assert not at.exception and not at.error
    lines = _curve(at)
    assert lines["dense: word vectors"][2] > 0.8 and set(lines["one-hot ids"].values()) == {0.5}


def test_url_parameters_restore_the_view():
    at = _page(data="words", cats="family,us-state", splits="5", plane="0", per="5")
    assert at.radio(key="cls_source").value == "words"
    assert at.multiselect(key="cls_cats").value == ["family", "us-state"]
    assert at.slider(key="cls_repeats").value == 5 and at.select_slider(key="cls_per").value == 5
    assert at.toggle(key="cls_dense").value is False
    assert any("5 random splits" in c.value for c in at.main.caption)
    assert "one-hot ids in their 2-D PCA plane" in _figure(at, 1)["layout"]["title"]["text"]
