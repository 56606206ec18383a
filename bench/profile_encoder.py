"""Where the encoder's time goes: per stage of a batch of 32, and BLAS speed at the encoder's own shapes.

Run by hand:  python bench/profile_encoder.py [--n 500] [--repeats 5] [--path packed,fused]

Stages are timed by re-running the forward pass of :mod:`embedlab.encoder.packed` step by step with a
clock around each step (the same functions and kernels as ``forward_pooled``), over the 500-sentence
bench set (bench_encoder.sentences) in the batches of 32 ``encode_sentences`` makes (sorted by
length). Figures are per batch (the mean of the batches) in ms, medians over ``--repeats`` passes over
the set. The BLAS table times ``a @ b`` for each matrix product of the model at the median batch's
token count and the floor's 1024 x 384 @ 384 x 1536 (medians of 30, float32, ``--threads`` BLAS
threads, default 2; 1 shows one of encode_sentences' two streams, each batch on one core).
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from embedlab.encoder import model as tr  # noqa: E402
from embedlab.encoder import kernels, packed  # noqa: E402


class Clock:
    def __init__(self):
        self.t = defaultdict(float)
        self.last = time.perf_counter()

    def tick(self, name: str) -> None:
        now = time.perf_counter()
        self.t[name] += now - self.last
        self.last = now


@lru_cache(maxsize=1)
def session3_kernels():
    """Session 3's two numba kernels (LayerNorm in place; bias + GELU), as they were."""
    from numba import njit

    gelu = tr._gelu_scalar()

    @njit(fastmath=True, cache=False)
    def ln_inplace(x, gamma, beta, eps):
        n, d = x.shape
        inv_d = np.float32(1.0) / np.float32(d)
        for i in range(n):
            s = np.float32(0.0)
            for j in range(d):
                s += x[i, j]
            mean = s * inv_d
            v = np.float32(0.0)
            for j in range(d):
                c = x[i, j] - mean
                v += c * c
            inv = np.float32(1.0) / np.sqrt(v * inv_d + eps)
            for j in range(d):
                x[i, j] = (x[i, j] - mean) * inv * gamma[j] + beta[j]

    @njit(fastmath=True, cache=False)
    def bias_gelu_inplace(y, bias):
        n, d = y.shape
        for i in range(n):
            for j in range(d):
                y[i, j] = gelu(y[i, j] + bias[j])

    return ln_inplace, bias_gelu_inplace


def profile_packed(w, ids_list, c: Clock) -> np.ndarray:
    """Session 3's packed.forward_pooled (numpy attention per length bucket, two serial numba kernels)."""
    ln, gelu_k = session3_kernels()
    c.tick("(python between stages)")
    lengths = np.array([len(t) for t in ids_list], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ids = np.concatenate([np.asarray(t, dtype=np.int64) for t in ids_list])
    pos = np.arange(ids.size) - np.repeat(starts, lengths)
    d, h = w.dim, w.n_heads
    dh = d // h
    scale = np.float32(1.0 / math.sqrt(dh))
    c.tick("ids, positions")
    xa = w.word[ids] + w.position[pos]
    xa += w.token_type[0]
    c.tick("embedding lookup")
    ln(xa, w.emb_ln_g, w.emb_ln_b, np.float32(w.eps))
    c.tick("LayerNorms (+bias, residual)")
    buckets = [(int(starts[i]), g, n) for i, g, n in packed.length_buckets(lengths.tolist())]
    t = ids.size
    xb = np.empty_like(xa)
    qkv = np.empty((t, 3 * d), np.float32)
    ctx = np.empty((t, d), np.float32)
    inter = np.empty((t, w.layers[0].inter_w.shape[1]), np.float32)
    c.tick("(python between stages)")
    for layer in w.layers:
        np.matmul(xa, layer.qkv_w, out=qkv)
        c.tick("QKV matmul")
        qkv += layer.qkv_b
        c.tick("QKV bias")
        for row, g, n in buckets:
            part = qkv[row:row + g * n].reshape(g, n, 3, h, dh).transpose(2, 0, 3, 1, 4)
            scores = (part[0] * scale) @ part[1].transpose(0, 1, 3, 2)
            c.tick("attention: scores")
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            c.tick("attention: softmax")
            ctx[row:row + g * n].reshape(g, n, h, dh)[...] = (scores @ part[2]).transpose(0, 2, 1, 3)
            c.tick("attention: context")
        np.matmul(ctx, layer.attn_out_w, out=xb)
        c.tick("output proj matmul")
        xb += layer.attn_out_b
        xb += xa
        ln(xb, layer.ln1_g, layer.ln1_b, np.float32(w.eps))
        c.tick("LayerNorms (+bias, residual)")
        np.matmul(xb, layer.inter_w, out=inter)
        c.tick("FFN up matmul")
        gelu_k(inter, layer.inter_b)
        c.tick("bias + GELU")
        np.matmul(inter, layer.out_w, out=xa)
        c.tick("FFN down matmul")
        xa += layer.out_b
        xa += xb
        ln(xa, layer.ln2_g, layer.ln2_b, np.float32(w.eps))
        c.tick("LayerNorms (+bias, residual)")
    out = np.add.reduceat(xa, starts, axis=0) / lengths[:, None].astype(np.float32)
    c.tick("pooling")
    return out


def profile_fused(w, ids_list, c: Clock) -> np.ndarray:
    """packed.forward_pooled as it is now (fused kernels); mirrors its steps."""
    k = kernels.compiled()
    c.tick("(python between stages)")
    lengths, starts, ids, pos = packed._pack(ids_list)
    c.tick("ids, positions")
    t, d = ids.size, w.dim
    xa = np.empty((t, d), np.float32)
    k.embed_ln(w.word, w.position, w.token_type[0], ids, pos, w.emb_ln_g, w.emb_ln_b, np.float32(w.eps), xa)
    c.tick("embedding lookup + LayerNorm")
    xb, qkv, ctx, inter = packed._buffers(t, w)
    scale = np.float32(1.0 / math.sqrt(d // w.n_heads))
    c.tick("(python between stages)")
    for layer in w.layers:
        np.matmul(xa, layer.qkv_w, out=qkv)
        c.tick("QKV matmul")
        k.attention(qkv, layer.qkv_b, starts, lengths, w.n_heads, scale, ctx)
        c.tick("attention (QKV bias, scores, softmax, context)")
        np.matmul(ctx, layer.attn_out_w, out=xb)
        c.tick("output proj matmul")
        k.add_ln(xb, layer.attn_out_b, xa, layer.ln1_g, layer.ln1_b, np.float32(w.eps))
        c.tick("LayerNorms (+bias, residual)")
        np.matmul(xb, layer.inter_w, out=inter)
        c.tick("FFN up matmul")
        k.bias_gelu(inter, layer.inter_b)
        c.tick("bias + GELU")
        np.matmul(inter, layer.out_w, out=xa)
        c.tick("FFN down matmul")
        k.add_ln(xa, layer.out_b, xb, layer.ln2_g, layer.ln2_b, np.float32(w.eps))
        c.tick("LayerNorms (+bias, residual)")
    out = np.add.reduceat(xa, starts, axis=0) / lengths[:, None].astype(np.float32)
    c.tick("pooling")
    return out


def stage_table(texts, fn, repeats: int) -> tuple[dict, float, int]:
    w = tr.load_weights()
    runs = []
    for _ in range(repeats):
        c = Clock()
        t0 = time.perf_counter()
        c.last = t0
        toks = tr.tokenize_batch(texts)
        c.tick("tokenization")
        order = np.argsort([len(t) for t in toks], kind="stable")
        n_batches = 0
        for s in range(0, len(order), 32):
            rows = order[s:s + 32]
            c.tick("(python between stages)")
            ids_list = [toks[r].ids for r in rows]
            c.tick("ids, positions")
            pooled = fn(w, ids_list, c)
            tr.unit_rows(pooled)
            c.tick("pooling")
            n_batches += 1
        c.t["total"] = time.perf_counter() - t0
        runs.append(c.t)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    return med, med["total"], n_batches


def gemm_rate(m: int, k: int, n: int, repeat: int = 30) -> tuple[float, float]:
    a = np.random.default_rng(0).normal(size=(m, k)).astype(np.float32)
    b = np.random.default_rng(1).normal(size=(k, n)).astype(np.float32)
    out = np.empty((m, n), np.float32)
    np.matmul(a, b, out=out)
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        np.matmul(a, b, out=out)
        ts.append(time.perf_counter() - t)
    flops = 2.0 * m * k * n
    return flops / statistics.median(ts) / 1e9, flops / min(ts) / 1e9


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2, help="BLAS threads (1: one stream of encode_sentences' "
                    "two, each batch on one core)")
    ap.add_argument("--path", default="packed,fused", help="comma-separated: packed (session 3's pass), "
                    "fused (now)")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    from bench_encoder import sentences

    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    texts = sentences(args.n)
    lens = sorted(len(t) for t in tr.tokenize_batch(texts))
    tr.load_weights()
    tr.warm_up(wait=True)
    tr.encode_sentences(texts[:64])
    batch_tokens = [sum(lens[s:s + 32]) for s in range(0, len(lens), 32)]
    m = int(np.median(batch_tokens))
    print(f"{len(texts)} sentences, {sum(lens)} tokens, batches of 32: {min(batch_tokens)}-{max(batch_tokens)} "
          f"tokens (median {m})")
    with threadpool_limits(args.threads):
        fns = {"packed": profile_packed, "fused": profile_fused}
        for name in args.path.split(","):
            fn = fns[name]
            stage_table(texts[:64], fn, 1)
            med, total, nb = stage_table(texts, fn, args.repeats)
            print(f"\n[{name}] {len(texts) / total:.0f} sentences/s; per batch of 32 (mean of {nb}), ms:")
            for k, v in sorted(med.items(), key=lambda kv: -kv[1]):
                if k != "total":
                    print(f"  {k:48s} {1e3 * v / nb:7.2f}  {100 * v / total:5.1f}%")
            print(f"  {'total':48s} {1e3 * total / nb:7.2f}")
        print(f"\nBLAS sgemm, {args.threads} thread(s), float32 (GFLOP/s median / best of 30), M = {m} tokens:")
        d, f = 384, 1536
        for label, shape in [("QKV     M x 384 @ 384 x 1152", (m, d, 3 * d)),
                             ("out     M x 384 @ 384 x 384", (m, d, d)),
                             ("FFN up  M x 384 @ 384 x 1536", (m, d, f)),
                             ("FFN dn  M x 1536 @ 1536 x 384", (m, f, d)),
                             ("floor   1024 x 384 @ 384 x 1536", (1024, d, f)),
                             ("square  1024 x 1024 @ 1024 x 1024", (1024, 1024, 1024))]:
            med_r, best_r = gemm_rate(*shape)
            print(f"  {label:36s} {med_r:6.0f} / {best_r:6.0f}")
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
