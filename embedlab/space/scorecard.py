"""One report of how a set scores on the standard benchmarks (the Train page's "Evaluate" tab).

:func:`scorecard` runs the analogy file, each word-pair file and, optionally, a few planted analogy
questions, and keeps what could not be scored as a reason instead of raising: a small trained set
covers few benchmark words, and the report then says so for that benchmark alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..core.embeddings import EmbeddingSet
from ..core.errors import EmbedLabError
from ..core.validate import check_int
from ..io.gensim_data import default_analogy_file, default_pair_files
from .evaluation import evaluate_analogies, evaluate_word_pairs
from .families import run_family

__all__ = ["AnalogyScore", "PairScore", "PlantedAnswer", "Scorecard", "scorecard"]


@dataclass(frozen=True)
class AnalogyScore:
    """Accuracy on an analogy file: ``correct`` of ``total`` answered; ``skipped`` had unknown words."""

    file: str
    accuracy: float
    correct: int
    total: int
    skipped: int

    @property
    def coverage(self) -> float:
        """Share of the file's questions that could be answered (0.0 for an empty file)."""
        n = self.total + self.skipped
        return self.total / n if n else 0.0


@dataclass(frozen=True)
class PairScore:
    """Correlation with human similarity scores on a word-pair file; ``error`` instead when it
    could not be scored (then the numbers are 0)."""

    file: str
    spearman: float = 0.0
    pearson: float = 0.0
    used: int = 0
    skipped: int = 0
    error: str | None = None

    @property
    def coverage(self) -> float:
        """Share of the file's pairs with both words known (0.0 when nothing was read)."""
        n = self.used + self.skipped
        return self.used / n if n else 0.0


@dataclass(frozen=True)
class PlantedAnswer:
    """One planted question ``a : b :: c : ?``, its expected word, the set's best answer (``None``
    if a word is unknown) and the 1-based rank of the expected word (``None`` beyond ``k``)."""

    question: str
    expected: str
    best: str | None
    rank: int | None


@dataclass(frozen=True)
class Scorecard:
    """What :func:`scorecard` found. ``analogies`` is None when the analogy file could not be
    scored; ``analogies_error`` then says why."""

    analogies: AnalogyScore | None
    analogies_error: str | None
    pairs: tuple[PairScore, ...]
    planted: tuple[PlantedAnswer, ...] = ()


def scorecard(es: EmbeddingSet, *, planted: Sequence[Sequence[str]] | None = None, k: int = 5,
              analogy_file: str | Path | None = None,
              pair_files: Sequence[str | Path] | None = None) -> Scorecard:
    """Score ``es`` on an analogy file, word-pair files and planted analogy questions.

    Parameters
    ----------
    es : EmbeddingSet
    planted : sequence of (a, b, c, expected), optional
        Questions whose answer is known to be in the training text (the toy corpus' royalty).
    k : int
        Rank up to which the expected word of a planted question is looked for.
    analogy_file : str or Path, optional
        questions-words format; default gensim's ``questions-words.txt``.
    pair_files : sequence of str or Path, optional
        Default gensim's ``wordsim353.tsv`` and ``simlex999.txt``.

    Returns
    -------
    Scorecard
        A benchmark that cannot be scored (too few words covered, a malformed file) carries the
        error's message; the others are still scored.

    Raises
    ------
    InvalidParameterError
        ``k`` is not a whole number >= 1.

    Examples
    --------
    >>> import numpy as np
    >>> es = EmbeddingSet(["a", "b", "c", "d"], np.eye(4, dtype=np.float32))
    >>> card = scorecard(es, planted=[("a", "b", "c", "zz")], pair_files=[])
    >>> card.planted[0].best is None, card.pairs
    (True, ())
    """
    k = check_int(k, "k", minimum=1)
    try:
        a = evaluate_analogies(es, analogy_file if analogy_file is not None else default_analogy_file())
        analogies, analogies_error = AnalogyScore(Path(a.path).name, a.accuracy, a.correct, a.total, a.skipped), None
    except EmbedLabError as exc:
        analogies, analogies_error = None, str(exc)
    pairs = []
    for path in (default_pair_files() if pair_files is None else pair_files):
        name = Path(path).name
        try:
            r = evaluate_word_pairs(es, path)
            pairs.append(PairScore(name, r.spearman, r.pearson, r.pairs_used, r.pairs_skipped))
        except EmbedLabError as exc:
            pairs.append(PairScore(name, error=str(exc)))
    answers: tuple[PlantedAnswer, ...] = ()
    if planted:
        fam = run_family(es, planted, k=k)
        answers = tuple(PlantedAnswer(f"{r.a} : {r.b} :: {r.c} : ?", r.expected, r.got, r.rank) for r in fam.rows)
    return Scorecard(analogies, analogies_error, tuple(pairs), answers)
