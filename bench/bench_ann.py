"""Benchmark: embedlab's faiss index against faiss (IVF, HNSW direct), hnswlib and pynndescent.

Run by hand:  python bench/bench_ann.py [--n 200000] [--data realistic|gaussian|mixture]
              python bench/bench_ann.py --serve [--n ...]      (a server process's memory, eviction)

On one float32 set of ``--n`` rows x 300 dims (made by ``ann_data.py``: the MiniLM-grown
"realistic" set, Gaussian clusters "mixture", or isotropic "gaussian"; cached as .npy), for each
method: build wall seconds, extra peak RSS and extra RSS kept once built (both in this process),
recall@10 against exact ``top_k`` on ``--recall-queries`` random rows (self excluded, as the app),
and the median ms of one top-10 query over ``--latency-queries`` rows, methods round-robin:

  embedlab     ``FaissIndex.build`` (the registry's index: 4-bit PQ fast-scan codes of the unit
               rows, ~dim/3 sub-vectors, candidates re-ranked exactly from the set's rows, the
               re-ranking depth measured on the set), queried through ``FaissIndex.query``; also
               its reload from the saved file and recall at the depths of ``--reranks``
  faiss IVF    ``FaissIndex.build(kind="ivf-flat")``: the index of before (IVF-Flat on unit
               vectors, nlist 4 sqrt(n), k-means on 40 sample rows a list, 10 iterations, nprobe
               measured on the set; the build time includes that measurement)
  faiss HNSW   ``IndexHNSWFlat(d, --hnsw-m)`` inner product, efConstruction 40, efSearch ``--ef-search``
  hnswlib      ``hnswlib.Index("ip")`` M 16, ef_construction 100, ef 64 ("not installed" if absent)
  pynndescent  ``nndescent_index.ApproximateIndex`` (bench/: the app's former index; numba warm-up timed apart)
  exact        ``embedlab.core.search.top_k`` (recall 1 by definition)

``--serve`` runs what a server does with a large upload, in a fresh process: store the set's array
in the cache folder and memory-map it (``store_mapped``), read its saved faiss index, answer ``--latency-queries`` neighbour queries, and print RSS (anonymous
and file-backed) against the array's size; then hand set and index to an ``IndexRegistry`` with a
byte budget, share one more set so the first is the least recently used one beyond the budget,
and print RSS before and after that eviction. The load average is printed first and last.
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
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

from ann_data import exact_top10, load_text, make_set, peak, recall, reset_peak, rss  # noqa: E402
from embedlab import EmbeddingSet  # noqa: E402
from embedlab.core.search import top_k  # noqa: E402
from embedlab.io.mapped import store_mapped  # noqa: E402
from embedlab.runtime import faiss_index  # noqa: E402
from embedlab.runtime.faiss_index import FaissIndex  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)
REFERENCE = """reference (issue 13, measured on this machine before: 200k x 300; 1M x 300 Gaussian clusters)
  200k  faiss IVF-Flat 14.7 s, +0.25 GB, recall@10 0.98, 0.05 ms/query; hnswlib 13.5 s, recall 0.955
  1M    pynndescent 242 s + 30 s JIT, +3.5 GB peak, recall 0.9998; faiss HNSW 119 s, +1.4 GB, 0.953, 0.10 ms;
        faiss IVF 148 s, +1.6 GB, 0.994, 0.12 ms (nprobe 4); hnswlib 96 s, 0.96, 0.43 ms"""


def unit_copy(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for s in range(0, len(x), 65536):
        blk = np.array(x[s:s + 65536], dtype=np.float32)
        blk /= np.maximum(np.linalg.norm(blk, axis=1, keepdims=True), 1e-30)
        out[s:s + 65536] = blk
    return out


def strip_self(ids: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.stack([[i for i in f if i != r][:10] for f, r in zip(ids, rows)])


# -- the methods: build(es) -> object, query(object, q (m, d), rows) -> (m, 10) ids ------------------
def embedlab_build(es, args):
    return FaissIndex.build(es, reuse=False)


def embedlab_query(ix, q, rows):
    return ix.query(q, k=10, exclude=[[int(r)] for r in rows])[0]


def faiss_ivf_build(es, args):
    return FaissIndex.build(es, kind="ivf-flat", nprobe=args.nprobe, save=False)


def faiss_hnsw_build(es, args):
    import faiss

    ix = faiss.IndexHNSWFlat(es.dim, args.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    ix.hnsw.efConstruction = 40
    for s in range(0, len(es), 65536):
        ix.add(unit_copy(es.vectors[s:s + 65536]))
    ix.hnsw.efSearch = args.ef_search
    return ix


def faiss_query(ix, q, rows):
    return strip_self(ix.search(unit_copy(q), 11)[1], rows)


def hnswlib_build(es, args):
    import hnswlib

    ix = hnswlib.Index(space="ip", dim=es.dim)
    ix.init_index(max_elements=len(es), M=16, ef_construction=100, random_seed=0)
    for s in range(0, len(es), 65536):
        ix.add_items(unit_copy(es.vectors[s:s + 65536]), np.arange(s, min(len(es), s + 65536)),
                     num_threads=faiss_index.thread_count())
    ix.set_ef(64)
    return ix


def hnswlib_query(ix, q, rows):
    return strip_self(ix.knn_query(unit_copy(q), k=11, num_threads=1)[0].astype(np.int64), rows)


def nnd_build(es, args):
    from nndescent_index import ApproximateIndex

    return ApproximateIndex(es)


METHODS = {"embedlab": (embedlab_build, embedlab_query), "faiss-ivf": (faiss_ivf_build, embedlab_query),
           "faiss-hnsw": (faiss_hnsw_build, faiss_query), "hnswlib": (hnswlib_build, hnswlib_query),
           "pynndescent": (nnd_build, embedlab_query)}


def compare(args) -> None:
    import faiss

    faiss.omp_set_num_threads(faiss_index.thread_count())
    folder = Path(args.dir) if args.dir else Path(tempfile.gettempdir()) / "embedlab-bench-ann"
    t = time.perf_counter()
    es, info = make_set(args.data, args.n, args.seed, folder)
    print(f"{es!r} ready in {time.perf_counter() - t:.0f} s; params {faiss_index.build_params(es)}", flush=True)
    rng = np.random.default_rng([args.seed, 4 * 10**6])
    rows = np.sort(rng.choice(len(es), min(args.recall_queries, len(es)), replace=False))
    lat_rows = rng.choice(len(es), args.latency_queries, replace=False)
    t = time.perf_counter()
    truth = exact_top10(es, rows)
    print(f"exact ground truth for {len(rows)} queries in {time.perf_counter() - t:.0f} s", flush=True)
    results, built = {}, {}
    for name in args.methods.split(","):
        build_fn, query_fn = METHODS[name]
        if name == "hnswlib" and importlib.util.find_spec("hnswlib") is None:
            results[name] = "not installed"
            continue
        extra = ""
        if name == "pynndescent":            # numba compiles once per process: timed apart
            from nndescent_index import ApproximateIndex

            t = time.perf_counter()
            tiny = es.subset(2000, name="tiny")
            ApproximateIndex(tiny).query(tiny.vectors[:2], k=10, exclude=[[0], [1]])
            extra = f" + {time.perf_counter() - t:.0f} s JIT"
        gc.collect()
        before, has_peak = rss(), reset_peak()
        t = time.perf_counter()
        obj = build_fn(es, args)
        wall = time.perf_counter() - t
        peak_extra = peak() - before if has_peak else float("nan")
        kept = rss() - before
        found = query_fn(obj, es.vectors[rows], rows)
        r = recall(found, truth)
        if name == "embedlab":
            t = time.perf_counter()
            FaissIndex.load(es, obj.path, obj.params)
            extra = (f"; reload {time.perf_counter() - t:.2f} s ({obj.path.stat().st_size / 1e9:.3f} GB file); "
                     f"re-rank depth {obj.rerank} measured (calibration recall {obj.recall:.3f}); "
                     f"index {obj.nbytes / 1e6:.0f} MB")
            for depth in (int(p) for p in args.reranks.split(",") if p):
                rec = recall(obj.query(es.vectors[rows], k=10, exclude=[[int(x)] for x in rows], rerank=depth)[0],
                             truth)
                extra += f"; depth {depth}: recall {rec:.4f}"
        if name == "faiss-ivf":
            extra = f"; nprobe {obj.nprobe} of {obj.params['nlist']} lists"
        if name == "faiss-hnsw":
            extra = f"; M {args.hnsw_m}, efConstruction 40, efSearch {args.ef_search}"
        results[name] = dict(wall=wall, peak=peak_extra, kept=kept, recall=r, extra=extra)
        built[name] = (obj, query_fn)
        print(f"  {name}: {wall:.1f} s{extra}, peak +{peak_extra / 1e9:.2f} GB, kept +{kept / 1e9:.2f} GB, "
              f"recall@10 {r:.4f} (load {load_text()})", flush=True)
    # one query at a time, round-robin
    times = {name: [] for name in built} | {"exact": []}
    for r in lat_rows:
        r = int(r)
        q = es.vectors[r][None]
        for name, (obj, query_fn) in built.items():
            t = time.perf_counter()
            query_fn(obj, q, np.array([r]))
            times[name].append(time.perf_counter() - t)
        t = time.perf_counter()
        top_k(es, q, k=10, exclude=[[r]])
        times["exact"].append(time.perf_counter() - t)
    results["exact"] = dict(wall=0.0, peak=float("nan"), kept=float("nan"), recall=1.0, extra=" (unit vectors)")
    print(f"\n{args.data} {len(es):,} x {es.dim}; load average {load_text()} on {os.cpu_count()} cores; "
          f"faiss threads {faiss_index.thread_count()}; {len(rows)} recall queries, {len(lat_rows)} latency queries")
    print(f"{'method':<13}{'build s':>9}{'peak GB':>9}{'kept GB':>9}{'recall@10':>11}{'ms/query':>10}  notes")
    for name, res in results.items():
        if isinstance(res, str):
            print(f"{name:<13}{res:>9}")
            continue
        ms = statistics.median(times[name]) * 1000 if times.get(name) else float("nan")
        print(f"{name:<13}{res['wall']:>9.1f}{res['peak'] / 1e9:>9.2f}{res['kept'] / 1e9:>9.2f}{res['recall']:>11.4f}"
              f"{ms:>10.3f}  {res['extra'].lstrip(' ;+')}")
    print(f"(array {es.vectors.nbytes / 1e9:.2f} GB)\n{REFERENCE}")


# -- a server's memory --------------------------------------------------------------------------------
def rss_parts() -> dict:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key = line.split(":")[0]
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[key] = int(line.split()[1]) * 1024
    return out


_FRESH: dict = {}


def show(label: str, array_bytes: int) -> dict:
    p = rss_parts()
    _FRESH.setdefault("rss", p["VmRSS"])   # the first call: python + numpy, before any set
    grown = (p["VmRSS"] - _FRESH["rss"]) / array_bytes
    print(f"  {label}: RSS {p['VmRSS'] / 1e9:.2f} GB = {p['VmRSS'] / array_bytes:.2f}x the array, "
          f"{grown:.2f}x above the fresh process (anonymous {p['RssAnon'] / 1e9:.2f} GB, "
          f"file-backed {p['RssFile'] / 1e9:.2f} GB)", flush=True)
    return p


def serve(args) -> None:
    from embedlab.runtime.registry import IndexRegistry

    folder = Path(args.dir) if args.dir else Path(tempfile.gettempdir()) / "embedlab-bench-ann"
    show("fresh process", 1)
    t = time.perf_counter()
    import faiss  # noqa: F401 - its import (~1 s) is not the index's reload
    print(f"  import faiss {time.perf_counter() - t:.1f} s")
    src, _ = make_set(args.data, args.n, args.seed, folder)     # in memory, as a reader leaves an upload
    size = src.vectors.nbytes
    t = time.perf_counter()
    es = store_mapped(src, min_bytes=0)          # what the sidebar does with a large upload
    del src
    gc.collect()
    print(f"{es!r}: array {size / 1e9:.2f} GB stored in the cache folder and memory-mapped in "
          f"{time.perf_counter() - t:.1f} s")
    show("set mapped", size)
    t = time.perf_counter()
    index = faiss_index.build_in_own_process(es)          # as the registry: built elsewhere, read back here
    print(f"  index {'read back' if index.loaded else 'built in its own process and read back'} in "
          f"{time.perf_counter() - t:.2f} s ({index.nbytes / 1e9:.3f} GB, re-rank depth {index.rerank})", flush=True)
    show("index read", size)
    rng = np.random.default_rng(5)
    t = time.perf_counter()
    for r in rng.choice(len(es), args.latency_queries, replace=False):
        es.neighbors(es.tokens[int(r)], 10, index=index)
    print(f"  {args.latency_queries} neighbour queries in {time.perf_counter() - t:.1f} s; "
          f"unit vectors made: {'unit' in vars(es)}")
    show("serving", size)
    handed = [index]                                     # the registry's build hands this one over
    reg = IndexRegistry(threshold=1, budget=size + index.nbytes + 2**20, build=lambda s: handed.pop())
    reg.share(es)
    reg.request(es).join()
    del index, es
    gc.collect()
    before = show("registry holds set + index (nothing else does)", size)
    other = EmbeddingSet([f"x{i}" for i in range(2000)], rng.normal(size=(2000, 300)), name="another")
    reg.share(other)                                     # over the budget: the older set and its index go
    gc.collect()
    after = show("after the eviction", size)
    print(f"  eviction gave back {(before['VmRSS'] - after['VmRSS']) / 1e9:.2f} GB of RSS; registry holds "
          f"{reg.nbytes / 1e6:.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--data", choices=["realistic", "gaussian", "mixture"], default="realistic")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--nprobe", type=int, default=faiss_index.NPROBE)
    ap.add_argument("--reranks", default="200,500,2000", help="more re-ranking depths measured on embedlab's index")
    ap.add_argument("--hnsw-m", type=int, default=32)
    ap.add_argument("--ef-search", type=int, default=256)
    ap.add_argument("--recall-queries", type=int, default=1000)
    ap.add_argument("--latency-queries", type=int, default=300)
    ap.add_argument("--dir", default=None, help="cache folder for generated sets")
    ap.add_argument("--serve", action="store_true", help="a server process's memory and an eviction")
    args = ap.parse_args()
    print(f"load average {load_text()} on {os.cpu_count()} cores", flush=True)
    serve(args) if args.serve else compare(args)
    print(f"load average {load_text()} on {os.cpu_count()} cores; process peak {peak() / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
