"""Guided lessons: a lesson is a plain data file (YAML or JSON) of steps, each opening one page of
the app with its URL parameters, one or two sentences of narration and, optionally, a question asked
before the page shows its result ("predict, then reveal").

A lesson file::

    title: What is an embedding?
    steps:
      - title: Similarity and neighbours
        page: Neighbours              # a url_path of the app's page table
        params: {q: king}             # that page's own URL parameters
        text: Words used alike get vectors pointing the same way.
        question:                     # optional
          kind: nearest               # nearest | analogy | map
          word: king
          options: [queen, apple, car, river]

The right answer of a question is never written in the file: it is computed from the set
(:func:`check_choice`, :func:`check_click`). Files are read with ``yaml.safe_load`` only (JSON is
accepted too); a malformed file raises :class:`~embedlab.core.errors.LessonFileError` naming the
step and the field. This module knows nothing of Streamlit: the app passes its page table as
``pages`` (``{url_path: names of the page's URL parameters}``).
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Mapping, Sequence
from urllib.parse import urlencode

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import LessonFileError

__all__ = ["Question", "Step", "Lesson", "Answer", "KINDS", "MAX_LESSON_BYTES", "LESSON_DIR",
           "parse_lesson", "read_lesson", "builtin_lessons", "load_builtin", "step_query", "step_url",
           "question_words", "check_choice", "check_click", "lesson_key"]

logger = logging.getLogger(__name__)

KINDS = ("nearest", "analogy", "map")
"""Question kinds: ``nearest`` (which option is closest to ``word``), ``analogy`` (which option best
completes ``words`` = a, b, c as b − a + c), ``map`` (click where ``word`` lands on the Map)."""
MAX_LESSON_BYTES = 256 * 1024
"""Largest lesson file read (bytes); a lesson is a few kilobytes."""
MAX_STEPS = 60
MAX_OPTIONS = 6
MAX_TEXT = 600
LESSON_DIR = Path(__file__).resolve().parents[2] / "lessons"
"""The repo's folder of built-in lessons (``lessons/*.yaml``)."""
RESERVED = ("lesson", "step")
"""URL parameters of the lesson itself; a step's ``params`` may not use them."""
CLICK_RIGHT_WITHIN = 10
"""A map click is right when the clicked dot is among the word's this many nearest drawn dots ..."""
CLICK_RIGHT_SHARE = 0.08
"""... or at most this share of the map's width away from it (a dense map has many dots close by)."""


@dataclass(frozen=True)
class Question:
    """A question asked before a step's result is shown.

    Attributes
    ----------
    kind : {"nearest", "analogy", "map"}
    prompt : str
        What the student reads ("Which word is closest to king?").
    words : tuple of str
        ``(word,)`` for nearest and map, ``(a, b, c)`` for analogy.
    options : tuple of str
        The choices (empty for a map question).
    """

    kind: str
    prompt: str
    words: tuple[str, ...]
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One step: a page, its URL parameters, narration, an optional question."""

    title: str
    page: str
    params: tuple[tuple[str, str], ...]
    text: str
    question: Question | None = None


@dataclass(frozen=True)
class Lesson:
    """A lesson: ``key`` (its name in URLs, ``?lesson=key``), a title and its steps."""

    key: str
    title: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Answer:
    """A checked answer.

    Attributes
    ----------
    correct : bool
    right : str
        The right answer (for a map question: the word asked about).
    explanation : str
        Why, with the scores computed from the set.
    scores : tuple of (str, float)
        Each option with its score (cosine), or ``(("distance", d),)`` for a map click.
    """

    correct: bool
    right: str
    explanation: str
    scores: tuple[tuple[str, float], ...] = ()


def lesson_key(name: str) -> str:
    """A URL-safe lesson key from a file name.

    >>> lesson_key("My lesson (v2).yaml")
    'my_lesson_v2'
    """
    stem = re.sub(r"\.(ya?ml|json)$", "", str(name).strip(), flags=re.I)
    return re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")[:60] or "lesson"


def _where(i: int, raw) -> str:
    title = raw.get("title") if isinstance(raw, Mapping) else None
    return f"step {i}" + (f" ({title!r})" if isinstance(title, str) and title.strip() else "")


def _text(raw: Mapping, name: str, where: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = raw.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise LessonFileError(f"{where}: '{name}' must be a non-empty text" + ("" if name in raw else " (missing)"))
    if len(value) > limit:
        raise LessonFileError(f"{where}: '{name}' is {len(value)} characters long; at most {limit}")
    return " ".join(value.split())


def _word(value, name: str, where: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise LessonFileError(f"{where}: question '{name}' must be a word; got {value!r}")
    return value.strip()


def _question(raw, where: str, page: str) -> Question | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise LessonFileError(f"{where}: 'question' must be a mapping with 'kind' ({', '.join(KINDS)})")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise LessonFileError(f"{where}: question kind {kind!r} is not a kind; kinds: {', '.join(KINDS)}")
    if kind == "analogy":
        words = raw.get("words")
        if not isinstance(words, Sequence) or isinstance(words, str) or len(words) != 3:
            raise LessonFileError(f"{where}: an analogy question needs 'words': [a, b, c]; got {words!r}")
        words = tuple(_word(w, "words", where) for w in words)
        prompt = f"{words[0]} is to {words[1]} as {words[2]} is to …?"
    else:
        words = (_word(raw.get("word"), "word", where),)
        prompt = (f"Which word is closest to {words[0]}?" if kind == "nearest" else
                  f"Where will {words[0]} land? Click the dot where you think it is.")
    if raw.get("prompt") is not None:
        prompt = _text(raw, "prompt", f"{where}: question", limit=200)
    options: tuple[str, ...] = ()
    if kind == "map":
        if page != "Map":
            raise LessonFileError(f"{where}: a 'map' question needs page 'Map'; this step opens {page!r}")
    else:
        opts = raw.get("options")
        if not isinstance(opts, Sequence) or isinstance(opts, str) or not 2 <= len(opts) <= MAX_OPTIONS:
            raise LessonFileError(f"{where}: question 'options' must be a list of 2 to {MAX_OPTIONS} words; "
                                  f"got {opts!r}")
        options = tuple(_word(o, "options", where) for o in opts)
        if len(set(options)) != len(options):
            raise LessonFileError(f"{where}: question 'options' repeat a word: {', '.join(options)}")
        if set(options) & set(words):
            raise LessonFileError(f"{where}: question 'options' include a word of the question itself")
    return Question(kind, prompt, words, options)


def _params(raw, where: str, page: str, allowed: Collection[str]) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise LessonFileError(f"{where}: 'params' must be a mapping of URL parameters, e.g. {{q: king}}")
    out = []
    for name, value in raw.items():
        if name in RESERVED or name not in allowed:
            raise LessonFileError(f"{where}: {name!r} is not a parameter of page {page!r}; its parameters: "
                                  f"{', '.join(sorted(allowed)) or 'none'}")
        if isinstance(value, bool):
            value = "1" if value else "0"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, (int, float, str)):
            value = str(value)
        else:
            raise LessonFileError(f"{where}: parameter {name!r} must be a text, a number or a list; "
                                  f"got {type(value).__name__}")
        if len(value) > 2000:
            raise LessonFileError(f"{where}: parameter {name!r} is {len(value)} characters long; at most 2000")
        out.append((str(name), value))
    return tuple(out)


def parse_lesson(data, *, key: str, pages: Mapping[str, Collection[str]]) -> Lesson:
    """Validate a lesson read from a file (plain dicts and lists) and build it.

    Parameters
    ----------
    data : mapping
        ``{"title": ..., "steps": [{"title", "page", "params", "text", "question"}, ...]}``.
    key : str
        The lesson's name in URLs.
    pages : mapping of str to collection of str
        The app's pages by url_path, each with the names of its URL parameters.

    Returns
    -------
    Lesson

    Raises
    ------
    LessonFileError
        Naming the step (number and title) and the field that is wrong.

    >>> pages = {"Map": {"q"}, "Neighbours": {"q", "k"}}
    >>> lesson = parse_lesson({"title": "T", "steps": [{"title": "One", "page": "Map", "params": {"q": "king"},
    ...                        "text": "Look."}]}, key="t", pages=pages)
    >>> lesson.steps[0].params
    (('q', 'king'),)
    >>> parse_lesson({"title": "T", "steps": [{"title": "Sums", "page": "Analogy", "text": "x"}]},
    ...              key="t", pages=pages)
    Traceback (most recent call last):
    ...
    embedlab.core.errors.LessonFileError: step 1 ('Sums'): page 'Analogy' is not a page; pages: Map, Neighbours
    """
    if not isinstance(data, Mapping):
        raise LessonFileError("a lesson must be a mapping with 'title' and 'steps'; got "
                              f"{type(data).__name__}")
    title = _text(data, "title", "lesson", limit=200)
    steps_raw = data.get("steps")
    if not isinstance(steps_raw, Sequence) or isinstance(steps_raw, str) or not steps_raw:
        raise LessonFileError("lesson: 'steps' must be a non-empty list of steps")
    if len(steps_raw) > MAX_STEPS:
        raise LessonFileError(f"lesson: {len(steps_raw)} steps; at most {MAX_STEPS}")
    steps = []
    for i, raw in enumerate(steps_raw, start=1):
        where = _where(i, raw)
        if not isinstance(raw, Mapping):
            raise LessonFileError(f"{where}: a step must be a mapping with title, page, text; got {raw!r}"[:300])
        unknown = sorted(set(map(str, raw)) - {"title", "page", "params", "text", "question"})
        if unknown:
            raise LessonFileError(f"{where}: unknown field {unknown[0]!r}; the fields are: title, page, params, "
                                  "text, question")
        st_title = _text(raw, "title", where, limit=120)
        page = raw.get("page")
        if not isinstance(page, str) or page not in pages:
            names = ", ".join(p or "'' (home)" for p in pages)
            raise LessonFileError(f"{where}: page {page!r} is not a page; pages: {names}")
        steps.append(Step(st_title, page, _params(raw.get("params"), where, page, pages[page]),
                          _text(raw, "text", where), _question(raw.get("question"), where, page)))
    return Lesson(key, title, tuple(steps))


def read_lesson(source: bytes | str, *, name: str, pages: Mapping[str, Collection[str]],
                max_bytes: int = MAX_LESSON_BYTES) -> Lesson:
    """Read a lesson file's bytes (YAML with ``yaml.safe_load``, or JSON for a ``.json`` name).

    Parameters
    ----------
    source : bytes or str
        The file's content (UTF-8).
    name : str
        The file name: its stem is the lesson key, ``.json`` selects the JSON reader.
    pages : mapping
        As for :func:`parse_lesson`.
    max_bytes : int
        Larger files are refused before they are parsed.

    Raises
    ------
    LessonFileError
        Too large, not UTF-8, not YAML/JSON, or malformed (see :func:`parse_lesson`).
    """
    raw = source.encode("utf-8") if isinstance(source, str) else bytes(source)
    if len(raw) > max_bytes:
        raise LessonFileError(f"{name}: {len(raw):,} bytes; a lesson file may have at most {max_bytes:,}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LessonFileError(f"{name}: not a UTF-8 text file (byte {exc.start})") from None
    try:
        if name.lower().endswith(".json"):
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise LessonFileError(f"{name}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except Exception as exc:    # yaml.YAMLError; imported lazily
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise LessonFileError(f"{name}: not valid YAML ({line}{problem})") from None
    try:
        return parse_lesson(data, key=lesson_key(name), pages=pages)
    except LessonFileError as exc:
        raise LessonFileError(f"{name}: {exc}") from None


def builtin_lessons() -> dict[str, Path]:
    """The built-in lessons, ``{key: path}``, from :data:`LESSON_DIR` (sorted by key)."""
    if not LESSON_DIR.is_dir():
        return {}
    files = sorted(p for p in LESSON_DIR.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json"))
    return {lesson_key(p.name): p for p in files}


def load_builtin(key: str, *, pages: Mapping[str, Collection[str]]) -> Lesson:
    """The built-in lesson ``key`` (a file of :data:`LESSON_DIR`).

    Raises
    ------
    LessonFileError
        No such lesson (the message lists them) or the file is malformed.
    """
    files = builtin_lessons()
    if key not in files:
        raise LessonFileError(f"lesson {key!r} is not a lesson; lessons: {', '.join(files) or 'none'}")
    path = files[key]
    return read_lesson(path.read_bytes(), name=path.name, pages=pages)


def step_query(lesson: Lesson, number: int) -> dict[str, str]:
    """The URL parameters that open step ``number`` (1-based): its own params, then lesson and step.

    >>> lesson = Lesson("demo", "Demo", (Step("A", "Map", (("q", "king"),), "Look."),))
    >>> step_query(lesson, 1)
    {'q': 'king', 'lesson': 'demo', 'step': '1'}
    """
    if not 1 <= number <= len(lesson.steps):
        raise LessonFileError(f"step {number} is not a step of {lesson.title!r}; steps: 1 to {len(lesson.steps)}")
    return {**dict(lesson.steps[number - 1].params), "lesson": lesson.key, "step": str(number)}


def step_url(lesson: Lesson, number: int) -> str:
    """The app-relative link to step ``number`` (to share).

    >>> step_url(Lesson("demo", "Demo", (Step("A", "Map", (("q", "king queen"),), "Look."),)), 1)
    '/Map?q=king+queen&lesson=demo&step=1'
    """
    return f"/{lesson.steps[number - 1].page}?{urlencode(step_query(lesson, number))}"


def question_words(question: Question) -> tuple[str, ...]:
    """Every word a question names (its words, then its options)."""
    return question.words + question.options


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _ranks(scores: np.ndarray, rows: Sequence[int], exclude: Sequence[int]) -> list[int]:
    """1-based rank of each row in ``scores`` (higher is better), ``exclude`` rows left out."""
    s = np.array(scores, dtype=np.float64)
    s[list(exclude)] = -np.inf
    return [int(np.count_nonzero(s > s[r])) + 1 for r in rows]


def check_choice(es: EmbeddingSet, question: Question, choice: str) -> Answer:
    """Check a multiple-choice answer against the set: the right option is the one with the highest
    cosine to the word (``nearest``) or to b − a + c (``analogy``, unit vectors, as 3CosAdd).

    Raises
    ------
    UnknownTokenError
        A word of the question is not in the set.
    LessonFileError
        ``choice`` is not an option, or the question is a map question.

    >>> es = EmbeddingSet(["king", "queen", "apple"], [[1, 0], [0.8, 0.6], [0, 1]])
    >>> q = Question("nearest", "Which word is closest to king?", ("king",), ("queen", "apple"))
    >>> a = check_choice(es, q, "apple")
    >>> a.correct, a.right
    (False, 'queen')
    >>> a.explanation
    'queen is 0.80 cosine from king, the 1st of its neighbours; apple 0.00 (2nd).'
    """
    if question.kind not in ("nearest", "analogy"):
        raise LessonFileError(f"a {question.kind!r} question is answered by a click, not a choice")
    if choice not in question.options:
        raise LessonFileError(f"{choice!r} is not an option; options: {', '.join(question.options)}")
    missing = es.missing(question_words(question))
    if missing:
        raise es.unknown_error(missing)
    u = es.unit
    w = es.indices(question.words)
    if question.kind == "nearest":
        target, what = u[w[0]], question.words[0]
    else:
        a, b, c = w
        target = u[b] - u[a] + u[c]
        what = f"{question.words[1]} − {question.words[0]} + {question.words[2]}"
    norm = float(np.linalg.norm(target)) or 1.0
    all_scores = (u @ target) / norm
    rows = es.indices(question.options)
    scores = [float(all_scores[r]) for r in rows]
    ranks = _ranks(all_scores, rows, exclude=w)
    best = int(np.argmax(scores))
    right = question.options[best]
    others = [f"{o} {s:.2f} ({_ordinal(r)})" for i, (o, s, r) in enumerate(zip(question.options, scores, ranks))
              if i != best]
    explanation = (f"{right} is {scores[best]:.2f} cosine from {what}, the {_ordinal(ranks[best])} of its "
                   f"neighbours; " + ", ".join(others) + ".")
    return Answer(choice == right, right, explanation, tuple(zip(question.options, scores)))


def check_click(es: EmbeddingSet, word: str, guess: str, tokens: Sequence[str], coords) -> Answer:
    """Check a click on the map: ``guess`` is the dot clicked, ``word`` the one asked about; both are
    among the drawn ``tokens`` at ``coords`` (the picture's 2-D positions).

    The click is right when the clicked dot is the word, is among the :data:`CLICK_RIGHT_WITHIN`
    drawn dots nearest to it in the picture, or is at most :data:`CLICK_RIGHT_SHARE` of the map's
    width (its larger side) away. The explanation gives the distance in the picture and the cosine
    of the two words in the full space.

    >>> es = EmbeddingSet(["a", "b", "c"], [[1, 0], [0.6, 0.8], [0, 1]])
    >>> ans = check_click(es, "a", "b", ["a", "b", "c"], [[0, 0], [3, 4], [10, 0]])
    >>> ans.correct, ans.scores
    (True, (('distance', 5.0),))
    """
    tokens = list(tokens)
    xy = np.asarray(coords, dtype=np.float64)[:, :2]
    for t in (word, guess):
        if t not in tokens:
            raise LessonFileError(f"{t!r} is not drawn on the map")
    wi, gi = tokens.index(word), tokens.index(guess)
    d = np.sqrt(((xy - xy[wi]) ** 2).sum(axis=1))
    dist = float(d[gi])
    rank = int(np.count_nonzero(d < dist)) if gi != wi else 0    # the word itself is at 0
    span = float(np.ptp(xy, axis=0).max()) or 1.0
    correct = gi == wi or rank <= CLICK_RIGHT_WITHIN or dist <= CLICK_RIGHT_SHARE * span
    if gi == wi:
        explanation = f"You clicked {word} itself."
    else:
        cos = float(es.unit[es.index(word)] @ es.unit[es.index(guess)])
        explanation = (f"{word} landed {dist:.2f} from your click on {guess} ({dist / span:.0%} of the map's "
                       f"width); {guess} is its {_ordinal(rank)} nearest dot in the picture, and "
                       f"{cos:.2f} cosine from it in the full space.")
    return Answer(correct, word, explanation, (("distance", round(dist, 6)),))
