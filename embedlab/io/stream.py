"""Uploaded text read in bounded pieces, never decoded or split all at once.

:func:`read_pieces` decodes chunks of bytes (an upload held in memory, or a zip member decompressed
chunk by chunk) by the policy of :func:`embedlab.io.text.decode_text` (UTF-8, a UTF-8 or UTF-16
byte-order mark honoured, else Windows-1252; NUL bytes or many control characters refused) and hands
a consumer pieces of text that end at a line break (``\\n``, ``\\r\\n`` or a lone ``\\r``). A piece
holds at most :data:`CHUNK_BYTES` of input plus one line, and no line is longer than
``max_line_chars``: a longer line is cut at its last space before the limit (corpora: one endless
line of words becomes pieces) or refused with a one-line message naming the limit (CSV). So the
memory used while reading is a few chunks, whatever the line lengths, on top of what the consumer
keeps.

The consumer reads the pieces as an iterator; when the bytes turn out not to be UTF-8 it is called
a second time with the Windows-1252 decoding, after ``restart()``, and must start over.

>>> out = []
>>> read_pieces(lambda: iter([b"one two\\nthr", b"ee\\r\\nfour"]), name="t.txt", consume=out.extend)
'utf-8'
>>> out
['one two\\n', 'three\\r\\n', 'four']
>>> out = []
>>> read_pieces(lambda: iter([b"aaa bbb ccc"]), name="t.txt", consume=out.extend, max_line_chars=5)
'utf-8'
>>> out
['aaa ', 'bbb ', 'ccc']
"""
from __future__ import annotations

import codecs
import re
from typing import Callable, Iterable, Iterator

from ..core.errors import CorpusError
from .text import FALLBACK_ENCODING, _BOMS, _check_not_binary

__all__ = ["CHUNK_BYTES", "MAX_LINE_CHARS", "read_pieces", "chunks_of", "str_pieces"]

CHUNK_BYTES = 1 << 20          #: bytes decoded at a time
MAX_LINE_CHARS = 1 << 16       #: longest line handed on by default (longer: cut at a space, or refused)
_SPACE_BEFORE_END = re.compile(r"\s\S*\Z")


class _NotUtf8(Exception):
    def __init__(self, offset: int, byte: int):
        super().__init__(offset)
        self.offset, self.byte = offset, byte


def chunks_of(data: bytes, size: int = CHUNK_BYTES) -> Callable[[], Iterator[bytes]]:
    """A chunk source over bytes held in memory (each call starts again at the beginning).

    >>> list(chunks_of(b"abcde", 2)())
    [b'ab', b'cd', b'e']
    """
    view = memoryview(data)
    return lambda: (bytes(view[i:i + size]) for i in range(0, len(view), size))


def _lines_in(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


class _Cutter:
    """Turns decoded text (fed in slices of at most ``max_line_chars``) into pieces that end at line
    breaks, no line longer than ``max_line_chars``."""

    def __init__(self, name: str, max_line_chars: int, split_long: bool):
        self.name, self.max, self.split_long = name, max_line_chars, split_long
        self.partial = ""          # the current line so far: no line break in it
        self.carry = ""            # a trailing "\r" held back: a "\n" may follow in the next slice
        self.line = 1              # line number of the start of ``partial``
        self.seen_text = False

    def _cut_long(self) -> Iterator[str]:
        """Pieces of the current line while it is longer than the limit, each cut after a space."""
        while len(self.partial) > self.max:
            if not self.split_long:
                raise CorpusError(f"{self.name}: line {self.line:,} is longer than {self.max:,} characters, "
                                  "the limit for one line")
            m = _SPACE_BEFORE_END.search(self.partial, 0, self.max + 1)
            if m is None:
                raise CorpusError(f"{self.name}: line {self.line:,} has more than {self.max:,} characters "
                                  "without a space, the limit for one word")
            yield self.partial[:m.start() + 1]
            self.partial = self.partial[m.start() + 1:]

    def feed(self, text: str, final: bool = False) -> Iterator[str]:
        text, self.carry = self.carry + text, ""
        if text.endswith("\r") and not final:
            text, self.carry = text[:-1], "\r"
        if not self.seen_text and text and not text.isspace():
            self.seen_text = True
        last = max(text.rfind("\n"), text.rfind("\r"))
        if last < 0:                                   # no line break: the current line goes on
            self.partial += text
            yield from self._cut_long()
        else:
            first = min(i for i in (text.find("\n"), text.find("\r")) if i >= 0)
            if len(self.partial) + first > self.max:   # the current line ends here, too long
                self.partial += text[:first]
                yield from self._cut_long()
                text, last = text[first:], last - first
            piece = self.partial + text[:last + 1]     # lines inside one slice are no longer than it
            self.partial = text[last + 1:]
            self.line += _lines_in(piece)
            yield piece
            yield from self._cut_long()
        if final and self.partial:
            yield self.partial
            self.partial = ""


def _fed(cutter: _Cutter, text: str, final: bool) -> Iterator[str]:
    for i in range(0, len(text), cutter.max):
        yield from cutter.feed(text[i:i + cutter.max])
    if final:
        yield from cutter.feed("", final=True)


def str_pieces(text: str, *, name: str = "the text", max_line_chars: int = MAX_LINE_CHARS,
               split_long: bool = True) -> Iterator[str]:
    """Text already decoded (pasted text, a CSV cell) in the pieces :func:`read_pieces` hands on.

    >>> list(str_pieces("ab cd\\ref", max_line_chars=3))
    ['ab ', 'cd\\r', 'ef']
    """
    cutter = _Cutter(name, max_line_chars, split_long)
    return _fed(cutter, text, True)


def _decoded(open_chunks: Callable[[], Iterable[bytes]], encoding: str, nul_ok: bool, name: str,
             cutter: _Cutter) -> Iterator[str]:
    dec = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    first = True
    for chunk in open_chunks():
        if not nul_ok and b"\x00" in chunk:
            raise CorpusError(f"{name} looks like a binary file (it contains NUL bytes); a plain text file is "
                              "needed (UTF-16 text needs a byte-order mark)")
        try:
            text = dec.decode(chunk)
        except UnicodeDecodeError as exc:
            raise _NotUtf8(offset + exc.start, chunk[exc.start]) from None
        offset += len(chunk)
        if first and text:
            _check_not_binary(text, name)
            first = False
        yield from _fed(cutter, text, False)
    try:
        tail = dec.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _NotUtf8(offset + exc.start, 0) from None
    yield from _fed(cutter, tail, True)


def read_pieces(open_chunks: Callable[[], Iterable[bytes]], *, name: str, consume: Callable[[Iterator[str]], object],
                restart: Callable[[], object] | None = None, max_line_chars: int = MAX_LINE_CHARS,
                split_long: bool = True) -> str:
    """Decode chunks of bytes and hand them to ``consume`` as pieces ending at line breaks.

    Parameters
    ----------
    open_chunks : callable
        Returns an iterable of ``bytes`` chunks from the start (called again for a second decoding).
    name : str
        For messages.
    consume : callable
        Called with an iterator of the pieces (see the module notes); it should read them all.
    restart : callable, optional
        Called before the second decoding (Windows-1252), so the consumer can drop what it kept.
    max_line_chars : int
        Longest line handed on.
    split_long : bool
        Cut a longer line after a space (True) or refuse it (False).

    Returns
    -------
    str
        The encoding used (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"`` or ``"cp1252"``).

    Raises
    ------
    CorpusError
        Empty, binary, undecodable, a line over the limit (or a word over it), or what ``consume`` raises.
    """
    head = next(iter(open_chunks()), b"")
    encodings: tuple[str, ...] = ("utf-8", FALLBACK_ENCODING)
    nul_ok = False
    for bom, enc in _BOMS:
        if head.startswith(bom):
            encodings, nul_ok = (enc,), enc == "utf-16"
            break
    if not head:
        raise CorpusError(f"{name} is empty: there is no text in it")
    first_error: _NotUtf8 | None = None
    for enc in encodings:
        cutter = _Cutter(name, max_line_chars, split_long)
        if first_error is not None and restart is not None:
            restart()
        try:
            consume(_decoded(open_chunks, enc, nul_ok, name, cutter))
        except _NotUtf8 as exc:
            if len(encodings) > 1 and enc != FALLBACK_ENCODING:
                first_error = exc
                continue
            if first_error is not None:
                raise CorpusError(
                    f"{name} cannot be decoded: it is not UTF-8 (bad byte 0x{first_error.byte:02x} at "
                    f"{first_error.offset:,}) nor Windows-1252 (byte 0x{exc.byte:02x} at {exc.offset:,} is "
                    "undefined); save it as UTF-8 text") from None
            raise CorpusError(f"{name} starts with a {enc} byte-order mark but is not valid {enc} "
                              f"(byte {exc.offset:,})") from None
        if not cutter.seen_text:
            raise CorpusError(f"{name} is empty: there is no text in it")
        return enc
    raise AssertionError("unreachable")  # pragma: no cover
