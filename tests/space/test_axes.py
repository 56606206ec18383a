import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError, UnknownTokenError
from embedlab.space.axes import axis_positions, make_axis, parse_groups, parse_words, rank_along


@pytest.fixture
def gendered():
    # x = gender (negative male, positive female), y = royalty, z = noise
    vecs = np.array([[-1, 0, 0.1], [1, 0, 0.1], [-1, 1, 0], [1, 1, 0], [0.2, 0, 1], [-0.3, 0.1, 1]],
                    dtype=np.float32)
    return EmbeddingSet(["man", "woman", "king", "queen", "nurse", "pilot"], vecs, name="g")


def test_axis_direction_is_unit_and_from_pole_to_pole(gendered):
    ax = make_axis(gendered, "man", "woman")
    assert np.isclose(np.linalg.norm(ax.direction), 1.0)
    assert ax.direction[0] > 0.99
    assert ax.label == "man → woman"


def test_pole_of_several_words_is_their_mean(gendered):
    ax = make_axis(gendered, ["man", "king"], ["woman", "queen"])
    u = gendered.unit
    d = (u[1] + u[3]) / 2 - (u[0] + u[2]) / 2
    np.testing.assert_allclose(ax.direction, d / np.linalg.norm(d), atol=1e-6)
    assert ax.label == "man+king → woman+queen"


def test_positions_and_ranking(gendered):
    ax = make_axis(gendered, "man", "woman")
    pos = axis_positions(gendered, ["queen", "king", "nurse", "pilot"], [ax])
    assert pos.shape == (4, 1)
    assert pos[0, 0] > 0 > pos[1, 0]
    assert [t for t, _ in rank_along(gendered, ["pilot", "king", "queen", "nurse"], ax)] == \
        ["queen", "nurse", "pilot", "king"]


def test_two_axes_give_two_columns(gendered):
    axes = [make_axis(gendered, "man", "woman"), make_axis(gendered, "man woman", "king queen")]
    pos = axis_positions(gendered, ["king", "nurse"], axes)
    assert pos.shape == (2, 2)
    assert pos[0, 1] > pos[1, 1]


def test_bad_axes(gendered):
    with pytest.raises(UnknownTokenError, match="prince"):
        make_axis(gendered, "man prince", "woman")
    with pytest.raises(InvalidParameterError, match="needs at least one word"):
        make_axis(gendered, "", "woman")
    with pytest.raises(InvalidParameterError, match="same point"):
        make_axis(gendered, "man", "man")


def test_word_and_group_parsing():
    assert parse_words(" a,b;; c\na ") == ["a", "b", "c"]
    g = parse_groups("animals: cat dog\n  \nfruit: apple cat\nred blue")
    assert g == {"animals": ["cat", "dog"], "fruit": ["apple"], "group 3": ["red", "blue"]}


def test_gender_axis_on_default_set(words):
    ax = make_axis(words, "man he him", "woman she her")
    ranked = [t for t, _ in rank_along(words, ["king", "queen", "actor", "actress"], ax)]
    assert ranked.index("queen") < ranked.index("king")
    assert ranked.index("actress") < ranked.index("actor")
