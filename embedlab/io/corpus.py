"""Corpora for training: read uploaded text, tokenize it, count it.

Sources: plain text (``.txt``, ``.md``, ``.cor``), a CSV/TSV file (one column holds the text), a
``.zip`` of text files (:mod:`embedlab.io.archive`), pasted text; the built-in corpora (a generated
toy corpus, gensim's Lee corpus) are in :mod:`embedlab.io.builtin_corpora`.

Bytes are decoded and CSV is read by :mod:`embedlab.io.text`, the one reader the Documents page uses
too: UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured), else Windows-1252 (cp1252), reported in
:attr:`Corpus.notes`; bytes that are neither, NUL bytes or many control characters make a
:class:`~embedlab.core.errors.CorpusError`.

Every limit is a module constant (stated on the Train page): :data:`MAX_FILE_BYTES`,
:data:`MAX_UNCOMPRESSED_BYTES`, :data:`MAX_ZIP_MEMBERS` (both from :mod:`embedlab.io.archive`),
:data:`MAX_TOTAL_TOKENS`, :data:`MAX_TYPES`.

>>> c = corpus_from_text("The king rules. The queen rules too!")
>>> c.sentences
(('the', 'king', 'rules'), ('the', 'queen', 'rules', 'too'))
>>> corpus_stats(c, min_count=1).top[:2]
(('rules', 2), ('the', 2))
"""
from __future__ import annotations

import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Sequence

import numpy as np

from ..core.errors import CorpusError
from ..core.validate import check_bool, check_float, check_int
from .archive import MAX_UNCOMPRESSED_BYTES, MAX_ZIP_MEMBERS, TEXT_EXTENSIONS, open_zip_texts
from .limits import check_regular
from .stream import MAX_LINE_CHARS, chunks_of, read_pieces, str_pieces
from .text import FALLBACK_ENCODING, csv_header, csv_line_limit, iter_csv_records, read_source
from .text import decode_text  # noqa: F401  (lessons.labelled imports it from here)
from .text import csv_columns as _csv_columns

logger = logging.getLogger(__name__)

__all__ = [
    "Corpus", "CorpusStats", "TokenizeOptions", "read_corpus", "corpus_from_text", "csv_columns",
    "corpus_stats", "tokenize", "TEXT_EXTENSIONS", "CSV_EXTENSIONS",
    "ZIP_EXTENSIONS", "MAX_FILE_BYTES", "MAX_UNCOMPRESSED_BYTES", "MAX_ZIP_MEMBERS", "MAX_TOTAL_TOKENS",
    "MAX_SENTENCE_TOKENS", "MAX_TYPES",
]

# -- limits (stated on the Train page) ------------------------------------------------------------
MAX_FILE_BYTES = 50 * 1024 * 1024           #: largest file (or zip archive) read, in bytes
MAX_TOTAL_TOKENS = 5_000_000                #: most tokens in one corpus
MAX_SENTENCE_TOKENS = 1_000                 #: longer sentences are cut into pieces of this size
MAX_TYPES = 1_000_000                       #: most distinct words in one corpus

CSV_EXTENSIONS = (".csv", ".tsv")
ZIP_EXTENSIONS = (".zip",)


@dataclass(frozen=True)
class TokenizeOptions:
    """How text becomes tokens.

    Parameters
    ----------
    lowercase : bool
        Fold case ("King" and "king" become one word).
    strip_punctuation : bool
        Drop punctuation; if False each punctuation mark is a token of its own.
    phrases : bool
        Join frequent word pairs into one token ("new_york") with gensim ``Phrases``.
    phrase_min_count, phrase_threshold
        gensim ``Phrases`` settings (a pair must occur this often and score above the threshold).
    """

    lowercase: bool = True
    strip_punctuation: bool = True
    phrases: bool = False
    phrase_min_count: int = 5
    phrase_threshold: float = 10.0

    def __post_init__(self):
        for name in ("lowercase", "strip_punctuation", "phrases"):
            check_bool(getattr(self, name), name)
        check_int(self.phrase_min_count, "phrase_min_count", minimum=1)
        check_float(self.phrase_threshold, "phrase_threshold", low=0, low_open=True)


@dataclass(frozen=True)
class Corpus:
    """Tokenized sentences ready for training.

    Attributes
    ----------
    sentences : tuple of tuple of str
        One tuple of tokens per sentence (equal strings share one object).
    name : str
        Short name ("toy", "lee_background", the file name).
    source : str
        Where the text came from, in words.
    encoding : str
        How the bytes were decoded ("utf-8", "cp1252", ...; "" for generated text).
    notes : tuple of str
        Things the reader did that the user should know (fallback encoding, skipped members...).
    n_documents : int
        Files, CSV rows or lines of origin.
    options : TokenizeOptions
    """

    sentences: tuple[tuple[str, ...], ...]
    name: str
    source: str = ""
    encoding: str = "utf-8"
    notes: tuple[str, ...] = ()
    n_documents: int = 1
    options: TokenizeOptions = field(default_factory=TokenizeOptions)

    @property
    def n_tokens(self) -> int:
        return sum(len(s) for s in self.sentences)

    def counts(self) -> Counter:
        """Token frequencies (a new Counter)."""
        c: Counter = Counter()
        for s in self.sentences:
            c.update(s)
        return c


@dataclass(frozen=True)
class CorpusStats:
    """Counts of a corpus.

    ``counts`` holds every type's frequency, largest first (``int64``; rank r has ``counts[r-1]``),
    and ``words`` the types in the same order, for a rank-frequency (Zipf) plot. ``types_kept``/``tokens_kept`` count what survives ``min_count``.
    """

    n_tokens: int
    n_types: int
    n_sentences: int
    n_documents: int
    top: tuple[tuple[str, int], ...]
    counts: np.ndarray
    min_count: int
    types_kept: int
    tokens_kept: int
    words: tuple[str, ...] = ()


# -- tokenizing ----------------------------------------------------------------------------------------
_WORD = r"[^\W_]+(?:['’\-][^\W_]+)*"
_WORD_RE = re.compile(_WORD)
_WORD_PUNCT_RE = re.compile(_WORD + r"|[^\w\s]")
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+")


def tokenize(text: str, *, options: TokenizeOptions | None = None) -> list[list[str]]:
    """Split text into sentences of tokens (a line break or ``. ! ?`` ends a sentence).

    Phrases are not applied here (they need the whole corpus); see :func:`corpus_from_text`.

    >>> tokenize("Hello, world! It's a test-case.")
    [['hello', 'world'], ["it's", 'a', 'test-case']]
    >>> tokenize("Hi, you.", options=TokenizeOptions(lowercase=False, strip_punctuation=False))
    [['Hi', ',', 'you', '.']]
    """
    opts = options or TokenizeOptions()
    regex = _WORD_RE if opts.strip_punctuation else _WORD_PUNCT_RE
    out: list[list[str]] = []
    for line in text.splitlines():
        if not line or line.isspace():
            continue
        if opts.lowercase:
            line = line.lower()
        for piece in _SENT_SPLIT.split(line):
            toks = regex.findall(piece)
            for i in range(0, len(toks), MAX_SENTENCE_TOKENS):
                if toks[i:i + MAX_SENTENCE_TOKENS]:
                    out.append(toks[i:i + MAX_SENTENCE_TOKENS])
    return out


_SHARED_SENTENCE_TOKENS = 4        # equal sentences this short share one tuple ...
_MAX_SHARED_SENTENCES = 100_000     # ... among the first this many distinct ones


class _Builder:
    """Collects sentences from several texts, sharing equal strings and enforcing the token cap as it goes.

    Text is tokenized in pieces of at most :data:`~embedlab.io.stream.MAX_LINE_CHARS` characters (a
    longer line is cut after a space), so no more than one piece's tokens exist beside what is kept;
    the cap stops reading at the first sentence over it.
    """

    def __init__(self, options: TokenizeOptions, max_tokens: int):
        self.options = options
        self.max_tokens = max_tokens
        self.sentences: list[tuple[str, ...]] = []
        self.n_tokens = 0
        self._intern: dict[str, str] = {}
        self._shared: dict[tuple[str, ...], tuple[str, ...]] = {}

    def add_piece(self, piece: str, name: str) -> None:
        intern = self._intern.setdefault
        for sent in tokenize(piece, options=self.options):
            self.n_tokens += len(sent)
            if self.n_tokens > self.max_tokens:
                raise CorpusError(f"{name}: the corpus has more than {self.max_tokens:,} tokens, the limit; "
                                  "use a smaller part of it")
            sent = tuple(intern(t, t) for t in sent)
            if len(self._intern) > MAX_TYPES:
                raise CorpusError(f"{name}: the corpus has more than {MAX_TYPES:,} distinct words, the limit; "
                                  "is it text?")
            if len(sent) <= _SHARED_SENTENCE_TOKENS and len(self._shared) < _MAX_SHARED_SENTENCES:
                sent = self._shared.setdefault(sent, sent)   # "Yes." a million times: one tuple
            self.sentences.append(sent)

    def add(self, text: str, name: str) -> None:
        """Add decoded text (any length: read in bounded pieces)."""
        if len(text) <= MAX_LINE_CHARS:       # a CSV cell, a short paste: one piece already
            self.add_piece(text, name)
            return
        for piece in str_pieces(text, name=name):
            self.add_piece(piece, name)

    def add_stream(self, open_chunks, name: str) -> str:
        """Add text decoded chunk by chunk from ``open_chunks`` (see :func:`embedlab.io.stream.read_pieces`);
        returns the encoding."""
        mark = (len(self.sentences), self.n_tokens)

        def restart() -> None:
            del self.sentences[mark[0]:]
            self.n_tokens = mark[1]

        def consume(pieces) -> None:
            for piece in pieces:
                self.add_piece(piece, name)

        return read_pieces(open_chunks, name=name, consume=consume, restart=restart)

    def build(self, name: str, source: str, encoding: str, notes: Sequence[str], n_documents: int) -> Corpus:
        if not self.sentences:
            raise CorpusError(f"{name} contains no words (only spaces, digits-free punctuation or markup); "
                              "a corpus needs text")
        sents = self.sentences
        if self.options.phrases:
            sents = _apply_phrases(sents, self.options)
        return Corpus(tuple(sents), name=name, source=source, encoding=encoding, notes=tuple(notes),
                      n_documents=n_documents, options=self.options)


def _apply_phrases(sentences: list[tuple[str, ...]], opts: TokenizeOptions) -> list[tuple[str, ...]]:
    from gensim.models.phrases import Phrases

    model = Phrases(sentences, min_count=opts.phrase_min_count, threshold=opts.phrase_threshold,
                    delimiter="_")
    frozen = model.freeze()
    intern: dict[str, str] = {}
    return [tuple(intern.setdefault(t, t) for t in frozen[list(s)]) for s in sentences]


# -- sources -------------------------------------------------------------------------------------------
def corpus_from_text(text: str, *, name: str = "pasted text", options: TokenizeOptions | None = None,
                     max_tokens: int = MAX_TOTAL_TOKENS) -> Corpus:
    """A corpus from a string (pasted text).

    Raises
    ------
    CorpusError
        No words, or more than ``max_tokens`` tokens.
    """
    max_tokens = check_int(max_tokens, "max_tokens", minimum=1)
    if not isinstance(text, str):
        raise CorpusError(f"{name}: expected text, got {type(text).__name__}")
    if not text.strip():
        raise CorpusError(f"{name} is empty: a corpus needs some text")
    b = _Builder(options or TokenizeOptions(), max_tokens)
    b.add(text, name)
    return b.build(name, source=name, encoding="", notes=(), n_documents=1)


def _read_source(source, filename: str | None) -> tuple[bytes, str]:
    """(bytes, display name) from a path, bytes or a file-like object, at most :data:`MAX_FILE_BYTES`."""
    return read_source(source, filename=filename, max_bytes=MAX_FILE_BYTES)


def _kind(name: str) -> str:
    ext = PurePosixPath(name.lower()).suffix
    if ext in TEXT_EXTENSIONS:
        return "text"
    if ext in CSV_EXTENSIONS:
        return "csv"
    if ext in ZIP_EXTENSIONS:
        return "zip"
    allowed = ", ".join(TEXT_EXTENSIONS + CSV_EXTENSIONS + ZIP_EXTENSIONS)
    raise CorpusError(f"{name}: unsupported file type {ext or '(no extension)'!r}; allowed: {allowed}")


def _csv_corpus(data: bytes, name: str, text_column: str | None, opts: TokenizeOptions,
                max_tokens: int) -> Corpus:
    b = _Builder(opts, max_tokens)
    state: dict = {}

    def consume(pieces) -> None:
        state.update(rows=0, short=0, header=None)
        col = 0
        for _, row in iter_csv_records(pieces, name=name):
            if state["header"] is None:
                state["header"] = header = csv_header([row])
                col = _text_column(header, text_column, name)
                continue
            state["rows"] += 1
            if col < len(row):
                b.add(row[col], name)
            else:
                state["short"] += 1

    def restart() -> None:
        b.sentences.clear()
        b.n_tokens = 0

    enc = read_pieces(chunks_of(data), name=name, consume=consume, restart=restart,
                      max_line_chars=csv_line_limit(), split_long=False)
    if state["header"] is None:
        raise CorpusError(f"{name} has no rows; a CSV needs a header line and at least one row")
    if not state["rows"]:
        raise CorpusError(f"{name} has a header but no data rows")
    column = text_column or state["header"][0]
    notes = [f"decoded as {enc} (not UTF-8)"] if enc == FALLBACK_ENCODING else []
    if state["short"]:
        notes.append(f"{state['short']:,} rows had no {column!r} value and were skipped")
    return b.build(PurePosixPath(name).stem, source=f"{name}, column {column!r}", encoding=enc,
                   notes=notes, n_documents=state["rows"])


def _text_column(header: list[str], text_column: str | None, name: str) -> int:
    if text_column is None:
        if len(header) != 1:
            raise CorpusError(f"{name} has {len(header)} columns; choose the text column: {', '.join(header)}")
        text_column = header[0]
    if text_column not in header:
        raise CorpusError(f"{name} has no column {text_column!r}; its columns are: {', '.join(header) or '(none)'}")
    return header.index(text_column)


def csv_columns(source, *, filename: str | None = None) -> list[str]:
    """The header (first row) of a CSV/TSV file, for choosing the text column (see :func:`embedlab.io.text.csv_columns`).

    Raises
    ------
    CorpusError
        Empty, binary, undecodable or unreadable file.
    """
    data, name = _read_source(source, filename)
    return _csv_columns(data, name=name)


def _zip_corpus(data: bytes, name: str, opts: TokenizeOptions, max_tokens: int) -> Corpus:
    b = _Builder(opts, max_tokens)
    encs = []
    with open_zip_texts(data, name=name) as texts:
        for info, chunks in texts.members():
            encs.append(b.add_stream(chunks, f"{name}/{info.filename}"))
        skipped = texts.skipped
    notes = []
    if FALLBACK_ENCODING in encs:
        notes.append(f"some files were decoded as {FALLBACK_ENCODING} (not UTF-8)")
    if skipped:
        notes.append(f"skipped {len(skipped)} member(s) that are not text files: "
                     f"{', '.join(skipped[:5])}")
    enc = "utf-8" if set(encs) <= {"utf-8", "utf-8-sig"} else "/".join(sorted(set(encs)))
    n = len(encs)
    return b.build(PurePosixPath(name).stem, source=f"{name} ({n} text files)", encoding=enc,
                   notes=notes, n_documents=n)


def read_corpus(source, *, filename: str | None = None, text_column: str | None = None,
                options: TokenizeOptions | None = None, max_tokens: int = MAX_TOTAL_TOKENS) -> Corpus:
    """Read a corpus file: text, CSV/TSV (``text_column``) or a zip of text files.

    Parameters
    ----------
    source : str, Path, bytes or file-like (e.g. a Streamlit upload)
    filename : str, optional
        Name used for the file type and messages (needed for bytes).
    text_column : str, optional
        The CSV column holding the text (optional when the file has one column).
    options : TokenizeOptions, optional
    max_tokens : int
        Refuse corpora with more tokens.

    Returns
    -------
    Corpus

    Raises
    ------
    CorpusError
        Unsupported type, too large, empty, binary, undecodable, a missing CSV column, an unsafe or
        nested zip, a zip bomb, or no words.
    """
    opts = options or TokenizeOptions()
    max_tokens = check_int(max_tokens, "max_tokens", minimum=1)
    name = filename or (Path(source).name if isinstance(source, (str, os.PathLike)) else
                        getattr(source, "name", None) or "uploaded file")
    if isinstance(source, (str, os.PathLike)):   # a pipe or a device is named as such before its extension
        check_regular(source, role="corpus", name=str(name))
    kind = _kind(str(name))
    data, name = _read_source(source, str(name))
    if kind == "zip":
        return _zip_corpus(data, name, opts, max_tokens)
    if kind == "csv":
        return _csv_corpus(data, name, text_column, opts, max_tokens)
    b = _Builder(opts, max_tokens)
    enc = b.add_stream(chunks_of(data), name)
    notes = [f"decoded as {enc} (not UTF-8)"] if enc == FALLBACK_ENCODING else []
    return b.build(PurePosixPath(name).stem, source=name, encoding=enc, notes=notes, n_documents=1)


# -- statistics ------------------------------------------------------------------------------------------
def corpus_stats(corpus: Corpus, *, top: int = 20, min_count: int = 1) -> CorpusStats:
    """Tokens, types, the most frequent words and the rank-frequency data of a corpus.

    Parameters
    ----------
    corpus : Corpus
    top : int
        How many of the most frequent words to list.
    min_count : int
        Also count the types (and their tokens) occurring at least this often: what training keeps.
    """
    top = check_int(top, "top", minimum=0)
    min_count = check_int(min_count, "min_count", minimum=1)
    counter = corpus.counts()
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    counts = np.fromiter((c for _, c in ordered), dtype=np.int64, count=len(ordered))
    counts.flags.writeable = False
    kept = counts[counts >= min_count]
    return CorpusStats(n_tokens=int(counts.sum()), n_types=len(ordered), n_sentences=len(corpus.sentences),
                       n_documents=corpus.n_documents, top=tuple(ordered[:top]), counts=counts,
                       min_count=min_count, types_kept=int(kept.size), tokens_kept=int(kept.sum()),
                       words=tuple(w for w, _ in ordered))

