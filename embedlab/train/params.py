"""Training settings: :class:`TrainParams` (gensim's names), validated when made.

>>> TrainParams(epochs=3).describe()
'word2vec CBOW, negative sampling (5), 50 dimensions, window 5, 3 epochs, min_count 2, seed 1, 1 worker(s)'
>>> TrainParams(window=2.9)
Traceback (most recent call last):
...
embedlab.core.errors.InvalidParameterError: window=2.9 is not allowed; must be a whole number in [1, 50]
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ..core.validate import check_bool, check_choice, check_float, check_int, invalid

__all__ = ["TrainParams", "MODELS"]

MODELS = ("word2vec", "fasttext")

_RANGES = {  # name: (low, high)
    "vector_size": (2, 1000), "window": (1, 50), "epochs": (1, 500), "min_count": (1, 1_000_000),
    "workers": (1, 64), "negative": (0, 50), "min_n": (1, 20), "max_n": (1, 20), "seed": (0, 2**31 - 1),
}


@dataclass(frozen=True)
class TrainParams:
    """Training settings (gensim's names).

    Values are checked when the object is made and stored as plain Python values (a NumPy
    integer becomes an ``int``; a bool is never a number, a float never a whole number).

    Parameters
    ----------
    model : {"word2vec", "fasttext"}
    sg : bool
        Skip-gram (predict the context from the word) instead of CBOW (the word from its context).
    hs : bool
        Hierarchical softmax instead of negative sampling.
    negative : int
        Negative samples per positive one (ignored with ``hs``).
    vector_size, window, epochs, min_count, seed, workers
        As in gensim. Results are reproducible only with ``workers=1``.
    alpha, min_alpha : float
        Learning rate at the start and the end (it falls linearly).
    sample : float
        Down-sampling threshold of frequent words.
    min_n, max_n : int
        fastText character n-gram lengths.

    Raises
    ------
    InvalidParameterError
        A value outside what is allowed, named with the allowed range.
    """

    model: str = "word2vec"
    sg: bool = False
    hs: bool = False
    negative: int = 5
    vector_size: int = 50
    window: int = 5
    epochs: int = 10
    min_count: int = 2
    seed: int = 1
    workers: int = 1
    alpha: float = 0.025
    min_alpha: float = 0.0001
    sample: float = 1e-3
    min_n: int = 3
    max_n: int = 6

    def __post_init__(self):
        def keep(name, value):
            object.__setattr__(self, name, value)      # frozen: store the checked, plain value

        keep("model", check_choice(self.model, "model", MODELS))
        for name in ("sg", "hs"):
            keep(name, check_bool(getattr(self, name), name))
        for name, (lo, hi) in _RANGES.items():
            keep(name, check_int(getattr(self, name), name, minimum=lo, maximum=hi))
        if not self.hs and self.negative < 1:
            raise invalid("negative", self.negative, "at least 1 with negative sampling (or set hs=True)")
        keep("alpha", check_float(self.alpha, "alpha", low=0, high=1, low_open=True))
        for name in ("min_alpha", "sample"):
            keep(name, check_float(getattr(self, name), name, low=0, high=1))
        if self.min_alpha > self.alpha:
            raise invalid("min_alpha", self.min_alpha, f"at most alpha={self.alpha!r}")
        if self.min_n > self.max_n:
            raise invalid("min_n", self.min_n, f"at most max_n={self.max_n!r}")

    def gensim_kwargs(self) -> dict:
        """Keyword arguments for ``gensim.models.Word2Vec`` / ``FastText``."""
        kw = dict(vector_size=self.vector_size, window=self.window, min_count=self.min_count,
                  sg=int(self.sg), hs=int(self.hs), negative=0 if self.hs else self.negative,
                  seed=self.seed, workers=self.workers, alpha=self.alpha,
                  min_alpha=self.min_alpha, sample=self.sample, epochs=self.epochs)
        if self.model == "fasttext":
            kw.update(min_n=self.min_n, max_n=self.max_n)
        return kw

    def describe(self) -> str:
        """One line for people: ``word2vec CBOW, negative sampling, 50 d, window 5, 10 epochs``."""
        arch = "skip-gram" if self.sg else "CBOW"
        out = "hierarchical softmax" if self.hs else f"negative sampling ({self.negative})"
        return (f"{self.model} {arch}, {out}, {self.vector_size} dimensions, window {self.window}, "
                f"{self.epochs} epochs, min_count {self.min_count}, seed {self.seed}, {self.workers} worker(s)")

    def to_dict(self) -> dict:
        return asdict(self)
