"""Benchmark: neighbour search on a 1,000,000 x 300 set, approximate index vs exact search vs gensim.

Run by hand:  python bench/bench_ann.py [--n 1000000] [--data realistic|gaussian|mixture]

Measures, on one float32 set of ``--n`` rows x 300 dims:

  build        ``embedlab.runtime.ann.ApproximateIndex`` (pynndescent NN-descent graph + search graph):
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

Data (no real 1M-word file exists here and nothing is downloaded; fixed seed):

  realistic    rows 0..30,521 are the real MiniLM token embeddings (``embedlab.load("minilm-tokens")``,
               30,522 x 384) projected onto their top 300 principal axes (uncentred projection, so
               the common mean direction stays; 94% of the variance kept). Every further row
               picks a real row ``a`` and one of its 10 nearest real neighbours ``b`` at random,
               takes ``(1 - t) a + t b`` with ``t ~ U(0, 0.5)`` and adds Gaussian noise shaped like
               the real data (``sigma * s_j * N(0, 1)`` along principal axis j, s_j = the real
               rows' std on that axis). ``sigma`` is found by bisection so that the median cosine
               similarity of a row's 10th nearest neighbour in the generated set equals the real
               set's (measured on 200 probe rows each; the real 1st/10th-neighbour medians are
               printed beside the generated ones).
  gaussian     isotropic N(0, I) rows: the known worst case for graph indexes (in 300-D all
               distances concentrate, the "nearest" neighbours are barely nearer than the rest).
  mixture      1,000 centres ~ N(0, I), rows = a random centre + N(0, I) (overlapping clusters).

Generated sets are cached as .npy in ``--dir`` (default: $TMPDIR/embedlab-bench-ann).
Tuning: ``--epsilons 0.1,0.2,0.3`` and ``--candidates 10,20`` measure several query settings on
one index; ``--n-neighbors``, ``--diversify-prob``, ``--pruning`` change the build.
The machine is shared (2 cores): the load average is printed first and last.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
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

import embedlab  # noqa: E402
from embedlab.runtime import ann  # noqa: E402
from embedlab import EmbeddingSet  # noqa: E402
from embedlab.runtime.ann import ApproximateIndex  # noqa: E402
from embedlab.runtime.registry import IndexRegistry  # noqa: E402
from embedlab.core.search import top_k  # noqa: E402
from bench_load import BackgroundLoop  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

DIM = 300
BLOCK = 65_536
N_REAL_NEIGHBORS = 10


# -- memory ---------------------------------------------------------------------------------
def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process; False if not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def load_text() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# -- data -------------------------------------------------------------------------------------
def real_base() -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    """MiniLM token embeddings on their top-300 principal axes, per-axis std, 10 nearest real rows."""
    es = embedlab.load("minilm-tokens")
    x = es.vectors.astype(np.float64)
    mu = x.mean(axis=0)
    w, v = np.linalg.eigh(np.cov(x - mu, rowvar=False))
    order = np.argsort(w)[::-1][:DIM]
    axes = v[:, order]
    axes *= np.where(axes[np.abs(axes).argmax(axis=0), np.arange(DIM)] < 0, -1.0, 1.0)  # fixed signs
    real = (x @ axes).astype(np.float32)
    std = np.sqrt(w[order]).astype(np.float32)
    rs = EmbeddingSet(es.tokens, real, name="real-300", copy=False)
    nbr = np.empty((len(rs), N_REAL_NEIGHBORS), dtype=np.int64)
    for s in range(0, len(rs), 2048):
        rows = np.arange(s, min(len(rs), s + 2048))
        nbr[rows], _ = top_k(rs, real[rows], k=N_REAL_NEIGHBORS, exclude=[[r] for r in rows])
    return es.tokens, real, std, nbr


def realistic(n: int, sigma: float, base, seed: int) -> np.ndarray:
    """``n`` rows: the real rows, then noisy mixtures of a real row and a near real neighbour."""
    _, real, std, nbr = base
    out = np.empty((n, DIM), dtype=np.float32)
    m = min(n, len(real))
    out[:m] = real[:m]
    for b, s in enumerate(range(m, n, BLOCK)):
        e = min(n, s + BLOCK)
        rng = np.random.default_rng([seed, b])
        a = rng.integers(0, len(real), e - s)
        pick = nbr[a, rng.integers(0, N_REAL_NEIGHBORS, e - s)]
        t = rng.uniform(0.0, 0.5, (e - s, 1)).astype(np.float32)
        blk = real[a] * (1 - t)
        blk += real[pick] * t
        noise = rng.standard_normal((e - s, DIM), dtype=np.float32)
        noise *= std * np.float32(sigma)
        blk += noise
        out[s:e] = blk
    return out


def realistic_tokens(n: int, base) -> list[str]:
    real_tokens = base[0]
    m = min(n, len(real_tokens))
    return list(real_tokens[:m]) + [f"{real_tokens[i % len(real_tokens)]}~{i}" for i in range(m, n)]


def gaussian(n: int, seed: int) -> np.ndarray:
    out = np.empty((n, DIM), dtype=np.float32)
    for b, s in enumerate(range(0, n, BLOCK)):
        e = min(n, s + BLOCK)
        out[s:e] = np.random.default_rng([seed, b]).standard_normal((e - s, DIM), dtype=np.float32)
    return out


def mixture(n: int, seed: int, n_centers: int = 1000) -> np.ndarray:
    centers = np.random.default_rng([seed, 10**6]).standard_normal((n_centers, DIM), dtype=np.float32)
    out = gaussian(n, seed)
    for b, s in enumerate(range(0, n, BLOCK)):
        e = min(n, s + BLOCK)
        out[s:e] += centers[np.random.default_rng([seed, 2 * 10**6 + b]).integers(0, n_centers, e - s)]
    return out


def nn_similarity(vectors: np.ndarray, rows: np.ndarray) -> tuple[float, float]:
    """Median cosine similarity of the 1st and 10th nearest neighbour of ``rows`` (self excluded)."""
    es = EmbeddingSet([str(i) for i in range(len(vectors))], vectors, name="probe", copy=False)
    sims = []
    for s in range(0, len(rows), 100):
        r = rows[s:s + 100]
        sims.append(top_k(es, vectors[r], k=10, exclude=[[i] for i in r])[1])
    sims = np.concatenate(sims)
    return float(np.median(sims[:, 0])), float(np.median(sims[:, 9]))


def calibrate(n: int, base, seed: int, probes: int = 200, steps: int = 8) -> tuple[float, dict]:
    real = base[1]
    rng = np.random.default_rng([seed, 3 * 10**6])
    target = nn_similarity(real, rng.choice(len(real), probes, replace=False))
    lo, hi = 0.0, 2.0
    probe_rows = rng.choice(np.arange(len(real), n), probes, replace=False)
    got = None
    for _ in range(steps):
        mid = (lo + hi) / 2
        got = nn_similarity(realistic(n, mid, base, seed), probe_rows)
        print(f"  calibrating: sigma {mid:.4f} -> 10th-neighbour similarity {got[1]:.3f} (target {target[1]:.3f})",
              flush=True)
        if got[1] > target[1]:
            lo = mid
        else:
            hi = mid
    sigma = (lo + hi) / 2
    got = nn_similarity(realistic(n, sigma, base, seed), probe_rows)
    return sigma, {"real_nn1": target[0], "real_nn10": target[1], "gen_nn1": got[0], "gen_nn10": got[1]}


def make_set(kind: str, n: int, seed: int, folder: Path) -> tuple[EmbeddingSet, dict]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ann_{kind}_{n}x{DIM}_seed{seed}.npy"
    side = path.with_suffix(".json")
    info: dict = {}
    base = real_base() if kind == "realistic" else None
    if path.exists() and side.exists():
        vectors = np.load(path, allow_pickle=False)
        info = json.loads(side.read_text())
    else:
        t = time.perf_counter()
        if kind == "realistic":
            sigma, info = calibrate(n, base, seed)
            info["sigma"] = sigma
            vectors = realistic(n, sigma, base, seed)
        elif kind == "gaussian":
            vectors = gaussian(n, seed)
        else:
            vectors = mixture(n, seed)
        info["generate_s"] = time.perf_counter() - t
        np.save(path, vectors, allow_pickle=False)
        side.write_text(json.dumps(info))
    tokens = realistic_tokens(n, base) if kind == "realistic" else [f"w{i}" for i in range(n)]
    info["n_real"] = min(n, len(base[0])) if base else 0
    return EmbeddingSet(tokens, vectors, name=f"{kind}-{n}", copy=False), info


# -- measurements --------------------------------------------------------------------------------
def exact_top10(es: EmbeddingSet, rows: np.ndarray) -> np.ndarray:
    out = []
    for s in range(0, len(rows), 100):
        r = rows[s:s + 100]
        out.append(top_k(es, es.vectors[r], k=10, exclude=[[i] for i in r])[0])
    return np.concatenate(out)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return sum(len(set(a.tolist()) & set(b.tolist())) for a, b in zip(found, truth)) / truth.size


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
        registry = IndexRegistry(threshold=1, budget=2**62, max_attempts=1, n_neighbors=args.n_neighbors,
                                 seed=args.seed, diversify_prob=args.diversify_prob,
                                 pruning_degree_multiplier=args.pruning)
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
