"""A training process started ahead of need, so a training run does not wait for Python to start.

A run through :class:`~embedlab.train.job.TrainingJob` trains in a ``spawn``-ed process. Starting
one costs a fresh interpreter plus the imports of numpy, gensim and EmbedLab (one to two seconds
on an idle 2-core machine, several under load): a third of a 600k-word run. :func:`prepare` starts
one *standby* process that does those imports at low priority and then waits for a job;
:func:`launch` hands the next job to it (or, if there is none, spawns one as before). The job's
corpus, parameters and watched words are sent to the process once, and every process trains one
job and exits, as before. The Train page knows its corpus before Train is pressed, so
``prepare(corpus)`` sends the corpus to the waiting standby ahead (it unpickles it at low priority
while the user picks parameters); :func:`launch` then sends only the parameters when the job's
corpus is that very object. Sending a 600k-token corpus took 0.15-0.18 s of every run (pickling in
the server, unpickling 600k token references in the child): most of what a warm run through the
app cost beyond ``train()`` (bench_perf, issue 15). A job is over as soon as its result has arrived:
:func:`finished` joins the process in a background thread (its interpreter's exit took 0.15-0.25 s,
which the job used to wait for) and then starts the next standby, so the next run starts warm too.

The process runs at nice +10 relative to the server (:func:`~embedlab.runtime.workers.lower_priority`),
kept by measurement: Linux weighs nice only against the tasks of the same scheduling group (the
server's session autogroup or cgroup), so while nobody asks the server for anything the training
runs at full speed (bench_perf: 1.02x ``train()`` at 1 and 2 workers), and while requests are in
flight they get the CPU first (a PCA request during a 2-worker training: median 65 ms at nice +10
vs 275 ms at nice 0, loaded machine). Dropping the priority only during requests would need raising
it again afterwards, which an unprivileged process may not do.

A job's process says ``("started", pid)`` when its job arrives. A standby that has done its imports and
holds every corpus sent ahead but has not said so within :data:`PICKUP_SECONDS` is not left to keep its
user waiting for ever, whatever stopped it: :func:`replace` ends it and spawns a new process that is
sent the whole job (:func:`overdue` is the job thread's clock; a process still importing is slow, not
stuck, and is waited for).

A standby that waits exits by itself when its parent process is gone. ``EMBEDLAB_WORKERS=0``
(training in the calling thread) starts none.
"""
from __future__ import annotations

import contextlib
import logging
import queue
import threading
from dataclasses import dataclass

logger = logging.getLogger(__name__)

__all__ = ["TrainingProcess", "launch", "finished", "prepare", "discard", "overdue", "replace"]

#: seconds between a waiting standby's checks that its parent is still alive
PARENT_CHECK_SECONDS = 1.0
#: seconds a training process that has sent its result may take to exit before it is killed
EXIT_WAIT_SECONDS = 10.0
#: seconds a ready standby (imports done, corpora sent ahead unpickled) may take to say it has its job
#: before it is replaced by a new process that is sent the whole job (:func:`overdue`, :func:`replace`)
PICKUP_SECONDS = 15.0
#: and this much longer per token of a corpus that came with the job (it is unpickled before the job is
#: read: about 0.3 s per million tokens at full speed, several times that at nice +10 on a busy machine)
PICKUP_SECONDS_PER_TOKEN = 10e-6

_lock = threading.Lock()
_standby: "TrainingProcess | None" = None
_running = 0                     # jobs of this process training now (no standby is started meanwhile)
_reapers: set = set()            # threads joining finished training processes (discard waits for them)


@dataclass
class TrainingProcess:
    """A spawned training process and its channels: ``jobs`` (one job in), ``messages`` (reports, then
    ``("result", ...)`` or ``("error", ...)`` out), ``stop`` (set to end training after an epoch) and
    ``ready`` (set by the process once its imports are done and it waits for the job); ``loaded`` (a
    shared counter of the corpora the process has received ahead, or None) and, in this process,
    ``corpus`` (the last corpus sent ahead) and ``sent`` (how many were)."""

    proc: object
    jobs: object
    messages: object
    stop: object
    ready: object
    loaded: object = None
    corpus: object = None
    sent: int = 0
    job_tokens: int = 0          # tokens of the corpus sent with the job (0: sent ahead)

    def __post_init__(self) -> None:
        # what the process was sent and never read (a job or corpus bigger than the pipe's buffer, for
        # a process ended without reading it) is dropped when this interpreter exits: else its feeder
        # thread stays blocked on the pipe and the exit joins it for ever (seen: pytest hung after its
        # summary, joining 3 such threads)
        if self.jobs is not None:
            self.jobs.cancel_join_thread()

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.is_alive()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the process has done its imports and holds every corpus sent ahead; False on
        timeout."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        if not self.ready.wait(timeout):
            return False
        while self.loaded is not None and self.loaded.value < self.sent:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def holds_all(self) -> bool:
        """True once the process has done its imports and received every corpus sent ahead: from
        then on it reads its next message within :data:`PARENT_CHECK_SECONDS`."""
        return self.ready.is_set() and (self.loaded is None or self.loaded.value >= self.sent)

    def send_corpus(self, corpus) -> None:
        """Send ``corpus`` ahead of its job (the process keeps the last one sent); nothing if it is
        the one sent last."""
        if corpus is None or corpus is self.corpus:
            return
        self.jobs.put(("corpus", corpus))
        self.corpus, self.sent = corpus, self.sent + 1


def _standby_main(jobs, messages, stop, ready, loaded=None) -> None:
    """Entry point of a training process: imports first (niced), then corpora sent ahead (the last
    one is kept) until one job arrives from ``jobs``; it trains that job and exits."""
    import multiprocessing
    import os
    import sys

    from ..runtime.workers import lower_priority

    lower_priority()                 # the web server's pages first, training takes the spare CPU
    import gensim.models  # noqa: F401  (the slow import, done while nobody waits)

    from . import job as job_mod     # (imports embedlab.train.run: numpy, the recorder)

    parent = multiprocessing.parent_process()
    ready.set()
    held = None                          # the corpus sent ahead
    while True:
        try:
            payload = jobs.get(timeout=PARENT_CHECK_SECONDS)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                print(f"EmbedLab training process {os.getpid()}: its parent is gone; exiting", file=sys.stderr,
                      flush=True)        # (a line in the server log, should this ever happen with it alive)
                return                   # the app is gone: nobody will send a job
            continue
        if payload is None:              # discarded
            return
        if payload[0] == "corpus":
            held = payload[1]
            if loaded is not None:
                with loaded.get_lock():
                    loaded.value += 1
            continue
        break
    messages.put(("started", os.getpid()))   # the job is here (the parent's watchdog: overdue)
    _, corpus, params, watch, name = payload
    job_mod._report_training(held if corpus is None else corpus, params, watch, name, messages, stop)
    _exit_now(messages)


def _exit_now(messages) -> None:
    """End a training process once its result is in the pipe, without the interpreter's clean-up:
    that is a full garbage collection of gensim's, scipy's and the corpus's objects, which kept the
    process alive for 0.2 s on a quiet machine and for seconds under load after its work was done.
    Nothing is left to save: the result and every report have been written."""
    import os
    import sys

    messages.close()
    messages.join_thread()               # every message is written to the pipe
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(0)


def _spawn() -> TrainingProcess:
    import multiprocessing

    from ..runtime.workers import no_main_module

    ctx = multiprocessing.get_context("spawn")
    jobs, messages, stop, ready = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    loaded = ctx.Value("i", 0)
    proc = ctx.Process(target=_standby_main, name="embedlab-training", daemon=True,
                       args=(jobs, messages, stop, ready, loaded))
    with no_main_module():
        proc.start()
    return TrainingProcess(proc, jobs, messages, stop, ready, loaded)


def prepare(corpus=None) -> TrainingProcess | None:
    """Start the standby training process if there is none (or it died); returns it, or None when
    training runs in the calling thread (``EMBEDLAB_WORKERS=0``) or while a training of this process
    runs (its imports would take CPU from that training; :func:`finished` prepares one after it).
    With ``corpus``, the standby is sent that corpus ahead of the job (once per corpus object).
    Cheap when one is ready."""
    from ..runtime.workers import worker_count

    global _standby
    if worker_count() <= 0:
        return None
    with _lock:
        if _running > 0:
            return _standby
        if _standby is None or not _standby.alive():
            _standby = _spawn()
        _standby.send_corpus(corpus)
        return _standby


def launch(corpus, params, watch, name) -> TrainingProcess:
    """A training process running this job: the standby if one is ready (then none is, until the
    next :func:`prepare`), else a newly spawned one. The job is sent once, as one message, without
    its corpus when that corpus was sent ahead to the standby."""
    global _standby, _running
    with _lock:
        tp, _standby = _standby, None
        _running += 1
    try:
        if tp is None or not tp.alive():
            tp = _spawn()
        ahead = tp.corpus is corpus
        tp.jobs.put(("job", None if ahead else corpus, params, watch, name))
        tp.job_tokens = 0 if ahead else int(getattr(corpus, "n_tokens", 0) or 0)
        tp.corpus = None                 # (the parent's reference is not needed any more)
    except BaseException:
        finished()
        raise
    return tp


def overdue(tp: TrainingProcess, since: float | None, now: float) -> tuple[bool, float | None]:
    """The watchdog of a job sent to ``tp`` that has not said ``("started", pid)`` yet: returns
    ``(overdue, since)``, where ``since`` is when ``tp`` was first seen holding everything it was
    sent (:meth:`TrainingProcess.holds_all`; None while it is still importing or unpickling) and
    overdue means it has not picked the job up within :data:`PICKUP_SECONDS` of that (plus
    :data:`PICKUP_SECONDS_PER_TOKEN` per token of a corpus sent with the job). A process
    that is still importing is waited for (it is slow, not stuck); one that does nothing with its
    queue once ready is replaced (:func:`replace`) instead of leaving its user waiting for ever."""
    if since is None:
        return False, (now if tp.holds_all() else None)
    return now - since > PICKUP_SECONDS + tp.job_tokens * PICKUP_SECONDS_PER_TOKEN, since


def replace(tp: TrainingProcess, corpus, params, watch, name) -> TrainingProcess:
    """End ``tp``, a process that did not pick up its job (:func:`overdue`) or died before it did (a
    spawned child handed a page script as its main module by a race with a script run crashes in
    its start-up), and return a newly spawned one that is sent the whole job, corpus included. The
    job's slot stays taken (one :func:`finished` for the job, with the process returned here)."""
    if tp.alive():
        logger.warning("training process %s did not pick up its job within %.0f s; starting a new one",
                       tp.pid, PICKUP_SECONDS)
    else:
        logger.warning("training process %s exited (code %s) before its job; starting a new one",
                       tp.pid, tp.proc.exitcode)
    with contextlib.suppress(Exception):
        tp.proc.kill()
        tp.proc.join(timeout=EXIT_WAIT_SECONDS)
        tp.messages.close()
    new = _spawn()
    new.jobs.put(("job", corpus, params, watch, name))
    return new


def finished(tp: TrainingProcess | None = None) -> None:
    """A job from :func:`launch` ended (however; its result, if any, has been received). Returns at
    once: ``tp``'s process is joined (killed if it has not exited within
    :data:`EXIT_WAIT_SECONDS`) and its channel closed in a background thread, then, when no training
    is left, the next standby is started."""
    global _running
    reaper = threading.Thread(target=_reap_then_prepare, args=(tp,), name="embedlab-training-reaper", daemon=True)
    with _lock:
        _running = max(0, _running - 1)
        _reapers.add(reaper)
    reaper.start()


def _reap_then_prepare(tp: TrainingProcess | None) -> None:
    try:
        if tp is not None:
            tp.proc.join(timeout=EXIT_WAIT_SECONDS)
            if tp.alive():
                logger.warning("training process %s did not exit after its result; killing it", tp.pid)
                tp.proc.kill()
                tp.proc.join(timeout=EXIT_WAIT_SECONDS)
            tp.messages.close()
        prepare()
    except Exception as exc:  # noqa: BLE001 - a standby is an optimisation; the next run spawns its own
        logger.warning("could not start a standby training process: %s", exc)
    finally:
        with _lock:
            _reapers.discard(threading.current_thread())


def discard() -> None:
    """End the waiting standby process, if any (tests; an app shutting down), after the finished
    training processes being joined (which may prepare one) are gone."""
    global _standby
    with _lock:
        reapers = list(_reapers)
    for reaper in reapers:
        reaper.join(timeout=2 * EXIT_WAIT_SECONDS + 5)
    with _lock:
        tp, _standby = _standby, None
    if tp is not None and tp.alive():
        tp.jobs.put(None)
        tp.proc.join(timeout=10)
        if tp.alive():
            tp.proc.kill()
