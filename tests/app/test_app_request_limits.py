"""AppTest: a pasted list of thousands of words costs no more than the figure's limit (issue 11 item 6)."""
import json

import pytest

import embedlab
from embedlab.lessons import onehot
from embedlab.viz.explorer import MAX_AXIS_WORDS, MAX_HEATMAP_WORDS
from tests.app.helpers import open_page


@pytest.fixture(scope="module")
def many_words():
    es = embedlab.load(embedlab.DEFAULT_SET)
    words = [t for t in es.tokens if t.isalpha() and t.islower()][:3000]
    assert len(words) == 3000
    return words


def _figures(at, kind):
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [s for s in specs if s["data"] and s["data"][0]["type"] == kind]


def test_neighbours_heatmap_of_3000_words_draws_the_first_50_and_says_so(many_words):
    at = open_page("app_pages/2_Neighbours.py")
    at.text_area(key="nb_words").input(" ".join(many_words)).run(timeout=60)
    assert not at.exception
    heat = _figures(at, "heatmap")[0]
    assert heat["data"][0]["x"] == many_words[:MAX_HEATMAP_WORDS]
    assert any(f"first {MAX_HEATMAP_WORDS} of 3,000 words" in w.value for w in at.warning)


def test_one_hot_page_takes_at_most_its_limit(many_words):
    at = open_page("app_pages/5_One_hot_vs_dense.py")
    at.text_input(key="oh_words").input(" ".join(many_words[:500])).run(timeout=60)
    assert not at.exception and not at.error
    heat = _figures(at, "heatmap")[0]
    assert len(heat["data"][0]["x"]) == onehot.MAX_WORDS
    assert any(f"first {onehot.MAX_WORDS} of 500 words" in w.value for w in at.warning)


def test_semantic_axes_place_at_most_their_limit(many_words):
    at = open_page("app_pages/4_Semantic_axes.py")
    at.text_area(key="ax_words").input(" ".join(many_words[:1000])).run(timeout=60)
    assert not at.exception and not at.error
    assert any(f"first {MAX_AXIS_WORDS} of 1,000 words" in w.value for w in at.warning)


def test_hundreds_of_unknown_words_are_all_named_but_only_a_few_get_suggestions():
    unknown = [f"zq{i}xw" for i in range(300)]
    at = open_page("app_pages/2_Neighbours.py")
    at.text_area(key="nb_words").input("cat dog " + " ".join(unknown)).run(timeout=60)
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    assert "zq0xw" in text and "zq49xw" not in text      # cut to the heatmap's 50 words first
    heat = _figures(at, "heatmap")[0]
    assert heat["data"][0]["x"] == ["cat", "dog"]
