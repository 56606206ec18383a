"""embedlab.viz.compare: the Compare maps and the odd-one-out reveal."""
import numpy as np
import pytest

from embedlab import EmbeddingSet, UnknownTokenError
from embedlab.lessons.games import OddPuzzle
from embedlab.space.compare import compare_sets
from embedlab.viz.compare import compare_maps, odd_one_out_figure, overlap_groups
from embedlab.viz.presenter import NO_LABELS, presenter_style

WORDS = [f"w{a}{b}" for a in "abcdefgh" for b in "abcdefgh"]


@pytest.fixture
def comparison():
    rng = np.random.default_rng(0)
    v = rng.standard_normal((64, 6)).astype(np.float32)
    noisy = v + 0.8 * rng.standard_normal(v.shape).astype(np.float32)
    return compare_sets(EmbeddingSet(WORDS, v, name="<b>A</b>"), EmbeddingSet(WORDS, noisy, name="B"), k=5)


def test_compare_maps_draw_both_spaces_with_the_word_starred_in_each(comparison):
    fig = compare_maps(comparison, highlight="wcd")
    assert [a.text for a in fig.layout.annotations][:2] == ["A: &lt;b&gt;A&lt;/b&gt;", "B: B, rotated onto A"]
    groups = overlap_groups(comparison.overlap)
    clouds = [t for t in fig.data if t.meta == NO_LABELS and t.name != "neighbours"]
    assert sum(len(t.hovertext) for t in clouds) == 2 * 64       # every compared word, in both panels
    assert {t.name for t in clouds} <= {"no neighbour shared", "most neighbours shared (≥ 50%)",
                                        "some shared (10–40%)"}
    assert sum(len(t.hovertext) for t in clouds if t.name == "no neighbour shared") == 2 * groups.count("other")
    assert [t.name for t in fig.data if (t.name or "").startswith("searched")] == ["searched: wcd"] * 2
    assert "5 nearest in A" in {t.name for t in fig.data}
    nbrs = [t for t in fig.data if t.name == "neighbours"]
    assert len(nbrs) == 2 and all(t.mode == "markers" and t.meta == NO_LABELS for t in nbrs)   # no knot of labels
    styled = presenter_style(fig)                                  # a projector labels no cloud of words
    assert all(t.mode == "markers" for t in styled.data if t.meta == NO_LABELS)
    with pytest.raises(UnknownTokenError):
        compare_maps(comparison, highlight="zebra")


def test_odd_one_out_figure_orders_by_fit_and_marks_the_odd_word():
    p = OddPuzzle(("cat", "car", "dog", "cow"), "car", (0.5, 0.05, 0.6, 0.4), 0.35, 1)
    fig = odd_one_out_figure(p)
    bar = fig.data[0]
    assert list(bar.y) == ["dog", "cat", "cow", "car"] and list(bar.x) == [0.6, 0.5, 0.4, 0.05]
    assert list(bar.marker.color).count(bar.marker.color[-1]) == 1 and len(set(bar.marker.color)) == 2
