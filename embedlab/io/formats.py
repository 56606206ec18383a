"""Read and write vector files: word2vec (text and binary), GloVe, fastText ``.vec``,
Embedding Projector TSV (+ ``metadata.tsv``) and NumPy ``.npy`` + a vocabulary file.

Formats (the names of :data:`FORMATS`):

``word2vec-text``    a header line ``<rows> <dim>``, then ``token v1 ... vd`` per line.
                     fastText ``.vec`` files are exactly this format.
``word2vec-binary``  the same header, then per row ``token<space>`` + ``dim`` little-endian float32.
``glove``            ``token v1 ... vd`` per line, no header line.
``projector-tsv``    the TensorFlow Embedding Projector's ``vectors.tsv``: tab-separated numbers, one row
                     per point (a non-numeric first field is taken as the label). Tokens come from the
                     ``metadata.tsv`` beside it, read by the Projector's rules: a single column has no
                     header line; several columns have a header line, and the token column is the one
                     named ``token``/``word``/``label``/``name`` (any case), else the first non-numeric
                     column (the Projector's default "label by"), else the first.
                     Without metadata or labels, tokens are the row numbers ``"0"``, ``"1"``...
``npy``              a 2-D numeric array saved with ``np.save`` (read with ``allow_pickle=False``), plus a
                     vocabulary file with one token per line (``<stem>.vocab.txt`` or ``vocab.txt`` beside
                     it is used when none is given).

The format is detected from the content (the file extension is only a hint). Text files are
read streaming in chunks of at most 16 MB into one preallocated float32 array (for 1M x 300
the peak extra memory measured about 1.4x the final array, tokens included), with a fast bulk
parser (pandas' C reader, already a dependency) and an exact line-by-line parser that takes
over for the few lines where the bulk parser refuses and names the line of any problem.
Tokens may contain any non-ASCII characters but no spaces or tabs; for GloVe files with tokens
that contain spaces (GloVe 840B has some, such as ``". . ."``) a row with more fields than
``dim + 1`` takes the last ``dim`` fields as the vector and the rest, joined by single spaces,
as the token, provided the field just before the vector is not a number.

Every problem with a file raises :class:`~embedlab.core.errors.EmbeddingFormatError` naming the line
(or record) and what is wrong. Repeated tokens keep their first row; a
:class:`DuplicateTokenWarning` counts the dropped rows.

>>> import io, numpy as np
>>> es = read_vectors(io.BytesIO(b"2 3\\nking 1 0 0\\nqueen 0 1 0\\n"), filename="toy.vec")
>>> es.tokens, es.dim
(('king', 'queen'), 3)
>>> detect_format(io.BytesIO(b"king 1 0 0\\nqueen 0 1 0\\n"))
'glove'
"""
from __future__ import annotations

import io
import logging
import os
import re
import sys
import tokenize
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import DuplicateTokenWarning, EmbeddingFormatError, InvalidParameterError

logger = logging.getLogger(__name__)

__all__ = ["FORMATS", "MAX_DIM", "MAX_ROWS", "DuplicateTokenWarning", "ReadReport", "detect_format",
           "read_vectors", "read_vectors_report", "write_word2vec", "write_projector_tsv", "write_npy",
           "write_vectors"]

FORMATS = ("word2vec-text", "word2vec-binary", "glove", "projector-tsv", "npy")
"""Format names accepted by :func:`read_vectors` (fastText ``.vec`` is ``word2vec-text``)."""

MAX_DIM = 100_000
"""Largest dimension accepted from a header or a file (a larger one is refused before allocating)."""
MAX_ROWS = 50_000_000
"""Largest row count accepted from a header."""

_SNIFF_BYTES = 1 << 16
_MAX_LINE_BYTES = 64 << 20
_MAX_TOKEN_BYTES = 1 << 16
_NUMPY_MAGIC = b"\x93NUMPY"
_NUL = b"\x00"
_TOKEN_NAMES = ("token", "word", "label", "name")
_WS = re.compile(r"[ \t\r\x0b\x0c]+")
_WS_CHARS = " \t\r\x0b\x0c"
_HEADER_RE = re.compile(rb"^[ \t]*(\d+)[ \t]+(\d+)[ \t]*\r?$")
_HEADER_SNIFF_RE = re.compile(rb"^ *(\d+) +(\d+) *\r?$")  # tabs: a Projector row of two integers
_FORBIDDEN_W2V = re.compile(r"[ \t\n\r\x0b\x0c]")
_FORBIDDEN_TSV = re.compile(r"[\t\n\r]")


@dataclass(frozen=True)
class ReadReport:
    """What :func:`read_vectors_report` found in a file.

    Attributes
    ----------
    format : str
        One of :data:`FORMATS`.
    rows, dim : int
        Shape of the vectors kept.
    duplicates_dropped : int
        Rows dropped because their token appeared earlier.
    header : tuple of (int, int) or None
        ``(rows, dim)`` announced by a word2vec header line; None for formats without one.
    source : str
        The file name used in messages.
    blank_lines_skipped : int
        Empty lines ignored in a text file.
    spaced_tokens : int
        GloVe-style rows whose token contains spaces (see the module notes).
    token_column : str or None
        Where the tokens came from: a metadata column name, ``"labels"`` (first column of
        vectors.tsv), ``"row numbers"``, ``"vocabulary"`` or None (the vector file itself).
    metadata_columns : tuple of str
        Extra metadata columns kept in ``EmbeddingSet.meta``.
    """

    format: str
    rows: int
    dim: int
    duplicates_dropped: int = 0
    header: tuple[int, int] | None = None
    source: str = ""
    blank_lines_skipped: int = 0
    spaced_tokens: int = 0
    token_column: str | None = None
    metadata_columns: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------------------------
# opening sources
# --------------------------------------------------------------------------------------------
class _Input:
    """A binary stream over a path or a file-like object, with its name and size if known."""

    def __init__(self, source, filename: str | None = None, role: str = "vector file"):
        self.path: Path | None = None
        self._own = False
        if isinstance(source, (str, os.PathLike)):
            self.path = Path(source).expanduser()
            if not self.path.is_file():
                raise EmbeddingFormatError(f"no such {role}: {str(self.path)!r}")
            self.name = filename or self.path.name
            self.f = open(self.path, "rb")
            self._own = True
        elif hasattr(source, "read"):
            self.f = source
            self.name = filename or os.path.basename(str(getattr(source, "name", "") or "")) or "uploaded file"
        elif isinstance(source, (bytes, bytearray, memoryview)):
            self.f = io.BytesIO(bytes(source))
            self.name = filename or "bytes"
        else:
            raise InvalidParameterError(
                f"source must be a path or a binary file-like object, got {type(source).__name__}")
        self.size: int | None = None
        self._pushback = b""
        try:
            if self.f.seekable():
                self.start = self.f.tell()
                end = self.f.seek(0, io.SEEK_END)
                self.f.seek(self.start)
                self.size = end - self.start
        except (AttributeError, OSError, ValueError):
            self.size = None

    def head(self, n: int = _SNIFF_BYTES) -> bytes:
        """The next ``n`` bytes (fewer at the end), without consuming them."""
        while len(self._pushback) < n:
            data = self._read_raw(n - len(self._pushback))
            if not data:
                break
            self._pushback += data
        return self._pushback[:n]

    def rewind(self) -> bool:
        """Go back to the start of a seekable source (dropping pushed-back bytes)."""
        if self.size is None:
            return False
        self.f.seek(self.start)
        self._pushback = b""
        return True

    def _read_raw(self, n: int) -> bytes:
        data = self.f.read(n)
        if isinstance(data, str):
            raise InvalidParameterError(
                f"{self.name}: open the file in binary mode ('rb'); a text stream was given")
        return bytes(data or b"")

    def read(self, n: int) -> bytes:
        if self._pushback:
            if len(self._pushback) >= n:
                out, self._pushback = self._pushback[:n], self._pushback[n:]
                return out
            out, self._pushback = self._pushback, b""
            return out + self._read_raw(n - len(out))
        return self._read_raw(n)

    def readline(self, limit: int) -> bytes:
        """The rest of the current line (with its newline), at most ``limit`` bytes."""
        if self._pushback:
            nl = self._pushback.find(b"\n")
            if nl >= 0:
                out, self._pushback = self._pushback[:nl + 1], self._pushback[nl + 1:]
                return out
            out, self._pushback = self._pushback, b""
            return out + self.readline(limit - len(out)) if limit > len(out) else out
        if hasattr(self.f, "readline"):
            data = self.f.readline(limit)
            if isinstance(data, str):
                raise InvalidParameterError(
                    f"{self.name}: open the file in binary mode ('rb'); a text stream was given")
            return bytes(data or b"")
        out = b""  # pragma: no cover - file-likes without readline
        while len(out) < limit and not out.endswith(b"\n"):
            c = self._read_raw(1)
            if not c:
                break
            out += c
        return out

    def close(self) -> None:
        if self._own:
            self.f.close()


def _error(msg: str, inp: _Input | str | None = None, line: int | None = None) -> EmbeddingFormatError:
    name = inp.name if isinstance(inp, _Input) else inp
    return EmbeddingFormatError(msg, line=line, path=name)


def _record_error(msg: str, inp: _Input, record: int) -> EmbeddingFormatError:
    """An error in a binary file: the message says "record N"; ``.line`` holds N."""
    err = EmbeddingFormatError(msg, path=inp.name)
    err.line = record
    return err


# --------------------------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------------------------
def _is_number(s) -> bool:
    try:
        float(s)
    except (ValueError, TypeError):
        return False
    return True


def _check_not_garbage(head: bytes, inp: _Input) -> None:
    if not head.strip():
        raise _error("the file is empty" if not head else "the file has only blank lines", inp)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error("the file is UTF-16 text; save it as UTF-8", inp, line=1)
    if head.startswith(b"PK\x03\x04"):
        raise _error("this is a zip archive (perhaps an .npz); unzip it or save one array with np.save", inp)
    if head.startswith(b"\x1f\x8b") or head.startswith(b"BZh"):
        raise _error("this is a compressed file (gzip/bzip2); decompress it first", inp)
    if head.startswith(b"\xba\x16\x4f\x2f"):
        raise _error("this is a fastText model (.bin), not a vector file; load it with gensim's "
                     "load_facebook_vectors and save the vectors, or use the .vec file fastText writes beside it",
                     inp)
    if head.startswith(b"\x80") and b"gensim" in head[:200]:
        raise _error("this is a pickled gensim model; save its vectors with "
                     "model.wv.save_word2vec_format(path) and load that file", inp)


def _detect(head: bytes, inp: _Input, filename_hint: str = "") -> str:
    _check_not_garbage(head, inp)
    if head.startswith(_NUMPY_MAGIC):
        return "npy"
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    nl = body.find(b"\n")
    first = body if nl < 0 else body[:nl]
    m = _HEADER_SNIFF_RE.match(first)
    if m and int(m.group(1)) > 0 and int(m.group(2)) > 0:
        rest = body[nl + 1:] if nl >= 0 else b""
        dim = int(_HEADER_SNIFF_RE.match(first).group(2))
        sp = rest.find(b" ")
        if sp < 0:
            # too little to tell: a header and (at most) part of a token
            return "word2vec-binary" if filename_hint.endswith(".bin") else "word2vec-text"
        sample = rest[sp + 1: sp + 1 + min(64 * dim + 64, 16384)]
        if _looks_numeric_text(sample, dim):
            return "word2vec-text"
        return "word2vec-binary"
    lines = [ln for ln in body.split(b"\n")[:50] if ln.strip()]
    if nl >= 0 and len(body) >= _SNIFF_BYTES:
        lines = lines[:-1]  # the last sampled line may be cut
    if not lines:
        raise _error("the first line is longer than 64 KB; not a vector file", inp, line=1)
    if b"\x00" in head:
        sample = head[:4096]
        if len(sample) >= 8 and max(sample[0::2].count(0), sample[1::2].count(0)) >= 0.9 * (len(sample) // 2):
            raise _error("the file looks like UTF-16 text (every other byte is zero); save it as UTF-8", inp, line=1)
        raise _error(f"binary data (NUL byte at byte {head.index(_NUL)}); not a recognised vector file. "
                     f"Supported: {', '.join(FORMATS)}", inp)
    line = lines[0]
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if b"\t" in line:
        fields = line.strip().split(b"\t")
        if len(fields) >= 2 and sum(_is_number(x) for x in fields[1:]) >= len(fields[1:]) * 0.5:
            return "projector-tsv"
    fields = line.split()
    if len(fields) >= 2 and sum(_is_number(x) for x in fields[1:]) >= len(fields[1:]) * 0.5:
        return "glove"
    if len(fields) == 1 and _is_number(fields[0]) and b"\t" not in line:
        return "projector-tsv"  # one-dimensional numbers, one per line
    raise _error("not a recognised vector file: the first line is neither a word2vec header "
                 "('<rows> <dim>') nor a token followed by numbers"
                 + (" (a single column: perhaps a vocabulary or metadata file?)" if len(fields) == 1 else "")
                 + f". Supported formats: {', '.join(FORMATS)}", inp, line=1)


def _looks_numeric_text(sample: bytes, dim: int) -> bool:
    """Do the bytes after the first token look like text numbers (rather than raw float32)?"""
    allowed = set(b"0123456789+-.eE \t\r\nnaifNAIFtyTY")
    text_part = sample.split(b"\n", 1)[0]
    if not text_part.strip() or not all(b in allowed for b in text_part):
        return False
    # raw float bytes can look like digits by chance, but hardly as several space-separated fields
    return len(text_part.split()) >= min(dim, 2)


def detect_format(source, *, filename: str | None = None) -> str:
    """Guess the format of a vector file from its first bytes.

    Parameters
    ----------
    source : str, Path or binary file-like
        A file-like object is left at the position where it was.
    filename : str, optional
        Name for messages (and a hint where the content is ambiguous).

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    EmbeddingFormatError
        Empty, binary garbage, compressed, or no known format.

    >>> import io
    >>> detect_format(io.BytesIO(b"3 2\\na 1 2\\nb 3 4\\nc 5 6\\n"))
    'word2vec-text'
    """
    inp = _Input(source, filename)
    try:
        head = inp.head()
        return _detect(head, inp, (filename or inp.name).lower())
    finally:
        if not inp._own and inp.size is not None:
            inp.f.seek(inp.start)
        inp.close()


# --------------------------------------------------------------------------------------------
# growing float32 storage
# --------------------------------------------------------------------------------------------
class _Rows:
    """Rows of a float32 (n, dim) array filled in blocks; grows by realloc when needed."""

    def __init__(self, dim: int, expected: int):
        self.dim = dim
        self.arr = np.empty((max(int(expected), 1), dim), dtype=np.float32)
        self.n = 0
        self.tokens: list[str] = []

    def _ensure(self, extra: int) -> None:
        need = self.n + extra
        if need > self.arr.shape[0]:
            new = max(need, int(self.arr.shape[0] * 1.25) + 1024)
            self.arr.resize((new, self.dim), refcheck=False)

    def add(self, tokens: list[str], values: np.ndarray) -> None:
        k = len(tokens)
        self._ensure(k)
        self.arr[self.n:self.n + k] = values
        self.n += k
        self.tokens.extend(tokens)

    def finish(self) -> np.ndarray:
        if self.arr.shape[0] != self.n:
            self.arr.resize((max(self.n, 0), self.dim), refcheck=False)
        return self.arr


# --------------------------------------------------------------------------------------------
# text parsing
# --------------------------------------------------------------------------------------------
class _TextSpec:
    """How rows of a text format look."""

    def __init__(self, fmt: str, dim: int, *, labelled: bool = True, dim_source: str = ""):
        self.fmt = fmt
        self.tab = fmt == "projector-tsv"
        self.dim = dim
        self.labelled = labelled  # the first field is the token
        self.dim_source = dim_source
        self.trailing_sep: bool | None = None  # lines end with a separator (word2vec C tool style)


def _decode_line(raw: bytes, ln: int, inp: _Input) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _error(f"not UTF-8 text: byte 0x{raw[e.start]:02x} at column {e.start + 1} cannot be decoded "
                     f"({e.reason}); save the file as UTF-8", inp, line=ln) from None


def _split_fields(text: str, spec: _TextSpec) -> list[str]:
    if spec.tab:
        return [f.strip() for f in text.strip().split("\t")]
    return _WS.split(text.strip(_WS_CHARS))


def _parse_line(text: str, ln: int, spec: _TextSpec, inp: _Input) -> tuple[str | None, list[str], bool]:
    """Token (None if unlabelled), value strings, and whether the token had spaces."""
    fields = _split_fields(text, spec)
    d = spec.dim
    need = d + (1 if spec.labelled else 0)
    spaced = False
    if len(fields) < need or (len(fields) > need and not (spec.labelled and not spec.tab)):
        got = len(fields) - (1 if spec.labelled else 0)
        raise _error(f"ragged row: {got} values, expected {d}{spec.dim_source}", inp, line=ln)
    if len(fields) > need:
        if _is_number(fields[-d - 1]):
            got = len(fields) - 1
            raise _error(f"ragged row: {got} values, expected {d}{spec.dim_source}", inp, line=ln)
        token = " ".join(fields[:-d])
        spaced = True
        vals = fields[-d:]
    elif spec.labelled:
        token, vals = fields[0], fields[1:]
    else:
        token, vals = None, fields
    if token is not None and token == "":
        raise _error("empty token", inp, line=ln)
    return token, vals, spaced


def _to_floats(vals: list[str], ln: int, inp: _Input, out: np.ndarray) -> None:
    with np.errstate(all="ignore"):  # values too large for float32 become inf, reported below
        for j, v in enumerate(vals):
            try:
                out[j] = float(v)
            except (ValueError, OverflowError):
                raise _error(f"value {j + 1} ({v[:40]!r}) is not a number", inp, line=ln) from None
    if not np.isfinite(out).all():
        j = int(np.flatnonzero(~np.isfinite(out))[0])
        raise _error(f"value {j + 1} ({vals[j][:40]!r}) is NaN or infinite (or too large for float32); "
                     "vectors must be finite", inp, line=ln)


def _parse_chunk_slow(chunk: bytes, first_ln: int, spec: _TextSpec, inp: _Input):
    lines = chunk.split(b"\n")
    if chunk.endswith(b"\n"):
        lines.pop()
    vals = np.empty((len(lines), spec.dim), dtype=np.float32)
    toks: list = []
    blank = spaced = 0
    k = 0
    for i, raw in enumerate(lines):
        ln = first_ln + i
        text = _decode_line(raw, ln, inp)
        if not text.strip():
            blank += 1
            continue
        token, sv, sp = _parse_line(text, ln, spec, inp)
        _to_floats(sv, ln, inp, vals[k])
        toks.append(token)
        spaced += sp
        k += 1
    return toks, vals[:k], blank, spaced


def _parse_chunk_fast(chunk: bytes, spec: _TextSpec):
    """Bulk-parse a chunk with pandas' C reader; None if anything is unusual (then the slow path decides)."""
    if not chunk or chunk.startswith((b"\n", b"\r\n")) or b"\n\n" in chunk or b"\n\r\n" in chunk:
        return None
    import pandas as pd

    sep = "\t" if spec.tab else " "
    d = spec.dim
    lab = 1 if spec.labelled else 0
    nl = chunk.find(b"\n")
    first = chunk if nl < 0 else chunk[:nl]
    trailing = first.rstrip(b"\r").endswith(sep.encode())
    ncols = d + lab + (1 if trailing else 0)
    dtype: dict = {i: np.float32 for i in range(lab, lab + d)}
    if lab:
        dtype[0] = object
    if trailing:
        dtype[ncols - 1] = object
    expected = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            df = pd.read_csv(io.BytesIO(chunk), sep=sep, header=None, dtype=dtype, quoting=3, na_filter=False,
                             engine="c", encoding="utf-8", comment=None, doublequote=False, escapechar=None,
                             index_col=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, IndexError, TypeError, OverflowError):
        return None
    if df.shape != (expected, ncols):
        return None
    if trailing:
        tail = df.iloc[:, ncols - 1]
        if not tail.isin(["", "\r"]).all():
            return None
    values = df.iloc[:, lab:lab + d].to_numpy(dtype=np.float32)
    if values.dtype != np.float32 or not np.isfinite(values).all():
        return None
    if lab:
        toks = df.iloc[:, 0].tolist()
        if not all(type(t) is str for t in toks) or "" in toks:
            return None
        if spec.tab:
            toks = [t.strip() for t in toks]
            if "" in toks:
                return None
        else:
            joined = "".join(toks)
            if "\r" in joined or "\t" in joined or "\x0b" in joined or "\x0c" in joined:
                return None
    else:
        toks = [None] * len(values)
    return toks, values


def _parse_piece(chunk: bytes, first_ln: int, spec: _TextSpec, inp: _Input, depth: int = 0):
    """Fast path for the chunk; if it refuses, halve the chunk so that a few odd lines (blank lines,
    GloVe tokens with spaces) send only small pieces to the exact line-by-line parser."""
    res = _parse_chunk_fast(chunk, spec)
    if res is not None:
        return res[0], res[1], 0, 0
    nl = chunk.count(b"\n")
    if nl <= 256 or depth >= 16:
        return _parse_chunk_slow(chunk, first_ln, spec, inp)
    mid = chunk.find(b"\n", len(chunk) // 2) + 1
    if mid <= 0 or mid >= len(chunk):
        return _parse_chunk_slow(chunk, first_ln, spec, inp)
    left, right = chunk[:mid], chunk[mid:]
    t1, v1, b1, s1 = _parse_piece(left, first_ln, spec, inp, depth + 1)
    t2, v2, b2, s2 = _parse_piece(right, first_ln + left.count(b"\n"), spec, inp, depth + 1)
    return t1 + t2, np.concatenate([v1, v2]), b1 + b2, s1 + s2


def _iter_chunks(inp: _Input, chunk_size: int, first_ln: int):
    """Yield (chunk, first line number); every chunk but the last ends with a newline."""
    ln = first_ln
    while True:
        data = inp.read(chunk_size)
        if not data:
            return
        if not data.endswith(b"\n"):
            more = inp.readline(_MAX_LINE_BYTES)
            if more:
                data += more
                if not more.endswith(b"\n") and len(more) >= _MAX_LINE_BYTES:
                    raise _error("a line is longer than 64 MB; not a text vector file", inp,
                                 line=ln + data.count(b"\n") + 1)
        yield data, ln
        ln += data.count(b"\n")


def _chunk_size(inp: _Input) -> int:
    if inp.size is None:
        return 4 << 20
    return int(min(16 << 20, max(256 << 10, inp.size // 16)))


class _Progress:
    def __init__(self, cb: Callable[[float], object] | None, total: int | None):
        self.cb = cb
        self.total = total
        self.last = -1.0

    def __call__(self, done: float) -> None:
        if self.cb is None:
            return
        frac = min(1.0, max(0.0, done))
        if frac > self.last:
            self.last = frac
            self.cb(frac)

    def bytes(self, n: int) -> None:
        if self.total:
            self(min(0.999, n / self.total))


def _read_first_line(inp: _Input) -> tuple[bytes, int]:
    buf = b""
    while b"\n" not in buf:
        data = inp.read(4096)
        if not data:
            break
        buf += data
        if len(buf) > _MAX_LINE_BYTES:
            raise _error("the first line is longer than 64 MB", inp, line=1)
    nl = buf.find(b"\n")
    if nl < 0:
        return buf, len(buf)
    inp._pushback = buf[nl + 1:] + inp._pushback
    return buf[:nl], nl + 1


def _check_limits(count: int | None, dim: int, inp: _Input, line: int | None = 1) -> None:
    if dim < 1:
        raise _error(f"dimension {dim} is not allowed (must be at least 1)", inp, line=line)
    if dim > MAX_DIM:
        raise _error(f"dimension {dim:,} is larger than the limit of {MAX_DIM:,}", inp, line=line)
    if count is not None:
        if count < 1:
            raise _error(f"the header announces {count} rows; a vector file needs at least one", inp, line=line)
        if count > MAX_ROWS:
            raise _error(f"the header announces {count:,} rows, more than the limit of {MAX_ROWS:,}", inp,
                         line=line)


def _parse_header(line: bytes, inp: _Input) -> tuple[int, int]:
    m = _HEADER_RE.match(line[3:] if line.startswith(b"\xef\xbb\xbf") else line)
    if not m:
        shown = line[:60].decode("utf-8", "replace")
        raise _error(f"expected a word2vec header '<rows> <dim>', found {shown!r}", inp, line=1)
    count, dim = int(m.group(1)), int(m.group(2))
    _check_limits(count, dim, inp)
    return count, dim


def _read_text(inp: _Input, fmt: str, progress: _Progress):
    """Read word2vec-text / glove / projector-tsv rows. Returns (tokens or None, array, info dict)."""
    info = {"header": None, "blank": 0, "spaced": 0, "labelled": True}
    consumed = 0
    first_ln = 1
    count = None
    if fmt == "word2vec-text":
        line, consumed = _read_first_line(inp)
        count, dim = _parse_header(line, inp)
        info["header"] = (count, dim)
        spec = _TextSpec(fmt, dim, dim_source=" (from the header on line 1)")
        first_ln = 2
    else:
        spec = _sniff_text_spec(inp, fmt)
    dim = spec.dim
    if count is not None:
        expected = count
        if inp.size is not None:  # a lying header must not make us allocate more than the file can hold
            expected = min(count, (inp.size - consumed) // (2 * dim) + 1)
    elif inp.size is not None:
        expected = _estimate_rows(inp, spec)
    else:
        expected = 1024
    rows = _Rows(dim, expected)
    chunk_size = _chunk_size(inp)
    last_ln = first_ln - 1
    for chunk, ln in _iter_chunks(inp, chunk_size, first_ln):
        toks, vals, blank, spaced = _parse_piece(chunk, ln, spec, inp)
        info["blank"] += blank
        info["spaced"] += spaced
        if count is not None and rows.n + len(toks) > count:
            bad = _line_of_row(chunk, ln, count - rows.n)
            raise _error(f"the header announces {count:,} rows but there are more: this line would be row "
                         f"{count + 1:,}", inp, line=bad)
        rows.add(toks, vals)
        consumed += len(chunk)
        last_ln = ln + chunk.count(b"\n") - (1 if chunk.endswith(b"\n") else 0)
        progress.bytes(consumed)
    if rows.n == 0:
        raise _error("no vectors found (only a header or blank lines)", inp, line=last_ln + 1)
    if count is not None and rows.n < count:
        raise _error(f"the header announces {count:,} rows but the file ends after {rows.n:,}", inp,
                     line=last_ln + 1)
    arr = rows.finish()
    tokens = rows.tokens if spec.labelled else None
    info["labelled"] = spec.labelled
    return tokens, arr, info


def _line_of_row(chunk: bytes, first_ln: int, k: int) -> int:
    """Line number of the k-th (0-based) non-blank line of a chunk."""
    seen = 0
    for i, raw in enumerate(chunk.split(b"\n")):
        if raw.strip():
            if seen == k:
                return first_ln + i
            seen += 1
    return first_ln


def _sniff_text_spec(inp: _Input, fmt: str) -> _TextSpec:
    """Dimension (and label column) of a header-less text file from its first lines."""
    head = inp.head()
    if head.startswith(b"\xef\xbb\xbf"):
        inp._pushback = inp._pushback[3:]
        head = head[3:]
    lines = head.split(b"\n")
    if len(head) >= _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]
    sample = []
    for i, raw in enumerate(lines[:200]):
        text = _decode_line(raw, i + 1, inp)
        if text.strip():
            sample.append((i + 1, text))
    if not sample:
        raise _error("the file is empty" if not head else "no vectors found (only blank lines)", inp, line=1)
    tab = fmt == "projector-tsv"
    probe = _TextSpec(fmt, 1)
    if tab:
        ln0, text0 = sample[0]
        fields = _split_fields(text0, probe)
        labelled = not _is_number(fields[0])
        dim = len(fields) - (1 if labelled else 0)
        source = f" (like line {ln0})"
    else:
        counts: dict[int, int] = {}
        for _, text in sample:
            n = len(_split_fields(text, probe)) - 1
            counts[n] = counts.get(n, 0) + 1
        dim = max(counts, key=lambda n: (counts[n], -n))
        labelled = True
        source = f" (like most of the first {len(sample)} lines)" if len(sample) > 1 else " (like line 1)"
    if dim < 1:
        raise _error(f"the first line has no numbers after the token: not a {fmt} file", inp, line=sample[0][0])
    _check_limits(None, dim, inp, line=sample[0][0])
    return _TextSpec(fmt, dim, labelled=labelled, dim_source=source)


def _estimate_rows(inp: _Input, spec: _TextSpec) -> int:
    head = inp.head()
    n = head.count(b"\n")
    if n == 0 or inp.size is None:
        return 1024
    per_line = len(head[:head.rfind(b"\n") + 1]) / n
    return int(inp.size / per_line * 1.02) + 16


# --------------------------------------------------------------------------------------------
# binary word2vec
# --------------------------------------------------------------------------------------------
def _read_w2v_binary(inp: _Input, progress: _Progress):
    line, consumed = _read_first_line(inp)
    count, dim = _parse_header(line, inp)
    rowbytes = 4 * dim
    expected = count
    if inp.size is not None:
        expected = min(count, (inp.size - consumed) // (rowbytes + 2) + 1)
    arr = np.empty((max(expected, 1), dim), dtype=np.float32)
    tokens: list[str] = []
    chunk_size = max(_chunk_size(inp), 4 * (rowbytes + 1024))
    buf = b""
    bview = memoryview(buf)
    out = memoryview(arr).cast("B")  # rows are copied byte for byte (little-endian float32 on disk)
    pos = 0
    base = consumed  # file offset of buf[0]
    eof = False
    i = 0
    while i < count:
        # make sure the buffer holds a whole record (token + space + vector), refilling as needed
        sp = buf.find(b" ", pos, pos + _MAX_TOKEN_BYTES)
        while (sp < 0 or sp + 1 + rowbytes > len(buf)) and not eof:
            data = inp.read(chunk_size)
            if not data:
                eof = True
            base += pos
            bview.release()
            buf = buf[pos:] + data
            bview = memoryview(buf)
            pos = 0
            sp = buf.find(b" ", 0, _MAX_TOKEN_BYTES)
        if sp < 0 or sp + 1 + rowbytes > len(buf):
            rest = buf[pos:]
            if not rest.strip(b"\n"):
                raise _record_error(f"the header announces {count:,} records but the file ends after {i:,}",
                                    inp, i + 1)
            if sp < 0:
                what = ("no space after the token" if len(rest) >= _MAX_TOKEN_BYTES
                        else "the file ends inside the token")
            else:
                what = f"the file ends inside the vector ({len(buf) - sp - 1} of {rowbytes} bytes)"
            raise _record_error(f"record {i + 1} (byte offset {base + pos:,}): {what}", inp, i + 1)
        raw_tok = buf[pos:sp].lstrip(b"\n")
        try:
            tok = raw_tok.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _record_error(f"record {i + 1} (byte offset {base + pos:,}): the token is not UTF-8 "
                                f"(byte 0x{raw_tok[e.start]:02x}); not a word2vec binary file, or not UTF-8",
                                inp, i + 1) from None
        if not tok or tok.strip() == "":
            raise _record_error(f"record {i + 1} (byte offset {base + pos:,}): empty token", inp, i + 1)
        if i >= arr.shape[0]:
            out.release()
            arr.resize((min(count, int(arr.shape[0] * 1.25) + 1024), dim), refcheck=False)
            out = memoryview(arr).cast("B")
        o = i * rowbytes
        out[o:o + rowbytes] = bview[sp + 1:sp + 1 + rowbytes]
        tokens.append(tok)
        pos = sp + 1 + rowbytes
        i += 1
        if i % 8192 == 0:
            progress.bytes(base + pos)
            if not np.isfinite(arr[i - 8192:i]).all():
                _raise_nonfinite(arr, tokens, i - 8192, i, inp)
    # anything after the last record other than newlines is more data than announced
    tail = buf[pos:]
    more = tail.strip(b"\n\r \t")
    if not more and not eof:
        extra = inp.read(1 << 16)
        more = extra.strip(b"\n\r \t")
    if more:
        raise _record_error(f"the header announces {count:,} records but there is more data after record {count:,} "
                            f"(byte offset {base + pos:,})", inp, count + 1)
    out.release()
    bview.release()
    start = (i // 8192) * 8192
    if not np.isfinite(arr[start:i]).all():
        _raise_nonfinite(arr, tokens, start, i, inp)
    if arr.shape[0] != i:
        arr.resize((i, dim), refcheck=False)
    if sys.byteorder != "little":  # pragma: no cover - the data is little-endian on disk
        arr = arr.byteswap()
    return tokens, arr, {"header": (count, dim), "blank": 0, "spaced": 0, "labelled": True}


def _raise_nonfinite(arr: np.ndarray, tokens: list[str], lo: int, hi: int, inp: _Input):
    bad = lo + int(np.flatnonzero(~np.isfinite(arr[lo:hi]).all(axis=1))[0])
    raise _record_error(f"record {bad + 1} (token {tokens[bad]!r}) has NaN or infinite values; vectors must be "
                        "finite", inp, bad + 1)


# --------------------------------------------------------------------------------------------
# npy + vocabulary, metadata
# --------------------------------------------------------------------------------------------
_NPY_ERRORS = (ValueError, OSError, EOFError, TypeError, SyntaxError, OverflowError, MemoryError, KeyError,
               UnicodeDecodeError, tokenize.TokenError)


def _read_npy(inp: _Input, progress: _Progress) -> np.ndarray:
    from numpy.lib import format as npf

    if inp.rewind():
        f, size = inp.f, inp.size
    else:  # a non-seekable stream: hold the bytes (np.load needs to seek)
        f = io.BytesIO(inp._pushback + inp._read_raw(-1))
        size = len(f.getvalue())
    start = f.tell()
    # check the header before np.load allocates anything
    try:
        version = npf.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = npf.read_array_header_1_0(f, max_header_size=10_000)
        else:
            shape, fortran, dtype = npf.read_array_header_2_0(f, max_header_size=10_000)
        data_start = f.tell() - start
    except _NPY_ERRORS as e:
        raise _error(f"not a readable .npy file: its header is damaged ({type(e).__name__}: {e})", inp) from None
    if dtype.hasobject:
        raise _error("the .npy file holds Python objects, which are never unpickled; "
                     "save a numeric array (np.save(path, vectors.astype('float32')))", inp)
    if dtype.kind not in "fiub" or dtype.names is not None or dtype.subdtype is not None:
        raise _error(f"the array has dtype {dtype}; a numeric (float or int) array is needed", inp)
    if len(shape) != 2:
        raise _error(f"the array has shape {shape}; a 2-D (rows, dim) array is needed", inp)
    n, d = shape
    if n < 1 or d < 1:
        raise _error(f"the array has shape {shape}; it needs at least one row and one column", inp)
    if d > MAX_DIM or n > MAX_ROWS:
        raise _error(f"the array has shape {shape}; the limits are {MAX_ROWS:,} rows and {MAX_DIM:,} dimensions",
                     inp)
    need = n * d * dtype.itemsize
    if size is not None and size - data_start < need:
        raise _error(f"the file is truncated: shape {shape} of {dtype} needs {need:,} bytes of data but only "
                     f"{size - data_start:,} follow the header", inp)
    f.seek(start)
    try:
        arr = np.load(f, allow_pickle=False)
    except _NPY_ERRORS as e:
        raise _error(f"not a readable .npy file ({type(e).__name__}: {e})", inp) from None
    with np.errstate(all="ignore"):
        out = np.ascontiguousarray(arr, dtype=np.float32)
    del arr
    finite = np.isfinite(out).all(axis=1)
    if not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        raise _error(f"row {bad + 1} has NaN or infinite values (or values too large for float32); "
                     "vectors must be finite", inp)
    progress(1.0)
    return out


def _read_text_lines(source, filename: str | None, role: str) -> tuple[list[str], str]:
    inp = _Input(source, filename, role=role)
    try:
        data = inp.read(-1) if inp.size is None else inp.read(max(inp.size, 0) + 1)
    finally:
        inp.close()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise _error(f"the {role} is binary data (NUL byte at byte {data.index(_NUL)}); "
                     "a UTF-8 text file is needed", inp)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = []
    for i, raw in enumerate(lines):
        out.append(_decode_line(raw.rstrip(b"\r"), i + 1, inp))
    return out, inp.name


def _read_vocab(source, filename: str | None, n: int) -> list[str]:
    lines, name = _read_text_lines(source, filename, "vocabulary file")
    if len(lines) != n:
        raise EmbeddingFormatError(
            f"the vocabulary has {len(lines):,} lines but the array has {n:,} rows; "
            "one token per line is needed, in row order", path=name,
            line=min(len(lines), n) + 1)
    for i, t in enumerate(lines):
        if t.strip() == "":
            raise EmbeddingFormatError("empty token (blank line) in the vocabulary", path=name, line=i + 1)
    return lines


def _convert_column(values: list[str]) -> tuple:
    present = [v for v in values if v != ""]
    if present:
        try:
            ints = [int(v) for v in present]
            it = iter(ints)
            return tuple(next(it) if v != "" else None for v in values)
        except ValueError:
            pass
        try:
            flts = [float(v) for v in present]
            it2 = iter(flts)
            return tuple(next(it2) if v != "" else None for v in values)
        except ValueError:
            pass
    return tuple(v if v != "" else None for v in values)


def _read_metadata(source, filename: str | None, n: int):
    """Tokens and extra columns from a Projector metadata.tsv, by the Projector's rules."""
    lines, name = _read_text_lines(source, filename, "metadata file")
    rows = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() != ""]  # the Projector skips blank lines
    if not rows:
        raise EmbeddingFormatError("the metadata file is empty", path=name)
    header_ln, first = rows[0]
    if "\t" not in first:
        # one column: no header line, each line is a label
        if len(rows) != n:
            hint = (" (a one-column metadata file has no header line: remove the first line)"
                    if len(rows) == n + 1 else "")
            raise EmbeddingFormatError(
                f"the metadata has {len(rows):,} labels but vectors.tsv has {n:,} rows{hint}",
                path=name, line=rows[min(len(rows), n) - 1][0] if len(rows) > n else None)
        return [ln.strip("\r") for _, ln in rows], {}, "label", name
    names = first.split("\t")
    data = rows[1:]
    if len(data) != n:
        raise EmbeddingFormatError(
            f"the metadata has {len(data):,} rows after its header line but vectors.tsv has {n:,} rows",
            path=name, line=data[n][0] if len(data) > n else None)
    cols: list[list[str]] = [[] for _ in names]
    for ln, text in data:
        vals = text.split("\t")
        if len(vals) > len(names):
            raise EmbeddingFormatError(f"{len(vals)} fields but the header line has {len(names)} columns",
                                       path=name, line=ln)
        for j in range(len(names)):
            cols[j].append(vals[j] if j < len(vals) else "")
    lowered = [c.strip().lower() for c in names]
    tok_j = next((lowered.index(k) for k in _TOKEN_NAMES if k in lowered), None)
    if tok_j is None:
        tok_j = next((j for j, c in enumerate(cols) if not all(_is_number(v) for v in c if v != "")), 0)
    tokens = cols[tok_j]
    for (ln, _), t in zip(data, tokens):
        if t.strip() == "":
            raise EmbeddingFormatError(f"empty token in column {names[tok_j]!r}", path=name, line=ln)
    meta = {}
    for j, c in enumerate(names):
        if j != tok_j:
            key = c.strip() or f"column {j + 1}"
            meta[key] = _convert_column(cols[j])
    return tokens, meta, names[tok_j].strip(), name


def _beside(path: Path, *candidates: str) -> Path | None:
    for c in candidates:
        p = path.with_name(c)
        if p.is_file() and p != path:
            return p
    return None


def _metadata_name_for(vectors_path: Path) -> str:
    stem = vectors_path.stem
    if "vectors" in stem:
        i = stem.rfind("vectors")
        return stem[:i] + "metadata" + stem[i + len("vectors"):] + ".tsv"
    return stem + "_metadata.tsv"


# --------------------------------------------------------------------------------------------
# public readers
# --------------------------------------------------------------------------------------------
def read_vectors_report(source, *, format: str | None = None, filename: str | None = None, vocab=None,
                        metadata=None, name: str | None = None,
                        progress: Callable[[float], object] | None = None) -> tuple[EmbeddingSet, ReadReport]:
    """Like :func:`read_vectors`, also returning a :class:`ReadReport` of what was found and skipped.

    >>> import io
    >>> es, rep = read_vectors_report(io.BytesIO(b"a 1 2\\n\\nb 3 4\\n"), filename="g.txt")
    >>> rep.format, rep.rows, rep.dim, rep.duplicates_dropped, rep.blank_lines_skipped
    ('glove', 2, 2, 0, 1)
    """
    if format is not None and format not in FORMATS:
        raise InvalidParameterError(f"unknown format {format!r}. Must be one of: {', '.join(FORMATS)}")
    inp = _Input(source, filename)
    prog = _Progress(progress, inp.size)
    try:
        head = inp.head()
        detected = _detect(head, inp, inp.name.lower())
        fmt = format or detected
        if format is not None and format != detected:
            logger.info("%s: reading as %s as asked (content looks like %s)", inp.name, format, detected)
        if fmt == "npy":
            if detected != "npy":
                raise _error("not a .npy file (no NumPy header)", inp)
            arr = _read_npy(inp, prog)
            info = {"header": None, "blank": 0, "spaced": 0, "labelled": False}
            tokens = None
        elif fmt == "word2vec-binary":
            if detected != "word2vec-binary":
                what = ("the vectors are written as text: read it as word2vec-text" if detected == "word2vec-text"
                        else "the first line is not a '<rows> <dim>' header")
                raise _error(f"not a word2vec binary file: {what}", inp, line=1 if detected != "word2vec-text"
                             else 2)
            tokens, arr, info = _read_w2v_binary(inp, prog)
        else:
            if detected in ("npy", "word2vec-binary") and fmt != detected:
                raise _error(f"this looks like a {detected} file, not {fmt} text", inp)
            if fmt == "glove" and detected == "word2vec-text":
                logger.info("%s: the first line looks like a word2vec header; reading it as GloVe as asked",
                            inp.name)
            tokens, arr, info = _read_text(inp, fmt, prog)
    finally:
        inp.close()
    n, dim = arr.shape
    token_column = None
    meta: dict = {}
    meta_cols: tuple = ()
    extra = ""
    if fmt == "npy":
        vsrc = vocab
        if vsrc is None and inp.path is not None:
            vsrc = _beside(inp.path, inp.path.stem + ".vocab.txt", "vocab.txt")
        if vsrc is None:
            raise _error("a .npy file needs a vocabulary file with one token per line (row order); "
                         "give vocab=... (or put <name>.vocab.txt beside it)", inp)
        tokens = _read_vocab(vsrc, None, n)
        token_column = "vocabulary"
    elif fmt == "projector-tsv":
        msrc = metadata
        if msrc is None and inp.path is not None:
            msrc = _beside(inp.path, _metadata_name_for(inp.path))
        if msrc is not None:
            tokens, meta, token_column, mname = _read_metadata(msrc, None, n)
            meta_cols = tuple(meta)
            extra = f" + {mname}"
        elif info["labelled"]:
            token_column = "labels"
        else:
            tokens = [str(i) for i in range(n)]
            token_column = "row numbers"
            extra = " (no metadata: tokens are row numbers)"
    elif metadata is not None or vocab is not None:
        logger.info("%s: vocab/metadata are only used for npy and projector-tsv files", inp.name)
    assert tokens is not None
    tokens, arr, meta, dropped = _drop_duplicates(tokens, arr, meta, inp.name)
    origin = f"{fmt} file {inp.name!r}{extra}"
    if dropped:
        origin += f"; {dropped:,} duplicate token rows dropped (first kept)"
    if info["spaced"]:
        origin += f"; {info['spaced']:,} tokens contain spaces"
    set_name = name or (Path(inp.name).stem if inp.name else "vectors") or "vectors"
    try:
        es = EmbeddingSet(tokens, arr, name=set_name, origin=origin, meta=meta, copy=False)
    except InvalidParameterError as e:  # pragma: no cover - the checks above should make this unreachable
        raise _error(str(e), inp) from None
    report = ReadReport(format=fmt, rows=len(es), dim=es.dim, duplicates_dropped=dropped, header=info["header"],
                        source=inp.name, blank_lines_skipped=info["blank"], spaced_tokens=info["spaced"],
                        token_column=token_column, metadata_columns=meta_cols)
    prog(1.0)
    logger.info("read %s: %s rows x %s dims as %s", inp.name, len(es), es.dim, fmt)
    return es, report


def _drop_duplicates(tokens: list[str], arr: np.ndarray, meta: dict, name: str):
    if len(set(tokens)) == len(tokens):
        return tokens, arr, meta, 0
    seen: set[str] = set()
    keep = np.empty(len(tokens), dtype=bool)
    for i, t in enumerate(tokens):
        keep[i] = t not in seen
        seen.add(t)
    dropped = int((~keep).sum())
    first_dup = tokens[int(np.flatnonzero(~keep)[0])]
    warnings.warn(DuplicateTokenWarning(
        f"{name}: {dropped:,} rows repeat an earlier token (first: {first_dup!r}); kept the first occurrence "
        f"of each and dropped {dropped:,} rows"), stacklevel=4)
    idx = np.flatnonzero(keep)
    new_tokens = [tokens[i] for i in idx]
    new_arr = arr[idx]
    new_meta = {k: tuple(col[i] for i in idx) for k, col in meta.items()}
    return new_tokens, new_arr, new_meta, dropped


def read_vectors(source, *, format: str | None = None, filename: str | None = None, vocab=None,
                 metadata=None, name: str | None = None,
                 progress: Callable[[float], object] | None = None) -> EmbeddingSet:
    """Read a vector file into an :class:`~embedlab.core.embeddings.EmbeddingSet`.

    Parameters
    ----------
    source : str, Path or binary file-like
        The vector file (a Streamlit upload works as is).
    format : str, optional
        One of :data:`FORMATS`; None detects it from the content (the extension is only a hint).
    filename : str, optional
        Name used in messages and as the default set name when ``source`` is a file-like object.
    vocab : str, Path or binary file-like, optional
        Vocabulary for ``.npy`` (one token per line, row order). Default for a path:
        ``<stem>.vocab.txt`` or ``vocab.txt`` beside it.
    metadata : str, Path or binary file-like, optional
        Projector ``metadata.tsv``. Default for a path ``vectors.tsv``: ``metadata.tsv`` beside it
        (``foo_vectors.tsv`` -> ``foo_metadata.tsv``, ``foo.tsv`` -> ``foo_metadata.tsv``).
    name : str, optional
        Name of the set (default: the file stem).
    progress : callable, optional
        Called now and then with the fraction done (0..1, increasing, ending with 1.0).

    Returns
    -------
    EmbeddingSet
        Its ``origin`` names the file, the format and any dropped duplicates.

    Raises
    ------
    EmbeddingFormatError
        The file cannot be read; the message names the line (or record) and the problem.
    InvalidParameterError
        ``format`` is not one of :data:`FORMATS`, or ``source`` is not a file.

    Warns
    -----
    DuplicateTokenWarning
        Some tokens repeat; the message counts the dropped rows.

    >>> import io
    >>> es = read_vectors(io.BytesIO(b"king\\t1\\t0\\nqueen\\t0\\t1\\n"), filename="v.tsv")
    >>> es.tokens, es.vectors.tolist()
    (('king', 'queen'), [[1.0, 0.0], [0.0, 1.0]])
    """
    es, _ = read_vectors_report(source, format=format, filename=filename, vocab=vocab, metadata=metadata,
                                name=name, progress=progress)
    return es


# --------------------------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------------------------
def _check_tokens(es: EmbeddingSet, pattern: re.Pattern, what: str) -> None:
    bad = [t for t in es.tokens if t == "" or pattern.search(t)]
    if bad:
        raise InvalidParameterError(
            f"{len(bad)} tokens cannot be written as {what} (empty, or containing "
            f"{'whitespace' if pattern is _FORBIDDEN_W2V else 'tabs or line breaks'}): "
            f"{', '.join(repr(t) for t in bad[:5])}")


def _format_rows(vectors: np.ndarray, sep: str, tokens=None, block: int = 2048):
    d = vectors.shape[1]
    fmt = ((("%s" + sep) if tokens is not None else "") + sep.join(["%.9g"] * d)) + "\n"
    for s in range(0, vectors.shape[0], block):
        rows = vectors[s:s + block].astype(np.float64).tolist()
        if tokens is not None:
            yield "".join(fmt % (tokens[s + i], *r) for i, r in enumerate(rows))
        else:
            yield "".join(fmt % tuple(r) for r in rows)


def write_word2vec(es: EmbeddingSet, path, *, binary: bool = False) -> Path:
    """Write a set in word2vec format (text by default; ``binary=True`` for the C tool's binary format).

    Text values are written with 9 significant digits, so reading the file back gives the
    same float32 values exactly.

    Raises
    ------
    InvalidParameterError
        A token is empty or contains whitespace (word2vec files separate fields by spaces).

    >>> import tempfile, os
    >>> es = EmbeddingSet(["a", "b"], [[0.5, 1.0], [0.1, 2.0]])
    >>> p = write_word2vec(es, os.path.join(tempfile.mkdtemp(), "x.txt"))
    >>> p.read_text().splitlines()[:2]
    ['2 2', 'a 0.5 1']
    >>> read_vectors(p).vectors.tolist() == es.vectors.tolist()
    True
    """
    path = Path(path)
    _check_tokens(es, _FORBIDDEN_W2V, "word2vec")
    n, d = es.vectors.shape
    with open(path, "wb") as f:
        f.write(f"{n} {d}\n".encode())
        if binary:
            le = es.vectors.astype("<f4", copy=False)
            for tok, row in zip(es.tokens, le):
                f.write(tok.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:
            for text in _format_rows(es.vectors, " ", es.tokens):
                f.write(text.encode("utf-8"))
    return path


def _token_header(es: EmbeddingSet) -> str:
    return next(c for c in ("token", "word", "label", "name", "token_") if c not in es.meta)


def write_projector_tsv(es: EmbeddingSet, vectors_path, metadata_path=None) -> tuple[Path, Path]:
    """Write the Embedding Projector pair: ``vectors.tsv`` (numbers only) and ``metadata.tsv``.

    By the Projector's rules, metadata with only the token column has no header line; with
    ``es.meta`` columns it has a header line (``token``, then the meta column names).

    Parameters
    ----------
    metadata_path : str or Path, optional
        Default: beside ``vectors_path`` (``vectors.tsv`` -> ``metadata.tsv``, ``x.tsv`` -> ``x_metadata.tsv``).

    Returns
    -------
    (Path, Path)
        The vectors and metadata paths.

    Raises
    ------
    InvalidParameterError
        A token or metadata value is empty or contains a tab or a line break.
    """
    vp = Path(vectors_path)
    mp = Path(metadata_path) if metadata_path is not None else vp.with_name(_metadata_name_for(vp))
    _check_tokens(es, _FORBIDDEN_TSV, "Projector metadata")
    if es.meta:
        for key, col in es.meta.items():
            if _FORBIDDEN_TSV.search(str(key)) or any(v is not None and _FORBIDDEN_TSV.search(str(v)) for v in col):
                raise InvalidParameterError(
                    f"metadata column {key!r} has a name or value with a tab or line break; the Projector "
                    "TSV format cannot hold it")
    if any(t != t.strip() for t in es.tokens):
        raise InvalidParameterError("tokens with leading or trailing spaces cannot be kept in metadata.tsv "
                                    "(the Projector strips them)")
    with open(vp, "wb") as f:
        for text in _format_rows(es.vectors, "\t"):
            f.write(text.encode("utf-8"))
    with open(mp, "w", encoding="utf-8", newline="\n") as f:
        if not es.meta:
            f.writelines(t + "\n" for t in es.tokens)
        else:
            cols = list(es.meta.items())
            f.write("\t".join([_token_header(es)] + [str(k) for k, _ in cols]) + "\n")
            for i, t in enumerate(es.tokens):
                vals = ["" if c[i] is None else str(c[i]) for _, c in cols]
                f.write("\t".join([t] + vals) + "\n")
    return vp, mp


def write_npy(es: EmbeddingSet, npy_path, vocab_path) -> tuple[Path, Path]:
    """Write the vectors as a float32 ``.npy`` and the tokens one per line to ``vocab_path``.

    Raises
    ------
    InvalidParameterError
        A token is empty or contains a line break.
    """
    bad = [t for t in es.tokens if t.strip() == "" or "\n" in t or "\r" in t]
    if bad:
        raise InvalidParameterError(f"{len(bad)} tokens cannot be written one per line (empty or containing a "
                                    f"line break): {', '.join(repr(t) for t in bad[:5])}")
    np_path, vp = Path(npy_path), Path(vocab_path)
    with open(np_path, "wb") as f:
        np.save(f, np.ascontiguousarray(es.vectors, dtype=np.float32), allow_pickle=False)
    with open(vp, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(t + "\n" for t in es.tokens)
    return np_path, vp


def write_vectors(es: EmbeddingSet, path) -> list[Path]:
    """Write a set in the format its file extension names; returns the files written.

    ``.txt``/``.vec`` -> word2vec text, ``.bin`` -> word2vec binary, ``.tsv`` -> Projector
    vectors + metadata beside it, ``.npy`` -> array + ``<stem>.vocab.txt`` beside it.

    Raises
    ------
    InvalidParameterError
        Another extension, or tokens the format cannot hold.
    """
    p = Path(path)
    ext = p.suffix.lower()
    if ext in (".txt", ".vec"):
        return [write_word2vec(es, p)]
    if ext == ".bin":
        return [write_word2vec(es, p, binary=True)]
    if ext == ".tsv":
        return list(write_projector_tsv(es, p))
    if ext == ".npy":
        return list(write_npy(es, p, p.with_name(p.stem + ".vocab.txt")))
    raise InvalidParameterError(f"cannot tell the format from the extension {ext!r} of {p.name!r}. "
                                "Must be one of: .txt, .vec (word2vec text), .bin (word2vec binary), "
                                ".tsv (Projector), .npy (NumPy + vocabulary)")
