"""A set's metadata columns on the Map: which columns can colour it, the colour of each drawn point
(categories: the most common values and "other"; numbers: a colour scale), filtering the drawn
points by a column, and the density of all the points of a set too large to draw.

A metadata column comes from a Parquet table's extra columns, a Projector metadata.tsv, or a trained
set's word counts (``frequency``). A column whose present values are all numbers (not booleans) is
*numeric*; any other is *categorical*. Missing values (None, NaN) are grey "no value" points, and a
filter by value or range leaves them out.

>>> es = EmbeddingSet(["a", "b", "c", "d"], np.eye(4, dtype=np.float32),
...                   meta={"genre": ["x", "y", "x", None], "year": [1990, 2001, None, 1990.5]})
>>> colour_columns(es)
{'genre': 'category', 'year': 'number'}
>>> category_colours(es.meta["genre"], [0, 1, 2, 3], top=1)
(['x', 'other', 'x', 'no value'], ['no value', 'other', 'x'])
>>> filter_rows(es.meta["year"], [0, 1, 2, 3], value_range=(1990, 2000)).tolist()
[True, False, False, True]
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from typing import Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.validate import check_int, invalid
from .map_points import MapView
from .maps import NO_VALUE, OTHER

__all__ = ["TOP_VALUES", "NO_VALUE", "colour_columns", "column_kind", "top_values", "category_colours",
           "number_values", "number_range", "log_scale", "filter_rows", "filter_view", "describe_filter"]

TOP_VALUES = 10
"""A categorical colouring names this many most common values; the rest are "other"."""


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def column_kind(column: Sequence) -> str | None:
    """``"number"``, ``"category"``, or None for a column with no value at all.

    >>> column_kind([1, 2.5, None]), column_kind(["a", 1]), column_kind([True, False]), column_kind([None])
    ('number', 'category', 'category', None)
    """
    present = [v for v in column if not _missing(v)]
    if not present:
        return None
    return "number" if all(_is_number(v) for v in present) else "category"


def colour_columns(es: EmbeddingSet, *, skip: Sequence[str] = ()) -> dict[str, str]:
    """The metadata columns of ``es`` that can colour a map, each with its kind (see :func:`column_kind`),
    in the set's column order; ``skip`` names columns the caller colours its own way."""
    out = {}
    for name, col in es.meta.items():
        if name in skip:
            continue
        kind = column_kind(col)
        if kind is not None:
            out[str(name)] = kind
    return out


def top_values(column: Sequence, *, top: int = TOP_VALUES) -> list[tuple[str, int]]:
    """The ``top`` most common present values of a column (as text) with their counts, most common
    first (ties: the value seen first). Counted over the whole column, so the colours do not change
    with the sample drawn.

    >>> top_values(["b", "a", "b", None, "c", "a", "b"], top=2)
    [('b', 3), ('a', 2)]
    """
    top = check_int(top, "top", minimum=1)
    counts = Counter(str(v) for v in column if not _missing(v))
    return counts.most_common(top)


def category_colours(column: Sequence, rows, *, top: int = TOP_VALUES,
                     other: str = OTHER) -> tuple[list[str], list[str]]:
    """The category of each drawn row and the legend order.

    Parameters
    ----------
    column : sequence
        One value per token of the set.
    rows : array-like of int
        The drawn rows.
    top : int
        How many values keep their own colour (see :func:`top_values`); the rest are ``other``.

    Returns
    -------
    (labels, order)
        ``labels[i]`` is the category of ``rows[i]``; ``order`` is the legend: "no value" and
        ``other`` (when drawn) first, then the top values, most common first.
    """
    kept = [v for v, _ in top_values(column, top=top)]
    keep = set(kept)
    labels = []
    for r in np.asarray(rows, dtype=np.int64).tolist():
        v = column[r]
        labels.append(NO_VALUE if _missing(v) else (str(v) if str(v) in keep else other))
    drawn = set(labels)
    order = [c for c in (NO_VALUE, other) if c in drawn] + [v for v in kept if v not in (NO_VALUE, other)]
    return labels, order


def number_values(column: Sequence, rows) -> np.ndarray:
    """``(len(rows),) float64``: each drawn row's number, NaN where missing.

    >>> number_values([1, None, 3], [2, 1]).tolist()
    [3.0, nan]
    """
    return np.asarray([np.nan if _missing(column[r]) else float(column[r])
                       for r in np.asarray(rows, dtype=np.int64).tolist()], dtype=np.float64)


def log_scale(column: Sequence) -> bool:
    """Colour a numeric column on a log scale? Yes when every value is positive and the largest is at
    least 1,000 times the smallest (word counts, prices), where a linear scale paints nearly every
    point the same colour.

    >>> log_scale([1, 50, 20_000]), log_scale([0, 5, 20_000]), log_scale([3.0, 7.5])
    (True, False, False)
    """
    rng = number_range(column)
    return rng is not None and rng[0] > 0 and rng[1] >= 1000 * rng[0]


def number_range(column: Sequence) -> tuple[float, float] | None:
    """The smallest and largest present number of a column (None if it has none).

    >>> number_range([3, None, -1.5])
    (-1.5, 3.0)
    """
    vals = [float(v) for v in column if not _missing(v) and _is_number(v)]
    return (min(vals), max(vals)) if vals else None


def filter_rows(column: Sequence, rows, *, values: Sequence[str] | None = None,
                value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Which drawn rows pass a filter: the value (as text) is one of ``values``, or the number lies in
    ``value_range`` (both ends included). Missing values never pass; no filter keeps every row.

    Returns
    -------
    ndarray
        ``(len(rows),) bool``.

    >>> filter_rows(["a", "b", None], [0, 1, 2], values=["b"]).tolist()
    [False, True, False]
    """
    r = np.asarray(rows, dtype=np.int64)
    if values is None and value_range is None:
        return np.ones(len(r), dtype=bool)
    if values is not None and value_range is not None:
        raise invalid("value_range", value_range, "None when values are given (one filter at a time)")
    if values is not None:
        wanted = {str(v) for v in values}
        return np.fromiter((not _missing(column[i]) and str(column[i]) in wanted for i in r.tolist()), bool, len(r))
    lo, hi = (float(x) for x in value_range)
    nums = number_values(column, r)
    with np.errstate(invalid="ignore"):
        return (nums >= lo) & (nums <= hi)


def filter_view(view: MapView, keep) -> MapView:
    """The points of ``view`` that ``keep`` (a boolean per point) marks, plus the searched word and its
    neighbours whatever their value; positions, highlight and labels are renumbered, and
    ``positions`` maps each kept point back to its place in the full list (as for a zoomed view).

    >>> v = MapView(np.arange(8, dtype=np.float32).reshape(4, 2), ("a", "b", "c", "d"), ["x", "y", "x", "y"],
    ...             None, 3, (1,), (0, 3))
    >>> f = filter_view(v, [True, False, False, False])
    >>> f.tokens, f.labels, f.highlight, f.neighbor_rows, f.labelled, f.positions
    (('a', 'b', 'd'), ['x', 'y', 'y'], 2, (1,), (0, 2), (0, 1, 3))
    """
    mask = np.asarray(keep, dtype=bool).copy()
    if mask.shape != (len(view.tokens),):
        raise invalid("keep", f"{mask.shape} values", f"one boolean per drawn point ({len(view.tokens)})")
    if view.highlight is not None:
        mask[int(view.highlight)] = True
    for r in view.neighbor_rows:
        mask[int(r)] = True
    if mask.all():
        return view
    idx = np.flatnonzero(mask)
    new_pos = {int(old): new for new, old in enumerate(idx.tolist())}
    base_pos = view.positions if view.positions is not None else tuple(range(len(view.tokens)))
    return replace(
        view, coords=view.coords[idx], tokens=tuple(view.tokens[i] for i in idx),
        labels=None if view.labels is None else [view.labels[i] for i in idx],
        values=None if view.values is None else np.asarray(view.values)[idx],
        highlight=None if view.highlight is None else new_pos[int(view.highlight)],
        neighbor_rows=tuple(new_pos[int(r)] for r in view.neighbor_rows),
        labelled=tuple(new_pos[int(r)] for r in view.labelled if int(r) in new_pos),
        positions=tuple(base_pos[i] for i in idx.tolist()))


def describe_filter(column: str, kept: int, drawn: int, *, values: Sequence[str] | None = None,
                    value_range: tuple[float, float] | None = None) -> str:
    """One sentence for the page: what the filter keeps.

    >>> describe_filter("genre", 3, 10, values=["a", "b"])
    'Filter genre ∈ {a, b}: 3 of 10 drawn points shown (the searched word and its neighbours always are).'
    """
    if values is not None:
        what = f"{column} ∈ {{{', '.join(str(v) for v in values)}}}"
    elif value_range is not None:
        what = f"{value_range[0]:g} ≤ {column} ≤ {value_range[1]:g}"
    else:
        return ""
    return (f"Filter {what}: {kept:,} of {drawn:,} drawn points shown (the searched word and its neighbours "
            "always are).")
