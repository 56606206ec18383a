"""Issue 11 item 5: a training job saves its own result to the workspace it was started from, with
or without a page watching it, and a job nobody polls is stopped after a stated time and frees its
training slot."""
from __future__ import annotations

import gc
import time

import pytest

from embedlab.core.errors import InvalidParameterError, WorkspaceError
from embedlab.io.builtin_corpora import toy_corpus
from embedlab.io.workspace import Workspace
from embedlab.train import job as job_module
from embedlab.train.job import DEFAULT_ABANDON_SECONDS, TrainingJob, abandon_seconds
from embedlab.train.training import TrainParams


@pytest.fixture(scope="module")
def toy():
    return toy_corpus(3000, seed=0)


def _start_and_drop(corpus, params, ws, **kw):
    """Start a job and keep no reference to it (as a closed tab's session is dropped)."""
    TrainingJob(corpus, params, name="orphan", workspace=ws, **kw).start()
    gc.collect()


def _wait_listed(ws: Workspace, timeout: float = 180) -> list:
    deadline = time.time() + timeout
    while time.time() < deadline:
        entries = ws.list()
        if entries:
            return entries
        time.sleep(0.2)
    raise AssertionError("nothing was saved to the workspace")


@pytest.mark.parametrize("in_process", [False, True], ids=["thread", "process"])
def test_a_job_whose_page_is_gone_still_saves_its_result(toy, tmp_path, in_process):
    ws = Workspace(tmp_path, session_id="abc")
    _start_and_drop(toy, TrainParams(epochs=3, min_count=1, vector_size=12, seed=3), ws, in_process=in_process)
    [entry] = _wait_listed(ws)
    assert entry.name == "orphan" and entry.dim == 12 and entry.has_training
    es, extra = ws.load_full(entry.id)
    assert "king" in es and extra["info"]["training"]["epochs_done"] == 3


def test_a_job_records_where_it_saved_before_it_counts_as_finished(toy, tmp_path):
    ws = Workspace(tmp_path, session_id="abc")
    job = TrainingJob(toy, TrainParams(epochs=2, min_count=1, vector_size=8), name="mine", workspace=ws)
    job.run()
    assert job.state == "done" and job.saved is not None and job.save_error is None
    assert [e.id for e in ws.list()] == [job.saved.id]


def test_a_failed_save_is_kept_as_the_jobs_save_error(toy, tmp_path):
    ws = Workspace(tmp_path, session_id="abc", max_bytes=10)
    job = TrainingJob(toy, TrainParams(epochs=1, min_count=1, vector_size=8), workspace=ws).run()
    assert job.state == "done" and job.result is not None and job.saved is None
    assert isinstance(job.save_error, WorkspaceError) and "cap" in str(job.save_error)


def test_an_abandoned_job_is_stopped_and_frees_its_slot(toy, tmp_path):
    """Every slot is taken by a job nobody polls; they are stopped after the abandon time, what they
    learnt is saved, and a watched job behind them gets a slot and finishes."""
    ws = Workspace(tmp_path, session_id="abc")
    params = TrainParams(epochs=500, min_count=1, vector_size=8, workers=1)
    orphans = [TrainingJob(toy, params, name=f"orphan{i}", workspace=ws, in_process=False, abandon_after=1.0).start()
               for i in range(job_module.MAX_CONCURRENT_TRAININGS)]
    watched = TrainingJob(toy, TrainParams(epochs=2, min_count=1, vector_size=8), name="watched",
                          in_process=False).start()
    time.sleep(0.5)
    assert watched.state == "waiting"
    watched.join(120)
    assert watched.state == "done", (watched.state, watched.error)
    for j in orphans:
        j.join(60)
        assert j.abandoned and j.state == "stopped" and j.result.epochs_done < 500
        assert j.saved is not None
    assert {e.name for e in ws.list()} == {j.name for j in orphans}


def test_a_polled_job_is_not_abandoned(toy):
    job = TrainingJob(toy, TrainParams(epochs=60, min_count=1, vector_size=8, workers=1), in_process=False,
                      abandon_after=0.4).start()
    while not job.finished:
        job.touch()
        time.sleep(0.05)
    assert job.state == "done" and not job.abandoned and job.result.epochs_done == 60


def test_abandon_seconds_from_the_environment(monkeypatch):
    monkeypatch.delenv("EMBEDLAB_TRAIN_ABANDON_S", raising=False)
    assert abandon_seconds() == DEFAULT_ABANDON_SECONDS == 600
    monkeypatch.setenv("EMBEDLAB_TRAIN_ABANDON_S", "2.5")
    assert abandon_seconds() == 2.5
    for bad in ("0", "soon", "-3", "inf"):
        monkeypatch.setenv("EMBEDLAB_TRAIN_ABANDON_S", bad)
        with pytest.raises(InvalidParameterError, match=r"EMBEDLAB_TRAIN_ABANDON_S=.* is not allowed; must be a number > 0"):
            abandon_seconds()
