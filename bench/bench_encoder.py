"""Throughput of the numpy MiniLM encoder (sentences/s) on real 10–30-token sentences.

Run by hand:  python bench/bench_encoder.py [--n 512] [--repeats 3]

There is no torch here, so the reference rows are the naive ways of running the same numpy
encoder: one sentence per forward pass, and batches of 32 in the given (unsorted) order, where
every batch is padded to its longest sentence; and the batches one by one (each product on both BLAS
threads). The main row is ``encode_sentences`` as shipped: sorted by length, batches of 32, two
batches at a time on one BLAS thread each (2 threads in all).
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from embedlab.encoder import model as tr  # noqa: E402


def sentences(n: int, seed: int = 0) -> list[str]:
    """Real sentences of 10–30 tokens from gensim's Lee corpus (shipped with gensim)."""
    import gensim

    path = Path(gensim.__file__).parent / "test" / "test_data" / "lee_background.cor"
    text = path.read_text(encoding="utf-8", errors="replace")
    cands = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    toks = tr.tokenize_batch(cands)
    keep = [s for s, t in zip(cands, toks) if 10 <= len(t) <= 30]
    rng = np.random.default_rng(seed)
    return [keep[i] for i in rng.choice(len(keep), size=min(n, len(keep)), replace=False)]


def unsorted_batches(texts, batch_size=32):
    w = tr.load_weights()
    toks = tr.tokenize_batch(texts)
    out = []
    for s in range(0, len(toks), batch_size):
        ids, mask = tr._pad(toks[s:s + batch_size])
        h = tr._forward(w, ids, mask)
        out.append((h * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True))
    return np.concatenate(out)


def one_stream(texts, batch_size=32):
    """encode_sentences' work with the batches one after another (each product on 2 BLAS threads)."""
    from embedlab.encoder.streams import pooled_batches

    w = tr.load_weights()
    ids, _ = tr.token_ids_batch(texts)
    order = np.argsort([len(t) for t in ids], kind="stable")
    rows = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    return [tr.unit_rows(p) for p in pooled_batches(w, [[ids[r] for r in b] for b in rows], streams=1)]


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    texts = sentences(args.n)
    lens = [len(t) for t in tr.tokenize_batch(texts)]
    tr.load_weights()
    tr.warm_up(wait=True)            # compile the GELU kernel before timing
    tr.encode_sentences(texts[:32])
    print(f"{len(texts)} sentences, {min(lens)}–{max(lens)} tokens (median {int(np.median(lens))})\n")
    rows = []
    with threadpool_limits(2):
        rows.append(("encode_sentences, sorted, batch 32, 2 threads",
                     timed(lambda: tr.encode_sentences(texts, batch_size=32), args.repeats)))
        rows.append(("encode_sentences, sorted, batch 64, 2 threads",
                     timed(lambda: tr.encode_sentences(texts, batch_size=64), args.repeats)))
        rows.append(("reference: batches one by one (one stream), 2 threads",
                     timed(lambda: one_stream(texts), args.repeats)))
        rows.append(("reference: unsorted batches of 32, 2 threads",
                     timed(lambda: unsorted_batches(texts), args.repeats)))
        few = texts[:128]
        t1 = timed(lambda: tr.encode_sentences(few, batch_size=1), args.repeats)
        rows.append(("reference: one sentence per pass, 2 threads", t1 * len(texts) / len(few)))
        # GELU through scipy.special.erf (float64 inside) instead of the compiled float32 kernel
        kernel = tr._gelu_kernel
        tr._gelu_kernel = lambda: None
        try:
            rows.append(("reference: GELU via scipy.special.erf, batch 32",
                         timed(lambda: tr.encode_sentences(texts, batch_size=32), args.repeats)))
        finally:
            tr._gelu_kernel = kernel
    with threadpool_limits(1):
        rows.append(("encode_sentences, sorted, batch 32, 1 thread",
                     timed(lambda: tr.encode_sentences(texts, batch_size=32), args.repeats)))
    base = rows[0][1]
    print(f"{'variant':50s} {'median s':>9s} {'sent/s':>8s} {'vs shipped':>10s}")
    for name, t in rows:
        print(f"{name:50s} {t:9.3f} {len(texts) / t:8.0f} {t / base:9.2f}x")


if __name__ == "__main__":
    main()
