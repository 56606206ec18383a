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


def test_memory_chart_legend_lies_below_the_plot_not_on_its_title():
    """Presenter mode at 1280x720: the legend sat above the plot, on the title "Memory for the whole
    vocabulary"; it is below the x title now, also once presenter mode has re-placed it."""
    from embedlab.viz.presenter import presenter_style

    for fig in (sizes_figure(table_sizes()), presenter_style(sizes_figure(table_sizes()))):
        legend = fig.layout.legend
        assert legend.orientation == "h" and legend.y < 0 and legend.yanchor == "top"
        assert fig.layout.margin.b >= 120                # room for it under the x title


def test_context_figure_writes_only_labels_that_fit_and_one_y_title():
    """Presenter mode at 1280x720: in the contextual panel every word was written "top center", and the
    words of four sentences piled up around the stars; the right panel's y title sat on the left
    panel's labels. Now the stars are always named, the other words only where their label fits
    (hover names the rest), and only the left panel has a y title."""
    from types import SimpleNamespace

    import numpy as np

    from embedlab.viz.lesson_plots import context_figure

    rng = np.random.default_rng(0)
    words = [f"w{s}{i}" for s in range(4) for i in range(12)]
    outputs, k = [], 0
    for s in range(4):
        toks = ("[CLS]", *words[k:k + 12], "bank", "[SEP]")
        k += 12
        vecs = rng.normal(size=(15, 16)) * 0.2 + rng.normal(size=16)     # each sentence a knot (its words under its star get no label)
        outputs.append(SimpleNamespace(tokens=toks, output_vectors=vecs))
    result = SimpleNamespace(word="bank", sentences=tuple(f"sentence {s}" for s in range(4)), outputs=tuple(outputs),
                             positions=(13,) * 4)
    fig = context_figure(result, ["bank", "banks", "banker"], rng.normal(size=(3, 16)))
    right = [t for t in fig.data if t.xaxis == "x2"]
    stars = [t for t in right if t.marker.symbol == "star"]
    assert [list(t.text) for t in stars] == [[f"bank ({s + 1})"] for s in range(4)]
    written = [x for t in right if t.marker.symbol != "star" for x in t.text if x]
    assert 0 < len(written) < len(words)                 # 48 words in four knots: not all of them fit
    assert all(sorted(t.hovertext) == sorted(words[12 * s:12 * s + 12])
               for s, t in enumerate(t for t in right if t.marker.symbol != "star"))
    assert fig.layout.yaxis.title.text == "PCA 2" and not fig.layout.yaxis2.title.text


def test_documents_hits_side_by_side_get_labels_apart():
    """Presenter mode at 1280x720: two hits next to each other wrote their texts over each other
    (labels alternated top/bottom by rank, whatever the positions)."""
    import numpy as np

    from embedlab.viz.documents import documents_figure

    coords = np.array([[0.0, 0.0], [0.02, 0.03], [0.5, 0.9], [1.0, 0.2]], np.float32)   # the 2nd just above
    texts = ["The goalkeeper saved a penalty in the l…", "The striker scored twice in the second…", "c", "d"]
    fig = documents_figure(coords, texts, hit_rows=[0, 1], cutoff=0.25)
    labels = next(t for t in fig.data if t.name == "hit labels")
    # a 40-character line did not fit beside its dot: wrapped to two lines of at most 22
    assert list(labels.text) == ["The goalkeeper saved a<br>penalty in the l…", "The striker scored<br>twice in the second…"]
    assert labels.textposition[0] != labels.textposition[1]
    # by rank they met in between: now their wrapped boxes are apart and inside the plot
    from embedlab.viz.documents import _PLOT_PX, plot_ranges
    from embedlab.viz.labels import box_overlap, label_box, to_px

    boxes = []
    for (x, y), text, pos in zip(to_px(coords[:2], plot_ranges(coords), *_PLOT_PX), labels.text, labels.textposition):
        lines = text.split("<br>")
        boxes.append(label_box(x, y, 0.58 * 19 * max(map(len, lines)) + 4, 1.2 * 19 * len(lines), 10, pos))
    assert box_overlap(*boxes) == 0, labels.textposition
    for b in boxes:
        assert b[0] >= 0 and b[1] >= 0 and b[2] <= _PLOT_PX[0] and b[3] <= _PLOT_PX[1], (b, labels.textposition)



def test_documents_hit_labels_keep_off_the_question_and_the_axes_show_it():
    """Presenter mode at 1280x720: 'The goalkeeper saved a penalty…' ran across the question's star just
    left of it (the star was no obstacle to the labels)."""
    import numpy as np

    from embedlab.viz.documents import _PLOT_PX, documents_figure, plot_ranges
    from embedlab.viz.labels import box_overlap, label_box, to_px

    coords = np.array([[0.8, 0.0], [0.85, 0.02], [-0.2, 0.4], [-0.1, -0.6], [0.0, 0.2]], np.float32)
    texts = ["The goalkeeper saved a penalty in the l…", "The striker scored twice in the second…", "c", "d", "e"]
    query = [0.45, 0.0]                                   # just left of the hits, where a long label went
    fig = documents_figure(coords, texts, hit_rows=[0, 1], cutoff=0.25, query_xy=query)
    labels = next(t for t in fig.data if t.name == "hit labels")
    ranges = plot_ranges(coords, query)
    assert tuple(fig.layout.xaxis.range) == ranges[0] and tuple(fig.layout.yaxis.range) == ranges[1]
    px = to_px(coords[:2], ranges, *_PLOT_PX)
    (qx, qy), = to_px(query, ranges, *_PLOT_PX)
    star = (qx - 10, qy - 10, qx + 10, qy + 10)     # the star drawn 20 px across (placement keeps 2 px more clear)
    for (x, y), text, pos in zip(px, labels.text, labels.textposition):
        lines = text.split("<br>")
        assert len(lines) == 2 and max(map(len, lines)) <= 22
        box = label_box(x, y, 0.58 * 19 * max(map(len, lines)) + 4, 1.2 * 19 * len(lines), 10, pos)
        assert box_overlap(box, star) == 0, pos


def test_small_heatmaps_name_every_row_and_column_even_when_short():
    import numpy as np

    import embedlab.viz.lesson_plots as lp
    from embedlab.viz.presenter import presenter_style

    # plotly thins a category axis's ticks when the plot is short: One-hot's 6 x 6 code named only
    # king, man and apple on a projector; explicit ticks name all of them
    toks = ["king", "queen", "man", "woman", "apple", "banana"]
    fig = presenter_style(lp.onehot_figure(toks, np.eye(len(toks))))
    assert list(fig.layout.yaxis.tickvals) == toks and list(fig.layout.yaxis.ticktext) == toks
    assert list(fig.layout.xaxis.tickvals) == toks
    assert fig.layout.height >= 40 * len(toks) + 230
    dense = lp.dense_rows_figure(toks, np.random.default_rng(0).normal(size=(6, 8)))
    assert list(dense.layout.yaxis.tickvals) == toks
    # a long list keeps plotly's own thinning (every name would overlap)
    many = [f"w{i}" for i in range(lp.MAX_EVERY_TICK + 1)]
    assert lp.matrix_heatmap(np.zeros((len(many), 3)), many).layout.yaxis.tickvals is None


def test_context_labels_keep_off_the_stars():
    """Context at 1280x720: 'bank (3)' was written over another sentence's star (labels were placed for
    8 px dots; the stars are 35 px across in presenter mode and plotly offsets a label by its marker)."""
    import numpy as np
    import pytest

    from embedlab.core.errors import InvalidParameterError
    from embedlab.viz.labels import box_overlap, label_box, place_labels, to_px
    from embedlab.viz.lesson_plots import _CONTEXT_PANEL_PX, _panel_spots

    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(40):
        xy = rng.normal(size=(10, 2))
        texts = [f"bank ({i + 1})" for i in range(3)] + [f"word{i}" for i in range(7)]
        spots = _panel_spots(xy, texts, [0, 1, 2], star_size=22, dot_size=8)
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        pad = (hi - lo) * 0.05 + 1e-9
        ranges = ((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]))
        px = to_px(xy, ranges, *_CONTEXT_PANEL_PX)
        r_star, r_dot = 22 * 1.6 / 2, 8 * 1.6 / 2
        stars = [(x - r_star, y - r_star, x + r_star, y + r_star) for x, y in px[:3]]
        for i in range(3, 10):
            if spots[i] is None:
                continue
            box = label_box(*px[i], 0.58 * 20 * len(texts[i]) + 4, 1.2 * 20, r_dot, spots[i])
            assert all(box_overlap(box, star) == 0 for star in stars), (i, spots[i])
            checked += 1
        for i in range(3):        # a star's label sits outside its own star, at the star's radius
            box = label_box(*px[i], 0.58 * 20 * len(texts[i]) + 4, 1.2 * 20, r_star, spots[i])
            assert box_overlap(box, stars[i]) == 0
    assert checked > 40
    with pytest.raises(InvalidParameterError, match="one radius"):
        place_labels(np.zeros((2, 2)), ["a", "b"], ranges=((0, 1), (0, 1)), marker_px=[3.0])


def test_pipeline_colour_bars_lie_under_their_panels():
    import numpy as np

    from embedlab.viz.lesson_plots import pipeline_figure

    fig = pipeline_figure([("a", np.ones((3, 5))), ("b", np.ones((3, 5))), ("c", np.ones((3, 5)))], ["x", "y", "z"])
    for tr, axis in zip(fig.data, ("xaxis", "xaxis2", "xaxis3")):
        lo, hi = fig.layout[axis].domain
        cb = tr.colorbar
        assert cb.orientation == "h" and cb.xanchor == "center" and abs(cb.x - (lo + hi) / 2) < 1e-9
        assert cb.len <= hi - lo + 1e-9                      # no wider than its panel: never in the next one
    assert fig.layout.margin.b >= 120


def test_position_cosine_squares_keep_their_range():
    import numpy as np

    from embedlab.viz.lesson_plots import position_similarity_figure

    fig = position_similarity_figure(np.random.default_rng(0).normal(size=(16, 8)), title="t")
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.xaxis.constrain == "domain" and fig.layout.yaxis.constrain == "domain"
