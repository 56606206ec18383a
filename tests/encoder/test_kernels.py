"""Issue 15: each compiled kernel of the packed encoder pass against its numpy steps (and numpy itself)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from embedlab.encoder import kernels, model

D, H = 48, 4          # small but the model's shape rules: d = heads x head size, FFN = 4 d


@pytest.fixture(scope="module")
def fast():
    model.warm_up(wait=True)
    k = kernels.compiled()
    assert k is not None and k.name == "numba"
    return k


@pytest.fixture(scope="module")
def ref():
    return kernels.numpy_kernels()


def _rng():
    return np.random.default_rng(0)


def test_embed_ln_equals_the_lookup_sum_and_layer_norm(fast, ref):
    rng = _rng()
    word, position = rng.normal(size=(50, D)).astype(np.float32), rng.normal(size=(20, D)).astype(np.float32)
    type0, g, b = (rng.normal(size=D).astype(np.float32) for _ in range(3))
    ids, pos = rng.integers(0, 50, 30), np.arange(30) % 20
    got, want = np.empty((30, D), np.float32), np.empty((30, D), np.float32)
    fast.embed_ln(word, position, type0, ids, pos, g, b, np.float32(1e-12), got)
    ref.embed_ln(word, position, type0, ids, pos, g, b, np.float32(1e-12), want)
    np.testing.assert_allclose(got, want, atol=2e-6)
    x = word[ids] + position[pos] + type0
    np.testing.assert_allclose(got, model.layer_norm(x, g, b), atol=2e-6)


def test_add_ln_adds_bias_and_residual_then_normalises(fast, ref):
    rng = _rng()
    y, res = rng.normal(size=(40, D)).astype(np.float32) * 5, rng.normal(size=(40, D)).astype(np.float32)
    bias, g, b = (rng.normal(size=D).astype(np.float32) for _ in range(3))
    got, want = y.copy(), y.copy()
    fast.add_ln(got, bias, res, g, b, np.float32(1e-12))
    ref.add_ln(want, bias, res, g, b, np.float32(1e-12))
    np.testing.assert_allclose(got, want, atol=2e-6)
    x = (y + bias + res).astype(np.float64)
    exact = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True) * g + b
    np.testing.assert_allclose(got, exact, atol=5e-6)


def test_bias_gelu_is_the_exact_erf_gelu(fast, ref):
    y = np.linspace(-9, 9, 4 * D * 50, dtype=np.float32).reshape(50, 4 * D)
    bias = _rng().normal(size=4 * D).astype(np.float32)
    got, want = y.copy(), y.copy()
    fast.bias_gelu(got, bias)
    ref.bias_gelu(want, bias)
    x = (y + bias).astype(np.float64)
    exact = 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    np.testing.assert_allclose(got, exact, atol=2e-6)
    np.testing.assert_allclose(got, want, atol=2e-6)


def test_the_softmax_exp_is_float32_exact_to_a_few_ulps(fast):
    x = np.concatenate([-np.abs(_rng().normal(scale=20, size=20000)), [0.0, -1e-9, -0.5, -87.0, -88.0, -1e4]])
    got = x.astype(np.float32)
    fast.exp(got)
    want = np.exp(x.astype(np.float32).astype(np.float64))
    normal = x > -87
    assert (np.abs(got - want)[normal] / want[normal]).max() < 3e-7
    assert got[~normal].max() < 2e-38 and (got >= 0).all()      # underflow: tiny, never negative or nan


@pytest.mark.parametrize("lengths", [[1, 2, 3, 3, 7], [5, 1, 9, 2], [40]])
def test_attention_equals_the_bucketed_numpy_products(fast, ref, lengths):
    """Any lengths in any order: each text attends over its own rows only (no padding, no mask)."""
    rng = _rng()
    lengths = np.array(lengths, np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    t = int(lengths.sum())
    qkv = (rng.normal(size=(t, 3 * D)) * 3).astype(np.float32)
    bias = rng.normal(size=3 * D).astype(np.float32)
    scale = np.float32(1 / math.sqrt(D // H))
    got, want = np.full((t, D), np.nan, np.float32), np.full((t, D), np.nan, np.float32)
    before = qkv.copy()
    fast.attention(qkv, bias, starts, lengths, H, scale, got)
    ref.attention(qkv.copy(), bias, starts, lengths, H, scale, want)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)    # float32 sums in another order
    np.testing.assert_array_equal(qkv, before)         # the compiled kernel leaves its input alone
    # one text and head by hand, in float64
    s0, n = int(starts[-1]), int(lengths[-1])
    x = before[s0:s0 + n].astype(np.float64) + bias
    dh = D // H
    q, k, v = x[:, :dh] * float(scale), x[:, D:D + dh], x[:, 2 * D:2 * D + dh]
    p = np.exp(q @ k.T - (q @ k.T).max(1, keepdims=True))
    np.testing.assert_allclose(got[s0:s0 + n, :dh], (p / p.sum(1, keepdims=True)) @ v, rtol=1e-5, atol=1e-5)


def test_numpy_fallback_is_used_until_the_kernels_are_ready(monkeypatch):
    from embedlab.encoder import packed

    monkeypatch.setattr(model._kernel_ready, "is_set", lambda: False)
    assert packed._ready_kernels() is None


def test_the_warm_up_compiles_every_kernel_before_a_request():
    # numba compiles a kernel at its first call: the background warm-up must make that call, or the
    # first Documents / Context request compiles in front of its user (2.5 s measured). A fresh process.
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import time
        from embedlab.encoder import encode_sentences, warm_up
        from embedlab.encoder.kernels import compiled
        warm_up(wait=True)
        k = compiled()
        missing = [f for f in ("embed_ln", "attention", "add_ln", "bias_gelu") if not getattr(k, f).signatures]
        t = time.perf_counter()
        encode_sentences(["the cat sat on the mat", "a dog"])
        encode_sentences(["the cat sat on the mat", "a dog", "a bird"], batch_size=1)   # batches on streams
        print(missing, time.perf_counter() - t)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    missing, seconds = out.stdout.split("]")
    assert missing == "[", out.stdout


def test_bias_gelu_vectorises_even_when_the_kernels_are_built_first():
    # numba vectorises bias_gelu's loop only if the scalar GELU was first compiled through the GELU
    # ufunc (a plain njit call compiled it so that the loop ran one number at a time, 13x slower);
    # compiled() builds the ufunc itself, so the order of warm-up steps does not matter. Fresh builds:
    import re

    model._gelu_scalar.cache_clear()
    model._gelu_kernel.cache_clear()
    k = kernels.compiled.__wrapped__()
    ir = k.bias_gelu.inspect_llvm(k.bias_gelu.signatures[0])
    assert re.search(r"<\d+ x float>", ir), "bias_gelu's loop is not vectorised"
