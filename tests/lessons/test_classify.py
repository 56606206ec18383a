"""Classification lesson: features, the learning curve's bookkeeping, the 2-D boundary, the claims on real data."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.lessons import classify as c
from embedlab.lessons import labelled
from embedlab.lessons.classify import Features
from embedlab.lessons.labelled import LabelledData


def _dense(data: LabelledData, matrix) -> Features:
    return Features("word-vectors", tuple(range(len(data.items))), data.items, data.labels,
                    np.asarray(matrix, dtype=np.float32))


def _toy(n_per_class: int = 6, classes=("x", "y")) -> LabelledData:
    items = tuple(f"{k}{i}" for k in classes for i in range(n_per_class))
    labels = tuple(k for k in classes for _ in range(n_per_class))
    return LabelledData("toy", "words", items, labels, source="hand-made")


# -- features -----------------------------------------------------------------------------------
def test_word_features_drop_missing_words_and_count_them():
    es = EmbeddingSet(["paris", "rome"], [[1, 0], [0, 1]], name="toy")
    d = LabelledData("t", "words", ("Paris", "atlantis", "rome"), ("c", "c", "c"))
    f = c.word_features(d, es)
    assert f.rows == (0, 2) and f.items == ("Paris", "rome") and f.dropped == ("atlantis",)
    assert f.matrix.tolist() == [[1.0, 0.0], [0.0, 1.0]] and not f.matrix.flags.writeable
    with pytest.raises(InvalidParameterError, match="none of the 1 items"):
        c.word_features(LabelledData("t", "words", ("atlantis",), ("c",)), es)


def test_bag_of_words_counts_each_word():
    d = LabelledData("t", "sentences", ("good good film", "bad film"), ("p", "n"))
    f = c.onehot_features(d)
    # columns in CountVectorizer's (alphabetical) order: bad, film, good
    assert f.kind == "bag-of-words" and f.matrix.tolist() == [[0, 1, 2], [1, 1, 0]]


# -- splits and the learning curve --------------------------------------------------------------
def test_splits_are_stratified_nested_and_disjoint_from_the_test_set():
    labels = ["a"] * 7 + ["b"] * 9 + ["c"] * 8
    s = c.stratified_splits(labels, sizes=[1, 2, 4, 5], test_per_class=3, n_repeats=4, seed=3)
    assert s.classes == ("a", "b", "c") and s.sizes == (1, 2, 4) and s.dropped_sizes == (5,)
    lab = np.asarray(labels)
    for test, trains in zip(s.test, s.train):
        assert sorted(lab[test].tolist()) == ["a"] * 3 + ["b"] * 3 + ["c"] * 3
        for size, train in zip(s.sizes, trains):
            assert sorted(lab[train].tolist()) == sorted(["a", "b", "c"] * size)
            assert not set(train) & set(test)
        assert set(trains[0]) < set(trains[1]) < set(trains[2])
    assert not all(np.array_equal(s.test[0], t) for t in s.test[1:])   # repeats differ
    again = c.stratified_splits(labels, sizes=[1, 2, 4, 5], test_per_class=3, n_repeats=4, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(s.test, again.test))


def test_default_test_set_is_half_the_smallest_class():
    s = c.stratified_splits(["a"] * 10 + ["b"] * 21, sizes=[1, 5, 6], n_repeats=1)
    assert s.test_per_class == 5 and s.sizes == (1, 5) and s.dropped_sizes == (6,)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_repeats": True}, "n_repeats=True"), ({"sizes": [2.9]}, "sizes=2.9"), ({"sizes": [0]}, "sizes=0"),
    ({"test_per_class": 6}, "test_per_class=6"), ({"sizes": [5], "test_per_class": 3}, r"sizes=\(5,\)"),
    ({"seed": -1}, "seed=-1"),
])
def test_splits_refuse_bad_parameters(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        c.stratified_splits(["a"] * 6 + ["b"] * 6, **kwargs)


def test_separable_dense_features_are_perfect_and_one_hot_words_sit_at_chance_exactly():
    d = _toy(6, ("x", "y", "z"))
    centres = {"x": [5, 0, 0], "y": [0, 5, 0], "z": [0, 0, 5]}
    rng = np.random.default_rng(0)
    dense = _dense(d, [np.add(centres[lab], rng.normal(0, 0.1, 3)) for lab in d.labels])
    curve = c.learning_curve({"dense": dense, "onehot": c.onehot_features(d)}, sizes=[1, 2, 3],
                             test_per_class=3, n_repeats=4, seed=1)
    assert curve.kinds == ("word-vectors", "one-hot") and curve.sizes == (1, 2, 3)
    assert curve.accuracy.shape == (2, 3, 4) and not curve.accuracy.flags.writeable
    assert np.all(curve.accuracy[0] == 1.0)
    assert np.all(curve.accuracy[1] == 1 / 3) and curve.chance == 1 / 3     # unseen one-hot ids: no shared feature
    assert curve.at("one-hot", 2) == pytest.approx(1 / 3) and curve.std[1].tolist() == [0.0, 0.0, 0.0]
    assert curve.n_items == 18 and curve.test_per_class == 3 and curve.dropped_items == 0


def test_every_kind_gets_the_same_examples():
    # the same feature under two kinds scores exactly the same in every cell: same splits, same model
    d = _toy(8)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(16, 4)) + np.array([[0.7, 0, 0, 0]] * 8 + [[-0.7, 0, 0, 0]] * 8)
    a = _dense(d, x)
    b = Features("sentence-embedding", a.rows, a.items, a.labels, a.matrix)
    curve = c.learning_curve([a, b], sizes=[1, 3], test_per_class=4, n_repeats=6, seed=2)
    np.testing.assert_array_equal(curve.accuracy[0], curve.accuracy[1])
    alone = c.learning_curve([a], sizes=[1, 3], test_per_class=4, n_repeats=6, seed=2)
    np.testing.assert_array_equal(alone.accuracy[0], curve.accuracy[0])
    assert 0 < curve.accuracy.min() and len(np.unique(curve.accuracy)) > 1    # not a trivial case


def test_curve_uses_only_items_every_kind_kept():
    d = _toy(5)
    full = _dense(d, [[1, 0]] * 5 + [[0, 1]] * 5)
    part = Features("one-hot", tuple(range(1, 10)), d.items[1:], d.labels[1:], np.eye(9, dtype=np.float32))
    curve = c.learning_curve([full, part], sizes=[1], test_per_class=2, n_repeats=2)
    assert curve.n_items == 9 and curve.dropped_items == 1


def test_curve_refuses_repeated_kinds_and_empty_input():
    d = _toy(4)
    f = c.onehot_features(d)
    with pytest.raises(InvalidParameterError, match="one Features per kind"):
        c.learning_curve([f, f])
    with pytest.raises(InvalidParameterError, match="features="):
        c.learning_curve([])


# -- the decision boundary ----------------------------------------------------------------------
def test_decision_boundary_on_two_clusters_with_one_mislabelled_item():
    d = _toy(10)
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 0.2, (10, 3)) + [4, 0, 0], rng.normal(0, 0.2, (10, 3)) + [-4, 0, 0]])
    labels = list(d.labels)
    labels[3] = "y"                                   # x3 sits among the x's but is labelled y
    f = Features("word-vectors", tuple(range(20)), d.items, tuple(labels), x.astype(np.float32))
    b = c.decision_boundary(f, per_class=4, test_per_class=5, seed=0, grid=20)
    assert b.coords.shape == (20, 2) and b.grid_class.shape == (20, 20) and b.xs.shape == (20,)
    assert b.train.sum() == 8 and b.test.sum() == 10 and b.classes == ("x", "y")
    assert set(np.unique(b.grid_class)) == {0, 1}     # both classes drawn
    held_out = [m.item for m in b.misclassified]
    assert all(b.test[d.items.index(i)] for i in held_out)
    assert b.test[3] and held_out == ["x3"]           # seed 0 holds x3 out: the only mistake, by name
    assert b.misclassified[0] == c.Misclassified("x3", "y", "x") and b.accuracy_2d == 0.9
    assert b.explained_variance[0] > 0.9
    assert not b.coords.flags.writeable and not b.grid_class.flags.writeable


def test_decision_boundary_perfect_and_refusals():
    d = _toy(6)
    f = _dense(d, [[3, 0, 1]] * 6 + [[-3, 0, 1]] * 6)
    b = c.decision_boundary(f, per_class=2, seed=1)
    assert b.misclassified == () and b.accuracy_2d == 1.0 and b.accuracy_full == 1.0
    assert b.predicted == d.labels
    with pytest.raises(InvalidParameterError, match="per_class=6"):
        c.decision_boundary(f, per_class=6)
    with pytest.raises(InvalidParameterError, match="grid=5"):
        c.decision_boundary(f, grid=5)


# -- what the lesson claims, on the real data ---------------------------------------------------
@pytest.mark.slow
def test_polarity_dense_sentence_vectors_beat_bag_of_words_at_10_per_class():
    d = labelled.polarity_sentences()
    dense, bow = c.sentence_features(d), c.onehot_features(d)
    curve = c.learning_curve([dense, bow], sizes=[10], test_per_class=50, n_repeats=20, seed=0)
    # measured: 0.597 (sd 0.060) vs 0.512 (sd 0.042) over 20 splits of 10 + 10 labelled, 50 + 50 held out
    assert curve.at("sentence-embedding", 10) >= curve.at("bag-of-words", 10) + 0.05
    assert curve.at("bag-of-words", 10) < 0.56
    b = c.decision_boundary(dense, per_class=10, seed=0)
    held_out = int(b.test.sum())
    assert b.train.sum() == 20 and held_out == 100 and not (b.train & b.test).any()   # 50 + 50 held out
    assert len(b.misclassified) == round((1 - b.accuracy_2d) * held_out)
    # measured: the PCA plane keeps 7.5% of the variance and none of the sentiment (0.48 held out in
    # 2-D against 0.54 with all 384 dims for this split): the page must show both numbers
    assert b.accuracy_2d <= b.accuracy_full


def test_word_categories_dense_word_vectors_beat_one_hot_which_sits_at_chance(words):
    d = labelled.word_categories(["country", "capital", "us-state", "us-city", "family"])
    dense, onehot = c.word_features(d, words), c.onehot_features(d)
    assert dense.dropped and len(dense.dropped) < 0.25 * len(d.items)      # rare names are not whole tokens
    curve = c.learning_curve([dense, onehot], sizes=[5], n_repeats=10, seed=0)
    # measured: 0.92 (sd 0.04) with 5 labelled words per class, 13 held out per class; one-hot 0.2 = 1/5
    assert curve.at("word-vectors", 5) >= 0.8
    assert np.all(curve.accuracy[1] == pytest.approx(curve.chance)) and curve.chance == 0.2
