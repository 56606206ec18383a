"""Recommendation with embeddings: "more like these, less like those", and item vectors learned from baskets.

A *profile* is one vector for a user: the mean of the unit vectors of the items they like minus
``dislike_weight`` times the mean of those they dislike. Recommending is then a nearest-neighbour
search around that user vector (cosine), leaving out the items already marked
(:func:`recommend`). It works on any :class:`~embedlab.core.embeddings.EmbeddingSet`: words, or a
set of encoded documents.

Where do item vectors come from when items are not words? From co-occurrence, as word2vec learns
words from the words around them: *item2vec* treats each basket (an order, a session, the events a
person went to) as a sentence and trains skip-gram on it (:func:`item2vec`). Built-in baskets come
from networkx's Davis Southern Women graph (:func:`davis_baskets`); a user can upload a basket CSV
(:func:`read_baskets`).

>>> import numpy as np
>>> es = EmbeddingSet(["a", "b", "c", "d"], [[1, 0], [0, 1], [1, 0.2], [0.2, 1]], name="toy")
>>> [r.token for r in recommend(es, ["a"], ["b"], k=2).items]
['c', 'd']
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError
from ..core.validate import check_choice, check_float, check_int, invalid
from ..core.errors import BasketDataError
from .uploads import read_table

logger = logging.getLogger(__name__)

__all__ = ["BasketDataError", "Recommended", "Recommendation", "Baskets", "BasketStats", "ItemEmbedding",
           "profile_vector", "recommend", "davis_baskets", "read_baskets", "basket_stats", "shared_baskets", "item2vec",
           "LAYOUTS", "MAX_BASKET_BYTES", "MAX_BASKET_ROWS", "MAX_BASKETS", "MAX_ITEMS", "MAX_BASKET_SIZE"]

MAX_BASKET_BYTES = 10 * 1024 * 1024   #: largest basket CSV read
MAX_BASKET_ROWS = 200_000             #: most rows in it
MAX_BASKETS = 50_000                  #: most baskets
MAX_ITEMS = 20_000                    #: most distinct items
MAX_BASKET_SIZE = 500                 #: most items in one basket (the training window spans a whole basket)
LAYOUTS = ("auto", "rows", "pairs")
_ID_WORDS = ("basket", "session", "order", "user", "customer", "transaction", "id")
_TARGET_OCCURRENCES = 50_000          # item occurrences seen in training when epochs is not given


# -- "more like these, less like those" ---------------------------------------------------------
@dataclass(frozen=True)
class Recommended:
    """One recommended item and why: its cosine to the profile and to the liked item it is most like."""

    rank: int
    token: str
    score: float
    closest_liked: str | None
    closest_liked_cosine: float | None


@dataclass(frozen=True, eq=False)
class Recommendation:
    """The profile vector (``(dim,) float32``, read-only) and the items nearest to it, best first."""

    liked: tuple[str, ...]
    disliked: tuple[str, ...]
    dislike_weight: float
    profile: np.ndarray
    items: tuple[Recommended, ...]
    metric: str = "cosine"


def _marked(es: EmbeddingSet, tokens, name: str) -> tuple[str, ...]:
    if isinstance(tokens, str):
        raise invalid(name, tokens, "a list of tokens (not a single string)")
    out = tuple(dict.fromkeys(tokens))   # repeats count once, order kept
    es.indices(out)                      # unknown tokens: UnknownTokenError with close matches
    return out


def profile_vector(es: EmbeddingSet, liked: Sequence[str], disliked: Sequence[str] = (), *,
                   dislike_weight: float = 0.5) -> np.ndarray:
    """``mean(unit(liked)) - dislike_weight * mean(unit(disliked))``, ``(dim,) float32``.

    Raises
    ------
    InvalidParameterError
        No liked item, an item both liked and disliked, a weight outside [0, 10], a zero profile.
    UnknownTokenError
        An item not in the set.

    >>> es = EmbeddingSet(["a", "b"], [[2, 0], [0, 3]])
    >>> profile_vector(es, ["a"], ["b"], dislike_weight=0.5).tolist()
    [1.0, -0.5]
    """
    liked, disliked = _marked(es, liked, "liked"), _marked(es, disliked, "disliked")
    w = check_float(dislike_weight, "dislike_weight", low=0.0, high=10.0)
    if not liked:
        raise invalid("liked", liked, "at least one liked item")
    both = [t for t in liked if t in set(disliked)]
    if both:
        raise invalid("disliked", disliked, f"items not also liked ({', '.join(both)} are in both)")
    p = es.unit[es.indices(liked)].mean(axis=0, dtype=np.float64)
    if disliked:
        p -= w * es.unit[es.indices(disliked)].mean(axis=0, dtype=np.float64)
    if not np.linalg.norm(p) > 1e-9:
        raise InvalidParameterError("the profile is the zero vector (the likes and dislikes cancel out); "
                                    "like or dislike other items, or change dislike_weight")
    return p.astype(np.float32)


def recommend(es: EmbeddingSet, liked: Sequence[str], disliked: Sequence[str] = (), *, k: int = 10,
              dislike_weight: float = 0.5) -> Recommendation:
    """The ``k`` items nearest (cosine) to the profile vector, the liked and disliked items left out.

    Each item comes with an explanation: its cosine to the profile and the liked item it is most
    similar to (with that cosine).

    Parameters
    ----------
    es : EmbeddingSet
    liked, disliked : sequence of str
        Tokens of ``es``; at least one liked.
    k : int
        At least 1; fewer come back if fewer items are left.
    dislike_weight : float
        In [0, 10]: 0 ignores the dislikes, 1 subtracts them as much as the likes add.

    Returns
    -------
    Recommendation

    >>> es = EmbeddingSet(["a", "b", "c"], [[1, 0], [0, 1], [3, 4]])
    >>> r = recommend(es, ["a"], k=1).items[0]
    >>> r.token, round(r.score, 2), r.closest_liked, round(r.closest_liked_cosine, 2)
    ('c', 0.6, 'a', 0.6)
    """
    k = check_int(k, "k", minimum=1)
    profile = profile_vector(es, liked, disliked, dislike_weight=dislike_weight)
    liked, disliked = _marked(es, liked, "liked"), _marked(es, disliked, "disliked")
    hits = es.neighbors(profile, k, exclude=liked + disliked)
    liked_unit = es.unit[es.indices(liked)]
    items = []
    for rank, h in enumerate(hits, start=1):
        sims = liked_unit @ es.unit[h.index]
        best = int(np.argmax(sims))
        items.append(Recommended(rank, h.token, float(h.score), liked[best], float(sims[best])))
    profile.flags.writeable = False
    return Recommendation(liked, disliked, float(dislike_weight), profile, tuple(items))


# -- baskets ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Baskets:
    """Baskets of items (each a tuple of distinct items, in the order read), with what was dropped."""

    name: str
    baskets: tuple[tuple[str, ...], ...]
    ids: tuple[str, ...] = ()
    source: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BasketStats:
    """Counts of a basket collection: baskets, distinct items, occurrences, sizes, the most frequent items."""

    n_baskets: int
    n_items: int
    n_occurrences: int
    mean_size: float
    max_size: int
    top_items: tuple[tuple[str, int], ...] = field(default=())


def davis_baskets(items: str = "events") -> Baskets:
    """Baskets from networkx's Davis Southern Women graph (18 women, 14 social events, 1930s Natchez).

    Parameters
    ----------
    items : {"events", "women"}
        ``"events"``: each woman's events are one basket (item vectors for the 14 events);
        ``"women"``: each event's attendees are one basket (item vectors for the 18 women).

    >>> b = davis_baskets("events")
    >>> len(b.baskets), b.ids[0], b.baskets[0][:3]
    (18, 'Evelyn Jefferson', ('E1', 'E2', 'E3'))
    """
    import networkx as nx

    items = check_choice(items, "items", ("events", "women"))
    g = nx.davis_southern_women_graph()
    women, events = list(g.graph["top"]), list(g.graph["bottom"])
    owners, members = (women, events) if items == "events" else (events, women)
    order = {m: i for i, m in enumerate(members)}
    baskets = tuple(tuple(sorted(g.neighbors(o), key=order.__getitem__)) for o in owners)
    what = "each woman's events" if items == "events" else "each event's women"
    return Baskets(f"davis-{items}", baskets, tuple(owners),
                   source=f"networkx davis_southern_women_graph(): {what} as a basket")


def _split_row(cells: tuple[str, ...]) -> list[str]:
    return cells[0].split() if len(cells) == 1 else [c for c in cells if c]


def read_baskets(source, *, filename: str | None = None, layout: str = "auto") -> Baskets:
    """Baskets from an uploaded CSV/TSV file.

    Layouts: ``"rows"``: one basket per row, its cells are the items (a row with one cell is read as
    items separated by spaces), no header; ``"pairs"``: a header line, then ``basket_id, item``
    rows (a basket's rows need not be adjacent). ``"auto"`` reads ``pairs`` when the first row has
    exactly two cells and its first cell names an id (contains basket, session, order, user,
    customer, transaction or id), else ``rows``. Items repeated within a basket count once;
    baskets of fewer than two items (nothing co-occurs) are dropped; both are said in ``notes``.

    Raises
    ------
    BasketDataError
        Too large (:data:`MAX_BASKET_BYTES`, :data:`MAX_BASKET_ROWS`, :data:`MAX_BASKETS`,
        :data:`MAX_ITEMS`, :data:`MAX_BASKET_SIZE`), unreadable, a pairs row without two cells or
        with an empty id or item (the row is named), fewer than two usable baskets.

    >>> read_baskets(b"milk,bread\\nmilk,eggs,milk\\ntea\\n").baskets
    (('milk', 'bread'), ('milk', 'eggs'))
    >>> read_baskets(b"order_id,item\\n1,milk\\n2,tea\\n1,bread\\n2,milk\\n").baskets
    (('milk', 'bread'), ('tea', 'milk'))
    """
    layout = check_choice(layout, "layout", LAYOUTS)
    table = read_table(source, name=filename, max_bytes=MAX_BASKET_BYTES, max_rows=MAX_BASKET_ROWS,
                       header=False, error=BasketDataError)
    name, rows = table.name, table.rows
    if layout == "auto":
        first = rows[0][1]
        layout = "pairs" if len(first) == 2 and any(w in first[0].lower() for w in _ID_WORDS) else "rows"
    groups: dict[str, list[str]] = {}
    where: dict[str, int] = {}
    if layout == "pairs":
        if len(rows) < 2:
            raise BasketDataError("no (basket, item) rows after the header line", name=name)
        for line, cells in rows[1:]:
            if len(cells) != 2:
                raise BasketDataError(f"has {len(cells)} cells; a pairs file needs two (basket id, item)",
                                      name=name, row=line)
            if not cells[0] or not cells[1]:
                raise BasketDataError("the basket id or the item is empty", name=name, row=line)
            groups.setdefault(cells[0], []).append(cells[1])
            where.setdefault(cells[0], line)
    else:
        for line, cells in rows:
            groups[f"row {line}"] = _split_row(cells)
            where[f"row {line}"] = line
    if len(groups) > MAX_BASKETS:
        raise BasketDataError(f"{len(groups):,} baskets; the limit is {MAX_BASKETS:,}", name=name)
    baskets, ids, repeats, short = [], [], 0, 0
    for bid, members in groups.items():
        distinct = tuple(dict.fromkeys(members))
        repeats += len(members) - len(distinct)
        if len(distinct) > MAX_BASKET_SIZE:
            what = f"basket {bid!r}" if layout == "pairs" else "the basket"
            raise BasketDataError(f"{what} has {len(distinct):,} items; the limit is {MAX_BASKET_SIZE:,}",
                                  name=name, row=where[bid])
        if len(distinct) < 2:
            short += 1
            continue
        baskets.append(distinct)
        ids.append(bid)
    n_items = len({i for b in baskets for i in b})
    if n_items > MAX_ITEMS:
        raise BasketDataError(f"{n_items:,} different items; the limit is {MAX_ITEMS:,}", name=name)
    if len(baskets) < 2:
        raise BasketDataError(f"{len(baskets)} basket(s) with two or more items; item2vec needs at least two",
                              name=name)
    notes = []
    if repeats:
        notes.append(f"{repeats:,} repeated items within a basket counted once")
    if short:
        notes.append(f"{short:,} baskets with fewer than two items dropped (nothing co-occurs in them)")
    return Baskets(name, tuple(baskets), tuple(ids), source=f"{name} ({layout} layout)", notes=tuple(notes))


def _as_baskets(baskets) -> Baskets:
    if isinstance(baskets, Baskets):
        return baskets
    if isinstance(baskets, str):
        raise invalid("baskets", baskets, "a Baskets or a list of lists of items")
    out = tuple(tuple(dict.fromkeys(str(i) for i in b)) for b in baskets)
    return Baskets("baskets", tuple(b for b in out if len(b) >= 2))


def basket_stats(baskets: Baskets | Sequence[Sequence[str]], *, top: int = 10) -> BasketStats:
    """Counts of the baskets (an item's count is the number of baskets it is in).

    >>> s = basket_stats([["a", "b"], ["a", "c", "d"]])
    >>> s.n_baskets, s.n_items, s.n_occurrences, s.mean_size, s.max_size, s.top_items[0]
    (2, 4, 5, 2.5, 3, ('a', 2))
    """
    b = _as_baskets(baskets).baskets
    top = check_int(top, "top", minimum=0)
    counts = Counter(i for basket in b for i in basket)
    sizes = [len(x) for x in b]
    return BasketStats(len(b), len(counts), sum(sizes), float(np.mean(sizes)) if sizes else 0.0,
                       max(sizes, default=0), tuple(counts.most_common(top)))


def shared_baskets(baskets: Baskets | Sequence[Sequence[str]], item: str) -> dict[str, int]:
    """How many baskets each other item shares with ``item`` (items never together with it are left
    out), most shared first: the co-occurrence item2vec learns from.

    Raises
    ------
    InvalidParameterError
        If ``item`` is in no basket.

    >>> shared_baskets([["a", "b"], ["a", "b", "c"], ["c", "d"]], "a")
    {'b': 2, 'c': 1}
    """
    b = _as_baskets(baskets).baskets
    counts: Counter = Counter()
    found = False
    for basket in b:
        if item in basket:
            found = True
            counts.update(i for i in basket if i != item)
    if not found:
        raise invalid("item", item, "an item of the baskets")
    return dict(counts.most_common())


# -- item2vec -----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ItemEmbedding:
    """Item vectors learned from baskets: the set (``meta["frequency"]`` = baskets per item), the
    baskets' counts and the training parameters used."""

    set: EmbeddingSet
    stats: BasketStats
    params: dict


def item2vec(baskets: Baskets | Sequence[Sequence[str]], *, dim: int | None = None, epochs: int | None = None,
             negative: int = 5, seed: int = 0) -> ItemEmbedding:
    """Train item vectors on baskets with gensim's skip-gram Word2Vec (item2vec).

    Each basket is a "sentence" whose window spans the whole basket (``window`` = the largest basket,
    ``shrink_windows=False``): every two items of a basket are context of each other, order does not
    matter. One worker thread and a fixed ``seed`` make the result the same on every run; no
    down-sampling of frequent items (``sample=0``), every item kept (``min_count=1``).

    Parameters
    ----------
    baskets : Baskets or list of lists of str
    dim : int, optional
        Vector size, 2 .. 300. Default: half the square root of the number of items, 2 .. 64 (14 Davis
        events get 2). Far fewer dimensions than items force items to share them, which is what
        makes items of the same baskets similar; with as many dimensions as items skip-gram can
        give each item a direction of its own (measured on Davis: the gap in cosine between events
        sharing 4+ women and events sharing none falls from 0.8 at 2 dims to 0.1 at 16).
    epochs : int, optional
        Passes over the baskets, 1 .. 2000. Default: enough for about 50,000 item occurrences
        (5 .. 1000 passes), so small collections like Davis's (89 occurrences) get many.
    negative : int
        Negative samples per positive pair, 1 .. 20.
    seed : int

    Returns
    -------
    ItemEmbedding

    Raises
    ------
    InvalidParameterError
        Bad parameters or fewer than two baskets of two or more items.
    """
    from gensim.models import Word2Vec

    b = _as_baskets(baskets)
    negative = check_int(negative, "negative", minimum=1, maximum=20)
    seed = check_int(seed, "seed", minimum=0)
    stats = basket_stats(b)
    if stats.n_baskets < 2:
        raise invalid("baskets", f"{stats.n_baskets} usable", "at least two baskets of two or more items")
    if dim is None:
        dim = int(np.clip(round(stats.n_items ** 0.5 / 2), 2, 64))
    dim = check_int(dim, "dim", minimum=2, maximum=300)
    if epochs is None:
        epochs = int(np.clip(_TARGET_OCCURRENCES // stats.n_occurrences, 5, 1000))
    epochs = check_int(epochs, "epochs", minimum=1, maximum=2000)
    params = {"sg": 1, "vector_size": dim, "window": stats.max_size, "shrink_windows": False, "min_count": 1,
              "sample": 0, "negative": negative, "epochs": epochs, "seed": seed, "workers": 1}
    model = Word2Vec(sentences=[list(x) for x in b.baskets], **params)
    counts = Counter(i for basket in b.baskets for i in basket)
    tokens = list(model.wv.index_to_key)
    es = EmbeddingSet(tokens, model.wv.vectors, name=f"item2vec: {b.name}",
                      origin=(f"item vectors learned by gensim Word2Vec (skip-gram, window = whole basket, "
                              f"{dim} dims, {epochs} epochs, seed {seed}) from {stats.n_baskets:,} baskets of "
                              f"{b.source or b.name}"),
                      meta={"frequency": [counts[t] for t in tokens]})
    logger.info("item2vec: %d items from %d baskets, %d epochs", len(es), stats.n_baskets, epochs)
    return ItemEmbedding(es, stats, params)
