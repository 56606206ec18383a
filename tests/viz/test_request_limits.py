"""Figures refuse more words than a screen can show (the pages cut the list first and say so)."""
import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.lessons import onehot
from embedlab.viz.explorer import MAX_AXIS_WORDS, MAX_HEATMAP_WORDS, axes_figure, similarity_heatmap

pytestmark = pytest.mark.unit


def test_heatmap_limit():
    n = MAX_HEATMAP_WORDS
    assert len(similarity_heatmap(np.eye(n), [f"w{i}" for i in range(n)]).data[0].x) == n
    with pytest.raises(InvalidParameterError, match=f"at most {n}"):
        similarity_heatmap(np.eye(n + 1), [f"w{i}" for i in range(n + 1)])


def test_axes_limit():
    n = MAX_AXIS_WORDS + 1
    with pytest.raises(InvalidParameterError, match=f"at most {MAX_AXIS_WORDS}"):
        axes_figure([f"w{i}" for i in range(n)], np.zeros((n, 1)), ["a → b"])


def test_one_hot_limit():
    n = onehot.MAX_WORDS + 1
    es = EmbeddingSet([f"w{i}" for i in range(n)], np.eye(n, dtype=np.float32))
    assert len(onehot.compare(es, es.tokens[:-1]).tokens) == onehot.MAX_WORDS
    with pytest.raises(InvalidParameterError, match=f"at most {onehot.MAX_WORDS}"):
        onehot.compare(es, es.tokens)
