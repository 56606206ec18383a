"""input_echoes: how often an analogy's best answer is just b or c."""
from __future__ import annotations

from types import SimpleNamespace as Row

import pytest

from embedlab.space.echoes import InputEchoes, input_echoes


def test_counts_b_and_c_case_insensitively_among_answered_questions():
    rows = [Row(b="king", c="woman", got="King"), Row(b="paris", c="italy", got="italy"),
            Row(b="x", c="y", got="rome"), Row(b="b", c="c", got=None)]
    got = input_echoes(rows)
    assert got == InputEchoes(answered=3, just_b=1, just_c=1)
    assert got.share == pytest.approx(2 / 3)


def test_nothing_answered_is_a_zero_share_not_a_division_error():
    assert input_echoes([Row(b="b", c="c", got=None)]) == InputEchoes(0, 0, 0)
    assert InputEchoes(0, 0, 0).share == 0.0


def test_on_a_real_family_run_with_inputs_allowed():
    import numpy as np

    from embedlab import EmbeddingSet
    from embedlab.space.families import run_family

    # b - a + c lies closest to b: with the inputs allowed the answer is b
    es = EmbeddingSet(["a", "b", "c", "d"], np.array([[1, 0, 0], [0, 1, 0], [0.9, 0.1, 0.1], [0, 0, 1]],
                                                     dtype=np.float32))
    res = run_family(es, [("a", "b", "c", "d")], exclude_inputs=False, k=3)
    assert input_echoes(res.rows) == InputEchoes(answered=1, just_b=1, just_c=0)
