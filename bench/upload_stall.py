"""Upload rows of ``bench_load.py --stall --uploads``: does reading an adversarial upload stall other requests?

Run by hand:  ``python bench/bench_load.py --stall --uploads``        (full sizes, the issue's files)
   a quick try: ``python bench/bench_load.py --stall --uploads --scale 0.1``

In one process (as the app's server is one process), thread A reads an upload through the same call the
app's page makes with it (the sidebar's ``read_vectors(BytesIO, filename=..., progress=...)``, the Train
page's ``read_corpus(upload, filename=..., text_column=...)``, the Documents page's ``read_documents(bytes,
filename=...)``), while thread B serves a trivial request every 10 ms (a neighbour query on a 1,000 x 50 set)
and records how late each one finished: the stall is that delay beyond the request's own time. The
reference row is thread B alone (no upload). Also measured: the process's peak RSS above its level
before the upload (sampled by thread B; /proc/self/status), the reader's wall time and its outcome.

Printed: one row per file: its size, outcome (rows read or the first words of the refusal), reader
seconds, stall max / p99 in ms and the ratio of the max to the idle reference's max, peak extra RSS.
Target: max stall <= 1 s and the RSS bound of the README's "Limits" section.
"""
from __future__ import annotations

import argparse
import gc
import io
import statistics
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- the adversarial uploads ---------------------------------------------------------------------------------
def _zip(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buf.getvalue()


def _numbers(n: int) -> bytes:
    return b" ".join([b"0.5"] * n)


def uploads(scale: float) -> list[tuple[str, str, str, bytes]]:
    """(label, page, file name, bytes) of every upload measured."""
    mb = int(2**20 * scale)
    row = b" " + b" ".join([b"0.25"] * 300) + b"\n"
    return [
        ("zip: 100 MB member of short tokens", "train", "bomb.zip", _zip("a.txt", b"a b " * (25 * mb))),
        ("text: one 48 MB line", "train", "line.txt", b"ab cd " * (8 * mb)),
        ("csv: one 45 MB quoted field", "train", "field.csv", b'id,text\n1,"' + b"ab cd " * int(7.5 * mb) + b'"\n'),
        ("csv: 45 MB of short rows", "train", "rows.csv",
         b"id,text\n" + b"".join(b"%d,the cat sat\n" % i for i in range(int(2.5 * mb)))),
        ("vectors: two 600,001-number lines", "sidebar", "wide.txt",
         b"2 300\na " + _numbers(600_001) + b"\nb " + _numbers(600_001) + b"\n"),
        ("vectors: one 2.6 MB line", "sidebar", "single.txt", b"a " + _numbers(650_000) + b"\n"),
        ("vectors: blank head, 20k x 300", "sidebar", "blank.txt",
         b"w0" + row + b"\n" * 60_000 + b"".join(b"w%d" % i + row for i in range(1, int(20_000 * max(scale, 0.05))))),
        ("documents: 9 MB of short lines", "documents", "docs.txt", b"ab\n" * int(3_000_000 * min(scale, 1.0))),
    ]


def read_like_the_app(page: str, name: str, data: bytes) -> str:
    """Read ``data`` as the page does; returns what was read or the refusal's first words."""
    import embedlab

    try:
        if page == "train":
            from embedlab.io.corpus import read_corpus

            up = io.BytesIO(data)
            up.name = name
            c = read_corpus(up, filename=name, text_column="text" if name.endswith(".csv") else None)
            return f"{c.n_tokens:,} tokens"
        if page == "documents":
            from embedlab.io.documents import read_documents

            return f"{len(read_documents(data, filename=name)):,} documents"
        from embedlab.io.formats import read_vectors

        es = read_vectors(io.BytesIO(data), filename=name, progress=lambda frac: None)
        return f"{len(es):,} x {es.dim}"
    except embedlab.EmbedLabError as exc:
        msg = str(exc).split(": ", 1)[-1]
        return "refused: " + (msg[:44] + "…" if len(msg) > 45 else msg)


# -- thread B: the trivial request ---------------------------------------------------------------------------
@dataclass
class Requests:
    delays: list = field(default_factory=list)
    rss: list = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, es, every: float = 0.01) -> None:
        q = es.vectors[0]
        t_alone = min(self._one(es, q) for _ in range(20))   # the request's own time, unloaded
        while not self.stop.is_set():
            t0 = time.perf_counter()
            self._one(es, q)
            self.delays.append(max(0.0, time.perf_counter() - t0 - t_alone))
            self.rss.append(rss_mb())
            time.sleep(every)

    @staticmethod
    def _one(es, q) -> float:
        t0 = time.perf_counter()
        es.neighbors(q, 5)
        return time.perf_counter() - t0


def measure(es, job=None, idle_s: float = 2.0) -> dict:
    gc.collect()
    base = rss_mb()
    req = Requests()
    b = threading.Thread(target=req.run, args=(es,), daemon=True)
    b.start()
    t0 = time.perf_counter()
    outcome = None
    if job is None:
        time.sleep(idle_s)
    else:
        outcome = job()
    took = time.perf_counter() - t0
    time.sleep(0.05)
    req.stop.set()
    b.join(timeout=30)
    d = sorted(req.delays) or [0.0]
    return {"outcome": outcome or "—", "seconds": took, "max_ms": d[-1] * 1000,
            "p99_ms": d[min(len(d) - 1, int(0.99 * len(d)))] * 1000, "requests": len(d),
            "rss_mb": max(req.rss, default=base) - base}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="size factor of the files (default 1: the issue's)")
    args, _ = ap.parse_known_args(argv)
    import embedlab

    rng = np.random.default_rng(0)
    es = embedlab.EmbeddingSet([f"w{i}" for i in range(1000)], rng.standard_normal((1000, 50)).astype("float32"))
    es.neighbors(es.tokens[0], 5)                         # unit rows computed before measuring
    import pandas  # noqa: F401  (imported by the reader; not part of what an upload costs)

    rows = [("idle (no upload): the reference", "", 0, measure(es))]
    print(f"idle: max {rows[0][3]['max_ms']:.1f} ms", flush=True)
    for label, page, name, data in uploads(args.scale):
        r = measure(es, lambda: read_like_the_app(page, name, data))
        rows.append((label, page, len(data), r))
        print(f"{label}: {r['outcome']}, {r['seconds']:.1f} s, max stall {r['max_ms']:.0f} ms", flush=True)
        del data
    ref = max(rows[0][3]["max_ms"], 1e-3)
    head = (f"{'upload':<36} {'page':<9} {'MB':>6} {'outcome':<56} {'read s':>6} {'stall max ms':>12} "
            f"{'p99 ms':>7} {'x idle':>7} {'peak +RSS MB':>12}")
    print("\n" + head + "\n" + "-" * len(head))
    for label, page, size, r in rows:
        print(f"{label:<36} {page:<9} {size / 2**20:>6.1f} {r['outcome']:<56} {r['seconds']:>6.1f} "
              f"{r['max_ms']:>12.0f} {r['p99_ms']:>7.0f} {r['max_ms'] / ref:>7.1f} {r['rss_mb']:>12.0f}")
    worst = max(r["max_ms"] for _, _, _, r in rows[1:])
    print(f"\nstall = how late a trivial request (a neighbour query on 1,000 x 50, every 10 ms in another thread) "
          f"finished beyond its own time,\nwhile the upload was read in this thread by the page's own call; "
          f"x idle = max stall / the idle reference's max ({ref:.1f} ms).\npeak +RSS = the process's peak RSS "
          f"while reading minus before (the upload's bytes were already in memory).\n"
          f"worst max stall {worst:.0f} ms: {'within' if worst <= 1000 else 'OVER'} the 1 s target; load average "
          f"{' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())} (2 cores shared)")
    return 0 if worst <= 1000 else 1


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
