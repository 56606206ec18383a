"""The Map page's metadata colouring and filter, and its density layer (the logic is in
:mod:`embedlab.viz.map_meta` and :mod:`embedlab.viz.density`; this module draws the widgets, keeps
their state in the URL and caches the work per set).

The "Colour by" choices get one entry per metadata column (``meta:<column>``, so ``?color=meta:genre``
restores it); the filter is ``?only=["a","b"]`` (categories) or ``?range=lo~hi`` (numbers).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import streamlit as st

from embedlab import EmbeddingSet
from embedlab.viz import map_meta as mm
from embedlab.viz.density import DENSITY_BINS, add_density, density_caption, density_grid, project_all
from embedlab.viz.map_points import DRAW_LIMIT, MapView

from . import cached, params

PREFIX = "meta:"
_SKIP = ("kind",)          # the Map colours token kinds its own way


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=cached.SET_HASH)
def _columns(es: EmbeddingSet) -> dict[str, str]:
    return mm.colour_columns(es, skip=_SKIP)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=cached.SET_HASH)
def _top(es: EmbeddingSet, column: str) -> list[tuple[str, int]]:
    return mm.top_values(es.meta[column], top=50)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=cached.SET_HASH)
def _range(es: EmbeddingSet, column: str):
    """(lo, hi), whether to colour on a log scale, whether every value is a whole number (int)."""
    col = es.meta[column]
    ints = all(isinstance(v, (int, np.integer)) for v in col if v is not None)
    return mm.number_range(col), mm.log_scale(col), ints


def colour_options(es: EmbeddingSet) -> dict[str, str]:
    """``{"meta:<column>": "<column> (categories|numbers)"}`` for the "Colour by" selectbox."""
    return {PREFIX + c: f"column: {c}" for c in _columns(es)}


@dataclass(frozen=True)
class MetaColouring:
    """What the Map draws for a metadata colouring of its drawn rows."""

    column: str
    labels: list | None = None        #: categories (or None for a numeric column)
    order: list | None = None         #: legend order of the categories
    values: np.ndarray | None = None  #: numbers (NaN: missing)
    value_title: str = ""
    keep: np.ndarray | None = None    #: the filter: a boolean per drawn row (None: all)
    note: str = ""                    #: a sentence about the filter / missing values


def controls(es: EmbeddingSet, colour: str, where) -> None:
    """The filter widget of the colouring ``colour`` (a multiselect of values or a range slider), drawn
    in ``where`` (a column) and bound to the URL. Call it where the page draws its widgets."""
    column = colour[len(PREFIX):]
    if _columns(es).get(column) == "category":
        values = [v for v, _ in _top(es, column)]
        key = f"map_only_{column}"
        params.bind(key, "only", [], parse=json.loads,
                    check=lambda v: isinstance(v, list) and all(x in values for x in v))
        where.multiselect(f"Show only these {column} values", values,
                          default=params.value(key, values), key=key, placeholder="all values",
                          help=f"The {len(values)} most common values of {column}; empty shows every point.")
        params.sync({"only": (key, lambda v: json.dumps(list(v), ensure_ascii=False))})
    else:
        (lo, hi), _, ints = _range(es, column)
        if lo == hi:
            return
        num = int if ints else float
        lo, hi = num(lo), num(hi)
        key = f"map_range_{column}"
        params.bind(key, "range", (lo, hi), parse=lambda raw: tuple(num(x) for x in raw.split("~")),
                    check=lambda v: len(v) == 2 and lo <= v[0] <= v[1] <= hi)
        where.slider(f"Show {column} from … to …", lo, hi, value=params.value(key), key=key)
        params.sync({"range": (key, lambda v: f"{v[0]}~{v[1]}")})


def colouring(es: EmbeddingSet, colour: str, rows) -> MetaColouring:
    """Colours and filter of the drawn ``rows`` for ``colour`` = ``meta:<column>`` (after :func:`controls`)."""
    column = colour[len(PREFIX):]
    col = es.meta[column]
    if _columns(es).get(column) == "category":
        labels, order = mm.category_colours(col, rows, top=mm.TOP_VALUES)
        chosen = list(st.session_state.get(f"map_only_{column}") or [])
        keep = mm.filter_rows(col, rows, values=chosen) if chosen else None
        note = mm.describe_filter(column, int(keep.sum()), len(rows), values=chosen) if chosen else ""
        return MetaColouring(column, labels=labels, order=order, keep=keep, note=note)
    (lo, hi), log, _ = _range(es, column)
    values = mm.number_values(col, rows)
    chosen = st.session_state.get(f"map_range_{column}")
    filtered = chosen is not None and tuple(chosen) != (lo, hi) and lo != hi
    keep = mm.filter_rows(col, rows, value_range=tuple(chosen)) if filtered else ~np.isnan(values)
    note = mm.describe_filter(column, int(keep.sum()), len(rows), value_range=tuple(chosen)) if filtered else ""
    missing = int(np.isnan(values).sum())
    if missing and not filtered:
        note = f"{missing:,} drawn points have no {column} value and are left out."
    title = column
    if log:
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.log10(values)
        title = f"log₁₀ {column}"
    return MetaColouring(column, values=np.where(np.isnan(values), 0.0, values).astype(np.float32),
                         value_title=title, keep=keep, note=note)


def filtered_view(view: MapView, meta: MetaColouring | None) -> MapView:
    """``view`` without the points the filter drops (the searched word and its neighbours stay)."""
    if meta is None or meta.keep is None:
        return view
    keep = np.asarray(meta.keep, dtype=bool)
    if view.positions is not None:     # a zoomed view: its points are some of the drawn ones
        keep = keep[list(view.positions)]
    return mm.filter_view(view, keep)


@st.cache_data(max_entries=4, show_spinner="Placing every point of the set for the density layer…",
               hash_funcs=cached.SET_HASH)
def _density(es: EmbeddingSet, base: np.ndarray, bins: int):
    fit = cached.pca_fit(es, base, 2)
    return density_grid(project_all(es.vectors, fit.mean, fit.components), bins=bins)


def density_layer(fig, es: EmbeddingSet, base, *, method: str, dims: int, drawn: int) -> str:
    """Add the density of all of ``es``'s points under a 2-D PCA map of a sample (``base``), in place,
    for a set beyond the drawing limit (:data:`~embedlab.viz.map_points.DRAW_LIMIT`, where "all" cannot
    be drawn); returns the caption to show ("" otherwise). UMAP / t-SNE maps get no layer (their
    layout exists for the drawn sample only) and a caption saying so."""
    if len(es) <= DRAW_LIMIT or len(base) >= len(es) or dims != 2:
        return ""
    if method != "pca":
        return (f"Only {drawn:,} of the {len(es):,} points are drawn. The shaded layer of where all points "
                "lie is drawn on PCA maps only (a UMAP / t-SNE layout is fitted to the drawn sample).")
    add_density(fig, _density(es, np.asarray(base), DENSITY_BINS))
    return density_caption(len(es), drawn)
