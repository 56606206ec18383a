"""Text vector files (word2vec text, fastText ``.vec``, GloVe, Projector ``vectors.tsv``), read streaming.

Chunks of at most 16 MB go to a bulk parser (pandas' C reader) and, where it refuses, to an
exact line-by-line parser that names the line of any problem; rows land in one preallocated
float32 array that grows when needed.
"""
from __future__ import annotations

import io
import re
import warnings

import numpy as np

from ._input import (MAX_DIM, MAX_VALUE_CHARS, _SNIFF_BYTES, _check_limits, _chunk_size, _decode_line, _error,
                     _Input, _is_number, _parse_header, _Progress, _read_first_line, max_line_bytes)

_WS = re.compile(r"[ \t\r\x0b\x0c]+")
_WS_CHARS = " \t\r\x0b\x0c"


class _Rows:
    """Rows of a float32 (n, dim) array filled in blocks; grows by realloc when needed."""

    def __init__(self, dim: int, expected: int):
        self.dim = dim
        self.arr = np.empty((max(int(expected), 1), dim), dtype=np.float32)
        self.n = 0
        self.tokens: list[str] = []

    def _ensure(self, extra: int) -> None:
        need = self.n + extra
        if need > self.arr.shape[0]:
            new = max(need, int(self.arr.shape[0] * 1.25) + 1024)
            self.arr.resize((new, self.dim), refcheck=False)

    def add(self, tokens: list[str], values: np.ndarray) -> None:
        k = len(tokens)
        self._ensure(k)
        self.arr[self.n:self.n + k] = values
        self.n += k
        self.tokens.extend(tokens)

    def finish(self) -> np.ndarray:
        if self.arr.shape[0] != self.n:
            self.arr.resize((max(self.n, 0), self.dim), refcheck=False)
        return self.arr



class _TextSpec:
    """How rows of a text format look."""

    def __init__(self, fmt: str, dim: int, *, labelled: bool = True, dim_source: str = ""):
        self.fmt = fmt
        self.tab = fmt == "projector-tsv"
        self.dim = dim
        self.labelled = labelled  # the first field is the token
        self.dim_source = dim_source
        self.trailing_sep: bool | None = None  # lines end with a separator (word2vec C tool style)



def _split_fields(text: str, spec: _TextSpec) -> list[str]:
    if spec.tab:
        return [f.strip() for f in text.strip().split("\t")]
    return _WS.split(text.strip(_WS_CHARS))


def _parse_line(text: str, ln: int, spec: _TextSpec, inp: _Input) -> tuple[str | None, list[str], bool]:
    """Token (None if unlabelled), value strings, and whether the token had spaces."""
    fields = _split_fields(text, spec)
    d = spec.dim
    need = d + (1 if spec.labelled else 0)
    spaced = False
    if len(fields) < need or (len(fields) > need and not (spec.labelled and not spec.tab)):
        got = len(fields) - (1 if spec.labelled else 0)
        raise _error(f"ragged row: {got} values, expected {d}{spec.dim_source}", inp, line=ln)
    if len(fields) > need:
        if _is_number(fields[-d - 1]):
            got = len(fields) - 1
            raise _error(f"ragged row: {got} values, expected {d}{spec.dim_source}", inp, line=ln)
        token = " ".join(fields[:-d])
        spaced = True
        vals = fields[-d:]
    elif spec.labelled:
        token, vals = fields[0], fields[1:]
    else:
        token, vals = None, fields
    if token is not None and token == "":
        raise _error("empty token", inp, line=ln)
    return token, vals, spaced


def _to_floats(vals: list[str], ln: int, inp: _Input, out: np.ndarray) -> None:
    with np.errstate(all="ignore"):  # values too large for float32 become inf, reported below
        for j, v in enumerate(vals):
            try:
                out[j] = float(v)
            except (ValueError, OverflowError):
                raise _error(f"value {j + 1} ({v[:40]!r}) is not a number", inp, line=ln) from None
    if not np.isfinite(out).all():
        j = int(np.flatnonzero(~np.isfinite(out))[0])
        raise _error(f"value {j + 1} ({vals[j][:40]!r}) is NaN or infinite (or too large for float32); "
                     "vectors must be finite", inp, line=ln)


def _parse_chunk_slow(chunk: bytes, first_ln: int, spec: _TextSpec, inp: _Input):
    lines = chunk.split(b"\n")
    if chunk.endswith(b"\n"):
        lines.pop()
    vals = np.empty((len(lines), spec.dim), dtype=np.float32)
    toks: list = []
    blank = spaced = 0
    k = 0
    for i, raw in enumerate(lines):
        ln = first_ln + i
        text = _decode_line(raw, ln, inp)
        if not text.strip():
            blank += 1
            continue
        token, sv, sp = _parse_line(text, ln, spec, inp)
        _to_floats(sv, ln, inp, vals[k])
        toks.append(token)
        spaced += sp
        k += 1
    return toks, vals[:k], blank, spaced


def _parse_chunk_fast(chunk: bytes, spec: _TextSpec):
    """Bulk-parse a chunk with pandas' C reader; None if anything is unusual (then the slow path decides)."""
    if not chunk or chunk.startswith((b"\n", b"\r\n")) or b"\n\n" in chunk or b"\n\r\n" in chunk:
        return None
    import pandas as pd

    sep = "\t" if spec.tab else " "
    d = spec.dim
    lab = 1 if spec.labelled else 0
    nl = chunk.find(b"\n")
    first = chunk if nl < 0 else chunk[:nl]
    trailing = first.rstrip(b"\r").endswith(sep.encode())
    ncols = d + lab + (1 if trailing else 0)
    dtype: dict = {i: np.float32 for i in range(lab, lab + d)}
    if lab:
        dtype[0] = object
    if trailing:
        dtype[ncols - 1] = object
    expected = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            df = pd.read_csv(io.BytesIO(chunk), sep=sep, header=None, dtype=dtype, quoting=3, na_filter=False,
                             engine="c", encoding="utf-8", comment=None, doublequote=False, escapechar=None,
                             index_col=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, IndexError, TypeError, OverflowError):
        return None
    if df.shape != (expected, ncols):
        return None
    if trailing:
        tail = df.iloc[:, ncols - 1]
        if not tail.isin(["", "\r"]).all():
            return None
    values = df.iloc[:, lab:lab + d].to_numpy(dtype=np.float32)
    if values.dtype != np.float32 or not np.isfinite(values).all():
        return None
    if lab:
        toks = df.iloc[:, 0].tolist()
        if not all(type(t) is str for t in toks) or "" in toks:
            return None
        if spec.tab:
            toks = [t.strip() for t in toks]
            if "" in toks:
                return None
        else:
            joined = "".join(toks)
            if "\r" in joined or "\t" in joined or "\x0b" in joined or "\x0c" in joined:
                return None
    else:
        toks = [None] * len(values)
    return toks, values


def _parse_piece(chunk: bytes, first_ln: int, spec: _TextSpec, inp: _Input, depth: int = 0):
    """Fast path for the chunk; if it refuses, halve the chunk so that a few odd lines (blank lines,
    GloVe tokens with spaces) send only small pieces to the exact line-by-line parser."""
    res = _parse_chunk_fast(chunk, spec)
    if res is not None:
        return res[0], res[1], 0, 0
    nl = chunk.count(b"\n")
    if nl <= 256 or depth >= 16:
        return _parse_chunk_slow(chunk, first_ln, spec, inp)
    mid = chunk.find(b"\n", len(chunk) // 2) + 1
    if mid <= 0 or mid >= len(chunk):
        return _parse_chunk_slow(chunk, first_ln, spec, inp)
    left, right = chunk[:mid], chunk[mid:]
    t1, v1, b1, s1 = _parse_piece(left, first_ln, spec, inp, depth + 1)
    t2, v2, b2, s2 = _parse_piece(right, first_ln + left.count(b"\n"), spec, inp, depth + 1)
    return t1 + t2, np.concatenate([v1, v2]), b1 + b2, s1 + s2


def _line_too_long(inp: _Input, line: int, length: int, spec: "_TextSpec") -> Exception:
    return _error(f"the line is longer than {max_line_bytes(spec.dim):,} bytes, the limit for {spec.dim:,} "
                  f"dimensions{spec.dim_source}: a token of up to 64 KB and up to {MAX_VALUE_CHARS} characters "
                  "per number", inp, line=line)


def _check_line_lengths(data: bytes, first_ln: int, limit: int, inp: _Input, spec: "_TextSpec") -> None:
    """Refuse a chunk with a line longer than ``limit`` bytes before anything parses it."""
    if len(data) <= limit:
        return
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    if ends.size and ends[-1] != len(data) - 1:
        ends = np.append(ends, len(data) - 1)
    elif not ends.size:
        ends = np.array([len(data) - 1])
    lengths = np.diff(ends, prepend=-1)
    worst = int(lengths.argmax())
    if lengths[worst] > limit + 1:                     # (+1: the newline itself)
        raise _line_too_long(inp, first_ln + worst, int(lengths[worst]) - 1, spec)


def _iter_chunks(inp: _Input, chunk_size: int, first_ln: int, spec: "_TextSpec"):
    """Yield (chunk, first line number); every chunk but the last ends with a newline, and no line is
    longer than :func:`~embedlab.io.formats._input.max_line_bytes` of the dimension."""
    ln = first_ln
    limit = max_line_bytes(spec.dim)
    while True:
        data = inp.read(chunk_size)
        if not data:
            return
        if not data.endswith(b"\n"):
            more = inp.readline(limit + 2)
            if more:
                data += more
        _check_line_lengths(data, ln, limit, inp, spec)
        yield data, ln
        ln += data.count(b"\n")


def _read_text(inp: _Input, fmt: str, progress: _Progress):
    """Read word2vec-text / glove / projector-tsv rows. Returns (tokens or None, array, info dict)."""
    info = {"header": None, "blank": inp.blank_lines, "spaced": 0, "labelled": True}
    consumed = 0
    first_ln = 1 + inp.blank_lines
    count = None
    if fmt == "word2vec-text":
        line, consumed = _read_first_line(inp)
        count, dim = _parse_header(line, inp)
        info["header"] = (count, dim)
        spec = _TextSpec(fmt, dim, dim_source=f" (from the header on line {first_ln})")
        first_ln += 1
    else:
        spec = _sniff_text_spec(inp, fmt)
    dim = spec.dim
    if count is not None:
        expected = count
        if inp.size is not None:  # a lying header must not make us allocate more than the file can hold
            expected = min(count, (inp.size - consumed) // (2 * dim) + 1)
    elif inp.size is not None:
        expected = _estimate_rows(inp, spec)
    else:
        expected = 1024
    rows = _Rows(dim, expected)
    chunk_size = _chunk_size(inp)
    last_ln = first_ln - 1
    for chunk, ln in _iter_chunks(inp, chunk_size, first_ln, spec):
        toks, vals, blank, spaced = _parse_piece(chunk, ln, spec, inp)
        info["blank"] += blank
        info["spaced"] += spaced
        if count is not None and rows.n + len(toks) > count:
            bad = _line_of_row(chunk, ln, count - rows.n)
            raise _error(f"the header announces {count:,} rows but there are more: this line would be row "
                         f"{count + 1:,}", inp, line=bad)
        rows.add(toks, vals)
        consumed += len(chunk)
        last_ln = ln + chunk.count(b"\n") - (1 if chunk.endswith(b"\n") else 0)
        progress.bytes(consumed)
    if rows.n == 0:
        raise _error("no vectors found (only a header or blank lines)", inp, line=last_ln + 1)
    if count is not None and rows.n < count:
        raise _error(f"the header announces {count:,} rows but the file ends after {rows.n:,}", inp,
                     line=last_ln + 1)
    arr = rows.finish()
    tokens = rows.tokens if spec.labelled else None
    info["labelled"] = spec.labelled
    return tokens, arr, info


def _line_of_row(chunk: bytes, first_ln: int, k: int) -> int:
    """Line number of the k-th (0-based) non-blank line of a chunk."""
    seen = 0
    for i, raw in enumerate(chunk.split(b"\n")):
        if raw.strip():
            if seen == k:
                return first_ln + i
            seen += 1
    return first_ln


def _sniff_text_spec(inp: _Input, fmt: str) -> _TextSpec:
    """Dimension (and label column) of a header-less text file from its first lines."""
    head = inp.head()
    if head.startswith(b"\xef\xbb\xbf"):
        inp._pushback = inp._pushback[3:]
        head = head[3:]
    if b"\n" not in head and len(head) >= _SNIFF_BYTES:
        head = _whole_first_line(inp, fmt)
    lines = head.split(b"\n")
    if len(head) >= _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]
    sample = []
    for i, raw in enumerate(lines[:200]):
        text = _decode_line(raw, i + 1 + inp.blank_lines, inp)
        if text.strip():
            sample.append((i + 1 + inp.blank_lines, text))
    if not sample:
        raise _error("the file is empty" if not head else "no vectors found (only blank lines)", inp, line=1)
    tab = fmt == "projector-tsv"
    probe = _TextSpec(fmt, 1)
    if tab:
        ln0, text0 = sample[0]
        fields = _split_fields(text0, probe)
        labelled = not _is_number(fields[0])
        dim = len(fields) - (1 if labelled else 0)
        source = f" (like line {ln0})"
    else:
        counts: dict[int, int] = {}
        for _, text in sample:
            n = len(_split_fields(text, probe)) - 1
            counts[n] = counts.get(n, 0) + 1
        dim = max(counts, key=lambda n: (counts[n], -n))
        labelled = True
        source = f" (like most of the first {len(sample)} lines)" if len(sample) > 1 else " (like line 1)"
    if dim < 1:
        raise _error(f"the first line has no numbers after the token: not a {fmt} file", inp, line=sample[0][0])
    _check_limits(None, dim, inp, line=sample[0][0])
    return _TextSpec(fmt, dim, labelled=labelled, dim_source=source)


def _whole_first_line(inp: _Input, fmt: str) -> bytes:
    """The first line when it is longer than the 64 KB head (read up to the longest line of a file of
    :data:`~embedlab.io.formats._input.MAX_DIM` dimensions), its fields counted before anything parses it."""
    limit = max_line_bytes(MAX_DIM)
    head = inp.head(limit + 1)
    nl = head.find(b"\n")
    line = head if nl < 0 else head[:nl]
    if nl < 0 and len(head) > limit:
        raise _error(f"the first line is longer than {limit:,} bytes, the longest line of a file of {MAX_DIM:,} "
                     "dimensions", inp, line=1 + inp.blank_lines)
    fields = len(line.split(b"\t" if fmt == "projector-tsv" else None))
    _check_limits(None, max(fields - 1, 1), inp, line=1 + inp.blank_lines)
    return head[:nl + 1] if nl >= 0 else head


def _estimate_rows(inp: _Input, spec: _TextSpec) -> int:
    """Rows to allocate first: from the non-blank lines of the first 64 KB, but never more than the
    file could hold (a row takes at least ``2 * dim + 1`` bytes: so the array is at most twice the
    file's size, whatever blank lines fool the estimate); the array grows if the estimate is short."""
    if inp.size is None:
        return 1024
    most = inp.size // (2 * spec.dim + 1) + 1
    head = inp.head()
    body = head[:head.rfind(b"\n") + 1]
    lines = [ln for ln in body.split(b"\n") if ln.strip()]
    if not lines:
        return min(1024, most)
    per_line = sum(len(ln) + 1 for ln in lines) / len(lines)
    return min(int(inp.size / per_line * 1.02) + 16, most)
