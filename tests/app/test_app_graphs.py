"""AppTest: the Graphs page (DeepWalk on networkx's graphs and uploaded edge lists)."""
import numpy as np

from tests.app.helpers import open_page, plotly_array, plotly_specs

PAGE = "app_pages/12_Graphs.py"


def _page(**query):
    return open_page(PAGE, timeout=120, **query)


def _groups(fig):
    """{group name: number of nodes} from the node traces of a graph or map figure."""
    return {t["name"]: len(t["hovertext"]) for t in fig["data"]
            if t.get("mode") == "markers" and t.get("hovertext") and t["name"] != "chosen node and its neighbours"}


def _percent(metric) -> float:
    return int(metric.value.rstrip("%")) / 100


def test_karate_club_factions_drawn_embedded_and_probed():
    at = _page()
    graph, node_map, probe = plotly_specs(at)
    assert _groups(graph) == {"Mr. Hi": 17, "Officer": 17} == _groups(node_map)
    edges = [t for t in graph["data"] if t["name"] == "link"][0]
    assert len(edges["x"]) == 78 * 3                          # every friendship drawn (x, x, None)
    labels = [t for t in graph["data"] if t["name"] == "labels"][0]
    assert 10 <= len(labels["text"]) <= 33 and "33" not in labels["text"]
    assert [a["text"] for a in graph["layout"]["annotations"]] == ["<b>33</b>"]     # the chosen node, on top
    assert [a["text"] for a in node_map["layout"]["annotations"]] == ["<b>33</b>"]
    assert node_map["layout"]["xaxis"]["title"]["text"].startswith("PC 1 (")
    assert graph["layout"]["legend"]["yref"] == "container" and graph["layout"]["margin"]["b"] > 40
    assert node_map["layout"]["showlegend"] is False                     # drawn beside the graph: one legend
    # the check: DeepWalk vectors know the two factions (seed 0: 0.97), far above both baselines
    acc, rand, common = (_percent(m) for m in at.metric)
    assert acc >= 0.85 and acc > rand + 0.2 and acc > common + 0.3
    bars = {t["name"]: float(plotly_array(t["x"])[0]) for t in probe["data"]}
    assert abs(bars["DeepWalk vectors"] - acc) <= 0.005 and abs(bars["random vectors (chance)"] - rand) <= 0.005
    table = at.dataframe[0].value
    assert at.selectbox(key="gr_node").value == "33" and len(table) == 5
    assert set(table["faction"]) <= {"Mr. Hi", "Officer"} and (table["faction"] == "Officer").sum() >= 4
    assert "→" in at.code[0].value and len(at.code[0].value.splitlines()) == 3
    assert any("known answer" in c.value for c in at.caption)


def test_new_parameters_in_the_form_and_another_graph():
    at = _page()
    before = plotly_array(plotly_specs(at)[1]["data"][0]["x"])
    at.slider(key="gr_walks").set_value(5)
    at.select_slider(key="gr_dim").set_value(16)
    at.button[0].click().run()                                # "Run DeepWalk" (the form's submit button)
    assert not at.exception
    assert at.query_params["walks"] == "5" and at.query_params["dim"] == "16"
    assert not np.allclose(before, plotly_array(plotly_specs(at)[1]["data"][0]["x"]))
    assert any("5 walks of 20 nodes" in c.value for c in at.caption)
    at.selectbox(key="gr_graph").set_value("les-miserables").run()
    assert not at.exception
    graph = plotly_specs(at)[0]
    assert sum(_groups(graph).values()) == 77 and "Valjean's group" in _groups(graph)
    assert at.selectbox(key="gr_node").value == "Valjean"     # the node list follows the graph
    assert any("not a ground truth" in c.value for c in at.caption)


def test_bad_upload_shows_an_error_and_a_good_one_is_embedded():
    at = _page(graph="upload")
    assert at.info and "Upload an edge list" in at.info[0].value
    at.file_uploader(key="gr_upload").set_value(("bad.csv", b"a,b\nc\n", "text/csv")).run()
    assert not at.exception
    assert "line 2" in at.error[0].value and "two node names" in at.error[0].value
    assert at.selectbox(key="gr_graph").value == "upload"          # the page is still there
    rows = "\n".join(f"{g}{i},{g}{j}" for g in "xy" for i in range(6) for j in range(i + 1, 6)) + "\nx0,y0\n"
    at.file_uploader(key="gr_upload").set_value(("two.csv", rows.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    assert sum(_groups(plotly_specs(at)[0]).values()) == 12
    at.file_uploader(key="gr_upload").set_value(("bin.csv", b"\x00\x01\x02", "text/csv")).run()
    assert "not a text file" in at.error[0].value


def test_a_large_upload_is_embedded_but_not_drawn():
    at = _page(graph="upload", walks="2", length="10")
    ring = "\n".join(f"n{i},n{(i + 1) % 1600}" for i in range(1600)).encode()
    at.file_uploader(key="gr_upload").set_value(("ring.csv", ring, "text/csv")).run()
    assert not at.exception and not at.error
    assert "too many to draw" in at.info[0].value
    (node_map, _probe) = plotly_specs(at)
    assert node_map["layout"]["showlegend"] is not False                 # the map keeps the legend then
    assert not [t for t in node_map["data"] if t["name"] == "labels"]       # and no labels on 1,600 nodes


def test_url_restores_graph_node_and_parameters():
    at = _page(graph="florentine", node="Strozzi", dim="8", window="3", seed="7")
    assert at.selectbox(key="gr_graph").value == "florentine"
    assert at.selectbox(key="gr_node").value == "Strozzi"
    assert (at.select_slider(key="gr_dim").value, at.slider(key="gr_window").value,
            at.number_input(key="gr_seed").value) == (8, 3, 7)
    assert any("8 dimensions, window 3, seed 7" in c.value for c in at.caption)
    assert at.dataframe[0].value.columns[-1] == "linked to Strozzi"
    at = _page(graph="davis")
    assert any("DeepWalk does not learn kinds" in c.value for c in at.caption)
    at = _page(graph="nonsense", walks="900")
    assert at.selectbox(key="gr_graph").value == "karate" and at.slider(key="gr_walks").value == 10
