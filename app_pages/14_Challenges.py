"""Challenges: the word-path game (reach a word through neighbours) and odd one out, seeded for a class."""
import streamlit as st

import embedlab
from embedlab.viz.compare import odd_one_out_figure
from ui import challenges, params
from ui.figures import plotly_chart
from ui.setup import page_set
from ui.text import md_text

GAMES = {"path": "Word path", "odd": "Odd one out"}
MAX_SEED = 999_999

es = page_set()
st.title("Challenges")
st.markdown(
    "**Word path:** reach the target word by stepping from neighbour to neighbour, in as few hops as you can. "
    "**Odd one out:** spot the word that does not belong. The same puzzle number gives everyone the same puzzle."
)
if es is None:
    st.stop()

params.bind("chal_game", "game", "path", options=tuple(GAMES))
params.bind("chal_seed", "seed", 1, parse=int, check=lambda v: 0 <= v <= MAX_SEED)


def _next_puzzle():
    st.session_state.chal_seed = (st.session_state.chal_seed + 1) % (MAX_SEED + 1)


g1, g2, g3 = st.columns([2, 2, 1], vertical_alignment="bottom")
game = g1.radio("Game", tuple(GAMES),
                index=params.index("chal_game", tuple(GAMES)), key="chal_game", format_func=GAMES.get, horizontal=True)
seed = g2.number_input("Puzzle number", min_value=0, max_value=MAX_SEED, step=1,
                       value=params.value("chal_seed"), key="chal_seed",
                       help="Share the page's address (or just this number): the same number gives everyone the "
                            "same puzzle on the same embedding set.")
g3.button("Next puzzle", key="chal_new", on_click=_next_puzzle)
params.sync({"game": "chal_game", "seed": ("chal_seed", str)})

try:
    space = challenges.space(es)
    puzzle = challenges.path_puzzle(space, int(seed)) if game == "path" else challenges.odd_puzzle(space, int(seed))
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()


def _chain(words) -> str:
    return " → ".join(f"**{md_text(w)}**" for w in words)


if game == "path":
    walk = challenges.walk(puzzle, es.name)
    path = walk["path"]
    here, hops = path[-1], len(path) - 1
    st.subheader(f"From “{puzzle.start}” to “{puzzle.target}”")
    st.markdown(f"Your path: {_chain(path)}  \nHops so far: **{hops}** of at most {puzzle.hop_limit} "
                "(the best path needs 6 or fewer)")
    arrived = here == puzzle.target
    out_of_hops = hops >= puzzle.hop_limit and not arrived
    if arrived:
        challenges.record(("path",) + walk["puzzle"], True)
        verdict = ("the shortest possible!" if hops <= puzzle.hops
                   else f"the shortest path takes {puzzle.hops}.")
        st.success(f"You reached “{puzzle.target}” in {hops} hops — {verdict}")
    elif out_of_hops:
        challenges.record(("path",) + walk["puzzle"], False)
        st.warning(f"That was {hops} hops without reaching “{puzzle.target}”. Here is a shortest path.")
    elif walk["gave_up"]:
        challenges.record(("path",) + walk["puzzle"], False)
    else:
        st.markdown(f"**The {space.k} nearest words to “{here}”** — pick the next one:")
        nexts = space.next_words(here)
        cols = st.columns(4)
        for i, word in enumerate(nexts):
            cols[i % 4].button(word, key=f"chal_hop_{i}", on_click=challenges.hop, args=(word,), width="stretch",
                               type="primary" if word == puzzle.target else "secondary")
        b1, b2 = st.columns(2)
        b1.button("Back one hop", key="chal_back", on_click=challenges.back, disabled=hops == 0)
        b2.button("Give up and show a shortest path", key="chal_give_up", on_click=challenges.give_up)
    if arrived or out_of_hops or walk["gave_up"]:
        st.markdown(f"A shortest path ({puzzle.hops} hops): {_chain(puzzle.shortest)}")
        st.caption(f"Found by a breadth-first search over the graph where every word points to its {space.k} "
                   "nearest words. The graph is one-way: B can be among A's nearest words while A is not among "
                   "B's, so the way back can be longer.")
else:
    ident = ("odd", es.name, puzzle.seed, puzzle.words)
    st.subheader("Which word does not belong?")
    pick = st.radio("The odd one out", puzzle.words, index=None, key=f"chal_odd_{es.name}_{puzzle.seed}",
                    horizontal=True)
    if pick is None:
        st.caption("Pick a word; then the space shows how it sees the group.")
    else:
        right = pick == puzzle.odd
        challenges.record(ident, right)
        if right:
            st.success(f"Yes — “{puzzle.odd}” is the odd one out.")
        else:
            st.error(f"Not quite: the space says “{puzzle.odd}”. “{pick}” fits the others better.")
        plotly_chart(odd_one_out_figure(puzzle), width="stretch", config={"displaylogo": False}, key="chal_odd_bar")
        st.caption(f"Each word's cosine similarity to the average of the other words. “{puzzle.odd}” scores "
                   f"{puzzle.margin:.2f} below the next lowest word: the space sees it as the outsider.")

st.caption(f"Played on the {len(space.tokens):,} most frequent real words of {md_text(es.name)} (three or more "
           "letters, no word pieces or numbers; the 150 most frequent words such as *the* and *of* left out).")
tally = st.session_state.get(challenges.TALLY)
if tally:
    st.caption(f"This session: {sum(tally.values())} of {len(tally)} puzzles solved.")
