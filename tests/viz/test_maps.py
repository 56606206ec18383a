"""embedlab.viz.maps: the map scatter, side-by-side projections, selections, nearest in the picture."""
import numpy as np
import pytest

from embedlab import InvalidParameterError
from embedlab.viz.maps import compare_figure, map_figure, nearest_in_picture, selected_rows


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
    assert fig.data[0].marker.color == "#BBBBBB"                   # "other" is drawn light grey
    assert fig.data[1].marker.color != "#BBBBBB" != fig.data[2].marker.color
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


def test_a_coloured_map_puts_its_legend_below_the_plot():
    import numpy as np
    from embedlab.viz.maps import map_figure

    fig = map_figure(np.zeros((2, 2)), ["a", "b"], labels=["cluster 1: the, of, and", "cluster 2: dog, cat, cow"])
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0


def test_points_labelled_elsewhere_get_no_second_label():
    import numpy as np
    from embedlab.viz.maps import map_figure
    from embedlab.viz.presenter import presenter_style

    fig = map_figure(np.arange(6).reshape(3, 2), ["a", "b", "c"], labels=["x", "x", "y"], highlight=0,
                     neighbor_rows=[1, 2], labelled=[0, 1, 2])
    big = presenter_style(fig, label_limit=30)
    words = [t for tr in big.data if tr.name not in ("neighbours",) and not str(tr.name).startswith("searched")
             for t in (tr.text or ()) if t]
    assert words == [], words


def test_searched_words_neighbours_are_named_on_boxes_above_the_cloud_without_overlaps():
    """The neighbour labels were an SVG text trace, drawn under the WebGL cloud of a 5,000-word map
    (hidden under its dots at 1280x720): they are annotations now, which plotly draws above WebGL,
    placed so that no two overlap; the searched word's box stays the first annotation."""
    import numpy as np
    from embedlab.viz.labels import box_overlap, label_box
    from embedlab.viz.maps import map_figure

    rng = np.random.default_rng(0)
    coords = rng.normal(size=(3000, 2)).astype(np.float32)
    coords[1:11] = coords[0] + rng.normal(scale=0.02, size=(10, 2))       # ten neighbours in a knot
    tokens = [f"word{i}" for i in range(3000)]
    fig = map_figure(coords, tokens, labels=["other"] * 3000, highlight=0, neighbor_rows=list(range(1, 11)))
    nbrs = next(t for t in fig.data if t.name == "neighbours")
    assert nbrs.mode == "markers" and not nbrs.text
    assert fig.layout.annotations[0].text == "<b>word0</b>"
    notes = [a for a in fig.layout.annotations if a.name == "neighbour label"]
    assert 1 <= len(notes) < 10                         # a knot of ten: only those that fit are written
    assert {a.text for a in notes} <= {f"word{i}" for i in range(1, 11)}
    assert all(a.bgcolor and not a.showarrow for a in notes)
    # every placed label's box, in the pixel frame it was placed in, is clear of the others
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = (hi - lo) * 1.1
    boxes = []
    for a in notes:
        x = (a.x - lo[0] + 0.05 * (hi - lo)[0]) / span[0] * 620
        y = (a.y - lo[1] + 0.05 * (hi - lo)[1]) / span[1] * 440
        pos = {"bottom": "top", "top": "bottom", "middle": "middle"}[a.yanchor] + " " + \
            {"center": "center", "left": "right", "right": "left"}[a.xanchor]
        boxes.append(label_box(x, y, 0.58 * 16.25 * len(a.text) + 4, 1.2 * 16.25, 9, pos))
    assert all(box_overlap(a, b) == 0 for i, a in enumerate(boxes) for b in boxes[i + 1:])
    # one label per neighbour at most, and the figure without neighbours has the box only
    alone = map_figure(coords, tokens, labels=["other"] * 3000, highlight=0)
    assert [a.text for a in alone.layout.annotations] == ["<b>word0</b>"]


def test_the_searched_words_box_moves_off_its_neighbours_dots():
    """Presenter mode at 1280x720: "king"'s box, always above its star, covered the dots of the neighbours
    around it (and 3 of 10 neighbours had no room for a label); it now takes the clearest side."""
    from embedlab.viz.maps import _label_frame, _searched_box, searched_box_offset

    rng = np.random.default_rng(0)
    cloud = rng.normal(size=(300, 2)) * 0.2
    c = np.vstack([[[0.0, 0.0]], [[0.0, 0.1], [0.03, 0.1], [-0.03, 0.1]], cloud])      # neighbours just above
    tokens = ["king", "kings", "queen", "monarch"] + [f"w{i}" for i in range(300)]
    ranges, size = _label_frame(c)
    off = searched_box_offset(c, tokens, 0, [1, 2, 3], ranges=ranges, size=size)
    assert off != (0, 36)                                   # not above, where the neighbours are
    box = _searched_box(c, tokens, 0, off, ranges, size)
    fig = map_figure(c, tokens, highlight=0, neighbor_rows=[1, 2, 3])
    note = next(a for a in fig.layout.annotations if a.name == "searched label")
    assert (note.ax, note.ay) == (off[0], -off[1]) and 0 <= box[0] and box[2] <= size[0]
