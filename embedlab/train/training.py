"""Train word2vec or fastText on a corpus, watching words move epoch by epoch.

:func:`train` runs gensim ``Word2Vec`` or ``FastText`` exactly as gensim's own constructor does
(``build_vocab`` then one ``train`` call over all epochs, with gensim's learning-rate schedule), and
hooks in a gensim callback (``CallbackAny2Vec``) that after every epoch

* copies the vectors of the *watched* words (a few dozen rows; the first copy is taken before
  training, so the random initial vectors are snapshot 0),
* finds their nearest neighbours in the whole vocabulary (one matrix product),
* reads the epoch's training loss (Word2Vec with ``compute_loss``; gensim's FastText does not
  report a loss, so it is ``None`` and :attr:`TrainingResult.loss_available` is False),
* calls ``progress(EpochReport)`` and checks the ``stop`` event.

gensim has no official way to stop training early. Raising from ``on_epoch_end`` is safe: gensim
calls it after the epoch's worker threads have finished, so the vectors hold complete epochs; the
exception leaves ``train`` and only gensim's end-of-training clean-up is skipped (for FastText that
is ``adjust_vectors``, which :func:`train` then does itself). A stopped run therefore keeps every
finished epoch and says so (:attr:`TrainingResult.stopped`).

:class:`TrainingJob` runs :func:`train` in a separate ``spawn``-ed process, watched by a background
thread that the web page polls: gensim releases the GIL inside its training loops, but its job
producer and our per-epoch callback are Python, and in the app every other session is a thread of
the same process. (``EMBEDLAB_WORKERS=0`` keeps training in the thread.) At most
:data:`MAX_CONCURRENT_TRAININGS` jobs train at once per app process; later ones wait their turn.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Sequence

import numpy as np

from ..io.builtin_corpora import TOY_WATCH_WORDS
from ..io.corpus import Corpus
from ..core.embeddings import EmbeddingSet
from ..core.errors import EmbedLabError, InvalidParameterError, TrainingError
from ..core.linalg import unit_rows

logger = logging.getLogger(__name__)

__all__ = ["TrainParams", "EpochReport", "TrainingResult", "TrainingJob", "train", "default_watch_words",
           "MODELS", "MIN_TRAIN_TOKENS", "MIN_VOCAB", "MAX_WATCH", "NEIGHBOURS_PER_EPOCH",
           "MAX_CONCURRENT_TRAININGS"]

MODELS = ("word2vec", "fasttext")
MIN_TRAIN_TOKENS = 50          #: a corpus with fewer tokens is too small to train
MIN_VOCAB = 5                  #: fewer distinct words (after min_count) is too small to train
MAX_WATCH = 40                 #: most watched words
NEIGHBOURS_PER_EPOCH = 5       #: nearest neighbours recorded for each watched word at each epoch
MAX_CONCURRENT_TRAININGS = max(1, os.cpu_count() or 1)

_RANGES = {  # name: (low, high)
    "vector_size": (2, 1000), "window": (1, 50), "epochs": (1, 500), "min_count": (1, 1_000_000),
    "workers": (1, 64), "negative": (0, 50), "min_n": (1, 20), "max_n": (1, 20), "seed": (0, 2**31 - 1),
}


@dataclass(frozen=True)
class TrainParams:
    """Training settings (gensim's names).

    Parameters
    ----------
    model : {"word2vec", "fasttext"}
    sg : bool
        Skip-gram (predict the context from the word) instead of CBOW (the word from its context).
    hs : bool
        Hierarchical softmax instead of negative sampling.
    negative : int
        Negative samples per positive one (ignored with ``hs``).
    vector_size, window, epochs, min_count, seed, workers
        As in gensim. Results are reproducible only with ``workers=1``.
    alpha, min_alpha : float
        Learning rate at the start and the end (it falls linearly).
    sample : float
        Down-sampling threshold of frequent words.
    min_n, max_n : int
        fastText character n-gram lengths.
    """

    model: str = "word2vec"
    sg: bool = False
    hs: bool = False
    negative: int = 5
    vector_size: int = 50
    window: int = 5
    epochs: int = 10
    min_count: int = 2
    seed: int = 1
    workers: int = 1
    alpha: float = 0.025
    min_alpha: float = 0.0001
    sample: float = 1e-3
    min_n: int = 3
    max_n: int = 6

    def __post_init__(self):
        if self.model not in MODELS:
            raise InvalidParameterError(f"model must be one of {', '.join(MODELS)}; got {self.model!r}")
        for name, (lo, hi) in _RANGES.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise InvalidParameterError(f"{name} must be a whole number from {lo} to {hi}; got {v!r}")
        if not self.hs and self.negative < 1:
            raise InvalidParameterError("negative must be at least 1 with negative sampling (or set hs=True)")
        for name in ("alpha", "min_alpha", "sample"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
                raise InvalidParameterError(f"{name} must be a number from 0 to 1; got {v!r}")
        if not 0 < self.alpha:
            raise InvalidParameterError(f"alpha must be > 0; got {self.alpha!r}")
        if self.min_alpha > self.alpha:
            raise InvalidParameterError(f"min_alpha ({self.min_alpha}) must not exceed alpha ({self.alpha})")
        if self.min_n > self.max_n:
            raise InvalidParameterError(f"min_n ({self.min_n}) must not exceed max_n ({self.max_n})")
        for name in ("sg", "hs"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise InvalidParameterError(f"{name} must be True or False; got {getattr(self, name)!r}")

    def gensim_kwargs(self) -> dict:
        """Keyword arguments for ``gensim.models.Word2Vec`` / ``FastText``."""
        kw = dict(vector_size=int(self.vector_size), window=int(self.window), min_count=int(self.min_count),
                  sg=int(bool(self.sg)), hs=int(bool(self.hs)), negative=0 if self.hs else int(self.negative),
                  seed=int(self.seed), workers=int(self.workers), alpha=float(self.alpha),
                  min_alpha=float(self.min_alpha), sample=float(self.sample), epochs=int(self.epochs))
        if self.model == "fasttext":
            kw.update(min_n=int(self.min_n), max_n=int(self.max_n))
        return kw

    def describe(self) -> str:
        """One line for people: ``word2vec CBOW, negative sampling, 50 d, window 5, 10 epochs``."""
        arch = "skip-gram" if self.sg else "CBOW"
        out = "hierarchical softmax" if self.hs else f"negative sampling ({self.negative})"
        return (f"{self.model} {arch}, {out}, {self.vector_size} dimensions, window {self.window}, "
                f"{self.epochs} epochs, min_count {self.min_count}, seed {self.seed}, {self.workers} worker(s)")

    def to_dict(self) -> dict:
        return asdict(self)


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
    snapshots : ndarray, shape (epochs_done + 1, n_watched, dim), float32
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


class _Stop(Exception):
    """Raised from the gensim callback to end training after a finished epoch."""


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
        raise InvalidParameterError(f"params must be a TrainParams, got {type(params).__name__}")
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
    rec = _Recorder(model, rows, params, int(neighbors_k), progress, stop)
    stopped = False
    t_train = time.perf_counter()
    try:
        model.train(corpus.sentences, total_examples=model.corpus_count, epochs=model.epochs,
                    compute_loss=compute_loss, callbacks=[rec.cb])
    except _Stop:
        stopped = True
        logger.info("training stopped after epoch %d of %d", rec.epoch, params.epochs)
    train_seconds = time.perf_counter() - t_train
    vectors = rec._ft_all() if params.model == "fasttext" else np.array(model.wv.vectors, dtype=np.float32)
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


_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_TRAININGS)


def _picklable_error(exc: BaseException) -> EmbedLabError:
    from ..runtime.workers import crossable_error

    if isinstance(exc, EmbedLabError):
        return crossable_error(exc, TrainingError)
    return TrainingError(f"training failed: {type(exc).__name__}: {exc}")


def _train_in_child(corpus, params, watch, name, messages, stop) -> None:
    """Entry point of the training process: reports, then the result or the error, go to ``messages``."""
    from ..runtime.workers import lower_priority

    lower_priority()                 # the web server's pages first, training takes the spare CPU
    try:
        result = train(corpus, params, watch=watch, progress=lambda r: messages.put(("epoch", r)), stop=stop,
                       name=name)
        messages.put(("result", result))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent, which decides
        if not isinstance(exc, EmbedLabError):
            logger.exception("training failed")
        messages.put(("error", _picklable_error(exc)))


class TrainingJob:
    """One training run in a background thread, polled by a page.

    >>> from embedlab.io.builtin_corpora import toy_corpus
    >>> job = TrainingJob(toy_corpus(300), TrainParams(epochs=2, min_count=1)).start()
    >>> job.join(60).state
    'done'
    >>> job.result.epochs_done
    2

    Attributes
    ----------
    state : str
        ``"waiting"`` (for a free training slot), ``"running"``, ``"done"``, ``"stopped"`` or ``"failed"``.
    reports : list of EpochReport
        One per finished epoch (appended by the training thread).
    result : TrainingResult or None
    error : EmbedLabError or None
        Why it failed; unexpected errors are wrapped in :class:`TrainingError` and logged.
    """

    def __init__(self, corpus: Corpus, params: TrainParams | None = None, *, watch: Sequence[str] | None = None,
                 name: str | None = None, in_process: bool | None = None):
        if in_process is None:
            from ..runtime.workers import worker_count

            in_process = worker_count() > 0
        self.in_process = bool(in_process)
        self.pid: int | None = None          # of the training process, once started
        self.corpus = corpus
        self.params = params or TrainParams()
        self.watch = watch
        self.name = name
        self.stop_event = threading.Event()
        self.reports: list[EpochReport] = []
        self.result: TrainingResult | None = None
        self.error: EmbedLabError | None = None
        self.state = "waiting"
        self.started = time.time()
        self._thread: threading.Thread | None = None

    def _on_epoch(self, report: EpochReport) -> None:
        self.reports = self.reports + [report]   # replace, never mutate, a list a page may be reading

    def run(self) -> "TrainingJob":
        """Train in the calling thread (tests use this); returns self."""
        while not _SLOTS.acquire(timeout=0.2):
            if self.stop_event.is_set():
                self.error = TrainingError("stopped before training started")
                self.state = "failed"
                return self
        try:
            self.state = "running"
            if self.in_process:
                self.result = self._train_in_process()
            else:
                self.pid = os.getpid()
                self.result = train(self.corpus, self.params, watch=self.watch, progress=self._on_epoch,
                                    stop=self.stop_event, name=self.name)
            self.state = "stopped" if self.result.stopped else "done"
        except EmbedLabError as exc:
            self.error, self.state = exc, "failed"
        except Exception as exc:  # a thread must not die silently: log it and report it to the page
            logger.exception("training failed")
            self.error, self.state = TrainingError(f"training failed: {type(exc).__name__}: {exc}"), "failed"
        finally:
            _SLOTS.release()
        return self

    def _train_in_process(self) -> TrainingResult:
        """:func:`train` in a spawned process; this thread relays its reports and the stop request."""
        import multiprocessing

        from ..runtime.workers import no_main_module

        ctx = multiprocessing.get_context("spawn")
        messages, stop = ctx.Queue(), ctx.Event()
        proc = ctx.Process(target=_train_in_child, name="embedlab-training", daemon=True,
                           args=(self.corpus, self.params, self.watch, self.name, messages, stop))
        with no_main_module():
            proc.start()
        self.pid = proc.pid
        try:
            while True:
                if self.stop_event.is_set():
                    stop.set()
                try:
                    kind, value = messages.get(timeout=0.2 if proc.is_alive() else 2.0)
                except queue.Empty:
                    if proc.is_alive():
                        continue
                    raise TrainingError(f"the training process stopped unexpectedly (exit code {proc.exitcode}; "
                                        "out of memory?). Try a smaller corpus or fewer dimensions.") from None
                if kind == "epoch":
                    self._on_epoch(value)
                elif kind == "error":
                    raise value
                else:
                    return value
        finally:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
            messages.close()

    def start(self) -> "TrainingJob":
        """Start :meth:`run` in a daemon thread; returns self."""
        self._thread = threading.Thread(target=self.run, name="embedlab-training", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask training to end after the current epoch."""
        self.stop_event.set()

    def join(self, timeout: float | None = None) -> "TrainingJob":
        if self._thread is not None:
            self._thread.join(timeout)
        return self

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")

    @property
    def fraction(self) -> float:
        """Share of epochs finished, 0..1."""
        return min(1.0, len(self.reports) / max(1, self.params.epochs))
