"""Which format a vector file is in, from its first bytes (the extension is only a hint)."""
from __future__ import annotations

from ._input import (_HEADER_SNIFF_RE, _NUL, _NUMPY_MAGIC, _SNIFF_BYTES, FORMATS, _error, _Input,
                     _is_number)
from .parquet import table_format

__all__ = ["detect_format"]


def _check_not_garbage(head: bytes, inp: _Input) -> None:
    if not head.strip():
        raise _error("the file is empty" if not head and not inp.blank_lines else "the file has only blank lines",
                     inp)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error("the file is UTF-16 text; save it as UTF-8", inp, line=1)
    if head.startswith(b"PK\x03\x04"):
        raise _error("this is a zip archive (perhaps an .npz); unzip it or save one array with np.save", inp)
    if head.startswith(b"\x1f\x8b") or head.startswith(b"BZh"):
        raise _error("this is a compressed file (gzip/bzip2); decompress it first", inp)
    if head.startswith(b"\xba\x16\x4f\x2f"):
        raise _error("this is a fastText model (.bin), not a vector file; load it with gensim's "
                     "load_facebook_vectors and save the vectors, or use the .vec file fastText writes beside it",
                     inp)
    if head.startswith(b"\x80") and b"gensim" in head[:200]:
        raise _error("this is a pickled gensim model; save its vectors with "
                     "model.wv.save_word2vec_format(path) and load that file", inp)


def _detect(head: bytes, inp: _Input, filename_hint: str = "") -> str:
    table = table_format(head)
    if table is not None:
        return table
    _check_not_garbage(head, inp)
    if head.startswith(_NUMPY_MAGIC):
        return "npy"
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    nl = body.find(b"\n")
    first = body if nl < 0 else body[:nl]
    m = _HEADER_SNIFF_RE.match(first)
    if m and int(m.group(1)) > 0 and int(m.group(2)) > 0:
        rest = body[nl + 1:] if nl >= 0 else b""
        dim = int(_HEADER_SNIFF_RE.match(first).group(2))
        sp = rest.find(b" ")
        if sp < 0:
            # too little to tell: a header and (at most) part of a token
            return "word2vec-binary" if filename_hint.endswith(".bin") else "word2vec-text"
        sample = rest[sp + 1: sp + 1 + min(64 * dim + 64, 16384)]
        if _looks_numeric_text(sample, dim):
            return "word2vec-text"
        return "word2vec-binary"
    if b"\r" in body and nl < 0 and body.count(b"\r") > 1:
        raise _error("the lines end with a lone CR (classic Mac OS line endings); save the file with LF or "
                     "CRLF line endings", inp, line=1)
    complete = body[:body.rfind(b"\n")] if nl >= 0 and len(body) >= _SNIFF_BYTES else body
    lines = [ln for ln in complete.split(b"\n")[:50] if ln.strip()]  # (the last line of a full head may be cut)
    if not lines:
        raise _error("the first line is longer than 64 KB; not a vector file", inp, line=1)
    if b"\x00" in head:
        sample = head[:4096]
        if len(sample) >= 8 and max(sample[0::2].count(0), sample[1::2].count(0)) >= 0.9 * (len(sample) // 2):
            raise _error("the file looks like UTF-16 text (every other byte is zero); save it as UTF-8", inp, line=1)
        raise _error(f"binary data (NUL byte at byte {head.index(_NUL)}); not a recognised vector file. "
                     f"Supported: {', '.join(FORMATS)}", inp)
    line = lines[0]
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if b"\t" in line:
        fields = line.strip().split(b"\t")
        if len(fields) >= 2 and sum(_is_number(x) for x in fields[1:]) >= len(fields[1:]) * 0.5:
            return "projector-tsv"
    fields = line.split()
    if len(fields) >= 2 and sum(_is_number(x) for x in fields[1:]) >= len(fields[1:]) * 0.5:
        return "glove"
    if len(fields) == 1 and _is_number(fields[0]) and b"\t" not in line:
        return "projector-tsv"  # one-dimensional numbers, one per line
    raise _error("not a recognised vector file: the first line is neither a word2vec header "
                 "('<rows> <dim>') nor a token followed by numbers"
                 + (" (a single column: perhaps a vocabulary or metadata file?)" if len(fields) == 1 else "")
                 + f". Supported formats: {', '.join(FORMATS)}", inp, line=1)


def _looks_numeric_text(sample: bytes, dim: int) -> bool:
    """Do the bytes after the first token look like text numbers (rather than raw float32)?"""
    allowed = set(b"0123456789+-.eE \t\r\nnaifNAIFtyTY")
    text_part = sample.split(b"\n", 1)[0]
    if not text_part.strip() or not all(b in allowed for b in text_part):
        return False
    # raw float bytes can look like digits by chance, but hardly as several space-separated fields
    return len(text_part.split()) >= min(dim, 2)


def detect_format(source, *, filename: str | None = None) -> str:
    """Guess the format of a vector file from its first bytes.

    Parameters
    ----------
    source : str, Path or binary file-like
        A file-like object is left at the position where it was.
    filename : str, optional
        Name for messages (and a hint where the content is ambiguous).

    Returns
    -------
    str
        One of :data:`FORMATS` or :data:`~embedlab.io.formats.parquet.TABLE_FORMATS`.

    Raises
    ------
    EmbeddingFormatError
        Empty, binary garbage, compressed, or no known format.

    >>> import io
    >>> detect_format(io.BytesIO(b"3 2\\na 1 2\\nb 3 4\\nc 5 6\\n"))
    'word2vec-text'
    """
    inp = _Input(source, filename)
    try:
        inp.skip_blank_lines()
        head = inp.head()
        return _detect(head, inp, (filename or inp.name).lower())
    finally:
        if not inp._own and inp.size is not None:
            inp.f.seek(inp.start)
        inp.close()
