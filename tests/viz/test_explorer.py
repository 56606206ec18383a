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
    """Issue 12 item 1: the answers' labels (queen, monarch, kings) lay on top of 'b: king', and the
    arrows struck through 'b: king' and 'c: woman'. The labels are boxed annotations now (drawn above
    the arrows), placed by viz.labels apart from each other and from the arrows where there is room."""
    from embedlab.viz.labels import box_overlap, label_box, place_labels

    # four labels on almost the same spot get four different positions around it
    spots = place_labels(np.array([[0, 0], [0.001, 0], [0, 0.001], [0.001, 0.001], [9, 9]]),
                         ["b: king", "queen", "kings", "monarch", "far"], ranges=((-2, 11), (-2, 11)),
                         always=range(5))
    assert len(set(spots[:4])) == 4 and spots[4] == "top center"
    plane = analogy_plane(toy_set, "man", "king", "woman", ["queen"], n_context=2)
    fig = analogy_figure(plane)
    assert all(t.mode in ("markers", "lines") for t in fig.data)        # no text traces under the arrows
    from embedlab.viz.presenter import presenter_style
    # presenter mode does not write the hover names a second time beside the boxed labels
    assert all(t.mode in ("markers", "lines") for t in presenter_style(fig).data)
    notes = [a for a in fig.layout.annotations if a.name == "analogy label"]
    texts = [a.text for a in notes]
    assert texts[:4] == ["a: man", "b: king", "c: woman", "b − a + c"] and texts[4:] == ["queen"]
    assert all(a.bgcolor and a.xref == "x" and a.yref == "y" for a in notes)
    labels_after_arrows = [i for i, a in enumerate(fig.layout.annotations) if a.name == "analogy label"]
    arrows = [i for i, a in enumerate(fig.layout.annotations) if a.showarrow]
    assert min(labels_after_arrows) > max(arrows)                            # drawn on top of the arrows
    answer = next(a for a in notes if a.text == "queen")
    assert answer.font.color != notes[0].font.color                         # answers keep their colour


def test_analogy_labels_avoid_the_arrows_when_there_is_room():
    """A square parallelogram: at each corner two arrows leave, and the label goes to the free side
    (without the arrows as obstacles a and b would be labelled above, on the upward arrows)."""
    from embedlab.viz.explorer import AnalogyPlane, _analogy_labels

    c = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 3.0], [4.0, 3.0], [5.5, 1.5]])
    plane = AnalogyPlane(("man", "king", "woman", "b − a + c", "queen"), ("a", "b", "c", "b − a + c", "answer"), c, 0.5)
    notes = _analogy_labels(c, plane, [0, 1, 2], 3, [4])
    assert [n["text"] for n in notes] == ["a: man", "b: king", "c: woman", "b − a + c", "queen"]
    def side(n):          # where the label lies relative to its point
        return {"bottom": "above", "top": "below"}.get(n["yanchor"]) or {"left": "right", "right": "left"}[n["xanchor"]]
    # the arrows leave a upwards and rightwards, b upwards and leftwards, c down and right, b − a + c down and left
    blocked = [{"above", "right"}, {"above", "left"}, {"below", "right"}, {"below", "left"}]
    assert all(side(n) not in b for n, b in zip(notes, blocked)), [(n["text"], side(n)) for n in notes]


def test_two_axes_keep_bands_for_the_poles_and_words_labelled_apart():
    # seen at 1280x720 in presenter mode: "↑ rich+wealth+e…" covered the highest word (lawyer), and
    # "teacher" was written over "secretary"'s dot just above it
    pos = np.array([[-0.045, 0.08], [0.05, -0.056], [0.058, -0.069], [0.17, -0.048], [0.13, -0.14]])
    words = ["lawyer", "secretary", "teacher", "maid", "nurse"]
    fig = axes_figure(words, pos, ["man → woman", "poor → rich"])
    y0, y1 = fig.layout.yaxis.range
    span = pos[:, 1].max() - pos[:, 1].min()
    assert y1 - pos[:, 1].max() >= 0.18 * span - 1e-6 and pos[:, 1].min() - y0 >= 0.12 * span - 1e-6
    spots = list(fig.data[0].textposition)
    assert len(spots) == len(words) and spots[1] != spots[2]          # secretary and teacher apart
    assert fig.data[0].hovertemplate.startswith("<b>%{customdata}</b>")
