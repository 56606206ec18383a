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
from ..core.linalg import unit_rows
from ..core.search import check_k, select_top_k
from ..core.validate import check_choice

logger = logging.getLogger(__name__)

__all__ = ["METHODS", "COSMUL_EPSILON", "analogy", "most_similar_expr", "parse_expression",
           "expression_vector", "iter_expression_scores", "iter_analogy_scores", "check_method"]

METHODS = ("3cosadd", "3cosmul")
COSMUL_EPSILON = 1e-6  # gensim's constant in most_similar_cosmul

_LEXEME = re.compile(r"\s*(?:(?P<op>[+-])|(?P<tok>[\w#]+)|(?P<bad>\S))")


def check_method(method) -> str:
    """``method`` checked: one of :data:`METHODS` (exact spelling).

    >>> check_method("3cosmul")
    '3cosmul'
    """
    return check_choice(method, "method", METHODS, case_sensitive=True)


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
    # the rows' own unit vectors: es.unit would normalise the whole set (1.2 GB at 1M x 300) for a few rows
    vec = (signs[:, None] * unit_rows(es.vectors[rows])).sum(axis=0, dtype=np.float32)
    return vec, [t for _, t in terms]


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
    method = check_method(method)
    k = check_k(k, len(es))
    positive, negative = list(positive), list(negative)
    if not positive:
        raise InvalidParameterError("at least one positive word is needed")
    rows = es.indices(positive + negative)
    signs = [1] * len(positive) + [-1] * len(negative)
    _, block = next(iter_expression_scores(es.unit, rows[None, :], signs, method=method))
    scores = block[0]
    if exclude_inputs:
        excluded = np.unique(rows)
        scores[excluded] = -np.inf
        k = min(k, len(es) - excluded.size)
        if k <= 0:
            return []
    idx, val = select_top_k(scores[None, :], k, True)
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


def iter_expression_scores(unit: np.ndarray, rows, signs: Sequence[int], *, method: str = "3cosadd",
                           budget: int = 1 << 25) -> Iterator[tuple[slice, np.ndarray]]:
    """The one analogy scorer: scores of every row for many signed combinations of words, a block of
    queries at a time (see the module docstring for the two methods).

    Each block computes the cosines of the block's distinct words with every row in one matrix
    product, then combines them: 3cosadd is linear, so for the sum q of the signed unit vectors
    ``cos(x, q) = (sum of signed cos(x, w)) / |q|``; 3cosmul multiplies the cosines shifted to
    [0, 1], positive terms over negative terms (+ :data:`COSMUL_EPSILON`). Terms are combined in the
    order given. No rows are excluded here.

    Parameters
    ----------
    unit : ndarray, shape (n, dim) float32
        Unit-normalized vectors (``es.unit`` or a slice of it).
    rows : array_like of int, shape (m, t)
        The rows of each query's t words.
    signs : sequence of t ints
        +1 (added, positive) or -1 (subtracted, negative) for each column of ``rows``.
    method : {"3cosadd", "3cosmul"}
    budget : int
        Rough number of float32 values held at once; sets the block size.

    Yields
    ------
    block : slice
        The queries of this block.
    scores : ndarray, shape (block size, n) float32

    >>> u = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    >>> [s.astype(float).round(3).tolist() for _, s in iter_expression_scores(u, [[0, 1]], [1, -1])]
    [[[0.707, -0.707, -0.141]]]
    """
    method = check_method(method)
    rows = np.asarray(rows, dtype=np.int64)
    sg = [int(x) for x in signs]
    if rows.ndim != 2 or rows.shape[1] != len(sg) or not sg or any(x not in (1, -1) for x in sg):
        raise InvalidParameterError(f"rows of shape {rows.shape} need one sign (+1 or -1) per column; got {sg}")
    pos = [j for j, x in enumerate(sg) if x > 0]
    neg = [j for j, x in enumerate(sg) if x < 0]
    m, n = rows.shape[0], unit.shape[0]
    step = max(1, min(m, budget // ((len(sg) + 3) * max(n, 1))))
    eps = np.float32(COSMUL_EPSILON)
    for start in range(0, m, step):
        sl = slice(start, min(m, start + step))
        block = rows[sl]
        words, inv = np.unique(block, return_inverse=True)
        inv = inv.reshape(block.shape)
        cos = unit[words] @ unit.T  # (distinct words, n)
        if method == "3cosadd":
            q = unit[block[:, 0]] if sg[0] > 0 else -unit[block[:, 0]]
            s = cos[inv[:, 0]] if sg[0] > 0 else -cos[inv[:, 0]]
            for j in range(1, len(sg)):
                if sg[j] > 0:
                    q += unit[block[:, j]]
                    s += cos[inv[:, j]]
                else:
                    q -= unit[block[:, j]]
                    s -= cos[inv[:, j]]
            qn = np.sqrt(np.einsum("ij,ij->i", q, q))
            qn[qn == 0] = 1.0
            s /= qn[:, None]
        else:
            cos += 1
            cos /= 2
            s = cos[inv[:, pos[0]]] if pos else np.ones((block.shape[0], n), dtype=np.float32)
            for j in pos[1:]:
                s *= cos[inv[:, j]]
            if neg:
                den = cos[inv[:, neg[0]]]
                for j in neg[1:]:
                    den *= cos[inv[:, j]]
                den += eps
            else:
                den = np.float32(1) + eps
            s /= den
        yield sl, s


def iter_analogy_scores(unit: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray, *,
                        method: str = "3cosadd", budget: int = 1 << 25
                        ) -> Iterator[tuple[slice, np.ndarray]]:
    """Scores of every row for many analogies a:b :: c:? (b - a + c), a block of questions at a time.

    :func:`iter_expression_scores` with the terms b, -a, c (``unit``, ``method``, ``budget`` and
    what is yielded as there): for 3cosadd ``cos(x, b - a + c) = (cos(x,b) - cos(x,a) + cos(x,c)) /
    |b - a + c|``; 3cosmul is ``s(x,b) s(x,c) / (s(x,a) + eps)``. ``a``, ``b``, ``c`` are int arrays
    (m,) of the question words' rows. No input rows are excluded here.
    """
    a, b, c = (np.asarray(x, dtype=np.int64) for x in (a, b, c))
    return iter_expression_scores(unit, np.stack((b, a, c), axis=1), (1, -1, 1), method=method, budget=budget)
