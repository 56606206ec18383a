"""The cache folder is bounded on disk: least recently used entries go first, never a fresh one."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.io import cache
from embedlab.io.mapped import set_path, store_mapped


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    return tmp_path


def age(path, seconds: float) -> None:
    """Make ``path`` (and its sidecar) look last used ``seconds`` ago."""
    t = time.time() - seconds
    for p in (path, path.with_suffix(".json")):
        if p.exists():
            os.utime(p, (t, t))


def make_set(seed: int, n: int = 2000) -> EmbeddingSet:
    return EmbeddingSet([f"w{i}" for i in range(n)], np.random.default_rng(seed).normal(size=(n, 16)), name=f"s{seed}")


def test_prune_deletes_least_recently_used_entries_with_their_sidecars(folder):
    paths = [cache.save_arrays(f"k{i}", {"x": np.zeros(10_000)}, {"i": i}) for i in range(4)]
    size = sum(p.stat().st_size for p in paths[0].parent.glob("k0.*"))
    for i, p in enumerate(paths):
        age(p, 10_000 - i)                 # k0 the oldest ... k3 the newest
    freed = cache.prune(2 * size + 10)
    assert freed == 2 * size
    assert [cache.load_arrays(f"k{i}") is None for i in range(4)] == [True, True, False, False]
    assert not (folder / "k0.json").exists() and (folder / "k3.json").exists()
    assert cache.prune(2 * size + 10) == 0                  # within the budget: nothing more


def test_prune_keeps_what_was_just_used_or_written(folder):
    old = cache.save_arrays("old", {"x": np.zeros(10_000)}, {})
    new = cache.save_arrays("new", {"x": np.zeros(10_000)}, {})
    assert cache.prune(0) == 0                              # both used under PRUNE_MIN_AGE ago
    age(old, 3600)
    age(new, 3600)
    assert cache.load_arrays("new") is not None             # a read counts as a use
    cache.prune(0)
    assert not old.exists() and new.exists()
    age(new, 3600)
    assert cache.prune(0, keep=[new]) == 0 and new.exists()


def test_writing_a_large_set_makes_room_by_deleting_an_idle_one(folder, monkeypatch):
    first = store_mapped(make_set(1), min_bytes=1000)
    age(set_path(first), 3600)
    monkeypatch.setenv(cache.CACHE_BUDGET_ENV, str(1.5 * first.vectors.nbytes / 2**20))
    second = store_mapped(make_set(2), min_bytes=1000)
    assert set_path(second).is_file() and not set_path(first).is_file()
    # the set still mapped by this process stays readable after its file went
    np.testing.assert_array_equal(first.vectors, make_set(1).vectors.astype(np.float32))


def test_mapping_a_stored_set_again_counts_as_a_use(folder, monkeypatch):
    a, b = make_set(1), make_set(2)
    store_mapped(a, min_bytes=1000)
    store_mapped(b, min_bytes=1000)
    age(set_path(a), 7200)
    age(set_path(b), 3600)
    store_mapped(a, min_bytes=1000)                         # the same data uploaded again: a is fresh now
    assert cache.prune(a.vectors.nbytes + 1000) == set_path(a).stat().st_size
    assert set_path(a).is_file() and not set_path(b).is_file()


def test_an_index_read_back_counts_as_a_use(folder):
    from embedlab.runtime.faiss_index import FaissIndex

    es = make_set(3)
    index = FaissIndex.build(es, rerank=50)
    age(index.path, 3600)
    before = index.path.stat().st_mtime
    again = FaissIndex.build(es, rerank=50)                 # read from the cache folder
    assert again.path == index.path and again.path.stat().st_mtime > before + 3000


def test_a_bad_budget_is_refused(monkeypatch):
    monkeypatch.setenv(cache.CACHE_BUDGET_ENV, "lots")
    with pytest.raises(InvalidParameterError, match=cache.CACHE_BUDGET_ENV):
        cache.cache_budget_bytes()
    monkeypatch.setenv(cache.CACHE_BUDGET_ENV, "")
    assert cache.cache_budget_bytes() == cache.DEFAULT_CACHE_BUDGET_MB * 2**20
