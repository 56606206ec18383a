"""Corpus reading, tokenizing and statistics; one test per kind of bad input."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np
import pytest

from embedlab.io import archive
from embedlab.io import corpus as cp
from embedlab.io.corpus import (TokenizeOptions, corpus_from_text, corpus_stats, csv_columns, read_corpus,
                                tokenize)
from embedlab.io.text import decode_text
from embedlab.core.errors import CorpusError, InvalidParameterError

TEXT = "The king rules the land.\nThe queen rules the land too!\n"


def make_zip(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buf.getvalue()


# -- decoding -------------------------------------------------------------------------------------------------
def test_utf8_and_bom_are_read_as_utf8():
    assert decode_text("naïve café".encode()) == ("naïve café", "utf-8")
    assert decode_text(b"\xef\xbb\xbfhello") == ("hello", "utf-8-sig")
    assert decode_text("hi there".encode("utf-16"))[0] == "hi there"


def test_cp1252_fallback_is_reported(tmp_path):
    p = tmp_path / "old.txt"
    p.write_bytes("Über café naïve – “quotes”".encode("cp1252"))
    c = read_corpus(p)
    assert c.encoding == "cp1252"
    assert any("cp1252" in n for n in c.notes)
    assert c.sentences[0][:2] == ("über", "café")


def test_empty_file_is_refused(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(CorpusError, match="empty.txt is empty"):
        read_corpus(p)


def test_whitespace_only_text_is_empty():
    with pytest.raises(CorpusError, match="is empty"):
        decode_text(b"  \n\t \r\n", name="blank.txt")


def test_binary_file_with_nul_bytes_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    with pytest.raises(CorpusError, match="binary"):
        read_corpus(png, filename="picture.txt")


def test_control_character_garbage_is_refused():
    junk = bytes([1, 2, 3, 4, 5, 6, 7, 14, 15, 16]) * 50 + b"some words"
    with pytest.raises(CorpusError, match="binary"):
        decode_text(junk, name="junk.txt")


def test_undecodable_text_is_refused():
    # invalid UTF-8, and 0x81 / 0x8d are undefined in Windows-1252
    with pytest.raises(CorpusError, match="cannot be decoded.*not UTF-8.*Windows-1252"):
        read_corpus(b"abc \x81\x8d def", filename="bad.txt")


def test_bad_utf16_after_bom_is_refused():
    with pytest.raises(CorpusError, match="byte-order mark"):
        decode_text(b"\xff\xfea\x00b")


# -- sources ------------------------------------------------------------------------------------------------------
def test_plain_text_file_and_file_like(tmp_path):
    p = tmp_path / "story.md"
    p.write_text(TEXT, encoding="utf-8")
    a = read_corpus(p)
    b = read_corpus(io.BytesIO(TEXT.encode()), filename="story.md")
    assert a.sentences == b.sentences == (("the", "king", "rules", "the", "land"),
                                          ("the", "queen", "rules", "the", "land", "too"))
    assert a.name == "story" and a.encoding == "utf-8"


def test_unsupported_extension_is_refused():
    with pytest.raises(CorpusError, match=r"unsupported file type '\.pdf'.*allowed: \.txt"):
        read_corpus(b"text", filename="paper.pdf")


def test_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(cp, "MAX_FILE_BYTES", 10)
    p = tmp_path / "big.txt"
    p.write_text("word " * 10)
    with pytest.raises(CorpusError, match="limit is 0 MB|the limit"):
        read_corpus(p)
    with pytest.raises(CorpusError, match="larger than"):
        read_corpus(io.BytesIO(b"word " * 10), filename="big.txt")


def test_too_many_tokens_is_refused():
    with pytest.raises(CorpusError, match="more than 5 tokens"):
        read_corpus(b"one two three four five six seven", filename="a.txt", max_tokens=5)


def test_text_without_words_is_refused():
    with pytest.raises(CorpusError, match="contains no words"):
        read_corpus(b"!!! ... ??? ---", filename="punct.txt")


def test_missing_file_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="cannot read nothere.txt"):
        read_corpus(tmp_path / "nothere.txt")


def test_pasted_text():
    c = corpus_from_text("Hello world. Hello again!")
    assert c.sentences == (("hello", "world"), ("hello", "again"))
    assert c.name == "pasted text"
    with pytest.raises(CorpusError, match="is empty"):
        corpus_from_text("   ")


def test_long_lines_are_cut_into_sentences():
    c = corpus_from_text("w " * (cp.MAX_SENTENCE_TOKENS + 5))
    assert [len(s) for s in c.sentences] == [cp.MAX_SENTENCE_TOKENS, 5]


# -- CSV ---------------------------------------------------------------------------------------------------------
CSV = b"id,review,stars\n1,\"Great film, loved it\",5\n2,Boring film,1\n"


def test_csv_text_column():
    assert csv_columns(CSV, filename="r.csv") == ["id", "review", "stars"]
    c = read_corpus(CSV, filename="r.csv", text_column="review")
    assert c.sentences == (("great", "film", "loved", "it"), ("boring", "film"))
    assert c.n_documents == 2 and "review" in c.source


def test_csv_without_the_chosen_column_is_refused():
    with pytest.raises(CorpusError, match="no column 'text'; its columns are: id, review, stars"):
        read_corpus(CSV, filename="r.csv", text_column="text")


def test_csv_with_several_columns_needs_a_choice():
    with pytest.raises(CorpusError, match="has 3 columns; choose the text column"):
        read_corpus(CSV, filename="r.csv")


def test_csv_single_column_and_tsv():
    c = read_corpus(b"text\nfirst row here\nsecond row\n", filename="one.csv")
    assert c.n_tokens == 5
    t = read_corpus(b"a\tb\nx y\tz\n", filename="t.tsv", text_column="b")
    assert t.sentences == (("z",),)


def test_csv_with_header_only_is_refused():
    with pytest.raises(CorpusError, match="no data rows"):
        read_corpus(b"text\n", filename="h.csv", text_column="text")


def test_csv_short_rows_are_counted():
    c = read_corpus(b"a,b\n1,hello there\n2\n", filename="s.csv", text_column="b")
    assert any("1 rows had no 'b'" in n for n in c.notes)


# -- zip ----------------------------------------------------------------------------------------------------------
def test_zip_of_text_files():
    data = make_zip({"a.txt": b"the king rules", "b.md": "the queen rules \u00e9".encode(), "pic.png": b"\x89PNG"})
    c = read_corpus(data, filename="texts.zip")
    assert c.n_documents == 2 and c.n_tokens == 7
    assert any("pic.png" in n for n in c.notes)


def test_zip_with_one_top_folder_is_allowed():
    data = make_zip({"corpus/": b"", "corpus/a.txt": b"one two", "corpus/b.txt": b"three",
                     "__MACOSX/corpus/._a.txt": b"\x00\x01"})
    c = read_corpus(data, filename="folder.zip")
    assert c.n_tokens == 3


def test_zip_with_nested_folders_is_refused():
    with pytest.raises(CorpusError, match="'corpus/deep/a.txt' is in nested folders"):
        read_corpus(make_zip({"corpus/deep/a.txt": b"words here"}), filename="n.zip")


def test_zip_with_several_folders_is_refused():
    with pytest.raises(CorpusError, match="several folders"):
        read_corpus(make_zip({"a/x.txt": b"one", "b/y.txt": b"two"}), filename="s.zip")


@pytest.mark.parametrize("name, why", [("/etc/passwd.txt", "absolute path"), ("C:/x.txt", "absolute path"),
                                       ("\\\\server\\x.txt", "absolute path"), ("../up.txt", r"'\.\.'"),
                                       ("a/../../up.txt", r"'\.\.'"), ("..\\up.txt", r"'\.\.'")])
def test_zip_with_unsafe_member_names_is_refused(name, why):
    with pytest.raises(CorpusError, match=why):
        read_corpus(make_zip({name: b"words"}), filename="evil.zip")


def test_zip_bomb_by_declared_size_is_refused(monkeypatch):
    monkeypatch.setattr(archive, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    data = make_zip({"zeros.txt": b"a " * 1_000_000})     # 2 MB that compresses to a few kB
    assert len(data) < 20_000
    with pytest.raises(CorpusError, match="would unpack to 1.9 MB; the limit is 1 MB"):
        read_corpus(data, filename="bomb.zip")


def test_zip_bomb_whose_members_together_exceed_the_cap_is_refused_by_the_size_guard(monkeypatch):
    # a real archive (true sizes, correct CRCs) whose members are each under the cap but unpack beyond it
    # together: the declared-size guard refuses it before anything is unpacked (not a CRC or read error)
    monkeypatch.setattr(archive, "MAX_UNCOMPRESSED_BYTES", 1 << 20)
    members = {"a.txt": b"a " * 300_000, "b.txt": b"b " * 300_000}
    data = make_zip(members)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None                                          # every CRC is right
        assert [i.file_size for i in zf.infolist()] == [600_000, 600_000]    # each under the cap of 1 MB
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or io.BytesIO(b""))
    with pytest.raises(CorpusError, match=r"^bomb\.zip would unpack to 1\.1 MB; the limit is 1 MB$"):
        read_corpus(data, filename="bomb.zip")
    assert opened == []                                                      # refused before reading


def _declare_size(data: bytes, new_size: int, crc: int) -> bytes:
    """Rewrite the uncompressed size and CRC in the local header and the central directory (one member)."""
    b = bytearray(data)
    struct.pack_into("<I", b, 14, crc)                                       # local file header
    struct.pack_into("<I", b, 22, new_size)
    cd = b.rfind(b"PK\x01\x02")
    struct.pack_into("<I", b, cd + 16, crc)                                  # central directory entry
    struct.pack_into("<I", b, cd + 24, new_size)
    return bytes(b)


def test_zip_member_declaring_less_than_it_holds_yields_only_what_it_declares():
    # a member that under-declares its size (with the CRC of what it declares) is read only up to its
    # declared size, so the declared-size guard bounds what an archive can unpack
    full = b"a " * 200_000
    data = _declare_size(make_zip({"small.txt": full}), 50, zlib.crc32(full[:50]))
    c = read_corpus(data, filename="liar.zip")
    assert c.n_tokens == 25 and c.counts() == {"a": 25}


def test_zip_reading_counts_bytes(monkeypatch):
    # declared sizes are under the cap, but the members stream more than they declare
    monkeypatch.setattr(archive, "MAX_UNCOMPRESSED_BYTES", 150)
    data = make_zip({"a.txt": b"w " * 30, "b.txt": b"w " * 30})
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info, *a, **k: io.BytesIO(b"w " * 100))
    with pytest.raises(CorpusError, match="more than 0 MB .*more than it declares"):
        read_corpus(data, filename="bomb.zip")


def test_zip_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(archive, "MAX_ZIP_MEMBERS", 3)
    data = make_zip({f"{i}.txt": b"word" for i in range(4)})
    with pytest.raises(CorpusError, match="lists 4 entries; the limit is 3"):
        read_corpus(data, filename="many.zip")


def test_zip_without_text_files_is_refused():
    with pytest.raises(CorpusError, match="contains no text files"):
        read_corpus(make_zip({"a.png": b"\x89PNG"}), filename="p.zip")


def test_not_a_zip_is_refused():
    with pytest.raises(CorpusError, match="not a readable zip archive"):
        read_corpus(b"PK\x03\x04 this is not really a zip", filename="fake.zip")


def test_binary_member_in_zip_is_refused():
    with pytest.raises(CorpusError, match="z.zip/bin.txt looks like a binary file"):
        read_corpus(make_zip({"bin.txt": b"\x00\x01\x02" * 10}), filename="z.zip")


# -- tokenizing ------------------------------------------------------------------------------------------------------
def test_tokenize_options():
    assert tokenize("Hi, Bob!", options=TokenizeOptions(lowercase=False)) == [["Hi", "Bob"]]
    assert tokenize("Hi, Bob!", options=TokenizeOptions(strip_punctuation=False)) == [["hi", ",", "bob", "!"]]
    assert tokenize("don't stop-start") == [["don't", "stop-start"]]


def test_phrases_join_frequent_pairs():
    text = "\n".join(f"w{i} new york v{i}" for i in range(30)) + "\na new car\nyork minster"
    c = corpus_from_text(text, options=TokenizeOptions(phrases=True, phrase_min_count=3, phrase_threshold=1.0))
    assert c.counts()["new_york"] == 30 and c.counts()["new"] == 1
    assert "new_york" not in corpus_from_text(text).counts()


def test_bad_tokenize_options():
    with pytest.raises(InvalidParameterError, match="phrase_min_count"):
        TokenizeOptions(phrase_min_count=0)


# -- statistics ---------------------------------------------------------------------------------------------
def test_corpus_stats():
    c = corpus_from_text("a a a b b c\nd")
    s = corpus_stats(c, top=2, min_count=2)
    assert (s.n_tokens, s.n_types, s.n_sentences) == (7, 4, 2)
    assert s.top == (("a", 3), ("b", 2))
    assert s.counts.tolist() == [3, 2, 1, 1] and s.words == ("a", "b", "c", "d")
    assert (s.types_kept, s.tokens_kept) == (2, 5)
    with pytest.raises(InvalidParameterError, match="min_count"):
        corpus_stats(c, min_count=0)


def test_corpus_is_immutable():
    c = corpus_from_text(TEXT)
    with pytest.raises(AttributeError):
        c.name = "x"
    assert isinstance(c.sentences, tuple) and isinstance(c.sentences[0], tuple)
    assert np.asarray(corpus_stats(c).counts).flags.writeable is False
