"""Presenter mode: embedlab.viz.presenter.presenter_style (pure, copies) and the sidebar switch (AppTest)."""
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from embedlab import InvalidParameterError
from embedlab.viz.explorer import neighbor_bar
from embedlab.viz.maps import map_figure
from embedlab.viz.presenter import presenter_style
from embedlab.viz.style import PALETTE
from embedlab.viz.train_plots import training_animation
from ui.figures import PRESENTER
from ui.navigation import PAGES

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180


@pytest.fixture
def searched_map():
    """A map of 60 points: 55 'other', a group of 5, and a searched word with 3 neighbours."""
    rng = np.random.default_rng(0)
    coords = rng.normal(size=(60, 2)).astype(np.float32)
    tokens = [f"w{i}" for i in range(60)]
    labels = ["other"] * 55 + ["animals"] * 5
    return map_figure(coords, tokens, labels=labels, highlight=0, neighbor_rows=[1, 2, 3])


def test_fonts_markers_and_lines_grow(searched_map):
    big = presenter_style(searched_map)
    assert big.layout.font.size == 20 and big.layout.font.color == "#000000"
    assert searched_map.layout.font.size == 16                      # the normal figure font, in px
    sizes = [(o.marker.size, n.marker.size) for o, n in zip(searched_map.data, big.data) if o.marker.size]
    assert len(sizes) >= 3 and all(n == pytest.approx(o * 1.6) for o, n in sizes)
    line = next(i for i, t in enumerate(searched_map.data) if t.mode == "lines")
    assert big.data[line].line.width == pytest.approx(searched_map.data[line].line.width * 1.6)
    label = searched_map.layout.annotations[0].font.size           # the boxed label of the searched word
    assert big.layout.annotations[0].font.size == pytest.approx(label * 20 / 16)
    assert big.layout.margin.l > searched_map.layout.margin.l


def test_input_figure_is_not_mutated(searched_map):
    before = searched_map.to_json()
    big = presenter_style(searched_map)
    assert searched_map.to_json() == before
    assert big is not searched_map and big.to_json() != before


def test_small_groups_get_labels_big_clouds_do_not(searched_map):
    big = presenter_style(searched_map, label_limit=10)
    by_name = {t.name: t for t in big.data}
    assert by_name["animals (5)"].mode == "markers+text"
    assert list(by_name["animals (5)"].text) == ["w55", "w56", "w57", "w58", "w59"]
    assert by_name["other (55)"].mode == "markers" and by_name["other (55)"].text is None
    assert all(t.mode == "markers" for t in presenter_style(searched_map, label_limit=0).data if t.name == "animals (5)")


def test_labels_are_escaped_text_not_html():
    fig = map_figure(np.zeros((2, 2), np.float32), ["<b>bold</b>", "a&b"])
    assert list(presenter_style(fig).data[0].text) == ["&lt;b&gt;bold&lt;/b&gt;", "a&amp;b"]


def test_light_colours_get_a_dark_outline_dark_ones_do_not():
    light = map_figure(np.zeros((3, 2), np.float32), ["a", "b", "c"])
    light.data[0].marker.color = PALETTE[6]      # Okabe-Ito yellow: faint on white
    assert presenter_style(light).data[0].marker.line.width == 1
    dark = map_figure(np.zeros((3, 2), np.float32), ["a", "b", "c"])   # Okabe-Ito blue
    assert presenter_style(dark).data[0].marker.line.width is None


def test_animation_frames_and_table_are_restyled_too():
    snaps = np.random.default_rng(0).normal(size=(3, 4, 5)).astype(np.float32)
    fig = training_animation(["a", "b", "c", "d"], snaps)
    big = presenter_style(fig)
    assert len(big.frames) == len(fig.frames) == 3
    pts = [t for t in big.frames[1].data if t.type == "scatter" and t.mode == "markers+text"][0]
    old = [t for t in fig.frames[1].data if t.type == "scatter" and t.mode == "markers+text"][0]
    assert pts.marker.size == pytest.approx(old.marker.size * 1.6)
    table, old_table = big.data[2], fig.data[2]
    assert table.cells.font.size > old_table.cells.font.size and table.cells.height > old_table.cells.height


def test_bar_and_heatmap_figures_survive():
    fig = neighbor_bar(["queen", "prince"], [0.8, 0.7])
    big = presenter_style(fig)
    assert big.data[0].type == "bar" and big.layout.font.size == 20
    assert list(big.data[0].y) == ["queen", "prince"]


@pytest.mark.parametrize("kwargs, match", [({"font_size": 0}, "font_size=0"),
                                           ({"marker_scale": -1}, "marker_scale=-1"),
                                           ({"label_limit": -1}, "label_limit=-1")])
def test_bad_options_raise(searched_map, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        presenter_style(searched_map, **kwargs)


# -- the sidebar switch ----------------------------------------------------------------------------------
def _font_sizes(at) -> list:
    return [json.loads(c.proto.spec)["layout"]["font"]["size"] for c in at.get("plotly_chart")]


def test_toggle_sets_url_and_enlarges_figures_on_every_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception and "present" not in at.query_params
    at.sidebar.toggle(key=PRESENTER).set_value(True).run()
    assert not at.exception
    assert at.query_params["present"] == "1"
    pages = [p.file for p in PAGES]
    with_figures = 0
    for page in pages:
        at.switch_page(page).run()
        assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
        assert at.sidebar.toggle(key=PRESENTER).value is True, f"presenter mode lost on {page}"
        sizes = _font_sizes(at)
        assert all(s == 20 for s in sizes), f"{page}: figure font sizes {sizes}"
        with_figures += bool(sizes)
    assert with_figures >= 6
    at.run()   # AppTest reports an empty query string for the run that switched pages; the next has it
    assert at.query_params["present"] == "1"
    at.sidebar.toggle(key=PRESENTER).set_value(False).run()
    assert not at.exception and "present" not in at.query_params
    assert all(s == 16 for s in _font_sizes(at))


def test_link_with_present_1_opens_in_presenter_mode():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["present"] = "1"
    at.switch_page("app_pages/2_Neighbours.py").run()
    assert not at.exception
    assert at.sidebar.toggle(key=PRESENTER).value is True
    assert _font_sizes(at) and all(s == 20 for s in _font_sizes(at))


def test_legend_goes_below_the_plot_and_context_dots_stay_unlabelled(toy_set):
    """Issue 12 item 1: at 1280x720 a legend on the right squeezed the analogy parallelogram into a
    strip, and the ~20 grey nearby words got labels that piled up."""
    from embedlab.viz.explorer import analogy_figure, analogy_plane
    from embedlab.viz.presenter import NO_LABELS

    fig = analogy_figure(analogy_plane(toy_set, "man", "king", "woman", ["queen"], n_context=3))
    big = presenter_style(fig)
    assert big.layout.legend.orientation == "h" and big.layout.legend.y < 0    # below, under the x title
    assert fig.layout.legend.orientation is None                               # the input is untouched
    ctx = next(t for t in big.data if t.name.startswith("nearby"))
    assert ctx.meta == NO_LABELS and ctx.mode == "markers" and ctx.text is None
    # a, b, c keep their labels (boxed annotations placed apart from the arrows, viz.explorer)
    assert [a.text for a in big.layout.annotations if a.name == "analogy label"][:3] == ["a: man", "b: king", "c: woman"]
    # a figure's own horizontal legend (placed on purpose) is left where it is
    own = fig.update_layout(legend=dict(orientation="h", y=1.02))
    assert presenter_style(own).layout.legend.y == 1.02


def test_a_legend_in_rows_below_the_map_gets_a_margin_of_its_own():
    """Issue 12 item 1: the Map's named clusters (a horizontal legend at y=-0.12) lay over the x-axis
    title at 20 px and plotly pushed them into the plot, which shrank to a strip."""
    labels = [f"cluster {i % 8 + 1}: some, three, words" for i in range(40)]
    fig = map_figure(np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32),
                     [f"w{i}" for i in range(40)], labels=labels)
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y == -0.12
    big = presenter_style(fig)
    lay = big.layout
    plot_px = lay.height - lay.margin.t - lay.margin.b
    assert lay.legend.yanchor == "top" and -lay.legend.y * plot_px == pytest.approx(95, abs=1)  # under the x title
    assert lay.margin.b >= 95 + 30 * 8                       # room for 8 rows of entries: nothing pushed
    heat = presenter_style(map_figure(np.zeros((3, 2), np.float32), ["a", "b", "c"]).add_heatmap(
        z=[[1, 2]], name="heat"))
    assert heat.layout.margin.b < 95 + 30 * 2                # a heatmap has no legend entry to make room for
    assert plot_px >= 250 and lay.height >= fig.layout.height
    assert fig.layout.legend.y == -0.12                      # the input is untouched


def test_long_titles_are_wrapped_and_start_below_the_toolbar():
    """Issue 12 item 1: at 1024 px plotly's toolbar (the top 34 px at the right) covered the end of
    long titles, and long titles ran past the figure."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from embedlab.viz.presenter import MODEBAR_PX, wrap_title

    title = "Dense vectors vs bag-of-words counts: accuracy on unseen items"
    big = presenter_style(go.Figure(go.Bar(x=[1], y=["a"])).update_layout(title=title, margin=dict(t=40)))
    t = big.layout.title
    assert t.text == wrap_title(title, 32) == "Dense vectors vs bag-of-words<br>counts: accuracy on unseen items"
    assert (t.yref, t.y, t.yanchor) == ("container", 1, "top") and t.pad.t > MODEBAR_PX   # 2 lines: padded more
    assert big.layout.margin.t >= MODEBAR_PX + 2 * 1.3 * 20
    panels = make_subplots(rows=1, cols=3, subplot_titles=("rows of E (13 × 384)", "+ position vectors 0…12",
                                                           "LayerNorm(sum): input to layer 1"))
    texts = [a.text for a in presenter_style(panels).layout.annotations]
    assert texts == ["rows of E (13 × 384)", "+ position vectors<br>0…12", "LayerNorm(sum):<br>input to layer 1"]
    assert wrap_title("<b>bold</b> stays as it is, however long it is", 10).startswith("<b>bold</b> stays")


def test_room_below_a_plot_for_its_legend_counts_rows_not_entries(toy_set):
    """Presenter mode at 1280x720: the analogy figure's 8 short legend entries fill 3-4 rows, but a row
    per entry was kept below the plot, a blank band of ~120 px between the legend and the caption."""
    from embedlab.viz.explorer import analogy_figure, analogy_plane
    from embedlab.viz.presenter import legend_rows

    fig = analogy_figure(analogy_plane(toy_set, "man", "king", "woman", ["queen"]))
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    big = presenter_style(fig)
    rows = legend_rows(names, 20)
    assert rows < len(names)
    assert big.layout.margin.b == pytest.approx(95 + 30 * rows + 10)
    long = [f"cluster {i}: offered, provide, provides (852)" for i in range(8)]
    assert legend_rows(long, 20) == 8                    # long entries: one a row at 560 px


def test_play_buttons_and_slider_go_below_the_legend_rows():
    """Presenter mode at 1280x720: the Train page's animation legend, re-placed below the x title,
    lay on its Play / Pause buttons and the slider's "snapshot 0"."""
    from embedlab.viz.train_plots import training_animation

    snaps = np.random.default_rng(0).normal(size=(3, 4, 5)).astype(np.float32)
    big = presenter_style(training_animation(["king", "queen", "man", "woman"], snaps))
    lay = big.layout
    plot = lay.height - lay.margin.t - lay.margin.b
    legend_bottom = -lay.legend.y * plot + 30 * 1       # one row of two entries
    for control in (lay.updatemenus[0], lay.sliders[0]):
        assert control.yanchor == "top" and -control.y * plot >= legend_bottom
        assert -control.y * plot + 60 <= lay.margin.b   # and inside the figure, not cut at its bottom


def test_training_animation_table_leaves_the_words_room():
    """Presenter mode at 1024x768: the animation's neighbour table cut its word column to "queer",
    "woma"; the slider's "snapshot 0" touched the Pause button."""
    from embedlab.viz.train_plots import training_animation

    snaps = np.random.default_rng(0).normal(size=(2, 3, 5)).astype(np.float32)
    fig = training_animation(["queen", "woman", "princess"], snaps)
    table = next(t for t in fig.data if t.type == "table")
    word, rest = table.columnwidth
    assert word / (word + rest) >= 0.3
    assert fig.layout.sliders[0].x >= 0.25


def test_training_animation_grows_with_its_watched_words_so_the_table_does_not_scroll():
    """Presenter mode at 1280x720: with 12 watched words the neighbour table scrolled inside the
    600 px figure (its last rows, "boy", hidden); the figure grows by a row of table per word, and
    the controls stay below the plot and inside the figure at any height."""
    from embedlab.viz.train_plots import training_animation

    words = [f"w{i}" for i in range(12)]
    snaps = np.random.default_rng(0).normal(size=(3, 12, 5)).astype(np.float32)
    for fig in (training_animation(words, snaps), presenter_style(training_animation(words, snaps))):
        lay = fig.layout
        plot = lay.height - lay.margin.t - lay.margin.b
        assert plot >= 40 + 46 * len(words)                              # header + two lines a row
        for control in (lay.updatemenus[0], lay.sliders[0]):
            assert control.yanchor == "top" and 0 < -control.y * plot <= lay.margin.b - 40
    assert training_animation(words[:4], snaps[:, :4]).layout.height == 600      # a few words: as before
