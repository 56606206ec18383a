"""Analogies and vector arithmetic: hand-built answers, gensim agreement, expression parsing."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError, UnknownTokenError
from embedlab.space.analogy import (analogy, expression_vector, iter_analogy_scores,
                                    iter_expression_scores, most_similar_expr, parse_expression)


GENSIM_COSMUL_EPSILON = 1e-6   # the constant in gensim's most_similar_cosmul

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")


def tokens(res):
    return [n.token for n in res]


@pytest.fixture(scope="module")
def kv(words):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(words.dim)
    kv.add_vectors(list(words.tokens), np.array(words.vectors))
    return kv


# -- hand-built ---------------------------------------------------------------------------------------
def test_toy_analogy_both_methods(toy_set):
    for method in ("3cosadd", "3cosmul"):
        assert analogy(toy_set, "man", "king", "woman", k=1, method=method)[0].token == "queen"


def test_toy_3cosadd_score_is_exact(toy_set):
    # unit(king) - unit(man) + unit(woman) = (1/sqrt2, 1/sqrt2 - 2, 0); its cosine with queen:
    s = 1 / np.sqrt(2)
    q = np.array([s, s - 2, 0.0])
    expected = q @ np.array([s, -s, 0]) / np.linalg.norm(q)
    res = analogy(toy_set, "man", "king", "woman", k=3)
    assert res[0].score == pytest.approx(expected, abs=1e-6)


def test_toy_3cosmul_score_is_exact(toy_set):
    u = {t: toy_set.unit[toy_set.index(t)].astype(np.float64) for t in toy_set.tokens}

    def sh(x, y):
        return (1 + u[x] @ u[y]) / 2

    expected = sh("queen", "king") * sh("queen", "woman") / (sh("queen", "man") + GENSIM_COSMUL_EPSILON)
    res = analogy(toy_set, "man", "king", "woman", k=1, method="3cosmul")
    assert res[0].score == pytest.approx(expected, rel=1e-6)


def test_inputs_excluded_by_default_and_optionally_kept(toy_set):
    got = tokens(analogy(toy_set, "man", "king", "woman", k=10))
    assert len(got) == 3 and not {"man", "king", "woman"} & set(got)
    kept = tokens(analogy(toy_set, "man", "king", "woman", k=10, exclude_inputs=False))
    assert len(kept) == 6 and {"man", "king", "woman"} <= set(kept)


def test_ties_by_row_order():
    es = EmbeddingSet(["a", "b", "c", "x1", "x2", "x3"], [[1, 0], [0, 1], [1, 0.5], [0, 1], [0, 1], [0, 1]])
    # a:b :: c:? with b's duplicates x1..x3 tied: row order decides
    assert tokens(analogy(es, "a", "b", "c", k=3)) == ["x1", "x2", "x3"]


# -- the real default set and gensim -------------------------------------------------------------------------
@pytest.mark.parametrize("method", ("3cosadd", "3cosmul"))
def test_man_king_woman_queen(words, method):
    assert analogy(words, "man", "king", "woman", method=method)[0].token == "queen"


@pytest.mark.parametrize("a, b, c", [
    ("man", "king", "woman"), ("france", "paris", "italy"), ("good", "better", "bad"),
    ("walk", "walked", "swim"), ("boy", "girl", "brother"), ("japan", "tokyo", "germany"),
])
def test_agrees_with_gensim(words, kv, a, b, c):
    for method, fn in (("3cosadd", kv.most_similar), ("3cosmul", kv.most_similar_cosmul)):
        ours = analogy(words, a, b, c, k=10, method=method)
        ref = fn(positive=[b, c], negative=[a], topn=10)
        assert tokens(ours) == [t for t, _ in ref], method
        np.testing.assert_allclose([n.score for n in ours], [s for _, s in ref], atol=1e-5)


def test_expression_agrees_with_gensim(words, kv):
    ours = most_similar_expr(words, ["paris", "italy", "spain"], ["france"], k=10)
    ref = kv.most_similar(positive=["paris", "italy", "spain"], negative=["france"], topn=10)
    assert tokens(ours) == [t for t, _ in ref]
    np.testing.assert_allclose([n.score for n in ours], [s for _, s in ref], atol=1e-5)
    ours = most_similar_expr(words, ["king", "woman"], ["man", "boy"], k=10, method="3cosmul")
    ref = kv.most_similar_cosmul(positive=["king", "woman"], negative=["man", "boy"], topn=10)
    assert tokens(ours) == [t for t, _ in ref]
    np.testing.assert_allclose([n.score for n in ours], [s for _, s in ref], atol=1e-5)


def test_keeping_inputs_often_returns_b(words):
    # Nissim et al. (2020): without the exclusion rule the nearest vector is usually b itself
    assert analogy(words, "man", "king", "woman", exclude_inputs=False)[0].token == "king"
    assert analogy(words, "good", "better", "bad", exclude_inputs=False)[0].token == "better"
    # or c: here the inputs themselves come first
    kept = tokens(analogy(words, "france", "paris", "italy", k=3, exclude_inputs=False))
    assert kept[:2] == ["italy", "paris"]


# -- expressions --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("paris - france + italy", [(1, "paris"), (-1, "france"), (1, "italy")]),
    ("  king-man+woman ", [(1, "king"), (-1, "man"), (1, "woman")]),
    ("-man + king", [(-1, "man"), (1, "king")]),
    ("+ queen", [(1, "queen")]),
    ("##ing - walk2 + new_york", [(1, "##ing"), (-1, "walk2"), (1, "new_york")]),
    ("café", [(1, "café")]),
])
def test_parse_expression(text, expected):
    assert parse_expression(text) == expected


@pytest.mark.parametrize("text, match", [
    ("", "empty"),
    ("   ", "empty"),
    ("king + + queen", "two operators in a row at position 8"),
    ("king queen", "missing \\+ or - before 'queen'"),
    ("king -", "ends with an operator"),
    ("king * 2", "unexpected character '\\*' at position 6"),
    ("-", "ends with an operator"),
])
def test_parse_expression_rejects(text, match):
    with pytest.raises(InvalidParameterError, match=match):
        parse_expression(text)


def test_expression_vector_sums_unit_vectors(toy_set):
    vec, toks = expression_vector(toy_set, "king - man + woman")
    assert toks == ["king", "man", "woman"]
    u = toy_set.unit
    np.testing.assert_allclose(vec, u[0] - u[2] + u[3], atol=1e-7)
    assert vec.dtype == np.float32


def test_expression_vector_names_all_unknown_tokens(toy_set):
    with pytest.raises(UnknownTokenError, match="'kingg'.*'womann'"):
        expression_vector(toy_set, "kingg - man + womann")


def test_bad_calls(toy_set):
    with pytest.raises(InvalidParameterError, match="method='cos' is not allowed; must be one of: 3cosadd, 3cosmul"):
        analogy(toy_set, "man", "king", "woman", method="cos")
    with pytest.raises(InvalidParameterError, match="at least one positive word"):
        most_similar_expr(toy_set, [], ["man"])
    with pytest.raises(InvalidParameterError, match="k=0 is not allowed; must be a whole number >= 1"):
        analogy(toy_set, "man", "king", "woman", k=0)
    with pytest.raises(UnknownTokenError, match="'kng'"):
        analogy(toy_set, "man", "kng", "woman")


def test_only_inputs_left_gives_empty_list():
    es = EmbeddingSet(["a", "b", "c"], np.eye(3))
    assert analogy(es, "a", "b", "c") == []


# -- batched scores ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ("3cosadd", "3cosmul"))
def test_batch_scores_equal_single_queries(method):
    rng = np.random.default_rng(0)
    es = EmbeddingSet([f"w{i}" for i in range(120)], rng.normal(size=(120, 10)))
    q = rng.integers(0, 120, size=(25, 3))
    blocks = list(iter_analogy_scores(es.unit, q[:, 0], q[:, 1], q[:, 2], method=method, budget=120 * 6 * 4))
    assert len(blocks) > 1  # small budget: several blocks
    for sl, scores in blocks:
        for j, (a, b, c) in enumerate(q[sl]):
            res = most_similar_expr(es, [es.tokens[b], es.tokens[c]], [es.tokens[a]], k=120, method=method,
                                    exclude_inputs=False)
            single = np.empty(120, dtype=np.float32)
            single[[n.index for n in res]] = [n.score for n in res]
            np.testing.assert_allclose(scores[j], single, rtol=1e-5, atol=1e-6)


def test_expression_kernel_exact_on_hand_built_vectors():
    """Three unit vectors: x = e0, y = e1, z = (0.6, 0.8). Query x + y - z, then x - y."""
    u = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    (_, add), = iter_expression_scores(u, [[0, 1, 2]], [1, 1, -1], method="3cosadd")
    q = np.array([0.4, 0.2])                       # e0 + e1 - z
    np.testing.assert_allclose(add[0], u @ q / np.linalg.norm(q), atol=1e-6)
    (_, mul), = iter_expression_scores(u, [[0, 1, 2]], [1, 1, -1], method="3cosmul")
    s = (1 + u @ u.T) / 2                          # shifted cosines, row = word
    np.testing.assert_allclose(mul[0], s[0] * s[1] / (s[2] + GENSIM_COSMUL_EPSILON), rtol=1e-6)
    (_, only_pos), = iter_expression_scores(u, [[0]], [1], method="3cosmul")
    np.testing.assert_allclose(only_pos[0], s[0] / (1 + GENSIM_COSMUL_EPSILON), rtol=1e-6)
    (_, cancel), = iter_expression_scores(u, [[2, 2]], [1, -1])   # z - z: no direction, every score 0
    assert cancel[0].tolist() == [0.0, 0.0, 0.0]


def test_expression_kernel_rejects_signs_that_do_not_fit():
    u = np.eye(3, dtype=np.float32)
    with pytest.raises(InvalidParameterError, match=r"need one sign \(\+1 or -1\) per column"):
        next(iter_expression_scores(u, [[0, 1]], [1]))
    with pytest.raises(InvalidParameterError, match="per column; got \\[1, 2\\]"):
        next(iter_expression_scores(u, [[0, 1]], [1, 2]))
    with pytest.raises(InvalidParameterError, match="method='cos' is not allowed"):
        next(iter_expression_scores(u, [[0, 1]], [1, -1], method="cos"))


def test_most_similar_expr_with_many_terms_is_the_kernel(toy_set):
    """king + woman + pear - man - apple: 3cosadd on unit vectors, by hand."""
    u = toy_set.unit
    q = u[0] + u[3] + u[5] - u[2] - u[4]
    expected = u @ q / np.linalg.norm(q)
    res = most_similar_expr(toy_set, ["king", "woman", "pear"], ["man", "apple"], k=6, exclude_inputs=False)
    assert [n.index for n in res] == np.argsort(-expected, kind="stable").tolist()
    np.testing.assert_allclose([n.score for n in res], np.sort(expected)[::-1], atol=1e-6)
    assert res[0].token == "queen"


# -- property-based: any text either parses or raises InvalidParameterError --------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_word = st.text(alphabet="abcXYZ019#_é", min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab +-*#\t()1é", max_size=20))
def test_parse_expression_never_crashes(text):
    try:
        terms = parse_expression(text)
    except InvalidParameterError:
        return
    assert terms and all(sign in (1, -1) and tok for sign, tok in terms)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([1, -1]), _word), min_size=1, max_size=5), st.sampled_from([" ", "", "  "]))
def test_parse_expression_round_trip(terms, gap):
    text = "".join(("+" if s > 0 else "-") + gap + t + gap for s, t in terms)
    assert parse_expression(text) == terms
