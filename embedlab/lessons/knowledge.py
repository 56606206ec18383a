"""Knowledge-graph embeddings: TransE, where a relation is a translation vector (head + relation ≈ tail).

A knowledge graph is a set of triples (head, relation, tail): *athens --capital-of--> greece*. TransE
(Bordes et al., 2013) gives every entity and every relation a vector and trains them so that
``head + relation`` lands near ``tail`` and far from a corrupted tail. The relation vector is then the
same idea as the Analogies page's ``b - a + c``: *greece - athens* is roughly one fixed step, so
*athens -> greece* and *paris -> ?* are answered by adding that step to *paris*.

Triples come from data gensim ships: the Google analogy file's sections (capital-of, currency-of,
city-in-state, feminine-of, plural-of, ...) and WordNet hypernym pairs (``x is-a y``).

>>> triples = analogy_triples(sections=["capital-common-countries"])
>>> triples[0]
Triple(head='athens', relation='capital-of', tail='greece')
>>> model = train_transe(triples, dim=16, epochs=20, seed=0)
>>> model.entity_vectors.shape[1], model.relations
(16, ('capital-of',))
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..core.errors import EvaluationDataError, InvalidParameterError
from ..core.linalg import unit_rows
from ..core.validate import check_float, check_int

logger = logging.getLogger(__name__)

__all__ = ["RELATION_NAMES", "Triple", "TransEModel", "LinkPrediction", "analogy_triples", "hypernym_triples",
           "split_triples", "train_transe", "link_prediction", "translation_agreement", "triples_in_set",
           "ModeComparison", "compare_modes"]

RELATION_NAMES = {
    # Google analogy section -> (relation name, head is the 1st or the 2nd word of each pair)
    "capital-common-countries": ("capital-of", 0), "capital-world": ("capital-of", 0),
    "currency": ("currency-of", 1), "city-in-state": ("city-in", 0), "family": ("feminine-of", 0),
    "gram1-adjective-to-adverb": ("adverb-of", 0), "gram2-opposite": ("opposite-of", 0),
    "gram3-comparative": ("comparative-of", 0), "gram4-superlative": ("superlative-of", 0),
    "gram5-present-participle": ("participle-of", 0), "gram6-nationality-adjective": ("nationality-of", 0),
    "gram7-past-tense": ("past-tense-of", 0), "gram8-plural": ("plural-of", 0),
    "gram9-plural-verbs": ("third-person-of", 0),
}
"""How each section of questions-words.txt becomes a relation. For the currency section the pairs read
*algeria dinar*, so the triple is (dinar, currency-of, algeria); elsewhere (athens, capital-of, greece),
(boy, feminine-of, girl) reads "girl is the feminine of boy": head first word, tail second."""

MAX_TRIPLES = 50_000


@dataclass(frozen=True)
class Triple:
    head: str
    relation: str
    tail: str


def _analogy_file() -> Path:
    from ..io.gensim_data import default_analogy_file

    return default_analogy_file()


def analogy_triples(path: str | Path | None = None, *, sections: Sequence[str] | None = None) -> list[Triple]:
    """Triples from the Google analogy file: each question line holds two word pairs of one relation.

    Parameters
    ----------
    path : path, optional
        An analogy file in the questions-words format (default: gensim's copy).
    sections : sequence of str, optional
        Section names to use (default: all of :data:`RELATION_NAMES`).

    Returns
    -------
    list of Triple, each (head, relation, tail) once, lower-cased, in file order
    """
    from ..io.gensim_data import analogy_sections

    wanted = list(RELATION_NAMES) if sections is None else list(sections)
    unknown = [s for s in wanted if s not in RELATION_NAMES]
    if unknown:
        raise InvalidParameterError(f"sections={unknown!r} is not allowed; must be among: {', '.join(RELATION_NAMES)}")
    questions = analogy_sections(path)
    out, seen = [], set()
    for section in wanted:
        relation, head_at = RELATION_NAMES[section]
        for q in questions.get(section, ()):
            for a, b in ((q[0], q[1]), (q[2], q[3])):
                h, t = (a, b) if head_at == 0 else (b, a)
                tr = Triple(h.lower(), relation, t.lower())
                if tr not in seen:
                    seen.add(tr)
                    out.append(tr)
    return out


def _hypernym_file() -> Path:
    from ..io.gensim_data import gensim_test_data_dir

    return gensim_test_data_dir() / "poincare_hypernyms_large.tsv"


def hypernym_triples(path: str | Path | None = None) -> list[Triple]:
    """WordNet hypernym pairs (``kangaroo.n.01 <TAB> marsupial.n.01``) as (kangaroo, is-a, marsupial),
    the synset suffix dropped and underscores made spaces.

    Raises
    ------
    EvaluationDataError
        A line without two tab-separated names, naming the line.
    """
    p = Path(path) if path is not None else _hypernym_file()
    out = []

    def name(s: str) -> str:
        return s.strip().rsplit(".", 2)[0].replace("_", " ") if s.count(".") >= 2 else s.strip()

    with open(p, encoding="utf-8") as f:
        for ln, line in enumerate(f, start=1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
                raise EvaluationDataError("expected two tab-separated names (child, parent)", line=ln, path=str(p))
            out.append(Triple(name(parts[0]), "is-a", name(parts[1])))
            if len(out) > MAX_TRIPLES:
                raise EvaluationDataError(f"more than {MAX_TRIPLES:,} pairs", line=ln, path=str(p))
    return out


def split_triples(triples: Sequence[Triple], *, test_share: float = 0.3, seed: int = 0,
                  known_entities_only: bool = False) -> tuple[list[Triple], list[Triple]]:
    """(train, test): a seeded shuffle. With ``known_entities_only`` a test triple is kept only if its
    head and tail occur in training (TransE from scratch cannot place an entity it never saw; with word
    vectors as entities it can, see :func:`train_transe`'s ``init``)."""
    test_share = check_float(test_share, "test_share", low=0.0, high=0.9)
    order = np.random.default_rng(seed).permutation(len(triples))
    n_test = int(round(len(triples) * test_share))
    test = [triples[i] for i in order[:n_test]]
    train = [triples[i] for i in order[n_test:]]
    if not known_entities_only:
        return train, test
    known = {t.head for t in train} | {t.tail for t in train}
    return train, [t for t in test if t.head in known and t.tail in known]


@dataclass(frozen=True)
class TransEModel:
    """Trained TransE vectors.

    Attributes
    ----------
    entities, relations : tuple of str
    entity_vectors : (n_entities, dim) float32, unit rows, read-only
    relation_vectors : (n_relations, dim) float32, read-only
    losses : tuple of float, mean margin loss per epoch
    """

    entities: tuple
    relations: tuple
    entity_vectors: np.ndarray
    relation_vectors: np.ndarray
    losses: tuple
    margin: float

    def entity(self, name: str) -> np.ndarray:
        return self.entity_vectors[self.entities.index(name)]

    def relation(self, name: str) -> np.ndarray:
        return self.relation_vectors[self.relations.index(name)]

    def tails(self, head: str, relation: str, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` entities nearest to ``head + relation`` (Euclidean distance, nearest first; the head
        itself left out)."""
        q = self.entity(head) + self.relation(relation)
        d = np.linalg.norm(self.entity_vectors - q, axis=1)
        d[self.entities.index(head)] = np.inf
        top = np.argsort(d, kind="stable")[:k]
        return [(self.entities[i], float(d[i])) for i in top]


def _ids(triples: Sequence[Triple], entities: dict, relations: dict) -> np.ndarray:
    return np.array([[entities[t.head], relations[t.relation], entities[t.tail]] for t in triples], dtype=np.int64)


def train_transe(triples: Sequence[Triple], *, dim: int = 32, epochs: int = 200, lr: float = 0.05,
                 margin: float = 1.0, batch_size: int = 256, seed: int = 0, init=None,
                 train_entities: bool = True, extra_entities: Sequence[str] = (),
                 progress: Callable[[int, float], None] | None = None) -> TransEModel:
    """Train TransE (L2 distance, margin ranking loss, one corrupted head or tail per triple, entity rows
    renormalised to unit length before each batch as in the paper), with numpy and Adagrad, seeded.

    Parameters
    ----------
    triples : sequence of Triple
    init : EmbeddingSet, optional
        Start every entity at its (unit) word vector from this set instead of at random (``dim`` is then
        the set's); entities it lacks raise :class:`~embedlab.core.errors.UnknownTokenError`.
    train_entities : bool
        False keeps the entity vectors fixed and learns only the relation vectors: with ``init`` this is
        "a relation is one translation in word-vector space", which also answers for entities no
        training triple mentions (give them as ``extra_entities``).
    extra_entities : sequence of str
        Entities to include (and rank) that no training triple mentions, e.g. those of held-out triples.
    progress : callable(epoch, mean_loss), optional
        Called after every epoch.

    Returns
    -------
    TransEModel
    """
    if not triples:
        raise InvalidParameterError("triples=[] is not allowed; must be at least one (head, relation, tail)")
    if len(triples) > MAX_TRIPLES:
        raise InvalidParameterError(f"{len(triples):,} triples is not allowed; must be at most {MAX_TRIPLES:,}")
    dim = check_int(dim, "dim", minimum=2, maximum=512)
    epochs = check_int(epochs, "epochs", minimum=1, maximum=5000)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    lr = check_float(lr, "lr", low=0, low_open=True, high=10)
    margin = check_float(margin, "margin", low=0, low_open=True, high=100)
    ents = {}
    for t in triples:
        ents.setdefault(t.head, len(ents))
        ents.setdefault(t.tail, len(ents))
    for e in extra_entities:
        ents.setdefault(e, len(ents))
    rels = {}
    for t in triples:
        rels.setdefault(t.relation, len(rels))
    ids = _ids(triples, ents, rels)
    rng = np.random.default_rng(seed)
    if init is not None:
        E = unit_rows(init.vectors[init.indices(list(ents))])
        dim = E.shape[1]
    elif not train_entities:
        raise InvalidParameterError("train_entities=False is not allowed without init (random entities that "
                                    "never move cannot learn anything)")
    bound = 6.0 / np.sqrt(dim)
    if init is None:
        E = rng.uniform(-bound, bound, size=(len(ents), dim)).astype(np.float32)
    R = unit_rows(rng.uniform(-bound, bound, size=(len(rels), dim)).astype(np.float32))
    gE = np.zeros_like(E)
    gR = np.zeros_like(R)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(len(ids))
        total = 0.0
        for start in range(0, len(order), batch_size):
            b = ids[order[start:start + batch_size]]
            if train_entities:
                E[:] = unit_rows(E)
            h, r, t = b[:, 0], b[:, 1], b[:, 2]
            corrupt = rng.integers(0, len(ents), size=len(b))
            tail_side = rng.random(len(b)) < 0.5
            h2 = np.where(tail_side, h, corrupt)
            t2 = np.where(tail_side, corrupt, t)
            pos = E[h] + R[r] - E[t]
            neg = E[h2] + R[r] - E[t2]
            dp = np.linalg.norm(pos, axis=1)
            dn = np.linalg.norm(neg, axis=1)
            loss = np.maximum(0.0, margin + dp - dn)
            act = loss > 0
            total += float(loss.sum())
            if not act.any():
                continue
            gp = pos[act] / np.maximum(dp[act], 1e-9)[:, None]     # d dp / d (h + r - t)
            gn = neg[act] / np.maximum(dn[act], 1e-9)[:, None]
            dE = np.zeros_like(E)
            dR = np.zeros_like(R)
            np.add.at(dE, h[act], gp)
            np.add.at(dE, t[act], -gp)
            np.add.at(dE, h2[act], -gn)
            np.add.at(dE, t2[act], gn)
            np.add.at(dR, r[act], gp - gn)
            if train_entities:
                gE += dE * dE
                E -= lr * dE / (np.sqrt(gE) + 1e-8)
            gR += dR * dR
            R -= lr * dR / (np.sqrt(gR) + 1e-8)
        losses.append(total / len(ids))
        if progress is not None:
            progress(epoch + 1, losses[-1])
    E = unit_rows(E)
    E.flags.writeable = False
    R = np.ascontiguousarray(R, dtype=np.float32)
    R.flags.writeable = False
    return TransEModel(entities=tuple(ents), relations=tuple(rels), entity_vectors=E, relation_vectors=R,
                       losses=tuple(losses), margin=margin)


@dataclass(frozen=True)
class LinkPrediction:
    """Filtered link prediction on held-out triples: rank of the true tail among all entities."""

    hits_at_1: float
    hits_at_10: float
    mean_rank: float
    mrr: float
    n: int
    chance_hits_at_10: float     #: what picking tails at random would score


def link_prediction(model: TransEModel, test: Sequence[Triple], *, known: Sequence[Triple] = ()) -> LinkPrediction:
    """For each test triple (h, r, ?), rank every entity by its distance to ``h + r``; other true tails of
    (h, r) found in ``known`` or ``test`` are left out of the ranking (the "filtered" setting)."""
    ents = {e: i for i, e in enumerate(model.entities)}
    rels = {r: i for i, r in enumerate(model.relations)}
    usable = [t for t in test if t.head in ents and t.tail in ents and t.relation in rels]
    if not usable:
        raise InvalidParameterError("no test triple has a head, relation and tail the model knows")
    true_tails: dict[tuple[int, int], set[int]] = {}
    for t in list(known) + list(usable):
        if t.head in ents and t.tail in ents and t.relation in rels:
            true_tails.setdefault((ents[t.head], rels[t.relation]), set()).add(ents[t.tail])
    ranks = []
    for t in usable:
        h, r, tl = ents[t.head], rels[t.relation], ents[t.tail]
        d = np.linalg.norm(model.entity_vectors - (model.entity_vectors[h] + model.relation_vectors[r]), axis=1)
        others = [o for o in true_tails[(h, r)] if o != tl] + [h]
        d[others] = np.inf
        ranks.append(int((d < d[tl]).sum()) + 1)
    ranks = np.asarray(ranks, dtype=np.float64)
    n_candidates = len(model.entities) - 1
    return LinkPrediction(hits_at_1=float((ranks <= 1).mean()), hits_at_10=float((ranks <= 10).mean()),
                          mean_rank=float(ranks.mean()), mrr=float((1.0 / ranks).mean()), n=len(ranks),
                          chance_hits_at_10=min(1.0, 10.0 / max(n_candidates, 1)))


def translation_agreement(model: TransEModel, triples: Sequence[Triple], relation: str) -> dict[str, float]:
    """How much a relation is one translation: the mean cosine of each triple's ``tail - head`` with the
    relation vector, and with the ``tail - head`` of the other triples of the same relation (the
    Analogies page's b - a), against the same for pairs of two different relations."""
    ents = {e: i for i, e in enumerate(model.entities)}
    rel_rows = [t for t in triples if t.relation == relation and t.head in ents and t.tail in ents]
    if len(rel_rows) < 2:
        raise InvalidParameterError(f"relation={relation!r} is not allowed; must have at least two known triples")
    diffs = unit_rows(np.stack([model.entity_vectors[ents[t.tail]] - model.entity_vectors[ents[t.head]]
                                for t in rel_rows]))
    r = unit_rows(model.relation(relation))
    same = diffs @ diffs.T
    n = len(diffs)
    other = [t for t in triples if t.relation != relation and t.head in ents and t.tail in ents]
    out = {"with_relation": float((diffs @ r).mean()),
           "between_pairs": float((same.sum() - n) / (n * (n - 1)))}
    if other:
        od = unit_rows(np.stack([model.entity_vectors[ents[t.tail]] - model.entity_vectors[ents[t.head]]
                                 for t in other[:500]]))
        out["other_relations"] = float((diffs @ od.T).mean())
    return out


def triples_in_set(triples: Sequence[Triple], es) -> list[Triple]:
    """The triples whose head and tail are both tokens of the embedding set ``es`` (in order).

    >>> from embedlab.core.embeddings import EmbeddingSet
    >>> es = EmbeddingSet(["athens", "greece"], np.eye(2, dtype=np.float32))
    >>> triples_in_set([Triple("athens", "capital-of", "greece"), Triple("rome", "capital-of", "italy")], es)
    [Triple(head='athens', relation='capital-of', tail='greece')]
    """
    return [t for t in triples if t.head in es and t.tail in es]


@dataclass(frozen=True)
class ModeComparison:
    """TransE from scratch beside TransE on fixed word vectors, trained and tested on the same split.

    Attributes
    ----------
    train, test : tuple of Triple
    seen, unseen : tuple of Triple
        The test triples whose head and tail both occur in training, and those with an entity that does not.
    models : dict
        ``{"scratch": TransEModel, "words": TransEModel}`` (``"words"`` only when word vectors were given).
    results : dict
        ``{(mode, "seen" | "unseen" | "all"): LinkPrediction or None}`` (None: no such test triple).
    """

    train: tuple
    test: tuple
    seen: tuple
    unseen: tuple
    models: dict
    results: dict


def compare_modes(triples: Sequence[Triple], *, words=None, dim: int = 64, epochs: int = 100,
                  test_share: float = 0.3, seed: int = 0,
                  progress: Callable[[float, str], None] | None = None) -> ModeComparison:
    """Train TransE from scratch (``dim``) and, if ``words`` (an EmbeddingSet) is given, TransE with the
    entities fixed at their word vectors (only the relation vectors learned), on one seeded split; rank
    every test tail (filtered) separately for test triples whose entities were seen in training and
    for those with an entity never seen: from scratch such an entity is a random, never-trained vector.

    Parameters
    ----------
    words : EmbeddingSet, optional
        Must hold every head and tail (see :func:`triples_in_set`).
    progress : callable(fraction done, text), optional

    >>> tr = analogy_triples(sections=["family"])
    >>> cmp = compare_modes(tr, epochs=5, seed=0)
    >>> sorted(cmp.models), len(cmp.train) + len(cmp.test) == len(tr)
    (['scratch'], True)
    """
    train, test = split_triples(triples, test_share=test_share, seed=seed)
    if not train or not test:
        raise InvalidParameterError(f"{len(triples)} triples is not allowed; need enough for a training and a test "
                                    "part (at least 4)")
    known = {t.head for t in train} | {t.tail for t in train}
    seen = tuple(t for t in test if t.head in known and t.tail in known)
    unseen = tuple(t for t in test if not (t.head in known and t.tail in known))
    entities = sorted({t.head for t in triples} | {t.tail for t in triples})
    modes = ["scratch"] + (["words"] if words is not None else [])
    models, results = {}, {}
    for m_i, mode in enumerate(modes):
        def step(epoch, loss, m_i=m_i, mode=mode):
            if progress is not None:
                progress((m_i + epoch / epochs) / len(modes), f"{mode}: epoch {epoch} of {epochs}, loss {loss:.3f}")
        kw = dict(init=words, train_entities=False) if mode == "words" else dict(dim=dim)
        model = train_transe(train, epochs=epochs, seed=seed, extra_entities=entities, progress=step, **kw)
        models[mode] = model
        for name, part in (("seen", seen), ("unseen", unseen), ("all", tuple(test))):
            results[(mode, name)] = link_prediction(model, part, known=train) if part else None
    return ModeComparison(train=tuple(train), test=tuple(test), seen=seen, unseen=unseen, models=models,
                          results=results)
