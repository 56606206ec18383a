import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.space.clusters import kmeans_labels
from embedlab.viz.plots import (GREY, analogy_figure, analogy_plane, axes_figure, compare_figure, map_figure,
                            nearest_in_picture, neighbor_bar, selected_rows, similarity_heatmap)


@pytest.fixture
def cloud():
    rng = np.random.default_rng(0)
    return rng.normal(size=(40, 2)).astype(np.float32), [f"w{i}" for i in range(40)]


def test_map_one_trace_per_group_other_grey_customdata_rows(cloud):
    coords, toks = cloud
    labels = ["other"] * 40
    labels[3] = labels[7] = "animals"
    labels[5] = "colours"
    fig = map_figure(coords, toks, labels=labels)
    names = [t.name for t in fig.data]
    assert names == ["other (37)", "animals (2)", "colours (1)"]
    assert fig.data[0].marker.color == GREY
    assert fig.data[1].marker.color != GREY != fig.data[2].marker.color
    assert list(fig.data[1].customdata) == [3, 7]
    assert list(fig.data[1].hovertext) == ["w3", "w7"]
    assert fig.data[1].type == "scattergl"
    assert fig.layout.showlegend is True


def test_map_highlight_labels_and_lines(cloud):
    coords, toks = cloud
    fig = map_figure(coords, toks, highlight=2, neighbor_rows=[4, 9], axis_titles=("PC 1", "PC 2"))
    names = [t.name for t in fig.data]
    assert "searched: w2" in names and "2 nearest (full space)" in names
    lines = fig.data[names.index("2 nearest (full space)")]
    assert list(lines.x) == [coords[2, 0], coords[4, 0], None, coords[2, 0], coords[9, 0], None]
    assert fig.layout.xaxis.title.text == "PC 1"


def test_map_values_and_3d(cloud):
    coords, toks = cloud
    fig = map_figure(coords, toks, values=np.linspace(0, 1, 40), value_title="kept")
    assert fig.data[0].marker.showscale and fig.data[0].showlegend is not False
    fig3 = map_figure(np.zeros((3, 3)), ["a", "b", "c"], highlight=0, neighbor_rows=[1])
    assert {t.type for t in fig3.data} == {"scatter3d"}
    with pytest.raises(InvalidParameterError, match="must match"):
        map_figure(coords, toks[:5])
    with pytest.raises(InvalidParameterError, match="one number per point"):
        map_figure(coords, toks, values=[1, 2])


def test_selection_payload_shapes():
    payload = {"selection": {"points": [{"curve_number": 1, "point_index": 0, "customdata": {"0": 17}},
                                        {"customdata": [4]}, {"customdata": 9}, {"customdata": [4]},
                                        {"point_index": 3}]}}
    assert selected_rows(payload) == [17, 4, 9]
    assert selected_rows({"selection": {"points": []}}) == []
    assert selected_rows({}) == []


def test_nearest_in_picture():
    c = np.array([[0, 0], [3, 0], [1, 0], [0, 2]], dtype=np.float32)
    assert nearest_in_picture(c, 0, 2).tolist() == [2, 3]
    assert nearest_in_picture(c, 0, 10).tolist() == [2, 3, 1]


def test_compare_highlights_in_every_panel(cloud):
    coords, toks = cloud
    fig = compare_figure({"PCA": coords, "UMAP": coords * 2}, toks, highlight=1, neighbor_rows=[2])
    stars = [t for t in fig.data if (t.name or "").startswith("searched")]
    assert len(stars) == 2 and {t.xaxis for t in stars} == {"x", "x2"}


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


def test_kmeans_labels_sorted_by_size_and_validated():
    rng = np.random.default_rng(0)
    v = np.vstack([rng.normal(0, 0.05, (30, 3)) + [5, 0, 0], rng.normal(0, 0.05, (10, 3)) + [0, 5, 0]])
    labels = kmeans_labels(v, k=2, seed=0)
    assert (labels[:30] == 0).all() and (labels[30:] == 1).all()
    with pytest.raises(InvalidParameterError, match="between 2 and 40"):
        kmeans_labels(v, k=41)


def test_kmeans_centres_assign_new_points_to_their_cluster():
    from embedlab.space.clusters import assign_clusters, kmeans_fit

    rng = np.random.default_rng(0)
    v = np.vstack([rng.normal(0, 0.05, (30, 3)) + [5, 0, 0], rng.normal(0, 0.05, (10, 3)) + [0, 5, 0]])
    res = kmeans_fit(v, k=2, seed=0)
    assert res.centers.shape == (2, 3)
    assert assign_clusters(np.array([[0.0, 4.0, 0.1], [3.0, 0.2, 0.0]]), res).tolist() == [1, 0]
