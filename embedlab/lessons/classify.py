"""Classification with embeddings: why dense vectors learn from a few labelled examples and one-hot codes cannot.

Data: :class:`~embedlab.lessons.labelled.LabelledData` (gensim's polarity sentences, word categories of
the analogy file, or an uploaded labelled CSV; see :mod:`embedlab.lessons.labelled`).

Features, one row per item, the same items for every kind:

* ``sentence-embedding``: all-MiniLM-L6-v2 sentence vectors (:func:`embedlab.encode_sentences`);
* ``word-vectors``: the rows of an :class:`~embedlab.core.embeddings.EmbeddingSet` (missing words are
  dropped and counted);
* ``bag-of-words``: word counts of each sentence (scikit-learn's ``CountVectorizer``);
* ``one-hot``: each word its own id (the identity matrix over the items).

:func:`learning_curve` trains the same linear model (``LogisticRegression``) on the same labelled
examples for every kind and scores it on the same held-out items, for several numbers of labelled
examples per class and several seeded random splits. :func:`decision_boundary` draws what a linear
model does in a 2-D PCA plane of the features.

>>> data = LabelledData("toy", "words", ("a", "b", "c", "d"), ("x", "x", "y", "y"))
>>> onehot_features(data).matrix.shape
(4, 4)
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError
from ..core.validate import check_int, invalid
from .labelled import LabelledData

logger = logging.getLogger(__name__)

__all__ = ["Features", "Splits", "LearningCurve", "Misclassified", "DecisionBoundary", "FEATURE_KINDS",
           "DEFAULT_SIZES", "sentence_features", "word_features", "onehot_features", "stratified_splits",
           "learning_curve", "decision_boundary"]

DEFAULT_SIZES = (1, 2, 5, 10, 20, 50)  #: labelled examples per class on the learning curve
FEATURE_KINDS = ("sentence-embedding", "word-vectors", "bag-of-words", "one-hot")


@dataclass(frozen=True, eq=False)
class Features:
    """One feature row per kept item.

    Attributes
    ----------
    kind : str
        One of :data:`FEATURE_KINDS`.
    rows : tuple of int
        Positions in ``LabelledData.items`` of the kept items (all of them unless words were missing).
    items, labels : tuple of str
        The kept items and their labels.
    matrix : ndarray, shape (len(rows), n_features), float32, read-only
    dropped : tuple of str
        Items left out (words not in the set), in order.
    description : str
        What a column is, in words.
    """

    kind: str
    rows: tuple[int, ...]
    items: tuple[str, ...]
    labels: tuple[str, ...]
    matrix: np.ndarray
    dropped: tuple[str, ...] = ()
    description: str = ""


def _features(kind: str, data: LabelledData, rows: Sequence[int], matrix, dropped=(), description="") -> Features:
    m = np.ascontiguousarray(matrix, dtype=np.float32)
    m.flags.writeable = False
    return Features(kind, tuple(int(r) for r in rows), tuple(data.items[r] for r in rows),
                    tuple(data.labels[r] for r in rows), m, tuple(dropped), description)


# -- features -----------------------------------------------------------------------------------
def sentence_features(data: LabelledData) -> Features:
    """MiniLM sentence vectors (384 dims, unit length) of every item."""
    from ..encoder import encode_sentences

    return _features("sentence-embedding", data, range(len(data.items)), encode_sentences(list(data.items)),
                     description="all-MiniLM-L6-v2 sentence vector (mean of the output token vectors)")


def word_features(data: LabelledData, es: EmbeddingSet) -> Features:
    """The vectors of the items in ``es`` (a word, else its lower-case form); missing words are dropped.

    >>> es = EmbeddingSet(["a", "b"], [[1, 0], [0, 1]], name="toy")
    >>> f = word_features(LabelledData("t", "words", ("A", "b", "zz"), ("x", "y", "y")), es)
    >>> f.rows, f.dropped, f.matrix.tolist()
    ((0, 1), ('zz',), [[1.0, 0.0], [0.0, 1.0]])
    """
    rows, idx, dropped = [], [], []
    for r, w in enumerate(data.items):
        tok = w if w in es else w.lower()
        if tok in es:
            rows.append(r)
            idx.append(es.index(tok))
        else:
            dropped.append(w)
    if not rows:
        raise InvalidParameterError(f"none of the {len(data.items)} items is a token of {es.name!r}")
    if dropped:
        logger.info("%d of %d items are not in %s and were dropped", len(dropped), len(data.items), es.name)
    return _features("word-vectors", data, rows, es.vectors[np.asarray(idx)], dropped,
                     description=f"the item's row of {es.name!r} ({es.dim} dims)")


def onehot_features(data: LabelledData) -> Features:
    """One-hot ids for words, bag-of-words counts for sentences (scikit-learn ``CountVectorizer``).

    The vocabulary is built from all items. That does not let test items leak into training: a
    column that is zero for every training item gets weight 0 in an L2-regularised linear model,
    so the predictions are those of a vocabulary built from the training items alone.

    >>> f = onehot_features(LabelledData("t", "words", ("a", "b", "c"), ("x", "y", "y")))
    >>> f.kind, f.matrix.tolist()
    ('one-hot', [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    """
    rows = range(len(data.items))
    if data.kind == "words":
        return _features("one-hot", data, rows, np.eye(len(data.items), dtype=np.float32),
                         description="one column per item: 1 for the item itself, 0 elsewhere")
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(token_pattern=r"(?u)\b\w+\b")
    counts = vec.fit_transform(list(data.items)).toarray()
    return _features("bag-of-words", data, rows, counts,
                     description=f"counts of {len(vec.vocabulary_):,} words (one column per word)")


# -- splits and the learning curve --------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Splits:
    """Seeded stratified splits: per repeat, one test set and nested training sets.

    ``test[r]`` are the held-out rows of repeat ``r`` (``test_per_class`` of each class);
    ``train[r][j]`` the training rows for ``sizes[j]`` examples per class; the training sets of one
    repeat are nested and never meet its test set. ``dropped_sizes`` did not fit the smallest class.
    """

    classes: tuple[str, ...]
    sizes: tuple[int, ...]
    test_per_class: int
    test: tuple[np.ndarray, ...]
    train: tuple[tuple[np.ndarray, ...], ...]
    dropped_sizes: tuple[int, ...] = ()


def stratified_splits(labels: Sequence[str], *, sizes: Sequence[int] = DEFAULT_SIZES,
                      test_per_class: int | None = None, n_repeats: int = 5, seed: int = 0) -> Splits:
    """Random per-class splits for a learning curve (``np.random.default_rng(seed)``).

    Parameters
    ----------
    labels : sequence of str
        One label per row.
    sizes : sequence of int
        Labelled examples per class; sizes that leave no ``test_per_class`` items in the smallest
        class are dropped (listed in ``dropped_sizes``).
    test_per_class : int, optional
        Held-out items per class (the test set is balanced, so always guessing one class scores
        exactly ``1 / n_classes``). Default: half the smallest class.
    n_repeats, seed : int

    >>> s = stratified_splits(["a", "a", "a", "b", "b", "b"], sizes=[1, 2, 5], test_per_class=1, n_repeats=2)
    >>> s.sizes, s.dropped_sizes, [len(t) for t in s.train[0]], len(s.test[1])
    ((1, 2), (5,), [2, 4], 2)
    """
    labels = list(labels)
    classes = tuple(sorted(set(labels)))
    if len(classes) < 2:
        raise invalid("labels", f"{len(classes)} class", "at least two classes")
    n_repeats = check_int(n_repeats, "n_repeats", minimum=1, maximum=100)
    seed = check_int(seed, "seed", minimum=0)
    sizes = sorted({check_int(s, "sizes", minimum=1) for s in sizes})
    by_class = [np.flatnonzero(np.asarray(labels, dtype=object) == c) for c in classes]
    smallest = min(len(b) for b in by_class)
    if test_per_class is None:
        test_per_class = max(1, smallest // 2)
    test_per_class = check_int(test_per_class, "test_per_class", minimum=1, maximum=smallest - 1)
    kept = tuple(s for s in sizes if s + test_per_class <= smallest)
    if not kept:
        raise invalid("sizes", tuple(sizes), f"at least one size <= {smallest - test_per_class} "
                      f"(the smallest class has {smallest} items, {test_per_class} of them held out)")
    rng = np.random.default_rng(seed)
    tests, trains = [], []
    for _ in range(n_repeats):
        perms = [rng.permutation(b) for b in by_class]
        tests.append(np.sort(np.concatenate([p[:test_per_class] for p in perms])))
        trains.append(tuple(np.concatenate([p[test_per_class:test_per_class + s] for p in perms]) for s in kept))
    return Splits(classes, kept, test_per_class, tuple(tests), tuple(trains),
                  tuple(s for s in sizes if s not in kept))


def _model(seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=2000, random_state=seed)


def _accuracy(x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray, seed: int) -> float:
    model = _model(seed).fit(x[train], y[train])
    return float(np.mean(model.predict(x[test]) == y[test]))


@dataclass(frozen=True, eq=False)
class LearningCurve:
    """Held-out accuracy by feature kind and labelled examples per class.

    ``accuracy`` has shape ``(len(kinds), len(sizes), n_repeats)`` (read-only); :attr:`mean` and
    :attr:`std` average over the repeats. ``chance`` is ``1 / n_classes`` (the test sets are balanced).
    """

    kinds: tuple[str, ...]
    sizes: tuple[int, ...]
    accuracy: np.ndarray
    classes: tuple[str, ...]
    test_per_class: int
    n_items: int
    seed: int
    dropped_sizes: tuple[int, ...] = ()
    dropped_items: int = 0

    @property
    def chance(self) -> float:
        return 1.0 / len(self.classes)

    @property
    def mean(self) -> np.ndarray:
        """``(len(kinds), len(sizes))`` mean accuracy over the repeats."""
        return self.accuracy.mean(axis=2)

    @property
    def std(self) -> np.ndarray:
        """``(len(kinds), len(sizes))`` standard deviation over the repeats."""
        return self.accuracy.std(axis=2)

    def at(self, kind: str, size: int) -> float:
        """Mean accuracy of ``kind`` at ``size`` labelled examples per class."""
        return float(self.mean[self.kinds.index(kind), self.sizes.index(size)])


def _aligned(features: Sequence[Features]) -> tuple[list[np.ndarray], np.ndarray, int]:
    """The feature matrices restricted to the rows every kind kept, and their labels."""
    common = sorted(set.intersection(*(set(f.rows) for f in features)))
    if not common:
        raise InvalidParameterError("the feature kinds share no item")
    mats, labels = [], None
    for f in features:
        pos = {r: i for i, r in enumerate(f.rows)}
        take = np.asarray([pos[r] for r in common])
        mats.append(f.matrix[take])
        labels = np.asarray([f.labels[i] for i in take], dtype=object)
    return mats, labels, max(len(f.rows) for f in features) - len(common)


def learning_curve(features: Sequence[Features] | Mapping[str, Features], *, sizes: Sequence[int] = DEFAULT_SIZES,
                   test_per_class: int | None = None, n_repeats: int = 5, seed: int = 0) -> LearningCurve:
    """Accuracy on held-out items against labelled examples per class, for each feature kind.

    Every kind gets the same items (those all kinds kept), the same splits
    (:func:`stratified_splits`) and the same model (``LogisticRegression(C=1)``).

    Why one-hot codes stay at chance on words: the test words are not among the training words,
    and a one-hot id of an unseen word is a column no training word has. The model learned no
    weight for it, so every test word gets the same score (the intercepts alone) and the same
    class: exactly ``1 / n_classes`` correct on a balanced test set. Dense vectors share their
    dimensions between words, so what was learned from "paris" applies to "rome".
    Bag-of-words sentences do a little better than chance because test sentences share some words
    with training sentences.

    Returns
    -------
    LearningCurve

    >>> import numpy as np
    >>> d = LabelledData("toy", "words", tuple("abcdefgh"), ("x",) * 4 + ("y",) * 4)
    >>> dense = Features("word-vectors", tuple(range(8)), d.items, d.labels,
    ...                  np.array([[1, 0]] * 4 + [[0, 1]] * 4, dtype=np.float32))
    >>> c = learning_curve([dense, onehot_features(d)], sizes=[1, 2], test_per_class=2, n_repeats=3)
    >>> c.mean.tolist(), c.chance
    ([[1.0, 1.0], [0.5, 0.5]], 0.5)
    """
    feats = list(features.values()) if isinstance(features, Mapping) else list(features)
    if not feats:
        raise invalid("features", feats, "at least one Features")
    kinds = tuple(f.kind for f in feats)
    if len(set(kinds)) != len(kinds):
        raise invalid("features", kinds, "one Features per kind")
    mats, y, n_dropped = _aligned(feats)
    splits = stratified_splits(y, sizes=sizes, test_per_class=test_per_class, n_repeats=n_repeats, seed=seed)
    acc = np.empty((len(kinds), len(splits.sizes), n_repeats))
    for r, (test, trains) in enumerate(zip(splits.test, splits.train)):
        for j, train in enumerate(trains):
            for k, x in enumerate(mats):
                acc[k, j, r] = _accuracy(x, y, train, test, seed)
    acc.flags.writeable = False
    logger.info("learning curve: %s over sizes %s, %d repeats", kinds, splits.sizes, n_repeats)
    return LearningCurve(kinds, splits.sizes, acc, splits.classes, splits.test_per_class, len(y), seed,
                         splits.dropped_sizes, n_dropped)


# -- the decision boundary in 2-D ---------------------------------------------------------------
@dataclass(frozen=True)
class Misclassified:
    """A held-out item the 2-D model got wrong."""

    item: str
    label: str
    predicted: str


@dataclass(frozen=True, eq=False)
class DecisionBoundary:
    """A linear model fitted in the 2-D PCA plane of some features, for drawing.

    Attributes
    ----------
    items, labels : tuple of str
    coords : ndarray, shape (n, 2), float32
        The items in the PCA plane (fitted on all items: it uses no label).
    train, test : ndarray of bool, shape (n,)
        The labelled examples the model learned from, and the held-out items it is scored on
        (other items are drawn but not scored).
    xs, ys : ndarray, shape (grid,)
        Grid coordinates; ``grid_class[i, j]`` is the class index predicted at ``(xs[j], ys[i])``.
    grid_class : ndarray of int, shape (grid, grid)
    classes : tuple of str
    predicted : tuple of str
        The 2-D model's class for every item.
    misclassified : tuple of Misclassified
        Held-out items it got wrong, in item order.
    accuracy_2d, accuracy_full : float
        Held-out accuracy of the model in the plane, and of the same model on the full features
        (the plane loses information; the gap says how much).
    explained_variance : tuple of float
        Share of the features' variance along the two axes.
    """

    kind: str
    items: tuple[str, ...]
    labels: tuple[str, ...]
    coords: np.ndarray
    train: np.ndarray
    test: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    grid_class: np.ndarray
    classes: tuple[str, ...]
    predicted: tuple[str, ...]
    misclassified: tuple[Misclassified, ...]
    accuracy_2d: float
    accuracy_full: float
    explained_variance: tuple[float, float]


def _ro(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def decision_boundary(features: Features, *, per_class: int = 10, test_per_class: int | None = None,
                      seed: int = 0, grid: int = 100) -> DecisionBoundary:
    """Project the features to their 2-D PCA plane, fit the linear model there, predict on a grid.

    Parameters
    ----------
    features : Features
    per_class : int
        Labelled examples per class the model learns from (the split of
        :func:`stratified_splits` with this size, repeat 0).
    test_per_class : int, optional
        Held-out items per class (default: all the others, up to half the smallest class).
    seed : int
    grid : int
        Grid points per axis (10 .. 400).

    Returns
    -------
    DecisionBoundary
    """
    from ..space.projection import fit_pca   # the one PCA plane with its sign rule

    grid = check_int(grid, "grid", minimum=10, maximum=400)
    y = np.asarray(features.labels, dtype=object)
    smallest = min(Counter(features.labels).values())
    per_class = check_int(per_class, "per_class", minimum=1, maximum=max(1, smallest - 1))
    if test_per_class is None:
        test_per_class = max(1, min(smallest - per_class, smallest // 2))
    test_per_class = check_int(test_per_class, "test_per_class", minimum=1, maximum=max(1, smallest - per_class))
    splits = stratified_splits(y, sizes=[per_class], test_per_class=test_per_class, n_repeats=1, seed=seed)
    train, test = splits.train[0][0], splits.test[0]
    pca = fit_pca(features.matrix, dims=2)
    xy = pca.transform(features.matrix)
    model = _model(seed).fit(xy[train], y[train])
    pred = model.predict(xy)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = np.where(hi > lo, (hi - lo) * 0.05, 1.0)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], grid, dtype=np.float32)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], grid, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    cls_index = {c: i for i, c in enumerate(splits.classes)}
    at = model.predict(np.column_stack([gx.ravel(), gy.ravel()]))
    grid_class = np.fromiter((cls_index[c] for c in at), dtype=np.int64, count=at.size).reshape(grid, grid)
    mask, held = np.zeros(len(y), dtype=bool), np.zeros(len(y), dtype=bool)
    mask[train] = True
    held[test] = True
    wrong = tuple(Misclassified(features.items[i], str(y[i]), str(pred[i])) for i in np.sort(test) if pred[i] != y[i])
    return DecisionBoundary(
        kind=features.kind, items=features.items, labels=features.labels, coords=_ro(xy), train=_ro(mask), test=_ro(held),
        xs=_ro(xs), ys=_ro(ys), grid_class=_ro(grid_class), classes=splits.classes,
        predicted=tuple(str(p) for p in pred), misclassified=wrong,
        accuracy_2d=float(np.mean(pred[test] == y[test])),
        accuracy_full=_accuracy(features.matrix, y, train, test, seed),
        explained_variance=(float(pca.explained_variance_ratio[0]), float(pca.explained_variance_ratio[1])))
