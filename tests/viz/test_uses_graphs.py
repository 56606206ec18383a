"""embedlab.viz.uses_graphs: graph drawings, the node map, probe, TransE and relation-arrow figures."""
import numpy as np
import pytest

from embedlab.lessons.graphs import Graph
from embedlab.lessons.knowledge import TransEModel, Triple
from embedlab.viz.presenter import presenter_style
from embedlab.viz.uses_graphs import (LABEL_LIMIT, graph_figure, label_mask, link_prediction_figure,
                                      node_map_figure, probe_figure, relation_arrows_figure, transe_loss_figure)


RANGES = ((-4.0, 4.0), (-4.0, 4.0))


def _pixels(xy, width_px=300, height_px=380):
    (x0, x1), (y0, y1) = RANGES
    return (xy[:, 0] - x0) / (x1 - x0) * width_px, (xy[:, 1] - y0) / (y1 - y0) * height_px


def _boxes(xy, labels, keep, font_px=15.0):
    px, py = _pixels(xy)
    return [(px[i] - 0.31 * font_px * len(labels[i]), py[i] + 10, px[i] + 0.31 * font_px * len(labels[i]),
             py[i] + 10 + 1.25 * font_px) for i in np.flatnonzero(keep)]


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_label_mask_never_keeps_two_overlapping_labels_and_prefers_priority():
    rng = np.random.default_rng(0)
    xy = rng.uniform(-3.5, 3.5, size=(40, 2))
    xy[39] = (0.0, 0.0)                                       # the highest priority, in the middle
    labels = [f"node{i}" for i in range(40)]
    prio = np.arange(40)
    keep = label_mask(xy, labels, priority=prio, ranges=RANGES)
    assert 3 < keep.sum() < 40 and keep[39]                   # the highest priority is labelled first
    boxes = _boxes(xy, labels, keep)
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[2] <= 300 and a[3] <= 380      # inside the plot
        for b in boxes[i + 1:]:
            assert not _overlap(a, b)                          # no two labels overlap
    px, py = _pixels(xy)
    for box, i in zip(boxes, np.flatnonzero(keep)):           # and no label covers another node's marker
        assert not any(_overlap(box, (px[j] - 10, py[j] - 10, px[j] + 10, py[j] + 10)) for j in range(40) if j != i)
    far = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], dtype=float)
    assert label_mask(far, list("abcd")).all()
    assert label_mask(np.zeros((0, 2)), []).shape == (0,)


def _graph(names=("a", "<b>b</b>", "c", "d"), labels=("x", "x", "y", "y")):
    edges = np.array([[0, 1], [1, 2], [2, 3]], dtype=np.int64)
    return Graph(name="g", origin="hand-built", nodes=tuple(names), edges=edges,
                 weights=np.ones(3, dtype=np.float32), labels=tuple(labels), label_name="group")


def test_graph_figure_draws_edges_groups_labels_and_escapes_names():
    g = _graph()
    xy = np.array([[0, 0], [1, 0], [2, 0], [3, 0]], dtype=np.float32)
    fig = graph_figure(g, xy, highlight=[0, 1])
    names = [t.name for t in fig.data]
    assert names == ["link", "x", "y", "chosen + nearest", "labels"]
    assert list(fig.data[0].x) == [0, 1, None, 1, 2, None, 2, 3, None]
    assert "&lt;b&gt;b&lt;/b&gt;" in fig.data[-1].text and "<b>" not in "".join(fig.data[-1].text)
    assert fig.layout.annotations[0].text == "<b>a</b>"          # the chosen node (row 0), escaped inside the bold
    chosen = graph_figure(g, xy, highlight=[1]).layout.annotations[0].text
    assert chosen == "<b>&lt;b&gt;b&lt;/b&gt;</b>"
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.margin.b >= 10 + 2 * 24      # room reserved below the plot for two legend rows
    # presenter mode must not label every node itself (the labels that fit are already there)
    big = presenter_style(fig)
    assert [t.mode for t in big.data if t.name in ("x", "y")] == ["markers", "markers"]


def test_large_graphs_are_not_labelled_and_the_map_names_its_axes():
    n = LABEL_LIMIT + 1
    g = Graph(name="big", origin="", nodes=tuple(f"n{i}" for i in range(n)),
              edges=np.array([[i, i + 1] for i in range(n - 1)], dtype=np.int64),
              weights=np.ones(n - 1, dtype=np.float32))
    xy = np.random.default_rng(1).normal(size=(n, 2)).astype(np.float32)
    assert "labels" not in [t.name for t in graph_figure(g, xy).data]
    fig = node_map_figure(xy, g.nodes, None, np.ones(n), explained=(0.25, 0.125))
    assert fig.layout.xaxis.title.text == "PC 1 (25% of the spread)"
    assert fig.layout.yaxis.title.text == "PC 2 (12% of the spread)"
    assert [t.name for t in fig.data] == ["node"]


def test_probe_loss_and_link_prediction_figures():
    fig = probe_figure(0.9, 0.5, 0.55, spread=0.05)
    assert [t.x[0] for t in fig.data] == [0.9, 0.55, 0.5] and fig.data[0].text[0] == "90% ± 5%"
    loss = transe_loss_figure({"a": [3.0, 2.0, 1.0], "<i>b</i>": [1.0]})
    assert [t.name for t in loss.data] == ["a", "&lt;i&gt;b&lt;/i&gt;"] and list(loss.data[0].x) == [1, 2, 3]
    lp = link_prediction_figure([("m1", "seen", 0.8), ("m1", "unseen", 0.1), ("m2", "seen", 0.9)], 0.02)
    assert [t.name for t in lp.data] == ["m1", "m2", "chance"]
    assert list(lp.data[2].y) == [0.02, 0.02] and list(lp.data[0].y) == [0.8, 0.1]


def test_relation_arrows_are_parallel_for_an_exact_translation():
    rng = np.random.default_rng(0)
    heads = rng.normal(size=(5, 6)).astype(np.float32)
    r = np.array([2, 0, 0, 0, 0, 0], dtype=np.float32)
    E = np.vstack([heads, heads + r])
    ents = tuple(f"h{i}" for i in range(5)) + tuple(f"t{i}" for i in range(5))
    model = TransEModel(ents, ("rel",), E, r[None], (), 1.0)
    triples = [Triple(f"h{i}", "rel", f"t{i}") for i in range(5)] + [Triple("h0", "other", "t1")]
    fig = relation_arrows_figure(model, triples, "rel", max_pairs=4)
    arrows = fig.layout.annotations
    assert len(arrows) == 5                                   # 4 pairs + the relation vector
    steps = np.array([[a.x - a.ax, a.y - a.ay] for a in arrows])
    np.testing.assert_allclose(steps[1:], steps[:1].repeat(4, axis=0), atol=1e-4)   # all the same step
    assert fig.layout.xaxis.title.text.startswith("PC 1")
    empty = relation_arrows_figure(model, triples, "missing")
    assert "no pair" in empty.layout.annotations[0].text


@pytest.mark.parametrize("bad", ["<script>", "a&b"])
def test_arrow_labels_are_escaped(bad):
    E = np.eye(4, dtype=np.float32)
    model = TransEModel((bad, "t", "h2", "t2"), ("r",), E, np.zeros((1, 4), np.float32), (), 1.0)
    fig = relation_arrows_figure(model, [Triple(bad, "r", "t"), Triple("h2", "r", "t2")], "r")
    texts = [t for tr in fig.data for t in (tr.text or ())]
    assert bad not in texts and bad.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in texts
