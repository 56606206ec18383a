"""Issue 15: batches of the encoder on parallel streams (one BLAS thread each), same numbers as one stream."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from embedlab.core import blas
from embedlab.encoder import model, packed, streams


@pytest.fixture(scope="module")
def w():
    model.warm_up(wait=True)
    return model.load_weights()


def _batches():
    rng = np.random.default_rng(0)
    texts = [[101, *rng.integers(1000, 30000, int(n)).tolist(), 102] for n in rng.integers(1, 30, 37)]
    return [texts[s:s + 8] for s in range(0, len(texts), 8)]      # 5 batches, the last of 5 texts


def test_two_streams_give_the_one_stream_numbers_in_batch_order(w):
    batches = _batches()
    seen = []
    one = streams.pooled_batches(w, batches, streams=1)
    two = streams.pooled_batches(w, batches, streams=2, done=lambda i, p: seen.append((i, p.shape[0])))
    assert seen == [(i, len(b)) for i, b in enumerate(batches)]
    for a, b, batch in zip(one, two, batches):
        assert a.shape == b.shape == (len(batch), w.dim)
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(one[1], packed.forward_pooled(w, batches[1]))


def test_encode_sentences_on_streams_equals_one_batch_at_a_time():
    texts = [f"sentence number {i} is about {'cats' if i % 2 else 'the weather today'}" for i in range(40)]
    from threadpoolctl import threadpool_limits

    with threadpool_limits(2):
        two = model.encode_sentences(texts, batch_size=8)
    with threadpool_limits(1):                                  # one BLAS thread: one stream
        one = model.encode_sentences(texts, batch_size=8)
    np.testing.assert_allclose(two, one, atol=1e-6)
    np.testing.assert_allclose(two[3], model.encode_sentences([texts[3]])[0], atol=1e-6)


def test_blas_runs_one_thread_on_streams_and_is_restored_after_an_error(w, monkeypatch):
    from threadpoolctl import threadpool_limits

    inside = []

    def fake(_w, batch):
        inside.append(streams.blas_threads())
        if batch == "bad":
            raise ValueError("bad batch")
        return np.zeros((1, 4), np.float32)

    monkeypatch.setattr(packed, "forward_pooled", fake)
    with threadpool_limits(2):
        streams.pooled_batches(w, ["a", "b", "c"], streams=2)
        assert set(inside) == {1} and streams.blas_threads() == 2
        with pytest.raises(ValueError, match="bad batch"):
            streams.pooled_batches(w, ["a", "bad", "c"], streams=2)
        assert streams.blas_threads() == 2
        inside.clear()
        streams.pooled_batches(w, ["a"])                       # one batch: BLAS left as it is
        assert inside == [2]


def test_a_second_encode_meanwhile_runs_beside_the_first_and_the_setting_comes_back(w, monkeypatch):
    # two users of a server: A runs on streams; B, started meanwhile, runs its batches one by one in
    # its own thread (it neither waits for A nor resets the BLAS setting A changed); after both, BLAS
    # has its threads back
    # an encode another test left running in the background (a page's warm-up) holds the streams and
    # BLAS at one thread until it ends: wait for it. Then BLAS has its threads: no limiter can leave it
    # at one any more (embedlab.core.blas; this test skipped, then failed, when one could)
    assert streams._streaming.acquire(timeout=120), "an encode on streams did not end within 120 s"
    streams._streaming.release()
    before = streams.blas_threads()
    assert before == blas.default_threads() >= 2, "BLAS was left at fewer threads than the process's own"
    a_started, a_go = threading.Event(), threading.Event()
    where = {}

    def fake(_w, batch):
        where.setdefault(batch, []).append((threading.current_thread().name, streams.blas_threads()))
        if batch == "a":
            a_started.set()
            assert a_go.wait(30)
        return np.zeros((1, 4), np.float32)

    monkeypatch.setattr(packed, "forward_pooled", fake)
    a = threading.Thread(target=streams.pooled_batches, args=(w, ["a", "a2"]), name="user-a")
    b = threading.Thread(target=streams.pooled_batches, args=(w, ["b", "b2"]), name="user-b")
    a.start()
    assert a_started.wait(30)
    b.start()
    b.join(30)
    assert not b.is_alive() and a.is_alive()             # B did not wait for A
    assert where["b"] == where["b2"] == [("user-b", 1)]  # one by one, beside A's one-thread BLAS
    a_go.set()
    a.join(30)
    assert where["a"][0][0].startswith("embedlab-encode")
    assert streams.blas_threads() == before


def test_encode_sentences_starts_with_the_longest_batch(monkeypatch):
    # shortest first, the longest batch started last and one core waited for it alone at the end
    sizes = []
    real = packed.forward_pooled

    def spy(w, batch):
        sizes.append(sum(len(t) for t in batch))
        return real(w, batch)

    monkeypatch.setattr(packed, "forward_pooled", spy)
    from threadpoolctl import threadpool_limits

    texts = ["a", "a b c d e f g h", "a b", "a b c d", "a b c d e f", "a b c"]
    with threadpool_limits(1):                  # one stream: the batches in the order they are made
        one = model.encode_sentences(texts, batch_size=2)
    assert len(sizes) == 3 and sizes[0] == max(sizes) and sizes[-1] == min(sizes)
    np.testing.assert_allclose(one[1], model.encode_sentences([texts[1]])[0], atol=1e-6)
