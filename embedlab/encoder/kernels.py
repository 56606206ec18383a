"""The float32 kernels of the packed forward pass: compiled with numba, and the numpy steps they replace.

Every kernel works in place on rows of packed tokens (``(tokens, width) float32``, C-contiguous) and
does in one pass over the activations what numpy does in several:

- ``embed_ln(word, position, type0, ids, pos, gamma, beta, eps, out)``: the input vectors
  (word row + position row + token-type row) and their LayerNorm, written into ``out``;
- ``attention(qkv, bias, starts, lengths, n_heads, scale, ctx)``: the QKV bias, the scaled scores,
  softmax and context of every text and head, read straight from the fused ``[q | k | v]`` rows and
  written into ``ctx`` (no transposes, no padding, no mask: each text attends over its own rows);
- ``add_ln(y, bias, residual, gamma, beta, eps)``: ``y = LayerNorm(y + bias + residual)``;
- ``bias_gelu(y, bias)``: ``y = GELU(y + bias)`` with the exact (erf) GELU.

:func:`compiled` builds them (numba, ``fastmath``, loops that vectorise; the softmax with a
vectorised float32 ``exp``); :func:`numpy_kernels` are the same steps in numpy, the reference the
tests compare with and the fallback until the compiled ones are ready. Both give the same numbers to float32
rounding (``< 1e-5`` on the model's outputs, tested).

>>> k = numpy_kernels()
>>> y = np.array([[1.0, 3.0]], np.float32)
>>> k.add_ln(y, np.zeros(2, np.float32), np.zeros_like(y), np.ones(2, np.float32), np.zeros(2, np.float32), 1e-12)
>>> y.round(3)
array([[-1.,  1.]], dtype=float32)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["Kernels", "compiled", "length_buckets", "numpy_kernels"]


@dataclass(frozen=True)
class Kernels:
    """One set of the four in-place kernels (see the module text for their arguments)."""

    embed_ln: Callable
    attention: Callable
    add_ln: Callable
    bias_gelu: Callable
    exp: Callable          # the softmax's exp of numbers <= 0, in place on a 1-D array (for tests)
    name: str


def length_buckets(lengths) -> list[tuple[int, int, int]]:
    """Runs of equal lengths as ``(first text, number of texts, length)``.

    >>> length_buckets([3, 3, 5, 7, 7, 7])
    [(0, 2, 3), (2, 1, 5), (3, 3, 7)]
    """
    out: list[tuple[int, int, int]] = []
    for i, n in enumerate(lengths):
        if out and out[-1][2] == n and out[-1][0] + out[-1][1] == i:
            out[-1] = (out[-1][0], out[-1][1] + 1, n)
        else:
            out.append((i, 1, int(n)))
    return out


# -- the numpy steps (reference and fallback) ----------------------------------------------------
def _np_embed_ln(word, position, type0, ids, pos, gamma, beta, eps, out) -> None:
    from .model import layer_norm

    x = word[ids] + position[pos]
    x += type0
    out[...] = layer_norm(x, gamma, beta, eps)


def _np_attention(qkv, bias, starts, lengths, n_heads, scale, ctx) -> None:
    """Per run of equal lengths, one batched product over texts and heads (adds ``bias`` to ``qkv``)."""
    d = ctx.shape[1]
    dh = d // n_heads
    qkv += bias
    for first, g, n in length_buckets(np.asarray(lengths).tolist()):
        row = int(starts[first])
        part = qkv[row:row + g * n].reshape(g, n, 3, n_heads, dh).transpose(2, 0, 3, 1, 4)   # (3, g, h, n, dh)
        scores = (part[0] * scale) @ part[1].transpose(0, 1, 3, 2)                              # (g, h, n, n)
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        ctx[row:row + g * n].reshape(g, n, n_heads, dh)[...] = (scores @ part[2]).transpose(0, 2, 1, 3)


def _np_add_ln(y, bias, residual, gamma, beta, eps) -> None:
    from .model import layer_norm

    y += bias
    y += residual
    y[...] = layer_norm(y, gamma, beta, eps)


def _np_bias_gelu(y, bias) -> None:
    from .model import gelu

    y += bias
    y[...] = gelu(y)


def _np_exp(x) -> None:
    np.exp(x, out=x)


def numpy_kernels() -> Kernels:
    """The kernels' steps in numpy (the reference; used until :func:`compiled` is ready)."""
    return Kernels(_np_embed_ln, _np_attention, _np_add_ln, _np_bias_gelu, _np_exp, "numpy")


# -- compiled ------------------------------------------------------------------------------------
# float32 exp for the softmax (Cephes expf: exp(x) = 2^k * e^r, |r| <= ln2 / 2, a degree-7 polynomial,
# 2^k from its exponent bits), written so that the loop vectorises; libm's expf is a call per number.
# Relative error < 3e-7 against float64 exp on [-87, 0] (tested).
_LOG2E = 1.4426950408889634
_LN2_HI, _LN2_LO = 0.693359375, -2.12194440e-4
_EXP_P = (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1,
          5.0000001201e-1)
_EXP_MIN = -87.0                      # exp(-87) = 1.6e-38, still a normal float32


@lru_cache(maxsize=1)
def compiled() -> Kernels | None:
    """The kernels compiled with numba (once per process), or None without numba.

    They run on the calling thread: the products between them already use both BLAS threads, and
    numba's own threads (``parallel=True``) made the whole pass 2.4x slower here, each pool's
    threads spinning while the other worked (``bench/profile_encoder.py``).
    """
    try:
        from numba import njit
    except ImportError:  # pragma: no cover - numba comes with umap-learn
        return None
    from .model import _gelu_kernel, _gelu_scalar

    gelu = _gelu_scalar()
    # Build the GELU ufunc first: the scalar GELU compiled through numba.vectorize is the one later
    # kernels link, and only then does bias_gelu's loop vectorise (compiled through a plain njit
    # call it ran one number at a time: 2.7 vs 0.2 ms for 707 x 1536 numbers; test_kernels checks).
    _gelu_kernel()
    f32 = np.float32
    log2e, ln2_hi, ln2_lo, lo = f32(_LOG2E), f32(_LN2_HI), f32(_LN2_LO), f32(_EXP_MIN)
    p0, p1, p2, p3, p4, p5 = (f32(c) for c in _EXP_P)
    # numba note: index with loop variables into row views (``a = x[i]; a[c]``); an index sum like
    # ``x[base + c]`` gets a negative-index check that stops the loop from vectorising (10x slower).
    jit = njit(fastmath=True, cache=False, nogil=True)
    row_jit = njit(fastmath=True, cache=False, inline="always")

    @row_jit
    def ln_row(x, gamma, beta, eps):  # pragma: no cover - compiled
        d = x.size
        inv_d = np.float32(1.0) / np.float32(d)
        s = np.float32(0.0)
        for j in range(d):
            s += x[j]
        mean = s * inv_d
        v = np.float32(0.0)
        for j in range(d):
            c = x[j] - mean
            v += c * c
        inv = np.float32(1.0) / np.sqrt(v * inv_d + eps)
        for j in range(d):
            x[j] = (x[j] - mean) * inv * gamma[j] + beta[j]

    @row_jit
    def exp_row(x, bits, two):  # pragma: no cover - compiled
        for j in range(x.size):               # exp(x) = 2^k e^r: e^r by its polynomial, 2^k as bits
            v = max(x[j], lo)
            k = np.floor(v * log2e + np.float32(0.5))
            r = (v - k * ln2_hi) - k * ln2_lo
            p = ((((p0 * r + p1) * r + p2) * r + p3) * r + p4) * r + p5
            x[j] = p * (r * r) + r + np.float32(1.0)
            bits[j] = (np.int32(k) + np.int32(127)) << np.int32(23)
        for j in range(x.size):
            x[j] = x[j] * two[j]              # two = bits seen as float32: 2^k

    @row_jit
    def softmax_row(row, bits, two):  # pragma: no cover - compiled
        n = row.size
        m = row[0]
        for j in range(1, n):
            m = max(m, row[j])
        for j in range(n):
            row[j] -= m
        exp_row(row, bits, two)
        total = np.float32(0.0)
        for j in range(n):
            total += row[j]
        for j in range(n):
            row[j] = row[j] / total

    @row_jit
    def scores_row(qi, kb, row, n):  # pragma: no cover - compiled
        """row[j] = qi . kb[j] for j < n, four keys at a time (four sums in flight, not one)."""
        j = 0
        while j + 4 <= n:
            k0, k1, k2, k3 = kb[j], kb[j + 1], kb[j + 2], kb[j + 3]
            a0, a1, a2, a3 = np.float32(0.0), np.float32(0.0), np.float32(0.0), np.float32(0.0)
            for c in range(qi.size):
                qc = qi[c]
                a0 += qc * k0[c]
                a1 += qc * k1[c]
                a2 += qc * k2[c]
                a3 += qc * k3[c]
            row[j], row[j + 1], row[j + 2], row[j + 3] = a0, a1, a2, a3
            j += 4
        while j < n:
            kj = kb[j]
            a0 = np.float32(0.0)
            for c in range(qi.size):
                a0 += qi[c] * kj[c]
            row[j] = a0
            j += 1

    @jit
    def embed_ln(word, position, type0, ids, pos, gamma, beta, eps, out):  # pragma: no cover - compiled
        t, d = out.shape
        for i in range(t):
            w, p, o = word[ids[i]], position[pos[i]], out[i]
            for j in range(d):
                o[j] = (w[j] + p[j]) + type0[j]
            ln_row(o, gamma, beta, eps)

    @jit
    def add_ln(y, bias, residual, gamma, beta, eps):  # pragma: no cover - compiled
        t, d = y.shape
        for i in range(t):
            r, o = residual[i], y[i]
            for j in range(d):
                o[j] = (o[j] + bias[j]) + r[j]
            ln_row(o, gamma, beta, eps)

    @jit
    def bias_gelu(y, bias):  # pragma: no cover - compiled
        t, d = y.shape
        for i in range(t):
            o = y[i]
            for j in range(d):
                o[j] = gelu(o[j] + bias[j])

    @jit
    def attention(qkv, bias, starts, lengths, n_heads, scale, ctx):  # pragma: no cover - compiled
        d = ctx.shape[1]
        dh = d // n_heads
        most = lengths.max()
        qb, kb = np.empty((most, dh), np.float32), np.empty((most, dh), np.float32)
        vb, cb = np.empty((most, dh), np.float32), np.empty((most, dh), np.float32)
        sc = np.empty((most, most), np.float32)
        bits = np.empty(most, np.int32)
        two = bits.view(np.float32)
        for s in range(starts.size):
            r0, n = starts[s], lengths[s]
            for hd in range(n_heads):
                qo, ko, vo = hd * dh, d + hd * dh, 2 * d + hd * dh
                bq, bk, bv = bias[qo:qo + dh], bias[ko:ko + dh], bias[vo:vo + dh]
                for j in range(n):            # this head's q (scaled), k, v with their bias, contiguous
                    src = qkv[r0 + j]
                    sq, sk, sv = src[qo:qo + dh], src[ko:ko + dh], src[vo:vo + dh]
                    dq, dk, dv = qb[j], kb[j], vb[j]
                    for c in range(dh):
                        dq[c] = (sq[c] + bq[c]) * scale
                        dk[c] = sk[c] + bk[c]
                        dv[c] = sv[c] + bv[c]
                for i in range(n):            # scores and softmax, a row per query
                    scores_row(qb[i], kb, sc[i], n)
                    softmax_row(sc[i, :n], bits, two)
                    ci = cb[i]
                    for c in range(dh):
                        ci[c] = 0.0
                for j in range(n):            # context: sum over keys of weight x value
                    vj = vb[j]
                    for i in range(n):
                        ci, pij = cb[i], sc[i, j]
                        for c in range(dh):
                            ci[c] += pij * vj[c]
                for i in range(n):
                    o, ci = ctx[r0 + i, qo:qo + dh], cb[i]
                    for c in range(dh):
                        o[c] = ci[c]

    @jit
    def exp_nonpositive(x):  # pragma: no cover - compiled
        """exp of each number of a 1-D array of numbers <= 0, in place (the softmax's exp; tests)."""
        bits = np.empty(x.size, np.int32)
        exp_row(x, bits, bits.view(np.float32))

    # compile now, on tiny inputs of the real dtypes
    x = np.ones((3, 8), np.float32)
    one, zero = np.ones(8, np.float32), np.zeros(8, np.float32)
    eps = np.float32(1e-12)
    idx = np.zeros(3, np.int64)
    embed_ln(x, x, one, idx, idx, one, zero, eps, x.copy())
    add_ln(x, zero, x.copy(), one, zero, eps)
    bias_gelu(x, zero)
    attention(np.ones((3, 24), np.float32), np.zeros(24, np.float32), np.array([0, 1], np.int64),
              np.array([1, 2], np.int64), 2, np.float32(0.5), np.empty((3, 8), np.float32))
    exp_nonpositive(np.zeros(4, np.float32))
    logger.info("encoder kernels compiled")
    return Kernels(embed_ln, attention, add_ln, bias_gelu, exp_nonpositive, "numba")

