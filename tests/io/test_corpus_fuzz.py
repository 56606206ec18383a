"""Property-based tests: every corpus reader (text, CSV, zip, pasted text), fed arbitrary, malformed or
adversarial input, either returns a consistent Corpus or raises CorpusError. Any other exception fails."""
from __future__ import annotations

import io
import os
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embedlab.io.corpus import Corpus, TokenizeOptions, corpus_from_text, csv_columns, read_corpus
from embedlab.core.errors import CorpusError

# a few seconds in the suite; set EMBEDLAB_FUZZ_EXAMPLES=5000 for a long hunt by hand
FUZZ = settings(max_examples=int(os.environ.get("EMBEDLAB_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

NAMES = st.sampled_from(["a.txt", "b.md", "c.cor", "d.csv", "e.tsv", "f.zip", "g.text"])
OPTIONS = st.builds(TokenizeOptions, lowercase=st.booleans(), strip_punctuation=st.booleans())


def _check(data: bytes, filename: str, *, column: str | None = None, options=None) -> Corpus | None:
    try:
        c = read_corpus(io.BytesIO(data), filename=filename, text_column=column, options=options)
    except CorpusError as exc:
        assert str(exc)
        return None
    assert isinstance(c, Corpus) and c.sentences
    assert all(isinstance(t, str) and t and not any(ch.isspace() for ch in t) for s in c.sentences for t in s)
    assert c.n_tokens == sum(len(s) for s in c.sentences) > 0
    return c


@FUZZ
@given(data=st.binary(max_size=800), name=NAMES, options=OPTIONS)
def test_arbitrary_bytes(data, name, options):
    _check(data, name, column="text", options=options)


@FUZZ
@given(text=st.text(max_size=400), name=st.sampled_from(["a.txt", "d.csv"]),
       enc=st.sampled_from(["utf-8", "utf-16", "utf-8-sig", "cp1252", "latin-1"]))
def test_arbitrary_text_in_any_encoding(text, name, enc):
    try:
        data = text.encode(enc)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    _check(data, name)


@FUZZ
@given(text=st.text(max_size=400), options=OPTIONS)
def test_pasted_text(text, options):
    try:
        c = corpus_from_text(text, options=options)
    except CorpusError:
        return
    assert c.n_tokens > 0


@FUZZ
@given(data=st.binary(max_size=400))
def test_csv_columns(data):
    try:
        cols = csv_columns(data, filename="x.csv")
    except CorpusError:
        return
    assert all(isinstance(c, str) for c in cols)


MEMBER = st.one_of(
    st.sampled_from(["a.txt", "dir/b.txt", "dir/", "x/y/z.txt", "../up.txt", "/abs.txt", "C:\\w.txt",
                     "..\\w.txt", "a/../../b.txt", "__MACOSX/._a.txt", ".hidden.txt", "pic.png", "", "dir\\c.md"]),
    st.text(max_size=20),
)


@st.composite
def zips(draw):
    members = draw(st.lists(st.tuples(MEMBER, st.binary(max_size=120) | st.text(max_size=120).map(str.encode)),
                            min_size=0, max_size=6, unique_by=lambda m: m[0] or "empty"))
    compression = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                        zipfile.ZIP_LZMA]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members:
            try:
                zf.writestr(zipfile.ZipInfo(name or "empty"), data, compress_type=compression)
            except (ValueError, UnicodeEncodeError):
                pass
    return buf.getvalue(), [n for n, _ in members]


@FUZZ
@given(z=zips())
def test_adversarial_zips(z):
    data, names = z
    c = _check(data, "f.zip")
    if c is not None:   # accepted: no member had an unsafe or nested name
        for n in names:
            norm = n.replace("\\", "/")
            if norm.lower().endswith((".txt", ".md", ".cor", ".text")) and not norm.startswith("__MACOSX"):
                assert not norm.startswith("/") and ".." not in norm.split("/")
                assert norm.count("/") <= 1


@FUZZ
@given(z=zips(), flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.integers(0, 10_000))
def test_corrupted_zips(z, flips, cut):
    data = bytearray(z[0])
    if not data:
        return
    for pos, value in flips:
        data[pos % len(data)] = value
    _check(bytes(data[: max(1, cut % (len(data) + 1))]) if cut % 3 == 0 else bytes(data), "f.zip")
