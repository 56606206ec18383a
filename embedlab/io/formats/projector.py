"""The Embedding Projector's ``metadata.tsv``, read by the Projector's rules (see the package notes)."""
from __future__ import annotations

from pathlib import Path

from ...core.errors import EmbeddingFormatError
from ._input import _is_number, _read_text_lines

_TOKEN_NAMES = ("token", "word", "label", "name")


def _convert_column(values: list[str]) -> tuple:
    """A metadata column as ints if every present value is one, else floats if all are, else strings; "" is None.

    >>> _convert_column(["1", "", "3"]), _convert_column(["1", "2.5"]), _convert_column(["a", ""])
    ((1, None, 3), (1.0, 2.5), ('a', None))
    """
    present = [v for v in values if v != ""]
    for kind in (int, float) if present else ():
        try:
            it = iter([kind(v) for v in present])
        except ValueError:
            continue
        return tuple(next(it) if v != "" else None for v in values)
    return tuple(v if v != "" else None for v in values)


def _read_metadata(source, filename: str | None, n: int):
    """Tokens and extra columns from a Projector metadata.tsv, by the Projector's rules."""
    lines, name = _read_text_lines(source, filename, "metadata file")
    rows = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() != ""]  # the Projector skips blank lines
    if not rows:
        raise EmbeddingFormatError("the metadata file is empty", path=name)
    header_ln, first = rows[0]
    if "\t" not in first:
        # one column: no header line, each line is a label
        if len(rows) != n:
            hint = (" (a one-column metadata file has no header line: remove the first line)"
                    if len(rows) == n + 1 else "")
            raise EmbeddingFormatError(
                f"the metadata has {len(rows):,} labels but vectors.tsv has {n:,} rows{hint}",
                path=name, line=rows[min(len(rows), n) - 1][0] if len(rows) > n else None)
        return [ln.strip("\r") for _, ln in rows], {}, "label", name
    names = first.split("\t")
    data = rows[1:]
    if len(data) != n:
        raise EmbeddingFormatError(
            f"the metadata has {len(data):,} rows after its header line but vectors.tsv has {n:,} rows",
            path=name, line=data[n][0] if len(data) > n else None)
    cols: list[list[str]] = [[] for _ in names]
    for ln, text in data:
        vals = text.split("\t")
        if len(vals) > len(names):
            raise EmbeddingFormatError(f"{len(vals)} fields but the header line has {len(names)} columns",
                                       path=name, line=ln)
        for j in range(len(names)):
            cols[j].append(vals[j] if j < len(vals) else "")
    lowered = [c.strip().lower() for c in names]
    tok_j = next((lowered.index(k) for k in _TOKEN_NAMES if k in lowered), None)
    if tok_j is None:
        tok_j = next((j for j, c in enumerate(cols) if not all(_is_number(v) for v in c if v != "")), 0)
    tokens = cols[tok_j]
    for (ln, _), t in zip(data, tokens):
        if t.strip() == "":
            raise EmbeddingFormatError(f"empty token in column {names[tok_j]!r}", path=name, line=ln)
    meta = {}
    for j, c in enumerate(names):
        if j != tok_j:
            key = c.strip() or f"column {j + 1}"
            meta[key] = _convert_column(cols[j])
    return tokens, meta, names[tok_j].strip(), name


def _beside(path: Path, *candidates: str) -> Path | None:
    for c in candidates:
        p = path.with_name(c)
        if p.is_file() and p != path:
            return p
    return None


def _metadata_name_for(vectors_path: Path) -> str:
    stem = vectors_path.stem
    if "vectors" in stem:
        i = stem.rfind("vectors")
        return stem[:i] + "metadata" + stem[i + len("vectors"):] + ".tsv"
    return stem + "_metadata.tsv"
