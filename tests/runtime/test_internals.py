"""Private internals of dependencies used by embedlab.runtime: each must still exist (fails loudly if not)."""
from __future__ import annotations

import threading
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

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


def test_pynndescent_state_round_trip_without_the_data():
    pytest.importorskip("pynndescent")
    from pynndescent import NNDescent
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 8)).astype(np.float32)
    nnd = NNDescent(x, metric="cosine", n_neighbors=10, random_state=0, n_jobs=1)
    nnd.prepare()
    assert hasattr(NNDescent, "__getstate__") and hasattr(NNDescent, "__setstate__")
    state = internals.nndescent_state_for_transfer(nnd)
    assert "_raw_data" in state and state["_raw_data"] is None
    order = internals.nndescent_vertex_order(state)
    assert sorted(order.tolist()) == list(range(300)), "NNDescent's state has no _vertex_order permutation"
    rebuilt = internals.nndescent_from_state(state, normalize(x[order], norm="l2"))
    np.testing.assert_array_equal(rebuilt.query(x[:5], k=4)[0], nnd.query(x[:5], k=4)[0])
