"""Order tokens by how often they occur in real English, using the ``wordfreq`` package.

The frequency tables ship inside ``wordfreq`` (nothing is downloaded). The Map page draws
"the 5,000 most frequent words" of a set: :func:`frequency_order` gives that order.

>>> import numpy as np
>>> from embedlab import EmbeddingSet
>>> es = EmbeddingSet(["zygote", "the", "house"], np.eye(3, dtype=np.float32), name="toy")
>>> [es.tokens[i] for i in frequency_order(es)]
['the', 'house', 'zygote']
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError
from ..core.validate import check_int

logger = logging.getLogger(__name__)

__all__ = ["known_count", "frequency_order", "token_frequencies", "most_frequent", "describe_points"]

_lock = threading.Lock()
_orders: dict[tuple[str, str, str], np.ndarray] = {}   # (name, fingerprint, lang) -> order
_MAX_CACHED = 16


@lru_cache(maxsize=4)
def _table(lang: str) -> dict[str, float]:
    import wordfreq

    try:
        return wordfreq.get_frequency_dict(lang)
    except (LookupError, ValueError) as exc:  # wordfreq raises LookupError for unknown languages
        raise InvalidParameterError(f"wordfreq has no frequency list for language {lang!r}") from exc


def token_frequencies(tokens, *, lang: str = "en") -> np.ndarray:
    """Frequency of each token in real text (a fraction of all words; 0 if unknown).

    Tokens are looked up in lower case. WordPiece continuation pieces (``##ing``) and
    special tokens (``[CLS]``) are not words and get 0.

    Parameters
    ----------
    tokens : sequence of str
    lang : str
        A language code wordfreq knows (default English).

    Returns
    -------
    ndarray, shape (n,) float64

    >>> f = token_frequencies(["the", "The", "##ing", "qwzx"])
    >>> bool(f[0] == f[1] > 0), float(f[2]), float(f[3])
    (True, 0.0, 0.0)
    """
    table = _table(lang)
    out = np.zeros(len(tokens), dtype=np.float64)
    for i, tok in enumerate(tokens):
        if tok.startswith("##") or (tok.startswith("[") and tok.endswith("]")):
            continue
        out[i] = table.get(tok.lower(), 0.0)
    return out


def frequency_order(es: EmbeddingSet, *, lang: str = "en", ahead: bool = True) -> np.ndarray:
    """Row indices of ``es``, most frequent token first.

    Tokens wordfreq does not know keep their row order, after all known ones. The order
    is computed once per set (keyed by name and fingerprint) and kept for the process; for the
    built-in default set it was computed ahead of time (:mod:`embedlab.space.ahead`; ``ahead=False``
    computes it all the same).

    Returns
    -------
    ndarray, shape (len(es),) int64, read-only
    """
    key = (es.name, es.fingerprint, lang)
    order = None
    if ahead:
        with _lock:
            hit = _orders.get(key)
        if hit is not None:
            return hit
        from .ahead import shipped

        view = shipped(es)
        order = view.frequency_order(lang) if view is not None else None
    if order is None:
        freq = token_frequencies(es.tokens, lang=lang)
        # stable sort on -freq keeps row order among ties (including all unknown tokens)
        order = np.argsort(-freq, kind="stable").astype(np.int64)
        order.flags.writeable = False
        logger.debug("frequency order of %s: %d of %d tokens known", es.name, int((freq > 0).sum()), len(es))
    with _lock:
        if len(_orders) >= _MAX_CACHED:
            _orders.pop(next(iter(_orders)))
        _orders[key] = order
    return order


def most_frequent(es: EmbeddingSet, n: int | None, *, lang: str = "en") -> np.ndarray:
    """Rows of the ``n`` most frequent tokens (all rows, frequency-ordered, if ``n`` is None).

    Raises
    ------
    InvalidParameterError
        If ``n`` is smaller than 1.

    >>> from embedlab import EmbeddingSet
    >>> es = EmbeddingSet(["cat", "of", "dog"], np.eye(3, dtype=np.float32))
    >>> most_frequent(es, 2).tolist()
    [1, 2]
    """
    if n is not None:
        n = check_int(n, "n", minimum=1)
    order = frequency_order(es, lang=lang)
    return order if n is None else order[:n]


def known_count(es: EmbeddingSet, *, lang: str = "en", ahead: bool = True) -> int:
    """How many tokens of ``es`` wordfreq knows (computed ahead for the built-in default set).

    >>> from embedlab import EmbeddingSet
    >>> known_count(EmbeddingSet(["cat", "zzxqv", "dog"], np.eye(3, dtype=np.float32)))
    2
    """
    if ahead:
        from .ahead import shipped

        view = shipped(es)
        if view is not None and view.lang == lang:
            return view.known
    return int((token_frequencies(es.tokens, lang=lang) > 0).sum())


def describe_points(es: EmbeddingSet, n: int | None, *, lang: str = "en") -> str:
    """A plain sentence saying which points are drawn, e.g. "the 5,000 most frequent words".

    >>> from embedlab import EmbeddingSet
    >>> es = EmbeddingSet(["cat", "of", "dog"], np.eye(3, dtype=np.float32))
    >>> describe_points(es, 2)
    'the 2 most frequent of 3 tokens (English word frequency from the wordfreq package)'
    >>> describe_points(es, None)
    'all 3 tokens'
    """
    total = len(es)
    if n is None or n >= total:
        return f"all {total:,} tokens"
    known = known_count(es, lang=lang)
    text = f"the {n:,} most frequent of {total:,} tokens (English word frequency from the wordfreq package)"
    if known < n:
        text += f"; only {known:,} are known to wordfreq, the rest follow in the set's own order"
    return text
