"""Tables to take home: a table of columns as Parquet bytes (pyarrow), for a download.

A Parquet file keeps each column's type (text stays text, coordinates stay float32), so a table written
here opens in pandas, polars, DuckDB or Arrow unchanged. Cells are stored as given: Parquet is read by
programs, not spreadsheets, so the formula guard of the CSV downloads is not needed here.

>>> import pyarrow.parquet as pq, io
>>> data = parquet_bytes({"token": ["king", "=1+1"], "x": np.array([0.5, -1.0], dtype=np.float32)})
>>> t = pq.read_table(io.BytesIO(data))
>>> t.column("token").to_pylist(), str(t.schema.field("x").type)
(['king', '=1+1'], 'float')
"""
from __future__ import annotations

import io
from typing import Mapping

import numpy as np

from ..core.validate import invalid

__all__ = ["parquet_bytes"]


def parquet_bytes(columns, *, metadata: Mapping[str, str] | None = None) -> bytes:
    """``columns`` as the bytes of one Parquet file.

    Parameters
    ----------
    columns : mapping of str to sequence, or pandas.DataFrame
        Column name -> values, every column the same length (a DataFrame's index is left out).
    metadata : mapping of str to str, optional
        Key/value pairs stored in the file's schema metadata (e.g. the set and the parameters).

    Returns
    -------
    bytes

    Raises
    ------
    InvalidParameterError
        If the columns differ in length or there are none.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if hasattr(columns, "to_dict") and hasattr(columns, "columns"):     # a DataFrame
        columns = {str(c): columns[c].to_numpy() for c in columns.columns}
    cols = {str(k): (np.asarray(v) if not isinstance(v, (list, tuple)) else list(v)) for k, v in columns.items()}
    if not cols:
        raise invalid("columns", {}, "at least one column")
    lengths = {k: len(v) for k, v in cols.items()}
    if len(set(lengths.values())) > 1:
        raise invalid("columns", lengths, "columns of one length")
    arrays = {k: pa.array(v.tolist() if isinstance(v, np.ndarray) and v.dtype == object else v)
              for k, v in cols.items()}
    table = pa.table(arrays)
    if metadata:
        table = table.replace_schema_metadata({str(k): str(v) for k, v in metadata.items()})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()
