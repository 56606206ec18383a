"""Corpora for training: read uploaded text, tokenize it, count it.

Sources: plain text (``.txt``, ``.md``, ``.cor``), a CSV/TSV file (one column holds the text), a
``.zip`` of text files, pasted text, and two built-in corpora: gensim's bundled
``lee_background.cor`` (read from the installed gensim, never copied) and a generated *toy* corpus
whose templated sentences plant royalty, gender, age and plural relations that word2vec learns in
about a second.

Text is decoded as UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured); if that fails, as
Windows-1252 (cp1252), and the fallback is reported in :attr:`Corpus.notes`. Bytes that are
neither, NUL bytes or many control characters make a :class:`~embedlab.core.errors.CorpusError`.

Every limit is a module constant (stated on the Train page): :data:`MAX_FILE_BYTES`,
:data:`MAX_UNCOMPRESSED_BYTES`, :data:`MAX_ZIP_MEMBERS`, :data:`MAX_TOTAL_TOKENS`.
Zip members are only ever read into memory, never extracted to disk; even so, members with
absolute or ``..`` names, nested folders, and archives whose declared or actual uncompressed size
exceeds the cap (zip bombs) are refused.

>>> c = corpus_from_text("The king rules. The queen rules too!")
>>> c.sentences
(('the', 'king', 'rules'), ('the', 'queen', 'rules', 'too'))
>>> corpus_stats(c, min_count=1).top[:2]
(('rules', 2), ('the', 2))
"""
from __future__ import annotations

import csv
import io
import logging
import lzma
import os
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

import numpy as np

from ..core.errors import CorpusError, InvalidParameterError

logger = logging.getLogger(__name__)

__all__ = [
    "Corpus", "CorpusStats", "TokenizeOptions", "read_corpus", "corpus_from_text", "csv_columns",
    "builtin_corpus", "toy_corpus", "lee_corpus_path", "corpus_stats", "decode_text", "tokenize",
    "BUILTIN_CORPORA", "TOY_ANALOGIES", "TOY_WATCH_WORDS", "TEXT_EXTENSIONS", "CSV_EXTENSIONS",
    "ZIP_EXTENSIONS", "MAX_FILE_BYTES", "MAX_UNCOMPRESSED_BYTES", "MAX_ZIP_MEMBERS", "MAX_TOTAL_TOKENS",
    "MAX_SENTENCE_TOKENS", "FALLBACK_ENCODING",
]

# -- limits (stated on the Train page) ------------------------------------------------------------
MAX_FILE_BYTES = 50 * 1024 * 1024           #: largest file (or zip archive) read, in bytes
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  #: most bytes read out of one zip archive, all members
MAX_ZIP_MEMBERS = 500                       #: most entries a zip archive may list
MAX_TOTAL_TOKENS = 5_000_000                #: most tokens in one corpus
MAX_SENTENCE_TOKENS = 1_000                 #: longer sentences are cut into pieces of this size
FALLBACK_ENCODING = "cp1252"                #: tried when the bytes are not UTF-8

TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".text", ".cor")
CSV_EXTENSIONS = (".csv", ".tsv")
ZIP_EXTENSIONS = (".zip",)
_CHUNK = 1 << 16


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
        if not isinstance(self.phrase_min_count, int) or self.phrase_min_count < 1:
            raise InvalidParameterError(f"phrase_min_count must be a whole number ≥ 1, got {self.phrase_min_count!r}")
        if not self.phrase_threshold > 0:
            raise InvalidParameterError(f"phrase_threshold must be > 0, got {self.phrase_threshold!r}")


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


# -- decoding --------------------------------------------------------------------------------------
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_ALLOWED_CONTROLS = set("\t\n\r\f\v\x1c\x1d\x1e\x85\u2028\u2029")


def _check_not_binary(text: str, name: str) -> None:
    sample = text[:200_000]
    controls = sum(1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")
    if controls > max(2, 0.01 * len(sample)):
        raise CorpusError(f"{name} looks like a binary file ({controls} control characters in the first "
                          f"{len(sample):,}); a corpus must be plain text")


def decode_text(data: bytes, *, name: str = "the text") -> tuple[str, str]:
    """Decode bytes as text: UTF-8 (BOM honoured; UTF-16 only with a BOM), else cp1252.

    Parameters
    ----------
    data : bytes
    name : str
        Used in error messages (a file name).

    Returns
    -------
    (str, str)
        The text and the encoding used ("utf-8", "utf-8-sig", "utf-16" or "cp1252").

    Raises
    ------
    CorpusError
        Empty, binary (NUL bytes or many control characters), or neither UTF-8 nor cp1252.

    >>> decode_text("café".encode("cp1252"))
    ('café', 'cp1252')
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CorpusError(f"{name}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise CorpusError(f"{name} is empty: a corpus needs some text")
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
            raise CorpusError(f"{name} looks like a binary file (it contains NUL bytes); a corpus must be "
                              "plain text (UTF-16 text needs a byte-order mark)")
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
        raise CorpusError(f"{name} is empty: a corpus needs some text")
    _check_not_binary(text, name)
    return text, enc


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
        if opts.lowercase:
            line = line.lower()
        for piece in _SENT_SPLIT.split(line):
            toks = regex.findall(piece)
            for i in range(0, len(toks), MAX_SENTENCE_TOKENS):
                if toks[i:i + MAX_SENTENCE_TOKENS]:
                    out.append(toks[i:i + MAX_SENTENCE_TOKENS])
    return out


class _Builder:
    """Collects sentences from several texts, sharing equal strings and enforcing the token cap."""

    def __init__(self, options: TokenizeOptions, max_tokens: int):
        self.options = options
        self.max_tokens = max_tokens
        self.sentences: list[tuple[str, ...]] = []
        self.n_tokens = 0
        self._intern: dict[str, str] = {}

    def add(self, text: str, name: str) -> None:
        intern = self._intern.setdefault
        for sent in tokenize(text, options=self.options):
            self.n_tokens += len(sent)
            if self.n_tokens > self.max_tokens:
                raise CorpusError(f"{name}: the corpus has more than {self.max_tokens:,} tokens, the limit; "
                                  "use a smaller part of it")
            self.sentences.append(tuple(intern(t, t) for t in sent))

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
    if not isinstance(text, str):
        raise CorpusError(f"{name}: expected text, got {type(text).__name__}")
    if not text.strip():
        raise CorpusError(f"{name} is empty: a corpus needs some text")
    b = _Builder(options or TokenizeOptions(), max_tokens)
    b.add(text, name)
    return b.build(name, source=name, encoding="", notes=(), n_documents=1)


def _read_source(source, filename: str | None) -> tuple[bytes, str]:
    """(bytes, display name) from a path, bytes or a file-like object; size-capped."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise CorpusError(f"{name} is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB")
            if not path.is_file():
                raise CorpusError(f"{name} is not a file")
            data = path.read_bytes()
        except OSError as exc:
            raise CorpusError(f"cannot read {name}: {exc.strerror or exc}") from None
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), filename or "uploaded file"
    elif hasattr(source, "read"):
        name = filename or getattr(source, "name", None) or "uploaded file"
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_FILE_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise CorpusError(f"cannot read a corpus from {type(source).__name__}; give a file, bytes or text")
    if len(data) > MAX_FILE_BYTES:
        raise CorpusError(f"{name} is larger than {MAX_FILE_BYTES / 2**20:.0f} MB, the limit")
    return data, str(name)


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


def _csv_rows(text: str, name: str, delimiter: str | None):
    sample = text[:20_000]
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    old = csv.field_size_limit()
    try:
        csv.field_size_limit(MAX_FILE_BYTES)
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise CorpusError(f"{name} is not a readable CSV file: {exc}") from None
    finally:
        csv.field_size_limit(old)


def csv_columns(source, *, filename: str | None = None) -> list[str]:
    """The header (first row) of a CSV/TSV file, for choosing the text column.

    Raises
    ------
    CorpusError
        Empty, binary, undecodable or unreadable file.
    """
    data, name = _read_source(source, filename)
    text, _ = decode_text(data, name=name)
    delim = "\t" if name.lower().endswith(".tsv") else None
    rows = _csv_rows(text[:1_000_000], name, delim)
    if not rows:
        raise CorpusError(f"{name} has no rows")
    return [c.strip() for c in rows[0]]


def _csv_corpus(data: bytes, name: str, text_column: str | None, opts: TokenizeOptions,
                max_tokens: int) -> Corpus:
    text, enc = decode_text(data, name=name)
    rows = _csv_rows(text, name, "\t" if name.lower().endswith(".tsv") else None)
    header = [c.strip() for c in rows[0]] if rows else []
    if len(rows) < 2:
        raise CorpusError(f"{name} has a header but no data rows")
    if text_column is None:
        if len(header) != 1:
            raise CorpusError(f"{name} has {len(header)} columns; choose the text column: {', '.join(header)}")
        text_column = header[0]
    if text_column not in header:
        raise CorpusError(f"{name} has no column {text_column!r}; its columns are: {', '.join(header) or '(none)'}")
    col = header.index(text_column)
    b = _Builder(opts, max_tokens)
    short = 0
    for row in rows[1:]:
        if col < len(row):
            b.add(row[col], name)
        else:
            short += 1
    notes = [f"decoded as {enc} (not UTF-8)"] if enc == FALLBACK_ENCODING else []
    if short:
        notes.append(f"{short:,} rows had no {text_column!r} value and were skipped")
    return b.build(PurePosixPath(name).stem, source=f"{name}, column {text_column!r}", encoding=enc,
                   notes=notes, n_documents=len(rows) - 1)


def _unsafe_member(name: str) -> str | None:
    """Why a zip member name is refused, or None."""
    if not name or "\x00" in name:
        return "an empty or NUL-containing name"
    norm = name.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return "an absolute path"
    if ".." in norm.split("/"):
        return "a '..' (parent folder) component"
    return None


def _zip_corpus(data: bytes, name: str, opts: TokenizeOptions, max_tokens: int) -> Corpus:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, IndexError,
            KeyError, NotImplementedError, RuntimeError, UnicodeDecodeError, zlib.error) as exc:
        raise CorpusError(f"{name} is not a readable zip archive: {exc}") from None
    with zf:
        if len(infos) > MAX_ZIP_MEMBERS:
            raise CorpusError(f"{name} lists {len(infos):,} entries; the limit is {MAX_ZIP_MEMBERS}")
        files, skipped, folders = [], [], set()
        for info in infos:
            why = _unsafe_member(info.filename)
            if why:
                raise CorpusError(f"{name}: member {info.filename!r} has {why}; refused for safety")
            parts = [p for p in info.filename.replace("\\", "/").split("/") if p]
            if info.is_dir() or not parts:
                continue
            if parts[0] == "__MACOSX" or parts[-1].startswith("."):
                skipped.append(info.filename)
                continue
            if len(parts) > 2:
                raise CorpusError(f"{name}: member {info.filename!r} is in nested folders; put the text files "
                                  "at the top of the zip (or in one folder)")
            if len(parts) == 2:
                folders.add(parts[0])
            if PurePosixPath(parts[-1].lower()).suffix not in TEXT_EXTENSIONS:
                skipped.append(info.filename)
                continue
            files.append(info)
        if len(folders) > 1:
            raise CorpusError(f"{name} has files in several folders ({', '.join(sorted(folders)[:5])}); "
                              "nested folders are not supported: put the text files at the top of the zip")
        if not files:
            raise CorpusError(f"{name} contains no text files ({', '.join(TEXT_EXTENSIONS)})")
        declared = sum(i.file_size for i in files)
        if declared > MAX_UNCOMPRESSED_BYTES:
            raise CorpusError(f"{name} would unpack to {declared / 2**20:,.1f} MB; the limit is "
                              f"{MAX_UNCOMPRESSED_BYTES / 2**20:.0f} MB")
        b = _Builder(opts, max_tokens)
        encs, total = set(), 0
        for info in files:
            buf = bytearray()
            try:
                with zf.open(info) as fh:
                    while True:
                        chunk = fh.read(_CHUNK)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > MAX_UNCOMPRESSED_BYTES:
                            raise CorpusError(f"{name} unpacks to more than {MAX_UNCOMPRESSED_BYTES / 2**20:.0f} MB "
                                              "(more than it declares); refused")
                        buf += chunk
            except CorpusError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError,
                    zlib.error, lzma.LZMAError, KeyError, IndexError) as exc:
                raise CorpusError(f"{name}: cannot read member {info.filename!r}: {exc}") from None
            member = f"{name}/{info.filename}"
            text, enc = decode_text(bytes(buf), name=member)
            encs.add(enc)
            b.add(text, member)
    notes = []
    if FALLBACK_ENCODING in encs:
        notes.append(f"some files were decoded as {FALLBACK_ENCODING} (not UTF-8)")
    if skipped:
        notes.append(f"skipped {len(skipped)} member(s) that are not text files: {', '.join(skipped[:5])}")
    enc = "utf-8" if encs <= {"utf-8", "utf-8-sig"} else "/".join(sorted(encs))
    return b.build(PurePosixPath(name).stem, source=f"{name} ({len(files)} text files)", encoding=enc,
                   notes=notes, n_documents=len(files))


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
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise InvalidParameterError(f"max_tokens must be a whole number ≥ 1, got {max_tokens!r}")
    name = filename or (Path(source).name if isinstance(source, (str, os.PathLike)) else
                        getattr(source, "name", None) or "uploaded file")
    kind = _kind(str(name))
    data, name = _read_source(source, str(name))
    if kind == "zip":
        return _zip_corpus(data, name, opts, max_tokens)
    if kind == "csv":
        return _csv_corpus(data, name, text_column, opts, max_tokens)
    text, enc = decode_text(data, name=name)
    b = _Builder(opts, max_tokens)
    b.add(text, name)
    notes = [f"decoded as {enc} (not UTF-8)"] if enc == FALLBACK_ENCODING else []
    return b.build(PurePosixPath(name).stem, source=name, encoding=enc, notes=notes, n_documents=1)


# -- built-in corpora ------------------------------------------------------------------------------------
BUILTIN_CORPORA = {
    "toy": "Toy royalty corpus: generated sentences in which royalty, gender, age and plural are planted "
           "(trains in about a second)",
    "lee": "Lee background corpus: 300 Australian news articles shipped with gensim (about 60,000 words)",
}

#: (a, b, c, expected): a is to b as c is to expected; all planted in the toy corpus
TOY_ANALOGIES = (
    ("man", "king", "woman", "queen"),
    ("king", "queen", "prince", "princess"),
    ("man", "boy", "woman", "girl"),
    ("king", "kings", "queen", "queens"),
    ("man", "men", "woman", "women"),
)
#: watched by default when training on the toy corpus
TOY_WATCH_WORDS = ("king", "queen", "man", "woman", "prince", "princess", "boy", "girl",
                   "kings", "queens", "men", "women")

# noun[(status, gender, age, number)]
_TOY_NOUNS = {
    ("royal", "m", "adult", "sg"): "king", ("royal", "f", "adult", "sg"): "queen",
    ("royal", "m", "young", "sg"): "prince", ("royal", "f", "young", "sg"): "princess",
    ("common", "m", "adult", "sg"): "man", ("common", "f", "adult", "sg"): "woman",
    ("common", "m", "young", "sg"): "boy", ("common", "f", "young", "sg"): "girl",
    ("royal", "m", "adult", "pl"): "kings", ("royal", "f", "adult", "pl"): "queens",
    ("royal", "m", "young", "pl"): "princes", ("royal", "f", "young", "pl"): "princesses",
    ("common", "m", "adult", "pl"): "men", ("common", "f", "adult", "pl"): "women",
    ("common", "m", "young", "pl"): "boys", ("common", "f", "young", "pl"): "girls",
}
_TOY = {
    "det": {"sg": ("the", "a", "one", "this"), "pl": ("the", "some", "two", "these", "many")},
    "be": {"sg": ("is", "was"), "pl": ("are", "were")},
    "has": {"sg": ("has",), "pl": ("have",)},
    "lives": {"sg": ("lives", "sleeps", "dines"), "pl": ("live", "sleep", "dine")},
    "place": {"royal": ("palace", "castle", "court", "throne room"),
              "common": ("village", "cottage", "farm", "market")},
    "thing": {"royal": ("crown", "throne", "sceptre", "kingdom"),
              "common": ("plough", "cart", "field", "shop")},
    "trait": {"royal": ("royal", "noble", "crowned"), "common": ("humble", "ordinary", "poor")},
    "kin": {"m": ("brother", "son", "nephew", "uncle"), "f": ("sister", "daughter", "niece", "aunt")},
    "subj": {("m", "sg"): ("he",), ("f", "sg"): ("she",), ("m", "pl"): ("they",), ("f", "pl"): ("they",)},
    "poss": {("m", "sg"): ("his",), ("f", "sg"): ("her",), ("m", "pl"): ("their",), ("f", "pl"): ("their",)},
    "age": {"adult": ("old", "grown", "wise", "elder"), "young": ("young", "small", "little", "youthful")},
    "activity": {("adult", "sg"): ("works", "rules", "decides", "teaches"),
                 ("adult", "pl"): ("work", "rule", "decide", "teach"),
                 ("young", "sg"): ("plays", "learns", "grows", "studies"),
                 ("young", "pl"): ("play", "learn", "grow", "study")},
    "keeps": {"sg": ("keeps", "guards"), "pl": ("keep", "guard")},
}
_TOY_TEMPLATES = (
    "{det} {age} {noun} {lives} in the {place}",
    "{det} {noun} {be} {trait} and {age}",
    "{det} {noun} {has} a {thing} and {poss} {kin} {kin_activity}",
    "{det} {trait} {noun} {lives} in the {place} with {poss} {kin}",
    "{det} {noun} {be} {age} so {subj} {activity}",
    "in the {place} {det} {noun} {keeps} a {thing}",
    "{det} {age} {trait} {noun} {be} with {poss} {kin}",
)


def toy_corpus(n_sentences: int = 4000, *, seed: int = 0, options: TokenizeOptions | None = None) -> Corpus:
    """A generated corpus with planted structure, for live demos and tests.

    Sixteen nouns (king, queen, prince, princess, man, woman, boy, girl and their plurals) differ
    in four features: royal/common, male/female, adult/young, singular/plural. Each feature shows in
    the words around the noun (palace vs village, he/his vs she/her, old vs young, is vs are), so
    after training ``king - man + woman`` is close to ``queen`` (see :data:`TOY_ANALOGIES`).

    Parameters
    ----------
    n_sentences : int
        How many sentences (about 8 tokens each).
    seed : int
        The same seed gives the same text.

    >>> toy_corpus(3, seed=1).n_documents
    3
    """
    if not isinstance(n_sentences, int) or not 1 <= n_sentences <= 1_000_000:
        raise InvalidParameterError(f"n_sentences must be between 1 and 1,000,000, got {n_sentences!r}")
    rng = np.random.default_rng(seed)
    keys = list(_TOY_NOUNS)
    lines = []
    for _ in range(n_sentences):
        status, gender, age, number = keys[rng.integers(len(keys))]
        tmpl = _TOY_TEMPLATES[rng.integers(len(_TOY_TEMPLATES))]
        choice = {
            "det": _TOY["det"][number], "be": _TOY["be"][number], "has": _TOY["has"][number],
            "lives": _TOY["lives"][number], "place": _TOY["place"][status], "thing": _TOY["thing"][status],
            "trait": _TOY["trait"][status], "kin": _TOY["kin"][gender], "subj": _TOY["subj"][gender, number],
            "poss": _TOY["poss"][gender, number], "age": _TOY["age"][age],
            "activity": _TOY["activity"][age, number], "kin_activity": _TOY["activity"]["adult", "sg"],
            "keeps": _TOY["keeps"][number],
        }
        fill = {k: v[rng.integers(len(v))] for k, v in choice.items()}
        lines.append(tmpl.format(noun=_TOY_NOUNS[(status, gender, age, number)], **fill))
    opts = options or TokenizeOptions()
    b = _Builder(opts, MAX_TOTAL_TOKENS)
    b.add("\n".join(lines), "toy")
    return b.build("toy", source=f"generated toy corpus ({n_sentences:,} sentences, seed {seed})", encoding="",
                   notes=(), n_documents=n_sentences)


def lee_corpus_path() -> Path:
    """gensim's bundled ``lee_background.cor`` (read in place, never copied).

    Raises
    ------
    CorpusError
        If the installed gensim does not ship it.
    """
    from ..space.evaluation import gensim_test_data_dir

    path = gensim_test_data_dir() / "lee_background.cor"
    if not path.is_file():
        raise CorpusError(f"gensim's lee_background.cor was not found at {path}; reinstall gensim")
    return path


def builtin_corpus(name: str, *, options: TokenizeOptions | None = None) -> Corpus:
    """A built-in corpus: ``"toy"`` or ``"lee"`` (see :data:`BUILTIN_CORPORA`).

    Raises
    ------
    CorpusError
        Unknown name.
    """
    if name == "toy":
        return toy_corpus(options=options)
    if name == "lee":
        path = lee_corpus_path()
        c = read_corpus(path, options=options)
        # one line per article
        n_docs = sum(1 for line in path.read_text("utf-8", errors="replace").splitlines() if line.strip())
        return replace(c, name="lee_background", source="gensim test data: lee_background.cor", n_documents=n_docs)
    raise CorpusError(f"unknown built-in corpus {name!r}; choose one of: {', '.join(BUILTIN_CORPORA)}")


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
    if not isinstance(top, int) or top < 0:
        raise InvalidParameterError(f"top must be a whole number ≥ 0, got {top!r}")
    if not isinstance(min_count, int) or min_count < 1:
        raise InvalidParameterError(f"min_count must be a whole number ≥ 1, got {min_count!r}")
    counter = corpus.counts()
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    counts = np.fromiter((c for _, c in ordered), dtype=np.int64, count=len(ordered))
    counts.flags.writeable = False
    kept = counts[counts >= min_count]
    return CorpusStats(n_tokens=int(counts.sum()), n_types=len(ordered), n_sentences=len(corpus.sentences),
                       n_documents=corpus.n_documents, top=tuple(ordered[:top]), counts=counts,
                       min_count=min_count, types_kept=int(kept.size), tokens_kept=int(kept.sum()),
                       words=tuple(w for w, _ in ordered))

