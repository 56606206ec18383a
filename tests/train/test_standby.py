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
