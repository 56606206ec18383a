"""AppTest: an uploaded set whose tokens and file name are markup is shown as text on Map and Neighbours.

AppTest gives the Markdown *source* of each element; the source must carry the escaped text
(``ui.text.md_text``) and the figures escaped plotly text. What a real browser shows is checked in
tests/browser/test_hostile_tokens.py.
"""
from __future__ import annotations

import json

import numpy as np

from tests.app.helpers import open_page
from tests.viz.test_html_safety import assert_text_only
from ui.text import md_text

TOKENS = ("<script>window.__xss=1</script>", '<img src=x onerror="window.__xss=2">', "<b>bold</b>", "**star**",
          "a&b", ":red[x]", "$x$", "[link](https://example.com)", "apple", "pear", "stone", "rock")
SET_FILE = "**hostile** <i>set.txt"
SET_NAME = "**hostile** <i>set"


def hostile_vectors() -> bytes:
    """word2vec text: the markup tokens close together, four plain words apart."""
    rng = np.random.default_rng(0)
    vecs = rng.normal(scale=0.1, size=(len(TOKENS), 4))
    vecs[:8, 0] += 1.0          # markup tokens
    vecs[8:, 1] += 1.0          # plain words
    lines = [f"{len(TOKENS)} 4"] + [t + " " + " ".join(f"{x:.4f}" for x in v) for t, v in zip(TOKENS, vecs)]
    return ("\n".join(lines) + "\n").encode()


def _with_hostile_set(page: str):
    from ui.setup import UPLOAD_KEY

    at = open_page(page, timeout=180)
    at.file_uploader(key=UPLOAD_KEY).set_value((SET_FILE, hostile_vectors(), "text/plain")).run()
    assert not at.exception
    assert at.sidebar.selectbox[0].value == SET_NAME
    caption = " ".join(c.value for c in at.sidebar.caption)
    assert md_text(SET_NAME) in caption and SET_NAME not in caption
    return at


def _charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


class _Spec:   # assert_text_only wants something with .to_dict()
    def __init__(self, spec):
        self.spec = spec

    def to_dict(self):
        return self.spec


def test_map_shows_hostile_tokens_as_text():
    at = _with_hostile_set("app_pages/1_Map.py")
    at.text_input(key="map_query").input("<b>bold</b>").run()
    assert not at.exception and not at.error
    heads = [m.value for m in at.markdown if m.value.startswith("**Neighbours of")]
    assert heads == [f"**Neighbours of “{md_text('<b>bold</b>')}”**"]
    assert heads[0] == "**Neighbours of “\\<b>bold\\</b>”**"
    nn = at.dataframe[0].value["full space"].tolist()        # a table shows the raw token
    assert set(nn[:3]) <= set(TOKENS[:8])
    assert_text_only(_Spec(_charts(at)[0]), tokens=TOKENS)
    # a lasso selection of three points lists them as text
    spec = _charts(at)[0]
    rows = [r for t in spec["data"] if t.get("customdata") for r in t["customdata"]][:3]
    at.session_state["map_chart"] = {"selection": {"points": [{"customdata": [r]} for r in rows],
                                                   "point_indices": rows, "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    listed = [m.value for m in at.markdown if "\\<" in m.value or "\\*" in m.value or "\\&" in m.value]
    assert listed, [m.value for m in at.markdown]
    assert all("<b>bold</b>" not in v and "**star**" not in v for v in listed)


def test_neighbours_shows_hostile_tokens_as_text():
    at = _with_hostile_set("app_pages/2_Neighbours.py")
    at.text_area(key="nb_words").input("apple pear").run()          # the default words are not in this set
    for query in ("<b>bold</b>", "**star**", "[link](https://example.com)"):
        at.text_input(key="nb_query").input(query).run()
        assert not at.exception and not at.error
        assert at.subheader[0].value == f"Nearest to {md_text(query)}"
        assert query not in at.subheader[0].value
        found = at.dataframe[0].value["token"].tolist()          # a table shows the raw tokens
        assert set(found[:3]) <= set(TOKENS[:8]) - {query}
        bar = [s for s in _charts(at) if s["data"][0]["type"] == "bar"][0]
        assert_text_only(_Spec(bar), tokens=found)
    # the unknown-word error names the typed text as text
    at.text_input(key="nb_query").input("<i>nope</i>").run()
    assert not at.exception
    assert "\\<i>nope\\</i>" in at.error[0].value and "<i>nope</i>" not in at.error[0].value
    # the heatmap of typed words: escaped tick labels
    at.text_area(key="nb_words").input("<b>bold</b> **star** a&b apple").run()
    heat = [s for s in _charts(at) if s["data"][0]["type"] == "heatmap"][0]
    assert heat["data"][0]["x"] == ["&lt;b&gt;bold&lt;/b&gt;", "**star**", "a&amp;b", "apple"]
