"""Encoding and searching documents (embedlab.encoder.documents)."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import CorpusError, EmbeddingSet, InvalidParameterError
from embedlab.encoder import documents as ed

DOCS = [
    "Simmer the tomato sauce with garlic and basil for twenty minutes.",
    "The striker scored twice in the second half of the match.",
    "Astronomers pointed the telescope at a distant galaxy.",
    "Knead the bread dough and let it rise overnight.",
    "The goalkeeper saved a penalty in the final minute.",
]


@pytest.fixture(scope="module")
def doc_set():
    return ed.encode_documents(DOCS, name="tiny docs")


def test_encoded_documents_are_an_embedding_set(doc_set):
    assert isinstance(doc_set, EmbeddingSet)
    assert len(doc_set) == 5 and doc_set.dim == 384
    assert doc_set.meta["text"] == tuple(DOCS) and doc_set.meta["kind"] == ("document",) * 5
    np.testing.assert_allclose(np.linalg.norm(doc_set.vectors, axis=1), 1.0, atol=1e-5)


def test_encoding_reports_progress():
    seen = []
    ed.encode_documents(DOCS[:3], batch_size=2, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(2, 3), (3, 3)]


def test_search_finds_the_document_about_the_query(doc_set):
    hits = ed.search(doc_set, "looking at stars and planets through a lens", k=2)
    assert hits[0].index == 2 and hits[0].text == DOCS[2] and hits[0].rank == 1
    assert hits[0].score > hits[1].score
    football = ed.search(doc_set, "soccer game", k=2)
    assert {h.index for h in football} == {1, 4}
    cooking = ed.search(doc_set, "baking recipes", k=5)
    assert cooking[0].index in (0, 3) and len(cooking) == 5


def test_search_validates_its_inputs(doc_set, toy_set):
    with pytest.raises(InvalidParameterError, match="search text is empty"):
        ed.search(doc_set, "   ")
    with pytest.raises(InvalidParameterError, match="k=0 is not allowed; must be a whole number >= 1"):
        ed.search(doc_set, "x", k=0)
    with pytest.raises(InvalidParameterError, match="3-dimensional vectors"):
        ed.search(toy_set, "royalty")


def test_encode_refuses_empty_input():
    with pytest.raises(CorpusError, match="no documents"):
        ed.encode_documents([])


def test_a_document_set_is_recognised_by_the_encoders_marker(doc_set, toy_set):
    assert ed.is_document_set(doc_set) and doc_set.meta["kind"] == (ed.DOCUMENT_KIND,) * 5
    assert not ed.is_document_set(toy_set) and not ed.is_document_set(None)
    rows = np.eye(2, dtype=np.float32)
    marked = EmbeddingSet(["a", "b"], rows, meta={"text": ["x", "y"], "kind": ["document", "document"]})
    assert ed.is_document_set(marked)               # the marker decides, not the dimension
    # 384 dimensions and a text column are not enough (the old test on the page said yes here)
    words = EmbeddingSet(["a", "b"], np.ones((2, 384), np.float32) * [[1], [2]],
                         meta={"text": ["x", "y"], "kind": ["word", "document"]})
    assert not ed.is_document_set(words)
    assert not ed.is_document_set(EmbeddingSet(["a", "b"], rows, meta={"kind": ["document", "document"]}))
