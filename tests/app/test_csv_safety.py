"""CSV downloads: tokens never act as spreadsheet formulas (CSV injection), other cells unchanged."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from ui.text import csv_bytes, csv_cell

FORMULAS = ["=1+1", "=HYPERLINK(\"http://x.example\",\"click\")", "+SUM(A1:A9)", "-2+3", "@SUM(A1)",
            "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]
PLAIN = ["king", "-", "+", "=", "@", "-1.5", "+3", "1e-3", "", "a=b", "naïve", "<script>"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_cells_get_an_apostrophe(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", PLAIN)
def test_other_cells_are_kept(text):
    assert csv_cell(text) == text


def test_csv_bytes_escapes_text_columns_only_and_round_trips():
    tokens = FORMULAS + PLAIN
    table = pd.DataFrame({"token": tokens, "x": [float(i) for i in range(len(tokens))],
                          "colour": [-1] * len(tokens)})
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8"), newline="")))
    assert rows[0] == ["token", "x", "colour"]
    cells = [r[0] for r in rows[1:]]
    assert all(not c or c[0] not in "=+-@\t\r" or c in PLAIN for c in cells)
    assert [c[1:] if c.startswith("'") and c[1:] in FORMULAS else c for c in cells] == tokens
    assert [r[2] for r in rows[1:]] == ["-1"] * len(tokens)     # numbers are not touched
    assert table["token"].tolist() == tokens                    # the caller's table is not changed


def test_the_map_downloads_go_through_csv_bytes():
    from pathlib import Path

    src = (Path(__file__).resolve().parents[2] / "app_pages" / "1_Map.py").read_text()
    assert src.count("download_button(") == 2 and src.count("csv_bytes(") == 2
    assert "to_csv(" not in src
