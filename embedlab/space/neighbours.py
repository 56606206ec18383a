"""Neighbours of what a user types: a token, or vector arithmetic such as ``paris - france + italy``.

>>> from embedlab.core.embeddings import EmbeddingSet
>>> es = EmbeddingSet(["king", "queen", "man", "woman", "can't"],
...                   [[1, 1, 0], [1, -1, 0], [0, 1, 0.1], [0, -1, 0.1], [0.5, 0.5, 1]])
>>> found, inputs = query_neighbors(es, "king - man + woman", k=1)
>>> [n.token for n in found], inputs
(['queen'], ['king', 'man', 'woman'])
>>> query_neighbors(es, "can't", k=1)[1]          # a token the expression syntax cannot spell
["can't"]
"""
from __future__ import annotations

import numpy as np

from ..core.embeddings import EmbeddingSet, Neighbor, Resolution
from ..core.errors import EmbedLabError
from ..core.validate import check_choice
from .analogy import expression_vector, parse_expression

__all__ = ["query_neighbors", "resolve_query"]


def resolve_query(es: EmbeddingSet, query: str) -> tuple[str, Resolution]:
    """What a person typed, with each word read as the token meant (exact first, then ignoring case).

    Returns the query to search (an expression rewritten with the tokens found, or the token) and the
    :class:`~embedlab.core.embeddings.Resolution` saying which words matched only ignoring case. Words with
    no token at all are left as typed, so :func:`query_neighbors` names them with close matches.

    >>> es = EmbeddingSet(["king", "man", "woman"], np.eye(3, dtype=np.float32))
    >>> text, res = resolve_query(es, "King - Man + woman")
    >>> text, res.note()
    ('king - man + woman', 'Matched ignoring case: King → king, Man → man.')
    >>> resolve_query(es, "queen")[0]
    'queen'
    """
    text = query.strip() if isinstance(query, str) else query
    whole = es.find(text) if isinstance(text, str) else None
    if whole is not None:                                      # a token, also one the syntax cannot spell
        return whole, Resolution((whole,), ((text, whole),) if whole != text else ())
    try:
        terms = parse_expression(text)
    except EmbedLabError:
        return text, Resolution(())
    found = [(sign, es.find(tok) or tok, tok) for sign, tok in terms]
    out = ""
    for i, (sign, tok, _) in enumerate(found):
        out += ("- " if sign < 0 else "") + tok if i == 0 else (" - " if sign < 0 else " + ") + tok
    changed = tuple(dict.fromkeys((typed, tok) for _, tok, typed in found if typed != tok))
    return out, Resolution(tuple(t for _, t, _ in found), changed)


def query_neighbors(es: EmbeddingSet, query: str, *, k: int, metric: str = "cosine",
                    index=None) -> tuple[list[Neighbor], list[str]]:
    """The ``k`` nearest tokens to a token or to an arithmetic expression of tokens.

    The query is read as an expression (:func:`~embedlab.space.analogy.parse_expression`); one
    word alone is a token query. A query the expression syntax cannot read or whose words are
    not in the set, but which is itself a token of the set (``"<b>x</b>"``, ``"can't"``), is a
    token query. The input words are left out of the results.

    For ``cosine`` an expression is the signed sum of the words' unit vectors (as gensim's
    ``most_similar``); for ``euclidean`` it is the signed sum of their raw vectors, lengths
    included.

    Parameters
    ----------
    es : EmbeddingSet
    query : str
        Leading and trailing blanks are ignored.
    k : int
    metric : {"cosine", "euclidean"}
    index : NeighborIndex, optional
        An approximate index of ``es`` for cosine search (see :meth:`EmbeddingSet.neighbors`);
        ignored for ``euclidean``, which is always exact.

    Returns
    -------
    neighbours : list of Neighbor
    inputs : list of str
        The tokens of the query, in the order written.

    Raises
    ------
    InvalidParameterError
        A malformed expression (that is not a token of the set), a bad ``k`` or ``metric``.
    UnknownTokenError
        Words not in the set, with close matches.
    """
    metric = check_choice(metric, "metric", ("cosine", "euclidean"), case_sensitive=True)
    if metric != "cosine":
        index = None
    text = query.strip() if isinstance(query, str) else query
    try:
        terms = parse_expression(text)
        if len(terms) == 1 and terms[0][0] > 0:
            token = terms[0][1]
            return es.neighbors(token, k, metric=metric, index=index), [token]
        if metric == "cosine":
            vec, tokens = expression_vector(es, text)
        else:
            tokens = [t for _, t in terms]
            rows = es.indices(tokens)
            signs = np.array([s for s, _ in terms], dtype=np.float32)
            vec = (signs[:, None] * es.vectors[rows]).sum(axis=0, dtype=np.float32)
    except EmbedLabError:
        if text not in es:
            raise
        return es.neighbors(text, k, metric=metric, index=index), [text]
    return es.neighbors(vec, k, exclude=tokens, metric=metric, index=index), list(tokens)
