"""The gensim callback of a training run: snapshots, neighbours, loss, progress and stop after each epoch.

gensim has no official way to stop training early. Raising from ``on_epoch_end`` is safe: gensim
calls it after the epoch's worker threads have finished, so the vectors hold complete epochs; the
exception (:class:`_Stop`) leaves ``train`` and only gensim's end-of-training clean-up is skipped
(for FastText that is ``adjust_vectors``, which :func:`embedlab.train.run.train` then does itself
through :meth:`_Recorder.final_vectors`).
"""
from __future__ import annotations

import threading
import time
from typing import Callable

import numpy as np

from ..core.linalg import unit_rows
from .params import TrainParams
from .results import EpochReport

__all__ = ["_Recorder", "_Stop"]


class _Stop(Exception):
    """Raised from the gensim callback to end training after a finished epoch."""


class _Recorder:
    """gensim callback: snapshots, neighbours, loss, progress and stop after each epoch."""

    def __init__(self, model, rows: np.ndarray, params: TrainParams, k: int,
                 progress: Callable[[EpochReport], None] | None, stop: threading.Event | None):
        from gensim.models.callbacks import CallbackAny2Vec

        self.epoch = 0
        self.model = model
        self.rows = rows
        self.params = params
        self.k = k
        self.progress = progress
        self.stop = stop
        self.snapshots: list[np.ndarray] = []
        self.neighbors: list[tuple] = []
        self.losses: list[float | None] = []
        self.epoch_seconds: list[float] = []
        self._last_loss = 0.0
        self._is_ft = params.model == "fasttext"
        self._ft_matrix = None
        self.t0 = self._t_epoch = 0.0
        # gensim calls only these hooks; subclassing at run time keeps the gensim import lazy
        self.cb = type("EmbedLabRecorder", (CallbackAny2Vec,), {
            "on_train_begin": lambda _s, m: self.begin(),
            "on_epoch_end": lambda _s, m: self.epoch_end(),
        })()

    # composite fastText word vectors (vectors_vocab + mean of n-gram vectors), as adjust_vectors
    def _ft_all(self) -> np.ndarray:
        wv = self.model.wv
        if wv.bucket == 0:
            return np.array(wv.vectors_vocab, dtype=np.float32)
        if self._ft_matrix is None:
            from scipy import sparse

            lens = np.array([len(b) for b in wv.buckets_word], dtype=np.int64)
            cols = np.concatenate([np.asarray(b, dtype=np.int64) for b in wv.buckets_word]) if lens.sum() else \
                np.zeros(0, dtype=np.int64)
            rows = np.repeat(np.arange(len(lens)), lens)
            self._ft_matrix = (sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)),
                                                 shape=(len(lens), wv.vectors_ngrams.shape[0])), lens)
        mat, lens = self._ft_matrix
        out = np.asarray(wv.vectors_vocab, dtype=np.float32) + mat @ wv.vectors_ngrams
        return (out / (lens + 1)[:, None]).astype(np.float32, copy=False)

    def final_vectors(self) -> np.ndarray:
        """The trained vectors, ``(n_vocab, dim) float32`` (fastText: composed with their n-grams)."""
        return self._ft_all() if self._is_ft else np.array(self.model.wv.vectors, dtype=np.float32)

    def _all_vectors(self) -> np.ndarray:
        return self._ft_all() if self._is_ft else self.model.wv.vectors

    def _record(self) -> None:
        if not len(self.rows):
            self.snapshots.append(np.zeros((0, self.params.vector_size), dtype=np.float32))
            self.neighbors.append(())
            return
        allv = self._all_vectors()
        watched = np.array(allv[self.rows], dtype=np.float32)
        self.snapshots.append(watched)
        k = min(self.k, len(allv) - 1)
        if k < 1 or not len(self.rows):
            self.neighbors.append(tuple(() for _ in self.rows))
            return
        sims = unit_rows(allv) @ unit_rows(watched).T            # (V, n_watched)
        sims[self.rows, np.arange(len(self.rows))] = -np.inf
        top = np.argpartition(-sims, k, axis=0)[:k] if k < len(allv) else np.tile(
            np.arange(len(allv))[:, None], (1, len(self.rows)))
        keys = self.model.wv.index_to_key
        rec = []
        for j in range(len(self.rows)):
            cand = top[:, j]
            order = cand[np.argsort(-sims[cand, j], kind="stable")][:k]
            rec.append(tuple((keys[i], float(sims[i, j])) for i in order))
        self.neighbors.append(tuple(rec))

    def begin(self) -> None:
        self._record()
        self.t0 = self._t_epoch = time.perf_counter()

    def epoch_end(self) -> None:
        now = time.perf_counter()
        self.epoch += 1
        if self.model.compute_loss:
            total = float(self.model.get_latest_training_loss())
            loss, self._last_loss = total - self._last_loss, total
        else:
            loss = None
        self.losses.append(loss)
        self._record()
        self.epoch_seconds.append(now - self._t_epoch)
        if self.progress is not None:
            self.progress(EpochReport(self.epoch, self.params.epochs, loss, now - self._t_epoch, now - self.t0))
        self._t_epoch = time.perf_counter()
        if self.stop is not None and self.stop.is_set() and self.epoch < self.params.epochs:
            raise _Stop()
