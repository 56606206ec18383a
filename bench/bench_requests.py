"""Benchmark: the work one request can cost, and how long it delays another session (issue 11 item 6).

Run by hand:  python bench/bench_requests.py [--vocab 1000000] [--words 3000] [--rounds 3]

Rows, each beside its reference on the same data in one run (medians of ``--rounds``):

  suggestions    "did you mean" for 5 unknown words over a ``--vocab``-token vocabulary (random
                 lower-case words of 3-12 letters, fixed seed) through ``EmbeddingSet.unknown_error``:
                 first call (the set builds its matcher) and a repeat (answers remembered) — beside
                 the reference, the code before the fix: ``difflib.get_close_matches`` over every
                 case-folded key on every call.
  heatmap        the Neighbours page's heatmap for ``--words`` typed words of the default set:
                 what is drawn now (the first ``MAX_HEATMAP_WORDS`` words: cosine matrix + figure +
                 its JSON) — beside the reference, the same for all ``--words`` words (what the page
                 drew before; ``--skip-reference`` leaves this slow row out).

For every row the longest delay of a concurrent trivial request is printed too: a second thread
asks for one neighbour query on a small set every 10 ms while the row's work runs; "max stall" is
its longest wait beyond those 10 ms (target <= 1 s; pure-Python work holds the GIL and stalls it).
"""
from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import embedlab  # noqa: E402
from embedlab import EmbeddingSet  # noqa: E402
from embedlab.core.search import cosine_matrix  # noqa: E402
from embedlab.viz.explorer import MAX_HEATMAP_WORDS  # noqa: E402


class StallProbe:
    """A thread doing a trivial request every 10 ms; records the longest extra wait."""

    def __init__(self):
        self.small = EmbeddingSet([f"w{i}" for i in range(500)],
                                  np.random.default_rng(0).standard_normal((500, 32)).astype(np.float32))
        self.small.neighbors("w0", k=5)
        self.worst = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            t0 = time.perf_counter()
            time.sleep(0.01)
            self.small.neighbors("w1", k=5)
            self.worst = max(self.worst, time.perf_counter() - t0 - 0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def timed(fn, rounds: int) -> tuple[float, float]:
    """(median seconds, worst stall of the probe) over ``rounds`` calls of ``fn``."""
    times, stalls = [], []
    for _ in range(rounds):
        with StallProbe() as probe:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        stalls.append(probe.worst)
    return statistics.median(times), max(stalls)


def old_suggestions(missing, vocabulary, n=3):
    """The code before the fix (UnknownTokenError.for_tokens with difflib), for the reference row."""
    folded: dict[str, list[str]] = {}
    for v in vocabulary:
        folded.setdefault(v.casefold(), []).append(v)
    keys = list(folded)
    out = {}
    for t in missing:
        key = t.casefold()
        same = [v for v in folded.get(key, []) if v != t]
        close = [v for k in difflib.get_close_matches(key, keys, n=n, cutoff=0.75) if k != key for v in folded[k]]
        out[t] = list(dict.fromkeys(same + close))[:n]
    return out


def heatmap_json(es, words):
    from embedlab.viz.explorer import similarity_heatmap
    import plotly.graph_objects as go

    m = cosine_matrix(es, words)
    if len(words) <= MAX_HEATMAP_WORDS:
        return similarity_heatmap(m, words).to_json()
    # the figure as the page drew it before the cap (same trace, no limit)
    fig = go.Figure(go.Heatmap(z=m.tolist(), x=list(words), y=list(words), zmin=-1, zmax=1, zmid=0,
                               colorscale="RdBu", reversescale=True))
    return fig.to_json()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vocab", type=int, default=1_000_000)
    ap.add_argument("--words", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-reference", action="store_true", help="leave out the slow uncapped heatmap row")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(3, 13, size=args.vocab)
    vocab = list(dict.fromkeys("".join(rng.choice(letters, size=k)) for k in lengths))
    big = EmbeddingSet(vocab, np.zeros((len(vocab), 1), dtype=np.float32) + 1)
    missing = ["kingdomm", "qeeen", "paris", "embeddin", "vectorr"]

    rows = []
    t0 = time.perf_counter()
    with StallProbe() as probe:
        big.unknown_error(missing)
    first, first_stall = time.perf_counter() - t0, probe.worst
    again, again_stall = timed(lambda: big.unknown_error(missing), args.rounds)
    ref, ref_stall = timed(lambda: old_suggestions(missing, vocab), 1)
    rows.append((f"suggestions, 5 words, {len(vocab):,} tokens (first)", first, first_stall, ref, ref_stall))
    rows.append((f"suggestions, 5 words, {len(vocab):,} tokens (repeat)", again, again_stall, ref, ref_stall))

    es = embedlab.load(embedlab.DEFAULT_SET)
    words = [t for t in es.tokens if t.isalpha() and t.islower()][:args.words]
    now, now_stall = timed(lambda: heatmap_json(es, words[:MAX_HEATMAP_WORDS]), args.rounds)
    if args.skip_reference:
        ref, ref_stall = float("nan"), float("nan")
    else:
        ref, ref_stall = timed(lambda: heatmap_json(es, words), 1)
    rows.append((f"heatmap, {len(words):,} typed words (draws {MAX_HEATMAP_WORDS})", now, now_stall, ref, ref_stall))

    print(f"{'work':<52} {'EmbedLab s':>10} {'max stall s':>11} {'before s':>9} {'stall s':>8} {'ratio':>7}")
    for name, t, s, r, rs in rows:
        print(f"{name:<52} {t:>10.3f} {s:>11.3f} {r:>9.3f} {rs:>8.3f} {t / r:>7.3f}")


if __name__ == "__main__":
    main()
