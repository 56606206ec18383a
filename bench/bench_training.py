"""Training throughput (words/s): EmbedLab's train() against calling gensim directly.

Run by hand:  python bench/bench_training.py [--repeat 10] [--runs 5] [--workers 1]

Corpus: gensim's lee_background.cor (read in place), repeated ``--repeat`` times (10 -> ~600k
words). Both sides get the same sentences and parameters (CBOW, 100 d, window 5, 5 epochs,
min_count 5, negative 5, seed 1). The EmbedLab side runs with everything the page uses switched on:
the per-epoch callback, a progress function, 12 watched words (snapshots + nearest neighbours in
the whole vocabulary after every epoch) and gensim's loss computation (``compute_loss=True``).
The gensim side is ``Word2Vec(sentences=..., **same parameters)`` with gensim's defaults
(no loss, no callbacks). Throughput = corpus words × epochs / seconds of ``build_vocab`` + ``train``,
timed the same way for both. Runs alternate between the two sides; medians are reported, of wall
time and of CPU time (``time.process_time``: all threads of this process), since on a shared machine
other processes' load moves the wall time far more than any difference between the two sides.
Target: EmbedLab / gensim ≥ 0.9.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from embedlab.io.builtin_corpora import builtin_corpus  # noqa: E402
from embedlab.train.training import TrainParams, train  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=10, help="copies of the Lee corpus (default 10)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per side (default 5)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--model", choices=("word2vec", "fasttext"), default="word2vec")
    args = ap.parse_args(argv)

    from dataclasses import replace

    from gensim.models import FastText, Word2Vec

    lee = builtin_corpus("lee")
    corpus = replace(lee, sentences=lee.sentences * args.repeat)
    words = corpus.n_tokens
    params = TrainParams(model=args.model, vector_size=100, window=5, epochs=args.epochs, min_count=5,
                         workers=args.workers, seed=1)
    cls = FastText if args.model == "fasttext" else Word2Vec
    watch = ["government", "police", "fire", "people", "australia", "sydney", "minister", "world",
             "south", "president", "killed", "israeli"]

    def ours() -> tuple[float, float]:
        ticks = []
        t, c = time.perf_counter(), time.process_time()
        res = train(corpus, params, watch=watch, progress=ticks.append)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        assert len(ticks) == args.epochs and len(res.watched) == len(watch)
        return dt, dc

    def gensim_direct() -> tuple[float, float]:
        t, c = time.perf_counter(), time.process_time()
        cls(sentences=corpus.sentences, **params.gensim_kwargs())
        return time.perf_counter() - t, time.process_time() - c

    ours()            # warm-up: imports, first allocation
    gensim_direct()
    t_ours, t_gensim = [], []
    for _ in range(args.runs):
        t_gensim.append(gensim_direct())
        t_ours.append(ours())
    work = words * args.epochs
    med = {name: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts))
           for name, ts in (("gensim", t_gensim), ("ours", t_ours))}
    print(f"corpus: lee_background.cor × {args.repeat} = {words:,} words; {args.model} CBOW 100 d, window 5, "
          f"{args.epochs} epochs, min_count 5, workers {args.workers}; median of {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':38}{'wall s':>8}{'words/s (wall)':>16}{'CPU s':>8}{'words/s (CPU)':>15}")
    for label, key in ((f"gensim {cls.__name__}(...) directly", "gensim"),
                       ("EmbedLab train() (+loss, snapshots)", "ours")):
        w, c = med[key]
        print(f"{label:38}{w:>8.2f}{work / w:>16,.0f}{c:>8.2f}{work / c:>15,.0f}")
    ratio = med["gensim"][0] / med["ours"][0]
    ratio_cpu = med["gensim"][1] / med["ours"][1]
    paired = statistics.median(g[0] / o[0] for g, o in zip(t_gensim, t_ours))
    print(f"median of the paired (back-to-back) wall ratios: {paired:.3f}")
    print(f"ratio EmbedLab / gensim: wall {ratio:.3f}, CPU {ratio_cpu:.3f}  "
          f"(target ≥ 0.9 on wall time: {'met' if ratio >= 0.9 else 'NOT met'})")
    return 0 if ratio >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
