"""embedlab.io.tables: Parquet bytes for downloads, read back with pyarrow."""
import io

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from embedlab import InvalidParameterError
from embedlab.io.tables import parquet_bytes


def test_parquet_round_trip_keeps_values_types_and_metadata():
    tokens = ["king", "=HYPERLINK(\"x\")", "日本", "a,b\n"]
    xy = np.array([[0.5, 1.0], [-1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32)
    data = parquet_bytes({"token": tokens, "x": xy[:, 0], "y": xy[:, 1], "n": np.arange(4)},
                         metadata={"set": "minilm-words", "method": "pca"})
    t = pq.read_table(io.BytesIO(data))
    assert t.column_names == ["token", "x", "y", "n"]
    assert t.column("token").to_pylist() == tokens            # stored as given
    np.testing.assert_array_equal(t.column("x").to_numpy(), xy[:, 0])
    assert str(t.schema.field("y").type) == "float" and str(t.schema.field("n").type) == "int64"
    assert t.schema.metadata[b"set"] == b"minilm-words" and t.schema.metadata[b"method"] == b"pca"


def test_a_dataframe_is_written_without_its_index():
    df = pd.DataFrame({"token": ["a", "b"], "colour": ["cluster 1", "cluster 2"]}, index=[7, 9])
    t = pq.read_table(io.BytesIO(parquet_bytes(df)))
    assert t.column_names == ["token", "colour"] and t.column("colour").to_pylist() == ["cluster 1", "cluster 2"]


def test_bad_tables_are_refused():
    with pytest.raises(InvalidParameterError, match="columns of one length"):
        parquet_bytes({"a": [1, 2], "b": [1]})
    with pytest.raises(InvalidParameterError, match="at least one column"):
        parquet_bytes({})
