"""One-hot codes versus dense embeddings: the numbers behind the lesson.

A one-hot code gives token ``i`` of a vocabulary of ``V`` tokens a vector of ``V`` zeros with a
single 1 at ``i``: every two tokens are equally unlike (cosine 0). A dense embedding table ``E``
(``V x d``) gives each token ``d`` learned numbers; looking a token up is the same as multiplying
its one-hot code by ``E``: ``one_hot(i) @ E == E[i]``.

>>> import numpy as np
>>> E = np.arange(6, dtype=np.float32).reshape(3, 2)
>>> (one_hot(1, 3) @ E).tolist(), E[1].tolist()
([2.0, 3.0], [2.0, 3.0])
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import InvalidParameterError
from ..core.linalg import unit_rows
from ..core.validate import check_int

logger = logging.getLogger(__name__)

__all__ = ["MAX_WORDS", "REAL_VOCAB_SIZES", "one_hot", "one_hot_matrix", "OneHotVsDense", "compare",
           "Lookup", "lookup", "TableSize", "table_sizes", "human_bytes"]

MAX_WORDS = 40   # a 40 x 40 one-hot / similarity picture is the most a screen shows readably

REAL_VOCAB_SIZES = (30_522, 50_000, 250_000)   # BERT WordPiece, GPT-2-like BPE, multilingual
DEFAULT_TOKENS = ("cat", "kitten", "dog", "puppy", "car", "truck")


def one_hot(index: int, size: int) -> np.ndarray:
    """The one-hot code of token ``index`` in a vocabulary of ``size`` tokens (float32).

    Raises
    ------
    InvalidParameterError
        If ``size`` < 1 or ``index`` is not in ``0 .. size-1``.

    >>> one_hot(2, 4).tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    size = check_int(size, "size", minimum=1)
    index = check_int(index, "index", minimum=0, maximum=size - 1)   # a row of the vocabulary
    v = np.zeros(size, dtype=np.float32)
    v[index] = 1.0
    return v


def one_hot_matrix(indices: Sequence[int], size: int) -> np.ndarray:
    """Rows of one-hot codes, ``(len(indices), size)`` float32.

    >>> one_hot_matrix([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    return np.stack([one_hot(i, size) for i in indices]) if len(indices) else np.zeros((0, int(size)), np.float32)


@dataclass(frozen=True)
class OneHotVsDense:
    """A small vocabulary coded both ways.

    ``onehot`` is ``(n, n)`` (the identity: the codes within the chosen vocabulary), ``dense`` the
    ``(n, d)`` rows of the embedding set, and the two ``(n, n)`` cosine-similarity matrices.
    """

    tokens: tuple[str, ...]
    onehot: np.ndarray
    dense: np.ndarray
    onehot_cosine: np.ndarray
    dense_cosine: np.ndarray


def compare(es: EmbeddingSet, tokens: Sequence[str]) -> OneHotVsDense:
    """Code ``tokens`` one-hot (within themselves) and densely (rows of ``es``).

    Raises
    ------
    UnknownTokenError
        If a token is not in ``es`` (with close matches suggested).
    InvalidParameterError
        If fewer than two distinct tokens are given.

    >>> import numpy as np
    >>> es = EmbeddingSet(["a", "b", "c"], np.array([[1, 0], [1, 0.1], [0, 1]], np.float32))
    >>> r = compare(es, ["a", "b", "c"])
    >>> float(r.onehot_cosine[0, 1]), round(float(r.dense_cosine[0, 1]), 3)
    (0.0, 0.995)
    """
    toks = list(dict.fromkeys(str(t).strip() for t in tokens if str(t).strip()))
    if len(toks) < 2:
        raise InvalidParameterError(f"give at least two different tokens to compare, got {toks}")
    if len(toks) > MAX_WORDS:
        raise InvalidParameterError(f"{len(toks):,} tokens are too many to compare one-hot; at most {MAX_WORDS}")
    rows = es.indices(toks)
    dense = np.ascontiguousarray(es.vectors[rows], dtype=np.float32)
    onehot = np.eye(len(toks), dtype=np.float32)
    unit = unit_rows(dense)
    return OneHotVsDense(tuple(toks), onehot, dense, onehot @ onehot.T, np.clip(unit @ unit.T, -1.0, 1.0))


@dataclass(frozen=True)
class Lookup:
    """``one_hot(index) @ table`` next to ``table[index]``: the lookup identity, with numbers."""

    index: int
    vocab_size: int
    product: np.ndarray
    row: np.ndarray

    @property
    def equal(self) -> bool:
        return bool(np.array_equal(self.product, self.row))


def lookup(table: np.ndarray, index: int) -> Lookup:
    """Multiply the one-hot code of ``index`` by ``table`` (V x d) and read row ``index``.

    >>> import numpy as np
    >>> lookup(np.eye(3, dtype=np.float32) * 2, 1).equal
    True
    """
    table = np.asarray(table, dtype=np.float32)
    if table.ndim != 2:
        raise InvalidParameterError(f"table must be 2-D (V, d), got shape {table.shape}")
    code = one_hot(index, table.shape[0])
    return Lookup(int(index), int(table.shape[0]), code @ table, table[int(index)].copy())


@dataclass(frozen=True)
class TableSize:
    """Size of a vocabulary coded one-hot (V x V) and densely (V x d)."""

    vocab_size: int
    dim: int
    onehot_values: int
    dense_values: int
    onehot_bytes: int
    dense_bytes: int

    @property
    def ratio(self) -> float:
        """How many times larger the one-hot matrix is (= V / d)."""
        return self.onehot_values / self.dense_values


def table_sizes(vocab_sizes: Sequence[int] = REAL_VOCAB_SIZES, *, dim: int = 384,
                bytes_per_value: int = 4) -> list[TableSize]:
    """Parameters and bytes of V x V one-hot codes versus a V x d table (float32 by default).

    >>> s = table_sizes([30_522], dim=384)[0]
    >>> s.onehot_values, s.dense_values, s.dense_bytes
    (931592484, 11720448, 46881792)
    """
    dim = check_int(dim, "dim", minimum=1)
    bytes_per_value = check_int(bytes_per_value, "bytes_per_value", minimum=1)
    out = []
    for v in vocab_sizes:
        v = check_int(v, "vocabulary size", minimum=1)
        out.append(TableSize(v, dim, v * v, v * dim, v * v * bytes_per_value, v * dim * bytes_per_value))
    return out


def human_bytes(n: int) -> str:
    """Bytes in decimal units.

    >>> human_bytes(46_881_792), human_bytes(250_000_000_000)
    ('46.9 MB', '250.0 GB')
    """
    n = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover
