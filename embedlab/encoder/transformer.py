"""The all-MiniLM-L6-v2 sentence encoder, in numpy, from the weights the model package ships.

No torch: the WordPiece tokenizer comes from the ``tokenizers`` package (the model's own
``tokenizer.json``, with its fixed padding to 128 switched off), the weights from
``model.safetensors``. The forward pass is the BERT encoder:

1. input vectors = word row + position row + token-type-0 row, then LayerNorm
2. six layers of: 12-head self-attention (padding masked out) -> dense -> residual -> LayerNorm,
   then dense 384 -> 1536 -> exact GELU -> dense 1536 -> 384 -> residual -> LayerNorm
3. sentence vector = mean of the output vectors over the real (not padding) tokens, L2-normalised.

Texts longer than the model's 512 positions are cut to 512 tokens (``[CLS]`` + 510 + ``[SEP]``);
the results say so (:attr:`Tokenization.truncated`).

>>> v = encode_sentences(["The weather is lovely today.", "It's so sunny outside!"])
>>> v.shape, round(float(v[0] @ v[1]), 3)
((2, 384), 0.666)
"""
from __future__ import annotations

import json
import logging
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from ..core.errors import InvalidParameterError
from ..io.sources import model_dir

logger = logging.getLogger(__name__)

__all__ = ["MAX_TOKENS", "Tokenization", "InputStages", "TokenOutputs", "EncoderWeights",
           "tokenize", "tokenize_batch", "load_weights", "input_stages", "encode_tokens",
           "encode_sentences", "sinusoidal_encoding", "layer_norm", "gelu", "warm_up", "WordInContexts",
           "word_in_contexts"]

MAX_TOKENS = 512                      # the model has 512 learned positions
DEFAULT_BATCH_SIZE = 32
_NEG = np.float32(-1e9)               # additive attention bias on padding positions
_lock = threading.Lock()


# --------------------------------------------------------------------------- tokenizer
@dataclass(frozen=True)
class Tokenization:
    """One text cut into WordPiece tokens.

    Attributes
    ----------
    tokens : tuple of str
        ``[CLS]``, the pieces, ``[SEP]``; sub-word pieces start with ``##``.
    ids : tuple of int
        Row numbers in the token table, same length as ``tokens``.
    offsets : tuple of (int, int)
        Character span of each token in the text ((0, 0) for the special tokens).
    truncated : bool
        True if the text had more than :data:`MAX_TOKENS` tokens and was cut.
    n_tokens_before_truncation : int
        How many tokens (with ``[CLS]``/``[SEP]``) the whole text would need.
    """

    tokens: tuple[str, ...]
    ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]
    truncated: bool
    n_tokens_before_truncation: int

    @property
    def is_subword(self) -> tuple[bool, ...]:
        """True for pieces that continue a word (``##ing``)."""
        return tuple(t.startswith("##") and len(t) > 2 for t in self.tokens)

    def __len__(self) -> int:
        return len(self.ids)


@lru_cache(maxsize=1)
def _tokenizer():
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()        # the shipped file pads every text to 128
    tok.no_truncation()     # we cut to MAX_TOKENS ourselves, to know when it happened
    return tok


def _check_texts(texts) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise InvalidParameterError(
            "texts must be a list of strings, got a single string; wrap it in a list: [text]")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise InvalidParameterError(f"texts[{i}] is {type(t).__name__}, not str; every text must be a string")
    return texts


def _cut(enc) -> Tokenization:
    ids, tokens, offsets = enc.ids, enc.tokens, enc.offsets
    n = len(ids)
    truncated = n > MAX_TOKENS
    if truncated:  # keep [CLS] + the first 510 pieces + [SEP]
        keep = MAX_TOKENS - 1
        ids = ids[:keep] + ids[-1:]
        tokens = tokens[:keep] + tokens[-1:]
        offsets = offsets[:keep] + offsets[-1:]
    return Tokenization(tuple(tokens), tuple(int(i) for i in ids), tuple(tuple(o) for o in offsets),
                        truncated, n)


def tokenize(text: str) -> Tokenization:
    """Cut ``text`` into the model's WordPiece tokens (lower-cased, ``[CLS]`` ... ``[SEP]``).

    An empty text gives just ``[CLS] [SEP]``.

    >>> t = tokenize("Embeddings!")
    >>> t.tokens
    ('[CLS]', 'em', '##bed', '##ding', '##s', '!', '[SEP]')
    >>> t.ids[0], t.truncated
    (101, False)
    """
    return tokenize_batch([text])[0]


def tokenize_batch(texts: Sequence[str]) -> list[Tokenization]:
    """:func:`tokenize` for many texts at once (the tokenizer runs them in parallel)."""
    texts = _check_texts(texts)
    if not texts:
        return []
    return [_cut(e) for e in _tokenizer().encode_batch(texts)]


# --------------------------------------------------------------------------- weights
@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray     # (384, 1152): x @ qkv_w + qkv_b = [q | k | v]
    qkv_b: np.ndarray
    attn_out_w: np.ndarray
    attn_out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    inter_w: np.ndarray   # (384, 1536)
    inter_b: np.ndarray
    out_w: np.ndarray     # (1536, 384)
    out_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


@dataclass(frozen=True)
class EncoderWeights:
    """The model's weights as float32 arrays, laid out for ``x @ W`` (read-only)."""

    word: np.ndarray          # (30522, 384) the token table E
    position: np.ndarray      # (512, 384)
    token_type: np.ndarray    # (2, 384)
    emb_ln_g: np.ndarray
    emb_ln_b: np.ndarray
    layers: tuple[_Layer, ...]
    n_heads: int
    eps: float

    @property
    def dim(self) -> int:
        return int(self.word.shape[1])


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float32)
    a.flags.writeable = False
    return a


@lru_cache(maxsize=1)
def load_weights() -> EncoderWeights:
    """Read the encoder weights once per process (about 90 MB of float32).

    Raises
    ------
    ModelPackageMissingError
        If the model package is not installed.
    """
    from safetensors.numpy import load_file

    with _lock:
        folder = model_dir()
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        t = load_file(str(folder / "model.safetensors"))
        layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            q, k, v = (t[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value"))
            layers.append(_Layer(
                qkv_w=_ro(np.concatenate([q.T, k.T, v.T], axis=1)),
                qkv_b=_ro(np.concatenate([t[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])),
                attn_out_w=_ro(t[p + "attention.output.dense.weight"].T),
                attn_out_b=_ro(t[p + "attention.output.dense.bias"]),
                ln1_g=_ro(t[p + "attention.output.LayerNorm.weight"]),
                ln1_b=_ro(t[p + "attention.output.LayerNorm.bias"]),
                inter_w=_ro(t[p + "intermediate.dense.weight"].T),
                inter_b=_ro(t[p + "intermediate.dense.bias"]),
                out_w=_ro(t[p + "output.dense.weight"].T),
                out_b=_ro(t[p + "output.dense.bias"]),
                ln2_g=_ro(t[p + "output.LayerNorm.weight"]),
                ln2_b=_ro(t[p + "output.LayerNorm.bias"]),
            ))
        w = EncoderWeights(
            word=_ro(t["embeddings.word_embeddings.weight"]),
            position=_ro(t["embeddings.position_embeddings.weight"]),
            token_type=_ro(t["embeddings.token_type_embeddings.weight"]),
            emb_ln_g=_ro(t["embeddings.LayerNorm.weight"]),
            emb_ln_b=_ro(t["embeddings.LayerNorm.bias"]),
            layers=tuple(layers),
            n_heads=int(config["num_attention_heads"]),
            eps=float(config["layer_norm_eps"]),
        )
    logger.info("loaded encoder weights: %d layers, %d heads, dim %d", len(w.layers), w.n_heads, w.dim)
    return w


# --------------------------------------------------------------------------- building blocks
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
def _gelu_kernel():
    """A numba float32 ufunc computing exact GELU, or None if numba is unavailable."""
    try:
        from numba import vectorize
    except ImportError:  # pragma: no cover - numba comes with umap-learn
        logger.info("numba not available; GELU uses scipy.special.erf (slower)")
        return None
    a0, a1, a2, a3, a4, a5, a6 = (np.float32(c) for c in _ERF_P)
    b0, b1, b2, b3, b4 = (np.float32(c) for c in _ERF_Q)
    inv_sqrt2, lo, hi = np.float32(1.0 / math.sqrt(2.0)), np.float32(-4.0), np.float32(4.0)
    half, one = np.float32(0.5), np.float32(1.0)

    @vectorize(["float32(float32)"], fastmath=True)
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


_kernel_lock = threading.Lock()
_kernel_ready = threading.Event()
_kernel_thread: threading.Thread | None = None


def _build_kernel() -> None:
    try:
        _gelu_kernel()
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


# --------------------------------------------------------------------------- public API
@dataclass(frozen=True)
class InputStages:
    """What happens to a text before the first attention layer (all arrays ``(n_tokens, d)`` float32).

    ``word`` are the rows of the token table E for the ids, ``position`` the learned position
    vectors 0..n-1, ``token_type`` the (single) segment-A vector, ``summed`` their sum and
    ``normed`` its LayerNorm: exactly what the first attention layer receives.
    """

    tokenization: Tokenization
    word: np.ndarray
    position: np.ndarray
    token_type: np.ndarray
    summed: np.ndarray
    normed: np.ndarray
    vocab_size: int

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.tokenization.tokens


def input_stages(text: str) -> InputStages:
    """Follow ``text`` through the input pipeline: tokens -> ids -> rows of E (+ positions) -> LayerNorm.

    >>> s = input_stages("a cat")
    >>> s.tokens, s.word.shape, s.vocab_size
    (('[CLS]', 'a', 'cat', '[SEP]'), (4, 384), 30522)
    """
    w = load_weights()
    tok = tokenize(text)
    ids = np.asarray(tok.ids, dtype=np.int64)
    n = len(ids)
    word = w.word[ids]
    pos = w.position[:n].copy()
    tt = np.broadcast_to(w.token_type[0], (n, w.dim)).copy()
    summed = word + pos + tt
    normed = layer_norm(summed, w.emb_ln_g, w.emb_ln_b, w.eps)
    return InputStages(tok, word, pos, tt, summed, normed.astype(np.float32), int(w.word.shape[0]))


@dataclass(frozen=True)
class TokenOutputs:
    """One text through the whole encoder, token by token.

    Attributes
    ----------
    tokens, ids : tuple
        The WordPiece tokens (with ``[CLS]``/``[SEP]``) and their ids.
    input_vectors : ndarray, (n_tokens, 384) float32
        The static rows of the token table E: the same for a token wherever it appears.
    output_vectors : ndarray, (n_tokens, 384) float32
        The encoder's last-layer vectors: they depend on the whole sentence (contextual).
    truncated : bool
        True if the text was cut to :data:`MAX_TOKENS` tokens.
    offsets : tuple of (int, int)
        Character span of each token in the text.
    """

    tokens: tuple[str, ...]
    ids: tuple[int, ...]
    input_vectors: np.ndarray
    output_vectors: np.ndarray
    truncated: bool
    offsets: tuple[tuple[int, int], ...] = ()

    def positions_of(self, word: str) -> list[int]:
        """Token positions whose token equals ``word`` (lower-cased, as the tokenizer does)."""
        w = word.strip().lower()
        return [i for i, t in enumerate(self.tokens) if t == w]


def encode_tokens(text: str) -> TokenOutputs:
    """Per-token input rows and contextual output vectors for one text.

    >>> a = encode_tokens("I sat on the river bank.")
    >>> b = encode_tokens("I opened an account at the bank.")
    >>> i, j = a.positions_of("bank")[0], b.positions_of("bank")[0]
    >>> bool((a.input_vectors[i] == b.input_vectors[j]).all())     # same row of E
    True
    >>> float(a.output_vectors[i] @ b.output_vectors[j]) < 0.9 * float(np.linalg.norm(a.output_vectors[i]) * np.linalg.norm(b.output_vectors[j]))
    True
    """
    w = load_weights()
    tok = tokenize(text)
    ids, mask = _pad([tok])
    out = _forward(w, ids, mask)[0]
    inp = w.word[np.asarray(tok.ids, dtype=np.int64)]
    out = np.ascontiguousarray(out, dtype=np.float32)
    inp.flags.writeable = False
    out.flags.writeable = False
    return TokenOutputs(tok.tokens, tok.ids, inp, out, tok.truncated, tok.offsets)


def encode_sentences(texts: Sequence[str], *, batch_size: int = DEFAULT_BATCH_SIZE,
                     progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Sentence vectors of all-MiniLM-L6-v2: mean of the output vectors over the tokens, unit length.

    Texts are sorted by length and encoded in batches (each padded to its longest text, padding
    masked out), then put back in the order given: a text gets the same vector alone or in a batch.

    Parameters
    ----------
    texts : list of str
        The texts; an empty string encodes ``[CLS] [SEP]``. Texts beyond 512 tokens are cut.
    batch_size : int
        Texts per forward pass (32 is a good size on a laptop CPU).
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
    if int(batch_size) < 1:
        raise InvalidParameterError(f"batch_size must be at least 1, got {batch_size}")
    batch_size = int(batch_size)
    w = load_weights()
    out = np.empty((len(texts), w.dim), dtype=np.float32)
    if not texts:
        return out
    toks = tokenize_batch(texts)
    n_cut = sum(t.truncated for t in toks)
    if n_cut:
        logger.info("%d of %d texts were cut to %d tokens", n_cut, len(texts), MAX_TOKENS)
    order = np.argsort([len(t) for t in toks], kind="stable")
    done = 0
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        ids, mask = _pad([toks[r] for r in rows])
        hidden = _forward(w, ids, mask)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out[rows] = pooled / norms
        done += len(rows)
        if progress is not None:
            progress(done, len(texts))
    return out


def sinusoidal_encoding(n_positions: int, dim: int, *, base: float = 10000.0) -> np.ndarray:
    """The fixed position encoding of "Attention is all you need" (for comparison with learned ones).

    Row p, columns 2i and 2i+1: ``sin(p / base**(2i/dim))``, ``cos(p / base**(2i/dim))``.

    Returns
    -------
    ndarray, shape (n_positions, dim), float32

    Raises
    ------
    InvalidParameterError
        If ``n_positions`` < 1 or ``dim`` is not a positive even number.

    >>> sinusoidal_encoding(2, 4).round(3)
    array([[0.   , 1.   , 0.   , 1.   ],
           [0.841, 0.54 , 0.01 , 1.   ]], dtype=float32)
    """
    if int(n_positions) < 1:
        raise InvalidParameterError(f"n_positions must be at least 1, got {n_positions}")
    if int(dim) < 2 or int(dim) % 2:
        raise InvalidParameterError(f"dim must be a positive even number, got {dim}")
    pos = np.arange(int(n_positions), dtype=np.float64)[:, None]
    freq = base ** (-np.arange(0, int(dim), 2, dtype=np.float64) / int(dim))
    ang = pos * freq[None, :]
    out = np.empty((int(n_positions), int(dim)), dtype=np.float64)
    out[:, 0::2] = np.sin(ang)
    out[:, 1::2] = np.cos(ang)
    return out.astype(np.float32)


# --------------------------------------------------------------------------- one word, many contexts
@dataclass(frozen=True)
class WordInContexts:
    """One word followed through several sentences.

    Attributes
    ----------
    word : str
        The word (a single token of the vocabulary).
    token_id : int
    sentences : tuple of str
    positions : tuple of int
        Index of the word's (first) token in each sentence's tokens.
    outputs : tuple of TokenOutputs
        The whole encoder output of each sentence.
    input_vectors : ndarray, (m, 384)
        The word's input row in each sentence: always the same row of E.
    output_vectors : ndarray, (m, 384)
        The word's output vector in each sentence: different every time.
    """

    word: str
    token_id: int
    sentences: tuple[str, ...]
    positions: tuple[int, ...]
    outputs: tuple[TokenOutputs, ...]
    input_vectors: np.ndarray
    output_vectors: np.ndarray

    @property
    def inputs_identical(self) -> bool:
        """True: the word enters the encoder as the very same row of E in every sentence."""
        return bool((self.input_vectors == self.input_vectors[0]).all())

    @property
    def input_cosine(self) -> np.ndarray:
        """(m, m) cosine similarity of the input rows (all 1: the rows are identical)."""
        u = _unit(self.input_vectors)
        return np.clip(u @ u.T, -1.0, 1.0)

    @property
    def output_cosine(self) -> np.ndarray:
        """(m, m) cosine similarity of the output vectors."""
        u = _unit(self.output_vectors)
        return np.clip(u @ u.T, -1.0, 1.0)


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (v / n).astype(np.float32)


def word_in_contexts(word: str, sentences: Sequence[str]) -> WordInContexts:
    """Encode each sentence and pick out the vectors of ``word`` in it.

    Raises
    ------
    InvalidParameterError
        If ``word`` is empty or not a single token of the vocabulary (the message shows its
        pieces), if fewer than two sentences are given, or if a sentence does not contain it.

    >>> r = word_in_contexts("bank", ["the river bank", "the bank account"])
    >>> r.positions, r.inputs_identical, float(r.output_cosine[0, 1]) < 0.95
    ((3, 2), True, True)
    """
    w = str(word).strip().lower()
    if not w:
        raise InvalidParameterError("type a word to follow through the sentences")
    pieces = tokenize(w).tokens[1:-1]
    if len(pieces) != 1:
        raise InvalidParameterError(
            f"{word!r} is not a single token: the tokenizer splits it into {' '.join(pieces)}. "
            "Pick a word that is one token (e.g. bank, bat, light, play)")
    sents = [s.strip() for s in _check_texts(sentences) if s.strip()]
    if len(sents) < 2:
        raise InvalidParameterError(f"give at least two sentences containing {w!r}, got {len(sents)}")
    outputs, positions = [], []
    for s in sents:
        out = encode_tokens(s)
        where = out.positions_of(w)
        if not where:
            raise InvalidParameterError(
                f"the sentence {s!r} does not contain the token {w!r} (its tokens: {' '.join(out.tokens[1:-1])})")
        outputs.append(out)
        positions.append(where[0])
    token_id = outputs[0].ids[positions[0]]
    inp = np.stack([o.input_vectors[p] for o, p in zip(outputs, positions)])
    outv = np.stack([o.output_vectors[p] for o, p in zip(outputs, positions)])
    return WordInContexts(w, int(token_id), tuple(sents), tuple(positions), tuple(outputs), inp, outv)
