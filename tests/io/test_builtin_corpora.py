"""The built-in corpora: the seeded toy corpus and gensim's Lee corpus read in place."""
from __future__ import annotations

from pathlib import Path

import pytest

from embedlab.core.errors import CorpusError, InvalidParameterError
from embedlab.io import builtin_corpora as bc
from embedlab.io.builtin_corpora import builtin_corpus, toy_corpus
from embedlab.io.corpus import Corpus


def test_toy_corpus_is_seeded_and_planted():
    a, b, c = toy_corpus(200, seed=3), toy_corpus(200, seed=3), toy_corpus(200, seed=4)
    assert a.sentences == b.sentences != c.sentences
    big = toy_corpus()
    counts = big.counts()
    for word in bc.TOY_WATCH_WORDS:
        assert counts[word] > 100
    assert isinstance(big, Corpus) and big.encoding == ""
    with pytest.raises(InvalidParameterError, match="n_sentences"):
        toy_corpus(0)


def test_lee_corpus_is_read_from_gensim_in_place():
    import gensim

    path = bc.lee_corpus_path()
    assert Path(gensim.__file__).parent in path.parents
    c = builtin_corpus("lee")
    assert c.n_documents == 300 and 50_000 < c.n_tokens < 70_000
    assert c.name == "lee_background"
    with pytest.raises(CorpusError, match="unknown built-in corpus 'nope'; choose one of: toy, lee"):
        builtin_corpus("nope")
