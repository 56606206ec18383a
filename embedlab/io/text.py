"""Uploaded text and CSV, read one way for every page (corpora for training, documents to encode).

Decoding policy (:func:`decode_text`): UTF-8, with a UTF-8 byte-order mark honoured; UTF-16 only with
its byte-order mark; otherwise, if the bytes are not UTF-8, Windows-1252 (cp1252, a superset of the
printable Latin-1 characters) and the result says so. Bytes that are neither, NUL bytes without a
UTF-16 mark, or many control characters are refused with a :class:`~embedlab.core.errors.CorpusError`.

CSV (:func:`csv_rows`, :func:`csv_columns`): the delimiter is sniffed among ``, ; tab |`` from the
first 20,000 characters (``.tsv`` files use tabs; comma when the sniffer cannot tell), quotes as in
Excel's dialect, rows whose cells are all blank are skipped, a cell may hold up to
:data:`MAX_FIELD_CHARS` characters, and blank header names become ``"column <i>"``.

>>> decode_text("café".encode("cp1252"), name="old.txt")
('café', 'cp1252')
>>> csv_rows("id;text\\n1;\\"a; b\\"\\n\\n2;c\\n", name="x.csv")
[['id', 'text'], ['1', 'a; b'], ['2', 'c']]
>>> csv_columns(b"id,,text\\n1,2,3\\n", name="x.csv")
['id', 'column 2', 'text']
"""
from __future__ import annotations

import csv
import io
import itertools
import os
import logging
import threading
from pathlib import Path
from typing import Iterable, Iterator
import unicodedata

from ..core.errors import CorpusError
from .limits import open_regular

logger = logging.getLogger(__name__)

__all__ = ["FALLBACK_ENCODING", "MAX_FIELD_CHARS", "CSV_DELIMITERS", "decode_text", "csv_records", "iter_csv_records", "csv_line_limit", "csv_rows", "csv_header", "read_source",
           "csv_columns"]

FALLBACK_ENCODING = "cp1252"          #: tried when the bytes are not UTF-8
MAX_FIELD_CHARS = 1024 * 1024         #: longest CSV cell read (a longer one is refused while reading)
CSV_DELIMITERS = ",;\t|"              #: the delimiters the sniffer chooses from
_SNIFF_CHARS = 20_000
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_ALLOWED_CONTROLS = set("\t\n\r\f\v\x1c\x1d\x1e\x85\u2028\u2029")
_field_limit_lock = threading.Lock()   # csv.field_size_limit is process-wide


def _check_not_binary(text: str, name: str) -> None:
    sample = text[:200_000]
    controls = sum(1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")
    if controls > max(2, 0.01 * len(sample)):
        raise CorpusError(f"{name} looks like a binary file ({controls} control characters in the first "
                          f"{len(sample):,}); a plain text file is needed")


def decode_text(data: bytes, *, name: str = "the text") -> tuple[str, str]:
    """Decode uploaded bytes by the module's policy: UTF-8 (BOM honoured; UTF-16 only with a BOM), else cp1252.

    Parameters
    ----------
    data : bytes
    name : str
        Used in error messages (a file name).

    Returns
    -------
    (str, str)
        The text and the encoding used (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"`` or ``"cp1252"``).

    Raises
    ------
    CorpusError
        Not bytes, empty, binary (NUL bytes or many control characters), or neither UTF-8 nor cp1252.

    >>> decode_text(b"caf\\xc3\\xa9")
    ('café', 'utf-8')
    >>> decode_text(b"\\x80 caf\\xe9")
    ('€ café', 'cp1252')
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CorpusError(f"{name}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise CorpusError(f"{name} is empty: there is no text in it")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise CorpusError(f"{name} starts with a {enc} byte-order mark but is not valid {enc} "
                                  f"(byte {exc.start:,})") from None
            break
    else:
        if b"\x00" in data:
            raise CorpusError(f"{name} looks like a binary file (it contains NUL bytes); a plain text file is "
                              "needed (UTF-16 text needs a byte-order mark)")
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            first = exc.start
            try:
                text, enc = data.decode(FALLBACK_ENCODING), FALLBACK_ENCODING
            except UnicodeDecodeError as exc2:
                raise CorpusError(
                    f"{name} cannot be decoded: it is not UTF-8 (bad byte 0x{data[first]:02x} at {first:,}) "
                    f"nor Windows-1252 (byte 0x{data[exc2.start]:02x} at {exc2.start:,} is undefined); "
                    "save it as UTF-8 text") from None
            logger.info("%s is not UTF-8; decoded as %s", name, FALLBACK_ENCODING)
    if not text.strip():
        raise CorpusError(f"{name} is empty: there is no text in it")
    _check_not_binary(text, name)
    return text, enc


def _delimiter(text: str, name: str) -> str:
    if name.lower().endswith(".tsv"):
        return "\t"
    try:
        return csv.Sniffer().sniff(text[:_SNIFF_CHARS], delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        return ","


def csv_line_limit() -> int:
    """The longest physical line a streamed CSV may have: two cells of :data:`MAX_FIELD_CHARS`.

    >>> csv_line_limit() == 2 * MAX_FIELD_CHARS
    True
    """
    return 2 * MAX_FIELD_CHARS


def _csv_lines(pieces: Iterable[str]) -> Iterator[str]:
    for piece in pieces:
        yield from io.StringIO(piece, newline="")


def iter_csv_records(pieces: Iterable[str], *, name: str = "the CSV file", delimiter: str | None = None
                     ) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows of CSV text given in pieces that end at line breaks (see
    :func:`embedlab.io.stream.read_pieces`), with the 1-based line where each starts, one at a time.

    The delimiter is sniffed from the first 20,000 characters (see the module notes); a cell longer
    than :data:`MAX_FIELD_CHARS` stops the reading at once.

    Raises
    ------
    CorpusError
        Not readable as CSV (for instance a cell longer than :data:`MAX_FIELD_CHARS`).

    >>> list(iter_csv_records(["a,b\\n", "\\n1,2\\n"]))
    [(1, ['a', 'b']), (3, ['1', '2'])]
    """
    it = iter(pieces)
    head: list[str] = []
    size = 0
    for piece in it:
        head.append(piece)
        size += len(piece)
        if size >= _SNIFF_CHARS:
            break
    delim = delimiter or _delimiter("".join(head)[:_SNIFF_CHARS], name)
    lines = _csv_lines(itertools.chain(head, it))
    with _field_limit_lock:   # held while the rows are read (csv's limit is process-wide)
        old = csv.field_size_limit()
        reader = csv.reader(lines, delimiter=delim)
        try:
            csv.field_size_limit(MAX_FIELD_CHARS)
            line = 1
            for row in reader:
                if any(c.strip() for c in row):
                    yield line, row
                line = reader.line_num + 1
        except csv.Error as exc:
            raise CorpusError(f"{name} is not a readable CSV file: {exc} (line {reader.line_num}); a cell may "
                              f"hold at most {MAX_FIELD_CHARS:,} characters") from None
        finally:
            csv.field_size_limit(old)


def csv_records(text: str, *, name: str = "the CSV file", delimiter: str | None = None,
                max_rows: int | None = None) -> list[tuple[int, list[str]]]:
    """The non-blank rows of CSV text with the 1-based line where each starts (the header line first).

    Parameters
    ----------
    text : str
        Decoded text (see :func:`decode_text`).
    name : str
        For messages; a name ending in ``.tsv`` means tab-separated.
    delimiter : str, optional
        Default: sniffed (see the module notes).
    max_rows : int, optional
        Stop after this many non-blank rows (the header alone: 1).

    Raises
    ------
    CorpusError
        Not readable as CSV (for instance a cell longer than :data:`MAX_FIELD_CHARS`), or no rows.

    >>> csv_records("a,b\\n\\n1,2\\n")
    [(1, ['a', 'b']), (3, ['1', '2'])]
    """
    rows: list[tuple[int, list[str]]] = []
    records = iter_csv_records([text], name=name, delimiter=delimiter or _delimiter(text, name))
    try:
        for rec in records:
            rows.append(rec)
            if max_rows is not None and len(rows) >= max_rows:
                break
    finally:
        records.close()
    if not rows:
        raise CorpusError(f"{name} has no rows; a CSV needs a header line and at least one row")
    return rows


def csv_rows(text: str, *, name: str = "the CSV file", delimiter: str | None = None,
             max_rows: int | None = None) -> list[list[str]]:
    """The rows of CSV text (the header line first), blank rows skipped: :func:`csv_records` without
    the line numbers."""
    return [row for _, row in csv_records(text, name=name, delimiter=delimiter, max_rows=max_rows)]


def read_source(source, *, filename: str | None = None, max_bytes: int) -> tuple[bytes, str]:
    """(bytes, display name) from a path, bytes or a binary/text file-like object, never reading more
    than ``max_bytes + 1`` bytes of it.

    Raises
    ------
    CorpusError
        Larger than ``max_bytes``, not a regular file, unreadable, or an unsupported type.

    >>> read_source(b"abc", max_bytes=3)
    (b'abc', 'uploaded file')
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = filename or path.name
        try:
            with open_regular(path, role="file", max_bytes=max_bytes, name=str(name)) as fh:
                data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise CorpusError(f"cannot read {name}: {exc.strerror or exc}") from None
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), filename or "uploaded file"
    elif hasattr(source, "read"):
        name = filename or getattr(source, "name", None) or "uploaded file"
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise CorpusError(f"cannot read a corpus from {type(source).__name__}; give a file, bytes or text")
    if len(data) > max_bytes:
        raise CorpusError(f"{name} is larger than {max_bytes / 2**20:.0f} MB, the limit")
    return data, str(name)


def csv_header(rows: list[list[str]]) -> list[str]:
    """Column names from the first row: stripped, a blank name becomes ``"column <i>"``.

    >>> csv_header([[" id ", ""], ["1", "2"]])
    ['id', 'column 2']
    """
    return [h.strip() or f"column {i + 1}" for i, h in enumerate(rows[0])]


def csv_columns(data: bytes | str, *, name: str = "the CSV file") -> list[str]:
    """The column names of a CSV/TSV file (bytes are decoded by :func:`decode_text`).

    Raises
    ------
    CorpusError
        Empty, binary, undecodable or unreadable.
    """
    text = data if isinstance(data, str) else decode_text(data, name=name)[0]
    return csv_header(csv_rows(text, name=name, max_rows=1))
