"""The word2vec C tool's binary format: a ``<rows> <dim>`` header, then ``token<space>`` + little-endian float32."""
from __future__ import annotations

import sys

import numpy as np

from ._input import (_MAX_TOKEN_BYTES, _chunk_size, _Input, _parse_header, _Progress, _read_first_line,
                     _record_error)


def _read_w2v_binary(inp: _Input, progress: _Progress):
    line, consumed = _read_first_line(inp)
    count, dim = _parse_header(line, inp)
    rowbytes = 4 * dim
    expected = count
    if inp.size is not None:
        expected = min(count, (inp.size - consumed) // (rowbytes + 2) + 1)
    arr = np.empty((max(expected, 1), dim), dtype=np.float32)
    tokens: list[str] = []
    chunk_size = max(_chunk_size(inp), 4 * (rowbytes + 1024))
    buf = b""
    bview = memoryview(buf)
    out = memoryview(arr).cast("B")  # rows are copied byte for byte (little-endian float32 on disk)
    pos = 0
    base = consumed  # file offset of buf[0]
    eof = False
    i = 0
    while i < count:
        # make sure the buffer holds a whole record (token + space + vector), refilling as needed
        sp = buf.find(b" ", pos, pos + _MAX_TOKEN_BYTES)
        while (sp < 0 or sp + 1 + rowbytes > len(buf)) and not eof:
            data = inp.read(chunk_size)
            if not data:
                eof = True
            base += pos
            bview.release()
            buf = buf[pos:] + data
            bview = memoryview(buf)
            pos = 0
            sp = buf.find(b" ", 0, _MAX_TOKEN_BYTES)
        if sp < 0 or sp + 1 + rowbytes > len(buf):
            rest = buf[pos:]
            if not rest.strip(b"\n"):
                raise _record_error(f"the header announces {count:,} records but the file ends after {i:,}",
                                    inp, i + 1)
            if sp < 0:
                what = ("no space after the token" if len(rest) >= _MAX_TOKEN_BYTES
                        else "the file ends inside the token")
            else:
                what = f"the file ends inside the vector ({len(buf) - sp - 1} of {rowbytes} bytes)"
            raise _record_error(f"record {i + 1} (byte offset {base + pos:,}): {what}", inp, i + 1)
        raw_tok = buf[pos:sp].lstrip(b"\n")
        try:
            tok = raw_tok.decode("utf-8")
        except UnicodeDecodeError as e:
            raise _record_error(f"record {i + 1} (byte offset {base + pos:,}): the token is not UTF-8 "
                                f"(byte 0x{raw_tok[e.start]:02x}); not a word2vec binary file, or not UTF-8",
                                inp, i + 1) from None
        if not tok or tok.strip() == "":
            raise _record_error(f"record {i + 1} (byte offset {base + pos:,}): empty token", inp, i + 1)
        if i >= arr.shape[0]:
            out.release()
            arr.resize((min(count, int(arr.shape[0] * 1.25) + 1024), dim), refcheck=False)
            out = memoryview(arr).cast("B")
        o = i * rowbytes
        out[o:o + rowbytes] = bview[sp + 1:sp + 1 + rowbytes]
        tokens.append(tok)
        pos = sp + 1 + rowbytes
        i += 1
        if i % 8192 == 0:
            progress.bytes(base + pos)
            if not np.isfinite(arr[i - 8192:i]).all():
                _raise_nonfinite(arr, tokens, i - 8192, i, inp)
    # anything after the last record other than newlines is more data than announced
    tail = buf[pos:]
    more = tail.strip(b"\n\r \t")
    if not more and not eof:
        extra = inp.read(1 << 16)
        more = extra.strip(b"\n\r \t")
    if more:
        raise _record_error(f"the header announces {count:,} records but there is more data after record {count:,} "
                            f"(byte offset {base + pos:,})", inp, count + 1)
    out.release()
    bview.release()
    start = (i // 8192) * 8192
    if not np.isfinite(arr[start:i]).all():
        _raise_nonfinite(arr, tokens, start, i, inp)
    if arr.shape[0] != i:
        arr.resize((i, dim), refcheck=False)
    if sys.byteorder != "little":  # pragma: no cover - the data is little-endian on disk
        arr = arr.byteswap()
    return tokens, arr, {"header": (count, dim), "blank": 0, "spaced": 0, "labelled": True}


def _raise_nonfinite(arr: np.ndarray, tokens: list[str], lo: int, hi: int, inp: _Input):
    bad = lo + int(np.flatnonzero(~np.isfinite(arr[lo:hi]).all(axis=1))[0])
    raise _record_error(f"record {bad + 1} (token {tokens[bad]!r}) has NaN or infinite values; vectors must be "
                        "finite", inp, bad + 1)
