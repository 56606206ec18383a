"""Close-match suggestions: same answers as before, built once per vocabulary, remembered per word."""
import pickle

import numpy as np
import pytest

from embedlab import EmbeddingSet, UnknownTokenError
from embedlab.core import suggest
from embedlab.core.suggest import CloseMatches

pytestmark = pytest.mark.unit


def test_case_folded_matches_come_first_then_closest():
    m = CloseMatches(["ing", "kings", "wing", "king", "King"])
    assert m.suggest("Kingg") == ["king", "King", "kings"]
    assert m.suggest("KING", n=2) == ["king", "King"]
    assert m.suggest("king") == ["King", "kings", "ing"]   # the word itself is never suggested


def test_below_the_cutoff_nothing_is_suggested():
    assert CloseMatches(["apple", "banana"]).suggest("zebra") == []


def test_answers_are_remembered_per_word(monkeypatch):
    calls = []
    real = suggest.process.extract

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(suggest.process, "extract", counting)
    m = CloseMatches(["king", "queen"])
    assert m.suggest("kingg") == m.suggest("kingg") == ["king"]
    assert calls == ["kingg"]
    for i in range(suggest.MEMO_SIZE + 1):                   # the memo is bounded
        m.suggest(f"w{i}")
    m.suggest("kingg")
    assert calls.count("kingg") == 2


def test_a_set_builds_its_matcher_once(monkeypatch):
    es = EmbeddingSet(["king", "queen", "prince"], np.eye(3, dtype=np.float32))
    built = []
    real_init = CloseMatches.__init__

    def counting_init(self, vocabulary):
        built.append(len(vocabulary))
        real_init(self, vocabulary)

    monkeypatch.setattr(CloseMatches, "__init__", counting_init)
    for word in ("kingg", "quen", "princes"):
        with pytest.raises(UnknownTokenError):
            es.index(word)
    assert built == [3]
    assert "did you mean: queen" in str(es.unknown_error(["quenn"]))


def test_the_matcher_is_not_pickled_with_the_set_and_pickles_alone():
    es = EmbeddingSet(["king", "queen"], np.eye(2, dtype=np.float32))
    es.unknown_error(["kin"])
    assert "_close_matches" in es.__dict__
    again = pickle.loads(pickle.dumps(es))
    assert "_close_matches" not in again.__dict__
    m = pickle.loads(pickle.dumps(CloseMatches(["king"])))
    assert m.suggest("kingg") == ["king"]


def test_a_pasted_wall_of_text_is_cut_before_scoring():
    m = CloseMatches(["king"])
    assert m.suggest("king" + "x" * 100_000) == []


def test_an_error_for_many_missing_words_names_all_but_suggests_for_the_first_few(monkeypatch):
    from embedlab.core import errors
    es = EmbeddingSet([f"word{i}" for i in range(20)], np.eye(20, dtype=np.float32))
    asked = []
    real = CloseMatches.suggest
    monkeypatch.setattr(CloseMatches, "suggest", lambda self, w, n=3: asked.append(w) or real(self, w, n))
    missing = [f"wordd{i}" for i in range(40)]
    err = es.unknown_error(missing)
    assert all(repr(w) in str(err) for w in missing)
    assert asked == missing[:errors.MAX_SUGGESTED]
