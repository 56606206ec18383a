"""AppTest: a Parquet upload's metadata colours and filters the Map; the URL keeps it; a set too
large to draw gets the density layer of all its points."""
import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tests.app.helpers import open_page, plotly_array

PAGE = "app_pages/1_Map.py"
GENRES = ["comedy"] * 20 + ["drama"] * 12 + ["horror"] * 8


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _films() -> bytes:
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(40, 6)).astype(np.float32)
    return _parquet(pa.table({
        "title": [f"film{i}" for i in range(40)],
        "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vecs.ravel()), 6),
        "genre": GENRES,
        "year": [1980 + i for i in range(40)],
    }))


def _upload(at, name: str, data: bytes, *, load: bool = True):
    """Upload a table in the sidebar; with ``load``, press *Load this table* if the column pickers ask."""
    from ui.setup import UPLOAD_KEY

    at.file_uploader(key=UPLOAD_KEY).set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    button = [b for b in at.button if b.label == "Load this table"]
    if load and button:
        button[0].click().run()
        assert not at.exception, at.exception
    return at


def _map(at) -> dict:
    charts = [c for c in at.get("plotly_chart") if "map_chart" in (c.proto.id or "")] or at.get("plotly_chart")
    return json.loads(charts[0].proto.spec)


def _points(spec) -> dict:
    return {t["name"]: t for t in spec["data"] if t.get("customdata") is not None}


def test_colour_by_a_category_column_legend_below_with_value_in_hover():
    at = _upload(open_page(PAGE, timeout=180), "films.parquet", _films())
    box = at.selectbox(key="map_colour")
    assert "column: genre" in box.options and "column: year" in box.options
    box.set_value("meta:genre").run()
    assert not at.exception
    spec = _map(at)
    traces = _points(spec)
    assert set(traces) == {"comedy (20)", "drama (12)", "horror (8)"}
    assert sorted(traces["horror (8)"]["hovertext"]) == sorted(f"film{i}" for i in range(32, 40))
    assert traces["drama (12)"]["meta"] == ["genre", "drama"] and "%{meta[0]}: %{meta[1]}" in \
        traces["drama (12)"]["hovertemplate"]
    assert spec["layout"]["legend"]["orientation"] == "h" and spec["layout"]["legend"]["y"] < 0
    assert at.query_params["color"] == "meta:genre"


def test_filter_a_category_and_the_url_keeps_it():
    at = _upload(open_page(PAGE, timeout=180), "films.parquet", _films())
    at.selectbox(key="map_colour").set_value("meta:genre").run()
    at.multiselect(key="map_only_genre").set_value(["drama", "horror"]).run()
    assert not at.exception
    traces = _points(_map(at))
    assert set(traces) == {"drama (12)", "horror (8)"}
    assert "Filter genre ∈ {drama, horror}: 20 of 40 drawn points shown" in " ".join(c.value for c in at.caption)
    assert json.loads(at.query_params["only"]) == ["drama", "horror"]
    # a link with another filter (opened in this session, where the set is loaded) restores it
    at.query_params["only"] = json.dumps(["comedy"])
    at.run()
    assert set(_points(_map(at))) == {"comedy (20)"}
    assert at.multiselect(key="map_only_genre").value == ["comedy"]


def test_colour_by_a_numeric_column_colourbar_and_range_filter():
    at = _upload(open_page(PAGE, timeout=180), "films.parquet", _films())
    at.selectbox(key="map_colour").set_value("meta:year").run()
    assert not at.exception
    spec = _map(at)
    (trace,) = _points(spec).values()
    assert trace["marker"]["showscale"] is True and trace["marker"]["colorbar"]["title"]["text"] == "year"
    years = plotly_array(trace["marker"]["color"])
    order = [int(t[4:]) for t in trace["hovertext"]]
    assert years.tolist() == [1980 + i for i in order]
    assert "%{marker.color" in trace["hovertemplate"]
    at.slider(key="map_range_year").set_value((1990, 1999)).run()
    assert not at.exception
    (trace,) = _points(_map(at)).values()
    assert sorted(trace["hovertext"]) == sorted(f"film{i}" for i in range(10, 20))
    assert at.query_params["range"] == "1990~1999"
    at.query_params["range"] = "2010~2019"
    at.run()
    (trace,) = _points(_map(at)).values()
    assert sorted(trace["hovertext"]) == sorted(f"film{i}" for i in range(30, 40))


def test_column_pickers_when_a_table_has_a_choice():
    two = _parquet(pa.table({"name": ["a", "b", "c"], "code": ["x", "y", "z"],
                             "emb": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "alt": [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]}))
    at = _upload(open_page(PAGE, timeout=180), "two.parquet", two, load=False)
    vec = next(s for s in at.selectbox if s.label == "Vector column")
    lab = next(s for s in at.selectbox if s.label == "Label column")
    assert vec.options == ["emb", "alt"] and vec.value == "emb"
    assert lab.options == ["name", "code"] and lab.value == "name"
    assert "two" not in " ".join(c.value for c in at.sidebar.caption)     # not read yet: waiting for Load
    vec.set_value("alt")
    lab.set_value("code")
    next(b for b in at.button if b.label == "Load this table").click().run()
    assert not at.exception
    caption = " ".join(c.value for c in at.sidebar.caption)
    assert "3 tokens × 2 dimensions" in caption and "vectors from column 'alt'" in caption
    assert "labels from 'code'" in caption


def test_a_set_beyond_the_drawing_limit_gets_a_density_layer():
    n, d = 60_000, 4
    vecs = np.random.default_rng(1).normal(size=(n, d)).astype(np.float32)
    big = _parquet(pa.table({"token": [f"w{i}" for i in range(n)],
                             "emb": pa.FixedSizeListArray.from_arrays(pa.array(vecs.ravel()), d)}))
    at = _upload(open_page(PAGE, timeout=180, color="none"), "big.parquet", big)
    spec = _map(at)
    heat = spec["data"][0]
    assert heat["type"] == "heatmap" and heat["hoverinfo"] == "skip" and heat["showscale"] is False
    z = np.asarray(heat["z"], dtype=float) if not isinstance(heat["z"], dict) else plotly_array(heat["z"])
    assert z.size == 80 * 80
    assert "Shaded: where all 60,000 points lie; dots: the 5,000 drawn." in " ".join(c.value for c in at.caption)
