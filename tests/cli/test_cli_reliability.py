"""The command line on hostile input: one line on stderr, never a traceback (issue 11 items 9, 10, 11)."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "embedlab", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env)


def one_line(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_huge_values_give_finite_json_euclidean_neighbours(tmp_path):
    (tmp_path / "huge.txt").write_text("a 1e30 2e30\nb 1e30 0\nc 0 1e30\nd 2e30 4e30\n")
    proc = cli("neighbors", "--file", "huge.txt", "a", "--metric", "euclidean", "--json", cwd=tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    found = json.loads(proc.stdout)
    assert [f["token"] for f in found] == ["c", "b", "d"]
    assert found[0]["score"] == pytest.approx(2 ** 0.5 * 1e30, rel=1e-5)


def test_project_out_csv_is_formula_safe(tmp_path):
    (tmp_path / "v.txt").write_text('=HYPERLINK("http://x") 1 2\n@SUM 1 0\nplain 0 1\n-1.5 1 1\n')
    proc = cli("project", "--file", "v.txt", "--out", "out.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        tokens = [row[0] for row in csv.reader(fh)][1:]
    assert tokens == ["'=HYPERLINK(\"http://x\")", "'@SUM", "plain", "-1.5"]


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_a_path_that_is_not_a_regular_file_is_named_as_such(tmp_path, kind):
    if kind == "folder":
        (tmp_path / "p").mkdir()
        path = "p"
    elif kind == "fifo":
        os.mkfifo(tmp_path / "p")
        path = "p"
    else:
        path = "/dev/zero"
    line = one_line(cli("info", "--file", path, cwd=tmp_path))
    assert "not a regular file" in line and "no such file" not in line


def test_a_missing_path_is_still_no_such_file(tmp_path):
    assert "no such file" in one_line(cli("info", "--file", "nope.txt", cwd=tmp_path))


def test_duplicate_tokens_warn_in_one_line(tmp_path):
    (tmp_path / "dup.txt").write_text("a 1 2\nb 3 4\na 5 6\n")
    proc = cli("info", "--file", "dup.txt", "--json", cwd=tmp_path)
    assert proc.returncode == 0
    line = one_line(proc)
    assert line.startswith("embedlab info: warning: dup.txt: 1 rows repeat") and "sources.py" not in line
    assert json.loads(proc.stdout)["size"] == 2
