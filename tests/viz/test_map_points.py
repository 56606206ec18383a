"""map_points: the Map's drawn rows (sample, added words, positions), sizes offered, group labels,
and the picture's neighbours beside the real ones."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError, UnknownTokenError
from embedlab.viz.map_points import (DRAW_LIMIT, MapPoints, PictureNeighbours, group_labels, map_points,
                                     parse_size, picture_neighbours, size_choices)

TOKENS = ["the", "of", "king", "queen", "monarchy", "apple"]


@pytest.fixture
def es():
    return EmbeddingSet(TOKENS, np.eye(6, dtype=np.float32), name="six")


def test_added_words_come_after_the_base_once_each_and_unknown_ones_are_left_out(es):
    pts = map_points(es, [0, 1, 2], added=["monarchy", "king", "zzz", "apple", "monarchy"])
    assert pts.rows.tolist() == [0, 1, 2, 4, 5]
    assert pts.n_base == 3 and pts.base.tolist() == [0, 1, 2] and pts.extra.tolist() == [4, 5]
    assert pts.tokens == ("the", "of", "king", "monarchy", "apple")
    assert pts.highlight is None and pts.neighbor_positions == ()
    assert not pts.rows.flags.writeable


def test_the_searched_word_and_its_neighbours_are_drawn_and_located(es):
    pts = map_points(es, [0, 1], highlight="monarchy", neighbors=["queen", "the"])
    assert pts.rows.tolist() == [0, 1, 4, 3]
    assert pts.highlight == 2 and pts.neighbor_positions == (3, 0)
    with pytest.raises(UnknownTokenError, match="zzz"):
        map_points(es, [0], highlight="zzz")


def test_the_base_is_not_changed_and_an_empty_addition_keeps_it(es):
    base = np.array([3, 1], dtype=np.int64)
    pts = map_points(es, base)
    assert pts.rows.tolist() == [3, 1] and pts.extra.tolist() == []
    assert base.flags.writeable and base.tolist() == [3, 1]      # the caller's (cached) array untouched


def test_describe_names_added_words_and_the_sample():
    all_drawn = MapPoints(np.array([0, 1]), 2, ("a", "b"))
    assert all_drawn.describe("all 2 tokens", 2) == "all 2 tokens"
    sample = MapPoints(np.array([0, 1, 5, 6]), 2, ("a", "b", "x", "y"))
    assert sample.describe("the 2 most frequent of 9 tokens", 9) == (
        "the 2 most frequent of 9 tokens, plus 2 searched or grouped words not among them. A sample for "
        "drawing: the search box finds any of the 9 tokens and adds it, with its neighbours, to the picture")


def test_sizes_offer_all_only_up_to_the_drawing_limit():
    assert size_choices(DRAW_LIMIT) == (1000, 2000, 5000, 10000, 20000, "all")
    assert size_choices(DRAW_LIMIT + 1) == (1000, 2000, 5000, 10000, 20000)
    with pytest.raises(InvalidParameterError, match="n_tokens=2.5 is not allowed"):
        size_choices(2.5)
    assert parse_size("all") == "all" and parse_size("1000") == 1000
    with pytest.raises(ValueError):
        parse_size("lots")


def test_group_labels_first_group_wins_rest_other():
    assert group_labels(["cat", "red", "sun", "dog"], {"animals": ["cat", "dog"], "colours": ["red", "cat"]}) == \
        ["animals", "colours", "other", "animals"]
    assert group_labels(["x"], {}, other="grey") == ["grey"]


def test_picture_neighbours_mark_dots_that_are_not_real_neighbours():
    coords = np.array([[0, 0], [5, 5], [1, 0], [0, 2], [0, -3]], dtype=np.float32)
    tokens = ["q", "far", "near", "mid", "farther"]
    got = picture_neighbours(coords, tokens, 0, ["far", "near", "farther"])
    assert got == PictureNeighbours(("near", "mid", "farther"), (True, False, True))
    assert got.kept == 2
