"""Adversarial inputs for every reader: memory stays under the bound the README's "Limits" section states,
limits are enforced while streaming, and each refusal is one line (an EmbedLabError).

Corpora and documents are measured in-process with tracemalloc (their memory is Python objects); vector
files in a child process by its peak RSS (``ru_maxrss``: pandas' C parser allocates outside
tracemalloc), against a baseline taken after the imports.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from embedlab import CorpusError, EmbedLabError, EmbeddingFormatError, EvaluationDataError
from embedlab.io import documents as dm
from embedlab.io.corpus import MAX_SENTENCE_TOKENS, read_corpus
from embedlab.io.formats import read_vectors
from embedlab.io.gensim_data import analogy_sections
from embedlab.io.limits import check_regular, open_regular
from embedlab.io.stream import MAX_LINE_CHARS, read_pieces, str_pieces

ROOT = Path(__file__).resolve().parents[2]
MB = 2**20


# -- the stated bounds (README, "Limits") -----------------------------------------------------------------
def corpus_bound(tokens: int, sentences: int, types: int) -> int:
    """Peak memory of reading a corpus beyond the upload's bytes: 32 MB + 16 B per token + 80 B per
    sentence + 200 B per distinct word (what is kept), whatever the lines, tokens or compression."""
    return 32 * MB + 16 * tokens + 80 * sentences + 200 * types


def vector_bound(rows: int, dim: int, file_bytes: int) -> int:
    """Peak memory of reading a text vector file: 64 MB + 2.5 x the float32 array + 150 B per row
    (its token), and never more than 64 MB + 3 x the file."""
    return 64 * MB + min(int(2.5 * rows * dim * 4) + 150 * rows, 3 * file_bytes)


def traced_peak(fn):
    """(result or the EmbedLabError raised, peak bytes traced while ``fn`` ran)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        try:
            out = fn()
        except EmbedLabError as exc:
            out = exc
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def one_line(exc) -> str:
    assert isinstance(exc, EmbedLabError), f"expected a refusal, got {exc!r}"
    msg = str(exc)
    assert "\n" not in msg and len(msg) < 400, msg
    return msg


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# -- corpora ------------------------------------------------------------------------------------------------
def test_zip_bomb_member_of_short_tokens_stops_at_the_token_cap_while_unpacking():
    data = zip_of({"a.txt": b"a b " * (10 * MB)})                # 40 MB of 2-letter tokens, ~40 KB zipped
    assert len(data) < 200_000
    exc, peak = traced_peak(lambda: read_corpus(data, filename="bomb.zip", max_tokens=50_000))
    assert "more than 50,000 tokens, the limit" in one_line(exc)
    assert peak < corpus_bound(50_000, 50_000, 2)               # was: the whole member tokenized (GBs)


def test_zip_bomb_of_many_members_is_bounded_and_counted():
    data = zip_of({f"m{i}.txt": b"w x " * 50_000 for i in range(300)})   # 300 x 200 KB, tiny zipped
    exc, peak = traced_peak(lambda: read_corpus(data, filename="many.zip", max_tokens=200_000))
    assert "more than 200,000 tokens" in one_line(exc)
    assert peak < corpus_bound(200_000, 200_000, 2)


def test_millions_of_distinct_words_stop_at_the_type_limit(monkeypatch):
    import embedlab.io.corpus as cp

    monkeypatch.setattr(cp, "MAX_TYPES", 20_000)
    data = b" ".join(b"w%d" % i for i in range(1_000_000))          # 6.9 MB, every word new
    exc, peak = traced_peak(lambda: read_corpus(data, filename="u.txt"))
    assert "more than 20,000 distinct words, the limit" in one_line(exc)
    assert peak < corpus_bound(20_000, 20_000, 20_000)


def test_member_that_is_itself_compressed_is_refused_as_binary():
    inner = gzip.compress(b"the king rules " * 10_000)
    exc, _ = traced_peak(lambda: read_corpus(zip_of({"inner.txt": inner}), filename="z.zip"))
    assert "z.zip/inner.txt looks like a binary file" in one_line(exc)
    # a zip inside the zip is not a text member: skipped and said so, the text read
    c = read_corpus(zip_of({"a.txt": b"one two", "inner.zip": zip_of({"b.txt": b"x"})}), filename="n.zip")
    assert c.counts() == {"one": 1, "two": 1} and any("inner.zip" in n for n in c.notes)


def test_one_endless_line_is_read_in_pieces_and_stops_at_the_cap():
    data = b"ab cd " * (4 * MB)                                   # 24 MB, no line break at all
    exc, peak = traced_peak(lambda: read_corpus(data, filename="line.txt", max_tokens=100_000))
    assert "more than 100,000 tokens" in one_line(exc)
    assert peak < corpus_bound(100_000, 100_000, 2)


def test_one_endless_line_within_the_cap_keeps_every_token():
    words = [f"w{i % 977}" for i in range(100_000)]
    c, peak = traced_peak(lambda: read_corpus(" ".join(words).encode(), filename="l.txt"))
    assert c.n_tokens == 100_000 and sum(c.counts().values()) == 100_000
    assert all(len(s) <= MAX_SENTENCE_TOKENS for s in c.sentences)
    assert [t for s in c.sentences for t in s] == words            # cut only between words
    assert peak < corpus_bound(100_000, len(c.sentences), 977)


def test_a_deep_line_of_one_token_is_refused_early():
    data = b"x" * (8 * MB)
    exc, peak = traced_peak(lambda: read_corpus(data, filename="deep.txt"))
    assert f"has more than {MAX_LINE_CHARS:,} characters without a space" in one_line(exc)
    assert peak < 16 * MB


@pytest.mark.slow
def test_a_million_blank_lines_then_rows():
    data = b"\n" * 1_000_000 + b"the cat sat\n" * 1000
    c, peak = traced_peak(lambda: read_corpus(data, filename="b.txt"))
    assert c.n_tokens == 3000 and len(c.sentences) == 1000
    assert peak < corpus_bound(3000, 1000, 3)


def test_cr_only_line_endings_end_sentences():
    c = read_corpus(b"the king\rthe queen\rrules\r", filename="mac.txt")
    assert c.sentences == (("the", "king"), ("the", "queen"), ("rules",))


@pytest.mark.slow
def test_repeated_short_sentences_share_one_tuple():
    c, peak = traced_peak(lambda: read_corpus(b"Yes. " * 50_000, filename="y.txt"))
    assert c.n_tokens == 50_000 and len({id(s) for s in c.sentences}) == 1
    assert peak < corpus_bound(50_000, 0, 1)          # 8 bytes a sentence, not a tuple each


def test_csv_with_one_40_mb_quoted_field_is_refused_while_reading():
    data = b'id,text\n1,"' + b"ab cd " * (7 * MB) + b'"\n'
    exc, peak = traced_peak(lambda: read_corpus(data, filename="f.csv", text_column="text"))
    assert "line 2 is longer than 2,097,152 characters, the limit for one line" in one_line(exc)
    assert peak < 48 * MB


@pytest.mark.slow
def test_csv_quoted_field_of_many_lines_is_refused_at_the_cell_limit():
    data = b'id,text\n1,"' + b"ab cd\n" * (2 * MB) + b'"\n'       # 12 MB in one cell, short lines
    exc, peak = traced_peak(lambda: read_corpus(data, filename="f.csv", text_column="text"))
    assert "f.csv is not a readable CSV file: field larger than field limit" in one_line(exc)
    assert "a cell may hold at most 1,048,576 characters" in str(exc)
    assert peak < 48 * MB


@pytest.mark.slow
def test_csv_of_many_rows_streams_them():
    data = b"id,text,other\n" + b"".join(b"%d,the cat,%s\n" % (i, b"x" * 200) for i in range(20_000))
    c, peak = traced_peak(lambda: read_corpus(data, filename="r.csv", text_column="text"))
    assert c.n_tokens == 40_000 and c.n_documents == 20_000
    assert peak < 8 * MB + len(data) // 2   # the rows are not all held as lists (4.4 MB of cells here)   # the rows are not all held as lists


def test_not_utf8_is_decoded_again_as_cp1252_from_the_start():
    data = "café au lait\n".encode("utf-8") * 3 + "thé\n".encode("cp1252")
    c = read_corpus(data, filename="c.txt")
    assert c.encoding == "cp1252" and c.n_tokens == 10 and c.counts()["thé"] == 1


def test_documents_of_millions_of_short_lines_stop_at_the_document_limit():
    data = b"ab\n" * 3_000_000                                     # 9 MB, under the 10 MB cap
    exc, peak = traced_peak(lambda: dm.read_documents(data, filename="d.txt"))
    assert f"more than {dm.MAX_DOCUMENTS:,} documents; the limit is {dm.MAX_DOCUMENTS:,}" in one_line(exc)
    assert peak < 48 * MB                               # the text and its decoded copy, not 3M strings
    rows = b"id,text\n" + b"".join(b"%d,d%d\n" % (i, i) for i in range(500_000))
    exc, peak = traced_peak(lambda: dm.read_documents(rows, filename="d.csv"))
    assert "more than 5,000 documents" in one_line(exc) and peak < 48 * MB


# -- the stream itself ----------------------------------------------------------------------------------------
def test_pieces_end_at_line_breaks_and_crlf_split_across_chunks_is_one_break():
    got: list[str] = []
    chunks = [b"a b\r", b"\nc d\r", b"e\n", b"f"]
    assert read_pieces(lambda: iter(chunks), name="t", consume=got.extend) == "utf-8"
    assert "".join(got) == "a b\r\nc d\re\nf"
    assert all(p.endswith(("\n", "\r")) for p in got[:-1])
    assert not any(p.startswith("\n") for p in got)               # "\r\n" was never cut in two


def test_no_piece_holds_a_line_longer_than_the_limit():
    text = ("x " * 50 + "\n") * 3 + "y " * 5000 + "\n"
    pieces = list(str_pieces(text, max_line_chars=150))
    assert "".join(pieces) == text
    for p in pieces:
        assert max(len(line) for line in p.splitlines()) <= 150
    with pytest.raises(CorpusError, match=r"^t: line 4 is longer than 150 characters, the limit for one line$"):
        list(str_pieces(text, name="t", max_line_chars=150, split_long=False))


# -- paths that are not regular files ---------------------------------------------------------------------------
@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    return path


def test_fifo_device_and_folder_are_refused_by_what_they_are(tmp_path, fifo):
    cases = {fifo: r"named pipe \(FIFO\)", Path("/dev/zero"): "device", tmp_path: "folder"}
    for path, what in cases.items():
        with pytest.raises(CorpusError, match=what):
            read_corpus(path, filename="x.txt")
        with pytest.raises(EvaluationDataError, match=what):
            analogy_sections(path)
        with pytest.raises(EmbeddingFormatError, match=what):
            read_vectors(path)
    with pytest.raises(CorpusError, match=r"is 1 MB; the limit for a corpus is 0\.5 MB"):
        (tmp_path / "big.txt").write_bytes(b"a" * MB)
        check_regular(tmp_path / "big.txt", role="corpus", max_bytes=MB // 2)


def test_a_file_that_grows_while_read_stops_at_the_cap(tmp_path):
    path = tmp_path / "grow.txt"
    path.write_bytes(b"x" * 100)
    with open_regular(path, role="file", max_bytes=150, name="grow.txt") as fh:
        with open(path, "ab") as w:
            w.write(b"y" * 100)
        with pytest.raises(CorpusError, match="grow.txt grew past"):
            fh.read()


def test_analogy_file_with_an_endless_line_is_refused(tmp_path):
    path = tmp_path / "q.txt"
    path.write_bytes(b": s\n" + b"a" * (1 * MB))
    with pytest.raises(EvaluationDataError, match=r"line 2: the line is longer than 65,536 bytes, the limit"):
        analogy_sections(path)


# -- vector files: measured in a child process ------------------------------------------------------------------
_PROBE = textwrap.dedent("""
    import json, resource, sys, time, warnings
    import numpy, pandas                      # imported before the baseline
    from embedlab import EmbedLabError
    from embedlab.io.formats import read_vectors
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            es = read_vectors(sys.argv[1])
        out = {"rows": len(es), "dim": es.dim}
    except EmbedLabError as exc:
        out = {"error": str(exc)}
    out["seconds"] = time.perf_counter() - t
    out["peak"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024
    print(json.dumps(out))
""")


def probe_vectors(path: Path) -> dict:
    res = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=300,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def _numbers(n: int, value: bytes = b"0.5") -> bytes:
    return b" ".join([value] * n)


@pytest.mark.slow
def test_vector_lines_far_wider_than_the_header_are_refused_before_parsing(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes(b"2 300\na " + _numbers(600_001) + b"\nb " + _numbers(600_001) + b"\n")   # 4.8 MB
    r = probe_vectors(path)
    assert "line 2: the line is longer than 84,800 bytes, the limit for 300 dimensions" in r["error"]
    assert r["peak"] < 64 * MB and r["seconds"] < 20          # was 1.4 GB and 23-42 s


@pytest.mark.slow
def test_one_line_wider_than_max_dim_is_refused_before_parsing(tmp_path):
    path = tmp_path / "single.txt"
    path.write_bytes(b"a " + _numbers(600_001) + b"\n")                                  # 2.4 MB, one line
    r = probe_vectors(path)
    assert "line 1: dimension 600,001 is larger than the limit of 100,000" in r["error"]
    assert r["peak"] < 96 * MB and r["seconds"] < 20          # was 2.9 GB and 83 s


@pytest.mark.slow
def test_blank_lines_do_not_fool_the_row_estimate(tmp_path):
    # one row, 60,000 blank lines (the first 64 KB), then 20,000 rows of 300 dims: the old estimate took
    # the head's ~1 byte per line for the whole file and allocated ~25 GB
    row = b" " + _numbers(300, b"0.25") + b"\n"
    path = tmp_path / "blank.txt"
    path.write_bytes(b"w0" + row + b"\n" * 60_000 + b"".join(b"w%d" % i + row for i in range(1, 20_001)))
    size = path.stat().st_size
    r = probe_vectors(path)
    assert (r.get("rows"), r.get("dim")) == (20_001, 300), r
    assert r["peak"] < vector_bound(20_001, 300, size)


def test_the_first_allocation_is_bounded_by_what_the_file_can_hold():
    from embedlab.io.formats._input import _Input
    from embedlab.io.formats.text import _estimate_rows, _TextSpec

    row = b" " + _numbers(300, b"0.25") + b"\n"
    data = b"w0" + row + b"w1" + row + b"\n" * 70_000 + b"".join(b"w%d" % i + row for i in range(2, 2_002))
    inp = _Input(io.BytesIO(data), "b.txt")
    est = _estimate_rows(inp, _TextSpec("glove", 300))
    assert 2_002 <= est <= len(data) // 601 + 1          # the old estimate: ~ one row per byte of the head
    es = read_vectors(io.BytesIO(data), filename="b.txt")
    assert es.vectors.shape == (2_002, 300)


@pytest.mark.slow
def test_a_million_blank_lines_then_rows_reads(tmp_path):
    path = tmp_path / "lead.txt"
    path.write_bytes(b"\n" * 1_000_000 + b"".join(b"w%d 0.1 0.2 0.3\n" % i for i in range(1000)))
    r = probe_vectors(path)
    assert (r.get("rows"), r.get("dim")) == (1000, 3), r
    assert r["peak"] < vector_bound(1000, 3, path.stat().st_size)


def test_numbers_with_10k_digits_and_cr_only_lines_get_one_line(tmp_path):
    with pytest.raises(EmbeddingFormatError, match=r"line 1: value 1 .* NaN or infinite"):
        read_vectors(io.BytesIO(b"a " + b"1" * 10_000 + b" 2 3\nb 1 2 3\n"), filename="d.txt")
    with pytest.raises(EmbeddingFormatError, match="lone CR"):
        read_vectors(io.BytesIO(b"a 0.1 0.2\rb 0.3 0.4\rc 1 2\r"), filename="mac.txt")
    wide = b"a " + _numbers(2000, b"1" * 100) + b"\n"                # 2,000 numbers of 100 digits each
    with pytest.raises(EmbeddingFormatError, match="first line is longer|longer than"):
        read_vectors(io.BytesIO(b"2 2000\n" + wide * 2), filename="w.txt")


# -- the CLI on endless inputs -----------------------------------------------------------------------------------
def run_cli(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "embedlab", *argv], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.slow
def test_cli_refuses_dev_zero_and_a_fifo_at_once(fifo, tmp_path):
    cases = [(["evaluate", "--analogies", "/dev/zero"], "device"),
             (["evaluate", "--analogies", str(fifo)], "named pipe (FIFO)"),
             (["evaluate", "--pairs", str(fifo)], "named pipe (FIFO)"),
             (["train", "/dev/zero", "--out", str(tmp_path / "o.txt")], "device"),
             (["train", str(fifo), "--out", str(tmp_path / "o.txt")], "named pipe (FIFO)")]
    for argv, what in cases:
        t = time.perf_counter()
        res = run_cli(*argv)                      # a hang or an endless read fails by the timeout
        took = time.perf_counter() - t
        err = res.stderr.strip()
        assert res.returncode == 1 and res.stdout == "", (argv, res.stderr[-500:])
        assert "\n" not in err and err.startswith(f"embedlab {argv[0]}: error:") and what in err, err
        assert took < 60, (argv, took)
