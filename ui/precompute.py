"""The default set's UMAP and t-SNE layouts, computed in the background when the server starts.

A class opening the Map and pressing "UMAP" should never wait for a fit or for numba to compile.
:func:`start_precompute` (an ``st.cache_resource``, so once per server process; ui.setup calls it on
the first run of any page) starts a daemon thread that asks :func:`ui.cached.projection` -- the very
function the Map page calls -- for the Map's default view in each of :data:`LAYOUTS`: the
:data:`~embedlab.viz.map_points.DEFAULT_SIZE` most frequent words of
:data:`~embedlab.DEFAULT_SET`, in :data:`MAP_DIMS` dimensions, seed 0. The fits run in the shared
worker process (embedlab.runtime.workers, at low priority: pages get the CPU first), land in the
disk cache (embedlab.io.cache) and in ui.cached's in-memory LRU, and compile numba in the worker
that later serves every user's UMAP. A user asking for the same layout meanwhile joins the running
task (same key) instead of starting a second one.

When the server was started by ``make run`` (``server.py``), :mod:`ui.warm` has already started this
at server start, before any request, and this first-request start does nothing.

``EMBEDLAB_PRECOMPUTE=0`` switches it off (the test fixtures do, so every test server does not
pay for two fits).
"""
from __future__ import annotations

import logging
import os
import threading

import numpy as np
import streamlit as st

from embedlab import DEFAULT_SET
from embedlab.runtime import workers
from embedlab.viz.map_points import DEFAULT_SIZE

from . import cached

logger = logging.getLogger(__name__)

ENV = "EMBEDLAB_PRECOMPUTE"
LAYOUTS = ("umap", "tsne")
"""The Map's slow methods, computed in this order (UMAP first: it is the one a class asks for first)."""
MAP_DIMS = 2
"""The Map's default number of dimensions (its ``?dims=`` default)."""


def enabled() -> bool:
    """False when ``$EMBEDLAB_PRECOMPUTE`` is ``0`` / ``false`` / ``no`` / ``off`` (default: on)."""
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def default_rows(es) -> np.ndarray:
    """The rows the Map draws by default (its base points): the same cached call as the page."""
    return cached.frequent_rows(es, DEFAULT_SIZE)


def precompute_default_layouts(es=None, *, methods=LAYOUTS) -> list[tuple]:
    """Compute the Map's default UMAP and t-SNE layouts of ``es`` (default: the default built-in set)
    through :func:`ui.cached.projection`; returns the in-memory cache keys filled, in order.

    A failure of one method is logged and the next is tried: a precompute only saves time later."""
    if es is None:
        es = cached.builtin_set(DEFAULT_SET)
    base = default_rows(es)
    done = []
    for method in methods:
        try:
            proj = cached.projection(es, base, method, MAP_DIMS)
        except Exception:  # noqa: BLE001 - never break the server for a head start
            # the process is stopping (its worker pool killed, new tasks refused): nothing failed, and a
            # traceback in the log of a stopped server would say it had
            if workers.exiting():
                logger.info("precomputing stopped: the server is shutting down")
                return done
            logger.exception("precomputing the %s layout of %s failed", method, es.name)
            continue
        logger.info("precomputed the %s layout of %d points of %s%s", method, len(base), es.name,
                    " (from the disk cache)" if proj.from_cache else "")
        done.append(cached.projection_key(es, base, method, MAP_DIMS))
    return done


@st.cache_resource(max_entries=1, show_spinner=False)
def start_precompute() -> threading.Thread | None:
    """Start :func:`precompute_default_layouts` in a daemon thread, once per server process (None
    when switched off). The default set is loaded here, in the script thread (it is loaded for the
    sidebar anyway); the layouts are computed in the thread."""
    if not enabled():
        return None
    from . import warm

    if warm.started():      # `make run` (server.py) warms at server start, layouts included
        return None
    try:
        es = cached.builtin_set(DEFAULT_SET)
    except Exception:  # noqa: BLE001 - the sidebar reports a set that cannot load
        logger.exception("no precompute: the default set did not load")
        return None
    t = threading.Thread(target=precompute_default_layouts, args=(es,), name="embedlab-precompute", daemon=True)
    t.start()
    return t
