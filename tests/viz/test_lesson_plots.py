"""embedlab.viz.lesson_plots: the one-hot memory chart speaks bytes (issue 12, item 10)."""
import re

from embedlab.lessons.onehot import table_sizes
from embedlab.viz.lesson_plots import byte_tick, sizes_figure


def test_memory_chart_ticks_are_bytes_in_kb_mb_gb_not_plotly_si():
    fig = sizes_figure(table_sizes()).to_dict()
    axis = fig["layout"]["yaxis"]
    assert axis["type"] == "log" and axis["range"][0] == 6
    labels = list(axis["ticktext"])
    assert labels[0] == "1 MB" and "1 GB" in labels and "1 TB" in labels
    assert all(re.fullmatch(r"(1|10|100) (MB|GB|TB|PB)", t) for t in labels), labels
    assert [10 ** int(round(__import__("math").log10(v))) for v in axis["tickvals"]] == list(axis["tickvals"])


def test_byte_tick():
    assert [byte_tick(v) for v in (1, 999, 1000, 10 ** 8, 10 ** 11)] == ["1 B", "999 B", "1 KB", "100 MB", "100 GB"]


def test_axis_titles_fit_their_panels_on_a_projector():
    """Issue 12 item 1: at 1024 px in presenter mode the token pipeline's three x titles ("dimension (0 … 383)")
    ran into each other and the Zipf chart's x title was cut at the right edge."""
    import numpy as np

    from embedlab.viz.lesson_plots import pipeline_figure
    from embedlab.viz.train_plots import rank_frequency_figure

    m = np.zeros((3, 384), dtype=np.float32)
    fig = pipeline_figure([("rows of E", m), ("+ positions", m), ("= LayerNorm", m)], ["a", "b", "c"])
    titles = [fig.layout[k].title.text for k in fig.layout if k.startswith("xaxis")]
    assert titles == ["dim 0…383"] * 3
    zipf = rank_frequency_figure(np.array([50, 20, 10, 5, 1]), ["a", "b", "c", "d", "e"])
    assert len(zipf.layout.xaxis.title.text) <= 36
