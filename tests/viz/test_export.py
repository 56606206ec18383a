"""embedlab.viz.export: one self-contained, offline HTML file per figure."""
import json
import re

import numpy as np
import plotly.graph_objects as go

from embedlab.viz import map_figure
from embedlab.viz.export import NAMESPACE_URIS, external_urls, figure_html

HOSTILE = '<img src="https://evil.example/x.png" onerror=alert(1)>'


def _fig(third="prince"):
    coords = np.array([[0, 0], [1, 1], [2, 0]], dtype=np.float32)
    return map_figure(coords, ["king", "queen", third], axis_titles=["PC 1", "PC 2"])


def test_the_file_embeds_plotly_and_points_nowhere_outside():
    fig = _fig()
    before = fig.to_json()
    page = figure_html(fig, title="Map of minilm-words", caption=["PCA, 2-D", "the 3 most frequent words"]).decode()
    assert fig.to_json() == before                                  # the figure is not changed
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "plotly.js v" in page and "Plotly.newPlot" in page        # the library itself, inside the file
    assert not re.search(r"(?i)<script[^>]+src\s*=", page)           # no script loaded from anywhere
    assert not re.search(r"(?i)<link\b", page) and "cdn.plot.ly" not in page
    assert external_urls(page) == []
    assert "http://www.w3.org/2000/svg" in page and all(u.startswith("http://www.w3.org/") for u in NAMESPACE_URIS)


def test_caption_and_tokens_are_escaped():
    page = figure_html(_fig(HOSTILE), title="<b>set</b> & co", caption=[f"set: {HOSTILE}", "method: pca"]).decode()
    assert "<title>&lt;b&gt;set&lt;/b&gt; &amp; co</title>" in page
    assert "<p>set: &lt;img src=&quot;" in page and "<p>method: pca</p>" in page
    assert HOSTILE not in page                                       # neither in the caption nor in the data
    # the token is in the figure's data, escaped for plotly's SVG text (&lt;img ...)
    data = json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*\{", page, re.S).group(1))
    texts = [t for trace in data for t in (trace.get("hovertext") or [])]
    assert "king" in texts and any(t.startswith("&lt;img") for t in texts)
    # the token's own address is kept as text (plotly shows it; it is never a src), nothing else points out
    found = external_urls(page)
    assert found and all(u.startswith("https://evil.example/x.png") for u in found)
    assert "about:blank" not in "".join(texts)


def test_external_urls_finds_every_kind_of_address():
    text = ('"https://a.example/x" \'http://b.example\' (wss://c.example/s) ftp://d.example '
            '"http://www.w3.org/1999/xlink"')
    assert external_urls(text) == ["https://a.example/x", "http://b.example", "wss://c.example/s", "ftp://d.example"]


def test_height_comes_from_the_figure():
    fig = go.Figure(go.Scatter(x=[1], y=[1]))
    fig.update_layout(height=432)
    assert 'height:432px' in figure_html(fig, title="t").decode().replace(" ", "")
