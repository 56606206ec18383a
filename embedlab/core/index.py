"""What an approximate nearest-neighbour index must offer to answer :meth:`EmbeddingSet.neighbors`.

A search is exact unless an index is passed to it explicitly (as gensim's ``most_similar`` takes
``indexer=``): nothing is looked up behind the caller's back. The index type itself lives in
``embedlab.runtime.faiss_index``; the core only knows this protocol, so it imports nothing else of embedlab.

>>> import numpy as np
>>> from embedlab.core.embeddings import EmbeddingSet
>>> es = EmbeddingSet(["a", "b", "c"], [[1, 0], [0.9, 0.1], [0, 1]])
>>> class FirstRows:                       # a (bad) index that always answers rows 0, 1, ...
...     metric = "cosine"
...     fingerprint = es.fingerprint
...     def query(self, queries, *, k, exclude=None):
...         idx = np.array([[r for r in range(3) if r not in (exclude or [[]])[0]][:k]])
...         return idx, np.ones(idx.shape, dtype=np.float32)
>>> isinstance(FirstRows(), NeighborIndex)
True
>>> [n.token for n in es.neighbors("c", 2, index=FirstRows())]
['a', 'b']
"""
from __future__ import annotations

from typing import Iterable, Protocol, Sequence, runtime_checkable

import numpy as np

__all__ = ["NeighborIndex"]


@runtime_checkable
class NeighborIndex(Protocol):
    """An index over the rows of one :class:`~embedlab.core.embeddings.EmbeddingSet`.

    Attributes
    ----------
    metric : str
        The metric it answers (``"cosine"``); a search with another metric refuses the index.
    fingerprint : str
        :attr:`EmbeddingSet.fingerprint` of the set it was built on; a search on another set
        refuses the index (its row numbers would name other tokens).
    """

    metric: str
    fingerprint: str

    def query(self, queries: np.ndarray, *, k: int,
              exclude: Sequence[Iterable[int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` rows of each query.

        Parameters
        ----------
        queries : ndarray, shape (m, dim) float32
        k : int
        exclude : list of m iterables of row indices, optional
            Rows left out of each query's results.

        Returns
        -------
        indices : ndarray, shape (m, k') int64
            Best first.
        scores : ndarray, shape (m, k') float32
            The metric's scores of those rows (cosine similarity for ``"cosine"``).
        """
        ...  # pragma: no cover
