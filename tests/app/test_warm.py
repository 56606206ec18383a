"""The server's start-up warm-up (ui.warm, run by server.py's st.App lifespan): after it, the Map's
default view computes nothing in front of the first user (issue 12: the first Map in seconds)."""
from __future__ import annotations

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import embedlab
from embedlab.space import clusters, distortion, frequency, projection
from tests.app.helpers import APP, open_page, run_async
from ui import cached, precompute, warm

PAGE = "app_pages/1_Map.py"


def _empty_caches():
    st.cache_data.clear()
    cached.pca_fit.clear()
    with cached._projections_lock:
        cached._projections.clear()


@pytest.fixture
def computing_forbidden(monkeypatch):
    """After this, any PCA fit, k-means, distortion measure or frequency ranking raises: the page may
    only read caches. Yields the list of what was attempted."""
    attempted: list[str] = []

    def forbid(module, name):
        def refuse(*args, **kwargs):
            attempted.append(name)
            raise AssertionError(f"{name} computed in front of the user")
        monkeypatch.setattr(module, name, refuse)

    def arm():
        for module, name in ((projection, "fit_pca"), (projection, "project"), (clusters, "kmeans_fit"),
                             (clusters, "cluster_names"), (distortion, "trustworthiness"),
                             (distortion, "neighbor_overlap"), (frequency, "most_frequent")):
            forbid(module, name)
        return attempted

    yield arm
    _empty_caches()


def test_after_the_warm_up_the_default_map_computes_nothing(computing_forbidden):
    _empty_caches()
    es = cached.builtin_set(embedlab.DEFAULT_SET)
    done = warm.warm_default_map(es)
    assert done["rows"] == 5000
    assert len(done["clusters"]) == warm.MAP_CLUSTERS and all(done["clusters"])
    assert 0.5 < done["trustworthiness"] <= 1.0
    assert done["figure_bytes"] > 100_000                     # the 5,000-point figure was drawn
    attempted = computing_forbidden()
    at = open_page(PAGE)
    assert not at.exception and attempted == []
    legend = [e.value for e in at.caption]
    assert any("5,000" in c for c in legend), legend           # the default view was drawn
    # the clusters the page shows are the warmed ones, named by their central words
    assert cached.cluster_names(es, cached.frequent_rows(es, 5000), warm.MAP_CLUSTERS) == done["clusters"]


def test_the_default_maps_clusters_frequencies_and_distortion_come_computed_ahead(monkeypatch):
    """embedlab.space.ahead: for the built-in default set, the warm-up itself computes no frequency
    order, k-means, cluster names or distortion (1.5 s at every server start before: the page that
    arrived with the server waited for it); only the PCA plane (0.08 s) is fitted."""
    _empty_caches()
    monkeypatch.setattr(frequency, "_orders", {})
    attempted = []
    for module, name in ((frequency, "token_frequencies"), (clusters, "kmeans_fit"), (clusters, "cluster_names"),
                         (distortion, "trustworthiness"), (distortion, "neighbor_overlap")):
        monkeypatch.setattr(module, name, lambda *a, _n=name, **k: attempted.append(_n) or 1 / 0)
    es = cached.builtin_set(embedlab.DEFAULT_SET)
    done = warm.warm_default_map(es)
    assert attempted == []
    assert done["rows"] == 5000 and len(done["clusters"]) == warm.MAP_CLUSTERS
    assert 0.5 < done["trustworthiness"] <= 1.0
    # another set is computed as before
    other = embedlab.EmbeddingSet(list(es.tokens[:400]), np.array(es.vectors[:400]), name="other")
    with pytest.raises(ZeroDivisionError):
        warm.warm_default_map(other)
    assert attempted == ["token_frequencies"]
    _empty_caches()


def test_the_umap_and_tsne_maps_are_warm_too(computing_forbidden, monkeypatch):
    # the layouts from a stand-in fit (in this process), then each method's default view: distortion too
    from tests.app.test_precompute import _StubProject

    stub = _StubProject()
    monkeypatch.setattr(projection, "project", stub)
    monkeypatch.setenv("EMBEDLAB_WORKERS", "0")
    _empty_caches()
    es = cached.builtin_set(embedlab.DEFAULT_SET)
    assert warm.warm_default_layout_views(es) == ["umap", "tsne"]
    assert stub.calls == [(5000, "umap", 2, 0), (5000, "tsne", 2, 0)]
    attempted = computing_forbidden()
    for method in ("umap", "tsne"):
        at = open_page(PAGE, method=method)
        assert not at.exception and attempted == [], method
        assert any("Trustworthiness" in c.value for c in at.caption), method


def test_without_the_warm_up_the_same_map_would_compute(computing_forbidden):
    # the control: the check above can fail (the page does compute when nothing was warmed)
    _empty_caches()
    cached.builtin_set(embedlab.DEFAULT_SET)
    attempted = computing_forbidden()
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert attempted, "the Map computed nothing without a warm-up: the test above proves nothing"
    assert at.exception


def test_the_hook_imports_the_pages_modules_and_is_off_with_the_switch(monkeypatch):
    assert warm.import_app_modules() == []
    monkeypatch.setenv(precompute.ENV, "0")
    assert warm.on_server_start() is None
    assert warm.start() is None and not warm.started()


def test_a_failing_step_is_logged_and_the_rest_goes_on(monkeypatch, caplog):
    monkeypatch.setattr(warm, "steps_done", {})

    def boom():
        raise RuntimeError("no weights")

    monkeypatch.setattr("ui.lessons.encoder", boom)
    monkeypatch.setattr(warm, "warm_default_map", lambda es: {"rows": 0})
    monkeypatch.setattr(cached, "start_warm_up", lambda: None)
    monkeypatch.setattr(warm, "warm_default_layout_views", lambda es: [])
    frozen = []
    monkeypatch.setattr(warm, "freeze_long_lived", lambda: frozen.append(dict(warm.steps_done)))
    with caplog.at_level("INFO", logger="ui.warm"):
        steps = warm.run_warm_up()
    # frozen once the default Map is ready (and Streamlit's first-element check run), and at the end
    assert [list(f)[-1] for f in frozen] == ["Streamlit's first-element check", "UMAP and t-SNE Maps"]
    assert list(steps) == ["default set", "app and Map scripts", "default Map", "Streamlit's first-element check",
                           "the other pages' scripts", "UMAP compilation (worker)", "UMAP and t-SNE Maps"]
    assert "transformer weights" not in steps
    assert any("transformer weights" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    assert np.all(np.diff(list(steps.values())) >= 0)      # times since the start, in order


def test_the_default_map_is_warmed_with_blas_on_one_thread(monkeypatch):
    """Beside the first browsers, two BLAS threads spun against them (one PCA fit with every core
    busy: 106 ms, against 39 ms on one thread); the setting is restored after."""
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    seen = []
    real = warm.rehearse_figure
    monkeypatch.setattr(warm, "rehearse_figure", lambda *a: seen.append(blas_threads()) or real(*a))
    _empty_caches()
    warm.warm_default_map(cached.builtin_set(embedlab.DEFAULT_SET))
    assert seen and all(n == 1 for n in seen[0]) and seen[0]
    assert blas_threads() == before
    _empty_caches()


def test_frozen_objects_are_left_out_of_the_collection_after_each_page_run():
    import gc
    import time

    class Cycle:
        pass

    def collect_seconds():
        t = time.perf_counter()
        gc.collect(2)
        return time.perf_counter() - t

    try:
        full = min(collect_seconds() for _ in range(3))
        before = len(gc.get_objects())
        assert warm.freeze_long_lived() >= before > 10_000     # this process's modules are in it
        assert len(gc.get_objects()) < before / 10
        assert min(collect_seconds() for _ in range(3)) < full / 5
        # what is made afterwards is still collected, cycles included
        made = Cycle()
        made.me = made
        import weakref
        ref = weakref.ref(made)
        del made
        gc.collect(2)
        assert ref() is None
    finally:
        gc.unfreeze()


class _Clock:
    """A fake monotonic clock: ``sleep`` moves it forward."""

    def __init__(self, t=100.0):
        self.t = t
        self.slept = []

    def __call__(self):
        return self.t

    def sleep(self, s):
        assert s > 0
        self.slept.append(s)
        self.t += s


def test_background_steps_wait_until_no_page_was_opened_or_run_for_a_while(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(warm, "_started", object())          # as in `make run`'s server
    monkeypatch.setattr(warm, "_last_activity", None)
    monkeypatch.setattr(warm.time, "monotonic", clock)
    assert warm.wait_for_quiet(10, 60, clock=clock, sleep=clock.sleep) == 0      # no page yet
    warm.note_activity()                                      # a page request at t = 100
    clock.t += 3
    assert warm.wait_for_quiet(10, 60, clock=clock, sleep=clock.sleep) == pytest.approx(7)
    assert clock.t == pytest.approx(110)
    warm.note_activity()
    assert warm.wait_for_quiet(10, 4, clock=clock, sleep=clock.sleep) == pytest.approx(4)   # capped


def test_pages_are_not_noted_when_the_server_was_not_warmed(monkeypatch):
    monkeypatch.setattr(warm, "_started", None)
    monkeypatch.setattr(warm, "_last_activity", None)
    warm.note_activity()
    assert warm._last_activity is None


def test_every_step_after_the_default_map_makes_way_for_the_pages(monkeypatch):
    monkeypatch.setattr(warm, "steps_done", {})
    events = []
    monkeypatch.setattr(warm, "wait_for_quiet", lambda *a, **k: events.append("wait") or 0.0)
    monkeypatch.setattr(cached, "builtin_set", lambda name: events.append("set") or "es")
    monkeypatch.setattr(warm, "warm_default_map", lambda es: events.append("map") or {"rows": 0})
    monkeypatch.setattr(warm, "compile_pages", lambda files=None: events.append(f"compile {files or 'rest'}"))
    monkeypatch.setattr(cached, "start_warm_up", lambda: events.append("umap compile"))
    monkeypatch.setattr("ui.lessons.encoder", lambda: events.append("weights"))
    monkeypatch.setattr(warm, "warm_default_layout_views", lambda es: events.append("layouts") or [])
    warm.run_warm_up()
    assert events == ["set", "compile ['app.py', 'app_pages/1_Map.py']", "map", "wait", "compile rest", "wait",
                      "umap compile", "wait", "weights", "wait", "layouts"]


def test_the_default_map_being_ready_holds_the_background_steps_back_as_a_request_would(monkeypatch):
    # a visitor who comes just after "default Map ready" must not meet the numba compiles: the first
    # background step waits QUIET_S from that moment even when no page was requested yet
    clock = _Clock()
    monkeypatch.setattr(warm, "_started", object())          # as in `make run`'s server
    monkeypatch.setattr(warm, "_last_activity", None)
    monkeypatch.setattr(warm.time, "monotonic", clock)
    monkeypatch.setattr(warm, "steps_done", {})
    waited = []
    real_wait = warm.wait_for_quiet
    monkeypatch.setattr(warm, "wait_for_quiet",
                        lambda: waited.append(real_wait(10, 60, clock=clock, sleep=clock.sleep)) or waited[-1])
    monkeypatch.setattr(cached, "builtin_set", lambda name: "es")
    monkeypatch.setattr(warm, "warm_default_map", lambda es: clock.sleep(2) or {"rows": 0})
    monkeypatch.setattr(warm, "compile_pages", lambda files=None: None)
    monkeypatch.setattr(cached, "start_warm_up", lambda: None)
    monkeypatch.setattr("ui.lessons.encoder", lambda: None)
    monkeypatch.setattr(warm, "warm_default_layout_views", lambda es: [])
    warm.run_warm_up()
    assert waited[0] == pytest.approx(10) and waited[1:] == [0, 0, 0]


@pytest.mark.parametrize("server_warms", [True, False], ids=["make run", "streamlit run app.py"])
def test_a_page_run_leaves_the_umap_compile_to_the_servers_warm_up(monkeypatch, server_warms):
    # started by the first page run, the worker's UMAP compile shared the cores with the browsers of the
    # first visitors (bench_first_map: the second Map of a warmed server 3.6-3.8 s against 2.9-3.0 s
    # without it); `make run`'s warm-up starts it once no page is opening, the bare app on its first run
    calls = []
    monkeypatch.setattr(cached, "start_warm_up", lambda: calls.append("umap compile"))
    monkeypatch.setattr(warm, "_started", object() if server_warms else None)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert calls == ([] if server_warms else ["umap compile"])


def test_the_page_middleware_notes_page_requests_only(monkeypatch):
    from ui import preload

    noted = []
    monkeypatch.setattr(warm, "note_activity", lambda: noted.append(1))

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message):
        pass

    mw = preload.PreloadIndexMiddleware(app, hrefs=[])
    for path in ("/Map", "/", "/static/js/PlotlyChart.x.js", "/_stcore/health"):
        run_async(mw({"type": "http", "method": "GET", "path": path, "headers": []}, None, send))
    assert len(noted) == 2


def test_the_quiet_time_is_set_by_its_variable(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(warm, "_started", object())
    monkeypatch.setattr(warm, "_last_activity", None)
    monkeypatch.setattr(warm.time, "monotonic", clock)
    warm.note_activity()
    monkeypatch.setenv(warm.QUIET_ENV, "0")
    assert warm.wait_for_quiet(max_wait_s=60, clock=clock, sleep=clock.sleep) == 0
    monkeypatch.setenv(warm.QUIET_ENV, "2.5")
    assert warm.wait_for_quiet(max_wait_s=60, clock=clock, sleep=clock.sleep) == pytest.approx(2.5)
    monkeypatch.setenv(warm.QUIET_ENV, "soon")
    warm.note_activity()
    assert warm.wait_for_quiet(max_wait_s=60, clock=clock, sleep=clock.sleep) == pytest.approx(warm.QUIET_S)


def test_the_warm_up_draws_the_default_figure_once_so_plotly_imports_its_parts_before_a_request():
    """plotly imports its validators lazily, property by property (160 modules, 0.2-0.3 s of the
    first Map request of a server); warm_default_map draws and serialises the default figure once.
    Checked in a new process, where nothing has drawn a figure yet."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import sys
        import numpy as np
        from ui import warm
        assert warm.import_app_modules() == []
        assert "streamlit.emojis" in sys.modules           # the navigation's icons are checked against it
        lazy = "plotly.graph_objs._scattergl"
        before = lazy in sys.modules
        n = warm.rehearse_figure(np.random.default_rng(0).random((40, 2)), [f"w{i}" for i in range(40)],
                                 [f"cluster {i % 3 + 1}: a, b" for i in range(40)])
        print(before, lazy in sys.modules, n)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stderr[-2000:]
    before, after, size = out.stdout.split()[-3:]
    assert (before, after) == ("False", "True") and int(size) > 5000


def test_the_pages_scripts_are_compiled_into_the_servers_script_cache(monkeypatch):
    """A page's first run compiles its script (Streamlit's magic rewrite, then compile); the warm-up
    does it into the running server's cache, so the first request finds the bytecode there."""
    import inspect

    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    from ui.navigation import PAGES

    assert "self._script_cache = ScriptCache()" in inspect.getsource(Runtime.__init__)   # what it fills
    assert warm.compile_pages() == 0                          # no server in this process: nothing to do
    cache = ScriptCache()
    fake = type("R", (), {"_script_cache": cache})()
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: True))
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: fake))
    assert warm.compile_pages(["app.py", "app_pages/1_Map.py"]) == 2
    root = __import__("pathlib").Path(warm.__file__).resolve().parent.parent
    compiled = set(cache._cache)
    assert compiled == {str(root / "app.py"), str(root / "app_pages/1_Map.py")}
    code = cache.get_bytecode(str(root / "app_pages/1_Map.py"))
    assert code is cache._cache[str(root / "app_pages/1_Map.py")] and code.co_filename.endswith("1_Map.py")
    assert warm.compile_pages() == len(PAGES) + 1 and len(cache._cache) == len(PAGES) + 1
