"""The bounded index registry: explicit requests, LRU within a byte budget, retried failures, status."""
from __future__ import annotations

import gc
import threading
import time
import weakref

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.runtime import registry as registry_module
from embedlab.runtime.registry import BUDGET_ENV, DEFAULT_BUDGET_MB, IndexRegistry, IndexStatus, budget_bytes, describe


def make_set(seed: int, n: int = 40) -> EmbeddingSet:
    rng = np.random.default_rng(seed)
    return EmbeddingSet([f"s{seed}_{i}" for i in range(n)], rng.normal(size=(n, 4)), name=f"set{seed}")


class FakeIndex:
    """Stands in for ApproximateIndex: a size and the set it belongs to."""

    metric = "cosine"

    def __init__(self, es: EmbeddingSet, nbytes: int):
        self.es, self.nbytes = es, nbytes

    @property
    def fingerprint(self) -> str:
        return self.es.fingerprint

    def query(self, queries, *, k, exclude=None):
        raise AssertionError("not queried in these tests")


class Builds:
    """A build function that fails the first ``failures`` times, then makes an index of ``nbytes``."""

    def __init__(self, nbytes: int = 100, failures: int = 0):
        self.nbytes, self.failures, self.calls = nbytes, failures, []

    def __call__(self, es):
        self.calls.append(es.name)
        if len(self.calls) <= self.failures:
            raise MemoryError(f"build {len(self.calls)} failed")
        return FakeIndex(es, self.nbytes)


def built(reg: IndexRegistry, es: EmbeddingSet):
    thread = reg.request(es)
    assert thread is not None
    thread.join(timeout=30)
    assert not thread.is_alive()
    return reg.ready(es)


def test_a_small_set_stays_exact_and_nothing_is_built():
    builds = Builds()
    reg = IndexRegistry(threshold=41, build=builds)
    es = make_set(0)                                  # 40 rows < 41
    assert reg.request(es) is None and reg.ready(es) is None
    assert reg.status(es) is IndexStatus.EXACT and builds.calls == []


def test_a_large_set_is_built_once_then_ready():
    gate = threading.Event()
    builds = Builds()
    reg = IndexRegistry(threshold=10, build=lambda es: gate.wait(10) and builds(es))
    es = make_set(0)
    assert reg.status(es) is IndexStatus.EXACT                  # not requested yet
    thread = reg.request(es)
    assert reg.status(es) is IndexStatus.BUILDING and reg.ready(es) is None
    assert reg.request(es) is thread                            # idempotent while building
    gate.set()
    thread.join(10)
    index = reg.ready(es)
    assert isinstance(index, FakeIndex) and index.es is es
    assert reg.status(es) is IndexStatus.APPROXIMATE and reg.nbytes == 100
    assert reg.request(es) is None and builds.calls == ["set0"]   # ready: no second build


def test_least_recently_used_indexes_are_dropped_and_freed():
    reg = IndexRegistry(threshold=10, budget=250, build=Builds(nbytes=100))
    a, b, c = make_set(1), make_set(2), make_set(3)
    ref_a = weakref.ref(built(reg, a))
    ref_b = weakref.ref(built(reg, b))
    assert reg.ready(a) is ref_a()                              # a is now more recently used than b
    built(reg, c)                                               # 300 > 250: the least recently used (b) goes
    gc.collect()
    assert ref_b() is None, "the dropped index is still referenced"
    assert reg.status(b) is IndexStatus.EXACT and reg.ready(b) is None
    assert ref_a() is not None and reg.status(a) is IndexStatus.APPROXIMATE
    assert reg.status(c) is IndexStatus.APPROXIMATE and reg.nbytes == 200


def test_a_dropped_set_is_built_again_when_requested_again():
    builds = Builds(nbytes=100)
    reg = IndexRegistry(threshold=10, budget=100, build=builds)
    a, b = make_set(1), make_set(2)
    built(reg, a)
    built(reg, b)                                               # a dropped
    assert reg.status(a) is IndexStatus.EXACT
    assert built(reg, a) is not None and builds.calls == ["set1", "set2", "set1"]
    assert reg.status(b) is IndexStatus.EXACT                   # and b made room for it


def test_an_index_larger_than_the_whole_budget_is_not_kept_nor_built_again():
    builds = Builds(nbytes=1000)
    reg = IndexRegistry(threshold=10, budget=999, build=builds, retry_after=0)
    es = make_set(0)
    assert built(reg, es) is None
    assert reg.status(es) is IndexStatus.FAILED and "more than the whole budget" in reg.error(es)
    assert reg.nbytes == 0
    assert reg.request(es) is None and builds.calls == ["set0"]


def test_a_failed_build_is_retried_after_a_back_off():
    builds = Builds(failures=2)
    reg = IndexRegistry(threshold=10, build=builds, retry_after=0.05, max_attempts=3)
    es = make_set(0)
    t0 = time.monotonic()
    index = built(reg, es)                     # the same thread retries: 0.05 s, then 0.1 s later
    assert time.monotonic() - t0 >= 0.15
    assert builds.calls == ["set0"] * 3
    assert isinstance(index, FakeIndex) and reg.status(es) is IndexStatus.APPROXIMATE
    assert reg.error(es) is None


def test_retries_stop_after_max_attempts_and_a_new_round_waits_for_the_back_off():
    now = [0.0]
    builds = Builds(failures=10)
    reg = IndexRegistry(threshold=10, build=builds, retry_after=0.01, max_attempts=2, clock=lambda: now[0])
    es = make_set(0)
    assert built(reg, es) is None
    assert builds.calls == ["set0"] * 2                         # not forever
    assert reg.status(es) is IndexStatus.FAILED and reg.error(es) == "build 2 failed"
    assert reg.request(es) is None                              # the back-off (0.02 s) has not passed
    now[0] = 1.0
    thread = reg.request(es)                                    # a new round
    assert thread is not None
    thread.join(10)
    assert builds.calls == ["set0"] * 4


def test_status_says_failed_while_a_retry_waits():
    builds = Builds(failures=1)
    reg = IndexRegistry(threshold=10, build=builds, retry_after=30)
    es = make_set(0)
    thread = reg.request(es)
    for _ in range(200):
        if reg.status(es) is IndexStatus.FAILED:
            break
        thread.join(0.01)
    assert reg.status(es) is IndexStatus.FAILED and reg.error(es) == "build 1 failed"
    assert reg.request(es) is thread                            # the waiting retry is the build
    reg.close()                                                 # stops the wait
    thread.join(5)
    assert not thread.is_alive() and builds.calls == ["set0"]
    assert reg.status(es) is IndexStatus.EXACT


def test_the_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(BUDGET_ENV, raising=False)
    assert budget_bytes() == DEFAULT_BUDGET_MB * 2**20
    monkeypatch.setenv(BUDGET_ENV, "1.5")
    assert budget_bytes() == 3 * 2**19 and IndexRegistry().budget == 3 * 2**19


@pytest.mark.parametrize("raw", ["lots", "-1", "nan"])
def test_a_bad_budget_is_refused(monkeypatch, raw):
    monkeypatch.setenv(BUDGET_ENV, raw)
    with pytest.raises(InvalidParameterError, match=rf"{BUDGET_ENV}=.* is not allowed; must be a number"):
        budget_bytes()


@pytest.mark.parametrize("kwargs, match", [
    ({"threshold": 0}, r"threshold=0 is not allowed"),
    ({"budget": 2.5}, r"budget=2.5 is not allowed"),
    ({"max_attempts": True}, r"max_attempts=True is not allowed"),
    ({"retry_after": -1}, r"retry_after=-1 is not allowed"),
])
def test_bad_settings_are_refused(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        IndexRegistry(**kwargs)


def test_describe_names_the_search_that_answered():
    assert describe(IndexStatus.APPROXIMATE, approximate=True).startswith("Approximate search answered")
    assert describe(IndexStatus.EXACT, approximate=False) == "Exact search answered."
    assert "being built" in describe(IndexStatus.BUILDING, approximate=False)
    assert "could not be built" in describe(IndexStatus.FAILED, approximate=False)
    assert "cosine similarity only" in describe(IndexStatus.APPROXIMATE, approximate=False)


def test_the_process_registry_is_one_object_behind_the_module_functions(monkeypatch):
    reg = IndexRegistry(threshold=10, build=Builds())
    monkeypatch.setattr(registry_module, "_default", reg)
    es = make_set(0)
    registry_module.request(es).join(10)
    assert registry_module.default_registry() is reg
    assert registry_module.status(es) is IndexStatus.APPROXIMATE and registry_module.ready(es) is reg.ready(es)


def test_a_shared_set_is_kept_once_for_every_session_and_counted():
    reg = IndexRegistry(threshold=10, budget=10**6, build=Builds(nbytes=100))
    es = make_set(4)
    twin = EmbeddingSet(es.tokens, np.array(es.vectors), name="uploaded again")
    assert reg.share(es) is es and reg.share(twin) is es          # same data: the first object
    assert reg.shared(es.fingerprint) is es and reg.nbytes == es.vectors.nbytes == 40 * 4 * 4
    assert reg.status(es) is IndexStatus.EXACT
    built(reg, twin)                                               # its index joins the same entry
    assert reg.shared(es.fingerprint) is es and reg.nbytes == 640 + 100
    small = make_set(5, n=5)
    assert reg.share(small) is small and reg.shared(small.fingerprint) is None   # below the threshold


def test_least_recently_used_sets_and_indexes_are_dropped_together_and_freed():
    set_bytes = 40 * 4 * 4                                          # 640 bytes a set
    reg = IndexRegistry(threshold=10, budget=2 * (set_bytes + 100), build=Builds(nbytes=100))
    a, b, c = make_set(1), make_set(2), make_set(3)
    for es in (a, b):
        reg.share(es)
        built(reg, es)
    assert reg.nbytes == 2 * (set_bytes + 100)
    refs = {name: (weakref.ref(reg.shared(es.fingerprint)), weakref.ref(reg.ready(es)))
            for name, es in (("a", a), ("b", b))}
    reg.ready(a)                                                    # a used last: b is the oldest
    fp_b = b.fingerprint
    del a, b, es                                                    # only the registry holds them
    reg.share(c)                                                    # 3 sets do not fit: b goes
    assert reg.nbytes == 2 * set_bytes + 100                        # a's set + index, c's set
    gc.collect()
    assert refs["b"][0]() is None and refs["b"][1]() is None, "the dropped set or index is still referenced"
    assert refs["a"][0]() is not None and refs["a"][1]() is not None
    assert reg.shared(fp_b) is None
    built(reg, c)                                                   # c's index: the accounting still fits
    assert reg.nbytes == 2 * (set_bytes + 100)
    reg.share(make_set(6))                                          # now a is the oldest
    gc.collect()
    assert refs["a"][0]() is None and refs["a"][1]() is None
    assert reg.nbytes == 2 * set_bytes + 100


def test_unit_vectors_computed_before_sharing_are_counted():
    es = make_set(7)
    _ = es.unit
    assert registry_module.set_nbytes(es) == 2 * es.vectors.nbytes


def test_the_backend_is_checked():
    with pytest.raises(InvalidParameterError, match=r"backend='annoy' is not allowed"):
        IndexRegistry(backend="annoy")
