"""Read and write vector files: word2vec (text and binary), GloVe, fastText ``.vec``,
Embedding Projector TSV (+ ``metadata.tsv``), NumPy ``.npy`` + a vocabulary file, and Parquet /
Arrow IPC (Feather) tables with a vector column and metadata columns (:mod:`.parquet`).

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

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ...core.embeddings import EmbeddingSet
from ...core.errors import DuplicateTokenWarning, InvalidParameterError
from ...core.validate import check_choice
from ._input import FORMATS, MAX_DIM, MAX_ROWS, _error, _Input, _Progress
from .binary import _read_w2v_binary
from .detect import _detect, detect_format
from .npy import _read_npy, _read_vocab
from .parquet import TABLE_FORMATS, TableColumns, _read_table, table_columns
from .table_writer import table_bytes, write_table
from .projector import _beside, _metadata_name_for, _read_metadata
from .text import _read_text
from .writers import EXPORTS, export_bytes, write_npy, write_projector_tsv, write_vectors, write_word2vec

logger = logging.getLogger(__name__)

__all__ = ["FORMATS", "TABLE_FORMATS", "TableColumns", "table_columns", "write_table", "table_bytes", "MAX_DIM", "MAX_ROWS", "DuplicateTokenWarning", "ReadReport", "detect_format", "companion_role",
           "read_vectors", "read_vectors_report", "write_word2vec", "write_projector_tsv", "write_npy",
           "write_vectors", "export_bytes", "EXPORTS"]


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



def read_vectors_report(source, *, format: str | None = None, filename: str | None = None, vocab=None,
                        metadata=None, name: str | None = None,
                        progress: Callable[[float], object] | None = None, vector_column: str | None = None,
                        label_column: str | None = None) -> tuple[EmbeddingSet, ReadReport]:
    """Like :func:`read_vectors`, also returning a :class:`ReadReport` of what was found and skipped.

    >>> import io
    >>> es, rep = read_vectors_report(io.BytesIO(b"a 1 2\\n\\nb 3 4\\n"), filename="g.txt")
    >>> rep.format, rep.rows, rep.dim, rep.duplicates_dropped, rep.blank_lines_skipped
    ('glove', 2, 2, 0, 1)
    """
    if format is not None:
        format = check_choice(format, "format", FORMATS + TABLE_FORMATS)
    inp = _Input(source, filename)
    table_info: dict = {}
    meta: dict = {}
    prog = _Progress(progress, inp.size)
    try:
        inp.skip_blank_lines()
        head = inp.head()
        detected = _detect(head, inp, inp.name.lower())
        fmt = format or detected
        if format is not None and format != detected:
            logger.info("%s: reading as %s as asked (content looks like %s)", inp.name, format, detected)
        if fmt in TABLE_FORMATS or detected in TABLE_FORMATS:
            if fmt != detected:
                raise _error(f"this looks like a {detected} file, not {fmt}", inp)
            tokens, arr, meta, table_info = _read_table(inp, fmt, prog, vector_column=vector_column,
                                                        label_column=label_column)
            info = {"header": None, "blank": 0, "spaced": 0, "labelled": True}
        elif fmt == "npy":
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
    meta_cols: tuple = ()
    extra = ""
    if (vector_column is not None or label_column is not None) and not table_info:
        logger.info("%s: vector_column/label_column are only used for Parquet and Arrow files", inp.name)
    if table_info:
        token_column = table_info["label_column"] or "row numbers"
        meta_cols = tuple(meta)
        extra = (f", vectors from column {table_info['vector_column']!r}, "
                 + (f"labels from {token_column!r}" if table_info["label_column"] else "labels are row numbers"))
    elif fmt == "npy":
        vsrc = vocab
        if vsrc is None and inp.path is not None:
            vsrc = _beside(inp.path, inp.path.stem + ".vocab.txt", "vocab.txt")
        if vsrc is None:
            raise _error("a .npy file needs a vocabulary file with one token per line (row order): give it "
                         "too (vocab=..., --vocab, or the app's vocabulary upload; <name>.vocab.txt beside the "
                         "file is found by itself)", inp)
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
        given = "a vocabulary" if vocab is not None else "a metadata"
        raise _error(f"this is a {fmt} file, which names its own tokens: {given} file is only used with a "
                     f".npy array (its vocabulary) or a Projector vectors.tsv (its metadata.tsv)", inp)
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


def companion_role(filename: str) -> str:
    """Which :func:`read_vectors` argument a second file given with ``filename`` is: ``"vocab"`` for a
    ``.npy`` array, else ``"metadata"`` (a Projector vectors.tsv's metadata.tsv).

    >>> companion_role("emb.NPY"), companion_role("vectors.tsv")
    ('vocab', 'metadata')
    """
    return "vocab" if str(filename).lower().endswith(".npy") else "metadata"


def read_vectors(source, *, format: str | None = None, filename: str | None = None, vocab=None,
                 metadata=None, name: str | None = None,
                 progress: Callable[[float], object] | None = None, vector_column: str | None = None,
                 label_column: str | None = None) -> EmbeddingSet:
    """Read a vector file into an :class:`~embedlab.core.embeddings.EmbeddingSet`.

    Parameters
    ----------
    source : str, Path or binary file-like
        The vector file (a Streamlit upload works as is).
    format : str, optional
        One of :data:`FORMATS` or :data:`TABLE_FORMATS` (Parquet, Arrow IPC / Feather); None detects it
        from the content (the extension is only a hint).
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
    vector_column, label_column : str, optional
        For Parquet / Arrow tables: the column of vectors (lists of numbers) and of labels; default
        detected (see :mod:`embedlab.io.formats.parquet`). The other single-value columns become
        ``EmbeddingSet.meta``.

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
                                name=name, progress=progress, vector_column=vector_column,
                                label_column=label_column)
    return es
