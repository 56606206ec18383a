"""Word analogies (a:b :: c:?) and vector arithmetic, exactly as gensim defines them.

Two scoring methods, both computed on unit-normalized vectors:

``3cosadd``  (Mikolov et al. 2013; gensim ``most_similar(positive=[b, c], negative=[a])``)
    score(x) = cos(x, m) where m = (b + c - a) / 3 on unit vectors, itself re-normalized.
    With more terms: the weighted mean of the unit vectors, weights +1 / -1.
``3cosmul``  (Levy & Goldberg 2014; gensim ``most_similar_cosmul``)
    score(x) = prod_p s(x, p) / (prod_n s(x, n) + 1e-6) with s = (1 + cos) / 2,
    the cosines shifted into [0, 1] as in their footnote 7.

By default the input words are left out of the answers (as gensim does). Nissim, van Noord
and van der Goot (2020, "Fair is better than sensational") showed that many celebrated
analogies only "work" because of that rule; pass ``exclude_inputs=False`` to see how often
the nearest vector is simply ``b`` (or ``c``).

>>> import numpy as np
>>> from embedlab.core.embeddings import EmbeddingSet
>>> es = EmbeddingSet(["king", "queen", "man", "woman"],
...                   [[1, 1, 0], [1, -1, 0], [0, 1, 0.1], [0, -1, 0.1]])
>>> [n.token for n in analogy(es, "man", "king", "woman", k=1)]
['queen']
>>> parse_expression("paris - france + italy")
[(1, 'paris'), (-1, 'france'), (1, 'italy')]
"""
from __future__ import annotations

import logging
import re
from typing import Iterator, Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet, Neighbor
from ..core.errors import InvalidParameterError
from ..core.search import _check_k, _select

logger = logging.getLogger(__name__)

__all__ = ["METHODS", "COSMUL_EPSILON", "analogy", "most_similar_expr", "parse_expression",
           "expression_vector", "iter_analogy_scores"]

METHODS = ("3cosadd", "3cosmul")
COSMUL_EPSILON = 1e-6  # gensim's constant in most_similar_cosmul

_LEXEME = re.compile(r"\s*(?:(?P<op>[+-])|(?P<tok>[\w#]+)|(?P<bad>\S))")


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise InvalidParameterError(f"method must be one of: {', '.join(METHODS)}; got {method!r}")
    return method


def parse_expression(text: str) -> list[tuple[int, str]]:
    """Parse vector arithmetic like ``"paris - france + italy"`` into signed tokens.

    Tokens are runs of letters, digits, ``_`` and ``#`` (so WordPiece pieces like ``##ing`` work),
    separated by ``+`` or ``-``. A leading sign is allowed (``"- man + king"``).

    Parameters
    ----------
    text : str

    Returns
    -------
    list of (sign, token)
        ``sign`` is +1 or -1, in the order written.

    Raises
    ------
    InvalidParameterError
        Empty text, two operators in a row, a missing operator between tokens,
        a trailing operator, or a character that is not allowed.

    >>> parse_expression("king - man + woman")
    [(1, 'king'), (-1, 'man'), (1, 'woman')]
    >>> parse_expression("-man+king")
    [(-1, 'man'), (1, 'king')]
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidParameterError("the expression is empty; write words joined by + and -, "
                                    "e.g. 'king - man + woman'")
    out: list[tuple[int, str]] = []
    sign: int | None = None
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _LEXEME.match(text, pos)
        assert m is not None  # \S or an alternative always matches in non-blank text
        pos = m.end()
        if m.group("bad") is not None:
            raise InvalidParameterError(
                f"unexpected character {m.group('bad')!r} at position {m.start('bad') + 1} in {text!r}; "
                "allowed: words (letters, digits, _, #) joined by + and -")
        if m.group("op") is not None:
            if sign is not None:
                raise InvalidParameterError(
                    f"two operators in a row at position {m.start('op') + 1} in {text!r}; "
                    "put a word between them")
            sign = 1 if m.group("op") == "+" else -1
            continue
        if out and sign is None:
            raise InvalidParameterError(
                f"missing + or - before {m.group('tok')!r} in {text!r}")
        out.append((sign if sign is not None else 1, m.group("tok")))
        sign = None
    if sign is not None:
        raise InvalidParameterError(f"the expression {text!r} ends with an operator; add a word after it")
    if not out:
        raise InvalidParameterError(f"the expression {text!r} has no words")
    return out


def expression_vector(es: EmbeddingSet, text: str) -> tuple[np.ndarray, list[str]]:
    """The signed sum of the *unit* vectors of an expression's tokens.

    Unit vectors are used (as gensim's ``most_similar`` does), so every word weighs the
    same whatever its raw length. The sum itself is not normalized.

    Parameters
    ----------
    es : EmbeddingSet
    text : str
        E.g. ``"king - man + woman"``, see :func:`parse_expression`.

    Returns
    -------
    vector : ndarray, shape (dim,) float32
    tokens : list of str
        The tokens, in the order written.

    Raises
    ------
    InvalidParameterError
        Malformed expression.
    UnknownTokenError
        Names every token not in the set, with close matches.
    """
    terms = parse_expression(text)
    rows = es.indices([t for _, t in terms])
    signs = np.array([s for s, _ in terms], dtype=np.float32)
    vec = (signs[:, None] * es.unit[rows]).sum(axis=0, dtype=np.float32)
    return vec, [t for _, t in terms]


def _scores(es: EmbeddingSet, pos_rows: np.ndarray, neg_rows: np.ndarray, method: str) -> np.ndarray:
    """Score every row of ``es`` for one query (length n float32)."""
    unit = es.unit
    if method == "3cosadd":
        weights = np.concatenate((np.ones(len(pos_rows)), -np.ones(len(neg_rows)))).astype(np.float32)
        rows = np.concatenate((pos_rows, neg_rows))
        mean = (weights[:, None] * unit[rows]).sum(axis=0, dtype=np.float32) / np.float32(len(rows))
        norm = np.linalg.norm(mean)
        if norm > 0:
            mean = mean / norm
        return unit @ mean
    cos = unit @ unit[np.concatenate((pos_rows, neg_rows))].T  # (n, terms)
    shifted = (1 + cos) / 2
    num = np.prod(shifted[:, : len(pos_rows)], axis=1)
    den = np.prod(shifted[:, len(pos_rows):], axis=1) + np.float32(COSMUL_EPSILON)
    return (num / den).astype(np.float32, copy=False)


def most_similar_expr(es: EmbeddingSet, positive: Sequence[str], negative: Sequence[str] = (), *,
                      k: int = 10, method: str = "3cosadd", exclude_inputs: bool = True) -> list[Neighbor]:
    """Nearest tokens to a combination of words, as gensim's ``most_similar(_cosmul)``.

    Parameters
    ----------
    es : EmbeddingSet
    positive, negative : sequence of str
        Words added and subtracted (``positive=["king", "woman"], negative=["man"]``).
    k : int
        Number of results.
    method : {"3cosadd", "3cosmul"}
        See the module docstring.
    exclude_inputs : bool
        Leave the input words out of the results (gensim always does).

    Returns
    -------
    list of Neighbor
        Best first; ties broken by row order. ``score`` is a cosine for 3cosadd and the
        3CosMul ratio for 3cosmul.

    Raises
    ------
    InvalidParameterError
        No positive word, unknown method, bad ``k``.
    UnknownTokenError
        Names every missing word.
    """
    _check_method(method)
    k = _check_k(k, len(es))
    positive, negative = list(positive), list(negative)
    if not positive:
        raise InvalidParameterError("at least one positive word is needed")
    rows = es.indices(positive + negative)
    pos_rows, neg_rows = rows[: len(positive)], rows[len(positive):]
    scores = _scores(es, pos_rows, neg_rows, method)
    if exclude_inputs:
        excluded = np.unique(rows)
        scores[excluded] = -np.inf
        k = min(k, len(es) - excluded.size)
        if k <= 0:
            return []
    idx, val = _select(scores[None, :], k, True)
    return [Neighbor(es.tokens[i], float(s), int(i)) for i, s in zip(idx[0], val[0])]


def analogy(es: EmbeddingSet, a: str, b: str, c: str, *, k: int = 10, method: str = "3cosadd",
            exclude_inputs: bool = True) -> list[Neighbor]:
    """Solve a:b :: c:? ("man is to king as woman is to ?").

    Equivalent to gensim ``most_similar(positive=[b, c], negative=[a])`` (3cosadd) or
    ``most_similar_cosmul(positive=[b, c], negative=[a])`` (3cosmul).

    Parameters
    ----------
    es : EmbeddingSet
    a, b, c : str
    k : int
    method : {"3cosadd", "3cosmul"}
    exclude_inputs : bool
        If False, ``a``, ``b`` and ``c`` may be returned; very often the answer is then ``b``.

    Returns
    -------
    list of Neighbor, best first

    >>> es = EmbeddingSet(["paris", "france", "rome", "italy"],
    ...                   [[1, 1, 0], [0, 1, 0], [1, 0, 1], [0, 0, 1]])
    >>> analogy(es, "france", "paris", "italy", k=1, method="3cosmul")[0].token
    'rome'
    """
    return most_similar_expr(es, [b, c], [a], k=k, method=method, exclude_inputs=exclude_inputs)


def iter_analogy_scores(unit: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray, *,
                        method: str = "3cosadd", budget: int = 1 << 25
                        ) -> Iterator[tuple[slice, np.ndarray]]:
    """Scores of every row for many analogies a:b :: c:?, a block of questions at a time.

    Each block computes the cosines of the block's distinct input words with every row in one
    matrix product, then combines them: 3cosadd is linear, so
    ``cos(x, b - a + c) = (cos(x,b) - cos(x,a) + cos(x,c)) / |b - a + c|``; 3cosmul uses the
    same cosines shifted to [0, 1]. No input rows are excluded here.

    Parameters
    ----------
    unit : ndarray, shape (n, dim) float32
        Unit-normalized vectors (``es.unit`` or a slice of it).
    a, b, c : ndarray of int, shape (m,)
        Rows of the question words.
    method : {"3cosadd", "3cosmul"}
    budget : int
        Rough number of float32 values held at once; sets the block size.

    Yields
    ------
    block : slice
        The questions of this block.
    scores : ndarray, shape (block size, n) float32
    """
    _check_method(method)
    a, b, c = (np.asarray(x, dtype=np.int64) for x in (a, b, c))
    m, n = len(a), unit.shape[0]
    step = max(1, min(m, budget // (6 * max(n, 1))))
    eps = np.float32(COSMUL_EPSILON)
    for start in range(0, m, step):
        sl = slice(start, min(m, start + step))
        words, inv = np.unique(np.concatenate((a[sl], b[sl], c[sl])), return_inverse=True)
        ia, ib, ic = np.split(inv, 3)
        cos = unit[words] @ unit.T  # (distinct words, n)
        if method == "3cosadd":
            q = unit[b[sl]] - unit[a[sl]] + unit[c[sl]]
            qn = np.sqrt(np.einsum("ij,ij->i", q, q))
            qn[qn == 0] = 1.0
            s = cos[ib] - cos[ia]
            s += cos[ic]
            s /= qn[:, None]
        else:
            cos += 1
            cos /= 2
            s = cos[ib] * cos[ic]
            s /= cos[ia] + eps
        yield sl, s
