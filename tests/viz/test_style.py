"""embedlab.viz.style: the one figure layout, colours and plotly-safe text."""
import plotly.graph_objects as go

from embedlab.viz import lesson_plots as lp
from embedlab.viz.explorer import neighbor_bar
from embedlab.viz.style import colors_for, escape_plotly_text, figure_layout, unescape_plotly_text


def test_layout_escapes_titles_sets_fonts_and_legend():
    fig = figure_layout(go.Figure(), title="a<b>", height=321, xtitle="x & y", ytitle="<i>")
    assert fig.layout.title.text == "a&lt;b&gt;" and fig.layout.title.font.size == 18
    assert fig.layout.height == 321 and fig.layout.font.size == 16 and fig.layout.showlegend is True
    assert fig.layout.xaxis.title.text == "x &amp; y" and fig.layout.yaxis.title.text == "&lt;i&gt;"
    assert fig.layout.margin.t == 60 and figure_layout(go.Figure()).layout.margin.t == 30


def test_empty_axis_title_keeps_the_one_set_and_legend_can_be_left_to_plotly():
    fig = go.Figure()
    fig.update_yaxes(title_text="kept")
    figure_layout(fig, xtitle="only x", showlegend=None)
    assert fig.layout.yaxis.title.text == "kept" and fig.layout.showlegend is None


def test_lesson_figures_leave_the_legend_to_plotly_and_the_one_series_bar_has_none():
    heat = lp.matrix_heatmap([[1.0, 0.0], [0.0, 1.0]], ["a", "b"], title="t")
    assert heat.layout.showlegend is None and heat.layout.title.text == "t"
    # the neighbour bars are one series named by the x-axis title: a legend only narrowed the plot
    bar = neighbor_bar(["a"], [0.5])
    assert bar.layout.showlegend is False and bar.layout.xaxis.title.text == "cosine similarity"


def test_colours_cycle_after_sixteen_and_text_round_trips():
    c = colors_for(17)
    assert len(set(c[:16])) == 16 and c[16] == c[0] == "#0072B2"
    assert unescape_plotly_text(escape_plotly_text("a&lt;<b>&")) == "a&lt;<b>&"
