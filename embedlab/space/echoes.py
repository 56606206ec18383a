"""How often an analogy's best answer is just one of its input words (Nissim, van Noord and van der
Goot 2020, *Fair is better than sensational*): with the inputs allowed as answers, b − a + c very
often lies closest to b itself, and many famous analogies only look right because of the rule that
leaves the inputs out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .families import FamilyRow

__all__ = ["InputEchoes", "input_echoes"]


@dataclass(frozen=True)
class InputEchoes:
    """Of ``answered`` questions, the best answer was b in ``just_b`` and c in ``just_c``."""

    answered: int
    just_b: int
    just_c: int

    @property
    def share(self) -> float:
        """Share of the answered questions whose best answer is b or c (0.0 when none answered)."""
        return (self.just_b + self.just_c) / self.answered if self.answered else 0.0


def input_echoes(rows: Iterable[FamilyRow]) -> InputEchoes:
    """Count the answered questions whose best answer is b or c (case-insensitive).

    Parameters
    ----------
    rows : iterable of FamilyRow
        E.g. ``run_family(es, questions, exclude_inputs=False).rows``: anything with the words ``b``,
        ``c`` and the best answer ``got``; rows without an answer (a word missing) are not counted.

    Examples
    --------
    >>> from types import SimpleNamespace as Row
    >>> r = [Row(b="king", c="woman", got="King"), Row(b="b", c="c", got="d"), Row(b="y", c="z", got=None)]
    >>> input_echoes(r)
    InputEchoes(answered=2, just_b=1, just_c=0)
    """
    answered = [r for r in rows if r.got is not None]
    just_b = sum(r.got.lower() == r.b.lower() for r in answered)
    just_c = sum(r.got.lower() == r.c.lower() for r in answered)
    return InputEchoes(len(answered), just_b, just_c)
