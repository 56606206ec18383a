"""Standard benchmarks: word analogies (Google's questions-words) and word-pair similarity.

The rules follow gensim's ``KeyedVectors.evaluate_word_analogies`` and
``evaluate_word_pairs`` so that both give the same numbers on the same vectors:

* only the first ``restrict_vocab`` rows are used, both as the vocabulary and as candidate answers;
* with ``case_insensitive`` every word is upper-cased and, of several case variants of one
  word, the first row wins;
* a question (or pair) with a word outside that vocabulary is skipped and counted, not scored;
* an analogy is answered by 3CosAdd (or 3CosMul) over the candidates, leaving out the three
  question words: gensim looks at the five best answers and takes the first that is not a case
  variant of a question word;
* overall accuracy is correct / answered over all sections (gensim's "Total accuracy"); a
  section with no answered question has accuracy 0.0, as in gensim.

Unlike gensim, a malformed line raises :class:`EvaluationDataError` naming the line instead of
being skipped silently (blank lines, ``#`` comments in pair files and one header line in a pair
file are allowed). Questions are answered as batched matrix products, so the 19,544 Google
questions take seconds.

The default data are the files that ship with gensim (never copied into this repository):
``questions-words.txt``, ``wordsim353.tsv`` and ``simlex999.txt``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import EvaluationDataError
from ..core.validate import check_int
from ..io.gensim_data import analogy_sections, default_analogy_file, default_pair_files, read_lines
from .analogy import check_method, iter_analogy_scores

logger = logging.getLogger(__name__)

__all__ = ["evaluate_analogies", "evaluate_word_pairs", "vocab_map", "AnalogyResult", "SectionResult",
           "PairResult", "GENSIM_ANALOGY_TOPN"]

GENSIM_ANALOGY_TOPN = 5  # gensim looks at this many answers for one that is not a question word
# -- vocabulary rules ----------------------------------------------------------------------------
def vocab_map(tokens: Sequence[str], case_insensitive: bool) -> dict[str, int]:
    """Key -> first row with that key (upper-cased keys if case_insensitive)."""
    if not case_insensitive:
        return {t: i for i, t in enumerate(tokens)}
    out: dict[str, int] = {}
    for i, t in enumerate(tokens):
        out.setdefault(t.upper(), i)
    return out


# -- analogies -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionResult:
    """Accuracy on one section: ``correct`` of ``total`` answered questions; ``skipped`` had OOV words."""

    correct: int
    total: int
    accuracy: float
    skipped: int = 0


@dataclass(frozen=True)
class AnalogyResult:
    """Accuracy on an analogy file.

    ``accuracy = correct / total`` over all answered questions (0.0 if none); ``skipped``
    questions had a word outside the vocabulary and are not in ``total``.
    """

    accuracy: float
    correct: int
    total: int
    skipped: int
    sections: dict[str, SectionResult] = field(default_factory=dict)
    method: str = "3cosadd"
    path: str = ""


def _best_answers(unit: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray, *, method: str,
                  keys: Sequence[str], ignore: list[set[str]], topn: int) -> np.ndarray:
    """gensim's answer to each question: among the ``topn`` best rows (question rows left out),
    the first whose key is not a question word's key; if none is, the last of them
    (-1 when there is no candidate at all).

    The usual case (the best row is not a case variant of a question word) needs one argmax;
    only rows that hit a case variant look further.
    """
    n = unit.shape[0]
    out = np.empty(len(a), dtype=np.int64)
    for sl, s in iter_analogy_scores(unit, a, b, c, method=method):
        r = np.arange(s.shape[0])
        s[r, a[sl]] = -np.inf
        s[r, b[sl]] = -np.inf
        s[r, c[sl]] = -np.inf
        best = s.argmax(axis=1)
        for j in range(s.shape[0]):
            q = sl.start + j
            cand = int(best[j])
            if not np.isfinite(s[j, cand]):  # every candidate is a question word: no answer
                out[q] = -1
                continue
            for _ in range(min(topn, n) - 1):
                if keys[cand] not in ignore[q]:
                    break
                s[j, cand] = -np.inf
                nxt = int(s[j].argmax())
                if not np.isfinite(s[j, nxt]):
                    break
                cand = nxt
            out[q] = cand
    return out


def evaluate_analogies(es: EmbeddingSet, path: str | Path | None = None, *, method: str = "3cosadd",
                       restrict_vocab: int = 300000, case_insensitive: bool = True) -> AnalogyResult:
    """Accuracy on an analogy file, as gensim ``KeyedVectors.evaluate_word_analogies`` computes it.

    Parameters
    ----------
    es : EmbeddingSet
    path : str or Path, optional
        questions-words format; default gensim's ``questions-words.txt``.
    method : {"3cosadd", "3cosmul"}
        gensim always uses 3cosadd; 3cosmul applies the same rules with the other score.
    restrict_vocab : int
        Use only the first rows (vocabulary and candidate answers).
    case_insensitive : bool
        Compare words upper-cased; the first of several case variants is used.

    Returns
    -------
    AnalogyResult
        Overall and per-section accuracy; questions with unknown words counted in ``skipped``.

    Raises
    ------
    EvaluationDataError
        The file is malformed (the message names the line).
    InvalidParameterError
        Unknown method or bad ``restrict_vocab``.
    """
    method = check_method(method)
    n = min(check_int(restrict_vocab, "restrict_vocab", minimum=1), len(es))
    file = Path(path) if path is not None else default_analogy_file()
    sections = analogy_sections(file)
    tokens = es.tokens[:n]
    vocab = vocab_map(tokens, case_insensitive)
    norm = str.upper if case_insensitive else (lambda w: w)
    keys = [norm(t) for t in tokens]

    rows, expected, ignore, sec_of = [], [], [], []
    skipped = {name: 0 for name in sections}
    for s_id, (name, questions) in enumerate(sections.items()):
        for q in questions:
            k4 = [norm(w) for w in q]
            r4 = [vocab.get(w) for w in k4]
            if None in r4:
                skipped[name] += 1
                continue
            rows.append(r4[:3])
            expected.append(k4[3])
            ignore.append(set(k4[:3]))
            sec_of.append(s_id)
    correct_flags = np.zeros(len(rows), dtype=bool)
    if rows:
        r = np.asarray(rows, dtype=np.int64)
        answers = _best_answers(es.unit[:n], r[:, 0], r[:, 1], r[:, 2], method=method, keys=keys,
                                ignore=ignore, topn=GENSIM_ANALOGY_TOPN)
        correct_flags = np.array([i >= 0 and keys[i] == e for i, e in zip(answers, expected)], dtype=bool)
    sec_arr = np.asarray(sec_of, dtype=np.int64)
    results: dict[str, SectionResult] = {}
    for s_id, name in enumerate(sections):
        mask = sec_arr == s_id
        tot, cor = int(mask.sum()), int(correct_flags[mask].sum())
        results[name] = SectionResult(cor, tot, cor / tot if tot else 0.0, skipped[name])
    total, correct = len(rows), int(correct_flags.sum())
    n_skipped = sum(skipped.values())
    logger.info("analogies %s (%s): %d/%d correct, %d skipped (OOV)", file.name, method, correct, total, n_skipped)
    return AnalogyResult(correct / total if total else 0.0, correct, total, n_skipped, results, method, str(file))


# -- word pairs ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PairResult:
    """Agreement with human similarity judgements on a word-pair file.

    ``oov_ratio`` is a fraction (0..1) of the pairs with an unknown word; gensim reports the same
    number as a percentage (see :attr:`oov_percent`).
    """

    spearman: float
    pearson: float
    pairs_used: int
    pairs_skipped: int
    oov_ratio: float
    path: str = ""

    @property
    def oov_percent(self) -> float:
        return 100.0 * self.oov_ratio


def _read_pairs(path: Path, delimiter: str | None) -> list[tuple[int, str, str, float]]:
    out = []
    seen_data = False
    for no, line in read_lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(delimiter)
        shown = "any whitespace" if delimiter is None else repr(delimiter)
        if len(parts) != 3:
            raise EvaluationDataError(
                f"expected 3 fields (word, word, score) separated by {shown}, found {len(parts)}: "
                f"{line.strip()[:80]!r}", line=no, path=str(path))
        a, b, score = (p.strip() for p in parts)
        try:
            value = float(score)
        except ValueError:
            value = None
        if value is None or not np.isfinite(value):
            if not seen_data and value is None:  # one header line ("word1  word2  score") is allowed
                seen_data = True
                continue
            raise EvaluationDataError(f"the score {score!r} is not a finite number", line=no, path=str(path))
        if not a or not b:
            raise EvaluationDataError("an empty word", line=no, path=str(path))
        seen_data = True
        out.append((no, a, b, value))
    return out


def evaluate_word_pairs(es: EmbeddingSet, path: str | Path | None = None, *, delimiter: str | None = "\t",
                        case_insensitive: bool = True, restrict_vocab: int = 300000) -> PairResult:
    """Spearman and Pearson correlation of cosine similarity with human scores.

    Mirrors gensim ``KeyedVectors.evaluate_word_pairs``: pairs with a word outside the first
    ``restrict_vocab`` rows are skipped and counted.

    Parameters
    ----------
    es : EmbeddingSet
    path : str or Path, optional
        Lines ``word1<delimiter>word2<delimiter>score``; ``#`` comment lines and one header line
        are allowed. Default: gensim's ``wordsim353.tsv``.
    delimiter : str or None
        Field separator; None splits on any whitespace.
    case_insensitive : bool
    restrict_vocab : int

    Returns
    -------
    PairResult

    Raises
    ------
    EvaluationDataError
        Malformed line (named), or fewer than two pairs with both words known.
    """
    n = min(check_int(restrict_vocab, "restrict_vocab", minimum=1), len(es))
    file = Path(path) if path is not None else default_pair_files()[0]
    pairs = _read_pairs(file, delimiter)
    vocab = vocab_map(es.tokens[:n], case_insensitive)
    norm = str.upper if case_insensitive else (lambda w: w)
    ra, rb, gold = [], [], []
    skipped = 0
    for _, a, b, value in pairs:
        ia, ib = vocab.get(norm(a)), vocab.get(norm(b))
        if ia is None or ib is None:
            skipped += 1
            continue
        ra.append(ia)
        rb.append(ib)
        gold.append(value)
    if len(gold) < 2:
        raise EvaluationDataError(
            f"only {len(gold)} of {len(pairs)} pairs have both words in {es.name!r}; "
            "a correlation needs at least 2", path=str(file))
    from scipy import stats

    u = es.unit
    model = np.einsum("ij,ij->i", u[ra], u[rb])
    spearman = float(stats.spearmanr(gold, model)[0])
    pearson = float(stats.pearsonr(gold, model)[0])
    logger.info("word pairs %s: spearman %.4f, pearson %.4f, %d used, %d skipped",
                file.name, spearman, pearson, len(gold), skipped)
    return PairResult(spearman, pearson, len(gold), skipped, skipped / (len(gold) + skipped), str(file))
