"""The core type: :class:`EmbeddingSet`, a vocabulary and its vectors.

>>> import numpy as np
>>> es = EmbeddingSet(["a", "b", "c"], np.eye(3, dtype=np.float32), name="toy")
>>> len(es), es.dim, "b" in es
(3, 3, True)
>>> es["c"].tolist()
[0.0, 0.0, 1.0]
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Mapping, Sequence

import numpy as np

from .errors import InvalidParameterError, UnknownTokenError
from .linalg import first_non_finite_row, unit_rows  # unit_rows lives in core.linalg; still importable here
from .index import NeighborIndex
from .suggest import CloseMatches
from .validate import check_int, invalid

logger = logging.getLogger(__name__)

__all__ = ["EmbeddingSet", "Neighbor", "Resolution"]


_DERIVED_ARRAYS = ("unit", "sq_norms", "_folded", "_close_matches", "euclidean_vectors")
"""Cached arrays of an EmbeddingSet that a pickle leaves out (they are recomputed when used)."""


def _check_index(index, es: "EmbeddingSet", metric: str) -> None:
    """Refuse an ``index=`` that cannot answer this search (see :class:`~embedlab.core.index.NeighborIndex`)."""
    if not isinstance(index, NeighborIndex):
        raise invalid("index", index, "None or an index with metric, fingerprint and query(queries, *, k, exclude)")
    if index.metric != metric:
        raise invalid("index", index, f"an index for metric={metric!r} (this one answers {index.metric!r}), or None")
    if index.fingerprint != es.fingerprint:
        raise invalid("index", index, f"an index built on this set ({es.name!r}), or None")


@dataclass(frozen=True)
class Resolution:
    """Typed words as tokens of a set: ``tokens`` in the order typed; ``changed`` the (typed, token) pairs
    that matched only ignoring case, so a page can say so."""

    tokens: tuple
    changed: tuple = ()
    missing: tuple = ()     #: words with no token even ignoring case (only with ``drop_missing=True``)

    def note(self) -> str:
        """One sentence for the page ("" when every word matched exactly).

        >>> Resolution(("king",), (("King", "king"),)).note()
        'Matched ignoring case: King → king.'
        """
        if not self.changed:
            return ""
        return "Matched ignoring case: " + ", ".join(f"{a} → {b}" for a, b in self.changed) + "."


@dataclass(frozen=True)
class Neighbor:
    """One search result: a token, its similarity (or distance) and its row index."""

    token: str
    score: float
    index: int


class EmbeddingSet:
    """A vocabulary of unique tokens and their vectors.

    Parameters
    ----------
    tokens : sequence of str
        Unique tokens, one per row.
    vectors : array_like, shape (n_tokens, dim)
        Stored as a read-only float32 C-contiguous array.
    name : str
        Short name shown in the app ("minilm-words").
    origin : str
        Where the vectors came from, in words.
    meta : mapping of str to sequence, optional
        Per-token columns (e.g. ``{"kind": [...], "frequency": [...]}``), each of length n_tokens.
    copy : bool
        If False and ``vectors`` is already float32 C-contiguous, take it over without a copy
        (it is made read-only). Readers use this to stay within 2x the array's memory. A
        read-only memory map (``np.load(path, mmap_mode="r")``, float32 C-contiguous) is never
        copied: the set's vectors are a view of it, shared with every process mapping the file.

    Raises
    ------
    InvalidParameterError
        If shapes disagree, tokens repeat, or values are not finite.
    """

    def __init__(self, tokens: Sequence[str], vectors, *, name: str = "custom",
                 origin: str = "", meta: Mapping[str, Sequence] | None = None, copy: bool = True):
        toks = tuple(str(t) for t in tokens)
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        if vecs.ndim != 2:
            raise InvalidParameterError(f"vectors must be 2-D (n_tokens, dim), got shape {vecs.shape}")
        if vecs.shape[0] != len(toks):
            raise InvalidParameterError(
                f"{len(toks)} tokens but {vecs.shape[0]} vector rows; they must match")
        if vecs.shape[0] == 0 or vecs.shape[1] == 0:
            raise InvalidParameterError(f"an embedding set needs at least one token and one dimension, got {vecs.shape}")
        index = {t: i for i, t in enumerate(toks)}
        if len(index) != len(toks):
            seen: set[str] = set()
            dups = [t for t in toks if t in seen or seen.add(t)]
            raise InvalidParameterError(f"tokens must be unique; repeated: {dups[:5]}")
        bad = first_non_finite_row(vecs)
        if bad is not None:
            raise InvalidParameterError(f"vector of {toks[bad]!r} (row {bad}) has NaN or inf values")
        read_only_map = isinstance(vectors, np.memmap) and vectors.mode == "r"
        if copy and not read_only_map and isinstance(vectors, np.ndarray) and np.shares_memory(vecs, vectors):
            vecs = vecs.copy()
        vecs.flags.writeable = False
        cols: dict[str, tuple] = {}
        for key, col in (meta or {}).items():
            col = tuple(col)
            if len(col) != len(toks):
                raise InvalidParameterError(f"metadata column {key!r} has {len(col)} values for {len(toks)} tokens")
            cols[key] = col
        self._tokens = toks
        self._vectors = vecs
        self._index = index
        self.name = str(name)
        self.origin = str(origin)
        self._meta = cols

    # -- basic protocol -------------------------------------------------
    @property
    def tokens(self) -> tuple[str, ...]:
        """The tokens, in row order."""
        return self._tokens

    @property
    def vectors(self) -> np.ndarray:
        """``(n_tokens, dim) float32``, read-only."""
        return self._vectors

    @property
    def meta(self) -> dict[str, tuple]:
        """Per-token metadata columns (a copy of the mapping; columns are tuples)."""
        return dict(self._meta)

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and token in self._index

    def __getitem__(self, token: str) -> np.ndarray:
        return self._vectors[self.index(token)]

    def __iter__(self):
        return iter(self._tokens)

    def __repr__(self) -> str:
        return f"EmbeddingSet(name={self.name!r}, size={len(self)}, dim={self.dim})"

    def index(self, token: str) -> int:
        """Row of ``token``; raises :class:`UnknownTokenError` with close matches."""
        if not isinstance(token, str):
            raise UnknownTokenError([repr(token)], set_name=self.name)
        try:
            return self._index[token]
        except KeyError:
            raise UnknownTokenError.for_tokens([token], self._close_matches, set_name=self.name) from None

    def indices(self, tokens: Iterable[str]) -> np.ndarray:
        """Rows of several tokens; all missing ones are named in one :class:`UnknownTokenError`."""
        tokens = list(tokens)
        missing = [t if isinstance(t, str) else repr(t) for t in tokens if t not in self]
        if missing:
            raise UnknownTokenError.for_tokens(missing, self._close_matches, set_name=self.name)
        return np.array([self._index[t] for t in tokens], dtype=np.int64)

    def missing(self, tokens: Iterable[str]) -> list[str]:
        """The tokens of ``tokens`` that are not in the set, in order."""
        return [t for t in tokens if t not in self]

    # -- what a person types: exact first, then ignoring case ---------------
    @cached_property
    def _folded(self) -> dict[str, str]:
        """Case-folded token -> the first token (in row order) with that folding; built once."""
        out: dict[str, str] = {}
        for t in self._tokens:
            out.setdefault(t.casefold(), t)
        return out

    @cached_property
    def _close_matches(self) -> CloseMatches:
        """The "did you mean" matcher of this vocabulary (folded keys collected once, answers memoised)."""
        return CloseMatches(self._tokens)

    def find(self, word: str) -> str | None:
        """The token a person meant by ``word``: itself if it is a token, else the first token equal
        to it ignoring case (``"King"`` -> ``"king"``), else None.

        >>> es = EmbeddingSet(["king", "Paris", "paris"], np.eye(3, dtype=np.float32))
        >>> es.find("King"), es.find("PARIS"), es.find("Paris"), es.find("queen")
        ('king', 'Paris', 'Paris', None)
        """
        if not isinstance(word, str):
            return None
        if word in self._index:
            return word
        return self._folded.get(word.casefold())

    def resolve(self, words: Iterable[str], *, drop_missing: bool = False) -> "Resolution":
        """Each typed word as the token meant (:meth:`find`), saying which were matched ignoring case.

        Parameters
        ----------
        words : iterable of str
        drop_missing : bool
            Leave out words with no token and list them in ``Resolution.missing`` instead of raising.

        Raises
        ------
        UnknownTokenError
            Naming every word with no token even ignoring case, with close matches (unless
            ``drop_missing``).

        >>> es = EmbeddingSet(["king", "queen"], np.eye(2, dtype=np.float32))
        >>> r = es.resolve(["King", "queen"])
        >>> r.tokens, r.changed
        (('king', 'queen'), (('King', 'king'),))
        """
        words = list(words)
        found = [self.find(w) for w in words]
        missing = [w if isinstance(w, str) else repr(w) for w, f in zip(words, found) if f is None]
        if missing and not drop_missing:
            raise UnknownTokenError.for_tokens(missing, self._close_matches, set_name=self.name)
        changed = tuple(dict.fromkeys((w, f) for w, f in zip(words, found) if f is not None and w != f))
        return Resolution(tokens=tuple(f for f in found if f is not None), changed=changed,
                          missing=tuple(dict.fromkeys(missing)))

    def unknown_error(self, words: Iterable[str]) -> UnknownTokenError:
        """The error naming ``words`` as not in this set, with close matches (for a page to show)."""
        return UnknownTokenError.for_tokens(list(words), self._close_matches, set_name=self.name)

    # -- derived data, computed once --------------------------------------
    @cached_property
    def unit(self) -> np.ndarray:
        """Unit-normalized vectors, ``(n_tokens, dim) float32``, read-only; computed once."""
        u = unit_rows(self._vectors)
        u.flags.writeable = False
        return u

    @cached_property
    def sq_norms(self) -> np.ndarray:
        """Squared Euclidean norm of each row: float32, or float64 for a set of extreme values
        (see :attr:`euclidean_vectors`)."""
        v = self.euclidean_vectors
        n = np.einsum("ij,ij->i", v, v)
        n.flags.writeable = False
        return n

    @cached_property
    def euclidean_vectors(self) -> np.ndarray:
        """The vectors Euclidean search computes with: the vectors themselves, or a float64 copy when
        the largest |value| is beyond 1e16 (or all are below 1e-16), where float32 squared distances
        would overflow (or underflow) and a word could rank as its own farthest neighbour."""
        peak = 0.0
        for start in range(0, len(self), 65_536):       # in blocks: no (n, d) temporary
            peak = max(peak, float(np.abs(self._vectors[start:start + 65_536]).max()))
        if peak == 0.0 or 1e-16 <= peak <= 1e16:
            return self._vectors
        logger.info("%s: values up to %.3g; Euclidean search in float64", self.name, peak)
        v = self._vectors.astype(np.float64)
        v.flags.writeable = False
        return v

    @cached_property
    def fingerprint(self) -> str:
        """A hex digest of tokens and vectors, used to key disk caches."""
        h = hashlib.blake2b(digest_size=16)
        h.update(np.asarray(self._vectors.shape, dtype=np.int64).tobytes())
        # the array's own buffer, not .tobytes(): a copy of 1.2 GB at 1M x 300 (same digest)
        h.update(memoryview(np.ascontiguousarray(self._vectors)).cast("B"))
        h.update("\n".join(self._tokens).encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    # -- queries -----------------------------------------------------------
    def vector(self, query) -> np.ndarray:
        """The raw vector of a token, or ``query`` itself as float32 if it is already a vector."""
        if isinstance(query, str):
            return self[query]
        v = np.asarray(query, dtype=np.float32).reshape(-1)
        if v.shape[0] != self.dim:
            raise InvalidParameterError(f"query vector has {v.shape[0]} dimensions, the set has {self.dim}")
        return v

    def neighbors(self, query, k: int = 10, *, exclude: Iterable[str] = (),
                  metric: str = "cosine", index=None) -> list[Neighbor]:
        """The ``k`` nearest tokens to a token or a vector.

        A token query is left out of its own results (as gensim does), and so is
        every token in ``exclude``. Ties are broken by row order.

        Parameters
        ----------
        query : str or array_like of shape (dim,)
        k : int
        exclude : iterable of str
        metric : {"cosine", "euclidean"}
            ``cosine``: score is cosine similarity, best first. ``euclidean``: score is
            the Euclidean distance between raw vectors, nearest first.
        index : NeighborIndex, optional
            An approximate index of this set (:class:`embedlab.core.index.NeighborIndex`, e.g.
            ``embedlab.runtime.faiss_index.FaissIndex``) that answers instead of exact search, as
            gensim's ``indexer=``. Without it the search is exact; nothing else decides.

        Returns
        -------
        list of Neighbor

        Raises
        ------
        InvalidParameterError
            ``index`` is not an index, was built on another set, or answers another metric.

        >>> es = EmbeddingSet(["x", "y", "z"], [[1, 0], [0.9, 0.1], [0, 1]])
        >>> [n.token for n in es.neighbors("x", k=2)]
        ['y', 'z']
        """
        from .search import top_k  # local: search imports this module

        if index is not None:
            _check_index(index, self, metric)
        excl = list(exclude)
        if isinstance(query, str):
            excl.append(query)
        rows = [self.indices([t for t in excl if t in self])]
        vec = self.vector(query)[None, :]
        if index is not None:
            idx, scores = index.query(vec, k=k, exclude=rows)
        else:
            idx, scores = top_k(self, vec, k=k, exclude=rows, metric=metric)
        return [Neighbor(self._tokens[i], float(s), int(i)) for i, s in zip(idx[0], scores[0])]

    # -- pickling: what comes back from another process is read-only too ------------------------
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for derived in _DERIVED_ARRAYS:      # recomputed on demand: a pickle carries the vectors once
            state.pop(derived, None)
        return state

    def __setstate__(self, state: dict) -> None:
        """Restore a pickled set; its arrays come back read-only (pickling drops the flag)."""
        self.__dict__.update(state)
        for value in self.__dict__.values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    # -- new sets ---------------------------------------------------------
    def stored_as(self, vectors: np.ndarray) -> "EmbeddingSet":
        """This set with its vectors held by ``vectors``: the same rows stored elsewhere (a memory map).

        The tokens, their lookup, the metadata and the fingerprint are shared, and the rows are not
        checked again (reading a 1.2 GB memory map page by page would make it resident): the
        caller vouches that ``vectors`` holds the same float32 values.

        Raises
        ------
        InvalidParameterError
            If ``vectors`` is not a float32 C-contiguous array of the same shape.
        """
        if (not isinstance(vectors, np.ndarray) or vectors.dtype != np.float32 or vectors.shape != self._vectors.shape
                or not vectors.flags.c_contiguous):
            raise invalid("vectors", getattr(vectors, "shape", vectors),
                          f"a float32 C-contiguous array of shape {self._vectors.shape}")
        out = object.__new__(EmbeddingSet)
        out.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _DERIVED_ARRAYS})
        view = vectors.view(np.ndarray)
        view.flags.writeable = False
        out._vectors = view
        return out

    def subset(self, selection, *, name: str | None = None) -> "EmbeddingSet":
        """A new set with some of the rows.

        Parameters
        ----------
        selection : int, sequence of str, sequence of int, or boolean mask
            An int keeps the first ``n`` rows; strings pick tokens (unknown ones raise);
            ints pick rows; a boolean array of length ``len(self)`` is a mask.
        """
        if isinstance(selection, (int, np.integer)):
            rows = np.arange(min(check_int(selection, "selection", minimum=1), len(self)))
        else:
            sel = list(selection) if not isinstance(selection, np.ndarray) else selection
            if len(sel) and isinstance(sel[0], str):
                rows = self.indices(sel)
            else:
                arr = np.asarray(sel)
                if arr.dtype == bool:
                    if arr.shape != (len(self),):
                        raise InvalidParameterError("a boolean mask must have one value per token")
                    rows = np.flatnonzero(arr)
                else:
                    rows = arr.astype(np.int64)
                    if rows.size and (rows.min() < 0 or rows.max() >= len(self)):
                        raise InvalidParameterError("row index out of range")
            if rows.size == 0:
                raise InvalidParameterError("the selection is empty")
        meta = {k: [col[i] for i in rows] for k, col in self._meta.items()}
        return EmbeddingSet([self._tokens[i] for i in rows], self._vectors[rows],
                            name=name or self.name, origin=self.origin, meta=meta)
