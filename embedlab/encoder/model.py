"""The BERT forward pass of all-MiniLM-L6-v2 in numpy, and sentence vectors.

1. input vectors = word row + position row + token-type-0 row, then LayerNorm
2. six layers of: 12-head self-attention (padding masked out) -> dense -> residual -> LayerNorm,
   then dense 384 -> 1536 -> exact GELU -> dense 1536 -> 384 -> residual -> LayerNorm
3. sentence vector = mean of the output vectors over the real (not padding) tokens, L2-normalised.

>>> v = encode_sentences(["The weather is lovely today.", "It's so sunny outside!"])
>>> v.shape, round(float(v[0] @ v[1]), 3)
((2, 384), 0.666)
"""
from __future__ import annotations

import logging
import math
import threading
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from ..core.linalg import unit_rows
from ..core.validate import check_int
from .tokenizer import MAX_TOKENS, Tokenization, _check_texts, token_ids_batch, tokenize_batch  # noqa: F401
from .weights import EncoderWeights, load_weights

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_BATCH_SIZE", "encode_sentences", "layer_norm", "gelu", "warm_up"]

DEFAULT_BATCH_SIZE = 32
_NEG = np.float32(-1e9)               # additive attention bias on padding positions


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """LayerNorm over the last axis: ``(x - mean) / sqrt(var + eps) * gamma + beta``.

    >>> layer_norm(np.array([[1.0, 3.0]], np.float32), np.ones(2, np.float32), np.zeros(2, np.float32)).round(3)
    array([[-1.,  1.]], dtype=float32)
    """
    mean = x.mean(axis=-1, keepdims=True)
    xc = x - mean
    var = np.mean(xc * xc, axis=-1, keepdims=True)
    return (xc / np.sqrt(var + np.float32(eps))) * gamma + beta


# float32 erf as a rational function of x (odd numerator / even denominator, inputs clamped to
# [-4, 4], beyond which erf is +-1 in float32): the approximation Eigen uses for float32 erf (and
# so PyTorch and XLA on CPU). Max error vs. the exact erf: 4e-7 (a few float32 ulps). Compiled with
# numba (a umap-learn dependency, already installed) it is ~30x faster than scipy.special.erf,
# which computes in float64 and was half of the whole forward pass.
_ERF_P = (-1.60960333262415e-02, -2.95459980854025e-03, -7.34990630326855e-04, -5.69250639462346e-05,
          -2.10102402082508e-06, 2.77068142495902e-08, -2.72614225801306e-10)
_ERF_Q = (-1.42647390514189e-02, -7.37332916720468e-03, -1.68282697438203e-03, -2.13374055278905e-04,
          -1.45660718464996e-05)


@lru_cache(maxsize=1)
def _gelu_scalar():
    """The float32 GELU of one number, compiled with numba (callable from other numba code), or None
    if numba is unavailable."""
    try:
        from numba import njit
    except ImportError:  # pragma: no cover - numba comes with umap-learn
        logger.info("numba not available; GELU uses scipy.special.erf (slower)")
        return None
    a0, a1, a2, a3, a4, a5, a6 = (np.float32(c) for c in _ERF_P)
    b0, b1, b2, b3, b4 = (np.float32(c) for c in _ERF_Q)
    inv_sqrt2, lo, hi = np.float32(1.0 / math.sqrt(2.0)), np.float32(-4.0), np.float32(4.0)
    half, one = np.float32(0.5), np.float32(1.0)

    @njit(fastmath=True)
    def _gelu(v):  # pragma: no cover - compiled
        x = min(max(v * inv_sqrt2, lo), hi)
        x2 = x * x
        p = a6 * x2 + a5
        p = p * x2 + a4
        p = p * x2 + a3
        p = p * x2 + a2
        p = p * x2 + a1
        p = p * x2 + a0
        q = b4 * x2 + b3
        q = q * x2 + b2
        q = q * x2 + b1
        q = q * x2 + b0
        return half * v * (one + x * p / q)

    return _gelu


@lru_cache(maxsize=1)
def _gelu_kernel():
    """A numba float32 ufunc computing exact GELU, or None if numba is unavailable."""
    scalar = _gelu_scalar()
    if scalar is None:  # pragma: no cover - numba comes with umap-learn
        return None
    from numba import vectorize

    @vectorize(["float32(float32)"], fastmath=True)
    def _gelu(v):  # pragma: no cover - compiled
        return scalar(v)

    return _gelu


_kernel_lock = threading.Lock()
_kernel_ready = threading.Event()
_kernel_thread: threading.Thread | None = None


def _build_kernel() -> None:
    try:
        _gelu_kernel()
        from .kernels import compiled

        kernels = compiled()          # the kernels of the packed forward pass
        if kernels is not None:       # numba compiles at the first call: make it here, not in a request
            from .packed import forward_pooled
            from .weights import load_weights

            forward_pooled(load_weights(), [[101, 7592, 2088, 102], [101, 102]], kernels=kernels)
        from .streams import blas_threads

        blas_threads()                # finds numpy's BLAS for the streams (a scan of the loaded libraries)
    except Exception:  # noqa: BLE001 - without the kernels the numpy steps serve (slower), never an error
        logger.exception("compiling the encoder's kernels failed; the numpy steps serve instead")
    finally:
        _kernel_ready.set()


def warm_up(*, wait: bool = True) -> None:
    """Compile the GELU kernel (once per process), in a background thread.

    numba compiles under one process-wide lock, so while another library compiles (UMAP's
    warm-up takes ~25-50 s) a compile here would wait. :func:`gelu` therefore never waits: until
    the kernel is ready it uses ``scipy.special.erf`` (same values to ~1e-6, ~30x slower GELU).
    ``wait=True`` blocks until the kernel is ready (benchmarks, tests).
    """
    global _kernel_thread
    with _kernel_lock:
        if _kernel_thread is None:
            _kernel_thread = threading.Thread(target=_build_kernel, name="embedlab-gelu-compile", daemon=True)
            _kernel_thread.start()
    if wait:
        _kernel_ready.wait()


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf-based) GELU, as BERT's ``hidden_act="gelu"``: ``0.5 x (1 + erf(x / sqrt 2))``.

    Not the tanh approximation. float32 input uses a compiled float32 erf (error ~4e-7) once it
    is ready (see :func:`warm_up`); until then, and for other dtypes, ``scipy.special.erf``.

    >>> gelu(np.array([-1.0, 0.0, 1.0], np.float32)).round(4)
    array([-0.1587,  0.    ,  0.8413], dtype=float32)
    """
    x = np.asarray(x)
    if x.dtype == np.float32:
        warm_up(wait=False)
        if _kernel_ready.is_set():
            kernel = _gelu_kernel()
            if kernel is not None:
                return kernel(x)
    from scipy.special import erf

    half, one = x.dtype.type(0.5), x.dtype.type(1.0)
    return (half * x) * (one + erf(x * x.dtype.type(1.0 / math.sqrt(2.0))))


def _embed(w: EncoderWeights, ids: np.ndarray) -> np.ndarray:
    """(b, L) ids -> (b, L, d) LayerNormed input vectors."""
    L = ids.shape[1]
    x = w.word[ids] + w.position[:L] + w.token_type[0]
    return layer_norm(x, w.emb_ln_g, w.emb_ln_b, w.eps)


def _forward(w: EncoderWeights, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The encoder: (b, L) ids and 0/1 mask -> (b, L, d) output vectors (float32)."""
    b, L = ids.shape
    d, h = w.dim, w.n_heads
    dh = d // h
    scale = np.float32(1.0 / math.sqrt(dh))
    x = _embed(w, ids).reshape(b * L, d)
    bias = np.where(mask[:, None, None, :] > 0, np.float32(0.0), _NEG).astype(np.float32)  # (b,1,1,L)
    for layer in w.layers:
        qkv = x @ layer.qkv_w + layer.qkv_b                                    # (bL, 3d)
        qkv = qkv.reshape(b, L, 3, h, dh).transpose(2, 0, 3, 1, 4)              # (3, b, h, L, dh)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q * scale) @ k.transpose(0, 1, 3, 2) + bias                   # (b, h, L, L)
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(b * L, d)             # (bL, d)
        x = layer_norm(ctx @ layer.attn_out_w + layer.attn_out_b + x, layer.ln1_g, layer.ln1_b, w.eps)
        inter = gelu(x @ layer.inter_w + layer.inter_b)
        x = layer_norm(inter @ layer.out_w + layer.out_b + x, layer.ln2_g, layer.ln2_b, w.eps)
    return x.reshape(b, L, d)


def _pad(toks: Sequence[Tokenization]) -> tuple[np.ndarray, np.ndarray]:
    L = max(len(t) for t in toks)
    ids = np.zeros((len(toks), L), dtype=np.int64)       # [PAD] has id 0
    mask = np.zeros((len(toks), L), dtype=np.float32)
    for r, t in enumerate(toks):
        ids[r, :len(t)] = t.ids
        mask[r, :len(t)] = 1.0
    return ids, mask


def encode_sentences(texts: Sequence[str], *, batch_size: int = DEFAULT_BATCH_SIZE,
                     progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Sentence vectors of all-MiniLM-L6-v2: mean of the output vectors over the tokens, unit length.

    Texts are sorted by length (longest first) and encoded in batches of packed tokens, without padding (each text
    attends over its own tokens, :mod:`embedlab.encoder.packed`), then put back in the order given:
    a text gets the same vector alone or in a batch. With several batches and BLAS on ``s > 1``
    threads, ``s`` batches run at once, each on one core (:mod:`embedlab.encoder.streams`).

    Parameters
    ----------
    texts : list of str
        The texts; an empty string encodes ``[CLS] [SEP]``. Texts beyond 512 tokens are cut.
    batch_size : int
        Texts per forward pass (32 is a good size on a laptop CPU); the rows of each matrix product.
    progress : callable(done, total), optional
        Called after each batch with the number of texts encoded so far.

    Returns
    -------
    ndarray, shape (len(texts), 384), float32, unit rows

    Raises
    ------
    InvalidParameterError
        If ``texts`` is a single string, holds a non-string, or ``batch_size`` < 1.

    >>> encode_sentences(["hello", ""]).shape
    (2, 384)
    """
    texts = _check_texts(texts)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    w = load_weights()
    out = np.empty((len(texts), w.dim), dtype=np.float32)
    if not texts:
        return out
    ids, n_cut = token_ids_batch(texts)
    if n_cut:
        logger.info("%d of %d texts were cut to %d tokens", n_cut, len(texts), MAX_TOKENS)
    from .streams import pooled_batches   # (imports this module)

    # longest first: on streams the last batches to start are then the shortest, and the streams end
    # together (shortest first, one core waited alone for the longest batch at the end)
    order = np.argsort([-len(t) for t in ids], kind="stable")
    rows = [order[start:start + batch_size] for start in range(0, len(order), batch_size)]

    def done(i: int, pooled: np.ndarray) -> None:
        out[rows[i]] = unit_rows(pooled)
        if progress is not None:
            progress(min((i + 1) * batch_size, len(texts)), len(texts))

    pooled_batches(w, [[ids[r] for r in batch] for batch in rows], done=done)   # no padding
    return out
