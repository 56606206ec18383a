"""Taking a view home: the Map page's HTML and Parquet buttons, and ui.export's deferred HTML."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from embedlab.viz import map_figure
from embedlab.viz.export import external_urls
from tests.app.helpers import open_page
from ui import export, map_export


def test_the_map_page_offers_html_and_parquet_next_to_the_csv():
    at = open_page("app_pages/1_Map.py", q="king")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:3] == ["Download the drawn coordinates (CSV)", "Download this view (HTML, works offline)",
                          "Download the drawn coordinates (Parquet)"]


def test_html_button_makes_the_file_only_when_clicked(monkeypatch):
    got = {}
    monkeypatch.setattr(export.st, "download_button", lambda label, data, **kw: got.update(label=label, data=data, **kw))
    fig = map_figure(np.array([[0, 0], [1, 1]], dtype=np.float32), ["king", "<b>queen</b>"])
    export.html_button(fig, title="Map of minilm-words", caption=["Drawn: <all>"], file_name="m.html", key="k")
    assert callable(got["data"]) and got["on_click"] == "ignore" and got["mime"] == "text/html"
    fig.data[0].x = [5, 5]                                  # later changes to the figure do not leak in
    page = got["data"]().decode()
    assert "<p>Drawn: &lt;all&gt;</p>" in page and external_urls(page) == [] and '"x":[5,5]' not in page


def test_parquet_button_writes_the_table_and_its_settings(monkeypatch):
    got = {}
    monkeypatch.setattr(export.st, "download_button", lambda label, data, **kw: got.update(label=label, data=data, **kw))
    table = pd.DataFrame({"token": ["king", "=1+1"], "x": np.float32([1, 2]), "y": np.float32([3, 4])})
    export.parquet_button(table, file_name="t.parquet", key="p", metadata={"set": "minilm-words"})
    assert callable(got["data"]) and got["on_click"] == "ignore"
    table.loc[0, "token"] = "changed later"                   # the button keeps the table it was given
    t = pq.read_table(io.BytesIO(got["data"]()))
    assert t.column("token").to_pylist() == ["king", "=1+1"] and t.schema.metadata[b"set"] == b"minilm-words"


def test_map_caption_says_what_is_shown_and_how():
    lines = map_export.caption(set_name="minilm-words", origin="MiniLM", method="UMAP", dims=2,
                               drawn="the 1,000 most frequent of 22,501 tokens", colour="k-means clusters",
                               query="king")
    assert "embedding set minilm-words (MiniLM)" in lines[0] and "into 2-D with UMAP" in lines[0]
    assert lines[1] == ("Drawn: the 1,000 most frequent of 22,501 tokens. Colour: k-means clusters. "
                        "Searched: king (with its nearest neighbours).")
