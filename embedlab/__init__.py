"""EmbedLab: make embedding spaces visible.

The backend package: importable and testable without Streamlit.

>>> import embedlab
>>> es = embedlab.load("minilm-words")   # doctest: +SKIP
>>> es.neighbors("king", 3)               # doctest: +SKIP
"""
from __future__ import annotations

from .core.embeddings import EmbeddingSet, Neighbor
from .core.errors import (CorpusError, DuplicateTokenWarning, EmbedLabError, EmbeddingFormatError,
                          EvaluationDataError, InvalidParameterError, ModelPackageMissingError, TrainingError,
                          UnknownSetError, UnknownTokenError, WorkerDied, WorkerError, WorkspaceError, LessonDataError,
                          LabelledDataError, BasketDataError, LessonFileError, PuzzleError, CompareError)
from .core.linalg import unit_rows
from .io.sources import BUILTIN_SETS, DEFAULT_SET, load

__version__ = "0.1.0"

__all__ = [
    "EmbeddingSet", "Neighbor", "unit_rows", "load", "BUILTIN_SETS", "DEFAULT_SET",
    "EmbedLabError", "EmbeddingFormatError", "UnknownTokenError", "UnknownSetError",
    "ModelPackageMissingError", "InvalidParameterError", "CorpusError", "TrainingError",
    "EvaluationDataError", "WorkspaceError", "WorkerError", "WorkerDied", "DuplicateTokenWarning",
    "LessonDataError", "LabelledDataError", "BasketDataError", "LessonFileError", "PuzzleError", "CompareError",
    "encode_sentences",
]


def __getattr__(name: str):
    # heavy parts are imported only when used, so the CLI and the app start fast
    if name == "encode_sentences":
        from .encoder.model import encode_sentences

        return encode_sentences
    raise AttributeError(f"module 'embedlab' has no attribute {name!r}")
