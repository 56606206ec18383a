"""Writing a set as a Parquet or Arrow IPC / Feather table (:mod:`.parquet` reads it back): a token
column, a vector column of fixed-size float32 lists, and one column per metadata column."""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from ...core.embeddings import EmbeddingSet
from ...core.validate import check_choice, invalid
from .parquet import TABLE_FORMATS

__all__ = ["write_table", "table_bytes"]


def _arrow_table(es: EmbeddingSet):
    import pyarrow as pa

    meta = es.meta
    token_name = next(c for c in ("token", "word", "label", "name", "token_") if c not in meta)
    vector_name = next(c for c in ("vector", "embedding", "vector_") if c not in meta and c != token_name)
    n, d = es.vectors.shape
    flat = pa.array(np.ascontiguousarray(es.vectors, dtype=np.float32).reshape(-1), type=pa.float32())
    columns = {token_name: pa.array(list(es.tokens), type=pa.string()),
               vector_name: pa.FixedSizeListArray.from_arrays(flat, d)}
    for key, col in meta.items():
        try:
            arr = pa.array(list(col))
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            arr = pa.array([None if v is None else str(v) for v in col], type=pa.string())
        if pa.types.is_null(arr.type):
            arr = arr.cast(pa.string())
        columns[str(key)] = arr
    return pa.table(columns)


def write_table(es: EmbeddingSet, target, *, format: str = "parquet"):
    """Write a set as a Parquet (or Arrow IPC / Feather) table: a ``token`` column, a ``vector`` column
    (fixed-size lists of float32) and one column per metadata column. :func:`read_vectors` reads it back.

    Parameters
    ----------
    es : EmbeddingSet
    target : str, Path or binary stream
    format : {"parquet", "arrow"}

    Returns
    -------
    Path or stream

    >>> import io
    >>> buf = io.BytesIO()
    >>> _ = write_table(EmbeddingSet(["a", "b"], [[1, 2], [3, 4]], meta={"n": [7, None]}), buf)
    >>> from embedlab.io.formats import read_vectors
    >>> es = read_vectors(io.BytesIO(buf.getvalue()))
    >>> es.tokens, es.vectors.tolist(), es.meta
    (('a', 'b'), [[1.0, 2.0], [3.0, 4.0]], {'n': (7, None)})
    """
    import pyarrow as pa

    format = check_choice(format, "format", TABLE_FORMATS)
    stream = hasattr(target, "write") and not isinstance(target, (str, os.PathLike))
    if not stream and not isinstance(target, (str, os.PathLike)):
        raise invalid("target", target, "a path or a binary stream")
    if isinstance(target, io.TextIOBase):
        raise invalid("target", target, "a path or a binary stream (opened with 'wb'): this format is binary")
    table = _arrow_table(es)
    sink = target if stream else str(Path(target))
    if format == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, sink, row_group_size=max(1024, (64 << 20) // (4 * max(es.dim, 1))))
    else:
        out = pa.PythonFile(target, mode="w") if stream else pa.OSFile(sink, "wb")
        with pa.ipc.new_file(out, table.schema) as w:
            w.write_table(table, max_chunksize=max(1024, (16 << 20) // (4 * max(es.dim, 1))))
        if not stream:
            out.close()
    return target if stream else Path(target)


def table_bytes(es: EmbeddingSet, format: str = "parquet") -> bytes:
    """The bytes :func:`write_table` writes (for a download button).

    >>> table_bytes(EmbeddingSet(["a"], [[1.0]]))[:4]
    b'PAR1'
    """
    buf = io.BytesIO()
    write_table(es, buf, format=format)
    return buf.getvalue()
