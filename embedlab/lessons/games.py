"""Challenges: the "word path" and "odd one out" games, generated from a seed so a class shares a puzzle.

Both games play on a :class:`GameSpace`: the ``n_words`` most frequent *real* words of a set
(:func:`is_game_word`: lower-case letters only, at least three, so no ``##`` pieces, digits, punctuation or
CJK single characters), leaving out the ``skip_frequent`` most frequent ones (function words such as *the*,
*of*), and each word's ``k`` nearest words among them (cosine).

Word path: get from ``start`` to ``target`` by clicking one of the current word's ``k`` nearest words.
The hops form a directed graph (``b`` among ``a``'s neighbours does not make ``a`` one of ``b``'s). The
shortest path is a breadth-first search of our own over the ``(n, k)`` neighbour array rather than
networkx: it is a few lines, needs no graph object, and visiting neighbours in rank order makes the path
shown deterministic (among equally short paths, the one through nearer neighbours). A puzzle is only made
when that search finds the target within ``max_hops`` hops, so every puzzle is solvable.

Odd one out: ``size - 1`` words that sit together (a word and its nearest words, no two sharing their first
four letters, so not *feel, feels, feeling*) and one word from elsewhere. Each word is scored by its cosine
to the mean of the other words; the odd word's score must be below every other word's by ``margin``, and
every other word's score at least ``cohesion``.

>>> import numpy as np
>>> from embedlab import EmbeddingSet
>>> words = ["cat", "dog", "cow", "car", "bus", "van"]
>>> v = np.array([[1, .1, 0], [1, .2, 0], [1, 0, .1], [0, 1, .1], [0, 1, .2], [.1, 1, 0]], dtype=np.float32)
>>> space = game_space(EmbeddingSet(words, v), n_words=6, k=2, skip_frequent=0)
>>> space.next_words("cat")
('dog', 'cow')
>>> shortest_path(space, "cat", "bus") is None      # the animals' neighbours are all animals
True
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import PuzzleError, UnknownTokenError
from ..core.search import select_top_k
from ..core.validate import check_float, check_int
from ..space.frequency import frequency_order

__all__ = ["GAME_WORD", "is_game_word", "GameSpace", "game_space", "PathPuzzle", "word_path_puzzle",
           "shortest_path", "hop_distances", "OddPuzzle", "odd_scores", "odd_one_out_puzzle"]

GAME_WORD = re.compile(r"[a-z]{3,}")
"""What a game word looks like: three or more ASCII lower-case letters."""


def is_game_word(token: str) -> bool:
    """True for a common-looking real word: only ASCII lower-case letters, at least three.

    >>> [t for t in ["king", "##ing", "42", "it", "ok!", "日", "Paris", "queen"] if is_game_word(t)]
    ['king', 'queen']
    """
    return GAME_WORD.fullmatch(token) is not None


@dataclass(frozen=True, eq=False)
class GameSpace:
    """The words a game plays with and each one's nearest words among them.

    Attributes
    ----------
    tokens : tuple of str
        The game's words, most frequent first.
    unit : ndarray, shape (n, dim), float32, read-only
        Their unit vectors.
    neighbours : ndarray, shape (n, k), int64, read-only
        Row ``i``: positions in ``tokens`` of word ``i``'s ``k`` nearest words, nearest first.
    set_name : str
        The set the words come from.
    """

    tokens: tuple
    unit: np.ndarray
    neighbours: np.ndarray
    set_name: str

    @property
    def k(self) -> int:
        return int(self.neighbours.shape[1])

    def position(self, word: str) -> int:
        """Where ``word`` is in :attr:`tokens`.

        Raises
        ------
        UnknownTokenError
            If ``word`` is not one of the game's words.
        """
        try:
            return self._positions[word]
        except KeyError:
            raise UnknownTokenError.for_tokens([word], self.tokens) from None

    @property
    def _positions(self) -> dict:
        got = self.__dict__.get("_pos")
        if got is None:
            got = {t: i for i, t in enumerate(self.tokens)}
            object.__setattr__(self, "_pos", got)
        return got

    @property
    def _adjacency(self) -> list:
        """:attr:`neighbours` as lists of Python ints (a BFS over them is several times faster)."""
        got = self.__dict__.get("_adj")
        if got is None:
            got = self.neighbours.tolist()
            object.__setattr__(self, "_adj", got)
        return got

    def next_words(self, word: str) -> tuple:
        """The ``k`` words one hop from ``word``, nearest first."""
        return tuple(self.tokens[j] for j in self.neighbours[self.position(word)])


def game_space(es: EmbeddingSet, *, n_words: int = 2000, k: int = 8, skip_frequent: int = 150) -> GameSpace:
    """The game words of ``es`` and their ``k`` nearest game words.

    Parameters
    ----------
    es : EmbeddingSet
    n_words : int
        How many words to keep (the most frequent game words, English frequency from wordfreq; a set
        without known frequencies keeps its own order).
    k : int
        Neighbours per word: the buttons of a word-path hop.
    skip_frequent : int
        The most frequent tokens left out first (function words make dull puzzles).

    Returns
    -------
    GameSpace

    Raises
    ------
    PuzzleError
        If fewer than ``k + 2`` game words are left.
    InvalidParameterError
        Bad ``n_words``, ``k`` or ``skip_frequent``.
    """
    n_words = check_int(n_words, "n_words", minimum=3)
    k = check_int(k, "k", minimum=1, maximum=50)
    skip_frequent = check_int(skip_frequent, "skip_frequent", minimum=0)
    order = frequency_order(es)
    toks = es.tokens
    rows = [int(i) for i in order[skip_frequent:] if is_game_word(toks[i])][:n_words]
    if len(rows) < k + 2:
        raise PuzzleError(f"the set {es.name!r} has only {len(rows)} words made of three or more lower-case "
                          f"letters (after the {skip_frequent} most frequent); the games need at least {k + 2}")
    unit = np.ascontiguousarray(es.unit[rows], dtype=np.float32)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    ranked = select_top_k(sims, k, True)[0].astype(np.int64)
    unit.flags.writeable = False
    ranked.flags.writeable = False
    return GameSpace(tuple(toks[i] for i in rows), unit, ranked, es.name)


# -- word path ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PathPuzzle:
    """A word-path puzzle: reach ``target`` from ``start`` through neighbours.

    Attributes
    ----------
    start, target : str
    shortest : tuple of str
        A shortest path, ``start`` first and ``target`` last (``len(shortest) - 1`` hops).
    hop_limit : int
        Hops a player may take before the game reveals the answer.
    seed : int
    """

    start: str
    target: str
    shortest: tuple
    hop_limit: int
    seed: int

    @property
    def hops(self) -> int:
        """Hops of the shortest path."""
        return len(self.shortest) - 1


def _bfs(space: GameSpace, start: int, max_hops: int | None = None, target: int | None = None) -> tuple[dict, dict]:
    """Hop distances and BFS parents from ``start``, neighbours visited in rank order (stops at ``target``)."""
    adj = space._adjacency
    dist, parent = {start: 0}, {start: -1}
    todo = deque([start])
    while todo and target not in dist:
        u = todo.popleft()
        d = dist[u] + 1
        if max_hops is not None and d > max_hops:
            continue
        for v in adj[u]:
            if v not in dist:
                dist[v] = d
                parent[v] = u
                todo.append(v)
    return dist, parent


def hop_distances(space: GameSpace, start: str, *, max_hops: int | None = None) -> dict[str, int]:
    """Fewest hops from ``start`` to every word reachable (within ``max_hops`` if given).

    Raises
    ------
    UnknownTokenError
        ``start`` is not a game word.
    """
    dist, _ = _bfs(space, space.position(start), max_hops)
    return {space.tokens[i]: d for i, d in dist.items()}


def shortest_path(space: GameSpace, start: str, target: str) -> tuple | None:
    """A shortest hop path from ``start`` to ``target`` (both included), or None if there is none.

    Among equally short paths, the one found first going through nearer neighbours.

    Raises
    ------
    UnknownTokenError
        A word that is not a game word.
    """
    a, b = space.position(start), space.position(target)
    dist, parent = _bfs(space, a, target=b)
    if b not in dist:
        return None
    path = [b]
    while path[-1] != a:
        path.append(parent[path[-1]])
    return tuple(space.tokens[i] for i in reversed(path))


def word_path_puzzle(space: GameSpace, seed: int, *, min_hops: int = 3, max_hops: int = 6,
                     hop_limit: int = 12, tries: int = 50) -> PathPuzzle:
    """A solvable word-path puzzle, the same for the same space and seed.

    The start is a random game word; the target a random word whose fewest hops from the start are
    between ``min_hops`` and ``max_hops``. A start with no such word is replaced (up to ``tries`` times).

    Parameters
    ----------
    space : GameSpace
    seed : int
        Seeds ``numpy.random.default_rng``.
    min_hops, max_hops : int
        The shortest path's length in hops lies in this range.
    hop_limit : int
        Hops a player gets (at least ``max_hops``).
    tries : int

    Raises
    ------
    PuzzleError
        If no start word within ``tries`` has a target at that distance.
    InvalidParameterError
        Bad numbers.
    """
    seed = check_int(seed, "seed", minimum=0)
    min_hops = check_int(min_hops, "min_hops", minimum=1)
    max_hops = check_int(max_hops, "max_hops", minimum=min_hops)
    hop_limit = check_int(hop_limit, "hop_limit", minimum=max_hops)
    rng = np.random.default_rng(seed)
    for _ in range(check_int(tries, "tries", minimum=1)):
        start = int(rng.integers(len(space.tokens)))
        dist, parent = _bfs(space, start, max_hops)
        far = sorted(v for v, d in dist.items() if min_hops <= d <= max_hops)
        if not far:
            continue
        target = far[int(rng.integers(len(far)))]
        path = [target]
        while path[-1] != start:
            path.append(parent[path[-1]])
        words = tuple(space.tokens[i] for i in reversed(path))
        return PathPuzzle(words[0], words[-1], words, hop_limit, seed)
    raise PuzzleError(f"no word of {space.set_name!r} has another {min_hops}-{max_hops} hops away "
                      f"in {tries} tries (seed {seed}); try another seed or more neighbours")


# -- odd one out --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OddPuzzle:
    """An odd-one-out puzzle.

    Attributes
    ----------
    words : tuple of str
        The words in the order shown.
    odd : str
        The word that does not belong.
    scores : tuple of float
        Each word's cosine to the mean of the other words (same order as ``words``).
    margin : float
        How far the odd word's score lies below the lowest other score.
    seed : int
    """

    words: tuple
    odd: str
    scores: tuple
    margin: float
    seed: int


def odd_scores(vectors) -> np.ndarray:
    """Each row's cosine to the mean of the other rows: ``(m,) float64``.

    >>> odd_scores(np.array([[1., 0.], [1., 0.], [0., 1.]])).round(3).tolist()
    [0.707, 0.707, 0.0]
    """
    v = np.asarray(vectors, dtype=np.float64)
    m = v.shape[0]
    if v.ndim != 2 or m < 3:
        raise PuzzleError(f"odd one out needs at least 3 vectors, got shape {v.shape}")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise PuzzleError("a vector of zero length has no direction to compare")
    v = v / norms
    others = (v.sum(axis=0, keepdims=True) - v) / (m - 1)
    on = np.linalg.norm(others, axis=1)
    out = np.einsum("ij,ij->i", v, others) / np.where(on == 0, 1.0, on)
    return np.where(on == 0, 0.0, out)


def _same_stem(a: str, b: str) -> bool:
    """True if one word starts with the other's first four letters (*eat*, *eating*; *call*, *calling*)."""
    return a.startswith(b[:4]) or b.startswith(a[:4])


def odd_one_out_puzzle(space: GameSpace, seed: int, *, size: int = 5, margin: float = 0.15,
                       cohesion: float = 0.25, tries: int = 500) -> OddPuzzle:
    """A fair odd-one-out puzzle, the same for the same space and seed.

    Parameters
    ----------
    space : GameSpace
    seed : int
    size : int
        Words shown (4 or 5 make a good game), one of them odd.
    margin : float
        The odd word's cosine to the mean of the others is at least this much below every other word's.
    cohesion : float
        Every word of the group has at least this cosine to the mean of the others (a group that hangs
        together, so the puzzle is not a matter of taste).
    tries : int

    Raises
    ------
    PuzzleError
        If no group with a clear margin is found in ``tries`` tries.
    """
    seed = check_int(seed, "seed", minimum=0)
    size = check_int(size, "size", minimum=3, maximum=min(8, space.k + 1))
    margin = check_float(margin, "margin", low=0, high=2)
    cohesion = check_float(cohesion, "cohesion", low=-1, high=1)
    rng = np.random.default_rng(seed)
    n = len(space.tokens)
    for _ in range(check_int(tries, "tries", minimum=1)):
        anchor = int(rng.integers(n))
        group = [anchor]
        for j in space.neighbours[anchor]:
            word = space.tokens[int(j)]
            if not any(_same_stem(space.tokens[g], word) for g in group):
                group.append(int(j))
            if len(group) == size - 1:
                break
        if len(group) < size - 1:
            continue
        odd = int(rng.integers(n))
        if odd in group or odd in set(space.neighbours[group].ravel().tolist()):
            continue
        rows = group + [odd]
        scores = odd_scores(space.unit[rows])
        gap = float(scores[:-1].min() - scores[-1])
        if gap < margin or scores[:-1].min() < cohesion:
            continue
        order = rng.permutation(size)
        words = tuple(space.tokens[rows[i]] for i in order)
        return OddPuzzle(words, space.tokens[odd], tuple(float(scores[i]) for i in order), gap, seed)
    raise PuzzleError(f"no odd-one-out group of {space.set_name!r} with a margin of {margin} in {tries} tries "
                      f"(seed {seed}); try another seed or a smaller margin")
