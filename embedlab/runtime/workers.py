"""Long, GIL-holding computations in a separate process, so one user's work does not stall others.

UMAP (with pynndescent inside it, also behind openTSNE's neighbour search) is numba code that holds
Python's global interpreter lock while it runs. In the app every browser session is a thread of
one server process, so a 40-second UMAP run in a thread freezes every other student's page for
those 40 seconds. :class:`WorkerPool` runs such functions in a pool of ``spawn``-ed processes
(:class:`concurrent.futures.ProcessPoolExecutor`) instead, and adds what the app needs on top:

- progress: the function is given a ``progress(message, fraction)`` callable that works across
  the process boundary; the caller's own ``progress`` is called in the *caller's* thread (so a
  Streamlit page can move its progress bar from it);
- sharing: callers that pass the same ``key`` while a task is running wait for that one task
  instead of queueing a copy (thirty students pressing "UMAP" on the default set = one run);
- healing: a worker that dies (killed, out of memory) while idle, while starting up or during a
  task breaks the executor; the next request finds it broken, builds a fresh one and goes on. A
  request that had not started yet when its worker died is retried once on the fresh pool; only
  the request that was *running* in the dead worker gets :class:`~embedlab.core.errors.WorkerDied`
  (one line), since running it again might kill the next worker the same way.

Only our own functions and arrays cross the process boundary (pickled over a pipe between
processes of this program); nothing a user uploads is ever unpickled.

``EMBEDLAB_WORKERS`` sets the number of processes of the shared pool (default 1, leaving the
other core to the web server on a 2-core machine); ``0`` runs tasks in the calling thread.
"""
from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import multiprocessing
import os
import pickle
import queue
import struct
import sys
import threading
import time
import types
import weakref
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Hashable

from ..core.errors import EmbedLabError, WorkerDied, WorkerError
from ..core.validate import check_int, invalid
from . import internals

logger = logging.getLogger(__name__)

__all__ = ["WorkerPool", "shared_pool", "run_in_worker", "worker_count", "no_main_module", "lower_priority",
           "crossable_error", "exiting", "BACKGROUND_NICENESS"]

Progress = Callable[[str, float], Any]

# -- the worker side ---------------------------------------------------------------------------
_progress_queue = None      # set in each worker process by _init_worker
_started_pipe = None        # likewise: the write end of the pool's "task started" pipe
_TASK_ID = struct.Struct("<q")


BACKGROUND_NICENESS = 10
"""Worker and training processes run this much "nicer" than the web server (Linux ``nice``), so
that the pages of every session get the CPU first and long computations take what is left."""


def lower_priority(increment: int = BACKGROUND_NICENESS) -> None:
    """Make the calling process nicer by ``increment`` (where the OS allows it; else nothing)."""
    try:
        os.nice(increment)
    except (AttributeError, OSError):      # no os.nice (Windows) or not permitted: run as is
        logger.debug("could not lower the priority of process %d", os.getpid())


#: seconds between a worker's checks that the process that started it is still alive
PARENT_CHECK_SECONDS = 1.0


def exit_with_parent(check_seconds: float = PARENT_CHECK_SECONDS) -> threading.Thread | None:
    """In a spawned process: a daemon thread that ends this process (``os._exit``) once its parent
    is gone. A pool worker waits on its task queue, whose pipe it holds both ends of, so a server
    killed without its clean-up (SIGTERM, SIGKILL) left every worker waiting for ever, 40-130 MB each
    (seen: one orphan per stopped server). Returns the thread, or None outside a spawned process."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return None

    def watch() -> None:
        while True:
            parent.join(check_seconds)       # (returns when the parent's sentinel closes, or after the wait)
            if not parent.is_alive():
                os._exit(0)

    thread = threading.Thread(target=watch, name="embedlab-exit-with-parent", daemon=True)
    thread.start()
    return thread


def _init_worker(progress_queue, started_pipe, warm_up: Callable[[], Any] | None = None) -> None:
    global _progress_queue, _started_pipe
    _progress_queue, _started_pipe = progress_queue, started_pipe
    exit_with_parent()
    lower_priority()
    if warm_up is not None:
        warm_up()


def _call(task_id: int, fn: Callable, args: tuple, kwargs: dict, wants_progress: bool):
    """Runs in the worker: ``fn(*args, progress=..., **kwargs)``; EmbedLabErrors come back as they are."""
    # From here on, a death is this task's. The id is written to the pipe before the task runs, in
    # one write of 12 bytes (atomic on a pipe, so workers need no lock a killed one could leave
    # taken). It went through the progress queue before, whose feeder thread sends *later*: a
    # worker at nice +10 on a busy machine could be killed right after its task began with the
    # message still unsent, and the task was run a second time (CI of 958e507).
    with contextlib.suppress(OSError):      # (a pool already replaced: nobody reads the pipe any more)
        _started_pipe.send_bytes(_TASK_ID.pack(task_id))
    if wants_progress:
        last = [0.0]

        def progress(message: str, fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.1 or fraction >= 1.0:      # at most ~10 messages a second
                last[0] = now
                _progress_queue.put((task_id, str(message), float(fraction)))

        kwargs = {**kwargs, "progress": progress}
    try:
        return fn(*args, **kwargs)
    except EmbedLabError as exc:
        crossing = crossable_error(exc, WorkerError)
        if crossing is exc:
            raise
        raise crossing from None


def crossable_error(exc: EmbedLabError, fallback: type[EmbedLabError]) -> EmbedLabError:
    """``exc`` if it survives the trip to the parent process (pickled over a pipe), else
    ``fallback(str(exc))``. Only our own exception object is pickled and read back here, in the
    same process; nothing received from outside is unpickled."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - an error class whose pickle does not round-trip
        return fallback(str(exc))


def _pid() -> int:
    return os.getpid()


@contextlib.contextmanager
def no_main_module():
    """Hide ``__main__`` from ``spawn`` while worker processes start.

    A spawned child imports the parent's main module (by path or name) before it runs
    anything. Under ``streamlit run`` that "main module" is the page script Streamlit is
    executing (it installs each script as ``sys.modules["__main__"]``), so every worker would
    run a whole page in bare mode. With a stand-in module that has no file and no spec, the
    child imports no main module at all; our tasks are module-level functions of embedlab.
    """
    real = sys.modules.get("__main__")
    stand_in = types.ModuleType("__main__")
    sys.modules["__main__"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("__main__") is stand_in:     # (a script run may have replaced it meanwhile)
            if real is None:
                del sys.modules["__main__"]
            else:
                sys.modules["__main__"] = real


# -- the caller side ---------------------------------------------------------------------------
class _Task:
    __slots__ = ("task_id", "key", "future", "executor", "started_pipe", "latest", "started")

    def __init__(self, task_id: int, key, future: Future, executor=None, started_pipe=None):
        self.task_id, self.key, self.future, self.executor = task_id, key, future, executor
        self.started_pipe = started_pipe        # the read end the task's worker reports its start on
        self.latest: tuple[str, float] | None = None
        self.started = False        # set when the worker reports that it began running this task


_DIED = ("The background process computing this stopped unexpectedly (out of memory, or killed). "
         "Try again, or with fewer points.")


class WorkerPool:
    """A pool of worker processes for long computations, with progress and shared tasks.

    Parameters
    ----------
    processes : int
        Worker processes (>= 1). They are started on the first :meth:`run`, with the ``spawn``
        method (a fork of a multi-threaded web server is unsafe).
    warm_up : callable, optional
        A module-level function each worker runs once when it starts, before any task.

    Examples
    --------
    >>> pool = WorkerPool(1)
    >>> pool.run(sum, [1, 2, 3])
    6
    >>> pool.shutdown()
    """

    def __init__(self, processes: int = 1, *, warm_up: Callable[[], Any] | None = None):
        self.processes = check_int(processes, "processes", minimum=1)
        self.warm_up = warm_up
        self.restarts = 0           # executors rebuilt after a worker died
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._queue = None
        self._started_pipe = None       # read end of the executor's "task started" pipe
        self._tasks: dict[int, _Task] = {}
        self._by_key: dict[Hashable, _Task] = {}
        self._ids = itertools.count(1)

    # the pool and the thread that routes progress messages to tasks
    def _start(self) -> ProcessPoolExecutor:
        """The executor (caller holds the lock): a broken one (a worker died) is replaced first."""
        if self._executor is not None and internals.executor_broken(self._executor):
            logger.warning("a worker process died; starting a fresh pool")
            self.restarts += 1
            self._reset_locked(self._executor)
        if self._executor is None:
            _kill_at_exit(self)
            self._queue = self._ctx.Queue()
            self._started_pipe, started_w = self._ctx.Pipe(duplex=False)
            self._executor = ProcessPoolExecutor(self.processes, mp_context=self._ctx, initializer=_init_worker,
                                                 initargs=(self._queue, started_w, self.warm_up))
            threading.Thread(target=self._route, args=(self._queue,), name="embedlab-worker-progress",
                             daemon=True).start()
        return self._executor

    def _route(self, q) -> None:
        """Take progress messages off ``q`` until the pool stops using it. (This process never writes
        to ``q``: a worker killed while writing leaves the queue's write lock taken for good, and a
        write of ours would then block, and with it the interpreter's exit.)"""
        while True:
            try:
                item = q.get(timeout=0.5)
            except queue.Empty:
                if self._queue is not q:
                    return
                continue
            except Exception:  # noqa: BLE001 - closed queue / interpreter exit: this pool is gone
                return
            task_id, message, fraction = item
            task = self._tasks.get(task_id)
            if task is not None:
                task.latest = (message, fraction)

    def _take_started_locked(self, pipe) -> None:
        """Mark the tasks whose start is waiting in ``pipe`` (caller holds the lock). Called before a
        task is forgotten and when its worker died, so the mark is there when it is looked at; the
        pipe holds at most one message per task begun since, so it never fills."""
        with contextlib.suppress(OSError, EOFError):        # (a closed pipe: its pool is gone)
            while pipe is not None and pipe.poll(0):
                (task_id,) = _TASK_ID.unpack(pipe.recv_bytes())
                task = self._tasks.get(task_id)
                if task is not None:
                    task.started = True

    def _forget(self, task: _Task) -> None:
        with self._lock:
            self._take_started_locked(task.started_pipe)
            self._tasks.pop(task.task_id, None)
            if task.key is not None and self._by_key.get(task.key) is task:
                del self._by_key[task.key]

    def _reset(self, executor, *, kill: bool = False) -> None:
        with self._lock:
            self._reset_locked(executor, kill=kill)

    def _reset_locked(self, executor, *, kill: bool = False) -> None:
        if self._executor is executor and executor is not None:
            self._executor = None
            self._queue = None          # (its router thread sees the queue is no longer this pool's and ends)
            self._started_pipe = None   # (kept by the executor's tasks while they need it)
            procs = list(internals.executor_processes(executor).values()) if kill else []
            executor.shutdown(wait=False, cancel_futures=True)
            for proc in procs:
                with contextlib.suppress(Exception):
                    proc.kill()

    def submit(self, fn: Callable, /, *args, key: Hashable | None = None, with_progress: bool = False,
               **kwargs) -> Future:
        """Start ``fn(*args, **kwargs)`` in a worker (or join the running task with the same ``key``).

        With ``with_progress`` the function is also given ``progress=``; see :meth:`run`."""
        return self._submit(fn, args, kwargs, key, with_progress).future

    def _submit(self, fn: Callable, args: tuple, kwargs: dict, key: Hashable | None, with_progress: bool) -> _Task:
        with self._lock:
            task = self._by_key.get(key) if key is not None else None
            if task is not None and not task.future.done():
                return task
            task_id = next(self._ids)
            for attempt in (1, 2):
                executor = self._start()
                try:
                    with no_main_module():      # worker processes are spawned here, on demand
                        future = executor.submit(_call, task_id, fn, args, kwargs, with_progress)
                    break
                except BrokenProcessPool:       # a worker died since _start looked: build a fresh pool once
                    if attempt == 2:
                        raise WorkerError(_DIED) from None
                    self.restarts += 1
                    self._reset_locked(executor)
            task = _Task(task_id, key, future, executor, self._started_pipe)
            self._tasks[task_id] = task
            if key is not None:
                self._by_key[key] = task
        future.add_done_callback(lambda f, t=task: self._forget(t))
        return task

    def run(self, fn: Callable, /, *args, key: Hashable | None = None, progress: Progress | None = None,
            poll: float = 0.2, **kwargs):
        """Run ``fn(*args, **kwargs)`` in a worker process and return its result.

        Parameters
        ----------
        fn : callable
            A module-level function (it is pickled by reference). When ``progress`` is given,
            ``fn`` must accept a ``progress=`` keyword: it receives a callable that forwards
            ``(message, fraction)`` to the caller.
        key : hashable, optional
            Callers with the same key share one running task (and its progress).
        progress : callable(message, fraction), optional
            Called in the calling thread, every ``poll`` seconds at most, with the latest
            progress of the task; first with a "waiting" message while earlier tasks run.

        Raises
        ------
        EmbedLabError
            What ``fn`` raised, if it was an EmbedLabError.
        WorkerDied
            The worker process died (killed, out of memory) while running this call; the pool is
            rebuilt on the next call. A call that had not started when a worker died is run again
            once on a fresh pool instead.
        WorkerError
            The worker process could not start or run the computation.
        """
        task = self._submit(fn, args, kwargs, key, progress is not None)
        future, executor = task.future, task.executor
        retried = False
        shown = None
        if progress is not None and task.latest is None:
            # (the executor marks queued calls "running" early, so count the unfinished tasks instead)
            ahead = sum(1 for t in list(self._tasks.values()) if t.task_id < task.task_id and not t.future.done())
            ahead -= self.processes - 1
            if ahead > 0:
                shown = (f"Waiting for {ahead} other computation{'s' if ahead > 1 else ''} to finish…", 0.0)
                progress(*shown)
        while True:
            try:
                return future.result(timeout=poll)
            except FutureTimeout:
                if progress is not None and task.latest is not None and task.latest != shown:
                    shown = task.latest
                    progress(*shown)
            except BrokenProcessPool as exc:
                with self._lock:                  # (the future's callbacks, _forget among them, may not have run)
                    self._take_started_locked(task.started_pipe)
                self._reset(executor)
                if task.started or retried:
                    raise WorkerDied(_DIED) from exc
                retried = True                    # it never ran: run it once more, on a fresh pool
                logger.warning("a worker process died before task %d started; running it again", task.task_id)
                task = self._submit(fn, args, kwargs, key, progress is not None)
                future, executor = task.future, task.executor
            except EmbedLabError:
                raise
            except (OSError, RuntimeError) as exc:
                if isinstance(exc, EmbedLabError):
                    raise
                self._reset(executor)
                raise WorkerError(f"The background process could not run the computation: {exc}") from exc

    def pids(self) -> list[int]:
        """Process ids of the running workers (starts the pool if needed)."""
        self.run(_pid)
        ex = self._executor
        return sorted(internals.executor_processes(ex)) if ex is not None else []

    def shutdown(self, *, kill: bool = False) -> None:
        """Stop the workers: queued tasks are cancelled; a running task finishes in the background,
        or with ``kill`` its process is killed at once (its caller gets :class:`WorkerError`)."""
        self._reset(self._executor, kill=kill)


# -- leaving the interpreter --------------------------------------------------------------------
# concurrent.futures joins every process pool's manager thread when the interpreter exits, and
# that waits for running tasks: stopping the server (or pytest) during a UMAP or the numba
# warm-up waited for it to finish (72 s for the warm-up at nice +10). Running pools are killed
# first instead, from a hook that runs before the library's own (threading's exit hooks run in
# reverse order of registration, and concurrent.futures registers when it is imported).
_live_pools: "weakref.WeakSet[WorkerPool]" = weakref.WeakSet()
_exit_hook = False


def _kill_at_exit(pool: WorkerPool) -> None:
    global _exit_hook
    _live_pools.add(pool)
    if not _exit_hook:
        _exit_hook = internals.register_before_pool_exit(_kill_live_pools)


_exiting = threading.Event()


def exiting() -> bool:
    """True once the process has begun to exit and its pools are being killed: a task that fails from
    then on failed because of that (the pool refuses new tasks, a running one's worker is gone)."""
    return _exiting.is_set()


def _kill_live_pools() -> None:
    _exiting.set()
    for pool in list(_live_pools):
        with contextlib.suppress(Exception):
            pool.shutdown(kill=True)


# -- one pool per process ---------------------------------------------------------------------
_shared: WorkerPool | None = None
_shared_lock = threading.Lock()


def worker_count() -> int:
    """Processes of the shared pool: ``$EMBEDLAB_WORKERS`` (default 1; 0 = run in the caller's thread).

    Raises
    ------
    InvalidParameterError
        If the variable is not a whole number from 0 to 64.
    """
    raw = os.environ.get("EMBEDLAB_WORKERS", "1").strip() or "1"
    try:
        n = int(raw)
    except ValueError:
        raise invalid("EMBEDLAB_WORKERS", raw, "a whole number in [0, 64]") from None
    return check_int(n, "EMBEDLAB_WORKERS", minimum=0, maximum=64)


def shared_pool() -> WorkerPool | None:
    """The process-wide pool (created on first use), or None when ``EMBEDLAB_WORKERS=0``."""
    global _shared
    n = worker_count()
    if n == 0:
        return None
    with _shared_lock:
        if _shared is None or _shared.processes != n:
            if _shared is not None:
                _shared.shutdown()
            _shared = WorkerPool(n)
        return _shared


def run_in_worker(fn: Callable, /, *args, key: Hashable | None = None, progress: Progress | None = None,
                  **kwargs):
    """``fn(*args, **kwargs)`` in the shared pool (in this thread when ``EMBEDLAB_WORKERS=0``).

    Same arguments and errors as :meth:`WorkerPool.run`.

    >>> run_in_worker(max, 3, 7)
    7
    """
    pool = shared_pool()
    if pool is None:
        if progress is not None:
            kwargs = {**kwargs, "progress": progress}
        return fn(*args, **kwargs)
    return pool.run(fn, *args, key=key, progress=progress, **kwargs)


@atexit.register
def _shutdown_shared() -> None:
    if _shared is not None:
        _shared.shutdown(kill=True)
