"""The built-in pair of spaces for the Compare page: word2vec and fastText trained on the same corpus.

Both are trained on gensim's bundled ``lee_background.cor`` (about 60,000 tokens, no download) with the
same settings and seed (:data:`PAIR_PARAMS`, one worker, so a run is reproducible); only the model differs.
The first call trains them (about 20 s here, skip-gram) and keeps them in the disk cache (:mod:`embedlab.io.cache`,
``np.savez`` without pickles); later calls, also in other processes, read them back in milliseconds.
"""
from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..io.cache import cache_key, load_arrays, save_arrays
from .params import TrainParams

logger = logging.getLogger(__name__)

__all__ = ["PAIR_PARAMS", "PAIR_NAMES", "demo_pair"]

PAIR_PARAMS = TrainParams(model="word2vec", sg=True, vector_size=50, window=5, epochs=10, min_count=3, seed=1,
                          workers=1)
"""The settings both models are trained with (fastText adds its character n-grams, 3 to 6)."""

PAIR_NAMES = ("lee-word2vec-50d", "lee-fasttext-50d")


def _params(model: str) -> TrainParams:
    return replace(PAIR_PARAMS, model=model)


def _one(model: str, name: str) -> EmbeddingSet:
    import gensim

    params = _params(model)
    key = cache_key("demo-pair", {"model": model, "params": params.describe(), "gensim": gensim.__version__})
    origin = f"trained on gensim's lee_background.cor: {params.describe()}"
    got = load_arrays(key)
    if got is not None and {"tokens", "vectors"} <= set(got):
        return EmbeddingSet([str(t) for t in got["tokens"]], got["vectors"], name=name,
                            origin=origin + " (from the disk cache)")
    from ..io.builtin_corpora import builtin_corpus
    from .run import train

    result = train(builtin_corpus("lee"), params, watch=[], name=name)
    es = result.embedding_set
    save_arrays(key, {"tokens": np.array(es.tokens), "vectors": es.vectors}, {"model": model,
                                                                            "params": params.describe()})
    logger.info("trained the demo %s set in %.1f s", model, result.seconds)
    return EmbeddingSet(es.tokens, es.vectors, name=name, origin=origin)


def demo_pair() -> tuple[EmbeddingSet, EmbeddingSet]:
    """``(word2vec, fastText)`` trained on the lee corpus with :data:`PAIR_PARAMS`, from the disk cache
    when there.

    Raises
    ------
    CorpusError
        If the installed gensim lacks its test corpus.
    """
    return _one("word2vec", PAIR_NAMES[0]), _one("fasttext", PAIR_NAMES[1])
