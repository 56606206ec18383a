"""The model's WordPiece tokenizer (its own ``tokenizer.json`` via the ``tokenizers`` package).

The shipped file pads every text to 128 tokens; padding is switched off, and texts longer than the
model's 512 positions are cut to ``[CLS]`` + 510 pieces + ``[SEP]``, which the result says
(:attr:`Tokenization.truncated`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from ..core.errors import InvalidParameterError
from ..io.sources import model_dir

__all__ = ["MAX_TOKENS", "Tokenization", "token_ids_batch", "tokenize", "tokenize_batch"]

MAX_TOKENS = 512                      # the model has 512 learned positions


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


def token_ids_batch(texts: Sequence[str]) -> tuple[list[list[int]], int]:
    """Only the ids of :func:`tokenize_batch` (cut the same way), and how many texts were cut.

    What the encoder needs, without the tokens and character offsets (``encode_batch_fast``
    skips the offsets): about half the time of :func:`tokenize_batch`.

    >>> token_ids_batch(["Embeddings!"])
    ([[101, 7861, 8270, 4667, 2015, 999, 102]], 0)
    """
    texts = _check_texts(texts)
    out: list[list[int]] = []
    n_cut = 0
    if not texts:
        return out, n_cut
    for enc in _tokenizer().encode_batch_fast(texts):
        ids = enc.ids
        if len(ids) > MAX_TOKENS:
            ids = ids[:MAX_TOKENS - 1] + ids[-1:]
            n_cut += 1
        out.append(ids)
    return out, n_cut
