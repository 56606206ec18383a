"""The Compare page: two sets of the session aligned (a rotated copy: overlap 1; a shuffled one: low), a word
highlighted in both maps, the built-in word2vec / fastText pair."""
from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from embedlab import EmbeddingSet
from tests.app.helpers import APP, plotly_specs

PAGE = "app_pages/15_Compare.py"
WORDS = [f"word{a}{b}" for a in "abcdefghijklmnop" for b in "abcdefghijklmnop"]      # 256 words


def _sets() -> dict:
    rng = np.random.default_rng(0)
    v = rng.standard_normal((len(WORDS), 16)).astype(np.float32)
    q, _ = np.linalg.qr(rng.standard_normal((16, 16)))
    return {"toy-a": EmbeddingSet(WORDS, v, name="toy-a"),
            "toy-rotated": EmbeddingSet(WORDS, (v @ q).astype(np.float32), name="toy-rotated"),
            "toy-shuffled": EmbeddingSet(WORDS, v[rng.permutation(len(WORDS))], name="toy-shuffled")}


def _open(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["user_sets"] = _sets()
    at.query_params.update(query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_a_rotated_copy_aligns_with_full_overlap_and_zero_error():
    at = _open(pair="sets", a="toy-a", b="toy-rotated", q="wordcd")
    m = _metrics(at)
    assert m["Mean overlap of the top-10 neighbours"] == "1.000" and m["Alignment error"] == "0.000"
    assert m["Words compared"] == "256"
    fig = plotly_specs(at)[0]
    titles = [a["text"] for a in fig["layout"]["annotations"] if "A:" in a["text"] or "B:" in a["text"]]
    assert titles == ["A: toy-a", "B: toy-rotated, rotated onto A"]
    searched = [t for t in fig["data"] if (t.get("name") or "").startswith("searched")]
    assert len(searched) == 2                                     # the word highlighted in both maps
    assert "✓ marks a word in both lists: 10 of 10." in [c.value for c in at.caption]


def test_a_shuffled_copy_does_not_align_and_lists_the_words_that_differ():
    at = _open(pair="sets", a="toy-a", b="toy-rotated")
    at.selectbox(key="cmp_b").set_value("toy-shuffled").run()
    assert not at.exception
    m = _metrics(at)
    assert float(m["Mean overlap of the top-10 neighbours"]) < 0.2 and float(m["Alignment error"]) > 1.0
    table = at.dataframe[0].value
    assert len(table) == 15 and table["top-10 overlap"].is_monotonic_increasing
    assert at.query_params["b"] in ("toy-shuffled", ["toy-shuffled"])


def test_a_word_not_in_both_sets_is_named():
    at = _open(pair="sets", a="toy-a", b="toy-rotated", q="zebra")
    assert any("“zebra” is not among the words both spaces have" in w.value for w in at.warning)


def test_the_built_in_pair_is_compared_out_of_the_box():
    at = _open(q="government")
    m = _metrics(at)
    overlap = float(m["Mean overlap of the top-10 neighbours"])
    assert 0.0 < overlap < 0.5                     # word2vec and fastText on a small text: neighbours differ
    assert m["Words compared"] == "2,000"
    assert any(c.value.startswith("A: lee-word2vec-50d") for c in at.caption)
    assert [s.value for s in at.subheader if s.value.startswith("Neighbours of")] == ["Neighbours of “government”"]
