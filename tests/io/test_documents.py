"""Reading, encoding and searching documents."""
from __future__ import annotations

import pytest

from embedlab import CorpusError, EmbedLabError, InvalidParameterError
from embedlab.io import documents as dm


def test_lines_are_documents_and_empty_lines_are_counted():
    d = dm.read_documents("one\n\n  two  words \n\nthree\n", mode="lines")
    assert d.texts == ("one", "two words", "three") and d.skipped_empty == 2 and d.mode == "lines"


def test_paragraphs_join_their_lines():
    d = dm.read_documents("first para\ncontinues here\n\nsecond para\n", mode="paragraphs")
    assert d.texts == ("first para continues here", "second para")


def test_auto_mode_picks_paragraphs_only_for_multi_line_blocks():
    assert dm.read_documents("a b\nc d\n\ne f\n").mode == "paragraphs"
    assert dm.read_documents("a b\nc d\ne f\n").mode == "lines"


def test_txt_upload_in_utf8_and_latin1(tmp_path):
    assert dm.read_documents("café\nthé\n".encode("utf-8"), filename="notes.txt").texts == ("café", "thé")
    assert dm.read_documents("café\n".encode("latin-1"), filename="old.TXT").texts == ("café",)


def test_csv_column_choice_and_default_column():
    data = b"id,title,body\n1,Cats,Cats purr when they are content\n2,Cars,Cars need fuel to run far\n3,Empty,\n"
    assert dm.csv_columns(data) == ["id", "title", "body"]
    d = dm.read_documents(data, filename="notes.csv")
    assert d.mode == "csv" and d.column == "body"       # the column with the most text
    assert d.texts == ("Cats purr when they are content", "Cars need fuel to run far") and d.skipped_empty == 1
    assert dm.read_documents(data, filename="notes.csv", column="title").texts == ("Cats", "Cars", "Empty")


def test_csv_with_semicolons_and_quotes():
    data = 'name;text\n"A";"one; with a semicolon"\n"B";"two"\n'
    assert dm.read_documents(data, mode="csv", column="text").texts == ("one; with a semicolon", "two")


def test_bad_inputs_raise_corpus_errors():
    with pytest.raises(CorpusError, match=r"unsupported file type \.pdf; allowed: \.txt, \.csv"):
        dm.read_documents(b"x", filename="paper.pdf")
    with pytest.raises(CorpusError, match="binary file"):
        dm.read_documents(b"\x89PNG\x00\x00", filename="image.txt")
    with pytest.raises(CorpusError, match="has no documents"):
        dm.read_documents("\n  \n\n")
    with pytest.raises(CorpusError, match="has no column 'text'; its columns are: a, b"):
        dm.read_documents("a,b\n1,2\n", mode="csv", column="text")
    with pytest.raises(CorpusError, match="has no rows"):
        dm.read_documents("\n\n", mode="csv")
    with pytest.raises(CorpusError, match="the limit is 5,000"):
        dm.read_documents("\n".join(f"doc {i}" for i in range(dm.MAX_DOCUMENTS + 1)))
    with pytest.raises(InvalidParameterError, match="mode='words' is not allowed; must be one of: auto, lines, paragraphs, csv"):
        dm.read_documents("x", mode="words")
    # all of them are what the app catches
    assert issubclass(CorpusError, EmbedLabError)


def test_labels_are_short_and_unique():
    labels = dm.document_labels(["same", "same", "same", "y" * 100], width=20)
    assert labels[:3] == ["same", "same (2)", "same (3)"]
    assert len(labels[3]) == 20 and labels[3].endswith("…")
