"""The evaluation and lesson data that ship with gensim (``gensim/test/test_data``), found and read.

Never copied into this repository and never downloaded: the folder is found from the installed gensim
package without importing it. Google's ``questions-words.txt`` (analogies by section),
``wordsim353.tsv`` and ``simlex999.txt`` (word pairs), the Lee corpus, ``pang_lee_polarity.cor``,
``poincare_hypernyms_large.tsv`` and small vector files live there.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Iterable

from ..core.errors import EvaluationDataError, ModelPackageMissingError
from .limits import MAX_EVAL_LINE_BYTES, MAX_TEXT_FILE_BYTES, open_regular

__all__ = ["Question", "gensim_test_data_dir", "default_analogy_file", "default_pair_files", "read_lines",
           "analogy_sections"]

Question = tuple[str, str, str, str]


def gensim_test_data_dir() -> Path:
    """The ``gensim/test/test_data`` folder of the installed gensim (found without importing gensim).

    Raises
    ------
    ModelPackageMissingError
        If gensim is not installed.
    """
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.origin:
        raise ModelPackageMissingError(
            "the default evaluation data ship with gensim, which is not installed. "
            "Install it with: python -m pip install gensim")
    return Path(spec.origin).parent / "test" / "test_data"


def default_analogy_file() -> Path:
    """gensim's copy of Google's ``questions-words.txt`` (19,544 questions in 14 sections)."""
    return gensim_test_data_dir() / "questions-words.txt"


def default_pair_files() -> list[Path]:
    """gensim's ``wordsim353.tsv`` and ``simlex999.txt``."""
    d = gensim_test_data_dir()
    return [d / "wordsim353.tsv", d / "simlex999.txt"]


def read_lines(path: Path) -> Iterable[tuple[int, str]]:
    """(1-based line number, text without the line break); decoding errors name the line.

    Only a regular file of at most :data:`~embedlab.io.limits.MAX_TEXT_FILE_BYTES` is read (a folder, a
    FIFO or a device such as ``/dev/zero`` is refused before it is opened), one line of at most
    :data:`~embedlab.io.limits.MAX_EVAL_LINE_BYTES` at a time.
    """
    if not os.path.lexists(path):
        raise EvaluationDataError("cannot open the file: no such file", path=str(path))
    fh = open_regular(path, role="word list file", max_bytes=MAX_TEXT_FILE_BYTES, name=str(path),
                      error=EvaluationDataError)
    with fh:
        no = 0
        while raw := fh.readline(MAX_EVAL_LINE_BYTES + 1):
            no += 1
            if len(raw) > MAX_EVAL_LINE_BYTES and not raw.endswith(b"\n"):
                raise EvaluationDataError(f"the line is longer than {MAX_EVAL_LINE_BYTES:,} bytes, the limit",
                                          line=no, path=str(path))
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise EvaluationDataError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                          line=no, path=str(path)) from None
            if "\x00" in text:
                raise EvaluationDataError("binary data (NUL byte); expected a text file", line=no, path=str(path))
            yield no, text.rstrip("\r\n")


def _read_analogies(path: Path) -> dict[str, list[Question]]:
    sections: dict[str, list[Question]] = {}
    current: list[Question] | None = None
    for no, line in read_lines(path):
        if line.startswith(": "):
            name = line[2:].strip()
            if not name:
                raise EvaluationDataError("empty section name after ': '", line=no, path=str(path))
            current = sections.setdefault(name, [])
            continue
        words = line.split()
        if not words:
            continue
        if current is None:
            raise EvaluationDataError(
                "a question before the first section header; the file must start with a line like "
                "': capital-common-countries'", line=no, path=str(path))
        if len(words) != 4:
            raise EvaluationDataError(
                f"expected 4 words (a b c expected), found {len(words)}: {line.strip()[:80]!r}",
                line=no, path=str(path))
        current.append((words[0], words[1], words[2], words[3]))
    if not any(sections.values()):
        raise EvaluationDataError("no analogy questions found (expected ': section' lines followed by "
                                  "lines of 4 words)", path=str(path))
    return sections


def analogy_sections(path: str | Path | None = None) -> dict[str, list[Question]]:
    """The questions of an analogy file, by section, in file order.

    Parameters
    ----------
    path : str or Path, optional
        A file in questions-words format (``: section`` lines, then ``a b c expected`` lines).
        Default: gensim's ``questions-words.txt``. Sections repeated in the file are merged.

    Returns
    -------
    dict of section name -> list of (a, b, c, expected)

    Raises
    ------
    EvaluationDataError
        Unreadable file, a question before any section, a line without exactly 4 words.

    >>> secs = analogy_sections()
    >>> len(secs), secs["family"][0]
    (14, ('boy', 'girl', 'brother', 'sister'))
    """
    return _read_analogies(Path(path) if path is not None else default_analogy_file())
