"""EmbeddingSet: construction checks, read-only data, unit norms, subsets, unknown tokens, fingerprints."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError, Neighbor, UnknownTokenError, unit_rows


def make(n=5, d=4, seed=0, **kw):
    rng = np.random.default_rng(seed)
    return EmbeddingSet([f"t{i}" for i in range(n)], rng.normal(size=(n, d)).astype(np.float32), **kw)


# -- construction ------------------------------------------------------------------------------------
def test_basic_protocol(toy_set):
    assert len(toy_set) == 6 and toy_set.dim == 3
    assert "queen" in toy_set and "prince" not in toy_set
    assert toy_set.tokens[2] == "man" and toy_set.index("man") == 2
    np.testing.assert_array_equal(toy_set["queen"], [1.0, -1.0, 0.0])
    assert list(toy_set) == list(toy_set.tokens)
    assert toy_set.vectors.dtype == np.float32 and toy_set.vectors.flags.c_contiguous


def test_rejects_one_dimensional_vectors():
    with pytest.raises(InvalidParameterError, match="must be 2-D"):
        EmbeddingSet(["a", "b"], np.zeros(2))


def test_rejects_row_count_mismatch():
    with pytest.raises(InvalidParameterError, match="3 tokens but 2 vector rows"):
        EmbeddingSet(["a", "b", "c"], np.ones((2, 2)))


def test_rejects_empty_set():
    with pytest.raises(InvalidParameterError, match="at least one token"):
        EmbeddingSet([], np.zeros((0, 3)))


def test_rejects_duplicate_tokens():
    with pytest.raises(InvalidParameterError, match=r"unique; repeated: \['b'\]"):
        EmbeddingSet(["a", "b", "b"], np.ones((3, 2)))


def test_rejects_nan_and_names_the_token():
    v = np.ones((3, 2))
    v[1, 0] = np.nan
    with pytest.raises(InvalidParameterError, match=r"'b' \(row 1\) has NaN or inf"):
        EmbeddingSet(["a", "b", "c"], v)


def test_finite_check_runs_in_row_blocks_and_names_the_first_bad_row():
    v = np.ones((70_000, 2), dtype=np.float32)  # more rows than one check block (65,536)
    v[68_000, 1] = np.inf
    v[69_000, 0] = np.nan
    with pytest.raises(InvalidParameterError, match=r"'t68000' \(row 68000\) has NaN or inf"):
        EmbeddingSet([f"t{i}" for i in range(len(v))], v, copy=False)


def test_rejects_metadata_of_wrong_length():
    with pytest.raises(InvalidParameterError, match="metadata column 'kind' has 1 values for 2 tokens"):
        EmbeddingSet(["a", "b"], np.ones((2, 2)), meta={"kind": ["x"]})


# -- immutability --------------------------------------------------------------------------------------
def test_arrays_are_read_only(toy_set):
    for arr in (toy_set.vectors, toy_set.unit, toy_set.sq_norms):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 0


def test_input_not_mutated_nor_shared():
    src = np.arange(6, dtype=np.float32).reshape(3, 2)
    before = src.copy()
    es = EmbeddingSet(["a", "b", "c"], src)
    assert src.flags.writeable  # the caller's array is left writable...
    np.testing.assert_array_equal(src, before)
    src[0, 0] = 99.0  # ...and changing it later does not reach the set
    assert es.vectors[0, 0] == 0.0


def test_copy_false_takes_over_float32_array_read_only():
    src = np.ones((2, 3), dtype=np.float32)
    es = EmbeddingSet(["a", "b"], src, copy=False)
    assert np.shares_memory(es.vectors, src) and not es.vectors.flags.writeable


def test_meta_is_a_copy(toy_set):
    es = EmbeddingSet(["a", "b"], np.ones((2, 2)), meta={"kind": ["x", "y"]})
    m = es.meta
    m["kind"] = ("z", "z")
    assert es.meta["kind"] == ("x", "y")


# -- unit vectors ----------------------------------------------------------------------------------------
def test_unit_rows_have_norm_one_and_zero_rows_stay_zero():
    v = np.array([[3.0, 4.0], [0.0, 0.0], [-1e-3, 0.0]], dtype=np.float32)
    u = unit_rows(v)
    np.testing.assert_allclose(np.linalg.norm(u, axis=1), [1.0, 0.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(u[0], [0.6, 0.8], atol=1e-7)
    assert np.isfinite(u).all()
    np.testing.assert_array_equal(v[1], [0.0, 0.0])  # input untouched


def test_unit_rows_over_several_blocks_match_whole_array_division():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(70_000, 3)).astype(np.float32)
    v[66_000] = 0.0
    u = unit_rows(v)
    assert u.dtype == np.float32 and u.flags.c_contiguous and u.shape == v.shape
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    np.testing.assert_array_equal(u, v / norms.astype(np.float32))
    np.testing.assert_array_equal(u[66_000], [0.0, 0.0, 0.0])


def test_unit_is_computed_once_and_matches_unit_rows():
    es = make(20, 6, seed=1)
    assert es.unit is es.unit
    np.testing.assert_allclose(es.unit, es.vectors / np.linalg.norm(es.vectors, axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(es.sq_norms, (es.vectors.astype(np.float64) ** 2).sum(1), rtol=1e-5)


def test_zero_vector_neighbors_have_no_nan():
    es = EmbeddingSet(["zero", "x", "y"], [[0, 0], [1, 0], [0, 1]])
    res = es.neighbors("zero", 2)
    assert [n.score for n in res] == [0.0, 0.0]
    assert [n.token for n in res] == ["x", "y"]  # ties by row order


# -- subsets ---------------------------------------------------------------------------------------------------
def test_subset_first_n_keeps_meta_and_origin():
    es = EmbeddingSet(["a", "b", "c"], np.eye(3), name="s", origin="o", meta={"kind": ["x", "y", "z"]})
    sub = es.subset(2)
    assert sub.tokens == ("a", "b") and sub.meta["kind"] == ("x", "y")
    assert sub.name == "s" and sub.origin == "o"
    assert es.subset(10).tokens == es.tokens
    assert es.subset(1, name="one").name == "one"


def test_subset_by_tokens_rows_and_mask(toy_set):
    by_tok = toy_set.subset(["pear", "king"])
    assert by_tok.tokens == ("pear", "king")
    np.testing.assert_array_equal(by_tok["king"], toy_set["king"])
    assert toy_set.subset([5, 0]).tokens == ("pear", "king")
    assert toy_set.subset(np.array([5, 0])).tokens == ("pear", "king")
    mask = np.array([True, False, True, False, False, True])
    assert toy_set.subset(mask).tokens == ("king", "man", "pear")


@pytest.mark.parametrize("selection, match", [
    (0, "selection=0 is not allowed; must be a whole number >= 1"),
    ([], "empty"),
    ([7], "out of range"),
    ([-1], "out of range"),
    (np.array([True, False]), "one value per token"),
    (np.zeros(6, dtype=bool), "empty"),
])
def test_subset_rejects_bad_selections(toy_set, selection, match):
    with pytest.raises(InvalidParameterError, match=match):
        toy_set.subset(selection)


def test_subset_unknown_token(toy_set):
    with pytest.raises(UnknownTokenError, match="'prince'"):
        toy_set.subset(["king", "prince"])


# -- unknown tokens --------------------------------------------------------------------------------------------------
def test_unknown_token_suggests_close_matches(toy_set):
    with pytest.raises(UnknownTokenError) as info:
        toy_set["quen"]
    err = info.value
    assert isinstance(err, KeyError)
    assert err.tokens == ("quen",) and "queen" in err.suggestions["quen"]
    assert "did you mean: queen" in str(err) and "in 'toy'" in str(err)


def test_indices_names_every_missing_token(toy_set):
    with pytest.raises(UnknownTokenError, match=r"unknown tokens in 'toy': 'kng'.*; 'xyz'"):
        toy_set.indices(["king", "kng", "xyz"])
    assert toy_set.missing(["king", "kng", "xyz"]) == ["kng", "xyz"]
    np.testing.assert_array_equal(toy_set.indices(["pear", "king"]), [5, 0])


def test_non_string_lookup_is_an_unknown_token(toy_set):
    with pytest.raises(UnknownTokenError):
        toy_set.index(["king"])  # unhashable


# -- fingerprints ------------------------------------------------------------------------------------------------------
def test_fingerprint_is_stable_and_sensitive():
    a, b = make(seed=3), make(seed=3)
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 32
    assert make(seed=4).fingerprint != a.fingerprint
    renamed = EmbeddingSet(["x"] + list(a.tokens[1:]), a.vectors)
    assert renamed.fingerprint != a.fingerprint
    # name and origin are labels, not data
    assert EmbeddingSet(a.tokens, a.vectors, name="other").fingerprint == a.fingerprint
    # same bytes, different shape
    flat = EmbeddingSet(["p", "q"], np.arange(8, dtype=np.float32).reshape(2, 4))
    tall = EmbeddingSet(["p", "q"], np.arange(8, dtype=np.float32).reshape(2, 4)[:, :2])
    assert flat.fingerprint != tall.fingerprint


# -- vector() and neighbors() --------------------------------------------------------------------------------------------
def test_vector_accepts_token_or_vector(toy_set):
    np.testing.assert_array_equal(toy_set.vector("man"), [0, 1, 0])
    assert toy_set.vector([1, 2, 3]).dtype == np.float32
    with pytest.raises(InvalidParameterError, match="query vector has 2 dimensions, the set has 3"):
        toy_set.vector([1, 2])


def test_neighbors_leave_out_query_and_exclusions(toy_set):
    res = toy_set.neighbors("apple", 2)
    assert res[0] == Neighbor("pear", pytest.approx(1 / np.sqrt(1.01)), 5)
    assert "apple" not in [n.token for n in toy_set.neighbors("apple", 10)]
    assert len(toy_set.neighbors("apple", 10)) == 5
    got = [n.token for n in toy_set.neighbors("king", 3, exclude=["queen", "nonexistent"])]
    assert got == ["man", "pear", "apple"]
