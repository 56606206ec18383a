"""Writers to streams and export_bytes: the same bytes as the path writers."""
from __future__ import annotations

import io

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.io.formats import (EXPORTS, export_bytes, read_vectors, write_npy, write_projector_tsv, write_vectors,
                                 write_word2vec)


@pytest.fixture
def plain():
    return EmbeddingSet(["king", "queen", "é"], np.array([[1, 0.5], [0.25, -2], [3, 1e-3]], dtype=np.float32))


@pytest.fixture
def with_meta():
    return EmbeddingSet(["a", "b"], np.eye(2, dtype=np.float32), meta={"kind": ["x", None], "n": [1, 2]})


def _path_bytes(es, part, tmp_path) -> bytes:
    if part == "word2vec-text":
        return write_word2vec(es, tmp_path / "v.txt").read_bytes()
    if part == "word2vec-binary":
        return write_word2vec(es, tmp_path / "v.bin", binary=True).read_bytes()
    if part.startswith("projector"):
        vp, mp = write_projector_tsv(es, tmp_path / "vectors.tsv")
        return (vp if part == "projector-vectors" else mp).read_bytes()
    npy, vocab = write_npy(es, tmp_path / "v.npy", tmp_path / "v.vocab.txt")
    return (npy if part == "npy" else vocab).read_bytes()


@pytest.mark.parametrize("part", EXPORTS)
def test_export_bytes_equal_the_path_writers(part, plain, with_meta, tmp_path):
    for es in (plain, with_meta):
        assert export_bytes(es, part) == _path_bytes(es, part, tmp_path)


def test_export_bytes_exact_content(plain, with_meta):
    assert export_bytes(plain, "word2vec-text") == "3 2\nking 1 0.5\nqueen 0.25 -2\né 3 0.00100000005\n".encode()
    assert export_bytes(plain, "projector-metadata") == "king\nqueen\né\n".encode()
    assert export_bytes(with_meta, "projector-metadata") == b"token\tkind\tn\na\tx\t1\nb\t\t2\n"
    assert export_bytes(plain, "projector-vectors") == b"1\t0.5\n0.25\t-2\n3\t0.00100000005\n"
    back = np.load(io.BytesIO(export_bytes(plain, "npy")), allow_pickle=False)
    assert back.dtype == np.float32 and back.tolist() == plain.vectors.tolist()
    binary = export_bytes(plain, "word2vec-binary")
    assert binary.startswith(b"3 2\nking ") and read_vectors(io.BytesIO(binary)).vectors.tolist() == plain.vectors.tolist()


def test_export_bytes_refuses_an_unknown_part_and_unwritable_tokens(plain):
    with pytest.raises(InvalidParameterError, match="part='csv' is not allowed; must be one of: word2vec-text"):
        export_bytes(plain, "csv")
    spaced = EmbeddingSet(["new york", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(InvalidParameterError, match="'new york'"):
        export_bytes(spaced, "word2vec-text")
    tabbed = EmbeddingSet(["a\tb", "c"], np.eye(2, dtype=np.float32))
    with pytest.raises(InvalidParameterError, match="tabs or line breaks"):
        export_bytes(tabbed, "projector-vectors")


def test_writers_accept_binary_and_text_streams(plain, tmp_path):
    want = write_word2vec(plain, tmp_path / "v.txt").read_bytes()
    b, t = io.BytesIO(), io.StringIO()
    assert write_word2vec(plain, b) is b and write_word2vec(plain, t) is t
    assert b.getvalue() == want and t.getvalue() == want.decode("utf-8")
    vb, mt = io.BytesIO(), io.StringIO()
    assert write_projector_tsv(plain, vb, mt) == (vb, mt)
    assert vb.getvalue() == export_bytes(plain, "projector-vectors") and mt.getvalue() == "king\nqueen\né\n"
    nb, vt = io.BytesIO(), io.StringIO()
    write_npy(plain, nb, vt)
    assert nb.getvalue() == export_bytes(plain, "npy") and vt.getvalue() == "king\nqueen\né\n"
    with open(tmp_path / "s.bin", "wb") as f:
        write_vectors(plain, f, format="word2vec-binary")
    assert (tmp_path / "s.bin").read_bytes() == export_bytes(plain, "word2vec-binary")
    assert not b.closed and not t.closed


def test_stream_writers_refuse_what_a_stream_cannot_hold(plain):
    with pytest.raises(InvalidParameterError, match="path=.* is not allowed; must be a path or a binary stream"):
        write_word2vec(plain, io.StringIO(), binary=True)
    with pytest.raises(InvalidParameterError, match="npy_path=.* is not allowed; must be a path or a binary stream"):
        write_npy(plain, io.StringIO(), io.StringIO())
    with pytest.raises(InvalidParameterError, match="metadata_path=None is not allowed"):
        write_projector_tsv(plain, io.BytesIO())
    with pytest.raises(InvalidParameterError, match="format=None is not allowed; must be one of: word2vec-text, "
                                                    "word2vec-binary"):
        write_vectors(plain, io.BytesIO())
    with pytest.raises(InvalidParameterError, match="binary=1 is not allowed; must be True or False"):
        write_word2vec(plain, io.BytesIO(), binary=1)
    with pytest.raises(InvalidParameterError, match="path=42 is not allowed; must be a path or a writable stream"):
        write_word2vec(plain, 42)


def test_write_vectors_format_overrides_the_extension(plain, tmp_path):
    out = write_vectors(plain, tmp_path / "odd.dat", format="word2vec-text")
    assert out == [tmp_path / "odd.dat"] and out[0].read_bytes() == export_bytes(plain, "word2vec-text")
