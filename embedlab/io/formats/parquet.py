"""Parquet and Arrow IPC / Feather tables: an embedding column (a list or fixed-size list of numbers)
plus a label column and any other columns, which become the set's metadata.

Columns are chosen by name or detected:

* the **vector column** is the one named ``embedding``/``embeddings``/``vector``/``vectors``/``emb``
  (any case) among the list-of-number columns, else the only such column;
* the **label column** is the one named ``label``/``text``/``token``/``word``/``name`` (any case)
  among the text (or integer) columns, else the first text column, else the row numbers.

The table is read in record batches into one preallocated float32 array (Parquet through
``ParquetFile.iter_batches``; Arrow files are memory-mapped or read from the upload's bytes without
a copy), so the peak memory stays near the final array's. Every problem names the row (1-based,
counting from the first row of the table): ragged or null vectors, null values in a vector, NaN or
infinite values, null, empty or repeated labels (labels are never renamed silently).

>>> import io, pyarrow as pa, pyarrow.parquet as pq
>>> buf = io.BytesIO()
>>> pq.write_table(pa.table({"word": ["cat", "dog"], "emb": [[1.0, 0.0], [0.0, 1.0]], "n": [3, 5]}), buf)
>>> tokens, arr, meta, info = read_table_bytes(buf.getvalue())
>>> tokens, arr.tolist(), meta, info["vector_column"], info["label_column"]
(['cat', 'dog'], [[1.0, 0.0], [0.0, 1.0]], {'n': (3, 5)}, 'emb', 'word')
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np

from ...core.errors import EmbeddingFormatError
from ._input import MAX_DIM, MAX_ROWS, _Input, _Progress

logger = logging.getLogger(__name__)

__all__ = ["TABLE_FORMATS", "TableColumns", "table_format", "table_columns", "read_table_bytes"]

TABLE_FORMATS = ("parquet", "arrow")
"""Table formats :func:`~embedlab.io.formats.read_vectors` reads besides :data:`FORMATS`: Parquet, and
Arrow IPC (the file format, which Feather v2 is, and the stream format)."""

VECTOR_NAMES = ("embedding", "embeddings", "vector", "vectors", "emb")
LABEL_NAMES = ("label", "text", "token", "word", "name")
_BATCH_BYTES = 1 << 20
"""Vector values (as float32) per record batch: Arrow's Parquet reader holds ~7x a batch's values at
its peak (measured: 7.5 MB for 1 MB batches at 200k x 64), so batches stay small."""


def table_format(head: bytes) -> str | None:
    """``"parquet"`` or ``"arrow"`` if the first bytes are those of a Parquet or Arrow IPC file, else None.

    >>> table_format(b"PAR1..."), table_format(b"ARROW1\\x00\\x00"), table_format(b"king 1 2")
    ('parquet', 'arrow', None)
    """
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1") or head.startswith(b"\xff\xff\xff\xff"):
        return "arrow"
    return None


def _err(msg: str, name: str, row: int | None = None) -> EmbeddingFormatError:
    err = EmbeddingFormatError(msg, path=name)
    err.line = row
    return err


# -- opening: a Parquet reader or a list of Arrow record batches, without copying the bytes ------------
class _Table:
    """A table source: its schema, row count and record batches (of the chosen columns)."""

    def __init__(self, inp: _Input, fmt: str):
        import pyarrow as pa

        self.name, self.fmt = inp.name, fmt
        try:
            if inp.path is not None:
                # memory-mapped: Arrow then reads pages in place. Through pa.OSFile the Parquet reader held
                # every column chunk it had read (244 MB of Arrow memory at 200k x 300, measured), mapped 9.6 MB
                buf = pa.memory_map(str(inp.path), "r")
            elif isinstance(inp.f, io.BytesIO) and inp.rewind():
                # getvalue(), not getbuffer(): a BytesIO made from bytes (an upload) shares them until
                # getbuffer() makes it copy them (1.2 GB at 1M x 300); getvalue() hands out the same bytes
                buf = pa.BufferReader(pa.py_buffer(inp.f.getvalue()).slice(inp.start))
            else:
                inp.rewind()
                buf = pa.BufferReader(pa.py_buffer(inp._pushback + inp._read_raw(-1)))
            if fmt == "parquet":
                import pyarrow.parquet as pq

                self._pq = pq.ParquetFile(buf)
                self.schema = self._pq.schema_arrow
                self.rows = int(self._pq.metadata.num_rows)
            else:
                self._pq = None
                if buf.read(6) == b"ARROW1":
                    buf.seek(0)
                    reader = pa.ipc.open_file(buf)
                    self._batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]
                else:
                    buf.seek(0)
                    reader = pa.ipc.open_stream(buf)
                    self._batches = list(reader)
                self.schema = reader.schema
                self.rows = sum(b.num_rows for b in self._batches)
        except (pa.ArrowException, OSError, ValueError, IndexError, TypeError) as e:
            raise _err(f"not a readable {'Parquet' if fmt == 'parquet' else 'Arrow IPC / Feather'} file "
                       f"({' '.join(str(e).split())[:200]})", self.name) from None

    def first_vector(self, column: str):
        """The first row's vector (a list, or None), read alone."""
        if self._pq is not None:
            batch = next(self._pq.iter_batches(batch_size=1, columns=[column], use_threads=False), None)
        else:
            batch = next((b for b in self._batches if b.num_rows), None)
        return None if batch is None or batch.num_rows == 0 else batch.column(column).slice(0, 1).to_pylist()[0]

    def batches(self, columns: list[str], batch_size: int):
        """Record batches of at most ``batch_size`` rows (larger Arrow batches are sliced, without copies)."""
        import pyarrow as pa

        try:
            if self._pq is not None:
                yield from self._pq.iter_batches(batch_size=batch_size, columns=columns, use_threads=False)
            else:
                for b in self._batches:
                    b = b.select(columns)
                    for s in range(0, b.num_rows, batch_size):
                        yield b.slice(s, batch_size)
        except (pa.ArrowException, OSError, ValueError) as e:
            raise _err(f"the table cannot be read ({' '.join(str(e).split())[:200]})", self.name) from None


def _is_vector_type(t) -> bool:
    import pyarrow.types as pt

    return ((pt.is_list(t) or pt.is_large_list(t) or pt.is_fixed_size_list(t))
            and (pt.is_floating(t.value_type) or pt.is_integer(t.value_type)))


def _is_list_type(t) -> bool:
    import pyarrow.types as pt

    return pt.is_list(t) or pt.is_large_list(t) or pt.is_fixed_size_list(t)


def _is_label_type(t) -> bool:
    import pyarrow.types as pt

    if pt.is_dictionary(t):
        t = t.value_type
    return pt.is_string(t) or pt.is_large_string(t) or pt.is_integer(t) or getattr(pt, "is_string_view", lambda _: False)(t)


def _is_text_type(t) -> bool:
    import pyarrow.types as pt

    if pt.is_dictionary(t):
        t = t.value_type
    return pt.is_string(t) or pt.is_large_string(t) or getattr(pt, "is_string_view", lambda _: False)(t)


def _is_meta_type(t) -> bool:
    import pyarrow.types as pt

    if pt.is_dictionary(t):
        t = t.value_type
    return (pt.is_integer(t) or pt.is_floating(t) or pt.is_boolean(t) or _is_text_type(t) or pt.is_temporal(t)
            or pt.is_decimal(t))


@dataclass(frozen=True)
class TableColumns:
    """The columns of a table file, for a column picker.

    Attributes
    ----------
    format : str
        One of :data:`TABLE_FORMATS`.
    rows : int
    vector_columns : tuple of str
        Columns holding lists of numbers (candidates for the vectors).
    label_columns : tuple of str
        Text and integer columns (candidates for the labels), text columns first.
    vector_default, label_default : str or None
        The detected choice (``label_default`` None: the row numbers are the labels; ``vector_default``
        None: several list columns and none has a known name).
    """

    format: str
    rows: int
    vector_columns: tuple[str, ...]
    label_columns: tuple[str, ...]
    vector_default: str | None
    label_default: str | None

    @property
    def needs_choice(self) -> bool:
        """True if there is more than one candidate for the vector or the label column."""
        return len(self.vector_columns) > 1 or len(self.label_columns) > 1


def _data_columns(table: _Table) -> list[str]:
    """The table's column names, without the index pandas may store (``__index_level_0__``...)."""
    return [n for n in table.schema.names if not n.startswith("__index_level_")]


def _columns(table: _Table) -> TableColumns:
    names = _data_columns(table)
    types = {n: table.schema.field(n).type for n in names}
    vecs = tuple(n for n in names if _is_vector_type(types[n]))
    texts = [n for n in names if _is_text_type(types[n])]
    labels = tuple(texts + [n for n in names if _is_label_type(types[n]) and n not in texts])
    vdef = next((n for k in VECTOR_NAMES for n in vecs if n.strip().lower() == k), None)
    if vdef is None and len(vecs) == 1:
        vdef = vecs[0]
    ldef = next((n for k in LABEL_NAMES for n in labels if n.strip().lower() == k), None)
    if ldef is None and texts:
        ldef = texts[0]
    return TableColumns(table.fmt, table.rows, vecs, labels, vdef, ldef)


def table_columns(source, *, filename: str | None = None) -> TableColumns:
    """The vector and label column candidates of a Parquet or Arrow file, with the detected defaults.

    Parameters
    ----------
    source : str, Path, bytes or binary file-like
        A file-like object is left where it was.
    filename : str, optional
        Name for messages.

    Returns
    -------
    TableColumns

    Raises
    ------
    EmbeddingFormatError
        Not a Parquet or Arrow file, or unreadable.

    >>> import io, pyarrow as pa, pyarrow.parquet as pq
    >>> buf = io.BytesIO()
    >>> pq.write_table(pa.table({"id": [1], "title": ["a"], "a": [[1.0]], "b": [[2.0]]}), buf)
    >>> c = table_columns(buf.getvalue())
    >>> c.vector_columns, c.label_columns, c.vector_default, c.label_default, c.needs_choice
    (('a', 'b'), ('title', 'id'), None, 'title', True)
    """
    inp = _Input(source, filename)
    try:
        fmt = table_format(inp.head(8))
        if fmt is None:
            raise _err("not a Parquet or Arrow IPC / Feather file", inp.name)
        return _columns(_Table(inp, fmt))
    finally:
        if not inp._own and inp.size is not None:
            inp.f.seek(inp.start)
        inp.close()


# -- reading --------------------------------------------------------------------------------------
def _pick(kind: str, given: str | None, default: str | None, candidates: tuple, names: list, types: dict,
          table: _Table, option: str):
    if given is not None:
        if given not in names:
            raise _err(f"no column {given!r}; the columns are: {', '.join(map(repr, names))}", table.name)
        return given
    if default is not None:
        return default
    if kind == "vector":
        if candidates:
            raise _err(f"several columns hold lists of numbers ({', '.join(map(repr, candidates))}) and none is "
                       f"named {'/'.join(VECTOR_NAMES)}: choose one with {option}", table.name)
        lists = [n for n in names if _is_list_type(types[n])]
        if lists:
            t = types[lists[0]]
            raise _err(f"column {lists[0]!r} holds lists of {t.value_type}, not numbers (row 1); the vectors "
                       "must be lists of floats", table.name, 1)
        texts = [n for n in names if _is_text_type(types[n])]
        hint = (f" (is column {texts[0]!r} a vector written as text? store it as a list of floats)"
                if texts else "")
        raise _err(f"no column holds lists of numbers (the vectors){hint}; the columns are: "
                   f"{', '.join(f'{n!r} ({types[n]})' for n in names)}", table.name)
    return None


def _meta_value_fn(t):
    """A function from a batch's column to its Python values (NaN as None; dates, decimals as text)."""
    import pyarrow.types as pt

    vt = t.value_type if pt.is_dictionary(t) else t
    if pt.is_floating(vt):
        def floats(col):
            if col.null_count == 0 and not pt.is_dictionary(col.type):
                vals = col.to_numpy(zero_copy_only=False).astype(np.float64)
                return [None if v != v else v for v in vals.tolist()]
            return [None if v is None or v != v else float(v) for v in col.to_pylist()]
        return floats
    if (pt.is_integer(vt) or pt.is_boolean(vt)) and not pt.is_dictionary(t):
        return lambda col: col.to_numpy(zero_copy_only=False).tolist() if col.null_count == 0 else col.to_pylist()
    if pt.is_integer(vt) or pt.is_boolean(vt) or _is_text_type(vt):
        return lambda col: col.to_pylist()
    return lambda col: [None if v is None else str(v) for v in col.to_pylist()]


def _add_labels(labels: list, col, start: int, name: str, column: str) -> None:
    """Append a batch's labels, naming the first row with a null or empty label."""
    import pyarrow.types as pt

    if col.null_count:
        i = int(np.flatnonzero(np.asarray(col.is_null()))[0])
        raise _err(f"row {start + i + 1:,} has no label (null in column {column!r})", name, start + i + 1)
    new = col.to_pylist()
    t = col.type.value_type if pt.is_dictionary(col.type) else col.type
    if not _is_text_type(t):
        new = [str(v) for v in new]
    for i, lab in enumerate(new):
        if not lab or lab.isspace():
            raise _err(f"row {start + i + 1:,} has an empty label in column {column!r}", name, start + i + 1)
    labels.extend(new)


def _vector_rows(col, dim: int, start: int, name: str, column: str, labels: list) -> np.ndarray:
    """A batch's vector column as an (m, dim) numeric array, after every check that names a row."""
    import pyarrow as pa
    import pyarrow.types as pt

    m = len(col)

    def where(i: int) -> str:
        lab = labels[start + i] if start + i < len(labels) else None
        return f"row {start + i + 1:,}" + (f" ({lab!r})" if lab is not None else "")

    if col.null_count:
        i = int(np.flatnonzero(np.asarray(col.is_null()))[0])
        raise _err(f"{where(i)} has no vector (null in column {column!r})", name, start + i + 1)
    if pt.is_fixed_size_list(col.type):
        if col.type.list_size != dim:
            raise _err(f"{where(0)}: the vector has {col.type.list_size} values, the first row has {dim}",
                       name, start + 1)
        values = col.values[col.offset * dim:(col.offset + m) * dim]
        offsets = None
    else:
        offsets = np.asarray(col.offsets)
        lengths = np.diff(offsets)
        bad = np.flatnonzero(lengths != dim)
        if bad.size:
            i = int(bad[0])
            raise _err(f"{where(i)}: the vector has {int(lengths[i])} values, the first row has {dim} "
                       "(every vector must have the same length)", name, start + i + 1)
        values = col.values[int(offsets[0]):int(offsets[-1])]
    if values.null_count:
        j = int(np.flatnonzero(np.asarray(values.is_null()))[0])
        i = j // dim
        raise _err(f"{where(i)}: value {j % dim + 1} of the vector is null", name, start + i + 1)
    if isinstance(values, pa.ChunkedArray):   # pragma: no cover - a batch's column is one array
        values = values.combine_chunks()
    return values.to_numpy(zero_copy_only=False).reshape(m, dim)


_VECTOR_OPTION = "vector_column= (--vector-column in the CLI, the column picker in the app)"
_LABEL_OPTION = "label_column= (--label-column)"


def _read(table: _Table, vector_column: str | None, label_column: str | None, progress: _Progress):
    names = _data_columns(table)
    types = {n: table.schema.field(n).type for n in names}
    cols = _columns(table)
    vcol = _pick("vector", vector_column, cols.vector_default, cols.vector_columns, names, types, table,
                 _VECTOR_OPTION)
    if not _is_vector_type(types[vcol]):
        raise _err(f"column {vcol!r} holds {types[vcol]}, not lists of numbers (row 1); the vectors must be "
                   "lists of floats", table.name, 1)
    lcol = _pick("label", label_column, cols.label_default, cols.label_columns, names, types, table, _LABEL_OPTION)
    if lcol == vcol:
        raise _err(f"column {vcol!r} cannot be both the vectors and the labels", table.name)
    if lcol is not None and not _is_label_type(types[lcol]):
        raise _err(f"column {lcol!r} holds {types[lcol]}; labels must be text or whole numbers", table.name)
    n = table.rows
    if n < 1:
        raise _err("the table has no rows", table.name)
    if n > MAX_ROWS:
        raise _err(f"the table has {n:,} rows, more than the limit of {MAX_ROWS:,}", table.name)
    meta_cols = [c for c in names if c not in (vcol, lcol) and _is_meta_type(types[c])]
    skipped = [c for c in names if c not in (vcol, lcol) and c not in meta_cols]
    conv = {c: _meta_value_fn(types[c]) for c in meta_cols}
    vtype = types[vcol]
    if hasattr(vtype, "list_size"):
        dim = int(vtype.list_size)
    else:
        first = table.first_vector(vcol)
        if first is None:
            raise _err(f"row 1 has no vector (null in column {vcol!r})", table.name, 1)
        dim = len(first)
    if dim < 1 or dim > MAX_DIM:
        raise _err(f"row 1: the vector has {dim:,} values; 1 to {MAX_DIM:,} are allowed", table.name, 1)
    arr = np.empty((n, dim), dtype=np.float32)
    labels: list = []
    meta: dict[str, list] = {c: [] for c in meta_cols}
    start = 0
    for batch in table.batches([vcol] + ([lcol] if lcol else []) + meta_cols, max(256, _BATCH_BYTES // (4 * dim))):
        m = batch.num_rows
        if m == 0:
            continue
        if start + m > n:
            raise _err(f"the table holds more rows than its header announces ({n:,})", table.name)
        if lcol is not None:
            _add_labels(labels, batch.column(lcol), start, table.name, lcol)
        block = _vector_rows(batch.column(vcol), dim, start, table.name, vcol, labels)
        with np.errstate(all="ignore"):
            arr[start:start + m] = block
        del block
        finite = np.isfinite(arr[start:start + m]).all(axis=1)
        if not finite.all():
            i = int(np.flatnonzero(~finite)[0])
            lab = f" ({labels[start + i]!r})" if lcol is not None else ""
            raise _err(f"row {start + i + 1:,}{lab} has NaN or infinite values (or values too large for float32); "
                       "vectors must be finite", table.name, start + i + 1)
        for c in meta_cols:
            meta[c].extend(conv[c](batch.column(c)))
        start += m
        progress(min(0.999, start / n))
    if start != n:
        raise _err(f"the table announces {n:,} rows but holds {start:,}", table.name)
    if lcol is not None and len(set(labels)) != n:
        first_row: dict = {}
        for r, lab in enumerate(labels):
            prev = first_row.setdefault(lab, r)
            if prev != r:
                raise _err(f"label {lab!r} appears at rows {prev + 1:,} and {r + 1:,}; labels must be unique "
                           f"(choose another label column with {_LABEL_OPTION}, or make them unique)",
                           table.name, r + 1)
    tokens = labels if lcol is not None else [str(i) for i in range(n)]
    info = {"vector_column": vcol, "label_column": lcol, "skipped_columns": tuple(skipped)}
    if skipped:
        logger.info("%s: columns left out of the metadata (not single values): %s", table.name, skipped)
    return tokens, arr, {c: tuple(v) for c, v in meta.items()}, info


def _read_table(inp: _Input, fmt: str, progress: _Progress, *, vector_column: str | None = None,
                label_column: str | None = None):
    """Tokens, the (n, dim) float32 array, metadata columns and what was chosen (for read_vectors)."""
    return _read(_Table(inp, fmt), vector_column, label_column, progress)


def read_table_bytes(data: bytes, *, vector_column: str | None = None, label_column: str | None = None,
                     filename: str = "table"):
    """Read a Parquet / Arrow table held in memory: ``(tokens, vectors, meta, info)``.

    ``info`` names the ``vector_column`` and ``label_column`` used (None: row numbers) and the
    ``skipped_columns`` (lists, structs: not single values). See the module docstring for the rules;
    :func:`embedlab.io.formats.read_vectors` is the usual way in.
    """
    inp = _Input(data, filename)
    fmt = table_format(inp.head(8))
    if fmt is None:
        raise _err("not a Parquet or Arrow IPC / Feather file", inp.name)
    return _read_table(inp, fmt, _Progress(None, None), vector_column=vector_column, label_column=label_column)
