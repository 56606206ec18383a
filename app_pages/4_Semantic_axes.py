"""Semantic axes: place words along directions such as man → woman or poor → rich."""
import pandas as pd
import streamlit as st

import embedlab
from embedlab.space.axes import PRESET_AXES, axis_positions, make_axis, parse_words
from embedlab.viz import axes_figure
from embedlab.viz.explorer import MAX_AXIS_WORDS
from ui import params
from ui.figures import columns, number_formats, plotly_chart
from ui.setup import page_set
from ui.text import md_text
from ui.words import typed_words

DEFAULT_WORDS = ("doctor nurse engineer teacher secretary programmer surgeon pilot dancer soldier "
                 "librarian scientist maid farmer lawyer chef")
GENDER, WEALTH = PRESET_AXES["gender (man → woman)"], PRESET_AXES["wealth (poor → rich)"]

es = page_set()
st.title("Semantic axes")
st.markdown(
    "An **axis** is the direction from one idea to another, e.g. from *man* to *woman* or from *poor* to *rich* "
    "(a pole can be the average of several words). Each word is placed by how far it points along that "
    "direction. Type a list of words and see where the space puts them — this is also how we find out what it "
    "learned from its training text, biases included."
)
if es is None:
    st.stop()

params.bind("ax_xf", "xf", GENDER[0])
params.bind("ax_xt", "xt", GENDER[1])
params.bind("ax_y", "y", False, parse=params.to_bool)
params.bind("ax_yf", "yf", WEALTH[0])
params.bind("ax_yt", "yt", WEALTH[1])
params.bind("ax_words", "words", DEFAULT_WORDS)


def preset_of(from_text: str, to_text: str) -> str:
    """The name of the ready-made axis with exactly these pole words, or OWN."""
    typed = (parse_words(from_text), parse_words(to_text))
    return next((name for name, (f, t) in PRESET_AXES.items() if (parse_words(f), parse_words(t)) == typed), OWN)


def use_preset(axis: str):
    preset = st.session_state[f"ax_{axis}_preset"]
    if preset in PRESET_AXES:
        st.session_state[f"ax_{axis}f"], st.session_state[f"ax_{axis}t"] = PRESET_AXES[preset]


OWN = "(type your own)"


def axis_inputs(axis: str, title: str):
    st.markdown(f"**{title}**")
    # the picker shows the preset whose words are in the fields (also after a link or typing), else OWN
    st.session_state[f"ax_{axis}_preset"] = preset_of(st.session_state[f"ax_{axis}f"], st.session_state[f"ax_{axis}t"])
    choices = [OWN] + list(PRESET_AXES)
    st.selectbox("Ready-made axis", choices, index=params.index(f"ax_{axis}_preset", choices), key=f"ax_{axis}_preset",
                 on_change=use_preset, args=(axis,))
    # on a projector two fields side by side in half the page showed "man he him his bo" and wrapped one label
    a, b = columns(2)
    a.text_input("from (words averaged)", value=params.value(f"ax_{axis}f"), key=f"ax_{axis}f")
    b.text_input("to (words averaged)", value=params.value(f"ax_{axis}t"), key=f"ax_{axis}t")


left, right = st.columns(2)
with left:
    axis_inputs("x", "x axis")
with right:
    use_y = st.toggle("Add a y axis", value=params.value("ax_y"), key="ax_y")
    if use_y:
        axis_inputs("y", "y axis")
words_text = st.text_area("Words to place", value=params.value("ax_words"), key="ax_words", height=90)
params.sync({"xf": "ax_xf", "xt": "ax_xt", "y": ("ax_y", params.from_bool), "yf": "ax_yf", "yt": "ax_yt",
             "words": "ax_words"})

def pole(text: str) -> str:
    """The pole's words as tokens of the set (matched ignoring case when needed, said on the page)."""
    typed = es.resolve(parse_words(text))
    if typed.changed:
        st.caption(md_text(typed.note()))
    return " ".join(typed.tokens)


try:
    axes = [make_axis(es, pole(st.session_state.ax_xf), pole(st.session_state.ax_xt))]
    if use_y:
        axes.append(make_axis(es, pole(st.session_state.ax_yf), pole(st.session_state.ax_yt)))
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()

words = typed_words(es, words_text, limit=MAX_AXIS_WORDS, what="the axes figure")
if not words:
    st.info("Type some words to place on the axes.")
    st.stop()

pos = axis_positions(es, words, axes)
labels = [ax.label for ax in axes]
# on a projector the figure takes the whole width (long pole names fit), the ranking goes below
fig_col, table_col = columns([3, 2])
plotly_chart(axes_figure(words, pos, labels), width="stretch", config={"displaylogo": False},
             key="ax_figure", where=fig_col)
fig_col.caption("Position = cosine between the word and the axis direction: right of 0 leans to the “to” pole, "
                "left to the “from” pole. Differences of a few hundredths are small.")
table = pd.DataFrame({"word": words})
for j, ax in enumerate(axes):
    name = "x" if j == 0 else "y"
    table[f"{name} position"] = pos[:, j].round(3)
    table[f"rank on {name}"] = (-pos[:, j]).argsort(kind="stable").argsort(kind="stable") + 1
table = table.sort_values("rank on x").reset_index(drop=True)
table_col.markdown("**Ranking along each axis** (rank 1 = closest to the “to” pole)  \n"
                   + "  \n".join(f"{'xy'[j]}: {md_text(ax.label)}" for j, ax in enumerate(axes)))
# every row shown (a height in pixels cut the last rows off under presenter mode's larger rows), up to 20
table_col.dataframe(table, hide_index=True, width="stretch", key="ax_table", column_config=number_formats(table),
                    height="content" if len(table) <= 20 else 800)
