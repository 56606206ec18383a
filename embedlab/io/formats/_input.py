"""The input side shared by every reader: a binary stream over a path, bytes or a file-like object,
the error helpers (messages that name the line or record), progress, the size limits and the word2vec
header line."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Callable

from ...core.errors import EmbeddingFormatError, InvalidParameterError
from ...core.validate import invalid
from ..limits import MAX_TEXT_FILE_BYTES, max_vector_file_bytes, mb, open_regular

FORMATS = ("word2vec-text", "word2vec-binary", "glove", "projector-tsv", "npy")
"""Format names accepted by :func:`read_vectors` (fastText ``.vec`` is ``word2vec-text``)."""

MAX_DIM = 100_000
"""Largest dimension accepted from a header or a file (a larger one is refused before allocating)."""
MAX_ROWS = 50_000_000
"""Largest row count accepted from a header."""

_SNIFF_BYTES = 1 << 16
_MAX_TOKEN_BYTES = 1 << 16
MAX_VALUE_CHARS = 64
"""Longest text of one number in a text vector file: a line may hold at most
``64 KB + MAX_VALUE_CHARS * (dim + 1)`` bytes (:func:`max_line_bytes`), checked before it is parsed."""
_WHITESPACE = b" \t\r\n\x0b\x0c"


def max_line_bytes(dim: int) -> int:
    """The longest line accepted in a text vector file of ``dim`` dimensions (a token of up to 64 KB,
    then ``dim`` numbers of up to :data:`MAX_VALUE_CHARS` characters each).

    >>> max_line_bytes(300)
    84800
    """
    return _MAX_TOKEN_BYTES + MAX_VALUE_CHARS * (int(dim) + 1)
_NUMPY_MAGIC = b"\x93NUMPY"
_NUL = b"\x00"
_HEADER_RE = re.compile(rb"^[ \t]*(\d+)[ \t]+(\d+)[ \t]*\r?$")
_HEADER_SNIFF_RE = re.compile(rb"^ *(\d+) +(\d+) *\r?$")  # tabs: a Projector row of two integers


class _Input:
    """A binary stream over a path or a file-like object, with its name and size if known."""

    def __init__(self, source, filename: str | None = None, role: str = "vector file"):
        self.path: Path | None = None
        self._own = False
        if isinstance(source, (str, os.PathLike)):
            self.path = Path(source).expanduser()
            if not self.path.exists():
                raise EmbeddingFormatError(f"no such {role}: {str(self.path)!r}")
            self.name = filename or self.path.name
            cap = max_vector_file_bytes() if role == "vector file" else MAX_TEXT_FILE_BYTES
            self.f = open_regular(self.path, role=role, max_bytes=cap, name=self.name,
                                  error=lambda msg: EmbeddingFormatError(msg))
            self._own = True
        elif hasattr(source, "read"):
            self.f = source
            self.name = filename or os.path.basename(str(getattr(source, "name", "") or "")) or "uploaded file"
        elif isinstance(source, (bytes, bytearray, memoryview)):
            self.f = io.BytesIO(bytes(source))
            self.name = filename or "bytes"
        else:
            raise invalid("source", source, "a path, bytes or a binary file-like object")
        self.size: int | None = None
        self._pushback = b""
        self.blank_lines = 0     # leading blank lines skipped by skip_blank_lines()
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

    def skip_blank_lines(self) -> int:
        """Skip the blank lines at the start (one chunk in memory at a time); returns how many."""
        n = 0
        while True:
            data = self.read(_SNIFF_BYTES)
            if not data:
                break
            rest = data.lstrip(_WHITESPACE)
            if rest:
                start = len(data) - len(rest)
                line_start = data.rfind(b"\n", 0, start) + 1
                n += data.count(b"\n", 0, line_start)
                self._pushback = data[line_start:] + self._pushback
                break
            n += data.count(b"\n")
        self.blank_lines += n
        return n

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


def _is_number(s) -> bool:
    try:
        float(s)
    except (ValueError, TypeError):
        return False
    return True


def _decode_line(raw: bytes, ln: int, inp: _Input) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _error(f"not UTF-8 text: byte 0x{raw[e.start]:02x} at column {e.start + 1} cannot be decoded "
                     f"({e.reason}); save the file as UTF-8", inp, line=ln) from None



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
        if len(buf) > _SNIFF_BYTES and b"\n" not in buf:
            raise _error("the first line is longer than 64 KB; a header line '<rows> <dim>' is expected", inp,
                         line=1)
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



def _read_text_lines(source, filename: str | None, role: str) -> tuple[list[str], str]:
    inp = _Input(source, filename, role=role)
    try:
        want = MAX_TEXT_FILE_BYTES + 1 if inp.size is None else min(max(inp.size, 0), MAX_TEXT_FILE_BYTES) + 1
        data = inp.read(want)
    finally:
        inp.close()
    if len(data) > MAX_TEXT_FILE_BYTES:
        raise _error(f"the {role} is larger than {mb(MAX_TEXT_FILE_BYTES)}, the limit", inp)
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
