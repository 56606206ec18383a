"""What the encoder does to one text, stage by stage, for the lessons: the input pipeline, per-token
outputs, one word followed through several sentences, and the sinusoidal position encoding to compare
with the learned one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..core.linalg import unit_rows
from ..core.errors import InvalidParameterError
from ..core.validate import check_int, invalid
from .model import _forward, _pad, layer_norm
from .tokenizer import Tokenization, _check_texts, tokenize
from .weights import load_weights

__all__ = ["InputStages", "TokenOutputs", "WordInContexts", "input_stages", "encode_tokens",
           "sinusoidal_encoding", "word_in_contexts"]


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
    n_positions = check_int(n_positions, "n_positions", minimum=1)
    dim = check_int(dim, "dim", minimum=2)
    if dim % 2:
        raise invalid("dim", dim, "a positive even number")
    pos = np.arange(n_positions, dtype=np.float64)[:, None]
    freq = base ** (-np.arange(0, dim, 2, dtype=np.float64) / dim)
    ang = pos * freq[None, :]
    out = np.empty((n_positions, dim), dtype=np.float64)
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
        u = unit_rows(self.input_vectors)
        return np.clip(u @ u.T, -1.0, 1.0)

    @property
    def output_cosine(self) -> np.ndarray:
        """(m, m) cosine similarity of the output vectors."""
        u = unit_rows(self.output_vectors)
        return np.clip(u @ u.T, -1.0, 1.0)


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
