"""Recommendation lesson: profile vectors and their ranking, baskets, item2vec on Davis, bad basket CSVs."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from embedlab import CorpusError, EmbeddingSet, InvalidParameterError, UnknownTokenError
from embedlab.lessons import recommend as r
from embedlab import BasketDataError


@pytest.fixture
def shop() -> EmbeddingSet:
    # a and p point right, b and q up-ish; the rows are not unit length (the profile uses unit rows)
    return EmbeddingSet(["a", "b", "p", "q", "z"],
                        [[2, 0], [0, 5], [0.9, 0.436], [0.8, -0.6], [-1, 0]], name="shop")


# -- profile and ranking ------------------------------------------------------------------------
def test_profile_is_mean_of_liked_unit_vectors_minus_weighted_mean_of_disliked(shop):
    p = r.profile_vector(shop, ["a", "b"], ["z"], dislike_weight=0.5)
    np.testing.assert_allclose(p, [0.5 + 0.5, 0.5], rtol=1e-6)      # (1,0)+(0,1) / 2 - 0.5 * (-1, 0)
    assert p.dtype == np.float32
    np.testing.assert_allclose(r.profile_vector(shop, ["a", "a"]), [1.0, 0.0])   # a repeat counts once


def test_ranking_is_nearest_neighbours_of_the_profile_with_marked_items_left_out(shop):
    rec = r.recommend(shop, ["a"], k=10)
    assert [i.token for i in rec.items] == ["p", "q", "b", "z"]   # a left out; 4 left of 5
    assert [i.rank for i in rec.items] == [1, 2, 3, 4]
    p = rec.items[0]
    assert p.score == pytest.approx(0.9 / np.hypot(0.9, 0.436), abs=1e-6)
    assert p.closest_liked == "a" and p.closest_liked_cosine == pytest.approx(p.score, abs=1e-6)
    assert rec.items[-1].score == pytest.approx(-1.0) and not rec.profile.flags.writeable
    assert rec.metric == "cosine" and rec.liked == ("a",) and rec.disliked == ()


def test_explanation_names_the_most_similar_liked_item(shop):
    rec = r.recommend(shop, ["a", "b"], k=2)
    by = {i.token: i for i in rec.items}
    assert by["p"].closest_liked == "a"                                # p is nearer a than b
    assert by["p"].closest_liked_cosine == pytest.approx(0.9 / np.hypot(0.9, 0.436), abs=1e-6)
    assert by["q"].closest_liked == "a" and by["q"].closest_liked_cosine == pytest.approx(0.8, abs=1e-6)


def test_dislike_weight_changes_the_order_as_expected(shop):
    # without the dislike p (cos 0.90 to a) beats q (0.80); disliking b (which p leans towards) flips them
    order = lambda w: [i.token for i in r.recommend(shop, ["a"], ["b"], k=2, dislike_weight=w).items]
    assert order(0.0) == ["p", "q"]
    assert order(1.0) == ["q", "p"]
    scores = [r.recommend(shop, ["a"], ["b"], k=2, dislike_weight=w).items for w in (0.0, 0.5, 1.0)]
    q = [next(i.score for i in s if i.token == "q") for s in scores]
    assert q[0] < q[1] < q[2]                                         # the more b counts, the more q fits


@pytest.mark.parametrize("liked, disliked, kwargs, error, match", [
    ("a", (), {}, InvalidParameterError, "liked='a' is not allowed; must be a list"),
    ([], ["b"], {}, InvalidParameterError, "at least one liked item"),
    (["a"], ["a"], {}, InvalidParameterError, r"a are in both"),
    (["a"], [], {"dislike_weight": True}, InvalidParameterError, "dislike_weight=True"),
    (["a"], [], {"dislike_weight": -1}, InvalidParameterError, "dislike_weight=-1"),
    (["a"], [], {"k": 0}, InvalidParameterError, "k=0"),
    (["a"], [], {"k": 2.9}, InvalidParameterError, "k=2.9"),
    (["aa"], [], {}, UnknownTokenError, "'aa'"),
])
def test_recommend_refuses_bad_input(shop, liked, disliked, kwargs, error, match):
    with pytest.raises(error, match=match):
        r.recommend(shop, liked, disliked, **kwargs)


def test_a_profile_that_cancels_out_is_refused():
    es = EmbeddingSet(["a", "a2", "c"], [[1, 0], [3, 0], [0, 1]])   # a and a2 point the same way
    with pytest.raises(InvalidParameterError, match="the profile is the zero vector"):
        r.recommend(es, ["a"], ["a2"], dislike_weight=1.0)
    assert r.recommend(es, ["a"], ["a2"], dislike_weight=0.5, k=1).items[0].token == "c"


# -- baskets ------------------------------------------------------------------------------------
def test_davis_baskets_both_ways():
    ev, wo = r.davis_baskets("events"), r.davis_baskets("women")
    assert len(ev.baskets) == 18 and len(wo.baskets) == 14
    assert sum(map(len, ev.baskets)) == sum(map(len, wo.baskets)) == 89   # the graph's 89 attendances
    assert ev.ids[0] == "Evelyn Jefferson" and ev.baskets[0] == ("E1", "E2", "E3", "E4", "E5", "E6", "E8", "E9")
    assert wo.ids[0] == "E1" and set(wo.baskets[0]) == {"Evelyn Jefferson", "Laura Mandeville", "Brenda Rogers"}
    with pytest.raises(InvalidParameterError, match="items='men'"):
        r.davis_baskets("men")


def test_basket_stats_are_exact():
    s = r.basket_stats([["a", "b", "a"], ["b", "c", "d", "e"], ["x"]], top=2)
    # repeats count once and a one-item basket is not a basket of co-occurring items
    assert (s.n_baskets, s.n_items, s.n_occurrences, s.max_size) == (2, 5, 6, 4)
    assert s.mean_size == 3.0 and s.top_items == (("b", 2), ("a", 1))


def test_read_baskets_rows_and_pairs_layouts():
    b = r.read_baskets(b"milk,bread,milk\ntea\neggs,ham,jam\n", filename="shop.csv")
    assert b.baskets == (("milk", "bread"), ("eggs", "ham", "jam")) and b.ids == ("row 1", "row 3")
    assert b.notes == ("1 repeated items within a basket counted once",
                       "1 baskets with fewer than two items dropped (nothing co-occurs in them)")
    b = r.read_baskets(b"milk bread\ntea coffee milk\n")            # one cell per row: split at spaces
    assert b.baskets == (("milk", "bread"), ("tea", "coffee", "milk"))
    b = r.read_baskets(b"session\tproduct\ns1\tA\ns2\tB\ns1\tC\ns2\tA\ns3\tD\n", filename="s.tsv")
    assert b.baskets == (("A", "C"), ("B", "A")) and b.ids == ("s1", "s2") and "pairs" in b.source
    b = r.read_baskets(b"a,b\nc,d\n", layout="auto")                  # no id header: rows
    assert b.baskets == (("a", "b"), ("c", "d"))
    b = r.read_baskets(b"a,b\nx,1\nx,2\ny,1\ny,3\n", layout="pairs")  # any header when told
    assert b.baskets == (("1", "2"), ("1", "3"))


@pytest.mark.parametrize("data, kwargs, match", [
    (b"basket,item\n1,a\n1,b,c\n2,a\n", {}, r"b\.csv, row 3: has 3 cells; a pairs file needs two"),
    (b"basket,item\n1,a\n1,\n2,a\n", {}, r"row 3: the basket id or the item is empty"),
    (b"basket,item\n", {}, r"no data rows|no \(basket, item\) rows"),
    (b"a,b\nc\n", {}, r"1 basket\(s\) with two or more items; item2vec needs at least two"),
    (b"\x00\x00\x01\x02", {}, r"binary"),
    (b"", {}, r"empty"),
    (b"a,b\n", {"layout": "columns"}, r"layout='columns'"),
])
def test_bad_basket_csv_names_the_problem(data, kwargs, match):
    with pytest.raises((BasketDataError, InvalidParameterError), match=match) as info:
        r.read_baskets(data, filename="b.csv", **kwargs)
    if "layout" not in kwargs:
        assert isinstance(info.value, BasketDataError) and isinstance(info.value, CorpusError)


def test_basket_limits(monkeypatch):
    monkeypatch.setattr(r, "MAX_BASKET_SIZE", 3)
    with pytest.raises(BasketDataError, match=r"row 2: the basket has 4 items; the limit is 3") as info:
        r.read_baskets(b"a,b\nc,d,e,f\n", filename="b.csv")
    assert info.value.row == 2
    with pytest.raises(BasketDataError, match=r"row 2: basket 'o1' has 4 items"):
        r.read_baskets(b"order,item\no1,a\no1,b\no1,c\no1,d\n", filename="b.csv")
    monkeypatch.setattr(r, "MAX_ITEMS", 3)
    with pytest.raises(BasketDataError, match="4 different items; the limit is 3"):
        r.read_baskets(b"a,b\nc,d\n")
    monkeypatch.setattr(r, "MAX_BASKETS", 1)
    with pytest.raises(BasketDataError, match="2 baskets; the limit is 1"):
        r.read_baskets(b"a,b\nc,d\n")
    monkeypatch.setattr(r, "MAX_BASKET_BYTES", 4)
    with pytest.raises(BasketDataError, match="the limit"):
        r.read_baskets(b"a,b\nc,d\n")


# -- item2vec -----------------------------------------------------------------------------------
def test_item2vec_is_deterministic_and_says_what_it_is():
    b = r.davis_baskets("events")
    one, two = r.item2vec(b, seed=0), r.item2vec(b, seed=0)
    np.testing.assert_array_equal(one.set.vectors, two.set.vectors)
    assert not np.array_equal(one.set.vectors, r.item2vec(b, seed=1).set.vectors)
    es = one.set
    assert sorted(es.tokens, key=lambda e: int(e[1:])) == [f"E{i}" for i in range(1, 15)]
    assert es.name == "item2vec: davis-events" and "skip-gram" in es.origin and "18 baskets" in es.origin
    freq = dict(zip(es.tokens, es.meta["frequency"]))
    assert freq["E8"] == 14 and freq["E1"] == 3
    assert one.stats.n_baskets == 18 and one.stats.n_items == 14 and one.stats.max_size == 8
    assert one.params["window"] == 8 and one.params["shrink_windows"] is False and one.params["workers"] == 1
    assert one.params["vector_size"] == 2 and one.params["epochs"] == 50_000 // 89


def test_item2vec_davis_events_with_many_shared_women_end_up_closer_than_events_with_none():
    b = r.davis_baskets("events")
    es = r.item2vec(b, seed=0).set
    women = {}
    for woman, events in zip(b.ids, b.baskets):
        for e in events:
            women.setdefault(e, set()).add(woman)
    many, none = [], []
    for e1, e2 in itertools.combinations(sorted(women), 2):
        shared = len(women[e1] & women[e2])
        cos = float(es.unit[es.index(e1)] @ es.unit[es.index(e2)])
        (many if shared >= 4 else none if shared == 0 else []).append(cos)
    assert len(many) == 21 and len(none) == 25
    # measured (seeds 0-4): 0.87 vs 0.02 on average; the closest no-share pair 0.09-0.11, the farthest
    # 4+-share pair 0.51-0.54
    assert np.mean(many) - np.mean(none) > 0.6
    assert min(many) > max(none) + 0.2


def test_item2vec_on_plain_lists_and_refusals():
    res = r.item2vec([["a", "b"], ["b", "c"], ["a", "b"]], dim=3, epochs=5)
    assert set(res.set.tokens) == {"a", "b", "c"} and res.set.dim == 3 and res.set.name == "item2vec: baskets"
    with pytest.raises(InvalidParameterError, match="dim=2.9"):
        r.item2vec([["a", "b"], ["b", "c"]], dim=2.9)
    with pytest.raises(InvalidParameterError, match="epochs=True"):
        r.item2vec([["a", "b"], ["b", "c"]], epochs=True)
    with pytest.raises(InvalidParameterError, match="at least two baskets"):
        r.item2vec([["a", "b"], ["c"]])


def test_recommend_on_item_vectors_leaves_the_marked_events_out():
    es = r.item2vec(r.davis_baskets("events"), seed=0).set
    rec = r.recommend(es, ["E1", "E2"], ["E14"], k=3)
    assert len(rec.items) == 3 and not {"E1", "E2", "E14"} & {i.token for i in rec.items}
    assert all(i.closest_liked in ("E1", "E2") for i in rec.items)


def test_shared_baskets_counts_co_occurrence_most_shared_first():
    baskets = r.Baskets("b", (("a", "b"), ("a", "b", "c"), ("c", "d"), ("b", "d")))
    assert r.shared_baskets(baskets, "b") == {"a": 2, "c": 1, "d": 1}
    assert r.shared_baskets(baskets, "d") == {"c": 1, "b": 1}
    davis = r.davis_baskets("events")
    shared = r.shared_baskets(davis, "E8")
    assert sum(1 for b in davis.baskets if "E8" in b and "E9" in b) == shared["E9"]
    with pytest.raises(InvalidParameterError, match="'zz'.*an item of the baskets"):
        r.shared_baskets(baskets, "zz")
