"""One family of analogy questions answered question by question: the answer, the rank of the expected
word and the candidates (the Analogies page's table; the benchmark totals are in
:mod:`embedlab.space.evaluation`).

Scored with the same kernel as :func:`embedlab.space.analogy.most_similar_expr` and the benchmark
(:func:`embedlab.space.analogy.iter_analogy_scores`), in batched matrix products over the whole set.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError
from ..core.search import check_k, select_top_k
from .analogy import check_method, iter_analogy_scores
from .evaluation import vocab_map

__all__ = ["run_family", "FamilyResult", "FamilyRow", "answerable"]


@dataclass(frozen=True)
class FamilyRow:
    """One question a:b :: c:expected and how the set answered it.

    ``got`` is the best answer (None if a word is missing); ``rank`` is the 1-based place of
    ``expected`` in the ranking (None if it is beyond ``k``, is a question word that was left out,
    or a word is missing); ``candidates`` are the ``k`` best answers; ``missing`` the unknown words.
    """

    a: str
    b: str
    c: str
    expected: str
    got: str | None
    rank: int | None
    correct: bool
    candidates: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class FamilyResult:
    """Accuracy (top-1) over the ``covered`` questions; ``skipped`` had unknown words."""

    accuracy: float
    covered: int
    skipped: int
    rows: tuple[FamilyRow, ...]
    method: str = "3cosadd"


def run_family(es: EmbeddingSet, questions: Sequence[Sequence[str]], *, method: str = "3cosadd",
               exclude_inputs: bool = True, k: int = 10, case_insensitive: bool = True) -> FamilyResult:
    """Answer a list of analogy questions and report, for each, the answer and the rank of the expected word.

    All questions are scored in batched matrix products over the whole set.

    Parameters
    ----------
    es : EmbeddingSet
    questions : sequence of (a, b, c, expected)
        E.g. ``analogy_sections()["family"]``.
    method : {"3cosadd", "3cosmul"}
    exclude_inputs : bool
        Leave a, b, c (and, if case-insensitive, their case variants) out of the answers.
        With False, see how often the best answer is just b (Nissim et al. 2020).
    k : int
        Number of candidates kept per question, and the rank limit.
    case_insensitive : bool
        Match words to the set ignoring case (first variant wins) and judge answers that way.

    Returns
    -------
    FamilyResult

    >>> import embedlab
    >>> res = run_family(embedlab.load("minilm-words"), [("man", "king", "woman", "queen")], k=3)
    >>> res.rows[0].got, res.rows[0].rank, res.accuracy
    ('queen', 1, 1.0)
    """
    method = check_method(method)
    k = check_k(k, len(es))
    norm = str.upper if case_insensitive else (lambda w: w)
    vocab = vocab_map(es.tokens, case_insensitive)
    groups: dict[str, list[int]] = {}
    if case_insensitive and exclude_inputs:
        for i, t in enumerate(es.tokens):
            groups.setdefault(t.upper(), []).append(i)

    qs = []
    for q in questions:
        if len(q) != 4:
            raise InvalidParameterError(f"each question needs 4 words (a, b, c, expected), got {tuple(q)!r}")
        qs.append(tuple(str(w) for w in q))
    covered_ix, rows4, missing_of = [], [], {}
    for j, q in enumerate(qs):
        r4 = [vocab.get(norm(w)) for w in q]
        if None in r4:
            missing_of[j] = tuple(w for w, r in zip(q, r4) if r is None)
        else:
            covered_ix.append(j)
            rows4.append(r4)

    got: dict[int, tuple[int | None, int | None, tuple[int, ...]]] = {}
    if rows4:
        r = np.asarray(rows4, dtype=np.int64)
        a, b, c, e = r.T
        excl_q: list[int] = []
        excl_r: list[int] = []
        if exclude_inputs:
            for j, (ra, rb, rc, _) in enumerate(rows4):
                if groups:
                    rs = {x for w in (ra, rb, rc) for x in groups[es.tokens[w].upper()]}
                else:
                    rs = {ra, rb, rc}
                excl_q.extend([j] * len(rs))
                excl_r.extend(rs)
        eq_arr, er_arr = np.asarray(excl_q, dtype=np.int64), np.asarray(excl_r, dtype=np.int64)
        cols = np.arange(len(es))
        for sl, s in iter_analogy_scores(es.unit, a, b, c, method=method):
            lo, hi = np.searchsorted(eq_arr, [sl.start, sl.stop])
            s[eq_arr[lo:hi] - sl.start, er_arr[lo:hi]] = -np.inf
            kk = min(k, len(es) - (int(np.bincount(eq_arr[lo:hi] - sl.start).max()) if hi > lo else 0))
            idx, _ = select_top_k(s, kk, True) if kk > 0 else (np.zeros((s.shape[0], 0), np.int64), None)
            ee = e[sl]
            se = s[np.arange(s.shape[0]), ee]
            rank = 1 + np.count_nonzero(s > se[:, None], axis=1) \
                + np.count_nonzero((s == se[:, None]) & (cols[None, :] < ee[:, None]), axis=1)
            for j in range(s.shape[0]):
                ok_rank = int(rank[j]) if np.isfinite(se[j]) and rank[j] <= k else None
                got[covered_ix[sl.start + j]] = (int(idx[j, 0]) if idx.shape[1] else None, ok_rank,
                                                 tuple(int(x) for x in idx[j]))
    out_rows = []
    n_correct = 0
    for j, q in enumerate(qs):
        if j in missing_of:
            out_rows.append(FamilyRow(*q, got=None, rank=None, correct=False, missing=missing_of[j]))
            continue
        best, rank_j, cands = got[j]
        best_tok = es.tokens[best] if best is not None else None
        ok = best_tok is not None and norm(best_tok) == norm(q[3])
        n_correct += ok
        out_rows.append(FamilyRow(*q, got=best_tok, rank=rank_j, correct=ok,
                                  candidates=tuple(es.tokens[i] for i in cands)))
    covered = len(rows4)
    return FamilyResult(n_correct / covered if covered else 0.0, covered, len(missing_of), tuple(out_rows), method)


def answerable(es: EmbeddingSet, questions: Sequence[Sequence[str]]) -> list[tuple[str, str, str, str]]:
    """The questions whose four words are all in ``es`` (matched ignoring case, :meth:`EmbeddingSet.find`),
    as the set's tokens, in order: the examples a page can offer without an "unknown word" error.

    >>> es = EmbeddingSet(["athens", "greece", "paris", "france"], np.eye(4, dtype=np.float32))
    >>> answerable(es, [("Accra", "Ghana", "Athens", "Greece"), ("Athens", "Greece", "Paris", "France")])
    [('athens', 'greece', 'paris', 'france')]
    """
    out = []
    for q in questions:
        found = tuple(es.find(w) for w in q[:4])
        if len(found) == 4 and None not in found:
            out.append(found)
    return out
