"""Core benchmark: EmbedLab beside gensim / scikit-learn / umap-learn on the default set.

Run by hand (``make bench`` or ``python bench/bench_core.py``); prints one table of medians.
Each row does the same work both ways on the same vectors:

  load (cold)      a fresh interpreter: import + load the 21,748 x 384 set
                   (reference: gensim's fast word2vec *binary* reader on the same vectors)
  load (warm)      the same in a warm process (files in the OS cache, modules imported)
  neighbours       one top-10 cosine query       vs gensim KeyedVectors.most_similar
  batch of 100     100 top-10 queries            vs 100 calls of most_similar (gensim has no batch)
  analogy          man:king :: woman:? (3CosAdd) vs most_similar(positive, negative)
  Google analogies the whole questions-words set vs KeyedVectors.evaluate_word_analogies
  PCA              2-D                           vs sklearn.decomposition.PCA
  UMAP             2-D, same parameters          vs umap.UMAP (numba compiled once beforehand)

Targets: one neighbour query <= 2 ms and never slower than gensim. The machine is shared
(2 cores): numbers move with the load average, which is printed first.

Options: ``--quick`` skips the slow rows (Google analogies with gensim, UMAP).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import embedlab  # noqa: E402
from embedlab.io import sources  # noqa: E402
from embedlab.space.analogy import analogy  # noqa: E402
from embedlab.core.search import most_similar_batch  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=".*n_jobs value.*")


def median_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def paired(ours, ref, items, rounds: int = 3) -> tuple[float, float]:
    """Median per-call time of ours(item) and ref(item), interleaved so both see the same load."""
    a, b = [], []
    for _ in range(rounds):
        for it in items:
            t = time.perf_counter()
            ours(it)
            a.append(time.perf_counter() - t)
            t = time.perf_counter()
            ref(it)
            b.append(time.perf_counter() - t)
    return statistics.median(a), statistics.median(b)


def in_fresh_process(code: str, repeat: int = 3) -> float:
    """Median seconds that ``code`` reports (it prints its own elapsed time) in new interpreters."""
    out = []
    for _ in range(repeat):
        res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        out.append(float(res.stdout.strip().splitlines()[-1]))
    return statistics.median(out)


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the Google-analogies and UMAP rows")
    opts = ap.parse_args()

    from gensim.models import KeyedVectors

    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} cores; "
          f"numpy {np.__version__}")
    rows: list[tuple[str, float | None, float | None, str, str]] = []

    es = embedlab.load(embedlab.DEFAULT_SET)
    kv = KeyedVectors(es.dim)
    kv.add_vectors(list(es.tokens), np.array(es.vectors))
    kv.fill_norms()
    tmp = Path(tempfile.mkdtemp(prefix="embedlab-bench-"))
    w2v_bin = tmp / "words.bin"
    kv.save_word2vec_format(str(w2v_bin), binary=True)

    # -- loading ------------------------------------------------------------------------------------
    cold = in_fresh_process("import time; t = time.perf_counter(); import embedlab; "
                            "embedlab.load('minilm-words').unit; print(time.perf_counter() - t)")
    cold_ref = in_fresh_process("import time; t = time.perf_counter(); from gensim.models import KeyedVectors; "
                                f"KeyedVectors.load_word2vec_format({str(w2v_bin)!r}, binary=True).fill_norms(); "
                                "print(time.perf_counter() - t)")
    rows.append(("load, cold process (import + load + norms)", cold, cold_ref, "gensim w2v binary", "3 runs"))

    def warm():
        sources.builtin.cache_clear()
        embedlab.load(embedlab.DEFAULT_SET).unit

    warm_t = median_of(warm, 5)
    warm_ref = median_of(lambda: KeyedVectors.load_word2vec_format(str(w2v_bin), binary=True).fill_norms(), 5)
    rows.append(("load, warm process", warm_t, warm_ref, "gensim w2v binary", "5 runs"))
    es = embedlab.load(embedlab.DEFAULT_SET)
    es.unit  # noqa: B018  (computed once, as in the app)

    # -- queries ------------------------------------------------------------------------------------
    rng = np.random.default_rng(0)
    words = [es.tokens[i] for i in rng.choice(len(es), size=100, replace=False)]
    for w in words[:5]:  # first-call effects out of the way
        es.neighbors(w, 10)
        kv.most_similar(w, topn=10)
    one, one_ref = paired(lambda w: es.neighbors(w, 10), lambda w: kv.most_similar(w, topn=10), words)
    rows.append(("neighbours: one top-10 query", one, one_ref, "gensim most_similar", "300 queries"))
    batch = median_of(lambda: most_similar_batch(es, words, 10), 7)
    batch_ref = median_of(lambda: [kv.most_similar(w, topn=10) for w in words], 7)
    rows.append(("neighbours: batch of 100", batch, batch_ref, "100 x most_similar", "7 runs"))
    an, an_ref = paired(lambda q: analogy(es, *q, k=10),
                        lambda q: kv.most_similar(positive=[q[1], q[2]], negative=[q[0]], topn=10),
                        [("man", "king", "woman"), ("france", "paris", "italy"), ("good", "better", "bad")] * 20)
    rows.append(("analogy a:b :: c:? (3CosAdd)", an, an_ref, "gensim most_similar", "180 queries"))

    if not opts.quick:
        from embedlab.space.evaluation import evaluate_analogies
        from embedlab.io.gensim_data import default_analogy_file

        t = time.perf_counter()
        res = evaluate_analogies(es)
        ev = time.perf_counter() - t
        t = time.perf_counter()
        score, _ = kv.evaluate_word_analogies(str(default_analogy_file()))
        ev_ref = time.perf_counter() - t
        same = "same score" if abs(score - res.accuracy) < 1e-12 else f"DIFFERENT {score:.4f}"
        rows.append((f"Google analogies, 19,544 q. (acc {res.accuracy:.3f})", ev, ev_ref,
                     "evaluate_word_analogies", f"1 run, {same}"))

    # -- projections --------------------------------------------------------------------------------------
    try:
        from embedlab.space.projection import project
    except ImportError as exc:
        project = None
        rows.append(("PCA / UMAP", None, None, "-", f"embedlab.space.projection missing ({exc})"))
    if project is not None:
        from sklearn.decomposition import PCA

        pca = median_of(lambda: project(es, method="pca", dims=2, cache=False), 5)
        pca_ref = median_of(lambda: PCA(n_components=2, random_state=0).fit_transform(es.vectors), 5)
        rows.append(("PCA 2-D (no cache)", pca, pca_ref, "sklearn PCA", "5 runs"))
        project(es, method="pca", dims=2, cache=True)
        cached = median_of(lambda: project(es, method="pca", dims=2, cache=True), 5)
        rows.append(("PCA 2-D, cached on disk", cached, pca_ref, "sklearn PCA", "5 runs"))
        if not opts.quick:
            import umap

            from embedlab.space import projection as proj_mod

            params = dict(getattr(proj_mod, "UMAP_DEFAULTS", {}) or {})
            if len(es) > getattr(proj_mod, "UMAP_PCA_INIT_ABOVE", float("inf")):
                params["init"] = "pca"  # what embedlab.space.projection uses at this size
            small = es.subset(600)
            project(small, method="umap", dims=2, cache=False)  # numba compile, both share umap-learn's code
            umap.UMAP(n_components=2, random_state=0, **params).fit_transform(small.vectors)
            t = time.perf_counter()
            project(es, method="umap", dims=2, cache=False)
            um = time.perf_counter() - t
            t = time.perf_counter()
            umap.UMAP(n_components=2, random_state=0, **params).fit_transform(es.vectors)
            um_ref = time.perf_counter() - t
            rows.append(("UMAP 2-D (no cache)", um, um_ref, f"umap.UMAP {params or 'defaults'}", "1 run"))
            cached = median_of(lambda: project(es, method="umap", dims=2, cache=True), 3)
            rows.append(("UMAP 2-D, cached on disk", cached, um_ref, "umap.UMAP", "3 runs"))

    # -- table --------------------------------------------------------------------------------------------
    print(f"\nEmbedLab core benchmark on {es.name} ({len(es):,} x {es.dim}); medians; ratio = embedlab / reference"
          " (< 1 is faster)\n")
    head = ("task", "embedlab", "reference", "ratio", "reference is", "notes")
    table = [head] + [(t, fmt(a), fmt(b), f"{a / b:.2f}" if a and b else "-", r, n) for t, a, b, r, n in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for i, r in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    ok_abs = one <= 2e-3
    ok_rel = one <= one_ref
    print(f"\ntarget: one neighbour query <= 2 ms: {'met' if ok_abs else 'NOT met'} ({fmt(one)}); "
          f"not slower than gensim most_similar: {'met' if ok_rel else 'NOT met'} ({fmt(one_ref)})")
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
