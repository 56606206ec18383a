"""Writers: word2vec text and binary, the Projector TSV pair, ``.npy`` + vocabulary.

Every writer takes a path or an open stream for each file it writes: a binary stream
(``open(p, "wb")``, :class:`io.BytesIO`) takes any format; a text stream (``open(p, "w")``,
:class:`io.StringIO`) takes the text formats (word2vec text, the TSV files, the vocabulary).
A stream is written to and left open. :func:`export_bytes` gives one file's bytes directly,
for a download button.

>>> es = EmbeddingSet(["a", "b"], [[0.5, 1.0], [0.1, 2.0]])
>>> export_bytes(es, "word2vec-text")
b'2 2\\na 0.5 1\\nb 0.100000001 2\\n'
"""
from __future__ import annotations

import io
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ...core.embeddings import EmbeddingSet
from ...core.errors import InvalidParameterError
from ...core.validate import check_bool, check_choice, invalid
from .table_writer import write_table
from .projector import _metadata_name_for

__all__ = ["EXPORTS", "export_bytes", "write_word2vec", "write_projector_tsv", "write_npy", "write_vectors"]

EXPORTS = ("word2vec-text", "word2vec-binary", "projector-vectors", "projector-metadata", "npy", "vocab")
"""The files :func:`export_bytes` can give: word2vec text or binary, the Projector's ``vectors.tsv`` or
``metadata.tsv``, the ``.npy`` array or its vocabulary file."""

_FORBIDDEN_W2V = re.compile(r"[ \t\n\r\x0b\x0c]")
_FORBIDDEN_TSV = re.compile(r"[\t\n\r]")
_EXTENSIONS = (".txt, .vec (word2vec text), .bin (word2vec binary), .tsv (Projector), .npy (NumPy + vocabulary), "
               ".parquet, .arrow, .feather (tables with metadata)")


# --------------------------------------------------------------------------------------------
# where the bytes go
# --------------------------------------------------------------------------------------------
def _is_stream(target) -> bool:
    return hasattr(target, "write") and not isinstance(target, (str, os.PathLike))


@contextmanager
def _sink(target, name: str, *, text_ok: bool = True) -> Iterator[Callable[[bytes], object]]:
    """A ``put(bytes)`` function writing to a path (created or replaced) or to an open stream."""
    if _is_stream(target):
        if isinstance(target, io.TextIOBase):
            if not text_ok:
                raise invalid(name, target, "a path or a binary stream (opened with 'wb'): this format is binary")
            yield lambda data: target.write(data.decode("utf-8"))
        else:
            yield target.write
        return
    if not isinstance(target, (str, os.PathLike)):
        raise invalid(name, target, "a path or a writable stream")
    with open(target, "wb") as f:
        yield f.write


def _result(target):
    return target if _is_stream(target) else Path(target)


# --------------------------------------------------------------------------------------------
# checks and row formatting
# --------------------------------------------------------------------------------------------
def _check_tokens(es: EmbeddingSet, pattern: re.Pattern, what: str) -> None:
    bad = [t for t in es.tokens if t == "" or pattern.search(t)]
    if bad:
        raise InvalidParameterError(
            f"{len(bad)} tokens cannot be written as {what} (empty, or containing "
            f"{'whitespace' if pattern is _FORBIDDEN_W2V else 'tabs or line breaks'}): "
            f"{', '.join(repr(t) for t in bad[:5])}")


def _check_projector(es: EmbeddingSet) -> None:
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


def _check_lines(es: EmbeddingSet) -> None:
    bad = [t for t in es.tokens if t.strip() == "" or "\n" in t or "\r" in t]
    if bad:
        raise InvalidParameterError(f"{len(bad)} tokens cannot be written one per line (empty or containing a "
                                    f"line break): {', '.join(repr(t) for t in bad[:5])}")


def _format_rows(vectors: np.ndarray, sep: str, tokens=None, block: int = 2048):
    d = vectors.shape[1]
    fmt = ((("%s" + sep) if tokens is not None else "") + sep.join(["%.9g"] * d)) + "\n"
    for s in range(0, vectors.shape[0], block):
        rows = vectors[s:s + block].astype(np.float64).tolist()
        if tokens is not None:
            yield "".join(fmt % (tokens[s + i], *r) for i, r in enumerate(rows))
        else:
            yield "".join(fmt % tuple(r) for r in rows)


def _token_header(es: EmbeddingSet) -> str:
    return next(c for c in ("token", "word", "label", "name", "token_") if c not in es.meta)


# --------------------------------------------------------------------------------------------
# one file each (checks done by the caller)
# --------------------------------------------------------------------------------------------
def _put_word2vec(es: EmbeddingSet, put, binary: bool) -> None:
    n, d = es.vectors.shape
    put(f"{n} {d}\n".encode())
    if binary:
        le = es.vectors.astype("<f4", copy=False)
        for tok, row in zip(es.tokens, le):
            put(tok.encode("utf-8") + b" " + row.tobytes() + b"\n")
    else:
        for text in _format_rows(es.vectors, " ", es.tokens):
            put(text.encode("utf-8"))


def _put_projector_vectors(es: EmbeddingSet, put) -> None:
    for text in _format_rows(es.vectors, "\t"):
        put(text.encode("utf-8"))


def _put_projector_metadata(es: EmbeddingSet, put) -> None:
    if not es.meta:
        put("".join(t + "\n" for t in es.tokens).encode("utf-8"))
        return
    cols = list(es.meta.items())
    put(("\t".join([_token_header(es)] + [str(k) for k, _ in cols]) + "\n").encode("utf-8"))
    for i, t in enumerate(es.tokens):
        vals = ["" if c[i] is None else str(c[i]) for _, c in cols]
        put(("\t".join([t] + vals) + "\n").encode("utf-8"))


class _Writer:
    """A file-like with only ``write``, for np.save (which then writes the array in 16 MB pieces)."""

    def __init__(self, put):
        self.write = put


def _put_npy(es: EmbeddingSet, put) -> None:
    np.save(_Writer(put), np.ascontiguousarray(es.vectors, dtype=np.float32), allow_pickle=False)


def _put_vocab(es: EmbeddingSet, put) -> None:
    put("".join(t + "\n" for t in es.tokens).encode("utf-8"))


# --------------------------------------------------------------------------------------------
# public writers
# --------------------------------------------------------------------------------------------
def write_word2vec(es: EmbeddingSet, path, *, binary: bool = False):
    """Write a set in word2vec format (text by default; ``binary=True`` for the C tool's binary format).

    Text values are written with 9 significant digits, so reading the file back gives the
    same float32 values exactly.

    Parameters
    ----------
    es : EmbeddingSet
    path : str, Path or writable stream
        A binary stream takes both forms; a text stream only ``binary=False``.
    binary : bool

    Returns
    -------
    Path or stream
        The path written (as a Path), or the stream given.

    Raises
    ------
    InvalidParameterError
        A token is empty or contains whitespace (word2vec files separate fields by spaces).

    >>> import tempfile, os
    >>> es = EmbeddingSet(["a", "b"], [[0.5, 1.0], [0.1, 2.0]])
    >>> p = write_word2vec(es, os.path.join(tempfile.mkdtemp(), "x.txt"))
    >>> p.read_text().splitlines()[:2]
    ['2 2', 'a 0.5 1']
    >>> from embedlab.io.formats import read_vectors
    >>> read_vectors(p).vectors.tolist() == es.vectors.tolist()
    True
    """
    binary = check_bool(binary, "binary")
    _check_tokens(es, _FORBIDDEN_W2V, "word2vec")
    with _sink(path, "path", text_ok=not binary) as put:
        _put_word2vec(es, put, binary)
    return _result(path)


def write_projector_tsv(es: EmbeddingSet, vectors_path, metadata_path=None) -> tuple:
    """Write the Embedding Projector pair: ``vectors.tsv`` (numbers only) and ``metadata.tsv``.

    By the Projector's rules, metadata with only the token column has no header line; with
    ``es.meta`` columns it has a header line (``token``, then the meta column names).

    Parameters
    ----------
    es : EmbeddingSet
    vectors_path : str, Path or writable stream
    metadata_path : str, Path or writable stream, optional
        Default: beside ``vectors_path`` (``vectors.tsv`` -> ``metadata.tsv``, ``x.tsv`` -> ``x_metadata.tsv``);
        needed when ``vectors_path`` is a stream.

    Returns
    -------
    (Path or stream, Path or stream)
        The vectors and metadata targets.

    Raises
    ------
    InvalidParameterError
        A token or metadata value is empty or contains a tab or a line break; ``vectors_path`` is a
        stream and ``metadata_path`` is not given.
    """
    if metadata_path is None:
        if _is_stream(vectors_path):
            raise invalid("metadata_path", None, "a path or a stream when vectors_path is a stream")
        metadata_path = Path(vectors_path).with_name(_metadata_name_for(Path(vectors_path)))
    _check_projector(es)
    with _sink(vectors_path, "vectors_path") as put:
        _put_projector_vectors(es, put)
    with _sink(metadata_path, "metadata_path") as put:
        _put_projector_metadata(es, put)
    return _result(vectors_path), _result(metadata_path)


def write_npy(es: EmbeddingSet, npy_path, vocab_path) -> tuple:
    """Write the vectors as a float32 ``.npy`` and the tokens one per line to ``vocab_path``.

    Parameters
    ----------
    es : EmbeddingSet
    npy_path : str, Path or binary stream
    vocab_path : str, Path or writable stream

    Returns
    -------
    (Path or stream, Path or stream)

    Raises
    ------
    InvalidParameterError
        A token is empty or contains a line break; ``npy_path`` is a text stream.
    """
    _check_lines(es)
    with _sink(npy_path, "npy_path", text_ok=False) as put:
        _put_npy(es, put)
    with _sink(vocab_path, "vocab_path") as put:
        _put_vocab(es, put)
    return _result(npy_path), _result(vocab_path)


def write_vectors(es: EmbeddingSet, path, *, format: str | None = None) -> list:
    """Write a set in the format its file extension names (or ``format``); returns the files written.

    ``.txt``/``.vec`` -> word2vec text, ``.bin`` -> word2vec binary, ``.tsv`` -> Projector
    vectors + metadata beside it, ``.npy`` -> array + ``<stem>.vocab.txt`` beside it,
    ``.parquet`` -> a Parquet table, ``.arrow``/``.feather`` -> an Arrow IPC file (token, vector and
    metadata columns: :func:`~embedlab.io.formats.parquet.write_table`).

    Parameters
    ----------
    es : EmbeddingSet
    path : str, Path or writable stream
        A stream needs ``format``, one of ``"word2vec-text"``, ``"word2vec-binary"`` (the two-file
        formats need two streams: :func:`write_projector_tsv`, :func:`write_npy`).
    format : str, optional
        ``"word2vec-text"``, ``"word2vec-binary"``, ``"projector-tsv"``, ``"npy"``, ``"parquet"`` or
        ``"arrow"``; overrides the extension.

    Raises
    ------
    InvalidParameterError
        Another extension, or tokens the format cannot hold.

    >>> buf = io.BytesIO()
    >>> _ = write_vectors(EmbeddingSet(["a"], [[1.0, 2.0]]), buf, format="word2vec-text")
    >>> buf.getvalue()
    b'1 2\\na 1 2\\n'
    """
    if _is_stream(path):
        fmt = check_choice(format, "format", ("word2vec-text", "word2vec-binary"))
        return [write_word2vec(es, path, binary=fmt == "word2vec-binary")]
    p = Path(path)
    if format is not None:
        fmt = check_choice(format, "format", ("word2vec-text", "word2vec-binary", "projector-tsv", "npy", "parquet",
                                              "arrow"))
    else:
        by_ext = {".txt": "word2vec-text", ".vec": "word2vec-text", ".bin": "word2vec-binary",
                  ".tsv": "projector-tsv", ".npy": "npy", ".parquet": "parquet", ".arrow": "arrow",
                  ".feather": "arrow"}
        ext = p.suffix.lower()
        if ext not in by_ext:
            raise invalid("extension", ext, f"one of: {_EXTENSIONS} (file {p.name!r})")
        fmt = by_ext[ext]
    if fmt in ("word2vec-text", "word2vec-binary"):
        return [write_word2vec(es, p, binary=fmt == "word2vec-binary")]
    if fmt == "projector-tsv":
        return list(write_projector_tsv(es, p))
    if fmt in ("parquet", "arrow"):
        return [write_table(es, p, format=fmt)]
    return list(write_npy(es, p, p.with_name(p.stem + ".vocab.txt")))


def export_bytes(es: EmbeddingSet, part: str) -> bytes:
    """The bytes of one exported file (for a download), exactly as the path writers write it.

    Parameters
    ----------
    es : EmbeddingSet
    part : str
        One of :data:`EXPORTS`.

    Raises
    ------
    InvalidParameterError
        Unknown ``part``, or tokens (or metadata) the format cannot hold.

    >>> export_bytes(EmbeddingSet(["a", "b"], [[1.0], [2.0]]), "vocab")
    b'a\\nb\\n'
    """
    part = check_choice(part, "part", EXPORTS)
    buf = io.BytesIO()
    if part in ("word2vec-text", "word2vec-binary"):
        write_word2vec(es, buf, binary=part == "word2vec-binary")
    elif part in ("projector-vectors", "projector-metadata"):
        _check_projector(es)
        (_put_projector_vectors if part == "projector-vectors" else _put_projector_metadata)(es, buf.write)
    else:
        _check_lines(es)
        (_put_npy if part == "npy" else _put_vocab)(es, buf.write)
    return buf.getvalue()
