"""CSV that a spreadsheet shows as text: cells never run as formulas (app downloads and the CLI).

A spreadsheet opening a CSV runs a cell that starts with = + - @ (or a tab / carriage return before
one) as a formula: a token "=HYPERLINK(...)" in an uploaded file would become a live link or worse
("CSV injection", OWASP). Such cells get a leading apostrophe, the spreadsheet convention for "this
is text". A lone sign ("-", "+", the tokenizer has them) and plain numbers ("-1.5") are left as they are.
"""
from __future__ import annotations

import re

__all__ = ["csv_cell", "csv_bytes"]

_FORMULA_START = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text, never runs as a formula.

    >>> csv_cell("=1+1"), csv_cell("@SUM(A1)"), csv_cell("king"), csv_cell("-"), csv_cell("-1.5")
    ("'=1+1", "'@SUM(A1)", 'king', '-', '-1.5')
    """
    if len(text) > 1 and text[0] in _FORMULA_START and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_bytes(table) -> bytes:
    """A pandas DataFrame as UTF-8 CSV for a download, its text cells passed through :func:`csv_cell`."""
    import pandas as pd

    safe = table.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col].dtype):
            safe[col] = [csv_cell(v) if isinstance(v, str) else v for v in safe[col]]
    # RFC 4180 line ends: with pandas' default "\n" a cell holding a bare "\r" is written unquoted and
    # splits its row when read back
    return safe.to_csv(index=False, lineterminator="\r\n").encode()
