"""embedlab.lessons.games: the word-path and odd-one-out puzzles (hand-built spaces, then the default set)."""
import numpy as np
import pytest

import embedlab
from embedlab import EmbeddingSet, InvalidParameterError, PuzzleError, UnknownTokenError
from embedlab.lessons.games import (game_space, hop_distances, is_game_word, odd_one_out_puzzle, odd_scores,
                                    shortest_path, word_path_puzzle)


def test_is_game_word_keeps_only_real_lower_case_words():
    assert [t for t in ["cat", "##ing", "1999", "a", "of", "don't", "日本", "日", "café", "Cat", "dogs"]
            if is_game_word(t)] == ["cat", "dogs"]


def test_game_space_ranks_neighbours_and_leaves_out_non_words():
    words = ["cat", "dog", "cow", "car", "bus", "van", "##s", "42", "日"]
    v = np.array([[1, .1, 0], [1, .2, 0], [1, 0, .1], [0, 1, .1], [0, 1, .2], [.1, 1, 0],
                  [1, .1, 0], [1, .1, 0], [1, .1, 0]], dtype=np.float32)
    space = game_space(EmbeddingSet(words, v), n_words=10, k=2, skip_frequent=0)
    assert set(space.tokens) == {"cat", "dog", "cow", "car", "bus", "van"}
    assert space.next_words("cat") == ("dog", "cow") and space.next_words("bus") == ("car", "van")
    assert space.neighbours.shape == (6, 2) and not space.neighbours.flags.writeable
    with pytest.raises(UnknownTokenError, match="##s"):
        space.next_words("##s")
    with pytest.raises(PuzzleError, match="only 6 words"):
        game_space(EmbeddingSet(words, v), k=5, skip_frequent=0)
    with pytest.raises(InvalidParameterError, match="k=0"):
        game_space(EmbeddingSet(words, v), k=0)


def test_shortest_path_is_a_bfs_over_directed_hops():
    # a -> b -> c -> d in one direction only when k=1 and each word's nearest is the previous one
    words = ["aaa", "bbb", "ccc", "ddd"]
    v = np.array([[1, 0], [1, .1], [1, .3], [1, .7]], dtype=np.float32)
    space = game_space(EmbeddingSet(words, v), k=1, skip_frequent=0)
    assert [space.next_words(w)[0] for w in words] == ["bbb", "aaa", "bbb", "ccc"]
    assert shortest_path(space, "ddd", "aaa") == ("ddd", "ccc", "bbb", "aaa")
    assert shortest_path(space, "aaa", "ddd") is None          # hops are not symmetric
    assert hop_distances(space, "ddd") == {"ddd": 0, "ccc": 1, "bbb": 2, "aaa": 3}
    assert hop_distances(space, "ddd", max_hops=1) == {"ddd": 0, "ccc": 1}


def test_word_path_puzzle_is_seeded_and_within_the_hop_range():
    words = ["aaa", "bbb", "ccc", "ddd", "eee", "fff"]
    v = np.array([[1, 0], [1, .1], [1, .3], [1, .7], [1, 1.5], [1, 3]], dtype=np.float32)
    space = game_space(EmbeddingSet(words, v), k=1, skip_frequent=0)
    p = word_path_puzzle(space, 7, min_hops=3, max_hops=4)
    assert p == word_path_puzzle(space, 7, min_hops=3, max_hops=4)
    assert 3 <= p.hops <= 4 and p.shortest == shortest_path(space, p.start, p.target)
    with pytest.raises(PuzzleError, match="6-7 hops"):
        word_path_puzzle(space, 0, min_hops=6, max_hops=7)
    with pytest.raises(InvalidParameterError, match="hop_limit=2"):
        word_path_puzzle(space, 0, hop_limit=2)


def test_odd_scores_are_cosines_to_the_mean_of_the_others():
    v = np.array([[1., 0.], [0., 1.], [1., 1.], [-1., 0.]])
    got = odd_scores(v)
    # rows are made unit first: (1, 1) -> (r, r) with r = 1/sqrt(2)
    # row 3: the others sum to (1 + r, 1 + r): cosine with (-1, 0) = -1/sqrt(2)
    assert got[3] == pytest.approx(-1 / np.sqrt(2))
    # row 0: the others sum to (r - 1, 1 + r), of length sqrt(3): cosine with (1, 0) = (r - 1)/sqrt(3)
    assert got[0] == pytest.approx((1 / np.sqrt(2) - 1) / np.sqrt(3))
    with pytest.raises(PuzzleError, match="zero length"):
        odd_scores(np.array([[1., 0.], [0., 0.], [1., 1.]]))


def test_odd_one_out_puzzle_on_a_hand_built_space():
    words = ["cat", "dog", "cow", "pig", "hen", "car", "bus", "van", "taxi", "tram"]
    rng = np.random.default_rng(0)
    animals = np.array([1, 0, 0]) + 0.1 * rng.standard_normal((5, 3))
    cars = np.array([0, 1, 0]) + 0.1 * rng.standard_normal((5, 3))
    space = game_space(EmbeddingSet(words, np.vstack([animals, cars]).astype(np.float32)), k=4, skip_frequent=0)
    p = odd_one_out_puzzle(space, 3, size=4)
    assert p == odd_one_out_puzzle(space, 3, size=4)
    group = {w for w in p.words if w != p.odd}
    kinds = {w in words[:5] for w in group}
    assert len(kinds) == 1 and (p.odd in words[:5]) != kinds.pop()
    assert p.scores[p.words.index(p.odd)] == min(p.scores) and p.margin >= 0.15
    np.testing.assert_allclose(p.scores, odd_scores(np.stack([space.unit[space.position(w)] for w in p.words])))


@pytest.fixture(scope="module")
def default_space():
    return game_space(embedlab.load(embedlab.DEFAULT_SET))


def test_word_paths_on_the_default_set_are_all_solvable(default_space):
    """For 200 seeds: every puzzle's words are real words, and networkx (an independent shortest path over
    the same directed k-NN graph) finds the target within the hop limit, in exactly the hops we state."""
    import networkx as nx

    space = default_space
    g = nx.DiGraph()
    g.add_edges_from((space.tokens[i], space.tokens[int(j)]) for i in range(len(space.tokens))
                     for j in space.neighbours[i])
    starts = set()
    for seed in range(200):
        p = word_path_puzzle(space, seed)
        assert all(is_game_word(w) for w in p.shortest), p
        assert nx.shortest_path_length(g, p.start, p.target) == p.hops, p
        assert 3 <= p.hops <= 6 <= p.hop_limit
        for a, b in zip(p.shortest, p.shortest[1:]):
            assert b in space.next_words(a)
        starts.add(p.start)
    assert len(starts) > 150                                    # seeds give different puzzles


def test_odd_one_out_on_the_default_set_has_a_clear_margin(default_space):
    space = default_space
    for seed in range(200):
        p = odd_one_out_puzzle(space, seed)
        assert len(p.words) == 5 and p.odd in p.words and all(is_game_word(w) for w in p.words)
        scores = odd_scores(np.stack([space.unit[space.position(w)] for w in p.words]))
        odd = p.words.index(p.odd)
        assert scores[odd] + 0.15 <= np.delete(scores, odd).min(), p
        assert np.delete(scores, odd).min() >= 0.25, p
