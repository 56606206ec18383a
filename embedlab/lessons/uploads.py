"""Small CSV tables a learner uploads to a lesson (labelled texts, baskets), read with size caps.

Read with the one text/CSV reader of every upload (:mod:`embedlab.io.text`: UTF-8 with a byte-order
mark honoured, else Windows-1252; binary refused; one delimiter sniffing, ``.tsv`` means tab); rows
whose cells are all blank are skipped and the rest keep their 1-based line number in the file, so an
error can name the row.

>>> t = read_table(b"text,label\\ngood film,pos\\n\\nbad film,neg\\n", name="x.csv", max_bytes=100)
>>> t.header, t.rows
(('text', 'label'), ((2, ('good film', 'pos')), (4, ('bad film', 'neg'))))
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ..core.errors import CorpusError, LessonDataError

logger = logging.getLogger(__name__)

__all__ = ["Table", "read_table", "read_upload"]


@dataclass(frozen=True)
class Table:
    """The non-blank rows of a CSV file: ``rows`` holds ``(line number, cells)``; ``header`` the first row
    (stripped) when the file was read with a header, else ``()``."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    encoding: str


def read_upload(source, *, name: str | None = None, max_bytes: int,
                error: type[LessonDataError] = LessonDataError) -> tuple[bytes, str]:
    """(bytes, display name) of pasted text (a ``str``), bytes, a path (``pathlib.Path``) or a file-like
    object, at most ``max_bytes`` long.

    Raises
    ------
    LessonDataError (or ``error``)
        Unreadable, not one of those types, or larger than ``max_bytes``.

    >>> read_upload(b"abc", max_bytes=3)
    (b'abc', 'uploaded file')
    """
    from ..io.text import read_source

    if isinstance(source, str):
        data, shown = source.encode("utf-8"), name or "the pasted text"
    else:
        try:
            data, shown = read_source(source, filename=name, max_bytes=max_bytes)
        except CorpusError as exc:
            raise error(str(exc), name=None) from None   # its message names the file already
    if len(data) > max_bytes:
        raise error(f"the file is {len(data):,} bytes; the limit is {max_bytes:,}", name=shown)
    return data, shown


def read_table(source, *, name: str | None = None, max_bytes: int, max_rows: int | None = None,
               header: bool = True, error: type[LessonDataError] = LessonDataError) -> Table:
    """Read a small CSV/TSV table for a lesson.

    Parameters
    ----------
    source : str (the text), bytes, pathlib.Path or file-like
    name : str, optional
        The file name shown in messages (``.tsv`` means tab-separated).
    max_bytes : int
        Larger files are refused.
    max_rows : int, optional
        More data rows (after the header) are refused.
    header : bool
        Whether the first non-blank row names the columns.
    error : subclass of LessonDataError
        The error type raised, so each lesson's errors have their own type.

    Returns
    -------
    Table

    Raises
    ------
    LessonDataError (or ``error``)
        Too large, undecodable or binary, not readable as CSV, no data rows, too many rows.
    """
    from ..io.text import csv_records, decode_text   # the one text/CSV reader of every upload

    data, shown = read_upload(source, name=name, max_bytes=max_bytes, error=error)
    try:
        text, encoding = decode_text(data, name=shown)
        limit = None if max_rows is None else max_rows + (1 if header else 0) + 1
        records = csv_records(text, name=shown, max_rows=limit)
    except CorpusError as exc:
        raise error(str(exc), name=None) from None   # its message names the file (and the line)
    rows = [(line, tuple(c.strip() for c in cells)) for line, cells in records]
    if limit is not None and len(rows) >= limit:
        raise error(f"more than {max_rows:,} rows; the limit is {max_rows:,}", name=shown)
    head: tuple[str, ...] = ()
    if header and rows:
        head = tuple(h or f"column {i + 1}" for i, h in enumerate(rows[0][1]))
        rows = rows[1:]
    if not rows:
        raise error("no data rows" + (" after the header line" if header else ""), name=shown)
    logger.info("%s: %d rows read (%s)", shown, len(rows), encoding)
    return Table(name=shown, header=head, rows=tuple(rows), encoding=encoding)
