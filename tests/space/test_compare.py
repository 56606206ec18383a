"""embedlab.space.compare: Procrustes alignment and top-k neighbour overlap of two sets."""
import numpy as np
import pytest

from embedlab import CompareError, EmbeddingSet, InvalidParameterError, UnknownTokenError
from embedlab.space.compare import compare_sets, map_coords, neighbour_overlap

WORDS = [f"word{c}{d}" for c in "abcdefghij" for d in "abcdefghij"]   # 100 words


def _set(v, name="a", words=WORDS):
    return EmbeddingSet(words[: len(v)], np.asarray(v, dtype=np.float32), name=name)


@pytest.fixture
def base():
    return np.random.default_rng(0).standard_normal((100, 8))


def test_a_rotated_copy_aligns_to_zero_error_and_full_overlap(base):
    q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((8, 8)))
    c = compare_sets(_set(base), _set(base @ q, "b"), k=5)
    assert c.error == pytest.approx(0.0, abs=1e-5) and c.mean_overlap == 1.0
    np.testing.assert_allclose(c.rotation @ q, np.eye(8), atol=1e-5)     # R undoes q
    np.testing.assert_allclose(c.moved(), 1.0, atol=1e-5)
    assert c.tokens and len(c.tokens) == c.n_shared == 100 and c.note == ""
    assert c.names == ("a", "b") and not c.a.flags.writeable and not c.b.flags.writeable
    ma, mb = map_coords(c)
    np.testing.assert_allclose(ma, mb, atol=1e-4)                        # the same plane: the same picture


def test_a_shuffled_copy_does_not_align(base):
    perm = np.random.default_rng(2).permutation(100)
    c = compare_sets(_set(base), _set(base[perm], "b"), k=5)
    assert c.error > 1.0 and c.mean_overlap < 0.2
    worst = c.most_different(3)
    assert len(worst) == 3 and worst[0][1] == min(c.overlap)
    best = c.most_alike(3)
    assert len(best) == 3 and best[0][1] == max(c.overlap) and best[0][1] >= best[1][1] >= best[2][1]


def test_overlap_counts_shared_neighbours_exactly():
    # a: two pairs, 0-1 and 2-3. b: word 2 moved next to word 0, so the nearest words are
    # 0 -> 2 (was 1), 1 -> 0 (kept), 2 -> 0 (was 3), 3 -> 1 (was 2)
    a = np.array([[1, 0, 0], [1, .1, 0], [0, 1, 0], [0, 1, .1]])
    b = np.array([[1, 0, 0], [1, .1, 0], [1, 0, .05], [0, 1, .1]])
    a, b = (x / np.linalg.norm(x, axis=1, keepdims=True) for x in (a, b))
    assert neighbour_overlap(a.astype(np.float32), b.astype(np.float32), 1).tolist() == [0.0, 1.0, 0.0, 0.0]
    assert neighbour_overlap(a.astype(np.float32), b.astype(np.float32), 3).tolist() == [1.0] * 4


def test_only_shared_words_count_and_different_dimensions_are_reduced(base):
    a = _set(base)                                       # 100 words, 8 dims
    b = _set(base[:60, :5], "b")                         # 60 of them, 5 dims
    c = compare_sets(a, b, k=3)
    assert c.n_shared == 60 and set(c.tokens) == set(WORDS[:60]) and c.a.shape == c.b.shape == (60, 5)
    assert "'a' (8 dimensions) was reduced to 5 with PCA" in c.note
    a_nb, b_nb = c.neighbours(c.tokens[0])
    assert len(a_nb) == len(b_nb) == 3 and c.tokens[0] not in a_nb
    with pytest.raises(UnknownTokenError):
        c.neighbours("wordjj")
    assert compare_sets(a, b, k=3, max_words=20).tokens == c.tokens[:20]


def test_bad_inputs_get_clear_errors(base):
    with pytest.raises(CompareError, match="share 5 words; comparing them needs at least 10"):
        compare_sets(_set(base), _set(base[:5], "b"))
    z = base.copy()
    z[3] = 0
    with pytest.raises(CompareError, match="'wordad' has a zero vector in 'b'"):
        compare_sets(_set(base), _set(z, "b"))
    with pytest.raises(InvalidParameterError, match="k=0"):
        compare_sets(_set(base), _set(base, "b"), k=0)


def test_inputs_are_not_modified(base):
    a, b = _set(base), _set(base[::-1].copy(), "b")
    before = a.vectors.copy(), b.vectors.copy()
    compare_sets(a, b)
    np.testing.assert_array_equal(a.vectors, before[0])
    np.testing.assert_array_equal(b.vectors, before[1])
