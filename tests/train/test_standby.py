"""Issue 15: training through the app starts in a process that is already warm, and the corpus is
sent to the training process once (not per epoch)."""
from __future__ import annotations

import pytest

from embedlab.io.builtin_corpora import toy_corpus
from embedlab.io.corpus import Corpus
from embedlab.train import standby
from embedlab.train.training import TrainingJob, TrainParams

PICKLED: list[int] = []


class CountingCorpus(Corpus):
    """A Corpus that counts how often it is pickled (in the process that pickles it)."""

    def __reduce_ex__(self, protocol):
        PICKLED.append(1)
        return super().__reduce_ex__(protocol)


@pytest.fixture
def no_standby():
    standby.discard()
    yield
    standby.discard()


def _counting(n=300) -> CountingCorpus:
    toy = toy_corpus(n)
    return CountingCorpus(**{f: getattr(toy, f) for f in toy.__dataclass_fields__})


def test_the_corpus_is_sent_to_the_training_process_once(no_standby):
    PICKLED.clear()
    corpus = _counting()
    job = TrainingJob(corpus, TrainParams(epochs=4, min_count=1), in_process=True).run()
    assert job.state == "done", job.error
    assert len(job.reports) == 4 and job.result.epochs_done == 4
    assert len(PICKLED) == 1


def test_a_corpus_sent_ahead_is_not_sent_again_with_its_job(no_standby):
    """The Train page sends its corpus to the waiting process before Train is pressed; the job then
    carries only its parameters. A job of another corpus still brings its own."""
    PICKLED.clear()
    corpus = _counting()
    tp = standby.prepare(corpus)
    assert standby.prepare(corpus) is tp                      # the same corpus is not sent twice
    assert tp.wait_ready(120) and tp.loaded.value == 1
    assert len(PICKLED) == 1
    job = TrainingJob(corpus, TrainParams(epochs=2, min_count=1), in_process=True).run()
    assert job.state == "done", job.error
    assert job.pid == tp.pid and len(PICKLED) == 1
    assert job.result.corpus_tokens == corpus.n_tokens               # trained on it

    other = toy_corpus(120)
    nxt = standby.prepare(corpus)                             # the next standby, holding corpus
    assert nxt is not None and nxt.pid != tp.pid and nxt.wait_ready(120)
    job2 = TrainingJob(other, TrainParams(epochs=1, min_count=1), in_process=True).run()
    assert job2.state == "done", job2.error
    assert job2.pid == nxt.pid
    assert job2.result.corpus_tokens == other.n_tokens != corpus.n_tokens   # not the held one


def test_a_standby_keeps_the_last_corpus_sent_ahead(monkeypatch):
    from embedlab.runtime import workers
    from embedlab.train import job as job_mod

    class Exited(BaseException):
        pass

    def fake_exit(code):
        raise Exited(code)

    trained = []
    monkeypatch.setattr(workers, "lower_priority", lambda *a: None)
    monkeypatch.setattr(job_mod, "_report_training",
                        lambda corpus, params, watch, name, messages, stop: trained.append(corpus))
    monkeypatch.setattr("os._exit", fake_exit)
    import multiprocessing
    import threading

    loaded = multiprocessing.Value("i", 0)
    jobs = _Channel([("corpus", "A"), ("corpus", "B"), ("job", None, "p", None, "n")])
    with pytest.raises(Exited):
        standby._standby_main(jobs, _Channel(), None, threading.Event(), loaded)
    assert trained == ["B"] and loaded.value == 2


def test_a_prepared_process_trains_the_next_job_and_another_is_prepared_after_it(no_standby):
    tp = standby.prepare()
    assert tp is not None and standby.prepare() is tp          # cheap when one is ready
    assert tp.wait_ready(120)
    job = TrainingJob(toy_corpus(300), TrainParams(epochs=2, min_count=1), in_process=True).run()
    assert job.state == "done", job.error
    assert job.pid == tp.pid
    nxt = standby.prepare()
    assert nxt is not None and nxt.pid != tp.pid and nxt.alive()


def test_no_standby_is_started_while_a_training_runs_or_without_worker_processes(no_standby, monkeypatch):
    monkeypatch.setattr(standby, "_running", 1)
    assert standby.prepare() is None
    monkeypatch.setattr(standby, "_running", 0)
    monkeypatch.setenv("EMBEDLAB_WORKERS", "0")
    assert standby.prepare() is None


def test_a_discarded_standby_exits(no_standby):
    tp = standby.prepare()
    assert tp.wait_ready(120)
    standby.discard()
    tp.proc.join(10)
    assert not tp.alive() and tp.proc.exitcode == 0


class _SlowExit:
    """A training process that has sent its result but takes a while to exit."""

    def __init__(self):
        import threading

        self.exit = threading.Event()
        self.closed = False
        self.pid = 12345

    def join(self, timeout=None):
        self.exit.wait(timeout)

    def is_alive(self):
        return not self.exit.is_set()

    def kill(self):
        self.exit.set()

    def close(self):                       # (as the messages queue)
        self.closed = True


def test_a_job_is_over_when_its_result_arrives_not_when_its_process_has_exited(no_standby, monkeypatch):
    """The job used to join its process before it counted as finished: 0.15-0.25 s of interpreter
    clean-up in every run through the app. Now the process is joined in the background."""
    import time

    slow = _SlowExit()
    tp = standby.TrainingProcess(slow, None, slow, None, None)
    prepared = []
    monkeypatch.setattr(standby, "prepare", lambda: prepared.append(1))
    monkeypatch.setattr(standby, "_running", 1)
    t = time.perf_counter()
    standby.finished(tp)
    assert time.perf_counter() - t < 1.0 and standby._running == 0
    assert not slow.closed and not prepared                   # still being joined
    slow.exit.set()
    deadline = time.monotonic() + 10
    while not prepared and time.monotonic() < deadline:
        time.sleep(0.01)
    assert slow.closed and prepared == [1]                    # joined, closed, then the next standby


def test_a_training_process_that_does_not_exit_is_killed(no_standby, monkeypatch):
    slow = _SlowExit()
    monkeypatch.setattr(standby, "EXIT_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(standby, "prepare", lambda: None)
    monkeypatch.setattr(standby, "_running", 1)
    standby.finished(standby.TrainingProcess(slow, None, slow, None, None))
    standby.discard()                                         # waits for the reaper
    assert slow.exit.is_set() and slow.closed


class _Channel:
    def __init__(self, items=()):
        self.items, self.log = list(items), []

    def get(self, timeout=None):
        return self.items.pop(0)

    def put(self, item):
        self.log.append(("put", item))

    def close(self):
        self.log.append("close")

    def join_thread(self):
        self.log.append("join_thread")


def test_a_training_process_exits_without_the_interpreters_clean_up_once_its_result_is_written(monkeypatch):
    """After its result, the process used to run Python's whole shutdown (a full garbage collection
    of gensim's and scipy's objects: seconds under load). It now flushes its channel and exits."""
    from embedlab.runtime import workers
    from embedlab.train import job as job_mod

    class Exited(BaseException):
        pass

    def fake_exit(code):
        raise Exited(code)

    monkeypatch.setattr(workers, "lower_priority", lambda *a: None)      # (this is the test process)
    monkeypatch.setattr(job_mod, "_report_training",
                        lambda corpus, params, watch, name, messages, stop: messages.put(("result", name)))
    monkeypatch.setattr("os._exit", fake_exit)
    jobs, messages = _Channel([("job", "corpus", "params", None, "n")]), _Channel()
    ready = __import__("threading").Event()
    with pytest.raises(Exited) as info:
        standby._standby_main(jobs, messages, None, ready)
    assert info.value.args == (0,) and ready.is_set()
    assert messages.log[0] == ("put", ("started", __import__("os").getpid()))      # the job is picked up
    assert messages.log[1:] == [("put", ("result", "n")), "close", "join_thread"]  # written before the exit


def _fake_standby(target) -> standby.TrainingProcess:
    """A spawned process running ``target`` (a stand-in for ``_standby_main``), once it is ready."""
    import multiprocessing

    from embedlab.runtime.workers import no_main_module

    ctx = multiprocessing.get_context("spawn")
    jobs, messages, stop, ready = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    proc = ctx.Process(target=target, args=(jobs, messages, stop, ready), daemon=True)
    with no_main_module():        # (in the whole suite an AppTest has left app.py as __main__)
        proc.start()
    tp = standby.TrainingProcess(proc, jobs, messages, stop, ready)
    assert tp.wait_ready(120)
    return tp


def _deaf_standby(jobs, messages, stop, ready, loaded=None) -> None:
    """A training process that says it is ready and then never reads its queue."""
    import time

    ready.set()
    time.sleep(600)


def test_a_ready_standby_that_never_picks_up_its_job_is_replaced(no_standby, monkeypatch):
    """A warm process that is ready but does not read its job (whatever the cause) must not leave
    the user waiting for ever: after PICKUP_SECONDS the job goes, whole, to a new process."""
    deaf = _fake_standby(_deaf_standby)
    proc = deaf.proc
    monkeypatch.setattr(standby, "_standby", deaf)
    monkeypatch.setattr(standby, "PICKUP_SECONDS", 1.0)
    corpus = toy_corpus(300)
    job = TrainingJob(corpus, TrainParams(epochs=2, min_count=1), in_process=True).start().join(120)
    assert job.state == "done", (job.state, job.error)          # (without the watchdog: "running" for ever)
    assert job.pid != deaf.pid and job.result.corpus_tokens == corpus.n_tokens
    proc.join(10)
    assert not proc.is_alive()                                   # the deaf one was ended


def _dying_standby(jobs, messages, stop, ready, loaded=None) -> None:
    """A training process that says it is ready and then dies (as one that imported a page as its
    main module does)."""
    import os

    ready.set()
    os._exit(1)


def test_a_standby_that_dies_before_its_job_is_replaced_once(no_standby, monkeypatch):
    dying = _fake_standby(_dying_standby)
    monkeypatch.setattr(standby, "_standby", dying)
    job = TrainingJob(toy_corpus(300), TrainParams(epochs=1, min_count=1), in_process=True).start().join(120)
    assert job.state == "done", (job.state, job.error)          # (before: "the training process stopped unexpectedly")
    assert job.pid != dying.pid


def test_the_watchdog_waits_for_a_process_still_importing():
    """overdue() counts from the moment the process holds everything it was sent, not from launch."""
    import threading

    class Loaded:
        value = 0

    tp = standby.TrainingProcess(None, None, None, None, threading.Event(), Loaded(), sent=1)
    assert standby.overdue(tp, None, 100.0) == (False, None)           # importing: no clock yet
    tp.ready.set()
    assert standby.overdue(tp, None, 100.0) == (False, None)           # still unpickling the corpus sent
    Loaded.value = 1
    assert standby.overdue(tp, None, 100.0) == (False, 100.0)          # holds all: the clock starts
    assert standby.overdue(tp, 100.0, 100.0 + standby.PICKUP_SECONDS - 1) == (False, 100.0)
    assert standby.overdue(tp, 100.0, 100.0 + standby.PICKUP_SECONDS + 1) == (True, 100.0)
    tp.job_tokens = 5_000_000                                          # a big corpus came with the job
    assert standby.overdue(tp, 100.0, 100.0 + standby.PICKUP_SECONDS + 1) == (False, 100.0)
    assert standby.overdue(tp, 100.0, 100.0 + standby.PICKUP_SECONDS + 51) == (True, 100.0)


class _Gone:
    """A training process that has already exited with code 0 (a stand-in for its Process)."""
    pid, exitcode = 4242, 0

    def is_alive(self) -> bool:
        return False


class _Scripted:
    """A messages queue that answers with ``replies`` in turn (an Empty reply raises it)."""

    def __init__(self, replies):
        self.replies = list(replies)

    def get(self, timeout=None):
        import queue

        reply = self.replies.pop(0)
        if reply is queue.Empty:
            raise queue.Empty
        return reply


def test_messages_written_just_before_the_process_exited_are_still_read(monkeypatch):
    """The job's thread waits 0.2 s on the pipe, then checks whether the process lives. A process that
    wrote its reports and result and exited between the two (this thread waiting for the GIL) was
    reported as "stopped unexpectedly (exit code 0 ...; 0 epochs reported)" with its result unread."""
    import queue
    import threading

    from embedlab.train import job as job_mod

    tp = standby.TrainingProcess(_Gone(), None, _Scripted([("started", 4242), queue.Empty, ("result", "R")]),
                                 threading.Event(), None)
    monkeypatch.setattr(standby, "launch", lambda *a: tp)
    monkeypatch.setattr(standby, "finished", lambda tp=None: None)
    job = TrainingJob(toy_corpus(50), TrainParams(epochs=1, min_count=1), in_process=True)
    assert job._train_in_process() == "R"
    # and a process that is gone with nothing left in its pipe is still reported as such
    tp.messages = _Scripted([("started", 4242), queue.Empty, queue.Empty])
    with pytest.raises(job_mod.TrainingError, match="stopped unexpectedly .*after it had its job; 0 epochs"):
        job._train_in_process()
