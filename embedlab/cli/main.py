"""The ``python -m embedlab`` command line.

Every subcommand takes ``--set NAME`` (default ``minilm-words``) or ``--file PATH``, and
``--json`` for machine-readable output. A user error (unknown token, set or file, bad
parameter) prints one line on stderr and exits with status 1; argparse usage errors exit 2.

Subcommands are registered in :data:`COMMANDS`: a name, a help line, a function that adds the
subcommand's own arguments to its parser, and a function ``run(args) -> int``. Adding one is a
one-line edit of that table (see the comment there).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

from ..core.errors import EmbedLabError, InvalidParameterError

__all__ = ["main", "build_parser", "COMMANDS", "Command"]

PROG = "python -m embedlab"


class Command(NamedTuple):
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# -- helpers ----------------------------------------------------------------------------------------
def load_set(args: argparse.Namespace):
    """The EmbeddingSet chosen by ``--set`` / ``--file`` (default: the built-in default set)."""
    import embedlab

    if getattr(args, "file", None):
        path = Path(args.file).expanduser()
        if not path.exists():
            raise InvalidParameterError(f"--file {args.file!r}: no such file")
        if not path.is_file():
            raise InvalidParameterError(f"--file {args.file!r}: not a regular file (a folder, a pipe or a device)")
        columns = {k: getattr(args, k, None) for k in ("vector_column", "label_column")}
        return embedlab.load(path, **{k: v for k, v in columns.items() if v is not None})
    if getattr(args, "vector_column", None) or getattr(args, "label_column", None):
        raise InvalidParameterError("--vector-column and --label-column go with --file (a Parquet or Arrow table)")
    return embedlab.load(args.set or embedlab.DEFAULT_SET)


def _emit(args: argparse.Namespace, data, text: str) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, allow_nan=False))
    else:
        print(text)


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _table(rows: Sequence[Sequence], headers: Sequence[str]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _neighbors_out(args: argparse.Namespace, result, title: str) -> int:
    data = [{"token": n.token, "score": float(n.score)} for n in result]
    rows = [(i, n.token, f"{n.score:.4f}") for i, n in enumerate(result, 1)]
    _emit(args, data, title + "\n" + _table(rows, ["#", "token", "score"]))
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


# -- info ---------------------------------------------------------------------------------------------
def _add_info(p: argparse.ArgumentParser) -> None:
    pass


def _run_info(args: argparse.Namespace) -> int:
    es = load_set(args)
    meta = es.meta
    data = {"name": es.name, "size": len(es), "dim": es.dim, "origin": es.origin,
            "meta": sorted(meta), "fingerprint": es.fingerprint}
    if "kind" in meta:
        counts: dict[str, int] = {}
        for kd in meta["kind"]:
            counts[kd] = counts.get(kd, 0) + 1
        data["kinds"] = counts
    sample = ", ".join(es.tokens[:8])
    text = (f"name    {es.name}\nsize    {len(es):,} tokens\ndim     {es.dim}\norigin  {es.origin}\n"
            f"meta    {', '.join(sorted(meta)) or '-'}\nfirst   {sample}")
    if "kinds" in data:
        text += "\nkinds   " + ", ".join(f"{kd} {n:,}" for kd, n in data["kinds"].items())
    _emit(args, data, text)
    return 0


# -- neighbors ----------------------------------------------------------------------------------------
def _add_neighbors(p: argparse.ArgumentParser) -> None:
    p.add_argument("token", help="the token whose neighbours to list")
    p.add_argument("-k", type=_positive_int, default=10, help="number of neighbours (default 10)")
    p.add_argument("--metric", choices=("cosine", "euclidean"), default="cosine",
                   help="cosine similarity (default) or Euclidean distance")


def _run_neighbors(args: argparse.Namespace) -> int:
    es = load_set(args)
    res = es.neighbors(args.token, args.k, metric=args.metric)
    score = "cosine similarity" if args.metric == "cosine" else "Euclidean distance"
    return _neighbors_out(args, res, f"nearest to {args.token!r} in {es.name} ({score})")


# -- analogy ------------------------------------------------------------------------------------------
def _add_analogy(p: argparse.ArgumentParser) -> None:
    from ..space.analogy import METHODS

    p.add_argument("a", help="A in A:B :: C:?")
    p.add_argument("b", help="B in A:B :: C:?")
    p.add_argument("c", help="C in A:B :: C:?")
    p.add_argument("--method", choices=METHODS, default="3cosadd", help="scoring (default 3cosadd)")
    p.add_argument("-k", type=_positive_int, default=10, help="number of answers (default 10)")
    p.add_argument("--keep-inputs", action="store_true",
                   help="allow A, B and C as answers (by default they are left out, as gensim does)")


def _run_analogy(args: argparse.Namespace) -> int:
    from ..space.analogy import analogy

    es = load_set(args)
    res = analogy(es, args.a, args.b, args.c, k=args.k, method=args.method, exclude_inputs=not args.keep_inputs)
    return _neighbors_out(args, res, f"{args.a} : {args.b} :: {args.c} : ?   ({args.method}, {es.name})")


# -- project ------------------------------------------------------------------------------------------
def _add_project(p: argparse.ArgumentParser) -> None:
    p.add_argument("--method", choices=("pca", "umap", "tsne"), default="pca", help="default pca")
    p.add_argument("--dims", type=int, choices=(2, 3), default=2, help="2 or 3 (default 2)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", required=True, help="CSV file to write: token, x, y[, z]")
    p.add_argument("--no-cache", action="store_true", help="recompute even if a cached result exists")


def _run_project(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser()
    if not out.parent.is_dir():
        raise InvalidParameterError(f"--out {args.out!r}: the folder {str(out.parent)!r} does not exist")
    es = load_set(args)
    from ..io.csv_safe import csv_cell
    from ..space.projection import project

    proj = project(es, method=args.method, dims=args.dims, seed=args.seed, cache=not args.no_cache)
    axes = ["x", "y", "z"][: args.dims]
    try:
        with open(out, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["token", *axes])
            for tok, row in zip(es.tokens, proj.coords.tolist()):
                w.writerow([csv_cell(tok), *(repr(float(v)) for v in row)])
    except OSError as exc:
        raise InvalidParameterError(f"--out {args.out!r}: cannot write ({exc.strerror or exc})") from None
    evr = getattr(proj, "explained_variance_ratio", None)
    evr_list = None if evr is None else [float(v) for v in evr]
    data = {"out": str(out), "method": args.method, "dims": args.dims, "size": len(es),
            "explained_variance_ratio": evr_list}
    text = f"wrote {len(es):,} points ({args.method}, {args.dims}-D) to {out}"
    if evr_list:
        text += "\nexplained variance: " + ", ".join(f"{v:.1%}" for v in evr_list)
    _emit(args, data, text)
    return 0


# -- evaluate -----------------------------------------------------------------------------------------
def _add_evaluate(p: argparse.ArgumentParser) -> None:
    from ..space.analogy import METHODS

    p.add_argument("--analogies", metavar="PATH", help="questions-words file (default: gensim's)")
    p.add_argument("--pairs", metavar="PATH", action="append",
                   help="word-pair file, repeatable (default: gensim's wordsim353.tsv and simlex999.txt)")
    p.add_argument("--method", choices=METHODS, default="3cosadd", help="analogy scoring (default 3cosadd)")
    p.add_argument("--restrict-vocab", type=_positive_int, default=300000,
                   help="use only the first N tokens, as gensim does (default 300000)")
    p.add_argument("--case-sensitive", action="store_true", help="do not fold case (gensim folds by default)")


def _run_evaluate(args: argparse.Namespace) -> int:
    from ..space.evaluation import evaluate_analogies, evaluate_word_pairs
    from ..io.gensim_data import default_pair_files

    from ..io.limits import check_regular
    from ..core.errors import EvaluationDataError

    for given in [args.analogies, *(args.pairs or [])]:   # before loading a set: a pipe is refused at once
        if given and Path(given).expanduser().exists():
            check_regular(given, role="word list file", error=EvaluationDataError)
    es = load_set(args)
    ci = not args.case_sensitive
    an = evaluate_analogies(es, args.analogies, method=args.method, restrict_vocab=args.restrict_vocab,
                            case_insensitive=ci)
    pair_files = [Path(p) for p in args.pairs] if args.pairs else default_pair_files()
    pairs = {f.name: evaluate_word_pairs(es, f, case_insensitive=ci, restrict_vocab=args.restrict_vocab)
             for f in pair_files}
    data = {
        "analogies": {"accuracy": an.accuracy, "correct": an.correct, "total": an.total, "skipped": an.skipped,
                      "method": an.method, "file": Path(an.path).name,
                      "sections": {name: s.accuracy for name, s in an.sections.items()}},
        "word_pairs": {name: {"spearman": _finite(r.spearman), "pearson": _finite(r.pearson),
                              "pairs_used": r.pairs_used, "pairs_skipped": r.pairs_skipped}
                       for name, r in pairs.items()},
    }
    rows = [(name, f"{s.accuracy:.1%}", f"{s.correct}/{s.total}", s.skipped) for name, s in an.sections.items()]
    rows.append(("TOTAL", f"{an.accuracy:.1%}", f"{an.correct}/{an.total}", an.skipped))
    prows = [(name, f"{r.spearman:.4f}", f"{r.pearson:.4f}", r.pairs_used, r.pairs_skipped) for name, r in pairs.items()]
    text = (f"analogies ({Path(an.path).name}, {an.method}) on {es.name}\n"
            + _table(rows, ["section", "accuracy", "correct", "skipped (OOV)"])
            + "\n\nword pairs\n" + _table(prows, ["file", "spearman", "pearson", "used", "skipped (OOV)"]))
    _emit(args, data, text)
    return 0


# -- convert ------------------------------------------------------------------------------------------
def _add_convert(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="IN OUT",
                   help="IN (a built-in set name or a vector file) and OUT; with --set/--file give only OUT. "
                        "The output format follows OUT's extension: .txt/.vec word2vec text, .bin word2vec binary, "
                        ".tsv Projector vectors + metadata, .npy array + vocabulary, .parquet / .arrow / .feather "
                        "a table (token, vector, metadata columns)")


def _run_convert(args: argparse.Namespace) -> int:
    import embedlab

    if len(args.paths) > 2:
        raise InvalidParameterError(f"convert takes IN OUT (or OUT with --set/--file), got {len(args.paths)} paths")
    if len(args.paths) == 2:
        if args.file or args.set:
            raise InvalidParameterError("give the input either as IN or with --set/--file, not both")
        columns = {k: getattr(args, k) for k in ("vector_column", "label_column") if getattr(args, k, None)}
        es = embedlab.load(args.paths[0], **columns)
    else:
        es = load_set(args)
    out = Path(args.paths[-1]).expanduser()
    if not out.parent.is_dir():
        raise InvalidParameterError(f"OUT {str(out)!r}: the folder {str(out.parent)!r} does not exist")
    from ..io.formats import write_vectors

    try:
        written = write_vectors(es, out)
    except OSError as exc:
        raise InvalidParameterError(f"OUT {str(out)!r}: cannot write ({exc.strerror or exc})") from None
    files = [str(p) for p in written] if isinstance(written, (list, tuple)) else [str(written or out)]
    data = {"name": es.name, "size": len(es), "dim": es.dim, "out": files}
    _emit(args, data, f"wrote {len(es):,} vectors of {es.dim} dims from {es.name} to {', '.join(files)}")
    return 0


# -- the table of subcommands ---------------------------------------------------------------------------
# To add a subcommand, append one Command(...) line here, e.g. for training:
#     Command("train", "train word2vec/fastText on a corpus", add_train_arguments, run_train),
# with `from .training import add_train_arguments, run_train` (keep heavy imports inside those functions).
from .train import add_train_arguments, run_train  # noqa: E402  (light: heavy imports are inside)

COMMANDS: list[Command] = [
    Command("info", "describe an embedding set", _add_info, _run_info),
    Command("neighbors", "nearest tokens to a token", _add_neighbors, _run_neighbors),
    Command("analogy", "solve A:B :: C:? (e.g. man king woman -> queen)", _add_analogy, _run_analogy),
    Command("project", "project to 2-D/3-D with PCA, UMAP or t-SNE and write a CSV", _add_project, _run_project),
    Command("evaluate", "Google analogies + WordSim353/SimLex-999 (gensim's rules)", _add_evaluate, _run_evaluate),
    Command("convert", "convert a set or vector file to another format", _add_convert, _run_convert),
    Command("train", "train word2vec/fastText on a corpus and write the vectors", add_train_arguments, run_train),
]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit status 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser with one subparser per :data:`COMMANDS` entry."""
    common = _Parser(add_help=False)
    src = common.add_mutually_exclusive_group()
    src.add_argument("--set", metavar="NAME", help="built-in set (default minilm-words)")
    src.add_argument("--file", metavar="PATH", help="vector file to load instead of a built-in set")
    common.add_argument("--vector-column", metavar="NAME",
                        help="Parquet/Arrow --file: the column of vectors (default: the list column named "
                             "embedding/vector/emb, or the only one)")
    common.add_argument("--label-column", metavar="NAME",
                        help="Parquet/Arrow --file: the column of labels (default: the one named "
                             "label/text/token/word/name, or the first text column)")
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser = _Parser(prog=PROG, description="EmbedLab: explore embedding spaces from the shell.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in COMMANDS:
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help, parents=[common])
        cmd.add_arguments(p)
        p.set_defaults(_run=cmd.run)
    return parser


def _one_line_warning(prefix: str):
    """A ``warnings.showwarning`` that prints ``<prefix>: warning: <message>`` on one line of stderr
    (Python's default adds the file, line number and source line of the library)."""
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{prefix}: warning: {' '.join(str(message).split())}", file=file or sys.stderr)
    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 user error, 2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    prefix = f"{PROG.split()[-1]} {args.command}"
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning(prefix)
            return int(args._run(args) or 0)
    except EmbedLabError as exc:
        msg = " ".join(str(exc).split())
        print(f"{PROG.split()[-1]} {args.command}: error: {msg}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head`
        return 0
