"""Property-based tests: every vector reader, fed arbitrary or corrupted bytes, either returns a
consistent EmbeddingSet (finite vectors, one row per token) or raises EmbeddingFormatError.
Any other exception fails."""
from __future__ import annotations

import io
import os
import warnings

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from embedlab import EmbeddingFormatError, EmbeddingSet
from embedlab.io.formats import FORMATS, read_vectors, write_npy, write_projector_tsv, write_word2vec

# a few seconds in the suite; set EMBEDLAB_FUZZ_EXAMPLES=5000 for a long hunt by hand
FUZZ = settings(max_examples=int(os.environ.get("EMBEDLAB_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _check(data: bytes, fmt: str | None, *, vocab: bytes | None = None, metadata: bytes | None = None,
           filename: str = "fuzz.bin") -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DuplicateTokenWarning is a documented outcome
            es = read_vectors(io.BytesIO(data), format=fmt, filename=filename,
                              vocab=None if vocab is None else io.BytesIO(vocab),
                              metadata=None if metadata is None else io.BytesIO(metadata))
    except EmbeddingFormatError as exc:
        assert str(exc)  # a message for the user
        return
    assert isinstance(es, EmbeddingSet)
    assert es.vectors.dtype == np.float32 and es.vectors.ndim == 2
    assert es.vectors.shape[0] == len(es.tokens) >= 1
    assert np.isfinite(es.vectors).all()
    assert len(set(es.tokens)) == len(es.tokens)


@FUZZ
@given(data=st.binary(max_size=600), fmt=st.sampled_from((None,) + FORMATS))
def test_arbitrary_bytes(data, fmt):
    _check(data, fmt, vocab=b"a\nb\n")


@FUZZ
@given(head=st.sampled_from([b"3 2\n", b"2 2\n", b"a 1 2\n", b"1\t2\n", b"\x93NUMPY", b"\xef\xbb\xbf", b""]),
       data=st.binary(max_size=300), fmt=st.sampled_from((None,) + FORMATS))
def test_plausible_start_then_garbage(head, data, fmt):
    _check(head + data, fmt, vocab=b"a\nb\n")


TOKEN = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=6)


@st.composite
def valid_files(draw):
    n = draw(st.integers(1, 5))
    d = draw(st.integers(1, 4))
    tokens = draw(st.lists(TOKEN, min_size=n, max_size=n, unique=True))
    vecs = np.asarray(draw(st.lists(st.lists(st.floats(-1e6, 1e6, width=32), min_size=d, max_size=d),
                                    min_size=n, max_size=n)), dtype=np.float32)
    es = EmbeddingSet(tokens, vecs)
    kind = draw(st.sampled_from(["text", "binary", "glove", "tsv", "npy"]))
    if kind == "glove" and d == 1:
        # "12 0.5" as the first line of a header-less file is read as a word2vec header: inherent ambiguity
        assume(not tokens[0].isdigit())
    return es, kind


def _serialise(es: EmbeddingSet, kind: str, tmp) -> tuple[bytes, bytes | None, bytes | None]:
    if kind in ("text", "glove", "binary"):
        p = write_word2vec(es, tmp / "v", binary=kind == "binary")
        data = p.read_bytes()
        if kind == "glove":
            data = data.split(b"\n", 1)[1]
        return data, None, None
    if kind == "tsv":
        vp, mp = write_projector_tsv(es, tmp / "vectors.tsv")
        return vp.read_bytes(), None, mp.read_bytes()
    npy, voc = write_npy(es, tmp / "v.npy", tmp / "v.vocab.txt")
    return npy.read_bytes(), voc.read_bytes(), None


MUTATIONS = ["truncate", "nan", "extra_field", "drop_field", "header_rows", "header_dim", "bad_utf8", "delete",
             "dup_line", "flip_byte", "blank_line"]


def _mutate(data: bytes, how: str, pos: int, byte: int) -> bytes:
    pos = pos % (len(data) + 1)
    nl = data.find(b"\n")
    if how == "truncate":
        return data[:pos]
    if how == "nan":
        return data[:pos] + b" nan" + data[pos:]
    if how == "extra_field":
        line_end = data.find(b"\n", pos)
        line_end = len(data) if line_end < 0 else line_end
        return data[:line_end] + b" 0.5" + data[line_end:]
    if how == "drop_field":
        sp = data.rfind(b" ", 0, pos)
        if sp < 0:
            return data
        nxt = data.find(b" ", sp + 1)
        return data[:sp] + (data[nxt:] if nxt >= 0 else b"")
    if how == "header_rows" and nl > 0:
        return str(byte).encode() + b" " + data[:nl].split(b" ")[-1] + data[nl:]
    if how == "header_dim" and nl > 0:
        return data[:nl].split(b" ")[0] + b" " + str(byte % 9).encode() + data[nl:]
    if how == "bad_utf8":
        return data[:pos] + bytes([0x80 + byte % 64]) + data[pos:]
    if how == "delete":
        return data[:pos] + data[pos + 1 + byte % 8:]
    if how == "dup_line":
        lines = data.split(b"\n")
        i = pos % len(lines)
        return b"\n".join(lines[:i + 1] + lines[i:])
    if how == "flip_byte" and data:
        i = pos % len(data)
        return data[:i] + bytes([data[i] ^ (1 + byte % 255)]) + data[i + 1:]
    if how == "blank_line":
        return data[:pos] + b"\n\n" + data[pos:]
    return data


@FUZZ
@given(case=valid_files(), how=st.sampled_from(MUTATIONS), pos=st.integers(0, 10_000), byte=st.integers(0, 255),
       forced=st.booleans())
def test_corrupted_valid_files(tmp_path_factory, case, how, pos, byte, forced):
    es, kind = case
    tmp = tmp_path_factory.mktemp("fz")
    data, vocab, meta = _serialise(es, kind, tmp)
    fmt = {"text": "word2vec-text", "binary": "word2vec-binary", "glove": "glove", "tsv": "projector-tsv",
           "npy": "npy"}[kind] if forced else None
    _check(_mutate(data, how, pos, byte), fmt, vocab=vocab, metadata=meta)
    if vocab is not None:
        _check(data, fmt, vocab=_mutate(vocab, how, pos, byte))
    if meta is not None:
        _check(data, fmt, metadata=_mutate(meta, how, pos, byte))


@FUZZ
@given(case=valid_files())
def test_uncorrupted_files_round_trip(tmp_path_factory, case):
    es, kind = case
    data, vocab, meta = _serialise(es, kind, tmp_path_factory.mktemp("rt"))
    back = read_vectors(io.BytesIO(data), vocab=None if vocab is None else io.BytesIO(vocab),
                        metadata=None if meta is None else io.BytesIO(meta))
    assert back.tokens == es.tokens
    np.testing.assert_array_equal(back.vectors, es.vectors)


@FUZZ
@given(meta=st.binary(max_size=200))
def test_arbitrary_metadata(meta):
    _check(b"1\t0\n0\t1\n", None, metadata=meta)
