"""Issue 15's table in one run: each piece of EmbedLab work beside its reference or floor, with the ratio.

Run by hand:  python bench/bench_perf.py [--quick] [--only encoder,training,pca,search,layouts,neighbours]

Rows (ratio = EmbedLab time / reference time; < 1 is faster; target in the last column):

  encoder      encode_sentences, 500 real sentences, batch 32, 2 BLAS threads, vs its matmul floor:
               the FLOPs of the model's matrix products on the real tokens / the box's GFLOP/s on a
               1024 x 384 @ 384 x 1536 float32 product (the model's FFN shape), sustained over the
               same FLOPs and run alternately with the encoder (medians; the best-of-30 short samples
               of session 3 also printed); also the padded pass, session 3's packed pass and the
               batches one by one (one stream, 2 BLAS threads: session 4's pass) in the same run;
               and a second floor, the same products on two streams of one BLAS thread each (what
               encode_sentences now does with the batches)                               target <= 1.3
  training     word2vec through the Train page's job (ui.training.make_job: its process started ahead
               and sent the page's corpus ahead, as the page does, "warm"; the same without the corpus
               ahead; and "cold": a process spawned for the job), start to result
               saved, vs embedlab.train() in this process, 1 and 2 workers, Lee corpus x 10 read as an
               upload, 5 epochs, medians of 5 interleaved rounds              target >= 0.95 speed
  pca          project(set, "pca", cache=False) vs sklearn PCA(n_components=2, svd_solver="covariance_eigh")
               .fit_transform on the same read-only float32 vectors                        target <= 1.2
  search       top_k, 100 queries, k=10, at 1M x 300 (cosine, the set's unit rows kept) vs the floor
               "one float32 matmul + argpartition"                                        target <= 1.2
  layouts      project(set, "umap"/"tsne", cache=False) on the default set vs umap.UMAP / openTSNE.TSNE
               with the parameters project() uses (printed), numba warmed for both, sides alternating,
               medians of 3 (BENCH_LAYOUT_ROUNDS)                                         target <= 1.2
  neighbours   one top-10 query and a batch of 100 vs gensim most_similar, and one query vs the numpy
               floor (unit @ q + argpartition + sort of 10)                     target <= 1.0 gensim

The machine may be shared: the load average is printed before and after; both sides of a row run
back to back (interleaved where cheap), so both see the same load.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

warnings.filterwarnings("ignore")

ROWS: list[tuple[str, float, float, str, str]] = []


def row(task: str, ours: float, ref: float, ref_name: str, note: str = "") -> None:
    ROWS.append((task, ours, ref, ref_name, note))
    print(f"  {task}: {ours:.4g} s vs {ref:.4g} s ({ours / ref:.2f}x) {note}", flush=True)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def paired(a, b, repeat: int) -> tuple[float, float]:
    """Medians of a() and b() run alternately."""
    ta, tb = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        a()
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        b()
        tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


# -- encoder ----------------------------------------------------------------------------------------
def encoder_flops(lengths, d: int = 384, layers: int = 6, ffn: int = 1536) -> float:
    """FLOPs of the model's matrix products on texts of these token counts (no padding)."""
    per = [2 * n * d * (3 * d + d + 2 * ffn) + 2 * 2 * n * n * d for n in lengths]
    return float(layers * sum(per))


def bench_encoder(quick: bool) -> None:
    """The encoder beside its matmul floor, measured two ways in the same run.

    best-of-30: the GFLOP/s of the best of 30 short (~5 ms) 1024 x 384 @ 384 x 1536 products, the
    floor of session 3; on a shared machine one lucky 5 ms sample sets it, while the encoder's time
    is a median of runs of seconds. sustained (the fair one): the same product repeated until it
    has done the encoder's own matmul FLOPs, run alternately with the encoder (same threads, float32),
    medians of both. Old paths in the same run: the padded pass and session 3's packed pass.
    """
    from threadpoolctl import threadpool_limits

    from bench_encoder import sentences
    from embedlab.encoder import model as tr
    from profile_encoder import profile_packed

    class _NoClock:
        def tick(self, name):
            pass

    texts = sentences(120 if quick else 500)
    w = tr.load_weights()
    tr.warm_up(wait=True)
    tr.encode_sentences(texts[:32])
    lengths = [len(t) for t in tr.tokenize_batch(texts)]

    def padded():
        toks = tr.tokenize_batch(texts)
        order = np.argsort([len(t) for t in toks], kind="stable")
        for s in range(0, len(order), 32):
            ids, mask = tr._pad([toks[r] for r in order[s:s + 32]])
            tr._forward(w, ids, mask)

    def one_stream():
        from embedlab.encoder.streams import pooled_batches

        ids, _ = tr.token_ids_batch(texts)
        order = np.argsort([len(t) for t in ids], kind="stable")
        rows = [order[s:s + 32] for s in range(0, len(order), 32)]
        for p in pooled_batches(w, [[ids[r] for r in b] for b in rows], streams=1):
            tr.unit_rows(p)

    def session3():
        toks = tr.tokenize_batch(texts)
        order = np.argsort([len(t) for t in toks], kind="stable")
        for s in range(0, len(order), 32):
            tr.unit_rows(profile_packed(w, [toks[r].ids for r in order[s:s + 32]], _NoClock()))

    flops = encoder_flops(lengths)
    with threadpool_limits(2):
        a = np.random.default_rng(0).normal(size=(1024, 384)).astype(np.float32)
        b = np.random.default_rng(1).normal(size=(384, 1536)).astype(np.float32)
        c = np.empty((1024, 1536), np.float32)
        one = 2 * 1024 * 384 * 1536
        gflops = one / best(lambda: a @ b, 30) / 1e9
        reps = max(1, round(flops / one))

        def sustained():
            for _ in range(reps):
                np.matmul(a, b, out=c)

        from concurrent.futures import ThreadPoolExecutor
        c2 = np.empty_like(c)
        pool = ThreadPoolExecutor(2)

        def half(out):
            for _ in range(reps // 2):
                np.matmul(a, b, out=out)

        def two_streams():          # the same products, half on each of two threads, one BLAS thread each
            with threadpool_limits(1):
                list(pool.map(half, (c, c2)))

        session3()
        one_stream()
        times = {"ours": [], "floor": [], "floor2": [], "one_stream": [], "padded": [], "session3": []}
        for _ in range(3 if quick else 5):
            for name, fn in (("ours", lambda: tr.encode_sentences(texts, batch_size=32)), ("floor", sustained),
                             ("floor2", two_streams), ("one_stream", one_stream),
                             ("padded", padded), ("session3", session3)):
                t = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    print("  runs (s): " + "; ".join(f"{k} " + " ".join(f"{t:.2f}" for t in v) for k, v in times.items()))
    pool.shutdown()
    ours, floor_s = med["ours"], med["floor"] * flops / (reps * one)
    floor2_s = med["floor2"] * flops / (2 * (reps // 2) * one)
    floor_b = flops / (gflops * 1e9)
    n = len(texts)
    print(f"  encoder: {flops / 1e9:.0f} GFLOP of matrix products; best-of-30 {gflops:.0f} GFLOP/s, sustained "
          f"{flops / floor_s / 1e9:.0f} GFLOP/s (median of {len(times['floor'])} runs of {reps} products); "
          f"ours {n / ours:.0f}/s; padded pass {n / med['padded']:.0f}/s; session 3's packed {n / med['session3']:.0f}/s")
    row(f"encoder, {n} sentences, batch 32 ({n / ours:.0f}/s)", ours, floor_s,
        f"matmul floor, sustained {flops / floor_s / 1e9:.0f} GFLOP/s ({n / floor_s:.0f}/s)", "target <= 1.3")
    row("  same, vs the floor on two streams of one BLAS thread", ours, floor2_s,
        f"matmul floor, 2 x 1 thread, {flops / floor2_s / 1e9:.0f} GFLOP/s ({n / floor2_s:.0f}/s)", "same run")
    row(f"  before: batches one by one, 2 BLAS threads ({n / med['one_stream']:.0f}/s)", med["one_stream"],
        floor_s, "matmul floor, sustained", "session 4's pass, same run")
    row("  same, vs best-of-30 floor", ours, floor_b, f"matmul floor at {gflops:.0f} GFLOP/s ({n / floor_b:.0f}/s)",
        "session 3's floor")
    row(f"  before: session 3's packed pass ({n / med['session3']:.0f}/s)", med["session3"], floor_s,
        "matmul floor, sustained", "same run")
    row(f"  before: padded batches of 32 ({n / med['padded']:.0f}/s)", med["padded"], floor_s,
        "matmul floor, sustained", "same run")


# -- training ---------------------------------------------------------------------------------------
def _settle() -> None:
    """No training process left running or importing in the background (a finished job's process is
    joined, and the standby it prepared ended), so the next timed run has the machine to itself."""
    from embedlab.train import standby

    standby.discard()


def bench_training(quick: bool) -> None:
    """What a user gets on the Train page: ``ui.training.make_job`` (the page's job: workspace save,
    abandon watch, default watched words) started after ``ui.training.prepare_training_process(corpus)``
    has had its standby ready holding the page's corpus ("warm", as when the page has been open a
    moment: the page sends its corpus ahead), with a standby ready but the corpus sent with the job
    ("warm, corpus with the job": session 5's path), or with none ("cold": a process spawned for the
    job), timed from start() until the job is finished (its result received and saved in the
    workspace; the page's 0.5 s poll then shows it). Reference: embedlab.train() on the same corpus
    in this process, same run, interleaved. The corpus is read as an upload is (corpus_from_text of
    lee_background.cor x 10: distinct sentence objects, as a user's corpus)."""
    import tempfile

    from embedlab.io.builtin_corpora import lee_corpus_path
    from embedlab.io.corpus import corpus_from_text
    from embedlab.io.workspace import Workspace
    from embedlab.train import standby
    from embedlab.train.training import TrainParams, train
    from ui import training as ut

    reps = 3 if quick else int(os.environ.get("BENCH_TRAIN_ROUNDS", "5"))
    corpus = corpus_from_text(lee_corpus_path().read_text(encoding="utf-8") * (3 if quick else 10),
                              name="lee x10")
    epochs = 5
    work = corpus.n_tokens * epochs
    kinds = ("warm", "warm, corpus with the job", "cold")
    print(f"  corpus {corpus.n_tokens:,} tokens, {len(corpus.sentences):,} sentences; {epochs} epochs; "
          f"{reps} rounds (direct, {', '.join(kinds)} interleaved)", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-train-ws-") as tmp:
        ws = Workspace(tmp, max_bytes=1 << 32)
        for workers in (1, 2):
            params = TrainParams(model="word2vec", vector_size=100, window=5, epochs=epochs, min_count=5,
                                 workers=workers, seed=1)
            train(corpus, params)                       # first call in a process pays one-off costs
            walls = {k: [] for k in ("direct",) + kinds}
            inner = {k: [] for k in ("direct",) + kinds}   # train()'s own seconds (inside the child)
            for _ in range(reps):
                _settle()
                t = time.perf_counter()
                res = train(corpus, params)
                walls["direct"].append(time.perf_counter() - t)
                inner["direct"].append(res.seconds)
                for kind in kinds:
                    _settle()
                    if kind.startswith("warm"):
                        ahead = corpus if kind == "warm" else None
                        ut.prepare_training_process(ahead)     # the Train page's call on every run
                        tp = standby.prepare(ahead)
                        assert tp is not None and tp.wait_ready(300)
                    t = time.perf_counter()
                    job = ut.make_job(corpus, params, watch=None, name="bench", workspace=ws).start()
                    job.join()
                    walls[kind].append(time.perf_counter() - t)
                    assert job.state == "done" and job.saved is not None, job.error
                    inner[kind].append(job.result.seconds)
            _settle()
            med = {k: statistics.median(v) for k, v in walls.items()}
            imed = {k: statistics.median(v) for k, v in inner.items()}
            for kind in kinds:
                row(f"training via the Train page's job ({kind}), {workers} worker(s) "
                    f"({work / med[kind] / 1e6:.2f} M words/s)", med[kind], med["direct"],
                    f"embedlab.train() {work / med['direct'] / 1e6:.2f} M words/s",
                    f"speed {med['direct'] / med[kind]:.2f}; target >= 0.95; train() inside the process "
                    f"{imed[kind]:.2f} s vs {imed['direct']:.2f} s here, the rest {med[kind] - imed[kind]:.2f} s")


# -- PCA --------------------------------------------------------------------------------------------
def bench_pca(quick: bool) -> None:
    from sklearn.decomposition import PCA

    import embedlab
    from embedlab.space.projection import project

    es = embedlab.load(embedlab.DEFAULT_SET)
    ours, ref = paired(lambda: project(es, method="pca", dims=2, cache=False),
                       lambda: PCA(n_components=2, svd_solver="covariance_eigh").fit_transform(es.vectors),
                       5 if quick else 9)
    row(f"PCA 2-D of {len(es):,} x {es.dim}, no cache", ours, ref,
        'sklearn PCA(2, svd_solver="covariance_eigh")', "target <= 1.2")


# -- exact search at 1M ---------------------------------------------------------------------------------
def bench_search(quick: bool) -> None:
    from embedlab import EmbeddingSet
    from embedlab.core.search import top_k

    n, d = (200_000 if quick else 1_000_000), 300
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, d), dtype=np.float32)
    es = EmbeddingSet([f"w{i}" for i in range(n)], x, copy=False)
    del x
    unit = es.unit                                # kept by the set, as after its first search
    q = rng.standard_normal((100, d), dtype=np.float32)

    def floor():
        s = (q / np.linalg.norm(q, axis=1, keepdims=True)) @ unit.T
        np.argpartition(-s, 9, axis=1)

    top_k(es, q, k=10)
    ours, ref = paired(lambda: top_k(es, q, k=10), floor, 3 if quick else 5)
    row(f"exact top-10, 100 queries at {n:,} x {d}", ours, ref, "one float32 matmul + argpartition",
        "target <= 1.2")


# -- UMAP / t-SNE -------------------------------------------------------------------------------------
def _abba(a, b, rounds: int) -> tuple[float, float, list, list]:
    """Medians of a() and b() run a b b a a b ... (each side first in half the rounds)."""
    ta, tb = [], []
    for i in range(rounds):
        for fn, out in ((a, ta), (b, tb)) if i % 2 == 0 else ((b, tb), (a, ta)):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb), ta, tb


def bench_layouts(quick: bool) -> None:
    """project(set, "umap"/"tsne", cache=False) vs umap-learn / openTSNE called on the set's vectors
    with the parameters project() uses (printed): same threads (UMAP n_jobs=1 as a seed implies;
    openTSNE n_jobs=2), same process; numba compiled for both sides' code paths first (a run of each
    above UMAP_APPROX_BELOW, init="pca" above UMAP_PCA_INIT_ABOVE); sides alternate, each first in
    half the rounds. Our only extra work: the array copy each passes (timed and printed)."""
    import umap
    from openTSNE import TSNE

    import embedlab
    from embedlab.space import projection as pj

    es = embedlab.load(embedlab.DEFAULT_SET)
    if quick:
        es = es.subset(3000)
    n = len(es)
    rounds = 2 if quick else int(os.environ.get("BENCH_LAYOUT_ROUNDS", "3"))
    p = pj._method_params("umap", n, 2, seed=0, n_neighbors=15, min_dist=0.1, perplexity=30.0,
                          metric="cosine", d=es.dim)

    def umap_direct(x=es.vectors, init=p["init"]):
        return umap.UMAP(n_components=2, n_neighbors=p["n_neighbors"], min_dist=p["min_dist"], metric="cosine",
                         random_state=0, n_jobs=1, init=init,
                         force_approximation_algorithm=p["force_approximation_algorithm"]).fit_transform(x)

    # numba compiles on first use, per code path and array type: run both sides once on a subset
    # above UMAP_APPROX_BELOW (NN-descent path) with the full run's init, so neither side pays
    # compilation in the timed runs
    warm = es.subset(min(n, max(pj.UMAP_APPROX_BELOW, pj.UMAP_PCA_INIT_ABOVE) + 500))
    pj.project(warm, method="umap", cache=False)
    umap_direct(warm.vectors, pj._method_params("umap", len(warm), 2, seed=0, n_neighbors=15, min_dist=0.1,
                                                perplexity=30.0, metric="cosine", d=es.dim)["init"])
    copy32 = best(lambda: np.array(es.vectors, dtype=np.float32, copy=True), 5)
    copy64 = best(lambda: np.array(es.vectors, dtype=np.float64, copy=True), 5)
    ours, ref, ta, tb = _abba(lambda: pj.project(es, method="umap", cache=False), umap_direct, rounds)
    print(f"  UMAP runs: ours {[round(x, 2) for x in ta]}, umap-learn {[round(x, 2) for x in tb]}", flush=True)
    row(f"UMAP 2-D, {n:,} points (median of {rounds})", ours, ref, f"umap.UMAP({p})",
        f"target <= 1.2; our float32 copy {copy32 * 1000:.0f} ms")
    t = pj._method_params("tsne", n, 2, seed=0, n_neighbors=15, min_dist=0.1, perplexity=30.0,
                          metric="cosine", d=es.dim)

    def tsne_direct(x=es.vectors):
        return TSNE(n_components=2, perplexity=t["perplexity"], metric="cosine", random_state=0, n_jobs=t["n_jobs"],
                    initialization="pca", negative_gradient_method=t["negative_gradient_method"],
                    early_exaggeration_iter=250, n_iter=500).fit(x)

    small = es.subset(min(n, 2000)).vectors          # one-off set-up (imports, FFT plans) on both sides
    pj.project(small, method="tsne", cache=False)
    tsne_direct(small)
    ours, ref, ta, tb = _abba(lambda: pj.project(es, method="tsne", cache=False), tsne_direct, rounds)
    print(f"  t-SNE runs: ours {[round(x, 2) for x in ta]}, openTSNE {[round(x, 2) for x in tb]}", flush=True)
    row(f"t-SNE 2-D, {n:,} points (median of {rounds})", ours, ref, f"openTSNE.TSNE({t}, 250 + 500 iterations)",
        f"target <= 1.2; our float64 copy {copy64 * 1000:.0f} ms")


# -- neighbour queries --------------------------------------------------------------------------------
def bench_neighbours(quick: bool) -> None:
    from gensim.models import KeyedVectors

    import embedlab
    from embedlab.core.search import most_similar_batch

    es = embedlab.load(embedlab.DEFAULT_SET)
    unit = es.unit
    kv = KeyedVectors(es.dim)
    kv.add_vectors(list(es.tokens), np.array(es.vectors))
    kv.fill_norms()
    rng = np.random.default_rng(0)
    words = [es.tokens[i] for i in rng.choice(len(es), size=100, replace=False)]
    for w in words[:5]:
        es.neighbors(w, 10)
        kv.most_similar(w, topn=10)

    def floor(w):
        s = unit @ unit[es.index(w)]
        top = np.argpartition(-s, 10)[:11]
        top[np.argsort(-s[top])]

    rounds = 1 if quick else 3
    a, b, c = [], [], []
    for _ in range(rounds):
        for w in words:
            for fn, out in ((lambda: es.neighbors(w, 10), a), (lambda: kv.most_similar(w, topn=10), b),
                            (lambda: floor(w), c)):
                t = time.perf_counter()
                fn()
                out.append(time.perf_counter() - t)
    one, ref, fl = statistics.median(a), statistics.median(b), statistics.median(c)
    row("neighbours: one top-10 query", one, ref, "gensim most_similar", "target <= 1.0")
    row("neighbours: one top-10 query", one, fl, "numpy floor (unit @ q + argpartition)", "was 1.28")
    batch, batch_ref = paired(lambda: most_similar_batch(es, words, 10),
                              lambda: [kv.most_similar(w, topn=10) for w in words], 3 if quick else 7)
    row("neighbours: batch of 100", batch, batch_ref, "100 x gensim most_similar", "target <= 1.0")


SECTIONS = {"encoder": bench_encoder, "training": bench_training, "pca": bench_pca, "search": bench_search,
            "layouts": bench_layouts, "neighbours": bench_neighbours}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (for development)")
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections: " + ", ".join(SECTIONS))
    args = ap.parse_args(argv)
    names = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in names if s not in SECTIONS]
    if unknown:
        ap.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    load0 = os.getloadavg()
    print(f"load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f} on {os.cpu_count()} cores; "
          f"numpy {np.__version__}", flush=True)
    t0 = time.perf_counter()
    for name in names:
        print(f"[{name}]", flush=True)
        SECTIONS[name](args.quick)
    head = ("task", "embedlab", "reference", "ratio", "reference is", "notes")
    table = [head] + [(t, f"{a:.4g} s", f"{b:.4g} s", f"{a / b:.2f}", r, n) for t, a, b, r, n in ROWS]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    print()
    for i, r in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    load1 = os.getloadavg()
    print(f"\nratio = EmbedLab time / reference time. {time.perf_counter() - t0:.0f} s in all; load average "
          f"{load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} at the end", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
