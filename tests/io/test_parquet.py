"""Parquet and Arrow IPC / Feather tables in and out: column detection, every error naming its row,
round trips with metadata, and the streaming read's memory."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

import embedlab
from embedlab import EmbeddingFormatError, EmbeddingSet, InvalidParameterError
from embedlab.io.formats import (TABLE_FORMATS, detect_format, read_vectors, read_vectors_report, table_bytes,
                                 table_columns, write_table, write_vectors)

ROOT = Path(__file__).resolve().parents[2]


def _parquet(table: pa.Table, **kw) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, **kw)
    return buf.getvalue()


def _arrow_file(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def _arrow_stream(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def _read(data: bytes, **kw) -> EmbeddingSet:
    return read_vectors(io.BytesIO(data), filename="t.parquet", **kw)


@pytest.fixture
def table():
    return pa.table({
        "id": [10, 11, 12],
        "word": ["cat", "dog", "sun"],
        "emb": pa.FixedSizeListArray.from_arrays(pa.array([1, 0, 0, 1, 0.5, 0.5], pa.float32()), 2),
        "genre": ["animal", "animal", "sky"],
        "score": [0.5, None, 2.0],
        "tags": [["a"], [], ["b", "c"]],           # not a single value: left out of the metadata
    })


# -- reading -------------------------------------------------------------------------------------
def test_parquet_fixed_size_list_with_metadata(table):
    es, rep = read_vectors_report(io.BytesIO(_parquet(table)), filename="t.parquet")
    assert es.tokens == ("cat", "dog", "sun")
    assert es.vectors.dtype == np.float32 and es.vectors.tolist() == [[1, 0], [0, 1], [0.5, 0.5]]
    assert es.meta == {"id": (10, 11, 12), "genre": ("animal", "animal", "sky"), "score": (0.5, None, 2.0)}
    assert rep.format == "parquet" and rep.token_column == "word" and rep.metadata_columns == ("id", "genre", "score")
    assert "vectors from column 'emb'" in es.origin and es.name == "t"


def test_variable_list_float64_and_integer_values():
    t = pa.table({"text": ["a", "b"], "vector": pa.array([[1.5, 2.0, 3.0], [4.0, 5.0, 6.25]], pa.list_(pa.float64()))})
    es = _read(_parquet(t))
    assert es.vectors.tolist() == [[1.5, 2, 3], [4, 5, 6.25]] and es.vectors.dtype == np.float32
    ints = pa.table({"token": ["x", "y"], "e": pa.array([[1, 2], [3, 4]], pa.large_list(pa.int64()))})
    assert _read(_parquet(ints)).vectors.tolist() == [[1, 2], [3, 4]]


def test_many_small_batches_and_row_groups_fill_the_array_in_order():
    rng = np.random.default_rng(0)
    v = rng.standard_normal((3000, 5)).astype(np.float32)
    t = pa.table({"label": [f"w{i}" for i in range(3000)],
                  "emb": pa.FixedSizeListArray.from_arrays(pa.array(v.ravel()), 5)})
    es = _read(_parquet(t, row_group_size=700))
    assert es.tokens[2999] == "w2999" and np.array_equal(es.vectors, v)


def test_feather_and_arrow_ipc_file_and_stream(table, tmp_path):
    feather.write_feather(table.drop_columns(["tags"]), tmp_path / "t.feather")
    es = read_vectors(tmp_path / "t.feather")
    assert es.tokens == ("cat", "dog", "sun") and es.meta["genre"] == ("animal", "animal", "sky")
    for data in (_arrow_file(table), _arrow_stream(table)):
        assert detect_format(io.BytesIO(data)) == "arrow"
        es = _read(data)
        assert es.vectors.tolist() == [[1, 0], [0, 1], [0.5, 0.5]] and es.meta["id"] == (10, 11, 12)


def test_embedlab_load_and_column_options(table, tmp_path):
    p = tmp_path / "mine.parquet"
    pq.write_table(table, p)
    assert detect_format(p) == "parquet"
    es = embedlab.load(p, label_column="id")
    assert es.tokens == ("10", "11", "12") and es.meta["word"] == ("cat", "dog", "sun")


def test_detected_defaults_and_choices():
    t = pa.table({"n": [1, 2], "title": ["a", "b"], "Text": ["x", "y"], "u": [[1.0], [2.0]],
                  "Embedding": [[3.0], [4.0]]})
    cols = table_columns(_parquet(t))
    assert cols.vector_columns == ("u", "Embedding") and cols.vector_default == "Embedding"
    assert cols.label_columns == ("title", "Text", "n") and cols.label_default == "Text"
    assert cols.needs_choice and cols.rows == 2 and cols.format == "parquet"
    es = _read(_parquet(t))
    assert es.tokens == ("x", "y") and es.vectors.tolist() == [[3], [4]]
    es = _read(_parquet(t), vector_column="u", label_column="title")
    assert es.tokens == ("a", "b") and es.vectors.tolist() == [[1], [2]] and set(es.meta) == {"n", "Text", "Embedding"} - {"Embedding"}


def test_a_pandas_frame_with_its_index_and_python_lists():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"word": ["a", "b"], "embedding": [[0.5, 1.0], [2.0, 3.0]], "n": [1, 2]}, index=[7, 9])
    buf = io.BytesIO()
    df.to_parquet(buf)
    es = _read(buf.getvalue())
    assert es.tokens == ("a", "b") and es.vectors.tolist() == [[0.5, 1], [2, 3]] and es.meta == {"n": (1, 2)}


def test_no_text_column_gives_row_numbers():
    es, rep = read_vectors_report(io.BytesIO(_parquet(pa.table({"v": [[1.0, 2.0], [3.0, 4.0]]}))))
    assert es.tokens == ("0", "1") and rep.token_column == "row numbers"


def test_written_tables_read_back_exactly(tmp_path):
    es = EmbeddingSet(["king", "queen", "é"], np.array([[1, 0.5], [0.25, -2], [3, 1e-3]], np.float32),
                      meta={"kind": ["x", None, "y"], "n": [1, 2, 3], "f": [0.5, None, 1.0]})
    for fmt in TABLE_FORMATS:
        back = read_vectors(io.BytesIO(table_bytes(es, fmt)))
        assert back.tokens == es.tokens and np.array_equal(back.vectors, es.vectors) and back.meta == es.meta
    out = write_vectors(es, tmp_path / "x.parquet")
    assert out == [tmp_path / "x.parquet"]
    t = pq.read_table(out[0])
    assert t.column_names == ["token", "vector", "kind", "n", "f"]
    assert pa.types.is_fixed_size_list(t.schema.field("vector").type) and t.schema.field("vector").type.list_size == 2
    assert read_vectors(write_vectors(es, tmp_path / "x.feather")[0]).tokens == es.tokens
    clash = EmbeddingSet(["a"], [[1.0]], meta={"token": ["t"], "vector": ["v"]})
    back = read_vectors(io.BytesIO(table_bytes(clash)), label_column="word")
    assert back.meta == {"token": ("t",), "vector": ("v",)} and back.tokens == ("a",)


# -- errors, each naming the row -------------------------------------------------------------------
def test_ragged_vectors_name_the_row():
    t = pa.table({"w": ["a", "b", "c"], "e": [[1.0, 2.0], [3.0, 4.0], [5.0]]})
    with pytest.raises(EmbeddingFormatError, match=r"row 3 \('c'\): the vector has 1 values, the first row has 2"):
        _read(_parquet(t))


def test_null_vector_and_null_value_name_the_row():
    t = pa.table({"w": ["a", "b"], "e": pa.array([[1.0, 2.0], None], pa.list_(pa.float32()))})
    with pytest.raises(EmbeddingFormatError, match=r"row 2 \('b'\) has no vector \(null in column 'e'\)"):
        _read(_parquet(t))
    t = pa.table({"w": ["a", "b"], "e": pa.array([[1.0, 2.0], [3.0, None]], pa.list_(pa.float32()))})
    with pytest.raises(EmbeddingFormatError, match=r"row 2 \('b'\): value 2 of the vector is null"):
        _read(_parquet(t))


def test_nan_and_inf_name_the_row():
    t = pa.table({"w": ["a", "b", "c"], "e": [[1.0, 2.0], [3.0, 4.0], [float("nan"), 1.0]]})
    with pytest.raises(EmbeddingFormatError, match=r"row 3 \('c'\) has NaN or infinite values"):
        _read(_parquet(t))
    t = pa.table({"w": ["a", "b"], "e": [[1e300, 2.0], [3.0, 4.0]]})     # too large for float32
    with pytest.raises(EmbeddingFormatError, match=r"row 1 \('a'\) has NaN or infinite values"):
        _read(_parquet(t))


def test_non_numeric_vectors_are_named():
    t = pa.table({"w": ["a"], "e": [["x", "y"]]})
    with pytest.raises(EmbeddingFormatError, match=r"column 'e' holds lists of string, not numbers \(row 1\)"):
        _read(_parquet(t))
    t = pa.table({"w": ["a"], "e": ["[0.1, 0.2]"]})
    with pytest.raises(EmbeddingFormatError, match="no column holds lists of numbers"):
        _read(_parquet(t))
    with pytest.raises(EmbeddingFormatError, match="column 'w' holds string, not lists of numbers"):
        _read(_parquet(pa.table({"w": ["a"], "e": [[1.0]]})), vector_column="w")


def test_labels_null_empty_or_repeated_name_the_rows():
    with pytest.raises(EmbeddingFormatError, match=r"row 2 has no label \(null in column 'w'\)"):
        _read(_parquet(pa.table({"w": ["a", None], "e": [[1.0], [2.0]]})))
    with pytest.raises(EmbeddingFormatError, match="row 2 has an empty label in column 'w'"):
        _read(_parquet(pa.table({"w": ["a", " "], "e": [[1.0], [2.0]]})))
    with pytest.raises(EmbeddingFormatError, match="label 'a' appears at rows 1 and 3; labels must be unique"):
        _read(_parquet(pa.table({"w": ["a", "b", "a"], "e": [[1.0], [2.0], [3.0]]})))


def test_bad_choices_and_ambiguity_are_explained():
    t = pa.table({"w": ["a"], "p": [[1.0]], "q": [[2.0]]})
    with pytest.raises(EmbeddingFormatError, match=r"several columns hold lists of numbers \('p', 'q'\).*"
                                                   "vector_column="):
        _read(_parquet(t))
    with pytest.raises(EmbeddingFormatError, match="no column 'zz'; the columns are: 'w', 'p', 'q'"):
        _read(_parquet(t), vector_column="zz")
    with pytest.raises(EmbeddingFormatError, match="cannot be both"):
        _read(_parquet(t), vector_column="p", label_column="p")
    with pytest.raises(EmbeddingFormatError, match="the table has no rows"):
        _read(_parquet(pa.table({"w": pa.array([], pa.string()), "e": pa.array([], pa.list_(pa.float32()))})))


def test_damaged_files_and_wrong_format():
    data = _parquet(pa.table({"w": ["a"], "e": [[1.0]]}))
    for bad in (data[:30], b"PAR1" + b"\x00" * 40, b"ARROW1\x00\x00garbage", b"\xff\xff\xff\xff\x10\x00"):
        with pytest.raises(EmbeddingFormatError, match="not a readable"):
            _read(bad)
    with pytest.raises(EmbeddingFormatError, match="looks like a parquet file, not glove"):
        _read(data, format="glove")
    with pytest.raises(EmbeddingFormatError, match="looks like a glove file, not parquet"):
        _read(b"a 1 2\n", format="parquet")
    with pytest.raises(InvalidParameterError, match="format='csv' is not allowed"):
        _read(data, format="csv")


# -- memory ----------------------------------------------------------------------------------------
_MEASURE = textwrap.dedent("""
    import json, sys, tracemalloc
    import numpy as np, pyarrow as pa
    from embedlab.io.formats import read_vectors
    import pandas, embedlab.io.formats.parquet  # imports outside the measurement (pyarrow loads pandas)
    pool = pa.default_memory_pool()
    base = pool.max_memory()
    if len(sys.argv) > 2:        # an upload: the file's bytes in memory (as Streamlit holds them)
        import io
        data = open(sys.argv[1], "rb").read()
        tracemalloc.start()
        es = read_vectors(io.BytesIO(data), filename="big.parquet")
    else:
        tracemalloc.start()
        es = read_vectors(sys.argv[1])
    current, peak = tracemalloc.get_traced_memory()
    print(json.dumps({"array": es.vectors.nbytes, "peak": peak, "kept": current,
                      "arrow_peak": pool.max_memory() - base, "rows": len(es)}))
""")


@pytest.mark.slow
@pytest.mark.parametrize("source", ["path", "upload"])
def test_streaming_read_peak_memory_stays_within_1_5x_the_array(tmp_path, source):
    n, d = 200_000, 64
    v = np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"text": [f"t{i}" for i in range(n)],
                             "emb": pa.FixedSizeListArray.from_arrays(pa.array(v.ravel()), d)}), path)
    del v
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)] + (["bytes"] if source == "upload" else []),
                         capture_output=True, text=True, cwd=ROOT,
                         timeout=300, check=True)
    m = json.loads(out.stdout)
    assert m["rows"] == n and m["array"] == n * d * 4
    # beyond what the set keeps (the array, the tokens and their lookup table), the read's own
    # buffers at their peak (Python + numpy traced, plus Arrow's pool) stay under half the array
    transient = m["peak"] - m["kept"] + m["arrow_peak"]
    assert transient <= 0.5 * m["array"], m
    assert m["peak"] + m["arrow_peak"] - (m["kept"] - m["array"]) <= 1.5 * m["array"], m
