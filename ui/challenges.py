"""Session glue of the Challenges page: the cached game space and puzzles, the walk a player has made,
and the session's tally of answers."""
from __future__ import annotations

import streamlit as st

from embedlab import EmbeddingSet
from embedlab.lessons import games

from .cached import SET_HASH

WALK = "chal_walk"          # {"puzzle": (set, seed), "path": [words], "gave_up": bool}
TALLY = "chal_tally"        # {"answered": {puzzle id: right?}}


@st.cache_resource(max_entries=4, show_spinner="Preparing the game words…", hash_funcs=SET_HASH)
def space(es: EmbeddingSet) -> games.GameSpace:
    """The set's game words and their nearest game words (shared by every session; read-only)."""
    return games.game_space(es)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs={games.GameSpace: lambda s: (s.set_name, len(s.tokens))})
def path_puzzle(sp: games.GameSpace, seed: int) -> games.PathPuzzle:
    return games.word_path_puzzle(sp, seed)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs={games.GameSpace: lambda s: (s.set_name, len(s.tokens))})
def odd_puzzle(sp: games.GameSpace, seed: int) -> games.OddPuzzle:
    return games.odd_one_out_puzzle(sp, seed)


def walk(puzzle: games.PathPuzzle, set_name: str) -> dict:
    """This session's walk through ``puzzle`` (a new one, at the start word, for a new puzzle)."""
    ident = (set_name, puzzle.seed, puzzle.start, puzzle.target)
    w = st.session_state.get(WALK)
    if w is None or w["puzzle"] != ident:
        w = {"puzzle": ident, "path": [puzzle.start], "gave_up": False}
        st.session_state[WALK] = w
    return w


def hop(word: str) -> None:
    """Button callback: walk to ``word``."""
    st.session_state[WALK]["path"].append(word)


def back() -> None:
    """Button callback: undo the last hop."""
    path = st.session_state[WALK]["path"]
    if len(path) > 1:
        path.pop()


def give_up() -> None:
    st.session_state[WALK]["gave_up"] = True


def record(puzzle_id: tuple, right: bool) -> tuple[int, int]:
    """Count an answer once per puzzle; returns (right, answered) for this session."""
    answered = st.session_state.setdefault(TALLY, {})
    answered.setdefault(puzzle_id, bool(right))
    return sum(answered.values()), len(answered)
