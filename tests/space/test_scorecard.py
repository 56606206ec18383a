"""scorecard: one report of a set on an analogy file, word-pair files and planted questions."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.space.scorecard import AnalogyScore, PairScore, PlantedAnswer, scorecard

# king - man + woman points at queen; man.woman = 0, king.queen = 0.5, man.king = 0.707 (unit rows)
TOKENS = ["man", "king", "woman", "queen", "apple"]
VECTORS = np.array([[1, 0, 0], [1, 0, 1], [0, 1, 0], [0, 1, 1], [0, 0, -1]], dtype=np.float32)


@pytest.fixture
def es():
    return EmbeddingSet(TOKENS, VECTORS, name="royal")


@pytest.fixture
def files(tmp_path):
    analogies = tmp_path / "q.txt"
    analogies.write_text(": family\nman king woman queen\nman king woman princess\n", encoding="utf-8")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("word1\tword2\tscore\nman\twoman\t1\nking\tqueen\t2\nman\tking\t3\nman\tprince\t4\n",
                     encoding="utf-8")
    few = tmp_path / "few.tsv"
    few.write_text("man\twoman\t1\nman\tduke\t2\n", encoding="utf-8")
    return analogies, pairs, few


def test_every_benchmark_is_scored_with_its_coverage(es, files):
    analogies, pairs, few = files
    card = scorecard(es, analogy_file=analogies, pair_files=[pairs, few],
                     planted=[("man", "king", "woman", "queen"), ("man", "king", "woman", "nothere")])
    assert card.analogies == AnalogyScore("q.txt", accuracy=1.0, correct=1, total=1, skipped=1)
    assert card.analogies.coverage == 0.5 and card.analogies_error is None
    ws, bad = card.pairs
    assert (ws.file, ws.used, ws.skipped, ws.error) == ("pairs.tsv", 3, 1, None)
    assert ws.spearman == pytest.approx(1.0)
    assert ws.pearson == pytest.approx(np.corrcoef([1, 2, 3], [0.0, 0.5, np.sqrt(0.5)])[0, 1], abs=1e-6)
    assert ws.coverage == 0.75
    assert bad.file == "few.tsv" and "only 1 of 2 pairs" in bad.error and bad.used == 0 and bad.coverage == 0.0
    assert card.planted == (PlantedAnswer("man : king :: woman : ?", "queen", "queen", 1),
                            PlantedAnswer("man : king :: woman : ?", "nothere", None, None))


def test_an_unreadable_analogy_file_is_reported_not_raised(es, tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_text(": family\nman king woman\n", encoding="utf-8")
    card = scorecard(es, analogy_file=broken, pair_files=[])
    assert card.analogies is None and "line 2" in card.analogies_error
    assert card.pairs == () and card.planted == ()


def test_results_are_frozen_and_k_is_checked(es, files):
    analogies, pairs, _ = files
    card = scorecard(es, analogy_file=analogies, pair_files=[pairs])
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.pairs = ()
    with pytest.raises(InvalidParameterError, match="k=0 is not allowed"):
        scorecard(es, k=0, analogy_file=analogies, pair_files=[])
    with pytest.raises(InvalidParameterError, match="k=True is not allowed"):
        scorecard(es, k=True, analogy_file=analogies, pair_files=[])
    assert PairScore("x").coverage == 0.0
