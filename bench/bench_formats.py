"""Benchmark: reading word2vec text and binary files with embedlab vs gensim.

Run by hand:  python bench/bench_formats.py [--rows N --dim D] [--big] [--repeat R]

Generates a word2vec text file (default 200,000 x 300; ``--big`` for 1,000,000 x 300) and the
same vectors in binary, then times ``embedlab.io.formats.read_vectors`` and gensim's
``KeyedVectors.load_word2vec_format`` on both, each read in a fresh subprocess so that the
peak resident memory during the read (RSS sampled every 2 ms, minus the RSS before it) can be
compared with the final array's size. Prints medians
and ratios. Values are written with 6 decimals (like fastText .vec files); to keep generation
fast, 4,096 distinct value rows are reused under unique tokens (parsing work is the same).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import numpy as np
which, path, binary = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if which == "embedlab":
    import pandas  # imported up front so the measured reading excludes import time
    from embedlab.io.formats import read_vectors
else:
    from gensim.models import KeyedVectors
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()
import threading
before = rss()
peak = [before]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.002)
th = threading.Thread(target=sample, daemon=True)
th.start()
t = time.perf_counter()
if which == "embedlab":
    es = read_vectors(path)
    shape, nbytes = es.vectors.shape, es.vectors.nbytes
else:
    kv = KeyedVectors.load_word2vec_format(path, binary=binary)
    shape, nbytes = kv.vectors.shape, kv.vectors.nbytes
secs = time.perf_counter() - t
done.set()
th.join()
peak[0] = max(peak[0], rss())
print(json.dumps({{"secs": secs, "peak_extra": peak[0] - before, "nbytes": nbytes, "shape": list(shape)}}))
"""


def generate(text_path: Path, bin_path: Path, rows: int, dim: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    pool = (rng.standard_normal((4096, dim)) * 0.3).round(6).astype(np.float32)
    pool_text = [" ".join("%.6f" % x for x in row) for row in pool.tolist()]
    pool_bin = [row.astype("<f4").tobytes() for row in pool]
    with open(text_path, "w", encoding="utf-8") as ft, open(bin_path, "wb") as fb:
        ft.write(f"{rows} {dim}\n")
        fb.write(f"{rows} {dim}\n".encode())
        step = 20_000
        for s in range(0, rows, step):
            ids = range(s, min(rows, s + step))
            ft.write("".join(f"w{i} {pool_text[i % 4096]}\n" for i in ids))
            fb.write(b"".join(f"w{i} ".encode() + pool_bin[i % 4096] + b"\n" for i in ids))


def run(which: str, path: Path, binary: bool) -> dict:
    code = _CHILD.format(root=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, which, str(path), "1" if binary else "0"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--big", action="store_true", help="1,000,000 x 300")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    ap.add_argument("--gensim-text-repeat", type=int, default=1,
                    help="runs of gensim's slow text reader (default 1)")
    ap.add_argument("--dir", default=None, help="folder for the generated files (default: a temp folder)")
    ap.add_argument("--only", choices=["text", "binary"], default=None, help="time one kind of file only")
    ap.add_argument("--no-gensim", action="store_true", help="time embedlab only (e.g. to compare its memory)")
    args = ap.parse_args()
    rows, dim = (1_000_000, 300) if args.big else (args.rows, args.dim)

    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="embedlab-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    tp, bp = folder / f"w2v_{rows}x{dim}.txt", folder / f"w2v_{rows}x{dim}.bin"
    if not (tp.exists() and bp.exists()):
        t = time.perf_counter()
        generate(tp, bp, rows, dim)
        print(f"generated {tp.name} ({tp.stat().st_size / 1e9:.2f} GB) and {bp.name} "
              f"({bp.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t:.0f} s", flush=True)

    results = {}
    plan = [("text", tp, False, "embedlab", args.repeat), ("text", tp, False, "gensim", args.gensim_text_repeat),
            ("binary", bp, True, "embedlab", args.repeat), ("binary", bp, True, "gensim", args.repeat)]
    plan = [p for p in plan if args.only in (None, p[0]) and not (args.no_gensim and p[3] == "gensim")]
    for kind, path, binary, which, reps in plan:
        runs = []
        for _ in range(max(1, reps)):
            runs.append(run(which, path, binary))
            print(f"  {kind:6s} {which:8s} {runs[-1]['secs']:8.2f} s  peak +{runs[-1]['peak_extra'] / 1e6:8.0f} MB",
                  flush=True)
        results[(kind, which)] = runs

    kinds = [k for k in ("text", "binary") if (k, "embedlab") in results]
    nbytes = results[(kinds[0], "embedlab")][0]["nbytes"]
    print()
    print(f"word2vec {rows:,} x {dim}: final float32 array {nbytes / 1e6:,.0f} MB; "
          f"{os.cpu_count()} cores; medians of {args.repeat} runs (gensim text: {args.gensim_text_repeat})")
    print(f"{'file':8s} {'reader':9s} {'time s':>9s} {'peak extra MB':>14s} {'peak/array':>11s} {'gensim/embedlab':>16s}")
    for kind in kinds:
        ref = statistics.median(r["secs"] for r in results[(kind, "gensim")]) if not args.no_gensim else None
        for which in ("embedlab",) if args.no_gensim else ("embedlab", "gensim"):
            rs = results[(kind, which)]
            secs = statistics.median(r["secs"] for r in rs)
            peak = statistics.median(r["peak_extra"] for r in rs)
            ratio = f"{ref / secs:15.1f}x" if which == "embedlab" and ref else ""
            print(f"{kind:8s} {which:9s} {secs:9.2f} {peak / 1e6:14,.0f} {peak / nbytes:11.2f} {ratio:>16s}")


if __name__ == "__main__":
    main()
