"""One text/CSV reader: the same bytes read the same way for training corpora and for documents."""
from __future__ import annotations

import csv

import pytest

from embedlab.core.errors import CorpusError
from embedlab.io import corpus as cp
from embedlab.io import documents as dm
from embedlab.io.text import MAX_FIELD_CHARS, csv_columns, csv_header, csv_rows, decode_text

# bytes each page used to read differently: 0x80 and 0x93/0x94 are the euro sign and curly quotes in
# cp1252 but C1 control characters in Latin-1 (the Documents page's old fallback)
CP1252 = "price: 5 € “ok”\n".encode("cp1252")


def test_policy_utf8_bom_utf16_then_cp1252():
    assert decode_text("naïve".encode()) == ("naïve", "utf-8")
    assert decode_text(b"\xef\xbb\xbfhi") == ("hi", "utf-8-sig")
    assert decode_text("hi".encode("utf-16")) == ("hi", "utf-16")
    assert decode_text(CP1252) == ("price: 5 € “ok”\n", "cp1252")


@pytest.mark.parametrize("data, message", [
    (b"", "x.txt is empty"),
    (b"abc\x00def", "x.txt looks like a binary file"),
    (bytes(range(1, 9)) * 40, "x.txt looks like a binary file"),
    (b"abc \x81 def", r"x.txt cannot be decoded: it is not UTF-8 .* nor Windows-1252"),
    (b"\xff\xfea\x00\x00\xd8", "byte-order mark but is not valid utf-16"),
    ("text", "x.txt: expected bytes, got str"),
])
def test_what_is_refused(data, message):
    with pytest.raises(CorpusError, match=message):
        decode_text(data, name="x.txt")


def test_same_bytes_same_text_through_the_corpus_and_the_documents_paths():
    text, enc = decode_text(CP1252, name="p.txt")
    docs = dm.read_documents(CP1252, filename="p.txt", mode="lines")
    corpus = cp.read_corpus(CP1252, filename="p.txt")
    assert docs.texts == (text.strip(),) and docs.encoding == enc == corpus.encoding == "cp1252"
    assert corpus.sentences == (("price", "5", "ok"),)
    # bytes undefined in cp1252 are refused on both pages (the Documents page used to read them as Latin-1)
    for read in (lambda d: dm.read_documents(d, filename="b.txt"), lambda d: cp.read_corpus(d, filename="b.txt")):
        with pytest.raises(CorpusError, match="cannot be decoded"):
            read(b"caf\xe9 \x81\n")


def test_same_csv_same_columns_and_cells_on_both_pages():
    data = "id;texte;note\n1;\"un café; serré\";5\n\n2;thé;\n".encode("cp1252")
    assert cp.csv_columns(data, filename="r.csv") == dm.csv_columns(data, name="r.csv") == ["id", "texte", "note"]
    docs = dm.read_documents(data, filename="r.csv", column="texte")
    corpus = cp.read_corpus(data, filename="r.csv", text_column="texte")
    assert docs.texts == ("un café; serré", "thé") and docs.encoding == corpus.encoding == "cp1252"
    assert corpus.sentences == (("un", "café", "serré"), ("thé",)) and corpus.n_documents == 2
    # blank header names read the same way too
    assert cp.csv_columns(b"a,,c\n1,2,3\n", filename="h.csv") == dm.csv_columns(b"a,,c\n1,2,3\n") == \
        ["a", "column 2", "c"]


def test_a_long_csv_cell_reads_on_both_pages():
    long_cell = "word " * 60_000                          # 300,000 characters: over csv's default limit
    assert len(long_cell) > csv.field_size_limit()
    data = f"id,text\n1,{long_cell}\n2,short one\n".encode()
    assert dm.read_documents(data, filename="l.csv", column="text").texts[0] == long_cell.strip()
    assert cp.read_corpus(data, filename="l.csv", text_column="text").n_tokens == 60_002
    assert csv.field_size_limit() < MAX_FIELD_CHARS     # the process-wide limit is put back


def test_a_cell_over_the_field_limit_fails_the_same_way_on_both_pages(monkeypatch):
    import embedlab.io.text as text_mod

    monkeypatch.setattr(text_mod, "MAX_FIELD_CHARS", 1000)
    data = ("id,text\n1," + "x" * 1001 + "\n").encode()
    for read in (lambda: dm.read_documents(data, filename="l.csv", column="text"),
                 lambda: cp.read_corpus(data, filename="l.csv", text_column="text")):
        with pytest.raises(CorpusError, match=r"l\.csv is not a readable CSV file: field larger than field limit"):
            read()


def test_csv_rows_sniff_skip_blank_rows_and_stop_early():
    assert csv_rows("a|b\n1|2\n\n3|4\n | \n") == [["a", "b"], ["1", "2"], ["3", "4"]]
    assert csv_rows("a b,c\n1 2,3\n", name="t.tsv") == [["a b,c"], ["1 2,3"]]          # .tsv: tabs
    assert csv_rows("a;b\n1;2\n", max_rows=1) == [["a", "b"]]
    assert csv_header([["  x ", ""]]) == ["x", "column 2"]
    assert csv_columns("only\n") == ["only"]
    with pytest.raises(CorpusError, match="e.csv has no rows; a CSV needs a header line"):
        csv_rows(" \n\n", name="e.csv")
