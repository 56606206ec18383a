"""embedlab.runtime.workers: long computations in a separate process, with progress and shared tasks."""
from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from embedlab.core.errors import InvalidParameterError, WorkerError
from embedlab.runtime.workers import WorkerPool, run_in_worker, shared_pool, worker_count


# module-level, so the spawned worker can import them by name
def where_am_i():
    return os.getpid(), threading.current_thread().name


def slow_count(path: str, seconds: float, progress=None):
    with open(path, "a") as f:
        f.write("run\n")
    steps = 5
    for i in range(steps):
        if progress is not None:
            progress(f"step {i + 1} of {steps}", (i + 1) / steps)
        time.sleep(seconds / steps)
    return "done"


def raise_invalid():
    raise InvalidParameterError("dims must be 2 or 3, got 4")


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def square_sum(x: np.ndarray) -> float:
    return float((x * x).sum())


@pytest.fixture(scope="module")
def pool():
    p = WorkerPool(1)
    yield p
    p.shutdown()


def test_runs_in_another_process_and_returns_the_result(pool):
    pid, _ = pool.run(where_am_i)
    assert pid != os.getpid()
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert pool.run(square_sum, x) == pytest.approx(float((x * x).sum()))
    assert pid in pool.pids()


def test_workers_run_at_a_lower_priority_than_the_caller(pool):
    from embedlab.runtime.workers import BACKGROUND_NICENESS

    here = os.nice(0)
    assert pool.run(os.nice, 0) == min(19, here + BACKGROUND_NICENESS)


def test_progress_is_called_in_the_callers_thread(pool, tmp_path):
    seen = []
    out = pool.run(slow_count, str(tmp_path / "log"), 1.0, poll=0.05,
                   progress=lambda m, f: seen.append((m, f, threading.get_ident())))
    assert out == "done"
    assert seen, "no progress reached the caller"
    assert {t for _, _, t in seen} == {threading.get_ident()}
    fractions = [f for _, f, _ in seen]
    assert fractions == sorted(fractions) and all(0 < f <= 1 for f in fractions)
    assert all(m.startswith("step ") for m, _, _ in seen)


def test_callers_with_the_same_key_share_one_run(pool, tmp_path):
    log = tmp_path / "log"
    results = []
    threads = [threading.Thread(target=lambda: results.append(pool.run(slow_count, str(log), 1.5, key="same")))
               for _ in range(4)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join(timeout=60)
    assert results == ["done"] * 4
    assert log.read_text().count("run") == 1
    # a different key (or none) is a separate run
    pool.run(slow_count, str(log), 0.1, key="other")
    assert log.read_text().count("run") == 2


def test_a_waiting_caller_is_told_it_waits(pool, tmp_path):
    first = threading.Thread(target=pool.run, args=(slow_count, str(tmp_path / "a"), 1.5))
    first.start()
    time.sleep(0.3)
    seen = []
    pool.run(slow_count, str(tmp_path / "b"), 0.1, progress=lambda m, f: seen.append(m))
    first.join(timeout=60)
    assert seen[0].startswith("Waiting for 1 other computation")


def test_embedlab_errors_keep_their_type(pool):
    with pytest.raises(InvalidParameterError, match="dims must be 2 or 3"):
        pool.run(raise_invalid)


def test_a_killed_worker_raises_worker_error_and_the_pool_recovers(pool):
    with pytest.raises(WorkerError, match="stopped unexpectedly"):
        pool.run(die)
    pid, _ = pool.run(where_am_i)
    assert pid != os.getpid()


def test_zero_workers_runs_in_the_calling_thread(monkeypatch):
    monkeypatch.setenv("EMBEDLAB_WORKERS", "0")
    assert worker_count() == 0 and shared_pool() is None
    assert run_in_worker(where_am_i) == (os.getpid(), threading.current_thread().name)
    seen = []
    run_in_worker(slow_count, os.devnull, 0.0, progress=lambda m, f: seen.append(f))
    assert seen[-1] == 1.0


@pytest.mark.parametrize("raw", ["-1", "two", "65"])
def test_bad_worker_count_is_refused(monkeypatch, raw):
    monkeypatch.setenv("EMBEDLAB_WORKERS", raw)
    with pytest.raises(InvalidParameterError, match=r"EMBEDLAB_WORKERS=.* is not allowed; must be a whole number in \[0, 64\]"):
        worker_count()


@pytest.mark.parametrize("processes", [0, 2.9, True])
def test_pool_size_must_be_a_positive_whole_number(processes):
    with pytest.raises(InvalidParameterError, match=rf"processes={processes!r} is not allowed; must be a whole number >= 1"):
        WorkerPool(processes)


def test_workers_do_not_run_the_parents_main_script(tmp_path, monkeypatch):
    """Under `streamlit run`, sys.modules["__main__"] is the page being run; a spawned worker
    must not import (= run) it."""
    import sys
    import types

    marker = tmp_path / "ran"
    script = tmp_path / "page_script.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('imported')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    fresh = WorkerPool(1)
    try:
        pid, _ = fresh.run(where_am_i)
    finally:
        fresh.shutdown()
    assert pid != os.getpid()
    assert not marker.exists(), "the worker imported the parent's main script"
    assert sys.modules["__main__"] is fake_main      # put back after the spawn


def test_leaving_the_interpreter_does_not_wait_for_a_running_task(tmp_path):
    """concurrent.futures joins its pools at exit, which waited for a running UMAP or the numba
    warm-up (72 s after a short test run); running workers are killed first instead."""
    import subprocess
    import sys

    started = tmp_path / "started"
    finished = tmp_path / "finished"
    script = tmp_path / "leave.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {os.getcwd()!r})\n"
        "from embedlab.runtime.workers import WorkerPool\n"
        "from tests.runtime.test_workers import sleep_then_write\n"
        "pool = WorkerPool(1)\n"
        f"pool.submit(sleep_then_write, {str(started)!r}, {str(finished)!r}, 3600)\n"
        "deadline = time.time() + 120\n"
        f"while not __import__('os').path.exists({str(started)!r}) and time.time() < deadline:\n"
        "    time.sleep(0.1)\n"
        "print('leaving', flush=True)\n")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                         cwd=os.getcwd())
    assert out.returncode == 0, out.stderr
    assert "leaving" in out.stdout and started.exists()
    assert not finished.exists()


def sleep_then_write(started: str, finished: str, seconds: float):
    open(started, "w").close()
    time.sleep(seconds)
    open(finished, "w").close()


def test_workers_exit_when_the_server_that_started_them_is_killed(tmp_path):
    """A server stopped without its clean-up (SIGTERM, SIGKILL) used to leave each pool worker waiting
    on its task queue for ever (one 40-130 MB orphan per stopped server). A process that starts a
    pool and dies with os._exit (no atexit, no shutdown): its workers are gone within seconds."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    code = ("import os, sys\n"
            "from embedlab.runtime.workers import WorkerPool\n"
            "pool = WorkerPool(1)\n"
            "open(sys.argv[1], 'w').write(' '.join(map(str, pool.pids())))\n"
            "os._exit(0)\n")
    pid_file = tmp_path / "pids"
    # (no pipes: a worker left running would hold them open)
    out = subprocess.run([sys.executable, "-c", code, str(pid_file)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, timeout=120, cwd=str(Path(__file__).resolve().parents[2]))
    assert out.returncode == 0
    pids = [int(p) for p in pid_file.read_text().split()]
    assert len(pids) == 1

    def alive(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().split()[2] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 15
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in pids), f"orphaned workers {pids} still running"
