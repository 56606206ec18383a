"""embedlab.space.families: one analogy family question by question, against the gensim rules."""
from __future__ import annotations

import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.space.evaluation import evaluate_analogies
from embedlab.io.gensim_data import analogy_sections
from embedlab.space.families import run_family


@pytest.fixture(scope="module")
def family():
    return analogy_sections()["family"]


def test_run_family_matches_the_gensim_rules(words, family, tmp_path):
    res = run_family(words, family)
    path = tmp_path / "family.txt"
    path.write_text(": family\n" + "\n".join(" ".join(q) for q in family) + "\n")
    ref = evaluate_analogies(words, path)
    assert (res.covered, res.skipped) == (ref.total, ref.skipped)
    assert res.accuracy == pytest.approx(ref.accuracy)
    assert len(res.rows) == len(family)


def test_run_family_rows(words, family):
    res = run_family(words, family, k=5)
    for row in res.rows:
        if row.missing:
            assert row.got is None and row.rank is None and not row.correct
            assert all(w.lower() not in words for w in row.missing)
            continue
        assert len(row.candidates) == 5 and row.got == row.candidates[0]
        assert not {row.a.lower(), row.b.lower(), row.c.lower()} & set(row.candidates)
        assert row.correct == (row.rank == 1)
        if row.rank is not None:
            assert row.candidates[row.rank - 1] == row.expected.lower()
        else:
            assert row.expected.lower() not in row.candidates
    assert any(r.rank not in (None, 1) for r in res.rows)


def test_run_family_rank_beyond_k_and_both_methods(words, family):
    full = run_family(words, family[:40], k=len(words))
    short = run_family(words, family[:40], k=3)
    for f, s in zip(full.rows, short.rows):
        assert s.rank == (f.rank if f.rank is not None and f.rank <= 3 else None)
    cosmul = run_family(words, family[:40], method="3cosmul")
    assert cosmul.method == "3cosmul" and cosmul.covered == full.covered


def test_run_family_keeping_inputs_mostly_returns_an_input(words, family):
    res = run_family(words, family, exclude_inputs=False)
    answered = [r for r in res.rows if not r.missing]
    just_input = sum(r.got in (r.b.lower(), r.c.lower()) for r in answered)
    assert just_input > len(answered) / 2
    assert res.accuracy < run_family(words, family).accuracy


def test_run_family_case_variants_excluded():
    es = EmbeddingSet(["man", "king", "woman", "KING", "queen"],
                      [[0, 1, 0], [1, 1, 0], [0, -1, 0], [1, 0.9, 0], [1, -1, 0]])
    q = [("man", "king", "woman", "queen")]
    assert run_family(es, q).rows[0].candidates == ("queen",)
    assert run_family(es, q, case_insensitive=False).rows[0].candidates[:2] == ("queen", "KING")


def test_run_family_bad_question(words):
    with pytest.raises(InvalidParameterError, match="each question needs 4 words"):
        run_family(words, [("man", "king", "woman")])
