"""Train word2vec or fastText on a corpus, watching words move epoch by epoch (the public names).

The parts live in modules by concern: :mod:`~embedlab.train.params` (:class:`TrainParams`),
:mod:`~embedlab.train.results` (:class:`EpochReport`, :class:`TrainingResult`),
:mod:`~embedlab.train.recorder` (the per-epoch gensim callback), :mod:`~embedlab.train.run`
(:func:`train`, the gensim run) and :mod:`~embedlab.train.job` (:class:`TrainingJob`, training in a
spawned process polled by a page). Import from here or from those modules.

>>> from embedlab.io.builtin_corpora import toy_corpus
>>> train(toy_corpus(300), TrainParams(epochs=1, min_count=1)).epochs_done
1
"""
from __future__ import annotations

from .job import MAX_CONCURRENT_TRAININGS, TrainingJob
from .params import MODELS, TrainParams
from .results import EpochReport, TrainingResult
from .run import (MAX_WATCH, MIN_TRAIN_TOKENS, MIN_VOCAB, NEIGHBOURS_PER_EPOCH, corpus_too_small,
                  default_watch_words, poor_vectors_hint, train)

__all__ = ["TrainParams", "EpochReport", "TrainingResult", "TrainingJob", "train", "default_watch_words",
           "corpus_too_small", "poor_vectors_hint",
           "MODELS", "MIN_TRAIN_TOKENS", "MIN_VOCAB", "MAX_WATCH", "NEIGHBOURS_PER_EPOCH",
           "MAX_CONCURRENT_TRAININGS"]
