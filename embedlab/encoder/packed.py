"""The MiniLM forward pass on *packed* tokens: no padding, fused float32 kernels between the products.

:func:`embedlab.encoder.model._forward` runs a padded (batch, longest, 384) block, masking the
padding out of attention. Here the real tokens of all texts of a batch are rows of one (tokens, 384)
matrix, so every dense layer (nearly all of the work: matrix products) multiplies only real tokens,
with Q, K and V as one (384 x 1152) product. Between the products, the compiled kernels of
:mod:`embedlab.encoder.kernels` make one pass each over the activations: embeddings + LayerNorm;
attention (QKV bias, scores, softmax, context) per text and head, read straight from the fused
QKV rows, so texts of any lengths share a batch without padding or a mask; bias + residual +
LayerNorm; bias + exact GELU. They are built by :func:`embedlab.encoder.model.warm_up`; until they
are ready the same steps run in numpy (attention then per run of equal lengths).

The outputs equal the padded pass to float32 rounding (``< 1e-5``, tested), and a text's vector
does not depend on the other texts of its batch.
"""
from __future__ import annotations

import itertools
import logging
import math
from typing import Sequence

import numpy as np

from .kernels import Kernels, compiled, length_buckets, numpy_kernels
from .weights import EncoderWeights

logger = logging.getLogger(__name__)

__all__ = ["forward_pooled", "length_buckets"]


def _ready_kernels() -> Kernels | None:
    """The compiled kernels if :func:`embedlab.encoder.model.warm_up` has built them, else None."""
    from .model import _kernel_ready, warm_up

    warm_up(wait=False)
    return compiled() if _kernel_ready.is_set() else None


def _pack(ids_list: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lengths, first row of each text, ids, positions) of the texts' tokens as packed rows (int64).

    >>> [a.tolist() for a in _pack([(101, 7, 102), (101, 102)])]
    [[3, 2], [0, 3], [101, 7, 102, 101, 102], [0, 1, 2, 0, 1]]
    """
    lengths = np.fromiter((len(t) for t in ids_list), dtype=np.int64, count=len(ids_list))
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    total = int(lengths.sum())
    ids = np.fromiter(itertools.chain.from_iterable(ids_list), dtype=np.int64, count=total)
    pos = np.arange(total, dtype=np.int64) - np.repeat(starts, lengths)
    return lengths, starts, ids, pos


def _buffers(t: int, w: EncoderWeights) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Activations of ``t`` packed tokens: after attention (t, d), QKV (t, 3d), context (t, d), FFN (t, 4d)."""
    d, f = w.dim, w.layers[0].inter_w.shape[1]
    return (np.empty((t, d), np.float32), np.empty((t, 3 * d), np.float32), np.empty((t, d), np.float32),
            np.empty((t, f), np.float32))


def forward_pooled(w: EncoderWeights, ids_list: Sequence[Sequence[int]], *,
                   kernels: Kernels | None = None) -> np.ndarray:
    """Mean output vector of each text (not yet unit length): ``(len(ids_list), 384) float32``.

    Texts may come in any order and of any lengths; sorting them by length only helps the numpy
    fallback (one attention product per run of equal lengths). ``kernels`` (tests, benchmarks)
    replaces the compiled kernels once they are ready, or else the numpy steps.
    """
    k = kernels or _ready_kernels() or numpy_kernels()
    lengths, starts, ids, pos = _pack(ids_list)
    t, d = ids.size, w.dim
    eps = np.float32(w.eps)
    scale = np.float32(1.0 / math.sqrt(d // w.n_heads))
    xa = np.empty((t, d), np.float32)           # the hidden state at the start of each layer
    k.embed_ln(w.word, w.position, w.token_type[0], ids, pos, w.emb_ln_g, w.emb_ln_b, eps, xa)
    xb, qkv, ctx, inter = _buffers(t, w)        # xb: the hidden state after attention
    for layer in w.layers:
        np.matmul(xa, layer.qkv_w, out=qkv)
        k.attention(qkv, layer.qkv_b, starts, lengths, w.n_heads, scale, ctx)
        np.matmul(ctx, layer.attn_out_w, out=xb)
        k.add_ln(xb, layer.attn_out_b, xa, layer.ln1_g, layer.ln1_b, eps)
        np.matmul(xb, layer.inter_w, out=inter)
        k.bias_gelu(inter, layer.inter_b)
        np.matmul(inter, layer.out_w, out=xa)
        k.add_ln(xa, layer.out_b, xb, layer.ln2_g, layer.ln2_b, eps)
    return np.add.reduceat(xa, starts, axis=0) / lengths[:, None].astype(np.float32)
