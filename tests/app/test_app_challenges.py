"""The Challenges page: a generated word path solved by clicking, giving up, odd one out answered."""
from __future__ import annotations

import numpy as np
import pytest

import embedlab
from embedlab.lessons.games import game_space, odd_one_out_puzzle, word_path_puzzle
from tests.app.helpers import open_deep_link, open_page, plotly_array, plotly_specs

PAGE = "app_pages/14_Challenges.py"


@pytest.fixture(scope="module")
def space():
    return game_space(embedlab.load(embedlab.DEFAULT_SET))


def _hop_buttons(at):
    return {b.label: b for b in at.button if b.key and b.key.startswith("chal_hop_")}


def _text(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [s.value for s in at.success] + [c.value for c in at.caption]
                     + [w.value for w in at.warning])


def test_a_generated_word_path_is_solved_by_clicking_the_shortest_path(space):
    puzzle = word_path_puzzle(space, 5)
    at = open_page(PAGE, seed="5")
    assert f"From “{puzzle.start}” to “{puzzle.target}”" in [s.value for s in at.subheader]
    for word in puzzle.shortest[1:]:
        buttons = _hop_buttons(at)
        assert word in buttons, (word, list(buttons))
        buttons[word].click().run()
        assert not at.exception
    text = _text(at)
    assert f"You reached “{puzzle.target}” in {puzzle.hops} hops — the shortest possible!" in text
    assert "Your path: " + " → ".join(f"**{w}**" for w in puzzle.shortest) in text
    assert not _hop_buttons(at)                                   # the game is over
    assert "This session: 1 of 1 puzzles solved." in text


def test_back_and_give_up_reveal_the_shortest_path(space):
    puzzle = word_path_puzzle(space, 11)
    at = open_deep_link(PAGE, seed="11")
    first = space.next_words(puzzle.start)[-1]
    _hop_buttons(at)[first].click().run()
    assert f"Hops so far: **1**" in _text(at)
    at.button(key="chal_back").click().run()
    assert f"Hops so far: **0**" in _text(at)
    at.button(key="chal_give_up").click().run()
    text = _text(at)
    assert f"A shortest path ({puzzle.hops} hops): " + " → ".join(f"**{w}**" for w in puzzle.shortest) in text
    assert "This session: 0 of 1 puzzles solved." in text and not at.exception


def test_next_puzzle_moves_the_seed_and_the_url(space):
    at = open_page(PAGE, seed="7")
    at.button(key="chal_new").click().run()
    assert at.number_input(key="chal_seed").value == 8 and at.query_params["seed"] in ("8", ["8"])
    puzzle = word_path_puzzle(space, 8)
    assert f"From “{puzzle.start}” to “{puzzle.target}”" in [s.value for s in at.subheader]


def test_odd_one_out_is_answered_and_explained_with_scores(space):
    puzzle = odd_one_out_puzzle(space, 3)
    at = open_deep_link(PAGE, game="odd", seed="3")
    radio = at.radio(key=f"chal_odd_{embedlab.DEFAULT_SET}_3")
    assert tuple(radio.options) == puzzle.words and radio.value is None
    radio.set_value(puzzle.odd).run()
    assert not at.exception
    assert f"Yes — “{puzzle.odd}” is the odd one out." in [s.value for s in at.success]
    bar = plotly_specs(at)[0]["data"][0]
    assert bar["y"][-1] == puzzle.odd                              # lowest cosine to the others' mean last
    np.testing.assert_allclose(plotly_array(bar["x"]), sorted(puzzle.scores, reverse=True), rtol=1e-6)
    assert bar["text"] == [f"{s:.3f}" for s in sorted(puzzle.scores, reverse=True)]
    assert "This session: 1 of 1 puzzles solved." in _text(at)


def test_a_wrong_odd_one_out_answer_names_the_right_one(space):
    puzzle = odd_one_out_puzzle(space, 4)
    at = open_deep_link(PAGE, game="odd", seed="4")
    wrong = next(w for w in puzzle.words if w != puzzle.odd)
    at.radio(key=f"chal_odd_{embedlab.DEFAULT_SET}_4").set_value(wrong).run()
    assert any(f"the space says “{puzzle.odd}”" in e.value for e in at.error)
    assert "This session: 0 of 1 puzzles solved." in _text(at)
