"""Issue 11 item 1 in the app: the Map's UMAP still draws after the shared worker died while idle
(before the fix every session got a BrokenProcessPool traceback box until the server restarted)."""
from __future__ import annotations

import json
import os
import signal
import time

from embedlab.runtime import internals
from embedlab.runtime.workers import shared_pool
from tests.app.helpers import open_page


def test_map_umap_draws_after_the_idle_worker_was_killed(monkeypatch):
    import ui.cached

    monkeypatch.setenv("EMBEDLAB_WORKERS", "1")
    pool = shared_pool()
    [pid] = pool.pids()
    os.kill(pid, signal.SIGKILL)
    deadline = time.time() + 30
    while not internals.executor_broken(pool._executor) and time.time() < deadline:
        time.sleep(0.05)
    assert internals.executor_broken(pool._executor)
    with ui.cached._projections_lock:
        ui.cached._projections.clear()          # so the page really asks the (dead) worker
    # generous: a fresh worker is spawned and compiles UMAP's numba code at nice +10 (200 s alone on a
    # machine with load 24; 118 s when quieter)
    at = open_page("app_pages/1_Map.py", timeout=600, n="1000", color="none", method="umap")
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "UMAP 1" in spec["layout"]["xaxis"]["title"]["text"]
    assert pid not in pool.pids()
