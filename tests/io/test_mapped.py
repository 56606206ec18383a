"""Large sets stored once on disk and memory-mapped: no copy in memory, one file per data, shared."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.io import mapped
from embedlab.io.mapped import DEFAULT_MAP_MIN_MB, MAP_MIN_ENV, is_mapped, map_min_bytes, set_path, store_mapped


def make_set(n: int = 500, seed: int = 0) -> EmbeddingSet:
    rng = np.random.default_rng(seed)
    return EmbeddingSet([f"w{i}" for i in range(n)], rng.normal(size=(n, 8)), name="big", origin="a test",
                        meta={"kind": ["x"] * n})


def test_an_embedding_set_takes_a_read_only_memmap_without_copying(tmp_path):
    np.save(tmp_path / "v.npy", np.arange(12, dtype=np.float32).reshape(4, 3))
    mm = np.load(tmp_path / "v.npy", mmap_mode="r")
    for copy in (True, False):                      # read-only: even the default copy=True keeps it
        es = EmbeddingSet(list("abcd"), mm, copy=copy)
        assert np.shares_memory(es.vectors, mm) and es.vectors.base is mm
        assert not es.vectors.flags.writeable
    writable = np.load(tmp_path / "v.npy", mmap_mode="r+")
    assert not np.shares_memory(EmbeddingSet(list("abcd"), writable).vectors, writable)   # could change: copied


def test_a_large_set_is_written_once_and_memory_mapped(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    es = make_set()
    out = store_mapped(es, min_bytes=1000)
    path = tmp_path / "sets" / f"{es.fingerprint}.npy"
    assert set_path(es) == path and path.is_file()
    assert is_mapped(out.vectors) and not is_mapped(es.vectors)
    assert isinstance(out.vectors.base, np.memmap) and str(out.vectors.base.filename) == str(path)
    np.testing.assert_array_equal(out.vectors, es.vectors)
    assert out.fingerprint == es.fingerprint and out.tokens == es.tokens
    assert (out.name, out.origin, out.meta) == (es.name, es.origin, es.meta)
    # the same data again (another session, a restart) maps the file already there
    # (not written again: the same file, its inode unchanged — its mtime now marks its last use, io.cache)
    inode = path.stat().st_ino
    again = store_mapped(make_set(), min_bytes=1000)
    assert path.stat().st_ino == inode and is_mapped(again.vectors)
    assert str(again.vectors.base.filename) == str(path)
    assert store_mapped(out, min_bytes=0) is out                  # already mapped
    assert pickle.loads(pickle.dumps(out)).fingerprint == es.fingerprint


def test_small_sets_stay_in_memory(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    es = make_set()
    assert store_mapped(es, min_bytes=es.vectors.nbytes + 1) is es
    assert not (tmp_path / "sets").exists()


def test_a_file_that_cannot_be_written_leaves_the_set_in_memory(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    (tmp_path / "sets").write_text("a file where the folder should be")
    es = make_set()
    assert store_mapped(es, min_bytes=0) is es
    assert "could not memory-map big" in caplog.text


def test_a_foreign_file_under_the_name_is_not_mapped(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    es = make_set()
    path = set_path(es)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.zeros((3, 3), dtype=np.float32))
    assert store_mapped(es, min_bytes=0) is es


def test_the_threshold_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(MAP_MIN_ENV, raising=False)
    assert map_min_bytes() == DEFAULT_MAP_MIN_MB * 2**20
    monkeypatch.setenv(MAP_MIN_ENV, "0.5")
    assert map_min_bytes() == 2**19
    monkeypatch.setenv(MAP_MIN_ENV, "big")
    with pytest.raises(InvalidParameterError, match=rf"{MAP_MIN_ENV}='big' is not allowed; must be a number"):
        mapped.map_min_bytes()


def _rss_file_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("RssFile:"))


def test_storing_a_set_leaves_no_page_of_its_map_resident(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    es = EmbeddingSet([f"w{i}" for i in range(20_000)],
                      np.random.default_rng(1).normal(size=(20_000, 400)).astype(np.float32))   # 32 MB
    base = _rss_file_kb()
    out = store_mapped(es, min_bytes=0)
    assert vars(out)["fingerprint"] == es.fingerprint                 # carried over, not hashed again
    assert _rss_file_kb() - base < 8_000, "the 32 MB were read through the map (checked or hashed again)"
    assert out._index is es._index                                   # the token lookup is shared, not rebuilt
    np.testing.assert_array_equal(out.vectors[123], es.vectors[123])   # and a row still reads back
    assert mapped.release_pages(out.vectors) and not mapped.release_pages(es.vectors)


def test_stored_as_takes_only_the_same_shape_of_float32(tmp_path):
    es = make_set(10)
    np.save(tmp_path / "v.npy", es.vectors)
    same = es.stored_as(np.load(tmp_path / "v.npy", mmap_mode="r"))
    assert same.tokens == es.tokens and same.meta == es.meta and not same.vectors.flags.writeable
    mapped_nn, plain_nn = same.neighbors("w1", 3), es.neighbors("w1", 3)
    # a mapped set's cosine divides raw rows by their norms per block (no unit copy): same ranks, scores to an ulp
    assert [(n.token, n.index) for n in mapped_nn] == [(n.token, n.index) for n in plain_nn]
    assert [n.score for n in mapped_nn] == pytest.approx([n.score for n in plain_nn], rel=1e-6)
    for bad in (np.zeros((10, 7), dtype=np.float32), np.zeros((10, 8)), [[0.0] * 8] * 10):
        with pytest.raises(InvalidParameterError, match=r"vectors=.* is not allowed; must be a float32 C-contiguous"):
            es.stored_as(bad)
