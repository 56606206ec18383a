"""Batches of the packed pass on parallel streams: a batch per core, each batch's products on one BLAS thread.

One batch of 32 texts (~700 tokens) is too small for two BLAS threads to share its products well,
and between the products the pass runs on one core while the other waits (numba's own threads,
spinning against OpenBLAS's, made it slower). So when numpy's BLAS has ``s > 1`` threads and there
are several batches, ``s`` batches run at once, one per Python thread (the kernels release the GIL,
as do numpy's products), and BLAS is set to one thread while they run: every core does a whole
batch — products, attention, LayerNorms, GELU — with no thread waiting on another.

"Batch" keeps its meaning: the texts of one forward pass (the products' row count); a text's
vector does not depend on its batch, and the numbers equal the one-stream pass to float32 rounding
(the only change is how many threads share a product; ``< 1e-6``, tested). Memory: ``s`` batches'
activations at a time (~11 MB each for 32 short sentences).

The BLAS thread count is process-wide (OpenBLAS has one setting): while an encode runs on streams,
other work in the process (another user's PCA) gets one BLAS thread too; it is restored when the
encode ends, also after an error. One encode at a time runs on streams; another one started
meanwhile (a second user) runs its batches one by one beside it, on the one BLAS thread, so both
cores stay busy and nobody's setting is overwritten. The setting goes through
:func:`embedlab.core.blas.one_thread`, the one place that changes it (threadpoolctl's own limits from
several threads could leave it at one thread for good).
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

import numpy as np

from ..core import blas
from .weights import EncoderWeights

logger = logging.getLogger(__name__)

__all__ = ["blas_threads", "pooled_batches"]

_streaming = threading.Lock()      # one encode on streams at a time in a process


def blas_threads() -> int:
    """Threads numpy's BLAS uses now (1 if it cannot be told): :func:`embedlab.core.blas.threads`.

    >>> blas_threads() >= 1
    True
    """
    return blas.threads()


def pooled_batches(w: EncoderWeights, batches: Sequence[Sequence[Sequence[int]]], *,
                   streams: int | None = None,
                   done: Callable[[int, np.ndarray], None] | None = None) -> list[np.ndarray]:
    """:func:`embedlab.encoder.packed.forward_pooled` of each batch of token-id lists, in order.

    Parameters
    ----------
    w : EncoderWeights
    batches : list of batches, each a list of token-id lists
    streams : int, optional
        Batches run at once; default the BLAS thread count (2 here). 1, or a single batch, runs them
        one after another with BLAS as it is.
    done : callable(i, pooled), optional
        Called in the caller's thread with each batch's result, in batch order, as soon as it and all
        batches before it are done (progress reports).

    Returns
    -------
    list of ndarray, one ``(len(batch), 384) float32`` per batch (mean vectors, not yet unit length)

    >>> from embedlab.encoder.weights import load_weights
    >>> [p.shape for p in pooled_batches(load_weights(), [[[101, 102]], [[101, 7592, 102], [101, 102]]])]
    [(1, 384), (2, 384)]
    """
    from .packed import forward_pooled

    def one_by_one() -> list[np.ndarray]:
        out = []
        for i, batch in enumerate(batches):
            out.append(forward_pooled(w, batch))
            if done is not None:
                done(i, out[-1])
        return out

    s = min(blas_threads() if streams is None else int(streams), len(batches))
    if s <= 1 or not _streaming.acquire(blocking=False):
        return one_by_one()       # (another encode on streams holds both cores: this one runs beside it)
    try:
        with blas.one_thread():
            if blas_threads() != 1:      # a BLAS whose thread count cannot be set
                logger.debug("BLAS thread count not settable; batches one by one")
                return one_by_one()
            return _on_streams(forward_pooled, w, batches, s, done)
    finally:
        _streaming.release()


def _on_streams(forward, w, batches, s: int, done) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    with ThreadPoolExecutor(s, thread_name_prefix="embedlab-encode") as pool:
        futures = [pool.submit(forward, w, batch) for batch in batches]
        try:
            for i, f in enumerate(futures):
                out.append(f.result())
                if done is not None:
                    done(i, out[-1])
        finally:
            for f in futures:          # an error (or a progress callback that raised): stop the rest
                f.cancel()
    return out
