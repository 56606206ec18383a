"""NumPy ``.npy`` arrays (never unpickled; the header is checked before anything is allocated) and the
vocabulary file that names their rows."""
from __future__ import annotations

import io
import tokenize

import numpy as np

from ...core.errors import EmbeddingFormatError
from ._input import MAX_DIM, MAX_ROWS, _error, _Input, _Progress, _read_text_lines


_NPY_ERRORS = (ValueError, OSError, EOFError, TypeError, SyntaxError, OverflowError, MemoryError, KeyError,
               UnicodeDecodeError, tokenize.TokenError)


def _read_npy(inp: _Input, progress: _Progress) -> np.ndarray:
    from numpy.lib import format as npf

    if inp.rewind():
        # a path's file under its size cap: numpy reads the plain file directly (np.fromfile), since
        # the bytes read are bounded by the header's shape, checked against the size below
        f, size = getattr(inp.f, "raw_file", inp.f), inp.size
    else:  # a non-seekable stream: hold the bytes (np.load needs to seek)
        f = io.BytesIO(inp._pushback + inp._read_raw(-1))
        size = len(f.getvalue())
    start = f.tell()
    # check the header before np.load allocates anything
    try:
        version = npf.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = npf.read_array_header_1_0(f, max_header_size=10_000)
        else:
            shape, fortran, dtype = npf.read_array_header_2_0(f, max_header_size=10_000)
        data_start = f.tell() - start
    except _NPY_ERRORS as e:
        raise _error(f"not a readable .npy file: its header is damaged ({type(e).__name__}: {e})", inp) from None
    if dtype.hasobject:
        raise _error("the .npy file holds Python objects, which are never unpickled; "
                     "save a numeric array (np.save(path, vectors.astype('float32')))", inp)
    if dtype.kind not in "fiub" or dtype.names is not None or dtype.subdtype is not None:
        raise _error(f"the array has dtype {dtype}; a numeric (float or int) array is needed", inp)
    if len(shape) != 2:
        raise _error(f"the array has shape {shape}; a 2-D (rows, dim) array is needed", inp)
    n, d = shape
    if n < 1 or d < 1:
        raise _error(f"the array has shape {shape}; it needs at least one row and one column", inp)
    if d > MAX_DIM or n > MAX_ROWS:
        raise _error(f"the array has shape {shape}; the limits are {MAX_ROWS:,} rows and {MAX_DIM:,} dimensions",
                     inp)
    need = n * d * dtype.itemsize
    if size is not None and size - data_start < need:
        raise _error(f"the file is truncated: shape {shape} of {dtype} needs {need:,} bytes of data but only "
                     f"{size - data_start:,} follow the header", inp)
    f.seek(start)
    try:
        arr = np.load(f, allow_pickle=False)
    except _NPY_ERRORS as e:
        raise _error(f"not a readable .npy file ({type(e).__name__}: {e})", inp) from None
    with np.errstate(all="ignore"):
        out = np.ascontiguousarray(arr, dtype=np.float32)
    del arr
    finite = np.isfinite(out).all(axis=1)
    if not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        raise _error(f"row {bad + 1} has NaN or infinite values (or values too large for float32); "
                     "vectors must be finite", inp)
    progress(1.0)
    return out



def _read_vocab(source, filename: str | None, n: int) -> list[str]:
    lines, name = _read_text_lines(source, filename, "vocabulary file")
    if len(lines) != n:
        raise EmbeddingFormatError(
            f"the vocabulary has {len(lines):,} lines but the array has {n:,} rows; "
            "one token per line is needed, in row order", path=name,
            line=min(len(lines), n) + 1)
    for i, t in enumerate(lines):
        if t.strip() == "":
            raise EmbeddingFormatError("empty token (blank line) in the vocabulary", path=name, line=i + 1)
    return lines
