"""Shared fixtures and the test tiers. Every test run gets its own empty cache folder, and the
server-start precompute of the default set's layouts is off (``EMBEDLAB_PRECOMPUTE=0``).

Tiers (markers, given by folder so a new test file cannot forget them):

- ``unit``: tests/<layer>/ and the doctests in embedlab/ -- the library alone; ``make test-fast``
  runs these minus ``slow`` (the edit-test loop, about a minute here).
- ``slow``: a unit test that fits UMAP/t-SNE, trains, or spawns processes (listed in :data:`SLOW_FILES`
  or marked ``@pytest.mark.slow``).
- ``app``: tests/app/ -- Streamlit AppTests of whole pages, no browser.
- ``browser``: tests/browser/ -- a real ``streamlit run`` server driven by headless Chromium.

``make test`` (and CI) runs all of them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SLOW = (
    # test ids (or their prefixes: whole files) that fit a projection, train, fuzz or spawn processes
    "tests/runtime/test_workers.py", "tests/train/",
    "tests/io/test_formats_fuzz.py", "tests/io/test_corpus_fuzz.py",
    "tests/space/test_projection.py::test_umap", "tests/space/test_projection.py::test_tsne",
    "tests/viz/test_presenter.py::test_toggle", "embedlab/runtime/workers.py::", "embedlab/train/",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        rel = Path(str(item.path)).resolve().relative_to(ROOT).as_posix()
        if rel.startswith("tests/browser/"):
            item.add_marker(pytest.mark.browser)
        elif rel.startswith("tests/app/"):
            item.add_marker(pytest.mark.app)
        else:
            item.add_marker(pytest.mark.unit)
            if item.nodeid.startswith(SLOW):
                item.add_marker(pytest.mark.slow)

from embedlab import EmbeddingSet


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path_factory.mktemp("embedlab-cache")))
    mp.setenv("EMBEDLAB_WORKSPACE_DIR", str(tmp_path_factory.mktemp("embedlab-workspace")))
    # no background UMAP / t-SNE of the default set in every AppTest and test server (ui.precompute);
    # tests/app/test_precompute.py switches it on where it is tested
    mp.setenv("EMBEDLAB_PRECOMPUTE", "0")
    yield
    mp.undo()


@pytest.fixture
def toy_set() -> EmbeddingSet:
    """Six hand-built 3-d vectors with known geometry."""
    tokens = ["king", "queen", "man", "woman", "apple", "pear"]
    vectors = np.array([
        [1.0, 1.0, 0.0],   # king = royal + male
        [1.0, -1.0, 0.0],  # queen = royal + female
        [0.0, 1.0, 0.0],   # man
        [0.0, -1.0, 0.0],  # woman
        [0.0, 0.0, 1.0],   # apple
        [0.1, 0.0, 1.0],   # pear
    ], dtype=np.float32)
    return EmbeddingSet(tokens, vectors, name="toy", origin="hand-built test vectors")


@pytest.fixture(scope="session")
def words():
    """The default built-in set (whole-word tokens of all-MiniLM-L6-v2)."""
    import embedlab

    return embedlab.load("minilm-words")
