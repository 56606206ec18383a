"""embedlab.core.blas: the one owner of numpy's BLAS thread count (issue 12's note: a process left at one
BLAS thread for good by limiters in different threads that overlapped)."""
from __future__ import annotations

import threading

import pytest
from threadpoolctl import threadpool_limits

from embedlab.core import blas


@pytest.fixture(autouse=True)
def _two_threads():
    if blas.default_threads() < 2:
        pytest.fail("these tests need a BLAS of 2+ threads (the machine has one core?)")
    with blas.one_thread():        # whatever state the process was in: the owner puts the default back
        pass
    assert blas.threads() == blas.default_threads()
    yield
    assert blas.threads() == blas.default_threads()


def _in_thread(steps):
    """Run ``steps`` (a generator function) in a new thread, one step (up to its next ``yield``, or its
    end) each time the returned ``step()`` is called; ``step()`` returns once that step is done."""
    go, done = threading.Semaphore(0), threading.Semaphore(0)
    errors = []

    def body():
        gen = steps()
        while True:
            go.acquire()
            try:
                next(gen)
            except StopIteration:
                done.release()
                return
            except BaseException as exc:  # noqa: BLE001 - reported by step()
                errors.append(exc)
                done.release()
                return
            done.release()

    t = threading.Thread(target=body, daemon=True)
    t.start()

    def step():
        go.release()
        assert done.acquire(timeout=30), "the thread's step did not end within 30 s"
        if errors:
            raise errors[0]

    return t, step


def test_two_threads_whose_limits_overlap_give_the_threads_back_when_the_last_leaves():
    def holder():
        with blas.one_thread():
            yield
        yield

    a, step_a = _in_thread(holder)
    b, step_b = _in_thread(holder)
    step_a()                       # A in
    step_b()                       # B in
    step_a()                       # A out: B still holds it
    assert blas.threads() == 1
    step_a()
    a.join(30)                     # A's thread has ended
    step_b()                       # B out, from a thread that never was the first to set it
    step_b()
    b.join(30)
    assert blas.threads() == blas.default_threads()


def test_a_threadpoolctl_limit_in_another_thread_cannot_leave_it_at_one_thread():
    # the KMeans case: scikit-learn limits BLAS to one thread inside its fit, with threadpoolctl, in
    # whatever thread runs it; entered while ours held one thread, it saved 1 and, after ours was over
    # and its thread gone, put 1 back for good
    def ours():
        with blas.one_thread():
            yield
        yield

    def theirs():
        with threadpool_limits(limits=1, user_api="blas"):
            yield
        yield

    y, step_y = _in_thread(ours)
    t, step_t = _in_thread(theirs)
    step_y()                       # ours in: one thread
    step_t()                       # theirs in: saves 1
    step_y()                       # ours out: the default again
    step_y()
    y.join(30)                     # ours's thread ended
    step_t()                       # theirs out: restores what it saved
    step_t()
    t.join(30)
    assert blas.threads() == blas.default_threads()


def test_one_thread_inside_and_the_default_after_an_error():
    with pytest.raises(ValueError):
        with blas.one_thread():
            assert blas.threads() == 1
            with blas.one_thread():
                assert blas.threads() == 1
            assert blas.threads() == 1            # the outer holder still holds it
            raise ValueError("x")
    assert blas.threads() == blas.default_threads()
