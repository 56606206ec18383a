"""Close matches for a word that is not in a vocabulary ("did you mean ...?"), bounded in time.

A vocabulary's case-folded keys are collected once (:class:`CloseMatches`, kept by the
:class:`~embedlab.core.embeddings.EmbeddingSet`); each lookup scores every key with RapidFuzz's
``fuzz.ratio`` (the normalised Indel similarity ``2·LCS / (len(a) + len(b))``, written in C++: a
1,000,000-word vocabulary takes ~0.07 s where ``difflib.get_close_matches`` took 1–9 s) and keeps
the ones at or above :data:`CUTOFF` (the same 0.75 difflib used). Answers are remembered per word
(the last :data:`MEMO_SIZE` words), so a page rerun does not search again.

>>> m = CloseMatches(["king", "ing", "wing", "kings", "King"])
>>> m.suggest("Kingg")
['king', 'King', 'kings']
>>> m.suggest("KING")
['king', 'King', 'kings']
>>> m.suggest("zebra")
[]
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Sequence

from rapidfuzz import fuzz, process

__all__ = ["CloseMatches", "CUTOFF", "MEMO_SIZE"]

CUTOFF = 75.0          # RapidFuzz scores are 0..100; difflib's cutoff was 0.75
MEMO_SIZE = 256        # words whose suggestions are remembered
_MAX_WORD = 200        # a longer "word" is cut before scoring (bounded work for pasted text)


class CloseMatches:
    """Suggestions for a missing word from one vocabulary, built once and thread-safe.

    Parameters
    ----------
    vocabulary : sequence of str
        The tokens, in row order (earlier rows win ties).
    """

    def __init__(self, vocabulary: Sequence[str]):
        folded: dict[str, list[str]] = {}
        for v in vocabulary:
            folded.setdefault(str(v).casefold(), []).append(str(v))
        self._folded = folded
        self._keys = list(folded)
        self._memo: OrderedDict[tuple[str, int], list[str]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._keys)

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Up to ``n`` tokens close to ``word``: those equal to it ignoring case first, then the
        closest case-folded keys (score >= :data:`CUTOFF`), best first; ``word`` itself left out."""
        word = str(word)
        memo_key = (word, int(n))
        with self._lock:
            if memo_key in self._memo:
                self._memo.move_to_end(memo_key)
                return list(self._memo[memo_key])
        key = word.casefold()[:_MAX_WORD]
        same = [v for v in self._folded.get(key, []) if v != word]
        found = process.extract(key, self._keys, scorer=fuzz.ratio, limit=n + 1, score_cutoff=CUTOFF)
        close = [v for k, _score, _i in found if k != key for v in self._folded[k]]
        out = list(dict.fromkeys(same + close))[:n]
        with self._lock:
            self._memo[memo_key] = out
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return list(out)

    def __getstate__(self) -> dict:          # a lock does not pickle; the memo is not worth sending
        return {"_folded": self._folded, "_keys": self._keys}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._memo = OrderedDict()
        self._lock = threading.Lock()
