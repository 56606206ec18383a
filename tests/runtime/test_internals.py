"""Private internals of dependencies used by embedlab.runtime: each must still exist (fails loudly if not)."""
from __future__ import annotations

import threading
from concurrent.futures import ProcessPoolExecutor


from embedlab.runtime import internals


def test_installed_versions_are_the_tested_ones():
    assert internals.check_versions() == [], "re-verify the internals in embedlab/runtime/internals.py"


def test_an_untested_version_is_named():
    found = internals.check_versions(lambda name: {"python": "3.14.0", "pynndescent": "0.7.2"}[name])
    assert found == ["python 3.14.0 is not a version the private internals used by embedlab.runtime were tested "
                     "with (3.9 to before 3.14)"]


def test_threading_register_atexit_exists():
    assert callable(getattr(threading, "_register_atexit", None)), "threading._register_atexit is gone"


def test_process_pool_executor_keeps_its_processes_in_processes():
    import multiprocessing

    from embedlab.runtime.workers import no_main_module

    ex = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        with no_main_module():       # as WorkerPool spawns: the child does not re-import pytest's __main__
            future = ex.submit(int, "7")
        assert future.result(timeout=120) == 7
        procs = internals.executor_processes(ex)
        assert "_processes" in vars(ex), "ProcessPoolExecutor._processes is gone"
        assert len(procs) == 1 and all(p.pid == pid for pid, p in procs.items())
    finally:
        ex.shutdown()
