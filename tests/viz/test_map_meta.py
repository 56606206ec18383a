"""Metadata on the Map: colour columns, top values + other, numbers, filters, filtered views, and the
density layer of all points."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.viz.density import add_density, density_caption, density_grid, project_all
from embedlab.viz.map_meta import (NO_VALUE, category_colours, colour_columns, column_kind, describe_filter,
                                   filter_rows, filter_view, log_scale, number_range, number_values, top_values)
from embedlab.viz.map_points import map_view
from embedlab.viz.maps import map_figure


def _set(meta):
    n = len(next(iter(meta.values())))
    return EmbeddingSet([f"t{i}" for i in range(n)], np.eye(n, dtype=np.float32), meta=meta)


def test_colour_columns_kinds_and_skips():
    es = _set({"kind": ["word"] * 3, "genre": ["a", None, "b"], "n": [1, 2, None], "flag": [True, False, True],
               "empty": [None, None, None], "frequency": [5, 50_000, 7]})
    assert colour_columns(es, skip=("kind",)) == {"genre": "category", "n": "number", "flag": "category",
                                                  "frequency": "number"}
    assert column_kind([float("nan"), 2.5]) == "number" and column_kind([]) is None


def test_top_values_and_other_over_the_whole_column():
    col = ["x"] * 5 + ["y"] * 3 + ["z"] * 2 + ["w"] + [None]
    assert top_values(col, top=2) == [("x", 5), ("y", 3)]
    labels, order = category_colours(col, [0, 5, 8, 10, 11], top=2)   # the top is counted on all rows
    assert labels == ["x", "y", "other", "other", NO_VALUE]
    assert order == [NO_VALUE, "other", "x", "y"]
    fig = map_figure(np.zeros((5, 2), np.float32), list("abcde"), labels=labels, category_order=order,
                     hover_title="genre")
    names = [t.name for t in fig.data]
    assert names == ["no value (1)", "other (2)", "x (1)", "y (1)"]
    assert fig.data[0].marker.color == fig.data[1].marker.color == "#BBBBBB"
    assert fig.data[2].meta == ("genre", "x") and "%{meta[1]}" in fig.data[2].hovertemplate
    with pytest.raises(InvalidParameterError, match="top"):
        top_values(col, top=0)


def test_numbers_range_log_scale_and_colourbar():
    col = [1, None, 10_000, 3.5]
    assert np.array_equal(number_values(col, [3, 1, 0]), [3.5, np.nan, 1.0], equal_nan=True)
    assert number_range(col) == (1.0, 10_000.0) and log_scale(col) and not log_scale([0, 5000])
    fig = map_figure(np.zeros((2, 2), np.float32), ["a", "b"], values=[1.0, 2.0], value_title="year",
                     hover_title="year")
    assert fig.data[0].marker.colorbar.title.text == "year" and "%{marker.color" in fig.data[0].hovertemplate


def test_filters_by_values_and_range_leave_out_missing():
    col = ["a", "b", None, "a"]
    assert filter_rows(col, [0, 1, 2, 3], values=["a"]).tolist() == [True, False, False, True]
    assert filter_rows(col, [3, 2]).tolist() == [True, True]
    nums = [1, 5, None, 10]
    assert filter_rows(nums, [0, 1, 2, 3], value_range=(1, 5)).tolist() == [True, True, False, False]
    with pytest.raises(InvalidParameterError, match="one filter at a time"):
        filter_rows(col, [0], values=["a"], value_range=(0, 1))
    assert describe_filter("n", 2, 4, value_range=(1, 5)) == ("Filter 1 ≤ n ≤ 5: 2 of 4 drawn points shown (the "
                                                              "searched word and its neighbours always are).")


def test_filter_view_keeps_the_searched_word_and_maps_back_positions():
    coords = np.arange(12, dtype=np.float32).reshape(6, 2)
    view = map_view(coords, list("abcdef"), labels=list("xyxyxy"), highlight=4, neighbor_rows=[5])
    f = filter_view(view, [True, False, True, False, False, False])
    assert f.tokens == ("a", "c", "e", "f") and f.labels == ["x", "x", "x", "y"]
    assert f.highlight == 2 and f.neighbor_rows == (3,) and f.positions == (0, 2, 4, 5)
    assert np.array_equal(f.coords, coords[[0, 2, 4, 5]])
    assert filter_view(view, [True] * 6) is view
    zoomed = map_view(coords, list("abcdef"), highlight=4, neighbor_rows=[5, 1], isolate=True)
    z = filter_view(zoomed, [True, True, False])            # positions compose with a zoomed view
    assert z.tokens == ("e", "f", "b") and z.positions == (4, 5, 1)
    with pytest.raises(InvalidParameterError, match="one boolean per drawn point"):
        filter_view(view, [True])


def test_density_grid_counts_every_point_and_project_all_chunks():
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(10_000, 2)).astype(np.float32)
    d = density_grid(pts, bins=20)
    assert d.z.shape == (20, 20) and d.z.sum() == 10_000 and d.total == 10_000
    assert d.x[0] < d.x[-1] and d.z[10, 10] > d.z[0, 0]           # the middle is denser than a corner
    flat = density_grid(np.zeros((3, 2)), bins=2)                  # one point repeated: no zero-width range
    assert flat.z.sum() == 3
    v = rng.normal(size=(1000, 5)).astype(np.float32)
    from embedlab.space.projection import fit_pca

    fit = fit_pca(v[:100], dims=2)                 # the same plane's own (float64) transform, in chunks
    assert np.allclose(project_all(v, fit.mean, fit.components, chunk=333), fit.transform(v), atol=1e-4)
    with pytest.raises(InvalidParameterError, match="coords"):
        density_grid(np.zeros((3, 3)))


def test_density_layer_goes_under_the_points_without_hover_or_selection():
    fig = map_figure(np.zeros((3, 2), np.float32), ["a", "b", "c"], labels=["x", "x", "y"])
    n_before = len(fig.data)
    add_density(fig, density_grid(np.array([[0, 0], [1, 1], [1, 1]], np.float32), bins=2))
    assert len(fig.data) == n_before + 1
    layer = fig.data[0]
    assert isinstance(layer, go.Heatmap) and layer.hoverinfo == "skip" and layer.showscale is False
    z = np.asarray(layer.z, dtype=float)
    assert np.isnan(z[0, 1]) and z[1, 1] == pytest.approx(np.log1p(2))     # empty cells transparent
    assert [t.name for t in fig.data[1:]] == ["x (2)", "y (1)"]
    assert density_caption(60_000, 5_000) == "Shaded: where all 60,000 points lie; dots: the 5,000 drawn."


def test_projector_metadata_columns_can_colour_the_map():
    import io

    from embedlab.io.formats import read_vectors

    es = read_vectors(io.BytesIO(b"1\t0\n0\t1\n1\t1\n"), filename="vectors.tsv",
                      metadata=io.BytesIO(b"word\tpos\tcount\ncat\tnoun\t12\nrun\tverb\t3\nsun\tnoun\t40000\n"))
    assert colour_columns(es) == {"pos": "category", "count": "number"}
    assert category_colours(es.meta["pos"], [0, 1, 2]) == (["noun", "verb", "noun"], ["noun", "verb"])
    assert log_scale(es.meta["count"])
