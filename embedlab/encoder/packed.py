"""The MiniLM forward pass on *packed* tokens: no padding, attention per length bucket, fused kernels.

:func:`embedlab.encoder.model._forward` runs a padded (batch, longest, 384) block, masking the
padding out of attention. Here the real tokens of all texts of a batch are rows of one (tokens, 384)
matrix, so every dense layer (the 96% of the work that is matrix products) multiplies only real
tokens; attention runs per *length bucket* (texts of equal length, contiguous because
:func:`~embedlab.encoder.model.encode_sentences` sorts by length) as one batched product without a
mask. The bias adds, residuals, LayerNorms and bias + GELU happen in place in float32, the last two
as compiled numba kernels (one pass over the activations instead of five to eight), built by
:func:`embedlab.encoder.model.warm_up`; until they are ready numpy does the same steps.

The outputs equal the padded pass to float32 rounding (``< 1e-5``, tested), and a text's vector
does not depend on the other texts of its batch.
"""
from __future__ import annotations

import logging
import math
from functools import lru_cache
from typing import Sequence

import numpy as np

from .weights import EncoderWeights

logger = logging.getLogger(__name__)

__all__ = ["forward_pooled", "length_buckets"]


@lru_cache(maxsize=1)
def _kernels():
    """(layer_norm_inplace, bias_gelu_inplace) compiled with numba, or None without numba."""
    try:
        from numba import njit
    except ImportError:  # pragma: no cover - numba comes with umap-learn
        return None
    from .model import _gelu_scalar

    gelu = _gelu_scalar()

    @njit(fastmath=True, cache=False)
    def ln_inplace(x, gamma, beta, eps):  # pragma: no cover - compiled
        n, d = x.shape
        inv_d = np.float32(1.0) / np.float32(d)
        for i in range(n):
            s = np.float32(0.0)
            for j in range(d):
                s += x[i, j]
            mean = s * inv_d
            v = np.float32(0.0)
            for j in range(d):
                c = x[i, j] - mean
                v += c * c
            inv = np.float32(1.0) / np.sqrt(v * inv_d + eps)
            for j in range(d):
                x[i, j] = (x[i, j] - mean) * inv * gamma[j] + beta[j]

    @njit(fastmath=True, cache=False)
    def bias_gelu_inplace(y, bias):  # pragma: no cover - compiled
        n, d = y.shape
        for i in range(n):
            for j in range(d):
                y[i, j] = gelu(y[i, j] + bias[j])

    x = np.ones((2, 4), np.float32)
    ln_inplace(x, np.ones(4, np.float32), np.zeros(4, np.float32), np.float32(1e-12))   # compile now
    bias_gelu_inplace(x, np.zeros(4, np.float32))
    return ln_inplace, bias_gelu_inplace


def _ready_kernels():
    """The compiled kernels if :func:`embedlab.encoder.model.warm_up` has built them, else None."""
    from .model import _kernel_ready, warm_up

    warm_up(wait=False)
    return _kernels() if _kernel_ready.is_set() else None


def _layer_norm_inplace(x: np.ndarray, gamma, beta, eps: float, kernels) -> None:
    """LayerNorm of each row of ``x``, in place (the compiled kernel, or numpy's steps)."""
    if kernels is not None:
        kernels[0](x, gamma, beta, np.float32(eps))
    else:
        from .model import layer_norm

        x[...] = layer_norm(x, gamma, beta, eps)


def length_buckets(lengths: Sequence[int]) -> list[tuple[int, int, int]]:
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


def forward_pooled(w: EncoderWeights, ids_list: Sequence[Sequence[int]]) -> np.ndarray:
    """Mean output vector of each text (not yet unit length): ``(len(ids_list), 384) float32``.

    Texts of equal length should be next to each other (sorted by length): each run of equal
    lengths is one attention bucket.
    """
    from .model import gelu, layer_norm

    kernels = _ready_kernels()
    lengths = np.array([len(t) for t in ids_list], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ids = np.concatenate([np.asarray(t, dtype=np.int64) for t in ids_list])
    pos = np.arange(ids.size) - np.repeat(starts, lengths)
    d, h = w.dim, w.n_heads
    dh = d // h
    scale = np.float32(1.0 / math.sqrt(dh))
    xa = w.word[ids] + w.position[pos]        # the hidden state, (tokens, d), at the start of each layer
    xa += w.token_type[0]
    _layer_norm_inplace(xa, w.emb_ln_g, w.emb_ln_b, w.eps, kernels)
    buckets = [(int(starts[i]), g, n) for i, g, n in length_buckets(lengths.tolist())]
    t = ids.size
    xb = np.empty_like(xa)                     # the hidden state after attention
    qkv = np.empty((t, 3 * d), np.float32)
    ctx = np.empty((t, d), np.float32)
    inter = np.empty((t, w.layers[0].inter_w.shape[1]), np.float32)
    for layer in w.layers:
        np.matmul(xa, layer.qkv_w, out=qkv)
        qkv += layer.qkv_b
        for row, g, n in buckets:             # g texts of n tokens: rows row .. row + g * n
            part = qkv[row:row + g * n].reshape(g, n, 3, h, dh).transpose(2, 0, 3, 1, 4)   # (3, g, h, n, dh)
            scores = (part[0] * scale) @ part[1].transpose(0, 1, 3, 2)                        # (g, h, n, n)
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx[row:row + g * n].reshape(g, n, h, dh)[...] = (scores @ part[2]).transpose(0, 2, 1, 3)
        np.matmul(ctx, layer.attn_out_w, out=xb)
        xb += layer.attn_out_b
        xb += xa
        _layer_norm_inplace(xb, layer.ln1_g, layer.ln1_b, w.eps, kernels)
        np.matmul(xb, layer.inter_w, out=inter)
        if kernels is not None:
            kernels[1](inter, layer.inter_b)
        else:
            inter += layer.inter_b
            inter[...] = gelu(inter)
        np.matmul(inter, layer.out_w, out=xa)
        xa += layer.out_b
        xa += xb
        _layer_norm_inplace(xa, layer.ln2_g, layer.ln2_b, w.eps, kernels)
    return np.add.reduceat(xa, starts, axis=0) / lengths[:, None].astype(np.float32)
