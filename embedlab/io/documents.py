"""Documents as points: read pasted or uploaded texts, encode them, search them by meaning.

A document is a line or a paragraph of a ``.txt`` file, or one cell of a chosen ``.csv`` column.
Encoded with the MiniLM sentence encoder (:func:`embedlab.encoder.transformer.encode_sentences`), the
documents form an :class:`EmbeddingSet` like any other: its tokens are short labels, its
``meta["text"]`` the full texts. A free-text query is encoded the same way and answered with the
documents of highest cosine similarity.

>>> docs = read_documents("first line\\n\\nsecond line\\n", mode="lines")
>>> docs.texts, docs.skipped_empty
(('first line', 'second line'), 1)
"""
from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import CorpusError, InvalidParameterError

logger = logging.getLogger(__name__)

__all__ = ["MAX_DOCUMENTS", "MAX_BYTES", "MODES", "DocumentList", "DocumentHit", "decode_text",
           "split_documents", "csv_columns", "read_documents", "document_labels", "encode_documents",
           "search"]

MAX_DOCUMENTS = 5_000        # ~30 s to encode on 2 cores
MAX_BYTES = 10_000_000
MODES = ("auto", "lines", "paragraphs", "csv")
ALLOWED_SUFFIXES = (".txt", ".csv")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class DocumentList:
    """Documents read from a text or file: the texts, how they were split, what was skipped."""

    texts: tuple[str, ...]
    mode: str
    skipped_empty: int = 0
    column: str | None = None
    source: str = "pasted text"

    def __len__(self) -> int:
        return len(self.texts)


def decode_text(data: bytes | str, *, name: str = "the text") -> str:
    """Text of an upload: UTF-8 (with or without BOM), else Latin-1; binary data is refused.

    Raises
    ------
    CorpusError
        If the data holds NUL bytes (a binary file) or exceeds :data:`MAX_BYTES`.

    >>> decode_text(b"caf\\xc3\\xa9"), decode_text(b"caf\\xe9")
    ('café', 'café')
    """
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise CorpusError(f"{name} has {len(data):,} characters; the limit is {MAX_BYTES:,}")
        return data
    if not isinstance(data, (bytes, bytearray)):
        raise CorpusError(f"{name}: expected text or bytes, got {type(data).__name__}")
    if len(data) > MAX_BYTES:
        raise CorpusError(f"{name} has {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    if b"\x00" in data:
        raise CorpusError(f"{name} looks like a binary file (it contains NUL bytes); upload a .txt or .csv text file")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        logger.info("%s is not UTF-8; reading it as Latin-1", name)
        return bytes(data).decode("latin-1")


def split_documents(text: str, *, mode: str = "lines") -> tuple[list[str], int]:
    """Split ``text`` into documents: one per non-empty line, or per paragraph (blank-line separated).

    Returns the documents (whitespace inside each collapsed to single spaces) and how many empty
    pieces were skipped.

    >>> split_documents("a\\nb\\n\\nc", mode="paragraphs")
    (['a b', 'c'], 0)
    """
    if mode not in ("lines", "paragraphs"):
        raise InvalidParameterError(f"mode must be 'lines' or 'paragraphs', got {mode!r}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces = text.split("\n") if mode == "lines" else _PARAGRAPH_BREAK.split(text)
    docs = [" ".join(p.split()) for p in pieces]
    kept = [d for d in docs if d]
    skipped = len(docs) - len(kept)
    if mode == "lines" and text.endswith("\n"):
        skipped -= 1    # the final newline ends the last line; it is not an empty document
    return kept, max(skipped, 0)


def _csv_rows(text: str, name: str) -> list[list[str]]:
    try:
        sample = text[:4096]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise CorpusError(f"{name} is not a readable CSV file: {exc}") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise CorpusError(f"{name} has no rows; a CSV needs a header line and at least one row")
    return rows


def csv_columns(data: bytes | str, *, name: str = "the CSV file") -> list[str]:
    """The column names (header line) of a CSV file.

    >>> csv_columns("id,text\\n1,hello\\n")
    ['id', 'text']
    """
    header = _csv_rows(decode_text(data, name=name), name)[0]
    return [h.strip() or f"column {i + 1}" for i, h in enumerate(header)]


def _longest_text_column(header: list[str], rows: list[list[str]]) -> int:
    lengths = np.zeros(len(header))
    for r in rows[:200]:
        for i, c in enumerate(r[:len(header)]):
            lengths[i] += len(c)
    return int(lengths.argmax())


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
    if mode not in MODES:
        raise InvalidParameterError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    name = filename or "the pasted text"
    if filename is not None:
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if suffix not in ALLOWED_SUFFIXES:
            raise CorpusError(f"{filename!r}: unsupported file type {suffix or '(none)'}; "
                              f"allowed: {', '.join(ALLOWED_SUFFIXES)}")
        if mode == "auto" and suffix == ".csv":
            mode = "csv"
    text = decode_text(data, name=name)
    used_column = None
    if mode == "csv":
        rows = _csv_rows(text, name)
        header = [h.strip() or f"column {i + 1}" for i, h in enumerate(rows[0])]
        body = rows[1:]
        if column is None:
            idx = _longest_text_column(header, body)
        elif column in header:
            idx = header.index(column)
        else:
            raise CorpusError(f"{name} has no column {column!r}; its columns are: {', '.join(header)}")
        used_column = header[idx]
        cells = [" ".join(r[idx].split()) if idx < len(r) else "" for r in body]
        texts = [c for c in cells if c]
        skipped = len(cells) - len(texts)
    else:
        if mode == "auto":
            blocks = [b for b in _PARAGRAPH_BREAK.split(text.strip()) if b.strip()]
            multi_line = any("\n" in b.strip() for b in blocks)
            mode = "paragraphs" if len(blocks) > 1 and multi_line else "lines"
        texts, skipped = split_documents(text, mode=mode)
    if not texts:
        where = f" in column {used_column!r}" if used_column else ""
        raise CorpusError(f"{name} has no documents{where}: every {('row' if mode == 'csv' else mode[:-1])} is empty")
    if len(texts) > MAX_DOCUMENTS:
        raise CorpusError(f"{name} has {len(texts):,} documents; the limit is {MAX_DOCUMENTS:,}. "
                          "Keep the first ones or split the file.")
    return DocumentList(tuple(texts), mode, skipped, used_column, filename or "pasted text")


def document_labels(texts: Sequence[str], *, width: int = 40) -> list[str]:
    """Short unique labels for documents: the start of the text, numbered when two would clash.

    >>> document_labels(["A short one", "A short one", "x" * 60], width=10)
    ['A short one', 'A short one (2)', 'xxxxxxxxx…']
    """
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


def encode_documents(texts: Sequence[str], *, name: str = "documents", batch_size: int = 32,
                     progress: Callable[[int, int], None] | None = None) -> EmbeddingSet:
    """Encode documents with the MiniLM sentence encoder into an :class:`EmbeddingSet`.

    Tokens are :func:`document_labels`; ``meta`` holds ``text`` (the full documents), ``kind``
    (``"document"``) and ``truncated`` (True where a document was cut to 512 tokens).

    Raises
    ------
    CorpusError
        If there are no documents, or more than :data:`MAX_DOCUMENTS`.
    """
    from ..encoder.transformer import encode_sentences, tokenize_batch

    texts = [str(t) for t in texts]
    if not texts:
        raise CorpusError("there are no documents to encode")
    if len(texts) > MAX_DOCUMENTS:
        raise CorpusError(f"{len(texts):,} documents; the limit is {MAX_DOCUMENTS:,}")
    vectors = encode_sentences(texts, batch_size=batch_size, progress=progress)
    truncated = [t.truncated for t in tokenize_batch(texts)]
    origin = f"{len(texts):,} documents encoded with all-MiniLM-L6-v2 (mean-pooled, unit length)"
    if any(truncated):
        origin += f"; {sum(truncated)} cut to 512 tokens"
    return EmbeddingSet(document_labels(texts), vectors, name=name, origin=origin,
                        meta={"text": texts, "kind": ["document"] * len(texts), "truncated": truncated},
                        copy=False)


@dataclass(frozen=True)
class DocumentHit:
    """One search result: rank (1 = best), row, label, full text and cosine similarity."""

    rank: int
    index: int
    label: str
    text: str
    score: float


def search(es: EmbeddingSet, query: str, *, k: int = 5) -> list[DocumentHit]:
    """The ``k`` documents of ``es`` closest in meaning to a free-text ``query`` (cosine).

    Raises
    ------
    InvalidParameterError
        Empty query, ``k`` < 1, or a set whose vectors are not 384-dimensional sentence vectors.
    """
    from ..encoder.transformer import encode_sentences

    if not isinstance(query, str) or not query.strip():
        raise InvalidParameterError("type a query: the search text is empty")
    if int(k) < 1:
        raise InvalidParameterError(f"k must be at least 1, got {k}")
    qv = encode_sentences([query])[0]
    if es.dim != qv.shape[0]:
        raise InvalidParameterError(
            f"set {es.name!r} has {es.dim}-dimensional vectors; a text query needs the encoder's {qv.shape[0]} "
            "dimensions (encode documents first)")
    scores = es.unit @ qv
    k = min(int(k), len(es))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((top, -scores[top]))]
    texts = es.meta.get("text") or es.tokens
    return [DocumentHit(r + 1, int(i), es.tokens[i], str(texts[i]), float(scores[i])) for r, i in enumerate(top)]
