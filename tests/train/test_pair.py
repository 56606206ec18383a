"""embedlab.train.pair: the built-in word2vec / fastText pair, trained once and then read from the disk cache."""
from dataclasses import replace

import numpy as np

from embedlab.train import pair


def test_the_pair_is_trained_once_then_read_back_identical(monkeypatch, tmp_path):
    # its own empty disk cache: another test in this process may have cached the one-epoch pair already
    # (it did under pytest-xdist, where the files run in another order)
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(pair, "PAIR_PARAMS", replace(pair.PAIR_PARAMS, epochs=1))     # quick: one epoch
    calls = []
    from embedlab.train import run

    original = run.train

    def counting(*args, **kwargs):
        calls.append(kwargs.get("name"))
        return original(*args, **kwargs)
    monkeypatch.setattr(run, "train", counting)
    w2v, ft = pair.demo_pair()
    assert (w2v.name, ft.name) == pair.PAIR_NAMES and calls == list(pair.PAIR_NAMES)
    assert "word2vec skip-gram" in w2v.origin and "fasttext skip-gram" in ft.origin
    assert w2v.tokens == ft.tokens and w2v.dim == ft.dim == 50 and len(w2v) > 1000
    again = pair.demo_pair()
    assert calls == list(pair.PAIR_NAMES)                          # no second training
    assert again[0].tokens == w2v.tokens and "(from the disk cache)" in again[0].origin
    np.testing.assert_array_equal(again[1].vectors, ft.vectors)
