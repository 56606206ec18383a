"""The numpy all-MiniLM-L6-v2 encoder, from the weights the model package ships (no torch).

Modules: :mod:`.tokenizer` (WordPiece tokens), :mod:`.weights` (the safetensors weights),
:mod:`.model` (the forward pass, GELU, sentence vectors), :mod:`.stages` (one text stage by stage,
for the lessons), :mod:`.documents` (documents encoded and searched by meaning). The names below are
the package's public API; the heavy parts (weights, tokenizer, numba) load on first use.
"""
from __future__ import annotations

from .model import DEFAULT_BATCH_SIZE, encode_sentences, gelu, layer_norm, warm_up
from .stages import (InputStages, TokenOutputs, WordInContexts, encode_tokens, input_stages, sinusoidal_encoding,
                     word_in_contexts)
from .tokenizer import MAX_TOKENS, Tokenization, tokenize, tokenize_batch
from .weights import EncoderWeights, load_weights

__all__ = ["MAX_TOKENS", "DEFAULT_BATCH_SIZE", "Tokenization", "InputStages", "TokenOutputs", "EncoderWeights",
           "WordInContexts", "tokenize", "tokenize_batch", "load_weights", "input_stages", "encode_tokens",
           "encode_sentences", "sinusoidal_encoding", "layer_norm", "gelu", "warm_up", "word_in_contexts"]
