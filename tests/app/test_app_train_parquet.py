"""AppTest: a trained set downloads as Parquet, and its word counts colour the Map on a log scale."""
from __future__ import annotations

import io
import json

import pyarrow.parquet as pq

from tests.app.test_app_train import open_page, sync, train_fast  # noqa: F401  (sync is a fixture)


def test_trained_set_exports_parquet_and_its_frequencies_colour_the_map(sync):  # noqa: F811
    at = train_fast(open_page())
    assert not at.exception
    es = at.session_state["user_sets"]["toy-word2vec-16d"]
    button = next(b for b in at.get("download_button") if b.proto.label == "Parquet")
    assert button.proto.label == "Parquet"
    from embedlab.io.formats import table_bytes

    table = pq.read_table(io.BytesIO(table_bytes(es)))
    assert table.column_names == ["token", "vector", "frequency"] and table.num_rows == len(es)
    assert table.column("frequency").to_pylist() == list(es.meta["frequency"])
    at.switch_page("app_pages/1_Map.py").run()
    assert not at.exception
    assert "column: frequency" in at.selectbox(key="map_colour").options
    at.selectbox(key="map_colour").set_value("meta:frequency").run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    (trace,) = [t for t in spec["data"] if t.get("customdata") is not None]
    counts = es.meta["frequency"]
    title = trace["marker"]["colorbar"]["title"]["text"]
    assert title == ("log₁₀ frequency" if min(counts) > 0 and max(counts) >= 1000 * min(counts) else "frequency")
