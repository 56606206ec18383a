"""Exception types raised by embedlab.

Every error a user can cause is an :class:`EmbedLabError`; the app catches only
this base class and shows its message. Library callers can catch the specific
subclass.
"""
from __future__ import annotations

from typing import Iterable, Sequence

__all__ = [
    "EmbedLabError",
    "EmbeddingFormatError",
    "UnknownTokenError",
    "UnknownSetError",
    "ModelPackageMissingError",
    "InvalidParameterError",
    "CorpusError",
    "TrainingError",
    "EvaluationDataError",
    "WorkspaceError",
    "WorkerError",
    "WorkerDied",
    "DuplicateTokenWarning",
    "LessonDataError",
    "LabelledDataError",
    "BasketDataError",
    "LessonFileError",
    "PuzzleError",
    "CompareError",
]


class EmbedLabError(Exception):
    """Base class of every error embedlab raises on purpose."""


class EmbeddingFormatError(EmbedLabError, ValueError):
    """A vector file could not be read; the message names the line and the problem.

    Parameters
    ----------
    message : str
        What is wrong.
    line : int, optional
        1-based line number (or record number for binary formats) where it went wrong.
    path : str, optional
        The file name, for the message.
    """

    def __init__(self, message: str, *, line: int | None = None, path: str | None = None):
        self.line = line
        self.path = path
        where = []
        if path:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)


MAX_SUGGESTED = 5   # missing words that get close matches in one error


class UnknownTokenError(EmbedLabError, KeyError):
    """One or more tokens are not in the vocabulary.

    Attributes
    ----------
    tokens : tuple of str
        The missing tokens.
    suggestions : dict
        For each missing token, a list of close matches from the vocabulary.
    """

    def __init__(self, tokens: Sequence[str], suggestions: dict[str, list[str]] | None = None,
                 *, set_name: str | None = None):
        self.tokens = tuple(tokens)
        self.suggestions = dict(suggestions or {})
        parts = []
        for t in self.tokens:
            close = self.suggestions.get(t) or []
            hint = f" (did you mean: {', '.join(close)}?)" if close else ""
            parts.append(f"{t!r}{hint}")
        where = f" in {set_name!r}" if set_name else ""
        noun = "token" if len(self.tokens) == 1 else "tokens"
        self.message = f"unknown {noun}{where}: " + "; ".join(parts)
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return self.message

    @classmethod
    def for_tokens(cls, missing: Iterable[str], vocabulary, *,
                   set_name: str | None = None, n: int = 3) -> "UnknownTokenError":
        """Build the error with close matches from ``vocabulary`` (a sequence of tokens, or a
        :class:`~embedlab.core.suggest.CloseMatches` built once for it): tokens equal to the word
        ignoring case first, then the closest case-folded tokens (so "King" in a lower-case
        vocabulary suggests "king" first, not "ing").

        >>> str(UnknownTokenError.for_tokens(["Kingg"], ["king", "ing", "wing", "kings"]))
        "unknown token: 'Kingg' (did you mean: king, kings, ing?)"
        """
        from .suggest import CloseMatches
        matcher = vocabulary if isinstance(vocabulary, CloseMatches) else CloseMatches(vocabulary)
        missing = list(missing)
        # close matches for the first few only: the message names every missing word, but a pasted
        # list of hundreds of unknown words must not cost hundreds of searches
        sugg = {t: matcher.suggest(t if isinstance(t, str) else str(t), n) for t in missing[:MAX_SUGGESTED]}
        return cls(missing, sugg, set_name=set_name)


class UnknownSetError(EmbedLabError, KeyError):
    """A built-in set name that does not exist (and is not a file either)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown set"


class ModelPackageMissingError(EmbedLabError, ImportError):
    """The package that ships the default model is not installed."""


class InvalidParameterError(EmbedLabError, ValueError):
    """A parameter value is out of range; the message names it and what is allowed."""


class CorpusError(EmbedLabError, ValueError):
    """An uploaded or given corpus cannot be used (empty, binary, too large, unsafe zip...)."""


class TrainingError(EmbedLabError, RuntimeError):
    """Training could not run or was given unusable settings."""


class EvaluationDataError(EmbeddingFormatError):
    """An analogy or word-pair file could not be read; the message names the line and the problem."""


class WorkspaceError(EmbedLabError):
    """A saved set in the workspace folder is missing, unreadable, or cannot be written."""


class WorkerError(EmbedLabError, RuntimeError):
    """The separate process that runs long computations (UMAP, t-SNE) stopped or could not start."""


class WorkerDied(WorkerError):
    """The worker process died (killed, out of memory) while it was running this very request.

    Only that request gets this error; the pool is rebuilt and the next request runs normally.
    """


class DuplicateTokenWarning(UserWarning):
    """A file repeats tokens; the first occurrence of each was kept and the other rows dropped."""


class LessonDataError(CorpusError):
    """An uploaded lesson table cannot be used; the message names the file and, if known, the row.

    Attributes
    ----------
    row : int or None
        1-based line of the file where the problem is (None for a problem with the whole file).
    """

    def __init__(self, message: str, *, name: str | None = "the file", row: int | None = None):
        self.row = row
        where = "" if name is None else (f"{name}, row {row}: " if row is not None else f"{name}: ")
        super().__init__(where + message)


class LabelledDataError(LessonDataError):
    """A labelled CSV cannot be used (missing column, empty text or label in a row, one class only ...)."""


class BasketDataError(LessonDataError):
    """A basket CSV cannot be used (a row without an item, a basket too large, too few baskets ...)."""


class LessonFileError(EmbedLabError, ValueError):
    """A guided-lesson file (YAML or JSON) cannot be used; the message names the step (number and
    title) and the field, e.g. ``step 3 ('Analogies'): page 'Analogy' is not a page; pages: ...``."""


class PuzzleError(EmbedLabError, ValueError):
    """A set cannot make a fair game puzzle (too few common words, no solvable puzzle found)."""


class CompareError(EmbedLabError, ValueError):
    """Two sets cannot be compared (too few shared words, a vector with no direction)."""
