"""Benchmark: which faiss index for the registry? Build time, memory and query time at recall@10 >= 0.95.

Run by hand (one timed run at a time, under the team's lock):
    flock /work/bench.lock python bench/bench_index_choice.py --n 200000 --data realistic \
        --methods hnsw16-40,hnswsq16-40,pqfs100,ivfpqfs

For each method: the index is built with faiss on 2 threads (``faiss.omp_set_num_threads``; the
count is read back and printed), then every setting of its search parameter (HNSW ``efSearch``,
IVF ``nprobe``) and re-ranking depth ``R`` is tried on ``--recall-queries`` rows of the set (self
excluded); recall@10 is against exact search. Methods with ``R`` re-rank their ``R`` best
candidates exactly from the set's own rows (cosine of the float32 rows: what
``embedlab.runtime.faiss_index`` does with the memory-mapped ``.npy``), so the index needs no
copy of the vectors. For the cheapest setting reaching ``--target`` the median time of one query
(1 thread, ``--latency-queries`` rows) is printed beside exact search's in the same run
(``embedlab.core.search.top_k`` on the set).

Methods (name: faiss index; its search grid):
  hnsw<M>-<efC>     IndexHNSWFlat(M), efConstruction efC, own float vectors;   efSearch 32..1024
  hnswsq<M>-<efC>   IndexHNSWSQ(8 bit, M) + exact re-rank of R;                   efSearch x R
  pqfs<m>           IndexPQFastScan(m x 4 bit) over all rows + exact re-rank of R;   R
  ivfpqfs           IVF(4 sqrt n, HNSW coarse quantizer) + PQ fast scan (100 x 4 bit) + re-rank;  nprobe x R
  ivfhnsw           IVF(4 sqrt n, HNSW coarse quantizer), flat lists;  nprobe
  calib             the current IVF-Flat's nprobe calibration alone (embedlab.runtime.faiss_index)
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ann_data import exact_top10, load_text, make_set, recall, rss  # noqa: E402
from embedlab.core.linalg import unit_rows  # noqa: E402
from embedlab.core.search import top_k  # noqa: E402

BLOCK = 65_536


def unit_blocks(x):
    for s in range(0, len(x), BLOCK):
        yield s, unit_rows(np.asarray(x[s:s + BLOCK], dtype=np.float32))


def rerank(vectors, q, cand, k=10):
    """Exact cosine re-rank of candidate rows ``cand`` (m, R) for unit queries ``q``."""
    out = np.empty((len(q), k), dtype=np.int64)
    for i in range(len(q)):
        c = cand[i][cand[i] >= 0]
        rows = np.asarray(vectors[np.sort(c)], dtype=np.float32)
        s = rows @ q[i] / np.maximum(np.linalg.norm(rows, axis=1), 1e-30)
        top = np.argsort(-s, kind="stable")[:k]
        out[i] = np.sort(c)[top]
    return out


def drop_self(ids, rows, k=10):
    return np.stack([[i for i in f if i != r][:k] for f, r in zip(ids, rows)])


def build(name, es, args):
    import faiss

    d, n = es.dim, len(es)
    nlist = max(1, min(round(4 * np.sqrt(n)), n // 39))
    if name.startswith("hnswsq"):
        m, efc = (int(v) for v in name[6:].split("-"))
        ix = faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, m, faiss.METRIC_INNER_PRODUCT)
        ix.hnsw.efConstruction = efc
        sample = np.random.default_rng(0).choice(n, min(n, 100_000), replace=False)
        ix.train(unit_rows(np.asarray(es.vectors[np.sort(sample)], dtype=np.float32)))
        for _, blk in unit_blocks(es.vectors):
            ix.add(blk)
        return ix
    if name.startswith("hnsw"):
        m, efc = (int(v) for v in name[4:].split("-"))
        ix = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
        ix.hnsw.efConstruction = efc
        for _, blk in unit_blocks(es.vectors):
            ix.add(blk)
        return ix
    if name.startswith("pqfs"):
        m = int(name[4:])
        ix = faiss.IndexPQFastScan(d, m, 4, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(n, min(n, 65_536), replace=False)
        ix.train(unit_rows(np.asarray(es.vectors[np.sort(sample)], dtype=np.float32)))
        for _, blk in unit_blocks(es.vectors):
            ix.add(blk)
        return ix
    if name in ("ivfpqfs", "ivfhnsw"):
        quant = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
        if name == "ivfpqfs":
            ix = faiss.IndexIVFPQFastScan(quant, d, nlist, 100, 4, faiss.METRIC_INNER_PRODUCT)
        else:
            ix = faiss.IndexIVFFlat(quant, d, nlist, faiss.METRIC_INNER_PRODUCT)
        ix.cp.niter = 10
        sample = np.random.default_rng(0).choice(n, min(n, 40 * nlist), replace=False)
        ix.train(unit_rows(np.asarray(es.vectors[np.sort(sample)], dtype=np.float32)))
        for _, blk in unit_blocks(es.vectors):
            ix.add(blk)
        return ix
    if name == "calib":         # the IVF-Flat of before: built with a fixed nprobe, then calibrated apart
        from embedlab.runtime.faiss_index import FaissIndex, calibrate_nprobe

        ix = FaissIndex.build(es, kind="ivf-flat", reuse=False, save=False, nprobe=1)
        t = time.perf_counter()
        ix.nprobe = calibrate_nprobe(ix._index, es.vectors)
        ix.calibration_s = time.perf_counter() - t
        return ix
    raise SystemExit(f"unknown method {name}")


def grid(name):
    """(label, search params kwargs, R or None) settings, cheapest first within each R."""
    import faiss

    if name.startswith("hnswsq"):
        return [(f"ef {ef} R {r}", faiss.SearchParametersHNSW(efSearch=max(ef, r)), r)
                for r in (50, 100, 200) for ef in (32, 64, 128, 256, 512)]
    if name.startswith("hnsw"):
        return [(f"ef {ef}", faiss.SearchParametersHNSW(efSearch=ef), None) for ef in (32, 64, 128, 256, 512, 1024)]
    if name.startswith("pqfs"):
        return [(f"R {r}", None, r) for r in (100, 200, 500, 1000, 2000, 4000)]
    if name == "ivfpqfs":
        return [(f"nprobe {p} R {r}", faiss.SearchParametersIVF(nprobe=p), r)
                for r in (100, 300, 1000) for p in (16, 64, 256, 1024)]
    if name == "ivfhnsw":
        return [(f"nprobe {p}", faiss.SearchParametersIVF(nprobe=p), None) for p in (64, 256, 1024, 2048)]
    return []


def search(ix, es, q, rows, params, r):
    want = (r or 10) + 1
    _, ids = ix.search(q, want, params=params) if params is not None else ix.search(q, want)
    if r:
        ids = rerank(es.vectors, q, ids, k=11)
    return drop_self(ids, rows)


def main():
    import faiss

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--data", default="realistic")
    ap.add_argument("--methods", default="hnsw16-40,hnswsq16-40,pqfs100,ivfpqfs")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--target", type=float, default=0.95)
    ap.add_argument("--recall-queries", type=int, default=500)
    ap.add_argument("--latency-queries", type=int, default=200)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    print(f"load average {load_text()} on {os.cpu_count()} cores", flush=True)
    folder = Path(args.dir) if args.dir else Path(tempfile.gettempdir()) / "embedlab-bench-ann"
    es, _ = make_set(args.data, args.n, 0, folder, mmap=True)
    rng = np.random.default_rng([0, 4 * 10**6])
    rows = np.sort(rng.choice(len(es), args.recall_queries, replace=False))
    lat = rng.choice(len(es), args.latency_queries, replace=False)
    t = time.perf_counter()
    truth = exact_top10(es, rows)
    print(f"{args.data} {len(es):,} x {es.dim}; truth in {time.perf_counter() - t:.0f} s", flush=True)
    q_all = unit_rows(np.asarray(es.vectors[rows], dtype=np.float32))
    exact_t = []
    for r in lat[:50]:
        t = time.perf_counter()
        top_k(es, np.asarray(es.vectors[int(r)])[None], k=10, exclude=[[int(r)]])
        exact_t.append(time.perf_counter() - t)
    exact_ms = statistics.median(exact_t) * 1e3
    print(f"exact top_k: {exact_ms:.1f} ms/query (median of 50)", flush=True)
    for name in args.methods.split(","):
        faiss.omp_set_num_threads(args.threads)
        before = rss()
        t = time.perf_counter()
        ix = build(name, es, args)
        wall = time.perf_counter() - t
        kept = rss() - before
        if name == "calib":
            print(f"  calib: IVF-Flat build {wall - ix.calibration_s:.1f} s + calibration {ix.calibration_s:.1f} s: "
                  f"nprobe {ix.nprobe} of "
                  f"{ix.params['nlist']} (load {load_text()})", flush=True)
            continue
        print(f"  {name}: build {wall:.1f} s on {faiss.omp_get_max_threads()} threads, kept +{kept / 1e9:.2f} GB "
              f"(load {load_text()})", flush=True)
        best = None
        for label, params, r in grid(name):
            t = time.perf_counter()
            rec = recall(search(ix, es, q_all, rows, params, r), truth)
            batch = (time.perf_counter() - t) / len(rows) * 1e3
            print(f"     {label:<20} recall@10 {rec:.4f}  batch {batch:.2f} ms/query", flush=True)
            if rec >= args.target:
                faiss.omp_set_num_threads(1)
                ts = []
                for row in lat:
                    row = int(row)
                    q = unit_rows(np.asarray(es.vectors[row], dtype=np.float32)[None])
                    t = time.perf_counter()
                    search(ix, es, q, np.array([row]), params, r)
                    ts.append(time.perf_counter() - t)
                faiss.omp_set_num_threads(args.threads)
                ms = statistics.median(ts) * 1e3
                print(f"       -> 1 query {ms:.2f} ms (exact {exact_ms:.1f} ms: {exact_ms / ms:.1f}x faster)",
                      flush=True)
                if best is None or ms < best[1]:
                    best = (label, ms, rec)
                if r is None or r == 200 or r == 2000 or r == 1000:
                    pass
        print(f"  {name} BEST: build {wall:.1f} s; {best} (load {load_text()})", flush=True)
        del ix
    print(f"load average {load_text()}")


if __name__ == "__main__":
    main()
