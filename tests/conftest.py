"""Shared fixtures. Every test run gets its own empty cache folder."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path_factory.mktemp("embedlab-cache")))
    mp.setenv("EMBEDLAB_WORKSPACE_DIR", str(tmp_path_factory.mktemp("embedlab-workspace")))
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
