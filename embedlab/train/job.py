"""A training run in the background, polled by a web page: :class:`TrainingJob`.

:class:`TrainingJob` runs :func:`~embedlab.train.run.train` in a separate ``spawn``-ed process,
watched by a background thread that the web page polls: gensim releases the GIL inside its training
loops, but its job producer and our per-epoch callback are Python, and in the app every other
session is a thread of the same process. The process is usually one started ahead and already
warm (:mod:`embedlab.train.standby`); the job's corpus is sent to it once. (``EMBEDLAB_WORKERS=0``
keeps training in the thread.) At
most :data:`MAX_CONCURRENT_TRAININGS` jobs train at once per app process; later ones wait their turn.
The result comes back pickled over a queue; its arrays are read-only again on arrival
(:meth:`TrainingResult.__setstate__`, :meth:`EmbeddingSet.__setstate__`).

Lifecycle without a page: a job given a ``workspace`` saves its result there itself when it ends
(done, or stopped), whether or not a page still watches it, and a job given ``abandon_after``
seconds is stopped (at the end of its current epoch, or before it starts) once nobody has called
:meth:`TrainingJob.touch` for that long, so it frees its training slot; what it learnt so far is
saved. The app takes that time from ``$EMBEDLAB_TRAIN_ABANDON_S`` (:func:`abandon_seconds`).
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from typing import Sequence

from ..core.errors import EmbedLabError, TrainingError
from ..io.corpus import Corpus
from .params import TrainParams
from .results import EpochReport, TrainingResult
from .run import train

logger = logging.getLogger(__name__)

__all__ = ["TrainingJob", "MAX_CONCURRENT_TRAININGS", "DEFAULT_ABANDON_SECONDS", "abandon_seconds"]

MAX_CONCURRENT_TRAININGS = max(1, os.cpu_count() or 1)
DEFAULT_ABANDON_SECONDS = 600.0
"""A job no page has polled for this long is stopped (``$EMBEDLAB_TRAIN_ABANDON_S`` overrides it)."""


def abandon_seconds() -> float:
    """``$EMBEDLAB_TRAIN_ABANDON_S`` (default :data:`DEFAULT_ABANDON_SECONDS`): seconds without a
    page polling a training job before it is stopped.

    Raises
    ------
    InvalidParameterError
        If the variable is not a number of seconds > 0.

    >>> abandon_seconds() > 0
    True
    """
    from ..core.validate import check_float, invalid

    raw = os.environ.get("EMBEDLAB_TRAIN_ABANDON_S", "").strip()
    if not raw:
        return DEFAULT_ABANDON_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise invalid("EMBEDLAB_TRAIN_ABANDON_S", raw, "a number > 0") from None
    return check_float(value, "EMBEDLAB_TRAIN_ABANDON_S", low=0, low_open=True)

_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_TRAININGS)


def _picklable_error(exc: BaseException) -> EmbedLabError:
    from ..runtime.workers import crossable_error

    if isinstance(exc, EmbedLabError):
        return crossable_error(exc, TrainingError)
    return TrainingError(f"training failed: {type(exc).__name__}: {exc}")


def _report_training(corpus, params, watch, name, messages, stop) -> None:
    """:func:`train` in a training process (niced by :mod:`embedlab.train.standby`): reports, then
    the result or the error, go to ``messages``."""
    try:
        result = train(corpus, params, watch=watch, progress=lambda r: messages.put(("epoch", r)), stop=stop,
                       name=name)
        # pickled here first: the queue's feeder thread would print a failure to stderr and drop the
        # result, and the parent would only see a process that exited with code 0 (seen once in a
        # clean clone, cause not found; this turns it into a message naming the error)
        from multiprocessing.reduction import ForkingPickler

        try:
            ForkingPickler.dumps(result)
        except Exception as exc:  # noqa: BLE001 - reported to the parent below
            raise TrainingError(f"the trained result could not be sent back: {type(exc).__name__}: {exc}") from exc
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
    saved : WorkspaceEntry or None
        Where the result was saved (with ``workspace``), set before the job counts as finished.
    save_error : EmbedLabError or None
        Why saving to the workspace failed (the result is still in :attr:`result`).
    abandoned : bool
        True once the job was stopped because nobody polled it for ``abandon_after`` seconds.
    """

    def __init__(self, corpus: Corpus, params: TrainParams | None = None, *, watch: Sequence[str] | None = None,
                 name: str | None = None, in_process: bool | None = None, workspace=None,
                 abandon_after: float | None = None):
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
        self.workspace = workspace              # anything with Workspace.save's signature
        self.saved = None
        self.save_error: EmbedLabError | None = None
        self.abandon_after = abandon_after
        self.abandoned = False
        self.last_seen = time.monotonic()

    def touch(self) -> None:
        """A page is watching: put off abandonment by another ``abandon_after`` seconds."""
        self.last_seen = time.monotonic()

    def _watch_for_abandonment(self) -> None:
        """Runs beside the job: stop it once nobody has touched it for ``abandon_after`` seconds."""
        step = min(1.0, self.abandon_after / 4)
        while not self.finished:
            if time.monotonic() - self.last_seen > self.abandon_after:
                self.abandoned = True
                logger.info("training %r: no page polled it for %.0f s; stopping it", self.name, self.abandon_after)
                self.stop_event.set()
                return
            time.sleep(step)

    def _save(self) -> None:
        if self.workspace is None or self.result is None:
            return
        res = self.result
        try:
            self.saved = self.workspace.save(res.embedding_set, params=res.params.to_dict(), training=res)
        except EmbedLabError as exc:
            self.save_error = exc

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
            self._save()         # before the state says finished: a page then finds it saved
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
        from . import standby

        # a process started ahead if there is one (see embedlab.train.standby); the job is sent once
        tp = standby.launch(self.corpus, self.params, self.watch, self.name)
        self.pid = tp.proc.pid
        picked_up, replaced, since = False, False, None     # the watchdog of a standby that never reads its job
        drained = False                  # one more wait on its pipe after the process is seen gone
        try:
            while True:
                proc, messages, stop = tp.proc, tp.messages, tp.stop
                if self.stop_event.is_set():
                    stop.set()
                try:
                    kind, value = messages.get(timeout=0.2 if proc.is_alive() else 2.0)
                except queue.Empty:
                    alive = proc.is_alive()
                    if not alive and not drained:
                        # its last messages may be in the pipe still: a process can write them all and
                        # exit between this thread's wait timing out and the check above (this thread
                        # can wait for the GIL that long while pages run). Seen in browser tests: a
                        # 2-epoch toy job reported "stopped unexpectedly (exit code 0; 0 epochs)".
                        drained = True
                        continue                    # (the next wait is 2 s: the process is gone)
                    if not picked_up and not replaced:
                        late, since = standby.overdue(tp, since, time.monotonic())
                        if late or not alive:       # stuck, or died, before its job: once more, in a new one
                            tp = standby.replace(tp, self.corpus, self.params, self.watch, self.name)
                            self.pid, replaced, drained = tp.proc.pid, True, False
                            continue
                    if alive:
                        continue
                    raise TrainingError(f"the training process stopped unexpectedly (exit code {proc.exitcode}; "
                                        "out of memory?). Try a smaller corpus or fewer dimensions. (Process "
                                        f"{proc.pid}, {'after' if picked_up else 'before'} it had its job"
                                        f"{', a replacement' if replaced else ''}; {len(self.reports)} epochs "
                                        "reported.)") from None
                if kind == "started":
                    picked_up = True
                elif kind == "epoch":
                    self._on_epoch(value)
                elif kind == "error":
                    raise value
                else:
                    return value
        finally:
            # the result is here: the job is done now, not once the process has exited (its
            # interpreter's clean-up took 0.15-0.25 s of every run); it is joined in the background
            standby.finished(tp)

    def start(self) -> "TrainingJob":
        """Start :meth:`run` in a daemon thread; returns self."""
        self._thread = threading.Thread(target=self.run, name="embedlab-training", daemon=True)
        self._thread.start()
        if self.abandon_after is not None:
            threading.Thread(target=self._watch_for_abandonment, name="embedlab-training-watch",
                             daemon=True).start()
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
