"""Train word2vec or fastText on a corpus, watching words move epoch by epoch.

:func:`train` runs gensim ``Word2Vec`` or ``FastText`` exactly as gensim's own constructor does
(``build_vocab`` then one ``train`` call over all epochs, with gensim's learning-rate schedule), and
hooks in a gensim callback (:mod:`embedlab.train.recorder`) that after every epoch

* copies the vectors of the *watched* words (a few dozen rows; the first copy is taken before
  training, so the random initial vectors are snapshot 0),
* finds their nearest neighbours in the whole vocabulary (one matrix product),
* reads the epoch's training loss (Word2Vec with ``compute_loss``; gensim's FastText does not
  report a loss, so it is ``None`` and :attr:`TrainingResult.loss_available` is False),
* calls ``progress(EpochReport)`` and checks the ``stop`` event.

A stopped run keeps every finished epoch and says so (:attr:`TrainingResult.stopped`).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import TrainingError
from ..core.validate import check_int, invalid
from ..io.builtin_corpora import TOY_WATCH_WORDS
from ..io.corpus import Corpus
from .params import TrainParams
from .recorder import _Recorder, _Stop
from .results import EpochReport, TrainingResult

logger = logging.getLogger(__name__)

__all__ = ["train", "default_watch_words", "corpus_too_small", "poor_vectors_hint", "MIN_TRAIN_TOKENS", "MIN_VOCAB", "MAX_WATCH", "NEIGHBOURS_PER_EPOCH"]

MIN_TRAIN_TOKENS = 50          #: a corpus with fewer tokens is too small to train
MIN_VOCAB = 5                  #: fewer distinct words (after min_count) is too small to train


def corpus_too_small(n_tokens: int, types_kept: int, *, min_count: int) -> str | None:
    """Why a corpus of ``n_tokens`` tokens with ``types_kept`` words seen ``min_count`` times or more
    cannot be trained (the checks :func:`train` makes), or None if it can.

    >>> corpus_too_small(38, 20, min_count=2)
    'The corpus has only 38 tokens; training needs at least 50: add more text.'
    >>> corpus_too_small(5000, 800, min_count=2) is None
    True
    """
    if n_tokens < MIN_TRAIN_TOKENS:
        return f"The corpus has only {n_tokens:,} tokens; training needs at least {MIN_TRAIN_TOKENS}: add more text."
    if types_kept < MIN_VOCAB:
        return (f"Only {types_kept} distinct words occur at least min_count={min_count} times; training needs at "
                f"least {MIN_VOCAB}: lower min_count or add text.")
    return None


def poor_vectors_hint(es, *, n_tokens: int, sample: int = 400, seed: int = 0) -> str | None:
    """A hint when a trained set's vectors are all alike: the 5th percentile of the cosine of random
    word pairs is 0.6 or more (e.g. word2vec on the 60k-word Lee corpus: about 0.9), else None."""
    from ..core.linalg import unit_rows

    n = len(es)
    if n < 3:
        return None
    rng = np.random.default_rng(seed)
    rows = rng.choice(n, size=min(sample, n), replace=False)
    u = unit_rows(np.asarray(es.vectors[rows], dtype=np.float32))
    cos = (u @ u.T)[np.triu_indices(len(rows), k=1)]
    low = float(np.percentile(cos, 5))
    if low < 0.6:
        return None
    return (f"These vectors are all alike: 95% of random word pairs have a cosine of {low:.2f} or more, so "
            f"neighbours and analogies mean little. {n_tokens:,} running words is small for word2vec (useful "
            "vectors need millions; the MiniLM table was learned from billions). What helps: more text, more "
            "epochs (30–50 on a small corpus), a smaller vector size (20–50), skip-gram, or a higher min_count.")
MAX_WATCH = 40                 #: most watched words
NEIGHBOURS_PER_EPOCH = 5       #: nearest neighbours recorded for each watched word at each epoch


def default_watch_words(counts, *, n: int = 12) -> list[str]:
    """The toy corpus's planted words if present, else the ``n`` most frequent words that are not
    stop words (gensim's list) and have at least three letters.

    Parameters
    ----------
    counts : mapping of token to count, or sequence of tokens most frequent first
    """
    if hasattr(counts, "items"):
        ordered = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    else:
        ordered = list(counts)
    present = set(ordered)
    if all(w in present for w in TOY_WATCH_WORDS):
        return list(TOY_WATCH_WORDS)[:n]
    from gensim.parsing.preprocessing import STOPWORDS

    picked = [w for w in ordered if len(w) >= 3 and w.isalpha() and w.lower() not in STOPWORDS]
    return picked[:n]


def train(corpus: Corpus, params: TrainParams | None = None, *, watch: Sequence[str] | None = None,
          progress: Callable[[EpochReport], None] | None = None, stop: threading.Event | None = None,
          name: str | None = None, neighbors_k: int = NEIGHBOURS_PER_EPOCH) -> TrainingResult:
    """Train word vectors on ``corpus``.

    Parameters
    ----------
    corpus : Corpus
    params : TrainParams, optional
    watch : sequence of str, optional
        Words to snapshot after each epoch (default :func:`default_watch_words`); words not in
        the trained vocabulary are left out and named in ``notes``.
    progress : callable, optional
        Called with an :class:`EpochReport` after each epoch (from the training thread).
    stop : threading.Event, optional
        When set, training ends after the current epoch (at least one epoch always runs).
    name : str, optional
        Name of the trained set (default ``"<corpus>-<model>-<dim>d"``).
    neighbors_k : int
        Neighbours recorded per watched word and epoch.

    Returns
    -------
    TrainingResult

    Raises
    ------
    TrainingError
        The corpus is too small (fewer than :data:`MIN_TRAIN_TOKENS` tokens, or fewer than
        :data:`MIN_VOCAB` words left after ``min_count``).
    InvalidParameterError
        Bad settings.
    """
    params = params or TrainParams()
    if not isinstance(params, TrainParams):
        raise invalid("params", params, "a TrainParams")
    neighbors_k = check_int(neighbors_k, "neighbors_k", minimum=0)
    if not isinstance(corpus, Corpus):
        raise TrainingError(f"expected a Corpus, got {type(corpus).__name__}")
    n_tokens = corpus.n_tokens
    if n_tokens < MIN_TRAIN_TOKENS:
        raise TrainingError(f"the corpus {corpus.name!r} has only {n_tokens} tokens; training needs at least "
                            f"{MIN_TRAIN_TOKENS} (add more text)")
    t_start = time.perf_counter()
    from gensim.models import FastText, Word2Vec

    cls = FastText if params.model == "fasttext" else Word2Vec
    model = cls(**params.gensim_kwargs())
    model.build_vocab(corpus.sentences)
    vocab = model.wv.key_to_index
    if len(vocab) < MIN_VOCAB:
        raise TrainingError(f"only {len(vocab)} distinct words occur at least min_count={params.min_count} times "
                            f"in {corpus.name!r}; training needs at least {MIN_VOCAB}: lower min_count or add text")
    notes = []
    # gensim's vocabulary is sorted by frequency: no second counting pass over the corpus
    wanted = list(dict.fromkeys(watch if watch is not None else default_watch_words(model.wv.index_to_key)))
    if len(wanted) > MAX_WATCH:
        notes.append(f"watching the first {MAX_WATCH} of {len(wanted)} words")
        wanted = wanted[:MAX_WATCH]
    missing = [w for w in wanted if w not in vocab]
    if missing:
        notes.append(f"not in the trained vocabulary, so not watched: {', '.join(missing[:10])}"
                     + (" …" if len(missing) > 10 else ""))
    watched = tuple(w for w in wanted if w in vocab)
    rows = np.array([vocab[w] for w in watched], dtype=np.int64)
    compute_loss = params.model == "word2vec"
    rec = _Recorder(model, rows, params, neighbors_k, progress, stop)
    stopped = False
    t_train = time.perf_counter()
    try:
        model.train(corpus.sentences, total_examples=model.corpus_count, epochs=model.epochs,
                    compute_loss=compute_loss, callbacks=[rec.cb])
    except _Stop:
        stopped = True
        logger.info("training stopped after epoch %d of %d", rec.epoch, params.epochs)
    train_seconds = time.perf_counter() - t_train
    vectors = rec.final_vectors()
    keys = list(model.wv.index_to_key)
    freq = [int(model.wv.get_vecattr(k, "count")) for k in keys]
    set_name = name or f"{corpus.name}-{params.model}-{params.vector_size}d"
    origin = f"trained on {corpus.name} ({n_tokens:,} tokens): {params.describe()}" + (
        f"; stopped after {rec.epoch} epochs" if stopped else "")
    es = EmbeddingSet(keys, vectors, name=set_name, origin=origin, meta={"frequency": freq}, copy=False)
    snaps = np.stack(rec.snapshots) if len(watched) else np.zeros((rec.epoch + 1, 0, params.vector_size),
                                                                    dtype=np.float32)
    snaps.flags.writeable = False
    seconds = time.perf_counter() - t_start
    return TrainingResult(
        embedding_set=es, watched=watched, snapshots=snaps, neighbors=tuple(rec.neighbors),
        losses=tuple(rec.losses), loss_available=compute_loss, epoch_seconds=tuple(rec.epoch_seconds),
        seconds=seconds, train_seconds=train_seconds,
        words_per_second=n_tokens * rec.epoch / train_seconds if train_seconds > 0 else 0.0,
        params=params, corpus_name=corpus.name, corpus_tokens=n_tokens, stopped=stopped,
        epochs_done=rec.epoch, notes=tuple(notes))
