"""The default set's UMAP / t-SNE computed in the background at server start (ui.precompute), and
the Map keeping the previous picture while a new layout computes (ui.map_layout); issue 12 item 3."""
from __future__ import annotations

import json

import numpy as np
import pytest

from embedlab import EmbeddingSet
from embedlab.io.cache import cache_dir
from embedlab.space import projection as projection_module
from embedlab.space.projection import Projection, project
from tests.app.helpers import open_page
from ui import cached, map_layout, precompute

PAGE = "app_pages/1_Map.py"


class _StubProject:
    """Stands in for embedlab.space.projection.project: records each call, returns known coordinates."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.refuse = False

    def __call__(self, data, *, method="pca", dims=2, seed=0, progress=None, **kw):
        v = np.asarray(data, dtype=np.float32)
        if method == "pca":
            return _REAL_PROJECT(v, method=method, dims=dims, seed=seed, progress=progress, **kw)
        if v.shape != (64, 8):          # (embedlab.space.projection.warm_up's tiny data: not a layout)
            assert not self.refuse, f"the Map fitted {method} of {len(v)} points in front of the user"
            self.calls.append((len(v), method, dims, seed))
        if progress is not None:
            progress("stub", 1.0)
        coords = np.ascontiguousarray(v[:, :dims] * (1.0 if method == "umap" else -1.0))
        coords.flags.writeable = False
        return Projection(coords, method, dims, {}, None, False)


_REAL_PROJECT = project


@pytest.fixture
def stub(monkeypatch):
    """A stubbed layout function run in this process (EMBEDLAB_WORKERS=0), precompute switched on,
    and the once-per-process caches emptied before and after."""
    s = _StubProject()
    monkeypatch.setattr(projection_module, "project", s)
    monkeypatch.setenv("EMBEDLAB_WORKERS", "0")
    monkeypatch.setenv("EMBEDLAB_PRECOMPUTE", "1")
    precompute.start_precompute.clear()
    with cached._projections_lock:
        cached._projections.clear()
    yield s
    precompute.start_precompute.clear()
    with cached._projections_lock:
        cached._projections.clear()


def test_switch_reads_the_environment(monkeypatch):
    for value, on in (("0", False), ("off", False), ("false", False), ("1", True), ("", True)):
        monkeypatch.setenv(precompute.ENV, value)
        assert precompute.enabled() is on, value
    monkeypatch.delenv(precompute.ENV)
    assert precompute.enabled()


def test_server_start_hook_fills_the_cache_the_map_reads_with_its_default_parameters(stub, words):
    # the first run of any page starts the precompute thread (ui.setup.draw_sidebar)
    at = open_page(PAGE)
    thread = precompute.start_precompute()          # the same once-per-process object the run started
    assert thread is not None and thread.name == "embedlab-precompute"
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert stub.calls == [(5000, "umap", 2, 0), (5000, "tsne", 2, 0)]
    base = np.asarray(cached.frequent_rows(words, 5000))
    for method in ("umap", "tsne"):
        assert cached.projection_key(words, base, method, 2) in cached._projections

    # the Map with its default parameters, switched to UMAP then t-SNE: answered from that cache,
    # no fit, no progress bar
    stub.refuse = True
    for method in ("umap", "tsne"):
        at.radio(key="map_method").set_value(method).run()
        assert not at.exception, at.exception
        assert not at.get("progress")
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert spec["layout"]["xaxis"]["title"]["text"].startswith("UMAP 1" if method == "umap" else "t-SNE 1")

    # another size (or set) still computes a layout of its own, with the previous picture shown meanwhile
    stub.refuse = False
    at.selectbox(key="map_n").set_value(1000).run()
    assert not at.exception, at.exception
    assert stub.calls[-1] == (1000, "tsne", 2, 0)
    assert at.session_state[map_layout.PREVIOUS_FIGURE] is not None


def test_hook_is_off_with_the_switch(monkeypatch):
    monkeypatch.setenv("EMBEDLAB_PRECOMPUTE", "0")
    precompute.start_precompute.clear()
    try:
        assert precompute.start_precompute() is None
    finally:
        precompute.start_precompute.clear()


def test_precompute_runs_the_real_layouts_and_fills_the_disk_cache(monkeypatch):
    """The real UMAP and t-SNE (no stub), on a small hand-built set: both land in the disk cache
    under the keys a later request computes, and in ui.cached's memory."""
    monkeypatch.setenv("EMBEDLAB_WORKERS", "0")
    rng = np.random.default_rng(0)
    tokens = [f"w{i}" for i in range(60)]
    es = EmbeddingSet(tokens, rng.normal(size=(60, 8)).astype(np.float32), name="precompute-toy")
    before = set(cache_dir().glob("projection-*.npz"))
    keys = precompute.precompute_default_layouts(es)
    base = np.asarray(cached.frequent_rows(es, 5000))
    assert len(base) == 60
    assert keys == [cached.projection_key(es, base, m, 2) for m in ("umap", "tsne")]
    written = set(cache_dir().glob("projection-*.npz")) - before
    methods = sorted(json.loads(p.with_suffix(".json").read_text())["method"] for p in written)
    assert methods == ["tsne", "umap"]
    for m in ("umap", "tsne"):
        again = project(es.vectors[base], method=m, dims=2, seed=0)
        assert again.from_cache and again.coords.shape == (60, 2)
        np.testing.assert_array_equal(again.coords, cached.projection(es, base, m, 2).coords)


def test_a_precompute_cut_off_by_the_process_stopping_logs_no_failure():
    # seen: a script that opened the app and ended left "precomputing the umap layout … failed" and a
    # traceback (the worker pool refuses new tasks once the main thread has ended)
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    code = textwrap.dedent('''
        import logging, sys, threading, time
        logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
        from embedlab.runtime import workers
        from ui import cached, precompute

        class Set:
            name = "toy"

        def projection(*args, **kwargs):       # a layout still running in the worker when the process ends
            return workers.run_in_worker(time.sleep, 60)

        cached.projection = projection
        precompute.default_rows = lambda es: [0, 1]
        worker = threading.Thread(target=precompute.precompute_default_layouts, args=(Set(),), daemon=True)
        # at exit, after the pool's own hook (registered later, run first) has killed the worker: wait
        # for the thread's last word
        threading._register_atexit(lambda: worker.join(20))
        worker.start()
        while workers.shared_pool() is None:
            time.sleep(0.05)
        time.sleep(2.0)                                        # the task has started in the worker
    ''')
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "precomputing stopped: the server is shutting down" in out.stdout, (out.stdout, out.stderr)
    assert "failed" not in out.stdout + out.stderr and "Traceback" not in out.stdout + out.stderr
