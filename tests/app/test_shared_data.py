"""Shared read-only data is loaded once per process, not once per session (issue 6, item 1).

Each AppTest below is its own Streamlit session (own session state) in this one process, as two
students' browser tabs are on one server. The built-in set comes from ``st.cache_resource``
(ui.cached.builtin_set) and PCA projections from ui.cached's process-wide LRU: both sessions must
get the very same objects, and the loader must run once.
"""
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import embedlab
from ui import cached

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def _session():
    """One session: the shared page set-up, then the Map page's PCA of the 1,000 most frequent words;
    the objects it got are left in its session state for the test to compare."""
    import streamlit as st

    from ui import cached
    from ui.setup import draw_sidebar

    es = draw_sidebar()
    rows = cached.frequent_rows(es, 1000)
    st.session_state["probe_set"] = es
    st.session_state["probe_projection"] = cached.projection(es, rows, "pca", 2)
    st.write(f"{es.name}: {len(es)} tokens")


def _run(**query) -> AppTest:
    at = AppTest.from_function(_session, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def counted_loads(monkeypatch):
    """Empty the built-in-set cache and count calls of embedlab.load (what builtin_set calls)."""
    calls = []
    real = embedlab.load

    def load(name, *args, **kwargs):
        calls.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(embedlab, "load", load)
    cached.builtin_set.clear()
    yield calls
    cached.builtin_set.clear()   # later tests get a set loaded by the real function


def test_two_sessions_share_one_builtin_set_loaded_once(counted_loads):
    first, second = _run(), _run()
    es1, es2 = first.session_state["probe_set"], second.session_state["probe_set"]
    assert es1 is es2
    assert counted_loads == ["minilm-words"]
    assert not es1.vectors.flags.writeable      # shared, so nobody may change it in place
    assert first.session_state["probe_projection"] is second.session_state["probe_projection"]


def test_sessions_are_still_separate_and_another_set_is_loaded_separately(counted_loads):
    words = _run()
    tokens = _run(set="minilm-tokens")
    assert tokens.session_state["probe_set"].name == "minilm-tokens"
    assert tokens.session_state["probe_set"] is not words.session_state["probe_set"]
    assert sorted(counted_loads) == ["minilm-tokens", "minilm-words"]
    again = _run(set="minilm-tokens")
    assert again.session_state["probe_set"] is tokens.session_state["probe_set"]
    assert len(counted_loads) == 2
    np.testing.assert_array_equal(again.session_state["probe_projection"].coords,
                                  tokens.session_state["probe_projection"].coords)
