"""Tests for embedlab.io.formats: round trips, detection, malformed input, duplicates, metadata rules,
agreement with gensim's reader, file-like sources, progress and memory."""
from __future__ import annotations

import io
import os
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

import embedlab
from embedlab import EmbeddingFormatError, EmbeddingSet, InvalidParameterError
from embedlab.io.formats import (FORMATS, DuplicateTokenWarning, detect_format, read_vectors, read_vectors_report,
                              write_npy, write_projector_tsv, write_vectors, write_word2vec)

TOKENS = ["king", "königin", "東京", "naïve", "Ωmega", "🙂", "x"]


@pytest.fixture
def uni_set() -> EmbeddingSet:
    """Unicode tokens and values of very different magnitudes (exact round trips must keep them)."""
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((len(TOKENS), 5)).astype(np.float32)
    vecs[0, 0] = 1e-30
    vecs[1, 1] = -3.4e38
    vecs[2, 2] = 0.1
    vecs[3, 3] = 0.0
    return EmbeddingSet(TOKENS, vecs, name="uni")


def _gensim_data() -> Path:
    import importlib.util

    return Path(importlib.util.find_spec("gensim").origin).parent / "test" / "test_data"


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("filename, fmt", [
    ("v.txt", "word2vec-text"), ("v.vec", "word2vec-text"), ("v.bin", "word2vec-binary"),
    ("vectors.tsv", "projector-tsv"), ("v.npy", "npy"),
])
def test_round_trip_every_format(uni_set, tmp_path, filename, fmt):
    written = write_vectors(uni_set, tmp_path / filename)
    assert all(p.is_file() for p in written)
    es, rep = read_vectors_report(tmp_path / filename)
    assert rep.format == fmt
    assert es.tokens == uni_set.tokens
    np.testing.assert_array_equal(es.vectors, uni_set.vectors)
    assert es.vectors.dtype == np.float32
    assert es.name == Path(filename).stem
    assert fmt in es.origin and filename in es.origin


def test_round_trip_glove_and_explicit_format(uni_set, tmp_path):
    p = write_word2vec(uni_set, tmp_path / "g.txt")
    body = p.read_text(encoding="utf-8").split("\n", 1)[1]  # drop the header: GloVe has none
    g = tmp_path / "glove.txt"
    g.write_text(body, encoding="utf-8")
    es, rep = read_vectors_report(g)
    assert rep.format == "glove" and rep.header is None
    assert es.tokens == uni_set.tokens
    np.testing.assert_array_equal(es.vectors, uni_set.vectors)
    es2 = read_vectors(g, format="glove")
    np.testing.assert_array_equal(es2.vectors, uni_set.vectors)


def test_projector_round_trip_with_meta_columns(tmp_path):
    es = EmbeddingSet(["a", "b", "c"], np.eye(3, dtype=np.float32),
                      meta={"kind": ["word", "word", "number"], "token_id": [7, 8, 9],
                            "freq": [0.5, 1.25, None]})
    vp, mp = write_projector_tsv(es, tmp_path / "vectors.tsv")
    assert mp == tmp_path / "metadata.tsv"
    assert mp.read_text(encoding="utf-8").splitlines()[0] == "token\tkind\ttoken_id\tfreq"
    back, rep = read_vectors_report(vp)
    assert back.tokens == es.tokens
    assert back.meta == {"kind": ("word", "word", "number"), "token_id": (7, 8, 9), "freq": (0.5, 1.25, None)}
    assert rep.token_column == "token" and rep.metadata_columns == ("kind", "token_id", "freq")


def test_single_column_metadata_has_no_header(uni_set, tmp_path):
    _, mp = write_projector_tsv(uni_set, tmp_path / "vectors.tsv")
    assert mp.read_text(encoding="utf-8").splitlines() == list(TOKENS)


def test_write_word2vec_text_layout(tmp_path):
    es = EmbeddingSet(["a", "b"], [[0.5, 1.0], [0.1, -2.0]])
    text = write_word2vec(es, tmp_path / "x.txt").read_text()
    assert text.splitlines() == ["2 2", "a 0.5 1", "b 0.100000001 -2"]


def test_writers_refuse_tokens_the_format_cannot_hold(tmp_path):
    es = EmbeddingSet(["new york", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(InvalidParameterError, match="'new york'"):
        write_word2vec(es, tmp_path / "x.txt")
    es2 = EmbeddingSet(["a\tb", "c"], np.eye(2, dtype=np.float32))
    with pytest.raises(InvalidParameterError, match="tabs or line breaks"):
        write_projector_tsv(es2, tmp_path / "v.tsv")
    with pytest.raises(InvalidParameterError, match=r"extension=.\.json. is not allowed; must be one of: \.txt"):
        write_vectors(es2, tmp_path / "x.json")


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize("writer, wrong_name, fmt", [
    (lambda es, p: write_word2vec(es, p), "looks.npy", "word2vec-text"),
    (lambda es, p: write_word2vec(es, p, binary=True), "looks.txt", "word2vec-binary"),
    (lambda es, p: write_npy(es, p, p.with_name("vocab.txt")), "looks.tsv", "npy"),
    (lambda es, p: write_projector_tsv(es, p, p.with_name("meta.tsv")), "looks.bin", "projector-tsv"),
])
def test_detection_from_content_not_extension(uni_set, tmp_path, writer, wrong_name, fmt):
    p = tmp_path / wrong_name
    writer(uni_set, p)
    assert detect_format(p) == fmt
    with open(p, "rb") as f:
        assert detect_format(f, filename=wrong_name) == fmt
        assert f.tell() == 0  # left where it was


def test_detect_glove():
    assert detect_format(io.BytesIO("ß 0.1 0.2\nb 1 2\n".encode())) == "glove"


# ---------------------------------------------------------------- malformed input
BAD_TEXT = [
    # (content, regex the message must match, line named)
    (b"", "the file is empty", None),
    (b"\n\n  \n", "only blank lines", None),
    (b"3 2\nk\xe9 1 2\nb 3 4\nc 5 6\n", r"not UTF-8 text: byte 0xe9 at column 2", 2),
    (b"a 1 2\nb 3\nc 5 6\n", r"ragged row: 1 values, expected 2", 2),
    (b"a 1 2\nb 1 2\nc 3 4 5 6\n", r"ragged row: 4 values, expected 2", 3),
    (b"a 1 2\nb 3 x4\n", r"value 2 \('x4'\) is not a number", 2),
    (b"2 2\na 1 2\nb nan 4\n", r"value 1 \('nan'\) is NaN or infinite", 3),
    (b"a 1 2\nb 3 -inf\n", r"value 2 \('-inf'\) is NaN or infinite", 2),
    (b"a 1 2\nb 3 1e39\n", r"too large for float32", 2),
    (b"3 2\na 1 2\nb 3 4\n", r"announces 3 rows but the file ends after 2", 4),
    (b"1 2\na 1 2\nb 3 4\n", r"announces 1 rows but there are more", 3),
    (b"2 3\na 1 2\nb 3 4\n", r"ragged row: 2 values, expected 3 \(from the header on line 1\)", 2),
    (b"10 1000000\na 1\n", r"dimension 1,000,000 is larger than the limit", 1),
    (b"60000000 10\na 1\n", r"60,000,000 rows, more than the limit", 1),
    (b"\xff\xfea\x00 \x001\x00", r"UTF-16", 1),
    ("king 0.5 1\n".encode("utf-16-le"), r"looks like UTF-16", 1),
    (b"\x00\x01\x02garbage\x00\xff" * 20, r"binary data \(NUL byte", None),
    (b"just words here\nand more\n", r"not a recognised vector file", 1),
    (b"a\tb\nc\td\n", r"not a recognised vector file", 1),
    (b"1\t2\t3\n4\t5\n", r"ragged row: 2 values, expected 3", 2),
]


@pytest.mark.parametrize("content, match, line", BAD_TEXT)
def test_malformed_text_names_line_and_problem(content, match, line):
    with pytest.raises(EmbeddingFormatError, match=match) as exc:
        read_vectors(io.BytesIO(content), filename="bad.txt")
    assert exc.value.line == line
    assert "bad.txt" in str(exc.value)
    if line is not None:
        assert f"line {line}" in str(exc.value)


def test_lying_header_does_not_allocate_the_announced_size():
    content = b"40000000 300\n" + b"a " + b" ".join([b"0.5"] * 300) + b"\n"
    tracemalloc.start()
    try:
        with pytest.raises(EmbeddingFormatError, match="announces 40,000,000 rows but the file ends after 1"):
            read_vectors(io.BytesIO(content))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20e6  # 40M x 300 float32 would be 48 GB


def _binary_bytes(es: EmbeddingSet) -> bytes:
    buf = io.BytesIO()
    buf.write(f"{len(es)} {es.dim}\n".encode())
    for t, v in zip(es.tokens, es.vectors):
        buf.write(t.encode() + b" " + v.astype("<f4").tobytes())
    return buf.getvalue()


def test_binary_truncated_names_record(uni_set):
    data = _binary_bytes(uni_set)
    with pytest.raises(EmbeddingFormatError, match=r"record 7 .*ends inside the vector") as exc:
        read_vectors(io.BytesIO(data[:-3]), filename="t.bin")
    assert exc.value.line == 7


def test_binary_nonfinite_names_record():
    es = EmbeddingSet(["a", "b", "c"], np.ones((3, 2), dtype=np.float32))
    data = bytearray(_binary_bytes(es))
    pos = data.index(b"b ") + 2
    data[pos:pos + 4] = np.float32(np.nan).tobytes()
    with pytest.raises(EmbeddingFormatError, match=r"record 2 \(token 'b'\) has NaN"):
        read_vectors(io.BytesIO(bytes(data)))


def test_binary_more_records_than_announced(uni_set):
    data = _binary_bytes(uni_set).replace(b"7 5\n", b"6 5\n", 1)
    with pytest.raises(EmbeddingFormatError, match="announces 6 records but there is more data after record 6"):
        read_vectors(io.BytesIO(data))


def test_fasttext_model_bin_is_refused_with_advice():
    with pytest.raises(EmbeddingFormatError, match="fastText model"):
        read_vectors(_gensim_data() / "lee_fasttext_new.bin")


def test_unknown_format_name():
    with pytest.raises(InvalidParameterError, match="format=.csv. is not allowed; must be one of: word2vec-text"):
        read_vectors(io.BytesIO(b"a 1\n"), format="csv")


def test_forced_format_that_does_not_fit():
    with pytest.raises(EmbeddingFormatError, match="not a .npy file"):
        read_vectors(io.BytesIO(b"a 1 2\n"), format="npy")


# ---------------------------------------------------------------- duplicates and odd rows
def test_duplicates_keep_first_and_warn_with_count():
    data = b"a 1 2\nb 3 4\na 5 6\nb 7 8\nc 0 1\n"
    with pytest.warns(DuplicateTokenWarning, match="2 rows repeat an earlier token"):
        es, rep = read_vectors_report(io.BytesIO(data))
    assert es.tokens == ("a", "b", "c")
    assert es["a"].tolist() == [1.0, 2.0] and es["b"].tolist() == [3.0, 4.0]
    assert rep.duplicates_dropped == 2 and rep.rows == 3
    assert "2 duplicate" in es.origin


def test_glove_tokens_with_spaces_split_from_the_right():
    data = "the 1 2\n. . . 3 4\nat name@x.com 5 6\n".encode()
    es, rep = read_vectors_report(io.BytesIO(data))
    assert es.tokens == ("the", ". . .", "at name@x.com")
    assert es[". . ."].tolist() == [3.0, 4.0]
    assert rep.spaced_tokens == 2


def test_crlf_trailing_spaces_and_tabs_read_the_same():
    plain = read_vectors(io.BytesIO(b"2 3\nab 1 2 3\ncd 4 5 6\n"))
    for variant in (b"2 3\r\nab 1 2 3\r\ncd 4 5 6\r\n", b"2 3\nab 1 2 3 \ncd 4 5 6 \n",
                    b"2 3\nab\t1 2  3\ncd 4 5 6", b"\xef\xbb\xbf2 3\n\nab 1 2 3\n\ncd 4 5 6\n\n"):
        es = read_vectors(io.BytesIO(variant))
        assert es.tokens == plain.tokens
        np.testing.assert_array_equal(es.vectors, plain.vectors)


# ---------------------------------------------------------------- Projector metadata rules
def test_metadata_beside_vectors_tsv_is_used(tmp_path):
    (tmp_path / "vectors.tsv").write_text("1\t0\n0\t1\n")
    (tmp_path / "metadata.tsv").write_text("king\nqueen\n")
    es, rep = read_vectors_report(tmp_path / "vectors.tsv")
    assert es.tokens == ("king", "queen") and rep.token_column == "label"
    (tmp_path / "run1_vectors.tsv").write_text("1\t0\n0\t1\n")
    (tmp_path / "run1_metadata.tsv").write_text("apple\npear\n")
    assert read_vectors(tmp_path / "run1_vectors.tsv").tokens == ("apple", "pear")


def test_metadata_token_column_by_name_then_first_text_column():
    vec = b"1\t0\n0\t1\n"
    meta = io.BytesIO(b"id\tpos\tWord\n1\tnoun\tking\n2\tnoun\tqueen\n")
    es = read_vectors(io.BytesIO(vec), metadata=meta)
    assert es.tokens == ("king", "queen")
    assert es.meta == {"id": (1, 2), "pos": ("noun", "noun")}
    meta2 = io.BytesIO(b"id\tthing\n1\tapple\n2\tpear\n")
    assert read_vectors(io.BytesIO(vec), metadata=meta2).tokens == ("apple", "pear")


def test_single_column_metadata_with_a_header_line_is_explained():
    with pytest.raises(EmbeddingFormatError, match="3 labels but vectors.tsv has 2 rows.*no header line"):
        read_vectors(io.BytesIO(b"1\t0\n0\t1\n"), metadata=io.BytesIO(b"word\nking\nqueen\n"))


def test_metadata_blank_lines_are_skipped_like_the_projector():
    es = read_vectors(io.BytesIO(b"1\t0\n0\t1\n"), metadata=io.BytesIO(b"king\n\nqueen\n\n"))
    assert es.tokens == ("king", "queen")


def test_vectors_tsv_labels_or_row_numbers():
    es, rep = read_vectors_report(io.BytesIO(b"king\t1\t0\nqueen\t0\t1\n"))
    assert es.tokens == ("king", "queen") and rep.token_column == "labels" and es.dim == 2
    es, rep = read_vectors_report(io.BytesIO(b"1\t0\n0\t1\n"))
    assert es.tokens == ("0", "1") and rep.token_column == "row numbers"


def test_multi_column_metadata_row_mismatch_names_line():
    with pytest.raises(EmbeddingFormatError, match=r"line 4: .*3 rows after its header line but vectors.tsv has 2"):
        read_vectors(io.BytesIO(b"1\t0\n0\t1\n"), metadata=io.BytesIO(b"word\tpos\na\tn\nb\tn\nc\tn\n"))


# ---------------------------------------------------------------- npy
def test_npy_with_vocab_filelike_and_ints():
    buf = io.BytesIO()
    np.save(buf, np.arange(6, dtype=np.int64).reshape(3, 2))
    buf.seek(0)
    es = read_vectors(buf, vocab=io.BytesIO("ä\nb\nc\n".encode()), filename="ids.npy")
    assert es.tokens == ("ä", "b", "c") and es.vectors.dtype == np.float32 and es.name == "ids"


def test_npy_object_array_is_never_unpickled():
    buf = io.BytesIO()
    np.save(buf, np.array([[{"a": 1}]], dtype=object), allow_pickle=True)
    buf.seek(0)
    with pytest.raises(EmbeddingFormatError, match="never unpickled"):
        read_vectors(buf, vocab=io.BytesIO(b"a\n"))


@pytest.mark.parametrize("arr, vocab, match", [
    (np.zeros(3, dtype=np.float32), b"a\nb\nc\n", r"shape \(3,\); a 2-D"),
    (np.ones((2, 2), dtype=np.complex64), b"a\nb\n", "dtype complex64"),
    (np.array([[1.0, np.inf], [0, 0]]), b"a\nb\n", "row 1 has NaN or infinite"),
    (np.ones((2, 2), dtype=np.float32), b"a\nb\nc\n", r"line 3: the vocabulary has 3 lines but the array has 2 rows"),
    (np.ones((2, 2), dtype=np.float32), None, "needs a vocabulary file"),
])
def test_npy_problems(arr, vocab, match):
    buf = io.BytesIO()
    np.save(buf, arr)
    buf.seek(0)
    with pytest.raises(EmbeddingFormatError, match=match):
        read_vectors(buf, vocab=None if vocab is None else io.BytesIO(vocab))


# ---------------------------------------------------------------- gensim agreement
@pytest.mark.parametrize("name, binary, no_header", [
    ("euclidean_vectors.bin", True, False),
    ("lee_fasttext.vec", False, False),
    ("high_precision.kv.txt", False, False),
    ("high_precision.kv.bin", True, False),
    ("toy-model.vec", False, False),
    ("crime-and-punishment.vec", False, False),
    ("poincare_vectors.bin", True, False),
    ("test_glove.txt", False, True),
    ("EN.1-10.cbow1_wind5_hs0_neg10_size300_smpl1e-05.txt", False, False),
])
def test_agrees_with_gensim_reader(name, binary, no_header):
    from gensim.models import KeyedVectors

    path = _gensim_data() / name
    kv = KeyedVectors.load_word2vec_format(str(path), binary=binary, no_header=no_header)
    es = read_vectors(path)
    assert list(es.tokens) == list(kv.index_to_key)
    np.testing.assert_array_equal(es.vectors, kv.vectors)


def test_gensim_reads_what_we_write(uni_set, tmp_path):
    from gensim.models import KeyedVectors

    for binary in (False, True):
        p = write_word2vec(uni_set, tmp_path / f"w.{'bin' if binary else 'txt'}", binary=binary)
        kv = KeyedVectors.load_word2vec_format(str(p), binary=binary)
        assert list(kv.index_to_key) == list(uni_set.tokens)
        np.testing.assert_array_equal(kv.vectors, uni_set.vectors)


# ---------------------------------------------------------------- sources, progress, memory
class _Stream(io.RawIOBase):
    """A non-seekable binary stream (like a socket or a pipe)."""

    def __init__(self, data: bytes):
        self._b = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, b):
        chunk = self._b.read(min(len(b), 1000))
        b[:len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("writer, filename", [
    (lambda es, p: write_word2vec(es, p), "s.txt"),
    (lambda es, p: write_word2vec(es, p, binary=True), "s.bin"),
])
def test_filelike_and_nonseekable_sources(uni_set, tmp_path, writer, filename):
    p = tmp_path / filename
    writer(uni_set, p)
    data = p.read_bytes()
    for src in (io.BytesIO(data), _Stream(data)):
        es = read_vectors(src, filename="upload_" + filename)
        assert es.tokens == uni_set.tokens and es.name == "upload_s"
        np.testing.assert_array_equal(es.vectors, uni_set.vectors)


@pytest.fixture(scope="module")
def medium_file(tmp_path_factory) -> tuple[Path, EmbeddingSet]:
    rng = np.random.default_rng(0)
    es = EmbeddingSet([f"w{i}" for i in range(3000)], rng.standard_normal((3000, 100)).astype(np.float32))
    p = tmp_path_factory.mktemp("fmt") / "medium.vec"
    write_word2vec(es, p)
    return p, es


def test_progress_increases_to_one(medium_file):
    path, ref = medium_file
    seen: list[float] = []
    es = read_vectors(path, progress=seen.append)
    np.testing.assert_array_equal(es.vectors, ref.vectors)
    assert len(seen) >= 5  # several chunks
    assert all(b > a for a, b in zip(seen, seen[1:]))
    assert seen[0] >= 0.0 and seen[-1] == 1.0


def test_text_reading_memory_stays_near_the_array(tmp_path):
    rng = np.random.default_rng(0)
    n, d = 50_000, 100
    path = tmp_path / "big.txt"
    with open(path, "w") as f:
        f.write(f"{n} {d}\n")
        rows = [" %.5f" * d % tuple(r) for r in rng.standard_normal((5000, d)).tolist()]
        for s in range(0, n, 5000):  # the values repeat every 5000 rows; the tokens do not
            f.write("".join(f"w{s + i}{r}\n" for i, r in enumerate(rows)))
    tracemalloc.start()
    try:
        es = read_vectors(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert es.vectors.shape == (n, d)
    assert peak < 2.5 * es.vectors.nbytes, f"peak {peak / 1e6:.1f} MB for a {es.vectors.nbytes / 1e6:.1f} MB array"


def test_embedlab_load_reads_files(uni_set, tmp_path):
    p = write_word2vec(uni_set, tmp_path / "mine.vec")
    es = embedlab.load(str(p))
    assert es.tokens == uni_set.tokens and es.name == "mine"


def test_formats_constant_lists_all_readers():
    assert FORMATS == ("word2vec-text", "word2vec-binary", "glove", "projector-tsv", "npy")


def test_no_warning_for_clean_files(uni_set, tmp_path):
    p = write_word2vec(uni_set, tmp_path / "clean.txt")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_vectors(p)


def test_missing_path():
    with pytest.raises(EmbeddingFormatError, match="no such vector file"):
        read_vectors(os.path.join("nowhere", "x.vec"))


def test_odd_lines_inside_large_chunks_are_read_exactly():
    # enough rows for several chunks of many lines, so that the bulk parser refuses a chunk and it is halved
    rng = np.random.default_rng(0)
    n, d = 6000, 20
    vecs = rng.standard_normal((n, d)).astype(np.float32)
    tokens = [f"w{i}" for i in range(n)]
    tokens[1000], tokens[4500] = ". . .", "at x@y.com"
    lines = [t + "".join(" %.9g" % x for x in row) for t, row in zip(tokens, vecs.tolist())]
    lines.insert(3000, "")
    es, rep = read_vectors_report(io.BytesIO(("\n".join(lines) + "\n").encode()))
    assert rep.spaced_tokens == 2 and rep.blank_lines_skipped == 1
    assert es.tokens == tuple(tokens)
    np.testing.assert_array_equal(es.vectors, vecs)


def test_forced_binary_on_a_text_file_is_refused():
    with pytest.raises(EmbeddingFormatError, match="written as text: read it as word2vec-text"):
        read_vectors(io.BytesIO(b"2 2\na 0.5 1\nb 1 2\n"), format="word2vec-binary")
