"""Semantic axes (as in Parallax and whatlies): a direction from one pole to another.

An axis ``man -> woman`` is the vector from the mean of the "from" words to the mean of
the "to" words (unit-normalized words, so long vectors do not dominate). A word's position
on the axis is the cosine between the word and that direction: positive leans to the
"to" pole, negative to the "from" pole.

>>> import numpy as np
>>> from embedlab import EmbeddingSet
>>> es = EmbeddingSet(["man", "woman", "king", "queen"],
...                   np.array([[1, 1], [1, -1], [2, 1.5], [2, -1.5]], dtype=np.float32))
>>> ax = make_axis(es, ["man"], ["woman"])
>>> ax.label
'man → woman'
>>> [t for t, _ in rank_along(es, ["king", "queen"], ax)]
['queen', 'king']
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError
from ..core.linalg import unit_rows

__all__ = ["Axis", "parse_words", "parse_groups", "make_axis", "axis_positions", "rank_along", "PRESET_AXES"]

#: Ready-made axes for the page: name -> (from words, to words).
PRESET_AXES: dict[str, tuple[str, str]] = {
    "gender (man → woman)": ("man he him his boy", "woman she her hers girl"),
    "wealth (poor → rich)": ("poor poverty cheap", "rich wealth expensive"),
    "size (small → big)": ("small little tiny", "big large huge"),
    "sentiment (bad → good)": ("bad terrible awful", "good great excellent"),
    "age (young → old)": ("young child new", "old elderly ancient"),
    "temperature (cold → hot)": ("cold cool freezing", "hot warm boiling"),
}

_SPLIT = re.compile(r"[\s,;]+")


def parse_words(text: str) -> list[str]:
    """Split a typed word list on spaces, commas, semicolons or new lines; drop repeats.

    >>> parse_words("doctor, nurse  engineer\\nnurse")
    ['doctor', 'nurse', 'engineer']
    """
    seen: dict[str, None] = {}
    for w in _SPLIT.split(text or ""):
        w = w.strip()
        if w:
            seen.setdefault(w, None)
    return list(seen)


def parse_groups(text: str) -> dict[str, list[str]]:
    """Parse typed word groups, one per line: ``name: word word ...``.

    A line without a colon becomes "group N". A word listed twice stays in its first group.

    >>> parse_groups("animals: cat dog\\n\\ncolours: red, cat\\nsun moon")
    {'animals': ['cat', 'dog'], 'colours': ['red'], 'group 3': ['sun', 'moon']}
    """
    groups: dict[str, list[str]] = {}
    seen: set[str] = set()
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, sep, rest = line.partition(":")
        if not sep:
            name, rest = f"group {len(groups) + 1}", line
        name = name.strip() or f"group {len(groups) + 1}"
        words = [w for w in parse_words(rest) if w not in seen]
        seen.update(words)
        if words:
            groups.setdefault(name, []).extend(words)
    return groups


@dataclass(frozen=True)
class Axis:
    """A semantic axis.

    Attributes
    ----------
    from_words, to_words : tuple of str
        The poles (each the mean of its words).
    direction : ndarray, shape (dim,) float32
        Unit vector from the "from" pole to the "to" pole.
    """

    from_words: tuple[str, ...]
    to_words: tuple[str, ...]
    direction: np.ndarray

    @property
    def label(self) -> str:
        """``"man → woman"``; several words per pole are joined by "+"."""
        return f"{'+'.join(self.from_words)} → {'+'.join(self.to_words)}"


def make_axis(es: EmbeddingSet, from_words, to_words) -> Axis:
    """Build the axis from the mean of ``from_words`` to the mean of ``to_words``.

    Parameters
    ----------
    es : EmbeddingSet
    from_words, to_words : str or sequence of str
        A string is split with :func:`parse_words`.

    Raises
    ------
    InvalidParameterError
        If a pole is empty, or both poles are the same point.
    UnknownTokenError
        If a pole word is not in the set (all missing words are named).
    """
    poles = []
    for side, words in (("from", from_words), ("to", to_words)):
        ws = parse_words(words) if isinstance(words, str) else [str(w) for w in words]
        if not ws:
            raise InvalidParameterError(f"the {side!r} pole of an axis needs at least one word")
        poles.append(ws)
    a = es.unit[es.indices(poles[0])].mean(axis=0)
    b = es.unit[es.indices(poles[1])].mean(axis=0)
    d = b - a
    if float(np.linalg.norm(d)) < 1e-6:
        raise InvalidParameterError(
            f"the poles {poles[0]} and {poles[1]} are the same point; an axis needs two different poles")
    direction = unit_rows(d)
    direction.flags.writeable = False
    return Axis(tuple(poles[0]), tuple(poles[1]), direction)


def axis_positions(es: EmbeddingSet, tokens, axes) -> np.ndarray:
    """Cosine of each token with each axis direction.

    Returns
    -------
    ndarray, shape (len(tokens), len(axes)) float32, values in [-1, 1]

    Raises
    ------
    UnknownTokenError
        Naming every token not in the set.
    """
    rows = es.indices(list(tokens))
    if not len(axes):
        raise InvalidParameterError("give at least one axis")
    dirs = np.stack([ax.direction for ax in axes], axis=1)
    return np.clip(es.unit[rows] @ dirs, -1.0, 1.0).astype(np.float32)


def rank_along(es: EmbeddingSet, tokens, axis: Axis) -> list[tuple[str, float]]:
    """Tokens sorted from the "to" pole (largest position) to the "from" pole.

    Returns
    -------
    list of (token, position)
    """
    tokens = list(tokens)
    pos = axis_positions(es, tokens, [axis])[:, 0]
    order = np.argsort(-pos, kind="stable")
    return [(tokens[i], float(pos[i])) for i in order]
