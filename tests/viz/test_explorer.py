"""embedlab.viz.explorer: neighbour bars, the similarity heatmap, the analogy plane, semantic axes."""
import numpy as np
import pytest

from embedlab import InvalidParameterError
from embedlab.viz.explorer import analogy_figure, analogy_plane, axes_figure, neighbor_bar, similarity_heatmap


def test_bar_and_heatmap():
    fig = neighbor_bar(["a", "b"], [0.9, 0.5], metric="euclidean")
    assert "Euclidean" in fig.layout.xaxis.title.text
    assert list(fig.data[0].y) == ["a", "b"]
    h = similarity_heatmap(np.array([[1, 0.2], [0.2, 1]]), ["x", "y"])
    assert h.data[0].zmin == -1 and h.data[0].zmax == 1
    with pytest.raises(InvalidParameterError, match="does not match"):
        similarity_heatmap(np.eye(3), ["x", "y"])


def test_analogy_plane_keeps_parallelogram(toy_set):
    plane = analogy_plane(toy_set, "man", "king", "woman", ["queen"], n_context=0)
    assert plane.roles[:5] == ("a", "b", "c", "b − a + c", "answer")
    c = plane.coords
    # a linear projection keeps the parallelogram: a -> b is the same arrow as c -> b - a + c
    np.testing.assert_allclose(c[1] - c[0], c[3] - c[2], atol=1e-5)
    # all five points lie in one plane here, so distances are kept: queen is nearest to b - a + c
    d = np.linalg.norm(c - c[3], axis=1)
    assert d[4] < d[0] and d[4] < d[2]
    assert 0 < plane.explained <= 1
    fig = analogy_figure(plane)
    assert "answers" in [t.name for t in fig.data]


def test_axes_figure_sorted_and_titled():
    fig = axes_figure(["a", "b", "c"], np.array([[0.3], [-0.1], [0.1]]), ["man → woman"])
    assert list(fig.data[0].y) == ["b", "c", "a"]
    assert fig.layout.xaxis.title.text == "man  ←   → woman"
    fig2 = axes_figure(["a", "b"], np.array([[0.3, 0.1], [-0.1, 0.2]]), ["p → q", "r → s"])
    assert fig2.layout.yaxis.title.text == "r  ←   → s"
    with pytest.raises(InvalidParameterError, match="matching the axes"):
        axes_figure(["a"], np.zeros((1, 2)), ["p → q"])


def test_axes_poles_are_written_at_the_axis_ends():
    """Issue 12 item 13 (presenter part): the pole words were only in a small mid-axis title."""
    fig = axes_figure(["a", "b"], np.array([[0.3], [-0.1]]), ["man → woman"])
    poles = [a for a in fig.layout.annotations if a.name == "pole"]
    assert [(a.x, a.xanchor, a.text) for a in poles] == [(0, "left", "<b>← man</b>"), (1, "right", "<b>woman →</b>")]
    assert all(a.font.size > fig.layout.font.size for a in poles)
    fig2 = axes_figure(["a", "b"], np.array([[0.3, 0.1], [-0.1, 0.2]]), ["p → q", "r → s"])
    texts = [a.text for a in fig2.layout.annotations if a.name == "pole"]
    assert texts[2:] == ["<b>↓ r</b>", "<b>↑ s</b>"]
    hostile = axes_figure(["a"], np.array([[0.1]]), ["<b>x</b> → y"])
    assert "<b>x</b>" not in hostile.layout.annotations[0].text                # user text escaped
    long = axes_figure(["a"], np.array([[0.1]]), ["man+he+him+his+boy → woman+she+her+hers+girl"])
    assert [a.text for a in long.layout.annotations if a.name == "pole"] == [
        "<b>← man+he+him+hi…</b>", "<b>woman+she+her… →</b>"]               # long poles cut, not clipped


def test_analogy_labels_are_placed_apart(toy_set):
    """Issue 12 item 1: the answers' labels (queen, monarch, kings) lay on top of 'b: king'."""
    from embedlab.viz.explorer import label_spots

    # four labels on almost the same spot get four different positions around it
    spots = label_spots(np.array([[0, 0], [0.001, 0], [0, 0.001], [0.001, 0.001], [9, 9]]), ["b: king", "queen", "kings", "monarch", "far"])
    assert len(set(spots[:4])) == 4 and spots[4] == "top center"
    plane = analogy_plane(toy_set, "man", "king", "woman", ["queen"], n_context=2)
    fig = analogy_figure(plane)
    labelled = [t for t in fig.data if t.mode == "markers+text"]
    assert all(isinstance(t.textposition, (tuple, list, str)) for t in labelled)
    assert next(t for t in labelled if t.name == "answers").textposition[0] in (
        "top center", "bottom center", "middle right", "middle left", "top right", "bottom left", "top left", "bottom right")
