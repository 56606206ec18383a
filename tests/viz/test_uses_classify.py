"""embedlab.viz.uses_classify: the learning curve, the decision boundary, the recommendation and item maps."""
import numpy as np
import pytest

from embedlab import EmbeddingSet
from embedlab.lessons.classify import Features, LearningCurve, decision_boundary
from embedlab.lessons.recommend import Baskets, item2vec, recommend
from embedlab.viz.uses_classify import (boundary_figure, item_map_figure, label_positions,
                                        learning_curve_figure, recommendation_figure, short_text)


@pytest.fixture
def curve():
    acc = np.array([[[0.6, 0.8], [0.9, 1.0]], [[0.5, 0.5], [0.5, 0.5]]])   # 2 kinds x 2 sizes x 2 repeats
    return LearningCurve(("word-vectors", "one-hot"), (1, 10), acc, ("x", "y"), 3, 20, 0)


def test_learning_curve_lines_bands_chance_and_axes(curve):
    fig = learning_curve_figure(curve, labels={"one-hot": "<b>ids</b>"})
    lines = [t for t in fig.data if t.showlegend is not False]
    assert [t.name for t in lines] == ["dense: word vectors", "&lt;b&gt;ids&lt;/b&gt;", "chance (50%)"]
    assert list(lines[0].y) == pytest.approx([0.7, 0.95]) and list(lines[0].customdata) == pytest.approx([0.1, 0.05])
    band = fig.data[0]
    assert band.fill == "toself" and list(band.y) == pytest.approx([0.8, 1.0, 0.9, 0.6])   # mean ± sd, round trip
    assert list(lines[-1].y) == [0.5, 0.5] and lines[-1].line.dash == "dash"
    assert fig.layout.xaxis.type == "log" and list(fig.layout.xaxis.tickvals) == [1, 10]
    assert fig.layout.xaxis.title.text == "labelled examples per class"
    assert fig.layout.yaxis.title.text == "accuracy on held-out items"
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0      # below the plot


def _blobs():
    rng = np.random.default_rng(0)
    m = np.vstack([rng.normal([3, 0, 0], 0.3, (12, 3)), rng.normal([-3, 0, 0], 0.3, (12, 3))]).astype(np.float32)
    items = tuple(f"<i>w{i}</i>" for i in range(24))
    labels = ("a",) * 12 + ("b",) * 12
    return Features("word-vectors", tuple(range(24)), items, labels, m)


def test_boundary_figure_regions_roles_and_escaped_hover():
    db = decision_boundary(_blobs(), per_class=3, test_per_class=5, grid=20)
    fig = boundary_figure(db)
    heat = fig.data[0]
    assert heat.type == "heatmap" and set(np.unique(heat.z)) == {0, 1}
    names = [t.name for t in fig.data[1:]]
    assert "a: learned from" in names and "b: held out, right" in names
    assert "not used (neither learned from nor scored)" in names
    drawn = sum(len(t.x) for t in fig.data[1:])
    assert drawn == 24
    learned = next(t for t in fig.data if t.name == "a: learned from")
    assert len(learned.x) == 3 and all(h.startswith("&lt;i&gt;") for h in learned.hovertext)
    assert "PCA axis 1" in fig.layout.xaxis.title.text and fig.layout.legend.y < 0


def test_short_text():
    assert short_text("short") == "short" and short_text("x" * 100, 10) == "x" * 9 + "…"


@pytest.fixture
def shop():
    return EmbeddingSet(["a", "b", "c", "d", "<e>"], [[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.8, 0, 0.3],
                                                     [0, 0, 1]], name="shop")


def test_recommendation_figure_groups_profile_star_and_explanation_lines(shop):
    rec = recommend(shop, ["a"], ["c"], k=3)
    fig = recommendation_figure(shop, rec)
    by = {t.name: t for t in fig.data}
    assert list(by["liked"].text) == ["a"] and list(by["disliked"].text) == ["c"]
    assert list(by["recommended"].text) == [r.token if r.token != "<e>" else "&lt;e&gt;" for r in rec.items]
    assert by["profile (user vector)"].marker.symbol == "star" and len(by["profile (user vector)"].x) == 1
    lines = by["closest liked item"]
    assert len(lines.x) == 3 * len(rec.items)                    # one segment (2 points + a gap) per item
    # the liked point sits where its segment ends
    assert lines.x[1] == pytest.approx(by["liked"].x[0]) and lines.y[1] == pytest.approx(by["liked"].y[0])


def test_item_map_highlights_the_chosen_item_and_its_neighbours():
    baskets = Baskets("t", (("a", "b"), ("a", "b", "c"), ("c", "d"), ("d", "e"), ("a", "b")))
    emb = item2vec(baskets, dim=2, epochs=50, seed=0)
    fig = item_map_figure(emb, selected="a", neighbours=["b"])
    by = {t.name: t for t in fig.data}
    assert list(by["chosen item"].text) == ["a"] and list(by["its nearest neighbours"].text) == ["b"]
    assert sorted(by["items"].text) == ["c", "d", "e"]
    assert list(by["chosen item"].customdata) == [3]             # a is in 3 baskets: marker size and hover
    assert by["chosen item"].marker.size[0] > by["items"].marker.size[0]
    assert fig.layout.xaxis.title.text.startswith("PCA axis 1 of the item vectors")


def test_label_positions_keep_close_labels_apart():
    # three points in a row, closer than a label is wide: not all three labels above their points
    xy = np.array([[0.0, 0.5], [0.05, 0.5], [0.1, 0.5], [1.0, 0.0], [1.0, 1.0]])
    pos = label_positions(xy, ["basketball", "football", "volleyball", "x", "y"])
    assert len(set(pos[:3])) == 3
    assert label_positions(np.zeros((0, 2)), []) == []
