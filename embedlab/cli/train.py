"""``python -m embedlab train CORPUS --out FILE``: train word2vec or fastText from the shell.

CORPUS is a ``.txt``/``.md``/``.cor``, ``.csv``/``.tsv`` (``--text-column``) or ``.zip`` file, or
the name of a built-in corpus (``toy``, ``lee``) when no such file exists. FILE is written in
word2vec text format unless its extension names another format (``.bin`` word2vec binary,
``.tsv`` Embedding Projector, ``.npy`` NumPy + vocabulary). Defaults are gensim's (100 dimensions,
window 5, 5 epochs, min_count 5, CBOW with negative sampling). A progress bar (one step per
epoch, with the loss where gensim reports it) is drawn on stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["add_train_arguments", "run_train"]

_FORMAT_EXTENSIONS = (".txt", ".vec", ".bin", ".tsv", ".npy")


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``train`` subcommand's arguments to ``p``."""
    p.add_argument("corpus", metavar="CORPUS",
                   help="corpus file (.txt .md .cor .csv .tsv .zip) or a built-in corpus: toy, lee")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="output vectors; word2vec text unless the extension is .bin, .tsv or .npy")
    p.add_argument("--model", choices=("word2vec", "fasttext"), default="word2vec", help="default word2vec")
    p.add_argument("--sg", action="store_true", help="skip-gram (default CBOW)")
    p.add_argument("--hs", action="store_true", help="hierarchical softmax (default negative sampling)")
    p.add_argument("--negative", type=int, default=5, help="negative samples (default 5)")
    p.add_argument("--dim", type=int, default=100, help="vector size (default 100)")
    p.add_argument("--window", type=int, default=5, help="context window (default 5)")
    p.add_argument("--epochs", type=int, default=5, help="passes over the corpus (default 5)")
    p.add_argument("--min-count", type=int, default=5, help="ignore rarer words (default 5)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--workers", type=int, default=3, help="threads (default 3; use 1 for reproducible runs)")
    p.add_argument("--text-column", metavar="NAME", help="CSV/TSV column holding the text")
    p.add_argument("--keep-case", action="store_true", help="do not lowercase")
    p.add_argument("--keep-punctuation", action="store_true", help="keep punctuation marks as tokens")
    p.add_argument("--phrases", action="store_true", help="join frequent word pairs (gensim Phrases)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run_train(args: argparse.Namespace) -> int:
    """Run ``train``; returns the exit status. Errors are EmbedLabErrors (the caller prints them)."""
    from ..io.builtin_corpora import BUILTIN_CORPORA, builtin_corpus
    from ..io.corpus import TokenizeOptions, read_corpus
    from ..core.errors import InvalidParameterError
    from ..train.training import TrainParams, train

    out = Path(args.out).expanduser()
    if not out.parent.is_dir():
        raise InvalidParameterError(f"--out {str(out)!r}: the folder {str(out.parent)!r} does not exist")
    opts = TokenizeOptions(lowercase=not args.keep_case, strip_punctuation=not args.keep_punctuation,
                           phrases=args.phrases)
    params = TrainParams(model=args.model, sg=args.sg, hs=args.hs, negative=args.negative, vector_size=args.dim,
                         window=args.window, epochs=args.epochs, min_count=args.min_count, seed=args.seed,
                         workers=args.workers)
    src = Path(args.corpus).expanduser()
    if not src.exists() and args.corpus in BUILTIN_CORPORA:
        corpus = builtin_corpus(args.corpus, options=opts)
    else:
        corpus = read_corpus(src, text_column=args.text_column, options=opts)
    for note in corpus.notes:
        print(f"note: {note}", file=sys.stderr)

    from tqdm import tqdm

    bar = tqdm(total=params.epochs, unit="epoch", desc=f"training {params.model}", file=sys.stderr,
               disable=args.quiet, dynamic_ncols=True)

    def progress(rep) -> None:
        if rep.loss is not None:
            bar.set_postfix(loss=f"{rep.loss:,.0f}", refresh=False)
        bar.update(1)

    try:
        result = train(corpus, params, watch=(), progress=progress)
    finally:
        bar.close()
    es = result.embedding_set
    from ..io.formats import write_vectors, write_word2vec

    try:
        if out.suffix.lower() in _FORMAT_EXTENSIONS:
            files = [str(p) for p in write_vectors(es, out)]
        else:
            files = [str(write_word2vec(es, out))]
    except OSError as exc:
        raise InvalidParameterError(f"--out {str(out)!r}: cannot write ({exc.strerror or exc})") from None
    data = {"name": es.name, "size": len(es), "dim": es.dim, "out": files, "epochs": result.epochs_done,
            "losses": list(result.losses), "seconds": round(result.seconds, 3),
            "words_per_second": round(result.words_per_second), "corpus_tokens": result.corpus_tokens}
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(f"trained {len(es):,} words × {es.dim} dims on {corpus.name} ({result.corpus_tokens:,} tokens, "
              f"{result.epochs_done} epochs, {result.seconds:.1f} s, {result.words_per_second:,.0f} words/s); "
              f"wrote {', '.join(files)}")
    return 0
