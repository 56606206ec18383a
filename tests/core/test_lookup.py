"""What a person types: exact match first, then ignoring case (said so); close matches rank case first."""
import numpy as np
import pytest

from embedlab import EmbeddingSet, UnknownTokenError
from embedlab.space.neighbours import query_neighbors, resolve_query


@pytest.fixture
def es():
    tokens = ["king", "queen", "man", "woman", "Paris", "paris", "ing", "wing"]
    return EmbeddingSet(tokens, np.random.default_rng(0).normal(size=(len(tokens), 4)), name="t")


def test_find_prefers_the_exact_token_then_the_first_case_folded_one(es):
    assert es.find("king") == "king" and es.find("KING") == "king"
    assert es.find("paris") == "paris" and es.find("Paris") == "Paris" and es.find("PARIS") == "Paris"
    assert es.find("Straße".upper()) is None and es.find(3) is None


def test_resolve_says_which_words_matched_ignoring_case_and_names_all_missing(es):
    r = es.resolve(["King", "queen", "MAN"])
    assert r.tokens == ("king", "queen", "man") and r.changed == (("King", "king"), ("MAN", "man"))
    assert r.note() == "Matched ignoring case: King → king, MAN → man."
    with pytest.raises(UnknownTokenError) as err:
        es.resolve(["King", "zzqx", "qqzz"])
    assert err.value.tokens == ("zzqx", "qqzz")
    kept = es.resolve(["King", "zzqx", "woman", "zzqx"], drop_missing=True)
    assert kept.tokens == ("king", "woman") and kept.missing == ("zzqx",)


def test_suggestions_rank_case_folded_matches_first(es):
    err = UnknownTokenError.for_tokens(["Kingg"], es.tokens)
    assert err.suggestions["Kingg"][0] == "king"
    assert UnknownTokenError.for_tokens(["PARIS"], es.tokens).suggestions["PARIS"][:2] == ["Paris", "paris"]


def test_the_folding_is_not_kept_in_a_pickle_and_comes_back(es):
    import pickle

    es.find("KING")
    back = pickle.loads(pickle.dumps(es))
    assert "_folded" not in back.__dict__ and back.find("KING") == "king"


def test_resolve_query_rewrites_an_expression_with_the_tokens_found(es):
    text, r = resolve_query(es, "  King - MAN + woman ")
    assert text == "king - man + woman" and r.changed == (("King", "king"), ("MAN", "man"))
    assert query_neighbors(es, text, k=3)[1] == ["king", "man", "woman"]
    assert resolve_query(es, "- Man + King")[0] == "- man + king"
    assert resolve_query(es, "zzqx + King")[0] == "zzqx + king"        # unknown words left for the error
    assert resolve_query(es, "a ++ b") == ("a ++ b", resolve_query(es, "a ++ b")[1])
    assert resolve_query(es, "PARIS")[0] == "Paris"
