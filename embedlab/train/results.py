"""What a training run reports: :class:`EpochReport` per epoch, :class:`TrainingResult` at the end.

A result's arrays are read-only, also when it comes back from the training process (pickling
drops NumPy's flags; :meth:`TrainingResult.__setstate__` sets them again).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from ..core.embeddings import EmbeddingSet
from .params import TrainParams

__all__ = ["EpochReport", "TrainingResult"]


@dataclass(frozen=True)
class EpochReport:
    """Progress after one epoch: ``loss`` is None where gensim does not report one."""

    epoch: int
    epochs: int
    loss: float | None
    seconds: float
    elapsed: float


@dataclass(frozen=True)
class TrainingResult:
    """Everything a training run produced.

    Attributes
    ----------
    embedding_set : EmbeddingSet
        The trained vectors (vocabulary in gensim's order: most frequent first), meta ``frequency``.
    watched : tuple of str
        The watched words (those in the vocabulary).
    snapshots : ndarray, shape (epochs_done + 1, n_watched, dim), float32, read-only
        Their vectors before training (row 0, gensim's random start) and after each epoch.
    neighbors : tuple
        ``neighbors[e][w]`` = tuple of (token, cosine) of watched word ``w`` at snapshot ``e``.
    losses : tuple of float or None
        Training loss of each epoch (None when not reported).
    loss_available : bool
    epoch_seconds : tuple of float
    seconds : float
        Wall time of the whole run (vocabulary + training).
    train_seconds : float
        Time inside gensim's ``train``.
    words_per_second : float
        Corpus tokens processed per second of ``train_seconds`` (raw words × epochs done).
    params : TrainParams
    corpus_name : str
    corpus_tokens : int
    stopped : bool
        True if stopped before the last epoch.
    epochs_done : int
    notes : tuple of str
        E.g. watched words that were not in the vocabulary.
    """

    embedding_set: EmbeddingSet
    watched: tuple[str, ...]
    snapshots: np.ndarray
    neighbors: tuple
    losses: tuple
    loss_available: bool
    epoch_seconds: tuple
    seconds: float
    train_seconds: float
    words_per_second: float
    params: TrainParams
    corpus_name: str
    corpus_tokens: int
    stopped: bool
    epochs_done: int
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self):
        self._freeze_arrays()

    def __setstate__(self, state: dict) -> None:
        """Restore a pickled result (from the training process); its arrays come back read-only."""
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self._freeze_arrays()

    def _freeze_arrays(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name, None)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
