"""EmbeddingSet.neighbors(index=...): an explicit index answers, nothing else does; pickled sets stay read-only."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.core.index import NeighborIndex


class Recording:
    """A stand-in index: answers fixed rows and records what it was asked."""

    metric = "cosine"

    def __init__(self, es: EmbeddingSet, rows=(5, 4)):
        self.fingerprint = es.fingerprint
        self.rows = list(rows)
        self.calls = []

    def query(self, queries, *, k, exclude=None):
        self.calls.append((np.array(queries), k, [sorted(e) for e in exclude]))
        idx = np.array([self.rows[:k]], dtype=np.int64)
        return idx, np.full(idx.shape, 0.5, dtype=np.float32)


def test_without_an_index_search_is_exact(toy_set):
    # pear is the nearest to apple (cosine 0.995), then king and man at 0
    assert [n.token for n in toy_set.neighbors("apple", 2)] == ["pear", "king"]


def test_an_explicit_index_answers_with_the_query_and_exclusions(toy_set):
    index = Recording(toy_set, rows=[5, 0])
    found = toy_set.neighbors("king", 2, exclude=["queen"], index=index)
    assert [(n.token, n.score, n.index) for n in found] == [("pear", 0.5, 5), ("king", 0.5, 0)]
    (queries, k, exclude), = index.calls
    np.testing.assert_array_equal(queries, [[1.0, 1.0, 0.0]])
    assert k == 2 and exclude == [[0, 1]]        # the query word and the excluded word, by row


def test_the_same_call_without_the_index_is_exact_again(toy_set):
    index = Recording(toy_set, rows=[5, 4])
    assert [n.token for n in toy_set.neighbors("king", 2, index=index)] == ["pear", "apple"]
    assert [n.token for n in toy_set.neighbors("king", 2)] == ["man", "pear"]   # cosine 0.707, 0.070


def test_an_index_of_another_set_is_refused(toy_set):
    other = EmbeddingSet(["a", "b"], np.eye(2))
    with pytest.raises(InvalidParameterError, match=r"index=.* is not allowed; must be an index built on this set"):
        toy_set.neighbors("king", 2, index=Recording(other))


def test_an_index_for_another_metric_is_refused(toy_set):
    with pytest.raises(InvalidParameterError, match=r"must be an index for metric='euclidean' \(this one answers 'cosine'\)"):
        toy_set.neighbors("king", 2, metric="euclidean", index=Recording(toy_set))


def test_something_that_is_not_an_index_is_refused(toy_set):
    with pytest.raises(InvalidParameterError, match=r"index='fast' is not allowed; must be None or an index"):
        toy_set.neighbors("king", 2, index="fast")


def test_the_approximate_index_satisfies_the_protocol():
    from embedlab.runtime.faiss_index import FaissIndex   # the app's index (pynndescent's is gone)

    assert FaissIndex.metric == "cosine"
    assert isinstance(FaissIndex.fingerprint, property)
    assert callable(FaissIndex.query)
    assert isinstance(Recording(EmbeddingSet(["a"], [[1.0]])), NeighborIndex)


def test_core_imports_nothing_outside_core():
    import ast
    from pathlib import Path

    import embedlab.core

    for path in Path(embedlab.core.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                assert node.level == 1, f"{path.name} imports {'.' * node.level}{node.module} (outside core)"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n.startswith("embedlab.") and not n.startswith("embedlab.core") for n in names), \
                    f"{path.name} imports {names}"


# -- pickling ----------------------------------------------------------------------------------------
def test_a_pickled_set_comes_back_read_only_and_equal(toy_set):
    toy_set.unit, toy_set.sq_norms, toy_set.fingerprint        # computed, then cached on the set
    back = pickle.loads(pickle.dumps(toy_set))
    assert back.tokens == toy_set.tokens and back.name == "toy" and back.origin == toy_set.origin
    np.testing.assert_array_equal(back.vectors, toy_set.vectors)
    assert back.vectors.flags.writeable is False
    assert back.unit.flags.writeable is False and back.sq_norms.flags.writeable is False
    np.testing.assert_array_equal(back.unit, toy_set.unit)
    np.testing.assert_array_equal(back.sq_norms, toy_set.sq_norms)
    assert back.fingerprint == toy_set.fingerprint
    with pytest.raises(ValueError, match="read-only"):
        back.vectors[0, 0] = 5.0
    assert [n.token for n in back.neighbors("apple", 2)] == ["pear", "king"]


def test_a_pickle_carries_the_vectors_once(toy_set):
    bare = len(pickle.dumps(toy_set))
    toy_set.unit, toy_set.sq_norms
    assert len(pickle.dumps(toy_set)) == bare        # the unit vectors are recomputed, not shipped


def test_a_pickle_made_with_the_unit_vectors_inside_still_comes_back_read_only(toy_set):
    state = dict(vars(toy_set), unit=np.ones((6, 3), dtype=np.float32))   # e.g. a pickle of an older version
    back = EmbeddingSet.__new__(EmbeddingSet)
    back.__setstate__(pickle.loads(pickle.dumps(state)))
    assert back.unit.flags.writeable is False and back.vectors.flags.writeable is False
