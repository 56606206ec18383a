"""Documents as points: read pasted or uploaded texts and split them into documents.

A document is a line or a paragraph of a ``.txt`` file, or one cell of a chosen ``.csv`` column.
Uploaded bytes and CSV are read by :mod:`embedlab.io.text`, as corpora for training are. Encoding
the documents and searching them by meaning is :mod:`embedlab.encoder.documents`.

>>> docs = read_documents("first line\\n\\nsecond line\\n", mode="lines")
>>> docs.texts, docs.skipped_empty
(('first line', 'second line'), 1)
"""
from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from ..core.errors import CorpusError
from ..core.validate import check_choice, check_int
from .text import csv_header, decode_text, iter_csv_records
from .text import csv_columns as _csv_columns

logger = logging.getLogger(__name__)

__all__ = ["MAX_DOCUMENTS", "MAX_BYTES", "MODES", "DocumentList", "split_documents", "csv_columns",
           "read_documents", "document_labels"]

MAX_DOCUMENTS = 5_000        # ~30 s to encode on 2 cores
MAX_BYTES = 10_000_000
MODES = ("auto", "lines", "paragraphs", "csv")
ALLOWED_SUFFIXES = (".txt", ".csv")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINE_BREAK = re.compile(r"\n")


@dataclass(frozen=True)
class DocumentList:
    """Documents read from a text or file: the texts, how they were split, what was skipped.

    ``encoding`` is how an upload's bytes were decoded (see :func:`embedlab.io.text.decode_text`);
    ``""`` for pasted text.
    """

    texts: tuple[str, ...]
    mode: str
    skipped_empty: int = 0
    column: str | None = None
    source: str = "pasted text"
    encoding: str = ""

    def __len__(self) -> int:
        return len(self.texts)


def _text_of(data: bytes | str, name: str) -> tuple[str, str]:
    """The text and its encoding ("" for pasted text), size-capped; bytes by :func:`embedlab.io.text.decode_text`."""
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise CorpusError(f"{name} has {len(data):,} characters; the limit is {MAX_BYTES:,}")
        return data, ""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CorpusError(f"{name}: expected text or bytes, got {type(data).__name__}")
    if len(data) > MAX_BYTES:
        raise CorpusError(f"{name} has {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    return decode_text(data, name=name)


def _pieces(text: str, mode: str) -> Iterator[str]:
    """The lines or paragraphs of ``text`` one at a time (never all of them in a list)."""
    sep = _LINE_BREAK if mode == "lines" else _PARAGRAPH_BREAK
    pos = 0
    for m in sep.finditer(text):
        yield text[pos:m.start()]
        pos = m.end()
    yield text[pos:]


def split_documents(text: str, *, mode: str = "lines", limit: int | None = None) -> tuple[list[str], int]:
    """Split ``text`` into documents: one per non-empty line, or per paragraph (blank-line separated).

    Returns the documents (whitespace inside each collapsed to single spaces) and how many empty
    pieces were skipped. With ``limit``, stops after ``limit + 1`` documents (enough to know there are
    too many), so a file of millions of short lines costs no more than the documents kept.

    >>> split_documents("a\\nb\\n\\nc", mode="paragraphs")
    (['a b', 'c'], 0)
    >>> split_documents("a\\nb\\nc\\n", limit=1)
    (['a', 'b'], 0)
    """
    mode = check_choice(mode, "mode", ("lines", "paragraphs"), case_sensitive=True)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []
    skipped = 0
    for p in _pieces(text, mode):
        d = " ".join(p.split())
        if not d:
            skipped += 1
            continue
        kept.append(d)
        if limit is not None and len(kept) > limit:
            return kept, skipped
    if mode == "lines" and text.endswith("\n"):
        skipped -= 1    # the final newline ends the last line; it is not an empty document
    return kept, max(skipped, 0)


def _paragraph_mode(text: str) -> bool:
    """``auto``: paragraphs if the text has more than one block and a block of several lines."""
    blocks = multi_line = 0
    for b in _pieces(text.strip(), "paragraphs"):
        b = b.strip()
        if b:
            blocks += 1
            multi_line = multi_line or "\n" in b
            if blocks > 1 and multi_line:
                return True
    return False


def csv_columns(data: bytes | str, *, name: str = "the CSV file") -> list[str]:
    """The column names (header line) of a CSV file, read as :func:`embedlab.io.text.csv_columns` reads it.

    >>> csv_columns("id,text\\n1,hello\\n")
    ['id', 'text']
    """
    return _csv_columns(_text_of(data, name)[0], name=name)


def _longest_text_column(header: list[str], rows: list[list[str]]) -> int:
    lengths = np.zeros(len(header))
    for r in rows[:200]:
        for i, c in enumerate(r[:len(header)]):
            lengths[i] += len(c)
    return int(lengths.argmax())


def _csv_documents(text: str, name: str, column: str | None) -> tuple[str, list[str], int]:
    """(column used, the non-empty cells of that column, empty cells skipped), rows read one at a time
    and at most ``MAX_DOCUMENTS + 1`` documents kept; the default column is chosen from the first 200 rows."""
    records = iter_csv_records([text], name=name)
    try:
        first = next(records, None)
        if first is None:
            raise CorpusError(f"{name} has no rows; a CSV needs a header line and at least one row")
        header = csv_header([first[1]])
        head = [row for _, row in itertools.islice(records, 200)]
        if column is None:
            idx = _longest_text_column(header, head)
        elif column in header:
            idx = header.index(column)
        else:
            raise CorpusError(f"{name} has no column {column!r}; its columns are: {', '.join(header)}")
        texts: list[str] = []
        skipped = 0
        for row in itertools.chain(head, (row for _, row in records)):
            cell = " ".join(row[idx].split()) if idx < len(row) else ""
            if not cell:
                skipped += 1
                continue
            texts.append(cell)
            if len(texts) > MAX_DOCUMENTS:
                break
    finally:
        records.close()
    return header[idx], texts, skipped


def read_documents(data: bytes | str, *, filename: str | None = None, mode: str = "auto",
                   column: str | None = None) -> DocumentList:
    """Read documents from pasted text or an uploaded ``.txt`` / ``.csv`` file.

    Parameters
    ----------
    data : bytes or str
        The file's bytes or the pasted text.
    filename : str, optional
        The upload's name; its suffix decides between text and CSV when ``mode="auto"``.
    mode : {"auto", "lines", "paragraphs", "csv"}
        ``auto``: CSV for ``.csv`` files; otherwise paragraphs if the text has blank lines
        between blocks of several lines, else one document per line.
    column : str, optional
        The CSV column holding the documents (default: the column with the most text).

    Raises
    ------
    CorpusError
        Unsupported file type, binary data, no documents, too many documents, unknown column.
    InvalidParameterError
        Unknown ``mode``.

    >>> read_documents("id,text\\n1,the cat\\n2,the dog\\n", mode="csv").texts
    ('the cat', 'the dog')
    """
    mode = check_choice(mode, "mode", MODES, case_sensitive=True)
    name = filename or "the pasted text"
    if filename is not None:
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if suffix not in ALLOWED_SUFFIXES:
            raise CorpusError(f"{filename!r}: unsupported file type {suffix or '(none)'}; "
                              f"allowed: {', '.join(ALLOWED_SUFFIXES)}")
        if mode == "auto" and suffix == ".csv":
            mode = "csv"
    text, encoding = _text_of(data, name)
    used_column = None
    if mode == "csv":
        used_column, texts, skipped = _csv_documents(text, name, column)
    else:
        if mode == "auto":
            mode = "paragraphs" if _paragraph_mode(text) else "lines"
        texts, skipped = split_documents(text, mode=mode, limit=MAX_DOCUMENTS)
    if not texts:
        where = f" in column {used_column!r}" if used_column else ""
        raise CorpusError(f"{name} has no documents{where}: every {('row' if mode == 'csv' else mode[:-1])} is empty")
    if len(texts) > MAX_DOCUMENTS:
        raise CorpusError(f"{name} has more than {MAX_DOCUMENTS:,} documents; the limit is {MAX_DOCUMENTS:,}. "
                          "Keep the first ones or split the file.")
    return DocumentList(tuple(texts), mode, skipped, used_column, filename or "pasted text", encoding)


def document_labels(texts: Sequence[str], *, width: int = 40) -> list[str]:
    """Short unique labels for documents: the start of the text, numbered when two would clash.

    >>> document_labels(["A short one", "A short one", "x" * 60], width=10)
    ['A short one', 'A short one (2)', 'xxxxxxxxx…']
    """
    width = check_int(width, "width", minimum=1)
    labels: list[str] = []
    used: set[str] = set()
    for t in texts:
        base = t if len(t) <= width + 1 else t[:width - 1].rstrip() + "…"
        label, n = base, 1
        while label in used:
            n += 1
            label = f"{base} ({n})"
        used.add(label)
        labels.append(label)
    return labels
