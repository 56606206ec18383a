"""Presenter mode (projectors): the sidebar switch, the page CSS, and the chart and table calls pages use.

Pages draw figures with :func:`plotly_chart` instead of ``st.plotly_chart``; it passes every
argument through and, when presenter mode is on, draws :func:`embedlab.viz.presenter.presenter_style`'s
restyled *copy* of the figure (a cached figure is never changed). Wide tables go through
:func:`table`: an interactive ``st.dataframe`` normally, a static table whose text wraps in
presenter mode (a grid's long cells scroll sideways out of a projector's view).
"""
from __future__ import annotations

import streamlit as st

from embedlab.viz.presenter import presenter_style

from . import params
from .text import md_text

PRESENTER = "presenter_mode"     # cross-page session key (bool), mirrored in the URL as ?present=1

# Fixed CSS written here, never built from user text: Streamlit sizes its text in rem, so a larger
# root font enlarges the whole page (text, widgets, tables) by 25 %; headings and the sidebar a bit
# more; darker captions for contrast on a projector. st.dataframe draws on a canvas at a fixed
# 14 px, which no font size reaches: it is zoomed instead (Chromium and Firefox 126+ honour zoom).
# The open sidebar keeps its 240 px (Streamlit's 12.5rem minimum would become 250 px at this root
# font; see ui.narrow), with less padding and its page list a little smaller, so that its names fit a
# line (section headers wrap rather than end in "Inside the mo…" at 240 px); a multiselect's chips wrap onto more lines instead of scrolling sideways
# under the box's edge (Knowledge graphs showed "adverb-o…" as its last visible chip); a button's label
# wraps onto a second line instead of ending in "…" ("Try its first question ab…" at 1024 px).
PRESENTER_CSS = """<style>
html { font-size: 20px !important; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.6rem; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #1A1A1A; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { line-height: 1.5; }
[data-testid="stTable"] table, [data-testid="stTable"] th, [data-testid="stTable"] td { font-size: 1rem; }
[data-testid="stDataFrame"] { zoom: 1.25; width: calc(100% / 1.25) !important; }
[data-testid="stFullScreenFrame"]:has(> [data-testid="stDataFrame"]) { width: calc(100% / 1.25) !important; }
[data-testid="stMainBlockContainer"] { padding-left: 2.5rem; padding-right: 2.5rem; padding-top: 3.5rem; }
[data-testid="stSidebarNavLink"] span { white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stSidebarNav"] [data-testid="stMarkdownContainer"], [data-testid="stSidebarNav"] [data-testid="stMarkdownContainer"] * { white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div { white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stWidgetLabel"] p { white-space: normal; overflow-wrap: normal; word-break: keep-all; }
button [data-testid="stMarkdownContainer"], button [data-testid="stMarkdownContainer"] p { white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stSidebar"][data-collapsed="false"] { min-width: 200px !important; }
[data-testid="stSidebarContent"] { padding-left: 12px; padding-right: 12px; }
[data-testid="stSidebarNav"] { font-size: 0.85rem; }
[data-testid="stMultiSelectTagsContainer"], [data-testid="stMultiSelectTagsContainer"] > span { flex-wrap: wrap; overflow: visible; }
[data-testid="stMultiSelect"] .react-aria-ComboBox > div { max-height: none; }
</style>"""


def presenter_on() -> bool:
    """True when this session has presenter mode switched on."""
    return bool(st.session_state.get(PRESENTER, False))


def columns(spec=2, **kwargs) -> list:
    """``st.columns(spec, **kwargs)``, or as many containers one under the other in presenter mode: on
    a projector two figures side by side were squeezed (One-hot's 6 x 6 code read "100000", its
    column names piled up) and two text fields showed a few letters each."""
    n = spec if isinstance(spec, int) else len(spec)
    return [st.container() for _ in range(n)] if presenter_on() else list(st.columns(spec, **kwargs))


def presenter_toggle() -> bool:
    """The sidebar switch (ui.setup.draw_sidebar calls it inside ``with st.sidebar``); bound to ``?present=1``."""
    params.bind(PRESENTER, "present", False, parse=params.to_bool)
    # drawn by app.py (the entrypoint), the toggle keeps one widget id on every page: no re-assigning
    # its value before a page switch, no persist_state
    on = st.toggle("Presenter mode", value=params.value(PRESENTER), key=PRESENTER,
                   help="For a projector: larger text, markers and lines, high-contrast colours, "
                        "and small groups of points labelled.")
    params.sync({"present": (PRESENTER, params.from_bool)})
    if on:
        st.html(PRESENTER_CSS)
    return on


def plotly_chart(fig, *args, where=None, **kwargs):
    """``st.plotly_chart`` (or ``where.plotly_chart`` for a column/container) with the figure
    restyled for a projector when presenter mode is on. Returns what ``st.plotly_chart`` returns
    (the selection event when ``on_select`` is given)."""
    target = st if where is None else where
    if presenter_on():
        fig = presenter_style(fig)
    return target.plotly_chart(fig, *args, **kwargs)


def table(data, *, key: str | None = None, where=None, presenter_columns=None, presenter_height: int | None = None,
          **kwargs):
    """A table: ``st.dataframe(data, hide_index=True, width="stretch", key=key, **kwargs)``, or in
    presenter mode ``st.table`` (``where.table`` for a column) of the same rows, whose cells wrap
    their text inside the page instead of scrolling sideways.

    Parameters
    ----------
    data : pandas.DataFrame
        The rows; it is not changed.
    key : str, optional
        The dataframe's widget key (presenter mode draws no widget).
    where : streamlit container, optional
        A column or container to draw into (default: the page).
    presenter_columns : sequence of str, optional
        The columns a projector shows (default: all of them), for tables too wide to read there.
    presenter_height : int, optional
        Pixels: a long table scrolls inside this height in presenter mode, under a header that stays
        (default: all rows shown).
    **kwargs
        More ``st.dataframe`` arguments (``column_config``, ``height``...), not used in presenter mode.
    """
    target = st if where is None else where
    if not presenter_on():
        return target.dataframe(data, hide_index=True, width="stretch", key=key, **kwargs)
    shown = data if presenter_columns is None else data[list(presenter_columns)]
    # st.table draws its cells and headers as Markdown: user text (documents, tokens) shown as typed;
    # a column of floats with one number of decimals, as few as its values need and at most
    # MAX_DECIMALS (the table's own format pads every float to 4, "0.9900"; "g" mixed 0.812345 and 0.7)
    shown = shown.rename(columns=lambda c: md_text(str(c)))
    shown = shown.apply(_presented_column)
    return target.table(shown, hide_index=True, height=presenter_height or "content")


MAX_DECIMALS = 3
"""Decimals a presenter-mode table shows at most (cosines, scores: 0.812)."""


def number_formats(data) -> dict:
    """``column_config`` for ``st.dataframe``: each float column of ``data`` (a DataFrame) with one
    number of decimals, as few as its values need and at most :data:`MAX_DECIMALS`, so that a rounded
    ``0.05`` is shown as ``0.050`` beside ``0.059`` (the grid's own format drops trailing zeros)."""
    import math

    formats = {}
    for name in data.columns:
        col = data[name]
        if col.dtype.kind != "f":
            continue
        places = max((_decimals(float(v)) for v in col if math.isfinite(v)), default=0)
        formats[name] = st.column_config.NumberColumn(format=f"%.{places}f")
    return formats


def _decimals(v: float) -> int:
    for d in range(MAX_DECIMALS):
        if abs(round(v, d) - v) < 1e-9 * max(1.0, abs(v)):
            return d
    return MAX_DECIMALS


def _presented_column(col):
    """A presenter table's column as text: user text escaped for Markdown, floats with the column's
    decimals (:data:`MAX_DECIMALS` at most; integral floats as integers), anything else as it is."""
    import math

    import numpy as np

    def is_float(v):
        return isinstance(v, (float, np.floating))

    floats = [float(v) for v in col if is_float(v) and math.isfinite(v)]
    places = max((_decimals(v) for v in floats), default=0)

    def cell(v):
        if isinstance(v, str):
            return md_text(v)
        if is_float(v):
            return f"{float(v):.{places}f}" if math.isfinite(v) else ("" if math.isnan(v) else str(float(v)))
        return v
    return col.map(cell)
