"""The data and measuring helpers of the ANN benchmarks (``bench_ann.py``, ``bench_nndescent.py``).

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
"""
from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import numpy as np

import embedlab
from embedlab import EmbeddingSet
from embedlab.core.search import top_k

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


def make_set(kind: str, n: int, seed: int, folder: Path, *, mmap: bool = False) -> tuple[EmbeddingSet, dict]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ann_{kind}_{n}x{DIM}_seed{seed}.npy"
    side = path.with_suffix(".json")
    info: dict = {}
    cached = path.exists() and side.exists()
    # a cached realistic set needs only the real tokens (not the principal axes and real neighbours)
    base = (real_base() if not cached else (embedlab.load("minilm-tokens").tokens,)) if kind == "realistic" else None
    if cached:
        vectors = np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None)
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
