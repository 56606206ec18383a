"""AppTest: the Map page."""
import json

from tests.app.helpers import open_page

PAGE = "app_pages/1_Map.py"


def _page(**query):
    return open_page(PAGE, timeout=180, **query)


def _traces(at, key="map_chart"):
    charts = [c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id] or at.get("plotly_chart")
    return json.loads(charts[0].proto.spec)["data"]


def _captions(at):
    return " ".join(c.value for c in at.caption)


def test_the_trustworthiness_is_measured_after_the_figure_is_sent_unless_it_colours_it(monkeypatch):
    # a cold server's first Map: the figure goes to the browser first, which draws it while the server
    # measures the distortion (0.7 s for 5,000 points); the distortion colouring needs it before
    import ui.figures
    from ui import cached

    order = []
    real_chart, real_distortion = ui.figures.plotly_chart, cached.distortion
    monkeypatch.setattr(ui.figures, "plotly_chart", lambda *a, **k: order.append("chart") or real_chart(*a, **k))
    monkeypatch.setattr(cached, "distortion", lambda *a, **k: order.append("distortion") or real_distortion(*a, **k))
    at = _page()
    assert order[-2:] == ["chart", "distortion"], order
    assert "Trustworthiness of this picture" in _captions(at)
    order.clear()
    at.selectbox(key="map_colour").set_value("distortion").run()
    assert order.index("distortion") < order.index("chart") and not at.exception


def test_default_pca_map_of_5000_frequent_words_with_clusters_and_trustworthiness(words):
    at = _page()
    assert f"the 5,000 most frequent of {len(words):,} tokens" in _captions(at)
    assert "Trustworthiness of this picture" in _captions(at)
    traces = _traces(at)
    clusters = [t for t in traces if t["name"].startswith("cluster ")]
    assert len(clusters) == 8 and all(t["type"] == "scattergl" for t in clusters)
    assert sum(len(t["customdata"]) for t in clusters) == 5000
    assert "PC 1" in json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]["title"]["text"]


def test_typed_group_colours_its_words_rest_grey():
    at = _page()
    at.selectbox(key="map_colour").set_value("groups").run()
    at.text_area(key="map_groups").input("animals: cat dog horse\nfruit: apple pear").run()
    assert not at.exception
    traces = {t["name"]: t for t in _traces(at)}
    assert sorted(traces["animals (3)"]["hovertext"]) == ["cat", "dog", "horse"]
    assert sorted(traces["fruit (2)"]["hovertext"]) == ["apple", "pear"]
    other = [t for name, t in traces.items() if name.startswith("other (")]
    assert len(other) == 1 and other[0]["marker"]["color"] == "#BBBBBB"
    assert len(other[0]["customdata"]) >= 4995
    assert traces["animals (3)"]["marker"]["color"] != "#BBBBBB"


def test_search_compares_full_space_and_picture_neighbours():
    at = _page()
    at.text_input(key="map_query").input("king").run()
    table = at.dataframe[0].value
    assert "queen" in table["full space"].tolist()
    assert len(table) == 10 and list(table.columns) == ["full space", "cosine", "in the picture"]
    # every cosine with 3 decimals (0.690, not 0.69 beside 0.627)
    assert json.loads(at.dataframe[0].proto.columns)["cosine"]["type_config"]["format"] == "%.3f"
    names = [t["name"] for t in _traces(at)]
    assert "searched: king" in names and "10 nearest (full space)" in names


def test_rare_searched_word_is_added_to_the_drawn_points():
    at = _page(n="1000")
    at.text_input(key="map_query").input("monarchy").run()
    assert not at.exception
    assert "not among them" in _captions(at)
    star = [t for t in _traces(at) if t["name"] == "searched: monarchy"]
    assert star and star[0]["hovertext"] == ["monarchy"]


def test_selection_lists_tokens_in_both_payload_shapes():
    at = _page(n="1000", color="none")
    tokens = [tok for t in _traces(at) for tok in t["hovertext"]]
    at.session_state["map_chart"] = {"selection": {"points": [{"customdata": {"0": 0}}, {"customdata": [2]}],
                                                   "point_indices": [0, 2], "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    selected = [m.value for m in at.markdown if m.value.startswith("**Selected")]
    assert selected == ["**Selected: 2 words**"]
    assert f"{tokens[0]}, {tokens[2]}" in [m.value for m in at.markdown]


def test_query_params_restore_the_view_and_unknown_word_errors():
    at = _page(n="2000", color="kind", q="queen", k="5", dims="3")
    assert at.selectbox(key="map_n").value == 2000
    assert at.radio(key="map_dims").value == 3
    assert len(at.dataframe[0].value) == 5
    assert any(t["type"] == "scatter3d" for t in _traces(at, "map_chart3d"))
    at.text_input(key="map_query").input("qqqzx").run()
    assert not at.exception and "qqqzx" in at.error[0].value
    assert at.query_params["q"] == "qqqzx"


def test_umap_tsne_and_side_by_side_with_distortion_overlay():
    at = _page(n="1000", q="king", color="distortion")
    at.radio(key="map_method").set_value("umap").run()
    assert not at.exception
    traces = _traces(at)
    assert traces[0]["marker"]["showscale"] is True
    assert "UMAP 1" in json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]["title"]["text"]
    at.toggle(key="map_compare").set_value(True).run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles[:3] == ["PCA (instant)", "UMAP", "t-SNE"]
    assert titles.count("<b>king</b>") == 3
    assert sum(t["name"] == "searched: king" for t in spec["data"]) == 3


def test_tiny_uploaded_set_still_maps():
    from ui.setup import UPLOAD_KEY

    at = _page()
    tiny = b"4 2\napple 1.0 0.0\npear 0.9 0.1\nstone 0.0 1.0\nrock 0.1 0.9\n"
    at.file_uploader(key=UPLOAD_KEY).set_value(("tiny.txt", tiny, "text/plain")).run()
    assert not at.exception
    at.text_input(key="map_query").input("apple").run()
    assert not at.exception
    assert "all 4 tokens" in _captions(at)
    assert at.dataframe[0].value["full space"].tolist()[0] == "pear"


def test_large_set_draws_a_sample_says_so_and_search_finds_any_token(monkeypatch):
    """Above the drawing limit "all" is not offered (a URL's n=all falls back to 5,000), the caption
    says the picture is a sample, and a token far outside the sample is found and drawn."""
    import numpy as np
    from ui.setup import UPLOAD_KEY

    n, d = 60_000, 4
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(n, d)).astype(np.float32)
    vecs[n - 1] = vecs[n - 2] + 0.001          # the last token's nearest neighbour is known
    lines = [f"{n} {d}"] + [f"w{i} " + " ".join(f"{x:.4f}" for x in v) for i, v in enumerate(vecs)]
    at = _page(n="all", color="none")
    at.file_uploader(key=UPLOAD_KEY).set_value(("big.txt", "\n".join(lines).encode(), "text/plain")).run()
    assert not at.exception
    box = at.selectbox(key="map_n")
    assert "all" not in box.options and "5,000 most frequent" in box.options
    assert box.value == 5000
    caption = _captions(at)
    assert "5,000 most frequent of 60,000 tokens" in caption
    assert "A sample for drawing: the search box finds any of the 60,000 tokens" in caption
    at.text_input(key="map_query").input(f"w{n - 1}").run()
    assert not at.exception
    assert at.dataframe[0].value["full space"].tolist()[0] == f"w{n - 2}"
    drawn = [t for tr in _traces(at) for t in (tr.get("hovertext") or tr.get("text") or [])]
    assert f"w{n - 1}" in drawn and f"w{n - 2}" in drawn


def test_a_capitalised_search_finds_the_word_and_says_so():
    at = _page()
    at.text_input(key="map_query").input("King").run()
    assert not at.error and not at.exception
    assert "Matched ignoring case: King → king." in _captions(at)
    assert "queen" in at.dataframe[0].value["full space"].tolist()
    assert "searched: king" in [t["name"] for t in _traces(at)]


def _coords_by_token(at, key="map_chart"):
    """token -> (x, y) of every point drawn in the map's first traces (hover text = token)."""
    from tests.app.helpers import plotly_array

    out = {}
    for tr in _traces(at, key):
        toks = tr.get("hovertext")
        if not toks or "x" not in tr:
            continue
        for t, x, y in zip(toks, plotly_array(tr["x"]), plotly_array(tr["y"])):
            out.setdefault(t, (float(x), float(y)))
    return out


def test_umap_layout_is_fitted_once_and_a_search_moves_no_drawn_point():
    """Issue 12 item 3: in UMAP mode a new search does not refit; every base point stays put and a
    searched word outside the base is placed among its neighbours."""
    at = _page(n="1000", color="none", method="umap")
    assert not at.exception
    before = _coords_by_token(at)
    assert len(before) == 1000
    at.text_input(key="map_query").input("king").run()
    assert not at.exception
    after_king = _coords_by_token(at)
    at.text_input(key="map_query").input("zebra").run()     # not among the 1,000 most frequent
    assert not at.exception
    after_zebra = _coords_by_token(at)
    assert "zebra" in after_zebra and "zebra" not in before
    for t, xy in before.items():
        assert after_king[t] == xy and after_zebra[t] == xy, t


def test_clusters_named_by_central_words_and_comparison_keeps_the_colours():
    """Issue 12 item 4: k-means legend entries name the cluster's most central words; the
    side-by-side view draws the same categories."""
    at = _page(n="1000", q="king")
    names = [t["name"] for t in _traces(at) if t["name"].startswith("cluster ")]
    assert len(names) == 8 and all(n.count(",") == 2 for n in names), names
    at.toggle(key="map_compare").set_value(True).run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    cats = {t["name"] for t in spec["data"] if t.get("mode") == "markers" and t.get("legendgroup") != "nn"}
    assert sum(c.startswith(tuple(f"cluster {i}: " for i in range(1, 9))) for c in cats) == 8


def test_small_sets_group_words_and_isolated_neighbours_are_labelled():
    """Issue 12 item 4: <= 300 drawn points are all labelled; typed group words are labelled;
    'zoom to neighbours' draws only the searched word and its neighbours, each labelled."""
    at = _page(n="1000", color="groups")
    labels = [t for t in _traces(at) if t.get("name") == "labels"]
    assert labels and {"cat", "france", "red"} <= set(labels[0]["text"])
    at.text_input(key="map_query").input("king").run()
    at.toggle(key="map_isolate").set_value(True).run()
    assert not at.exception
    traces = _traces(at)
    drawn = {t for tr in traces if tr.get("mode") != "lines" for t in (tr.get("hovertext") or [])}
    assert "king" in drawn and len(drawn) == 11, drawn
    # a label is a trace's text or (the searched word's neighbours, placed apart: viz.labels) an annotation
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    written = ({t for tr in traces for t in (tr.get("text") or [])} | {a.get("text") for a in layout.get("annotations", [])}
               | {"king"})
    assert drawn <= written, drawn - written


def test_a_tiny_set_labels_every_point():
    from ui.setup import UPLOAD_KEY

    at = _page(color="none")
    words = [f"w{i}" for i in range(50)]
    body = "50 3\n" + "\n".join(f"{w} {i % 7}.0 {i % 5}.0 {i % 3}.0" for i, w in enumerate(words))
    at.file_uploader(key=UPLOAD_KEY).set_value(("small.txt", body.encode(), "text/plain")).run()
    assert not at.exception
    labels = [t for t in _traces(at) if t.get("name") == "labels"]
    assert labels and set(labels[0]["text"]) == set(words)


def test_3d_axis_titles_are_short_enough_to_read():
    """Issue 12 item 4: a 3-D scene clips long axis titles; they are short and the caveat is a caption."""
    at = _page(n="1000", dims="3", method="pca", color="none")
    assert not at.exception
    scene = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["scene"]
    titles = [scene[f"{a}axis"]["title"]["text"] for a in "xyz"]
    assert all(t.startswith("PC ") and len(t) <= 14 for t in titles), titles
    assert "share of the spread" in _captions(at)
