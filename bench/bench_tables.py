"""Reading a Parquet / Arrow table beside word2vec binary and .npy (issue 13 item 3): wall time and peak memory.

Run by hand:   ``python bench/bench_tables.py``            (1,000,000 x 300)
   a quick try: ``python bench/bench_tables.py --n 100000``

Writes, into a temporary folder (deleted at the end), the same ``n x dim`` float32 array (seeded Gaussian
values; tokens ``w0``, ``w1``...) as: Parquet with a fixed-size float32 list column (``parquet-fixed``),
Parquet with a variable-length float64 list column (``parquet-list64``, what pandas writes from a column of
Python lists), an Arrow IPC / Feather file (``feather``), word2vec binary (``bin``, the reference: the
smallest text-free vector format EmbedLab had) and ``.npy`` + vocabulary (``npy``). Each file is read by
``embedlab.io.formats.read_vectors`` in a fresh Python process (so imports and allocator state are the
same for every side), which reports the read's wall time and its peak RSS above the RSS before the read
(``VmHWM`` after minus ``VmRSS`` before; the page cache of the file is not counted). Printed: per format the
file size, seconds, the peak extra memory in MB, that peak / the array's bytes, and time / binary's time.
All sides are measured in the same run, one after the other.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_CHILD = """
import json, sys, time
import pandas, pyarrow, pyarrow.parquet  # imported before the measurement (the app has them loaded)
import embedlab.io.formats as f

def status():
    out = {}
    for line in open("/proc/self/status"):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM", "RssAnon"):
            out[k] = int(v.split()[0]) / 1024
    return out

import threading
anon = {"peak": 0.0, "run": True}

def sample():       # anonymous memory (the process's own, not the page cache of a memory-mapped file)
    while anon["run"]:
        anon["peak"] = max(anon["peak"], status()["RssAnon"])
        time.sleep(0.005)

before = status()
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
t0 = time.perf_counter()
es = f.read_vectors(sys.argv[1], **json.loads(sys.argv[2]))
dt = time.perf_counter() - t0
anon["run"] = False
sampler.join()
after = status()
print(json.dumps({"seconds": dt, "peak_extra_mb": after["VmHWM"] - before["VmRSS"],
                  "anon_peak_mb": anon["peak"] - before["RssAnon"], "kept_mb": after["RssAnon"] - before["RssAnon"],
                  "rows": len(es), "dim": es.dim}))
"""


def write_files(folder: Path, n: int, dim: int) -> dict[str, tuple[Path, dict]]:
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    from embedlab import EmbeddingSet
    from embedlab.io.formats import write_npy, write_vectors

    rng = np.random.default_rng(0)
    vecs = np.empty((n, dim), dtype=np.float32)
    for s in range(0, n, 100_000):
        vecs[s:s + 100_000] = rng.standard_normal((min(100_000, n - s), dim), dtype=np.float32)
    es = EmbeddingSet([f"w{i}" for i in range(n)], vecs, copy=False)
    out: dict[str, tuple[Path, dict]] = {}
    out["bin"] = (write_vectors(es, folder / "v.bin")[0], {})
    npy, vocab = write_npy(es, folder / "v.npy", folder / "v.vocab.txt")
    out["npy"] = (npy, {})
    out["parquet-fixed"] = (write_vectors(es, folder / "v.parquet")[0], {})
    out["feather"] = (write_vectors(es, folder / "v.feather")[0], {})
    # pandas' way: a column of variable-length float64 lists, written in row groups of 100,000 rows
    path = folder / "v_list64.parquet"
    with pq.ParquetWriter(path, pa.schema([("token", pa.string()), ("embedding", pa.list_(pa.float64()))])) as w:
        for s in range(0, n, 100_000):
            block = vecs[s:s + 100_000].astype(np.float64)
            lists = pa.ListArray.from_arrays(pa.array(np.arange(0, block.size + 1, dim, dtype=np.int32)),
                                             pa.array(block.ravel()))
            w.write_table(pa.table({"token": es.tokens[s:s + 100_000], "embedding": lists}))
    out["parquet-list64"] = (path, {})
    del feather
    return out


def measure(path: Path, options: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), json.dumps(options)], capture_output=True,
                          text=True, cwd=ROOT, timeout=1800)
    if proc.returncode:
        raise SystemExit(f"{path.name}: {proc.stderr.strip().splitlines()[-1]}")
    return json.loads(proc.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="rows (default 1,000,000)")
    ap.add_argument("--dim", type=int, default=300, help="dimensions (default 300)")
    args = ap.parse_args()
    array_mb = args.n * args.dim * 4 / 2**20
    with tempfile.TemporaryDirectory(prefix="embedlab-bench-tables-") as folder:
        t0 = time.perf_counter()
        files = write_files(Path(folder), args.n, args.dim)
        print(f"wrote {len(files)} files of {args.n:,} x {args.dim} in {time.perf_counter() - t0:.1f} s; "
              f"the float32 array is {array_mb:,.0f} MB")
        results = {name: measure(path, opts) | {"size_mb": path.stat().st_size / 2**20}
                   for name, (path, opts) in files.items()}
    ref = results["bin"]["seconds"]
    print(f"\n{'format':<16}{'file MB':>9}{'seconds':>9}{'RSS peak / array':>18}{'anon peak / array':>19}"
          f"{'kept / array':>14}{'time / bin':>12}")
    for name, r in results.items():
        assert r["rows"] == args.n and r["dim"] == args.dim
        print(f"{name:<16}{r['size_mb']:>9,.0f}{r['seconds']:>9.2f}{r['peak_extra_mb'] / array_mb:>18.2f}"
              f"{r['anon_peak_mb'] / array_mb:>19.2f}{r['kept_mb'] / array_mb:>14.2f}{r['seconds'] / ref:>12.2f}")
    print("\nRSS peak = VmHWM above the RSS before the read (counts the pages of a memory-mapped file, which the "
          "kernel may drop); anon peak = the process's own (anonymous) memory above its level before, sampled "
          "every 5 ms; kept = anonymous memory held after (the set: array + tokens). Tokens included everywhere; "
          "same run, a fresh process per format.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
