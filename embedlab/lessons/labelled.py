"""Labelled data for the classification lesson: sentences or words with a label each (nothing downloaded).

* :func:`polarity_sentences`: gensim's ``pang_lee_polarity.cor``, 200 movie-review sentences, 100 tagged
  ``__label__pos`` and 100 ``__label__neg``;
* :func:`word_categories`: words of Google's analogy file ``questions-words.txt`` by category, taken
  from its sections (see :data:`WORD_CATEGORIES`);
* :func:`read_labelled_csv`: a CSV a user uploads, one item per row (a text and a label column),
  size-capped, with :class:`LabelledDataError` naming the row of a problem.

>>> data = LabelledData("toy", "words", ("a", "b", "c", "d"), ("x", "x", "y", "y"), source="hand-made")
>>> data.classes, data.counts()
(('x', 'y'), {'x': 2, 'y': 2})
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from ..core.validate import check_choice, invalid
from ..core.errors import LabelledDataError
from .uploads import read_table

logger = logging.getLogger(__name__)

__all__ = ["LabelledDataError", "LabelledData", "WORD_CATEGORIES", "KINDS", "MAX_LABELLED_BYTES",
           "MAX_LABELLED_ROWS", "MAX_CLASSES", "polarity_sentences", "word_categories", "read_labelled_csv"]


MAX_LABELLED_BYTES = 5 * 1024 * 1024   #: largest labelled CSV read
MAX_LABELLED_ROWS = 2_000              #: most labelled items (2,000 sentences encode in ~20 s on 2 cores)
MAX_CLASSES = 20                       #: most distinct labels
KINDS = ("sentences", "words")


WORD_CATEGORIES: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = {
    "country": (("capital-common-countries", (1, 3)), ("capital-world", (1, 3)), ("currency", (0, 2))),
    "capital": (("capital-common-countries", (0, 2)), ("capital-world", (0, 2))),
    "currency": (("currency", (1, 3)),),
    "us-state": (("city-in-state", (1, 3)),),
    "us-city": (("city-in-state", (0, 2)),),
    "family": (("family", (0, 1, 2, 3)),),
}
"""How each word category comes from the analogy file: category -> (section, word positions).

A question line ``athens greece baghdad iraq`` of ``capital-common-countries`` reads "a is to b as c is
to d": positions 0 and 2 are capitals, 1 and 3 their countries. ``currency`` lines are
``country currency country currency``, ``city-in-state`` lines ``city state city state``, and every
word of ``family`` is a family word (boy, girl, brother, sister, king, queen ...). Words are
lower-cased; a word found in two categories is dropped as ambiguous."""


@dataclass(frozen=True)
class LabelledData:
    """Items (sentences or words) and their labels, in file order."""

    name: str
    kind: str
    items: tuple[str, ...]
    labels: tuple[str, ...]
    source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def classes(self) -> tuple[str, ...]:
        """The distinct labels, sorted."""
        return tuple(sorted(set(self.labels)))

    def counts(self) -> dict[str, int]:
        """Items per class, in :attr:`classes` order."""
        c = Counter(self.labels)
        return {k: c[k] for k in self.classes}



# -- data ---------------------------------------------------------------------------------------
def polarity_sentences() -> LabelledData:
    """gensim's ``pang_lee_polarity.cor``: 200 movie-review sentences, 100 positive and 100 negative.

    >>> d = polarity_sentences()
    >>> len(d.items), d.counts()
    (200, {'neg': 100, 'pos': 100})
    """
    from ..io.corpus import decode_text
    from ..io.gensim_data import gensim_test_data_dir

    path = gensim_test_data_dir() / "pang_lee_polarity.cor"
    text, _ = decode_text(path.read_bytes(), name=path.name)   # not UTF-8: Windows-1252 dashes
    items, labels = [], []
    for line in text.splitlines():
        tag, _, text = line.strip().partition(" ")
        if tag.startswith("__label__") and text.strip():
            items.append(text.strip())
            labels.append(tag[len("__label__"):])
    return LabelledData("polarity", "sentences", tuple(items), tuple(labels),
                        source="gensim test data: pang_lee_polarity.cor (Pang & Lee movie-review sentences)")


def word_categories(categories: Sequence[str] | None = None) -> LabelledData:
    """Words of the Google analogy file by category (see :data:`WORD_CATEGORIES` for how).

    Parameters
    ----------
    categories : sequence of str, optional
        Some of :data:`WORD_CATEGORIES` (default: all).

    >>> d = word_categories(["family", "currency"])
    >>> d.counts()["family"] > 10, "dinar" in d.items
    (True, True)
    """
    from ..io.gensim_data import analogy_sections

    cats = list(WORD_CATEGORIES) if categories is None else [
        check_choice(c, "categories", WORD_CATEGORIES) for c in categories]
    if len(set(cats)) < 2:
        raise invalid("categories", categories, f"at least two of: {', '.join(WORD_CATEGORIES)}")
    sections = analogy_sections()
    found: dict[str, set[str]] = {}
    order: list[str] = []
    for cat in WORD_CATEGORIES:   # every category, so a word's ambiguity does not depend on the choice
        for section, positions in WORD_CATEGORIES[cat]:
            for q in sections.get(section, ()):
                for p in positions:
                    w = q[p].lower()
                    if w not in found:
                        order.append(w)
                    found.setdefault(w, set()).add(cat)
    ambiguous = [w for w in order if len(found[w]) > 1]
    items = [w for w in order if len(found[w]) == 1 and next(iter(found[w])) in cats]
    labels = [next(iter(found[w])) for w in items]
    shown = ", ".join(ambiguous[:8]) + (" …" if len(ambiguous) > 8 else "")
    notes = ((f"{len(ambiguous)} {'word' if len(ambiguous) == 1 else 'words'} found in two categories left out: "
              f"{shown}",) if ambiguous else ())
    logger.info("word categories %s: %d words (%d ambiguous left out)", cats, len(items), len(ambiguous))
    return LabelledData("word categories", "words", tuple(items), tuple(labels),
                        source="gensim test data: questions-words.txt sections", notes=notes)


def read_labelled_csv(source, *, filename: str | None = None, text_column: str | None = None,
                      label_column: str | None = None, kind: str = "sentences") -> LabelledData:
    """A labelled table a user uploads: one item per row, a text column and a label column.

    Parameters
    ----------
    source : str (the text), bytes, pathlib.Path or file-like
        A CSV/TSV file with a header line, at most :data:`MAX_LABELLED_BYTES` bytes and
        :data:`MAX_LABELLED_ROWS` rows.
    filename : str, optional
        Shown in messages.
    text_column, label_column : str, optional
        Default: columns named ``text`` and ``label`` if there are, else the first and second column.
    kind : {"sentences", "words"}

    Returns
    -------
    LabelledData

    Raises
    ------
    LabelledDataError
        Too large, unreadable, a column missing, a row without text or label (the row is named),
        fewer than two classes, a class with a single item, more than :data:`MAX_CLASSES` classes.

    >>> d = read_labelled_csv(b"text,label\\ngreat,pos\\nfine,pos\\nawful,neg\\nbad,neg\\n")
    >>> d.items, d.labels
    (('great', 'fine', 'awful', 'bad'), ('pos', 'pos', 'neg', 'neg'))
    """
    kind = check_choice(kind, "kind", KINDS)
    table = read_table(source, name=filename, max_bytes=MAX_LABELLED_BYTES, max_rows=MAX_LABELLED_ROWS,
                       error=LabelledDataError)
    name, header = table.name, list(table.header)

    def column(wanted: str | None, default_name: str, default_pos: int) -> int:
        if wanted is not None:
            if wanted not in header:
                raise LabelledDataError(f"no column {wanted!r}; the columns are: {', '.join(header)}", name=name)
            return header.index(wanted)
        lower = [h.lower() for h in header]
        if default_name in lower:
            return lower.index(default_name)
        if len(header) < 2:
            raise LabelledDataError("needs two columns (text and label); found one: "
                                    f"{header[0]!r}", name=name)
        return default_pos

    ti = column(text_column, "text", 0)
    li = column(label_column, "label", 1)
    if ti == li:
        raise LabelledDataError(f"the text and the label must be different columns (both {header[ti]!r})", name=name)
    items, labels = [], []
    for line, cells in table.rows:
        if max(ti, li) >= len(cells):
            raise LabelledDataError(f"has {len(cells)} cells; the {header[max(ti, li)]!r} column is missing",
                                    name=name, row=line)
        text, label = cells[ti], cells[li]
        if not text:
            raise LabelledDataError(f"the {header[ti]!r} cell is empty", name=name, row=line)
        if not label:
            raise LabelledDataError(f"the {header[li]!r} cell (the label) is empty", name=name, row=line)
        items.append(text)
        labels.append(label)
    counts = Counter(labels)
    if len(counts) < 2:
        raise LabelledDataError(f"only one class ({labels[0]!r}); a classifier needs at least two", name=name)
    if len(counts) > MAX_CLASSES:
        raise LabelledDataError(f"{len(counts)} different labels; the limit is {MAX_CLASSES}", name=name)
    single = sorted(c for c, n in counts.items() if n < 2)
    if single:
        raise LabelledDataError(f"class {single[0]!r} has a single item; each class needs at least two "
                                "(one to learn from, one to test on)", name=name)
    notes = (f"decoded as {table.encoding} (not UTF-8)",) if table.encoding == "cp1252" else ()
    return LabelledData(name, kind, tuple(items), tuple(labels),
                        source=f"{name}: column {header[ti]!r}, labels from {header[li]!r}", notes=notes)
