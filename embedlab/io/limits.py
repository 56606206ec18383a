"""The size limits of the readers, and the one check that a path names a regular file of bounded size.

Every path the CLI or the app reads (vector files, corpora, analogy and word-pair files, vocabularies,
metadata, documents, lesson uploads) goes through :func:`open_regular` (or :func:`check_regular` when
only the size is needed): a folder, a named pipe (FIFO), a socket or a device such as ``/dev/zero``
is refused by what it is, before it is opened (opening a FIFO would wait for a writer forever), and a
file larger than the reader's cap is refused by its size. :class:`CappedReader` stops a file that
grows while it is read (a log being written, a file in ``/proc``) at the same cap.

Limits of the vector readers (the corpus and document limits are in :mod:`embedlab.io.corpus`,
:mod:`embedlab.io.archive`, :mod:`embedlab.io.text` and :mod:`embedlab.io.documents`; the README's
"Limits" section lists them all):

* :func:`max_vector_file_bytes`: largest vector file read from a path, ``EMBEDLAB_MAX_VECTOR_FILE_MB``
  (default :data:`DEFAULT_MAX_VECTOR_FILE_MB`); an upload is capped by Streamlit's ``server.maxUploadSize``.
* :data:`MAX_TEXT_FILE_BYTES`: largest analogy, word-pair, vocabulary or metadata file.
* :data:`MAX_EVAL_LINE_BYTES`: longest line of an analogy or word-pair file.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as d:
...     check_regular(d, role="corpus")
Traceback (most recent call last):
...
embedlab.core.errors.CorpusError: cannot read ...: it is a folder, not a file
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Callable

from ..core.errors import CorpusError, EmbedLabError

__all__ = ["DEFAULT_MAX_VECTOR_FILE_MB", "VECTOR_FILE_ENV", "MAX_TEXT_FILE_BYTES", "MAX_EVAL_LINE_BYTES",
           "max_vector_file_bytes", "check_regular", "open_regular", "CappedReader", "mb"]

VECTOR_FILE_ENV = "EMBEDLAB_MAX_VECTOR_FILE_MB"
DEFAULT_MAX_VECTOR_FILE_MB = 8192           #: 8 GB: GloVe 840B (5.6 GB) fits
MAX_TEXT_FILE_BYTES = 256 * 1024 * 1024     #: analogy / word-pair / vocabulary / metadata files
MAX_EVAL_LINE_BYTES = 64 * 1024             #: one line of an analogy or word-pair file

ErrorFactory = Callable[[str], EmbedLabError]


def mb(n: float) -> str:
    """Bytes in MB for messages.

    >>> mb(50 * 2**20), mb(1.5 * 2**20)
    ('50 MB', '1.5 MB')
    """
    v = n / 2**20
    return f"{v:,.0f} MB" if v >= 10 or v == int(v) else f"{v:,.1f} MB"


def max_vector_file_bytes() -> int:
    """The cap on a vector file read from a path: ``EMBEDLAB_MAX_VECTOR_FILE_MB`` (MB, at least 1) or 8 GB.

    >>> max_vector_file_bytes() == DEFAULT_MAX_VECTOR_FILE_MB * 2**20 or VECTOR_FILE_ENV in os.environ
    True
    """
    raw = os.environ.get(VECTOR_FILE_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_MAX_VECTOR_FILE_MB
    except ValueError:
        value = DEFAULT_MAX_VECTOR_FILE_MB
    return int(max(value, 1) * 2**20)


def _what(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a regular file"
    return "it is not a regular file"


def check_regular(path, *, role: str = "file", max_bytes: int | None = None, name: str | None = None,
                  error: ErrorFactory = CorpusError) -> int:
    """The size of ``path`` after checking, without opening it, that it is a regular file of at most ``max_bytes``.

    Parameters
    ----------
    path : str or Path
    role : str
        What the file is for, in the size message ("corpus", "vector file", ...).
    max_bytes : int, optional
        Larger files are refused.
    name : str, optional
        Shown in messages (default: the path as given).
    error : callable
        Makes the error raised from a one-line message (default :class:`~embedlab.core.errors.CorpusError`).

    Raises
    ------
    EmbedLabError (from ``error``)
        No such file, a folder, a FIFO, a socket or a device, unreadable, or larger than ``max_bytes``.
    """
    shown = name or str(path)
    try:
        st = os.stat(Path(path).expanduser())
    except FileNotFoundError:
        raise error(f"cannot read {shown}: no such file") from None
    except OSError as exc:
        raise error(f"cannot read {shown}: {exc.strerror or exc}") from None
    why = _what(st.st_mode)
    if why:
        raise error(f"cannot read {shown}: {why}")
    if max_bytes is not None and st.st_size > max_bytes:
        raise error(f"{shown} is {mb(st.st_size)}; the limit for a {role} is {mb(max_bytes)}")
    return st.st_size


def open_regular(path, *, role: str = "file", max_bytes: int | None = None, name: str | None = None,
                 error: ErrorFactory = CorpusError) -> BinaryIO:
    """Open a regular file for reading in binary mode, refused as :func:`check_regular` refuses.

    The file is opened without blocking (a FIFO put in its place after the check cannot hang the
    reader) and checked again once open. Reads past ``max_bytes`` raise (see :class:`CappedReader`).
    """
    check_regular(path, role=role, max_bytes=max_bytes, name=name, error=error)
    shown = name or str(path)
    try:
        fd = os.open(Path(path).expanduser(), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise error(f"cannot read {shown}: {exc.strerror or exc}") from None
    try:
        why = _what(os.fstat(fd).st_mode)
        if why:
            raise error(f"cannot read {shown}: {why}")
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    if max_bytes is None:
        return fh
    return CappedReader(fh, max_bytes, lambda: error(f"{shown} grew past {mb(max_bytes)} while being read; "
                                                     f"the limit for a {role} is {mb(max_bytes)}"))


class CappedReader:
    """A binary file that raises ``make_error()`` once more than ``max_bytes`` have been read from it.

    >>> import io
    >>> r = CappedReader(io.BytesIO(b"abcdef"), 4, lambda: CorpusError("too long"))
    >>> r.read(3), r.readline(10)
    Traceback (most recent call last):
    ...
    embedlab.core.errors.CorpusError: too long
    """

    def __init__(self, fh: BinaryIO, max_bytes: int, make_error: Callable[[], EmbedLabError]):
        self._fh, self._max, self._left, self._make_error = fh, max_bytes, max_bytes, make_error
        self.name = getattr(fh, "name", "")
        self.raw_file = fh       #: the file itself, for a reader that bounds what it reads on its own

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise self._make_error()
        return data

    def read(self, n: int = -1) -> bytes:
        return self._count(self._fh.read(self._left + 1 if n is None or n < 0 else min(n, self._left + 1)))

    def readline(self, limit: int = -1) -> bytes:
        cap = self._left + 1 if limit is None or limit < 0 else min(limit, self._left + 1)
        return self._count(self._fh.readline(cap))

    def __iter__(self):
        while line := self.readline():
            yield line

    def seekable(self) -> bool:
        return self._fh.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        pos = self._fh.seek(offset, whence)
        self._left = self._max - pos       # the cap counts from the start of the file
        return pos

    def tell(self) -> int:
        return self._fh.tell()

    def close(self) -> None:
        self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
