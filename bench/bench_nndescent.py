"""Benchmark: pynndescent's NN-descent index (bench/nndescent_index.py, the app's former index) on a 1,000,000 x 300 set vs exact search vs gensim.

The comparison of embedlab's faiss index with faiss, hnswlib and pynndescent is ``bench_ann.py``; this
one tunes the NN-descent index and measures how its build stalls a server (``--server-stall``).

Run by hand:  python bench/bench_nndescent.py [--n 1000000] [--data realistic|gaussian|mixture]

Measures, on one float32 set of ``--n`` rows x 300 dims:

  build        ``nndescent_index.ApproximateIndex`` (pynndescent NN-descent graph + search graph):
               wall and CPU seconds, extra peak RSS (numba compiled beforehand on a tiny set,
               timed separately)
  latency      one top-10 cosine query of a token of the set (left out of its own results),
               median over ``--latency-queries`` random rows, run round-robin so every method
               sees the same load: the index (``ApproximateIndex.query``), exact
               ``embedlab.core.search.top_k``, the reference gensim ``KeyedVectors.most_similar``
               (exact brute force, same vectors, no copy) and a direct ``pynndescent`` query
  recall@10    against exact search (``top_k`` in blocks of 100 queries) on ``--recall-queries``
               random rows, self excluded like the app; also for the real-token rows alone
  memory       RSS of the vectors, the unit vectors, the tokens and the index once built

Data: ``--data realistic|gaussian|mixture``, made by ``ann_data.py`` (its docstring has the recipes).
Generated sets are cached as .npy in ``--dir`` (default: $TMPDIR/embedlab-bench-ann).
Tuning: ``--epsilons 0.1,0.2,0.3`` and ``--candidates 10,20`` measure several query settings on
one index; ``--n-neighbors``, ``--diversify-prob``, ``--pruning`` change the build.
The machine is shared (2 cores): the load average is printed first and last.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import nndescent_index as ann  # noqa: E402
from embedlab import EmbeddingSet  # noqa: E402
from nndescent_index import ApproximateIndex, build_in_own_process  # noqa: E402
from embedlab.runtime.registry import IndexRegistry  # noqa: E402
from embedlab.core.search import top_k  # noqa: E402
from bench_load import BackgroundLoop  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

from ann_data import exact_top10, load_text, make_set, peak, recall, reset_peak, rss  # noqa: E402


def gensim_kv(es: EmbeddingSet):
    """gensim KeyedVectors over the same (read-only) array, no copy; norms filled once."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(es.dim, count=0, dtype=np.float32)
    kv.index_to_key = list(es.tokens)
    kv.key_to_index = {t: i for i, t in enumerate(es.tokens)}
    kv.vectors = es.vectors
    kv.fill_norms()
    return kv


def build(es: EmbeddingSet, args) -> tuple[ApproximateIndex, dict]:
    before = rss()
    has_peak = reset_peak()
    w, c = time.perf_counter(), time.process_time()
    index = ApproximateIndex(es, n_neighbors=args.n_neighbors, seed=args.seed,
                             diversify_prob=args.diversify_prob, pruning_degree_multiplier=args.pruning)
    stats = {"wall": time.perf_counter() - w, "cpu": time.process_time() - c,
             "peak_extra": (peak() - before) if has_peak else float("nan"), "kept_extra": rss() - before}
    return index, stats


class Ticker(BackgroundLoop):
    """A thread of this process that sleeps 10 ms in a loop and records how late it wakes up: what a
    web server's other sessions feel while something holds the GIL (every Streamlit session is a
    thread of one process)."""

    every = 0.01

    def __init__(self):
        super().__init__()
        self.lags = []
        self._last = None

    def tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:          # the time since the last tick beyond the 10 ms wait
            self.lags.append(now - self._last - self.every)
        self._last = now

    def summary(self) -> tuple[float, float, float]:
        lag = np.array(self.lags or [np.nan]) * 1000
        return float(np.median(lag)), float(np.percentile(lag, 99)), float(lag.max())


def server_stall(es: EmbeddingSet, args) -> None:
    """The app's own path (``IndexRegistry.request``) with the build in a worker process vs in a thread."""
    rows = []
    for workers in args.stall_workers.split(","):
        os.environ["EMBEDLAB_WORKERS"] = workers
        options = dict(n_neighbors=args.n_neighbors, seed=args.seed, diversify_prob=args.diversify_prob,
                       pruning_degree_multiplier=args.pruning)
        registry = IndexRegistry(threshold=1, budget=2**62, max_attempts=1,
                                 build=lambda es, options=options: build_in_own_process(es, **options))
        before = rss()
        w = time.perf_counter()
        with Ticker() as tick:
            registry.request(es).join()
        wall = time.perf_counter() - w
        index = registry.ready(es)
        if index is None:
            raise SystemExit(f"EMBEDLAB_WORKERS={workers}: the build failed (see the log)")
        med, p99, mx = tick.summary()
        rows.append((workers, wall, med, p99, mx, (rss() - before) / 1e6, index.built_in_pid != os.getpid()))
        print(f"  EMBEDLAB_WORKERS={workers}: {wall:.0f} s, tick lag median {med:.2f} ms, p99 {p99:.1f} ms, "
              f"max {mx:.0f} ms (load {load_text()})", flush=True)
        del index
        registry.close()
    print(f"\nindex build through IndexRegistry.request on {es!r}, numba compiled afresh in each process "
          f"(10 ms sleeps of a thread of this process, late by:)")
    print(f"{'where the graph is built':<34}{'wall s':>8}{'lag median ms':>15}{'p99 ms':>9}{'max ms':>9}"
          f"{'kept RSS MB':>13}")
    for workers, wall, med, p99, mx, kept, remote in rows:
        where = "worker process (EMBEDLAB_WORKERS=1)" if remote else "server thread (EMBEDLAB_WORKERS=0)"
        print(f"{where:<34}{wall:>8.0f}{med:>15.2f}{p99:>9.1f}{mx:>9.0f}{kept:>13,.0f}")
    print(f"load average {load_text()} on {os.cpu_count()} cores")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="rows (default 1,000,000; e.g. 200000 to try)")
    ap.add_argument("--data", choices=["realistic", "gaussian", "mixture"], default="realistic")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--recall-queries", type=int, default=1000)
    ap.add_argument("--latency-queries", type=int, default=300)
    ap.add_argument("--n-neighbors", type=int, default=ann.N_NEIGHBORS)
    ap.add_argument("--diversify-prob", type=float, default=ann.DIVERSIFY_PROB)
    ap.add_argument("--pruning", type=float, default=ann.PRUNING_DEGREE_MULTIPLIER,
                    help="pynndescent pruning_degree_multiplier")
    ap.add_argument("--epsilons", default=str(ann.EPSILON),
                    help="comma-separated query epsilons, each a row of the table (the first one is the "
                         "direct pynndescent query's)")
    ap.add_argument("--candidates", default="10", help="comma-separated candidate counts re-ranked exactly")
    ap.add_argument("--no-gensim", action="store_true", help="skip the gensim reference")
    ap.add_argument("--dir", default=None, help="cache folder for generated sets")
    ap.add_argument("--server-stall", action="store_true",
                    help="only measure how a build through IndexRegistry.request stalls other threads of this "
                         "process: graph built in a worker process vs in a thread")
    ap.add_argument("--stall-workers", default="1,0", help="EMBEDLAB_WORKERS values for --server-stall")
    args = ap.parse_args()
    settings = [(float(e), int(c)) for e in args.epsilons.split(",") for c in args.candidates.split(",")]
    folder = Path(args.dir) if args.dir else Path(tempfile.gettempdir()) / "embedlab-bench-ann"

    print(f"load average {load_text()} on {os.cpu_count()} cores", flush=True)
    rss0 = rss()
    t = time.perf_counter()
    es, info = make_set(args.data, args.n, args.seed, folder)
    rss_vec = rss()
    print(f"{es!r} ready in {time.perf_counter() - t:.0f} s; {json.dumps({k: round(v, 4) for k, v in info.items()})}",
          flush=True)
    t = time.perf_counter()
    _ = es.unit
    rss_unit = rss()
    print(f"unit vectors in {time.perf_counter() - t:.1f} s", flush=True)
    if args.server_stall:
        server_stall(es, args)
        return

    # numba compilation, once per process, on a tiny set
    t = time.perf_counter()
    tiny = es.subset(2000, name="tiny")
    ApproximateIndex(tiny, n_neighbors=args.n_neighbors).query(tiny.vectors[:2], k=10, exclude=[[0], [1]])
    compile_s = time.perf_counter() - t
    rss_warm = rss()
    print(f"numba warm-up (2,000-row index + query) {compile_s:.1f} s; building... (load {load_text()})", flush=True)

    index, b = build(es, args)
    rss_index = rss()
    print(f"built in {b['wall']:.0f} s wall, {b['cpu']:.0f} s CPU; peak +{b['peak_extra'] / 1e6:,.0f} MB, "
          f"kept +{b['kept_extra'] / 1e6:,.0f} MB (load {load_text()})", flush=True)

    # recall@10 against exact search, self excluded
    rng = np.random.default_rng([args.seed, 4 * 10**6])
    rows = np.sort(rng.choice(len(es), min(args.recall_queries, len(es)), replace=False))
    t = time.perf_counter()
    truth = exact_top10(es, rows)
    print(f"exact ground truth for {len(rows)} queries in {time.perf_counter() - t:.0f} s", flush=True)
    real_rows = np.array([], dtype=np.int64)
    if info.get("n_real"):
        real_rows = np.sort(rng.choice(info["n_real"], min(args.recall_queries, info["n_real"]), replace=False))
        truth_real = exact_top10(es, real_rows)
    recs: dict[str, float] = {"embedlab exact top_k": 1.0}
    recs_real: dict[str, float] = {}
    for eps, cand in settings:
        name = f"index eps={eps:g} cand={cand}"
        found = index.query(es.vectors[rows], k=10, exclude=[[r] for r in rows], epsilon=eps, candidates=cand)[0]
        recs[name] = recall(found, truth)
        if len(real_rows):
            fr = index.query(es.vectors[real_rows], k=10, exclude=[[r] for r in real_rows], epsilon=eps,
                             candidates=cand)[0]
            recs_real[name] = recall(fr, truth_real)
        print(f"  {name}: recall@10 {recs[name]:.4f} (real-token rows {recs_real.get(name, float('nan')):.4f})",
              flush=True)
    eps0 = settings[0][0]
    nnd_found = index._nnd.query(es.vectors[rows], k=11, epsilon=eps0)[0]
    nnd_name = f"pynndescent eps={eps0:g}"
    recs[nnd_name] = recall(np.stack([[i for i in f if i != r][:10] for f, r in zip(nnd_found, rows)]), truth)

    # latency of one query, round-robin over the methods
    kv = None if args.no_gensim else gensim_kv(es)
    rss_gensim = rss()
    lat_rows = rng.choice(len(es), args.latency_queries, replace=False)
    methods = {}
    for eps, cand in settings:
        methods[f"index eps={eps:g} cand={cand}"] = (
            lambda r, eps=eps, cand=cand: index.query(es.vectors[r][None], k=10, exclude=[[r]], epsilon=eps,
                                                      candidates=cand))
    methods["embedlab exact top_k"] = lambda r: top_k(es, es.vectors[r][None], k=10, exclude=[[r]])
    methods[nnd_name] = lambda r: index._nnd.query(es.vectors[r][None], k=11, epsilon=eps0)
    if kv is not None:
        methods["gensim most_similar"] = lambda r: kv.most_similar(es.tokens[r], topn=10)
    for fn in methods.values():
        fn(int(lat_rows[0]))  # warm
    times: dict[str, list[float]] = {m: [] for m in methods}
    gensim_hits = 0
    for r in lat_rows:
        r = int(r)
        for name, fn in methods.items():
            t = time.perf_counter()
            res = fn(r)
            times[name].append(time.perf_counter() - t)
            if name == "gensim most_similar":
                ex = set(top_k(es, es.vectors[r][None], k=10, exclude=[[r]])[0][0].tolist())
                gensim_hits += len(ex & {kv.key_to_index[w] for w, _ in res})
    if kv is not None:
        recs["gensim most_similar"] = gensim_hits / (10 * len(lat_rows))

    ref = statistics.median(times["gensim most_similar"]) if kv is not None else None
    print()
    print(f"{args.data} set {len(es):,} x {es.dim} float32 (seed {args.seed}); load average {load_text()} "
          f"on {os.cpu_count()} cores; pynndescent n_neighbors={args.n_neighbors}, "
          f"diversify_prob={args.diversify_prob}, pruning_degree_multiplier={args.pruning}")
    print(f"index build: {b['wall']:.0f} s wall, {b['cpu']:.0f} s CPU, extra peak RSS {b['peak_extra'] / 1e6:,.0f} MB "
          f"({b['peak_extra'] / es.vectors.nbytes:.2f}x the array), kept {b['kept_extra'] / 1e6:,.0f} MB; "
          f"numba warm-up before it {compile_s:.0f} s")
    real_col = " real rows" if recs_real else ""
    print(f"{'one top-10 query':27s} {'median ms':>10s} {'p90 ms':>8s} {'recall@10':>10s}{real_col:>11s} "
          f"{'gensim/this':>12s}")
    for name, ts in times.items():
        med = statistics.median(ts)
        p90 = float(np.quantile(ts, 0.9))
        ratio = f"{ref / med:11.1f}x" if ref else ""
        rr = f"{recs_real[name]:11.4f}" if name in recs_real else (" " * 11 if recs_real else "")
        print(f"{name:27s} {med * 1000:10.2f} {p90 * 1000:8.2f} {recs[name]:10.4f}{rr} {ratio:>12s}")
    print(f"(latency: {len(lat_rows)} random rows, each a token query left out of its own results, methods "
          f"round-robin; recall@10: {len(rows)} random rows vs exact top_k" +
          (f", 'real rows': {len(real_rows)} of the {info['n_real']:,} real-token rows" if recs_real else "") +
          "; gensim's recall on the latency rows)")
    gb = 1e9
    print(f"memory (RSS): vectors + tokens {(rss_vec - rss0) / gb:.2f} GB (array {es.vectors.nbytes / gb:.2f} GB), "
          f"+ unit vectors {(rss_unit - rss_vec) / gb:.2f} GB, + numba code {(rss_warm - rss_unit) / gb:.2f} GB, "
          f"+ index {(rss_index - rss_warm) / gb:.2f} GB = {(rss_index - rss0) / gb:.2f} GB; "
          f"gensim's norms + ground truth +{(rss_gensim - rss_index) / gb:.2f} GB; "
          f"process peak since the build {peak() / gb:.2f} GB")


if __name__ == "__main__":
    main()
