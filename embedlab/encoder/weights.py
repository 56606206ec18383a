"""The encoder's weights, read once per process from the model package's ``model.safetensors``."""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..io.sources import model_dir

logger = logging.getLogger(__name__)

__all__ = ["EncoderWeights", "load_weights"]

_lock = threading.Lock()


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
