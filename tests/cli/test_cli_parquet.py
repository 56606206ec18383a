"""The command line with Parquet / Arrow files: --file x.parquet, --vector-column, --label-column, convert."""
from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedlab.cli.main import main
from embedlab.io.formats import read_vectors


@pytest.fixture
def table_path(tmp_path):
    p = tmp_path / "items.parquet"
    pq.write_table(pa.table({"id": [1, 2, 3], "text": ["cat", "dog", "car"],
                             "emb": [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]], "alt": [[0.0, 1.0], [1.0, 0.0], [0.9, 0.1]],
                             "genre": ["animal", "animal", "thing"]}), p)
    return p


def _json(capsys, *argv) -> object:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_file_parquet_with_columns(table_path, capsys):
    # two list columns, "emb" is the known name: the default; --vector-column alt picks the other
    assert [r["token"] for r in _json(capsys, "neighbors", "cat", "-k", "1", "--file", str(table_path))] == ["dog"]
    got = _json(capsys, "neighbors", "cat", "-k", "1", "--file", str(table_path), "--vector-column", "alt")
    assert [r["token"] for r in got] == ["car"]
    info = _json(capsys, "info", "--file", str(table_path), "--label-column", "id")
    assert info["size"] == 3 and info["meta"] == ["genre", "text"]   # "alt" (a list) is no metadata


def test_bad_column_is_one_line(table_path, capsys):
    assert main(["info", "--file", str(table_path), "--vector-column", "nope"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no column 'nope'; the columns are: 'id', 'text', 'emb', 'alt', 'genre'" in err[0]
    assert main(["info", "--vector-column", "emb"]) == 1
    assert "--vector-column and --label-column go with --file" in capsys.readouterr().err


def test_convert_to_and_from_parquet(table_path, tmp_path, capsys):
    out = tmp_path / "v.txt"
    assert main(["convert", str(table_path), str(out), "--vector-column", "alt"]) == 0
    assert read_vectors(out).tokens == ("cat", "dog", "car") and read_vectors(out)["cat"].tolist() == [0, 1]
    back = tmp_path / "back.parquet"
    assert main(["convert", "--file", str(table_path), str(back)]) == 0
    es = read_vectors(back)
    assert es.tokens == ("cat", "dog", "car") and es.meta["genre"] == ("animal", "animal", "thing")
    capsys.readouterr()
