"""Issue 15: the packed encoder pass (no padding, attention per length bucket, fused float32 kernels)
gives the padded pass's outputs, in any order of the texts and with or without the compiled kernels."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab.encoder import model, packed
from embedlab.encoder.tokenizer import tokenize_batch

TEXTS = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium.",
         "A man is playing a guitar.", "", "Cats sleep.", "Dogs bark loudly at night in the city.",
         "The cat sat on the mat.", "Stocks fell sharply after the announcement on Tuesday.", "Cats sleep!"]


def _padded(texts) -> np.ndarray:
    """The reference: one padded block per text set, padding masked out (model._forward)."""
    w = model.load_weights()
    ids, mask = model._pad(tokenize_batch(texts))
    h = model._forward(w, ids, mask)
    return model.unit_rows((h * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True))


@pytest.fixture(scope="module", autouse=True)
def kernels_ready():
    model.warm_up(wait=True)


def test_packed_equals_padded():
    np.testing.assert_allclose(model.encode_sentences(TEXTS), _padded(TEXTS), atol=1e-5)


@pytest.mark.parametrize("batch_size", [1, 3, 32])
def test_the_same_outputs_in_any_order(batch_size):
    want = model.encode_sentences(TEXTS, batch_size=batch_size)
    for seed in range(3):
        perm = np.random.default_rng(seed).permutation(len(TEXTS))
        got = model.encode_sentences([TEXTS[i] for i in perm], batch_size=batch_size)
        np.testing.assert_allclose(got, want[perm], atol=1e-5)


def test_buckets_of_equal_lengths_and_direct_pooling():
    toks = sorted(tokenize_batch(TEXTS), key=len)
    lengths = [len(t) for t in toks]
    buckets = packed.length_buckets(lengths)
    assert sum(g for _, g, _ in buckets) == len(TEXTS) and all(lengths[i] == n for i, g, n in buckets)
    assert len(buckets) < len(TEXTS)          # some texts share a length: one attention product each
    pooled = packed.forward_pooled(model.load_weights(), [t.ids for t in toks])
    assert pooled.dtype == np.float32 and pooled.shape == (len(TEXTS), 384)


def test_numpy_steps_equal_the_compiled_kernels(monkeypatch):
    w = model.load_weights()
    ids = [t.ids for t in sorted(tokenize_batch(TEXTS), key=len)]
    fast = packed.forward_pooled(w, ids)
    monkeypatch.setattr(packed, "_ready_kernels", lambda: None)
    slow = packed.forward_pooled(w, ids)
    np.testing.assert_allclose(fast, slow, atol=1e-5)
