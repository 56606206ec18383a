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

:func:`compiled` builds them (numba, ``fastmath`` and, by default, ``parallel`` over rows or over
text x head pairs); :func:`numpy_kernels` are the same steps in numpy, the reference the tests compare
with and the fallback until the compiled ones are ready. Both give the same numbers to float32
rounding (``< 1e-5`` on the model's outputs, tested).

>>> k = numpy_kernels()
>>> y = np.array([[1.0, 3.0]], np.float32)
>>> k.add_ln(y, np.zeros(2, np.float32), np.zeros_like(y), np.ones(2, np.float32), np.zeros(2, np.float32), 1e-12)
>>> y.round(3)
array([[-1.,  1.]], dtype=float32)
"""
from __future__ import annotations

import logging
import threading
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


def numpy_kernels() -> Kernels:
    """The kernels' steps in numpy (the reference; used until :func:`compiled` is ready)."""
    return Kernels(_np_embed_ln, _np_attention, _np_add_ln, _np_bias_gelu, "numpy")


# -- compiled ------------------------------------------------------------------------------------
def _serialised(fn: Callable, lock: threading.Lock) -> Callable:
    def call(*args):
        with lock:
            return fn(*args)
    return call


@lru_cache(maxsize=2)
def compiled(parallel: bool = True) -> Kernels | None:
    """The kernels compiled with numba (once per process and per ``parallel``), or None without numba.

    ``parallel=True`` spreads rows (and text x head pairs) over numba's threads. numba's
    ``workqueue`` threading layer (used when neither OpenMP nor TBB is there) must not be entered
    from two threads at once, so then each call takes a lock (Streamlit serves sessions in threads).
    """
    try:
        import numba
        from numba import njit, prange
    except ImportError:  # pragma: no cover - numba comes with umap-learn
        return None
    from .model import _gelu_scalar

    gelu = _gelu_scalar()
    jit = njit(fastmath=True, parallel=parallel, cache=False)
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

    @jit
    def embed_ln(word, position, type0, ids, pos, gamma, beta, eps, out):  # pragma: no cover - compiled
        t, d = out.shape
        for i in prange(t):
            w, p, o = word[ids[i]], position[pos[i]], out[i]
            for j in range(d):
                o[j] = (w[j] + p[j]) + type0[j]
            ln_row(o, gamma, beta, eps)

    @jit
    def add_ln(y, bias, residual, gamma, beta, eps):  # pragma: no cover - compiled
        t, d = y.shape
        for i in prange(t):
            r, o = residual[i], y[i]
            for j in range(d):
                o[j] = (o[j] + bias[j]) + r[j]
            ln_row(o, gamma, beta, eps)

    @jit
    def bias_gelu(y, bias):  # pragma: no cover - compiled
        t, d = y.shape
        for i in prange(t):
            o = y[i]
            for j in range(d):
                o[j] = gelu(o[j] + bias[j])

    @jit
    def attention(qkv, bias, starts, lengths, n_heads, scale, ctx):  # pragma: no cover - compiled
        d = ctx.shape[1]
        dh = d // n_heads
        for task in prange(starts.size * n_heads):
            s, hd = task // n_heads, task % n_heads
            r0, n = starts[s], lengths[s]
            qo, ko, vo = hd * dh, d + hd * dh, 2 * d + hd * dh
            kt = np.empty((dh, n), np.float32)        # this head's keys, transposed: scores run along rows
            v = np.empty((n, dh), np.float32)
            for j in range(n):
                src = qkv[r0 + j]
                for c in range(dh):
                    kt[c, j] = src[ko + c] + bias[ko + c]
                    v[j, c] = src[vo + c] + bias[vo + c]
            p = np.empty(n, np.float32)
            acc = np.empty(dh, np.float32)
            for i in range(n):
                src = qkv[r0 + i]
                p[:] = 0.0
                for c in range(dh):
                    qc = (src[qo + c] + bias[qo + c]) * scale
                    krow = kt[c]
                    for j in range(n):
                        p[j] += qc * krow[j]
                m = p[0]
                for j in range(1, n):
                    m = max(m, p[j])
                total = np.float32(0.0)
                for j in range(n):
                    e = np.exp(p[j] - m)
                    p[j] = e
                    total += e
                acc[:] = 0.0
                for j in range(n):
                    pj = p[j] / total
                    vrow = v[j]
                    for c in range(dh):
                        acc[c] += pj * vrow[c]
                out = ctx[r0 + i]
                for c in range(dh):
                    out[qo + c] = acc[c]

    # compile now, on tiny inputs of the real dtypes
    x = np.ones((3, 8), np.float32)
    one, zero = np.ones(8, np.float32), np.zeros(8, np.float32)
    eps = np.float32(1e-12)
    idx = np.zeros(3, np.int64)
    embed_ln(x, x, one, idx, idx, one, zero, eps, x.copy())
    add_ln(x, zero, x.copy(), one, zero, eps)
    bias_gelu(x, zero)
    qkv = np.ones((3, 24), np.float32)
    attention(qkv, np.zeros(24, np.float32), np.array([0, 1], np.int64), np.array([1, 2], np.int64),
              2, np.float32(0.5), np.empty((3, 8), np.float32))
    fns = [embed_ln, attention, add_ln, bias_gelu]
    name = "numba"
    if parallel:
        layer = numba.threading_layer()
        name = f"numba parallel ({layer}, {numba.get_num_threads()} threads)"
        if layer == "workqueue":
            lock = threading.Lock()
            fns = [_serialised(f, lock) for f in fns]
    logger.info("encoder kernels compiled: %s", name)
    return Kernels(*fns, name)
