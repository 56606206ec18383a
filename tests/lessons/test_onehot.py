"""One-hot versus dense: lookup identity, similarity matrices, sizes."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import InvalidParameterError, UnknownTokenError
from embedlab.lessons import onehot


def test_one_hot_has_a_single_one_at_the_index():
    v = onehot.one_hot(3, 7)
    assert v.dtype == np.float32 and v.shape == (7,)
    assert v[3] == 1.0 and v.sum() == 1.0


def test_lookup_identity_on_a_random_table():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(50, 8)).astype(np.float32)
    for i in (0, 17, 49):
        np.testing.assert_array_equal(onehot.one_hot(i, 50) @ table, table[i])
        res = onehot.lookup(table, i)
        assert res.equal and res.vocab_size == 50
        np.testing.assert_array_equal(res.product, table[i])


def test_lookup_identity_on_the_real_token_table(words):
    table = words.vectors
    i = words.index("queen")
    assert onehot.lookup(table, i).equal


def test_bad_indices_and_sizes():
    with pytest.raises(InvalidParameterError, match=r"index=5 is not allowed; must be a whole number in \[0, 4\]"):
        onehot.one_hot(5, 5)
    with pytest.raises(InvalidParameterError, match="size=0 is not allowed; must be a whole number >= 1"):
        onehot.one_hot(0, 0)
    with pytest.raises(InvalidParameterError, match="table must be 2-D"):
        onehot.lookup(np.zeros(3), 0)


def test_compare_one_hot_is_identity_dense_has_structure(toy_set):
    r = onehot.compare(toy_set, ["king", "queen", "apple", "pear"])
    np.testing.assert_array_equal(r.onehot_cosine, np.eye(4))
    assert r.dense.shape == (4, 3)
    assert r.dense_cosine[2, 3] == pytest.approx(1.0 / np.sqrt(1.01), abs=1e-6)   # apple ~ pear
    assert r.dense_cosine[0, 2] == pytest.approx(0.0, abs=1e-6)                   # king vs apple
    np.testing.assert_allclose(np.diag(r.dense_cosine), 1.0, atol=1e-6)


def test_compare_on_the_default_vocabulary(words):
    r = onehot.compare(words, list(onehot.DEFAULT_TOKENS))
    t = r.tokens
    cos = r.dense_cosine
    # related words are closer than unrelated ones in the real table
    assert cos[t.index("cat"), t.index("kitten")] > cos[t.index("cat"), t.index("truck")]
    assert cos[t.index("car"), t.index("truck")] > cos[t.index("car"), t.index("puppy")]


def test_compare_rejects_unknown_and_too_few_tokens(toy_set):
    with pytest.raises(UnknownTokenError, match="kingg"):
        onehot.compare(toy_set, ["king", "kingg"])
    with pytest.raises(InvalidParameterError, match="at least two different tokens"):
        onehot.compare(toy_set, ["king", "king", " "])


def test_table_sizes_for_real_vocabularies():
    sizes = onehot.table_sizes(dim=384)
    assert [s.vocab_size for s in sizes] == [30_522, 50_000, 250_000]
    s30, s50, s250 = sizes
    assert s30.onehot_values == 30_522 ** 2 and s30.dense_values == 30_522 * 384
    assert s50.onehot_bytes == 50_000 ** 2 * 4 and s50.dense_bytes == 50_000 * 384 * 4
    assert s250.onehot_bytes == 250_000_000_000
    assert s250.ratio == pytest.approx(250_000 / 384)
    assert onehot.human_bytes(s250.onehot_bytes) == "250.0 GB"
    with pytest.raises(InvalidParameterError, match="vocabulary size=0 is not allowed; must be a whole number >= 1"):
        onehot.table_sizes([0])
