"""Documents encoded as points, and searched by meaning.

Encoded with the MiniLM sentence encoder (:func:`embedlab.encoder.model.encode_sentences`), documents
(read by :func:`embedlab.io.documents.read_documents`) form an :class:`EmbeddingSet` like any other: its
tokens are short labels, ``meta["text"]`` the full texts and ``meta["kind"]`` the marker
:data:`DOCUMENT_KIND` on every row, which :func:`is_document_set` recognises. A free-text query is
encoded the same way and answered with the documents of highest cosine similarity.

>>> es = EmbeddingSet(["a"], [[1.0, 0.0]], meta={"text": ["a cat"], "kind": [DOCUMENT_KIND]})
>>> is_document_set(es), is_document_set(EmbeddingSet(["a"], [[1.0, 0.0]]))
(True, False)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.linalg import pca_plane
from ..core.errors import CorpusError, InvalidParameterError
from ..core.search import top_k
from ..core.validate import check_int
from ..io.documents import MAX_DOCUMENTS, document_labels

__all__ = ["DOCUMENT_KIND", "RELEVANCE_CUTOFF", "DocumentHit", "encode_documents", "encode_query",
           "is_document_set", "query_position", "relevant", "search", "search_vector"]

RELEVANCE_CUTOFF = 0.25
"""Default cosine below which a search result is not counted as a hit. MiniLM sentence vectors of
unrelated English sentences score about 0 to 0.15; a question and a document on its topic 0.3 and up."""

DOCUMENT_KIND = "document"
"""The ``meta["kind"]`` of every row of a set made by :func:`encode_documents`."""


def encode_documents(texts: Sequence[str], *, name: str = "documents", batch_size: int = 32,
                     progress: Callable[[int, int], None] | None = None) -> EmbeddingSet:
    """Encode documents with the MiniLM sentence encoder into an :class:`EmbeddingSet`.

    Tokens are :func:`~embedlab.io.documents.document_labels`; ``meta`` holds ``text`` (the full
    documents), ``kind`` (:data:`DOCUMENT_KIND`) and ``truncated`` (True where a document was cut to
    512 tokens).

    Raises
    ------
    CorpusError
        If there are no documents, or more than :data:`~embedlab.io.documents.MAX_DOCUMENTS`.
    """
    from .model import encode_sentences
    from .tokenizer import tokenize_batch

    texts = [str(t) for t in texts]
    if not texts:
        raise CorpusError("there are no documents to encode")
    if len(texts) > MAX_DOCUMENTS:
        raise CorpusError(f"{len(texts):,} documents; the limit is {MAX_DOCUMENTS:,}")
    vectors = encode_sentences(texts, batch_size=batch_size, progress=progress)
    truncated = [t.truncated for t in tokenize_batch(texts)]
    origin = f"{len(texts):,} documents encoded with all-MiniLM-L6-v2 (mean-pooled, unit length)"
    if any(truncated):
        origin += f"; {sum(truncated)} cut to 512 tokens"
    return EmbeddingSet(document_labels(texts), vectors, name=name, origin=origin,
                        meta={"text": texts, "kind": [DOCUMENT_KIND] * len(texts), "truncated": truncated},
                        copy=False)


def is_document_set(es: EmbeddingSet | None) -> bool:
    """True for a set of documents made by :func:`encode_documents` (its texts and kind marker are there).

    Parameters
    ----------
    es : EmbeddingSet or None

    Returns
    -------
    bool
        True when ``meta`` has a ``text`` column and every row's ``kind`` is :data:`DOCUMENT_KIND`.
    """
    if es is None or "text" not in es.meta:
        return False
    kinds = es.meta.get("kind")
    return bool(kinds) and all(k == DOCUMENT_KIND for k in kinds)


@dataclass(frozen=True)
class DocumentHit:
    """One search result: rank (1 = best), row, label, full text and cosine similarity."""

    rank: int
    index: int
    label: str
    text: str
    score: float


def search(es: EmbeddingSet, query: str, *, k: int = 5) -> list[DocumentHit]:
    """The ``k`` documents of ``es`` closest in meaning to a free-text ``query`` (cosine).

    Raises
    ------
    InvalidParameterError
        Empty query, ``k`` < 1, or a set whose vectors are not 384-dimensional sentence vectors.
    """
    return search_vector(es, encode_query(es, query), k=k)


def encode_query(es: EmbeddingSet, query: str) -> np.ndarray:
    """The query's sentence vector, shape ``(384,)`` float32, checked against ``es``'s dimension.

    Raises
    ------
    InvalidParameterError
        Empty query, or a set whose vectors are not the encoder's 384 dimensions.
    """
    from .model import encode_sentences

    if not isinstance(query, str) or not query.strip():
        raise InvalidParameterError("type a query: the search text is empty")
    qv = encode_sentences([query])[0]
    if es.dim != qv.shape[0]:
        raise InvalidParameterError(
            f"set {es.name!r} has {es.dim}-dimensional vectors; a text query needs the encoder's {qv.shape[0]} "
            "dimensions (encode documents first)")
    return qv


def relevant(hits: Sequence[DocumentHit], cutoff: float = RELEVANCE_CUTOFF) -> list[DocumentHit]:
    """The hits whose cosine is at least ``cutoff`` (the others are results, not matches)."""
    return [h for h in hits if h.score >= cutoff]


def query_position(es: EmbeddingSet, coords, query_vector, *, method: str, near: int = 3) -> np.ndarray:
    """Where the query goes on a map of ``es`` whose points are ``coords`` (shape ``(len(es), 2|3)``).

    ``method="pca"``: the exact point, the query projected onto the documents' PCA plane (the one
    the map uses). Other methods (UMAP has no faithful ``transform`` for a new point here): the
    mean of the ``near`` most similar documents' positions, weighted by their (positive) cosine.
    """
    c = np.asarray(coords, dtype=np.float32)
    qv = np.asarray(query_vector, dtype=np.float32).reshape(1, -1)
    if method == "pca":
        plane = pca_plane(es.vectors, c.shape[1])
        return np.asarray(plane.transform(qv), dtype=np.float32)[0]
    idx, scores = top_k(es, qv, k=min(near, len(es)))
    w = np.clip(scores[0], 1e-3, None)
    return (c[idx[0]] * w[:, None]).sum(axis=0) / w.sum()


def search_vector(es: EmbeddingSet, query_vector, *, k: int = 5) -> list[DocumentHit]:
    """The ``k`` documents of ``es`` closest (cosine) to the vector :func:`encode_query` made."""
    k = check_int(k, "k", minimum=1)
    qv = np.asarray(query_vector, dtype=np.float32)
    idx, scores = top_k(es, qv[None, :], k=k)
    texts = es.meta.get("text") or es.tokens
    return [DocumentHit(r + 1, int(i), es.tokens[i], str(texts[i]), float(s))
            for r, (i, s) in enumerate(zip(idx[0], scores[0]))]
