"""The text files of an uploaded zip archive, read into memory (never extracted to disk) behind guards.

Refused: more than :data:`MAX_ZIP_MEMBERS` entries; a member with an absolute name, a ``..``
component or a NUL; nested folders (the files must be at the top or in one folder); archives whose
declared uncompressed size, or the bytes actually read out of them, exceed
:data:`MAX_UNCOMPRESSED_BYTES` (zip bombs). ``__MACOSX`` folders, hidden files and members that are
not text files (see :data:`TEXT_EXTENSIONS`) are skipped and listed. Members are decoded with
:func:`embedlab.io.text.decode_text`.

>>> import io, zipfile
>>> buf = io.BytesIO()
>>> with zipfile.ZipFile(buf, "w") as zf:
...     zf.writestr("a.txt", "one two"); zf.writestr("b.png", b"x")
>>> t = read_zip_texts(buf.getvalue(), name="c.zip")
>>> [(m.name, m.text, m.encoding) for m in t.members], t.skipped
([('a.txt', 'one two', 'utf-8')], ('b.png',))
"""
from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Callable, Iterator

from ..core.errors import CorpusError
from .text import decode_text

__all__ = ["ZipMember", "ZipTexts", "ZipTextFiles", "read_zip_texts", "open_zip_texts", "TEXT_EXTENSIONS", "MAX_UNCOMPRESSED_BYTES",
           "MAX_ZIP_MEMBERS"]

MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  #: most bytes read out of one zip archive, all members
MAX_ZIP_MEMBERS = 500                       #: most entries a zip archive may list
TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".text", ".cor")
_CHUNK = 1 << 16
_OPEN_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, IndexError, KeyError,
                NotImplementedError, RuntimeError, UnicodeDecodeError, zlib.error)
_READ_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error,
                lzma.LZMAError, KeyError, IndexError)


@dataclass(frozen=True)
class ZipMember:
    """One text file of an archive: its name in the archive, its text and the encoding it was decoded from."""

    name: str
    text: str
    encoding: str


@dataclass(frozen=True)
class ZipTexts:
    """The text files of an archive, in archive order, and the names of the members skipped."""

    members: tuple[ZipMember, ...]
    skipped: tuple[str, ...]


def _mb(n: float) -> str:
    return f"{n / 2**20:.0f} MB"


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


def _text_members(infos: list[zipfile.ZipInfo], name: str) -> tuple[list[zipfile.ZipInfo], list[str]]:
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
    return files, skipped


class ZipTextFiles:
    """The text members of an archive, checked by every guard but the read-size one, read lazily.

    Made by :func:`open_zip_texts`; a context manager. :meth:`members` yields each text member with
    a function that returns its bytes in chunks of 64 KB, counted against
    :data:`MAX_UNCOMPRESSED_BYTES` (all members together) as they are decompressed.
    """

    def __init__(self, zf: zipfile.ZipFile, files: list[zipfile.ZipInfo], skipped: list[str], name: str):
        self._zf, self._files, self.skipped, self.name = zf, files, tuple(skipped), name
        self._total = 0

    def members(self) -> Iterator[tuple[zipfile.ZipInfo, Callable[[], Iterator[bytes]]]]:
        for info in self._files:
            base = self._total
            yield info, lambda info=info, base=base: self._chunks(info, base)

    def _chunks(self, info: zipfile.ZipInfo, base: int) -> Iterator[bytes]:
        self._total = base        # a member read again (another decoding) is counted once
        try:
            with self._zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    self._total += len(chunk)
                    if self._total > MAX_UNCOMPRESSED_BYTES:
                        raise CorpusError(f"{self.name} unpacks to more than {_mb(MAX_UNCOMPRESSED_BYTES)} "
                                          "(more than it declares); refused")
                    yield chunk
        except CorpusError:
            raise
        except _READ_ERRORS as exc:
            raise CorpusError(f"{self.name}: cannot read member {info.filename!r}: {exc}") from None

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> "ZipTextFiles":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_zip_texts(data: bytes, *, name: str = "the archive") -> ZipTextFiles:
    """Open a zip archive held in memory and check its entries (count, names, folders, declared sizes).

    Raises
    ------
    CorpusError
        Not a zip, too many entries, an unsafe or nested member name, no text files, or more than
        :data:`MAX_UNCOMPRESSED_BYTES` declared.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except _OPEN_ERRORS as exc:
        raise CorpusError(f"{name} is not a readable zip archive: {exc}") from None
    try:
        if len(infos) > MAX_ZIP_MEMBERS:
            raise CorpusError(f"{name} lists {len(infos):,} entries; the limit is {MAX_ZIP_MEMBERS}")
        files, skipped = _text_members(infos, name)
        declared = sum(i.file_size for i in files)
        if declared > MAX_UNCOMPRESSED_BYTES:
            raise CorpusError(f"{name} would unpack to {declared / 2**20:,.1f} MB; the limit is "
                              f"{_mb(MAX_UNCOMPRESSED_BYTES)}")
    except BaseException:
        zf.close()
        raise
    return ZipTextFiles(zf, files, skipped, name)


def read_zip_texts(data: bytes, *, name: str = "the archive") -> ZipTexts:
    """Read and decode the text files of a zip archive held in memory (all of it: the corpus reader
    streams members with :func:`open_zip_texts` instead).

    Parameters
    ----------
    data : bytes
        The archive.
    name : str
        For messages; members are named ``<name>/<member>`` in decoding errors.

    Returns
    -------
    ZipTexts

    Raises
    ------
    CorpusError
        Not a zip, too many entries, an unsafe or nested member name, no text files, more than
        :data:`MAX_UNCOMPRESSED_BYTES` declared or read, an unreadable member, or a member that
        :func:`~embedlab.io.text.decode_text` refuses.
    """
    members = []
    with open_zip_texts(data, name=name) as texts:
        for info, chunks in texts.members():
            text, enc = decode_text(b"".join(chunks()), name=f"{name}/{info.filename}")
            members.append(ZipMember(info.filename, text, enc))
    return ZipTexts(tuple(members), texts.skipped)
