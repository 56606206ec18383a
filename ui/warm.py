"""Warm the server when it starts, before a class opens a page (issue 12: the first Map in seconds).

``make run`` starts ``streamlit run server.py``: an ``st.App`` over app.py whose lifespan hook
(:func:`on_server_start`) runs once, when the server starts and before it accepts a request:

1. :func:`import_app_modules` imports, in the starting thread, what the pages import (pandas, plotly,
   scikit-learn, every ``ui`` module and the ``embedlab`` layers the pages call): a first request no
   longer pays for the imports, and no import races between threads (see ``ui.cached.start_warm_up``).
2. :func:`start` then starts a daemon thread (the server is already answering) that fills the very
   caches the pages read, in the order a class needs them: the default set
   (:data:`embedlab.DEFAULT_SET`), the Map's default view (:func:`warm_default_map`: its rows, PCA,
   k-means clusters and their names, the distortion measures — the page then computes nothing; for
   the default set all but the PCA plane come computed ahead of time, :mod:`embedlab.space.ahead`,
   so the view is ready ~0.3 s after the set, not 2.5-4.5 s, even for a page requested at once), the
   worker process's UMAP compilation (``ui.cached.start_warm_up``), the transformer weights of the
   Token pipeline and Context pages, then the default set's UMAP and t-SNE layouts
   (:mod:`ui.precompute`, on disk too) and their default Map views (:func:`warm_default_layout_views`).

The steps after the default Map make way for the browsers (:func:`wait_for_quiet`): each waits until no
page has been requested or run for :data:`QUIET_S` seconds (at most :data:`MAX_WAIT_S`; the default Map
being ready counts as a request, since the first visitors come then), so the
first visitors' browsers, which fetch and compile Streamlit's and plotly.js's code for seconds after
the page request, do not share the two cores with a UMAP compile or a t-SNE fit (issue 12: the first
Map took 7.1 s while they ran, 4.6 s with the server idle). The server's middleware
(:mod:`ui.preload`) and app.py's frame call :func:`note_activity`.

Each step that fails is logged and skipped: warming only saves time later. ``EMBEDLAB_PRECOMPUTE=0``
switches the whole warm-up off (the tests do); ``streamlit run app.py`` still works and warms on the
first request, as before. The server log says when each step is done (``EmbedLab warm: default Map ready 5.1 s after ...``).
"""
from __future__ import annotations

import gc
import importlib
import logging
import os
import pkgutil
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["HEAVY_MODULES", "import_app_modules", "warm_default_map", "run_warm_up", "start", "on_server_start",
           "steps_done", "started",
           "note_activity", "wait_for_quiet", "freeze_long_lived", "rehearse_figure", "compile_pages", "QUIET_ENV",
           "QUIET_S", "MAX_WAIT_S"]

#: What the pages import, beyond ``ui`` itself: imported once at start, in one thread.
HEAVY_MODULES = ("pandas", "plotly.graph_objects", "plotly.subplots", "plotly.io", "streamlit.emojis",
                 "sklearn.cluster", "sklearn.decomposition",
                 "sklearn.manifold", "embedlab", "embedlab.viz", "embedlab.space.projection",
                 "embedlab.space.clusters", "embedlab.space.distortion", "embedlab.space.frequency",
                 "embedlab.lessons", "embedlab.encoder")
#: The Map's default view (its URL defaults: ``method=pca``, ``dims=2``, ``color=kmeans``, ``clusters=8``).
MAP_METHOD, MAP_DIMS, MAP_CLUSTERS, MAP_OVERLAP_K = "pca", 2, 8, 10

QUIET_ENV = "EMBEDLAB_WARM_QUIET"
QUIET_S = 10.0
"""Seconds without a page request or run before a background step (UMAP compile, weights, layouts)
starts; ``$EMBEDLAB_WARM_QUIET`` sets it (``0``: never wait; the benchmark's "no pause" column)."""
MAX_WAIT_S = 120.0
"""The longest a background step waits for quiet (a class clicking all the time still gets its layouts)."""

_started: threading.Thread | None = None
_last_activity: float | None = None
_lock = threading.Lock()
steps_done: dict[str, float] = {}
"""Each finished step and the seconds since :func:`start` (for the log, the bench and the tests)."""


def note_activity() -> None:
    """A page was requested or runs now (called per request and per page run; cheap). Recorded only
    once the warm-up has started (``make run``'s server): elsewhere nothing waits for it."""
    global _last_activity
    if _started is not None:
        _last_activity = time.monotonic()


def wait_for_quiet(quiet_s: float | None = None, max_wait_s: float | None = None, *, clock=time.monotonic,
                   sleep=time.sleep) -> float:
    """Block until no page was requested or run for ``quiet_s`` seconds (default :data:`QUIET_S`), at
    most ``max_wait_s`` (default :data:`MAX_WAIT_S`); returns the seconds waited (0 if quiet already).

    >>> wait_for_quiet(10.0)      # no page seen in this process
    0.0
    """
    if quiet_s is None:
        try:
            quiet_s = float(os.environ.get(QUIET_ENV, QUIET_S))
        except ValueError:
            logger.warning("$%s is not a number of seconds: %r; %.0f s used", QUIET_ENV,
                           os.environ.get(QUIET_ENV), QUIET_S)
            quiet_s = QUIET_S
    max_wait_s = MAX_WAIT_S if max_wait_s is None else max_wait_s
    t0 = clock()
    while True:
        last = _last_activity
        now = clock()
        if last is None or now - last >= quiet_s or now - t0 >= max_wait_s:
            return round(now - t0, 3)
        sleep(min(quiet_s - (now - last), max_wait_s - (now - t0), 1.0))


def import_app_modules() -> list[str]:
    """Import :data:`HEAVY_MODULES` and every module of the ``ui`` package; returns those that failed
    (logged, never raised: a page that needs one reports it itself)."""
    import ui

    names = list(HEAVY_MODULES) + [f"ui.{m.name}" for m in pkgutil.iter_modules([str(Path(ui.__file__).parent)])]
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - warming never breaks the server
            logger.exception("warm-up could not import %s", name)
            failed.append(name)
    return failed


def warm_default_map(es, method: str = MAP_METHOD) -> dict:
    """Fill ``ui.cached``'s caches for the Map's default view of ``es`` drawn with ``method``
    (``"pca"``; ``"umap"`` / ``"tsne"`` once their layout is computed: it is fitted here otherwise), with
    the page's own calls and arguments (``app_pages/1_Map.py``): the page then only draws. Then the
    view's figure is drawn once and serialised as ``st.plotly_chart`` does (:func:`rehearse_figure`),
    so the first request does not pay for plotly's lazily imported validators. Returns what was
    computed (``{"rows": n, "clusters": [...names], "trustworthiness": t, "figure_bytes": b}``).

    numpy's BLAS runs on one thread meanwhile: beside browsers loading their first pages, its two
    threads contended with them for this 2-core machine, and the view's two PCA fits (5,000 x 384) took
    0.85 s of py-spy samples in a Map requested the moment the server answered, where alone they take
    0.03 s (with every core busy, one fit: 2 threads 106 ms, 1 thread 39 ms)."""
    from embedlab.core import blas

    with blas.one_thread():
        return _warm_default_map(es, method)


def _warm_default_map(es, method: str) -> dict:
    from embedlab.viz.map_points import DEFAULT_SIZE, map_points

    from . import cached

    base = cached.frequent_rows(es, DEFAULT_SIZE)
    cached.points_description(es, DEFAULT_SIZE)
    extra = map_points(es, base).extra                 # empty: the same array the page passes
    proj = cached.projection(es, base, method, MAP_DIMS)
    if method == "pca":
        coords = cached.pca_coords(es, base, extra, MAP_DIMS)
    else:
        coords = cached.layout_coords(es, base, extra, proj.coords)
    k = min(MAP_CLUSTERS, len(base) - 1)
    names = cached.cluster_names(es, base, k) if len(base) >= 3 else []
    if len(base) >= 3:
        cached.cluster_labels(es, base, extra, k)
    trust = None
    if MAP_OVERLAP_K + 1 < len(base) <= 5000:
        trust = cached.distortion(es, base, coords[: len(base)], MAP_OVERLAP_K)[1]
    labels = ([f"cluster {i + 1}: {names[i]}" for i in cached.cluster_labels(es, base, extra, k)]
              if len(base) >= 3 else None)
    size = rehearse_figure(coords[: len(base)], [es.tokens[i] for i in base], labels)
    return {"rows": int(len(base)), "clusters": list(names), "trustworthiness": trust, "figure_bytes": size}


def compile_pages(files=None) -> int:
    """Compile app.py and the pages' scripts (default: Map first, then the rest) into the running
    server's script cache, as Streamlit does on a page's first run (its "magic" rewrite of the syntax
    tree, then ``compile``: 0.05-0.15 s a page); returns how many were compiled, 0 when no server runs
    here (``streamlit run app.py`` compiles on the first request, as before). Uses the runtime's
    ``_script_cache`` (Streamlit 1.67), guarded: warming never breaks the server."""
    from streamlit.runtime import Runtime

    from .navigation import PAGES

    if not Runtime.exists():
        return 0
    cache = getattr(Runtime.instance(), "_script_cache", None)
    if cache is None or not hasattr(cache, "get_bytecode"):
        logger.info("warm: this Streamlit has no script cache to fill")
        return 0
    root = Path(__file__).resolve().parent.parent
    if files is None:
        files = ["app.py"] + sorted((p.file for p in PAGES), key=lambda f: "1_Map" not in f)
    for f in files:
        cache.get_bytecode(str(root / f))
    logger.info("warm: %d page scripts compiled into the server's script cache", len(files))
    return len(files)


def rehearse_figure(coords, tokens, labels) -> int:
    """Draw a Map figure (``embedlab.viz.map_figure``) and serialise it as ``st.plotly_chart`` does
    (``plotly.io.to_json(fig, validate=False)``); returns the JSON's length. Nothing is kept: this runs
    plotly's first-use work (its validators are imported lazily, property by property: 0.2-0.3 s of
    the first Map request of a server, measured with cProfile) before a class asks for a page."""
    import plotly.io

    from embedlab.viz import map_figure

    fig = map_figure(coords, tokens, labels=labels, axis_titles=("PC 1", "PC 2"))
    return len(plotly.io.to_json(fig, validate=False))


def warm_default_layout_views(es) -> list[str]:
    """:func:`ui.precompute.precompute_default_layouts` (UMAP, then t-SNE, on disk too), then each
    one's default Map view (its distortion measures); returns the methods whose view is warm."""
    from . import precompute

    done = []
    for i, method in enumerate(precompute.LAYOUTS):
        if i:
            wait_for_quiet()      # the first one waited in run_warm_up
        if precompute.precompute_default_layouts(es, methods=(method,)):
            warm_default_map(es, method)
            done.append(method)
    return done


def freeze_long_lived() -> int:
    """Move every object the garbage collector tracks now (the modules just imported, the warm-up's
    caches) to its permanent generation (:func:`gc.freeze`); returns how many. Streamlit runs a full
    collection after every page run (``runner.postScriptGC``), holding the interpreter lock for
    every session meanwhile: with ~300,000 objects of imported modules that was 0.12-0.18 s of each
    run here (py-spy, a first Map beside a browser: 0.23 s of the page run, none once frozen); they
    live as long as the server anyway. Objects frozen are still freed when their last reference
    goes; only a reference cycle among them is never collected, and these are made once."""
    gc.freeze()
    return gc.get_freeze_count()


def _step(name: str, t0: float, fn, *args, yield_first: bool = False):
    if yield_first:
        waited = wait_for_quiet()
        if waited:
            logger.info("warm: %s waited %.1f s for the pages being opened", name, waited)
    try:
        out = fn(*args)
    except Exception:  # noqa: BLE001 - warming never breaks the server
        logger.exception("warm-up step %r failed", name)
        return None
    steps_done[name] = round(time.perf_counter() - t0, 2)
    logger.info("warm: %s ready %.1f s after the server started", name, steps_done[name])
    return out


def run_warm_up(t0: float | None = None) -> dict[str, float]:
    """The warm-up itself (what :func:`start`'s thread runs); returns :data:`steps_done`."""
    from embedlab import DEFAULT_SET

    from . import cached, lessons, streamlit_internals

    t0 = time.perf_counter() if t0 is None else t0
    es = _step("default set", t0, cached.builtin_set, DEFAULT_SET)
    _step("app and Map scripts", t0, compile_pages, ["app.py", "app_pages/1_Map.py"])
    if es is not None:
        _step("default Map", t0, warm_default_map, es)
    _step("Streamlit's first-element check", t0, streamlit_internals.run_first_element_check)
    freeze_long_lived()
    # the moment the default Map is ready counts as a page request: the background steps start only
    # after QUIET_S seconds without one. Else, with nobody there yet, they started at once, and the
    # first visitor after "default Map ready" shared the cores and the GIL with the encoder's numba
    # compile and the worker's UMAP compile (bench_first_map: 3.3 s against 2.9 s on an idle server)
    note_activity()
    _step("the other pages' scripts", t0, compile_pages, yield_first=True)
    _step("UMAP compilation (worker)", t0, cached.start_warm_up, yield_first=True)
    _step("transformer weights", t0, lessons.encoder, yield_first=True)
    if es is not None:
        _step("UMAP and t-SNE Maps", t0, warm_default_layout_views, es, yield_first=True)
    freeze_long_lived()        # the default set, its views and the weights: kept for the server's life
    return dict(steps_done)


def start(t0: float | None = None) -> threading.Thread | None:
    """Start :func:`run_warm_up` in a daemon thread, once per process (None when switched off);
    ``t0`` is the ``time.perf_counter()`` the step times count from (default: now)."""
    global _started
    from . import precompute

    if not precompute.enabled():
        logger.info("warm-up switched off ($%s)", precompute.ENV)
        return None
    with _lock:
        if _started is None:
            t0 = time.perf_counter() if t0 is None else t0
            _started = threading.Thread(target=run_warm_up, args=(t0,), name="embedlab-warm-up", daemon=True)
            _started.start()
        return _started


def started() -> bool:
    """True once :func:`start` has started the warm-up in this process."""
    return _started is not None


def on_server_start() -> threading.Thread | None:
    """The server's start hook: imports first (in this thread), then :func:`start`."""
    from . import precompute

    if not precompute.enabled():
        return None
    t0 = time.perf_counter()
    if not logger.handlers:      # the server log says when the class can come in
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s EmbedLab %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    # st.cache_* called outside a page run warn "missing ScriptRunContext" each time: expected here
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    failed = import_app_modules()
    freeze_long_lived()
    steps_done["modules imported"] = round(time.perf_counter() - t0, 2)
    logger.info("warm: modules imported in %.1f s%s", steps_done["modules imported"],
                   f" ({len(failed)} failed)" if failed else "")
    return start(t0)


