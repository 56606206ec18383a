"""Labelled data for the classification lesson: the built-in sets and an uploaded CSV."""
from __future__ import annotations

import pytest

from embedlab import CorpusError, EmbedLabError, InvalidParameterError
from embedlab.lessons import labelled as lab
from embedlab import LabelledDataError


# -- data ---------------------------------------------------------------------------------------
def test_polarity_sentences_are_the_200_tagged_lines():
    d = lab.polarity_sentences()
    assert d.kind == "sentences" and len(d.items) == 200
    assert d.counts() == {"neg": 100, "pos": 100}
    assert d.items[0] == "simplistic , silly and tedious ." and d.labels[0] == "neg"
    assert not any(i.startswith("__label__") for i in d.items)


def test_word_categories_follow_the_analogy_sections():
    d = lab.word_categories()
    label = dict(zip(d.items, d.labels))
    assert label["athens"] == "capital" and label["greece"] == "country"   # capital-common-countries
    assert label["dinar"] == "currency" and label["algeria"] == "country"  # currency: country currency
    assert label["chicago"] == "us-city" and label["illinois"] == "us-state"
    assert label["boy"] == "family" and label["sister"] == "family"
    assert "georgia" not in label                   # a country and a US state: left out, and said
    assert d.notes == ("1 word found in two categories left out: georgia",)   # "1 words" before
    assert len(d.items) == len(set(d.items))        # each word once
    assert all(w == w.lower() for w in d.items)


def test_word_categories_chosen_ones_only():
    d = lab.word_categories(["family", "us-state"])
    assert d.classes == ("family", "us-state")
    assert "georgia" not in d.items                 # ambiguity does not depend on the choice


@pytest.mark.parametrize("bad", [["family"], ["family", "planets"], ["family", "family"]])
def test_word_categories_refuses_bad_choices(bad):
    with pytest.raises(InvalidParameterError, match="categories="):
        lab.word_categories(bad)


# -- uploaded CSV -------------------------------------------------------------------------------
def test_labelled_csv_columns_by_name_or_position():
    d = lab.read_labelled_csv(b"label;text\npos;a fine film\nneg;dull\npos;fun\nneg;bad\n", filename="r.csv")
    assert d.items == ("a fine film", "dull", "fun", "bad") and d.labels == ("pos", "neg", "pos", "neg")
    d = lab.read_labelled_csv(b"review,stars\ngood,5\nok,5\nawful,1\nbad,1\n")   # first = text, second = label
    assert d.items[0] == "good" and d.counts() == {"1": 2, "5": 2}
    d = lab.read_labelled_csv(b"id,stars,review\n1,5,good\n2,5,ok\n3,1,awful\n4,1,bad\n",
                            text_column="review", label_column="stars", kind="words")
    assert d.kind == "words" and d.items == ("good", "ok", "awful", "bad")


@pytest.mark.parametrize("data, kwargs, match", [
    (b"text,label\na,x\nb,\nc,y\n", {}, r"bad\.csv, row 3: the 'label' cell \(the label\) is empty"),
    (b"text,label\na,x\n,y\nc,y\n", {}, r"row 3: the 'text' cell is empty"),
    (b"id,text,label\n1,a,x\n2,b\n3,c,y\n", {}, r"row 3: has 2 cells; the 'label' column is missing"),
    (b"text,label\na,x\nb,x\n", {}, r"only one class \('x'\)"),
    (b"text,label\na,x\nb,x\nc,y\n", {}, r"class 'y' has a single item"),
    (b"text,label\na,x\nb,y\n", {"label_column": "tag"}, r"no column 'tag'; the columns are: text, label"),
    (b"text\na\nb\n", {}, r"needs two columns"),
    (b"text,label\n", {}, r"no data rows after the header line"),
    (b"\x00\x01\x02binary", {}, r"binary"),
])
def test_bad_labelled_csv_names_the_problem(data, kwargs, match):
    with pytest.raises(LabelledDataError, match=match) as info:
        lab.read_labelled_csv(data, filename="bad.csv", **kwargs)
    assert isinstance(info.value, CorpusError) and isinstance(info.value, EmbedLabError)


def test_labelled_csv_row_attribute_and_size_caps(monkeypatch):
    with pytest.raises(LabelledDataError) as info:
        lab.read_labelled_csv(b"text,label\na,x\n\nb,\n", filename="t.csv")
    assert info.value.row == 4                       # the file's line, blank lines counted
    monkeypatch.setattr(lab, "MAX_LABELLED_ROWS", 3)
    with pytest.raises(LabelledDataError, match="more than 3 rows; the limit is 3"):
        lab.read_labelled_csv(b"text,label\na,x\nb,x\nc,y\nd,y\n")
    monkeypatch.setattr(lab, "MAX_LABELLED_BYTES", 10)
    with pytest.raises(LabelledDataError, match="the limit"):
        lab.read_labelled_csv(b"text,label\na,x\nb,y\n")


def test_labelled_csv_from_a_path_a_file_object_and_pasted_text(tmp_path):
    import io

    raw = "text,label\ngreat,pos\nfine,pos\nawful,neg\nbad,neg\n"
    path = tmp_path / "reviews.csv"
    path.write_text(raw, encoding="utf-8")
    for source in (path, io.BytesIO(raw.encode()), raw):
        assert lab.read_labelled_csv(source).items == ("great", "fine", "awful", "bad")
    with pytest.raises(LabelledDataError, match="cannot read"):
        lab.read_labelled_csv(tmp_path / "missing.csv")
    with pytest.raises(LabelledDataError, match="cannot read a corpus from int"):
        lab.read_labelled_csv(42)
