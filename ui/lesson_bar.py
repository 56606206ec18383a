"""Lesson mode: the lesson bar drawn above whichever page a lesson step opens, and the home page's
start button and lesson upload.

The lesson and the step live in the URL (``?lesson=what_is_an_embedding&step=3``, beside the step's
own page parameters), so a link to any step can be shared. ``ui.setup.draw_sidebar`` calls
:func:`draw` on every page. A step with a question hides the page's result until it is answered:
pages read :func:`revealed` (the Map also :func:`asks_click`, :func:`clickable` and :func:`map_click`). Answers are
kept and tallied per session. The lessons themselves are data (:mod:`embedlab.lessons.guided`).
"""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from pathlib import Path

import streamlit as st

import embedlab
from embedlab.lessons import guided

from .navigation import PAGES
from .text import md_text

BUILTIN = "what_is_an_embedding"
UPLOADS = "_lesson_uploads"     # {key: Lesson} uploaded in this session
ANSWERS = "_lesson_answers"     # {"key:step": {"choice", "correct", "right", "explanation"}}
LAST = "_lesson_last"           # (lesson key, step number) last shown, for the home page's "Resume"
NOW = "_lesson_now"             # (lesson key, step number, Question or None) of this run's page, or None
UPLOAD_KEY = "lesson_upload"
GLOBAL_PARAMS = ("set", "present")
# Fixed CSS (never built from user text): during a lesson the page starts closer to the top, so the
# bar costs the figure below it less height; the bar's rows sit tight.
BAR_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 4.5rem !important; }
.st-key-lesson_bar { padding: 0.6rem 1rem !important; }
</style>"""
_BIND = re.compile(r"""params\.bind\(\s*["'][^"']+["']\s*,\s*["']([^"']+)["']""")


@lru_cache(maxsize=1)
def page_params() -> dict[str, frozenset[str]]:
    """Every page's URL parameters, ``{url_path: names}``: the ones its script binds with
    ``params.bind`` (read from the page files), plus the sidebar's ``set`` and ``present``."""
    root = Path(__file__).resolve().parents[1]
    return {p.url_path: frozenset(_BIND.findall((root / p.file).read_text(encoding="utf-8"))) | set(GLOBAL_PARAMS)
            for p in PAGES}


def _file(url_path: str) -> str:
    return next(p.file for p in PAGES if p.url_path == url_path)


@st.cache_data(max_entries=16, show_spinner=False)
def _builtin(key: str) -> guided.Lesson:
    return guided.load_builtin(key, pages=page_params())


def get_lesson(key: str) -> guided.Lesson:
    """An uploaded lesson of this session or a built-in one.

    Raises
    ------
    embedlab.LessonFileError
        No such lesson here (an uploaded lesson lives only in the session that uploaded it).
    """
    uploaded = st.session_state.get(UPLOADS, {})
    if key in uploaded:
        return uploaded[key]
    if key.startswith("upload_"):
        raise embedlab.LessonFileError(f"lesson {key!r} was uploaded in another browser session; upload the "
                                       "file again on the home page to run it here")
    return _builtin(key)


def _answer_key(lesson: guided.Lesson, number: int) -> str:
    return f"{lesson.key}:{number}"


def score(lesson: guided.Lesson) -> tuple[int, int]:
    """(right, asked) over the answered questions of ``lesson`` in this session."""
    answers = st.session_state.get(ANSWERS, {})
    done = [a for k, a in answers.items() if k.rsplit(":", 1)[0] == lesson.key and "correct" in a]
    return sum(bool(a["correct"]) for a in done), len(done)


def _record(lesson, number):
    return st.session_state.setdefault(ANSWERS, {}).get(_answer_key(lesson, number))


def revealed() -> bool:
    """False while this page's lesson step asks a question not yet answered (the page then hides
    the result it would show); True otherwise, also outside a lesson."""
    now = st.session_state.get(NOW)
    if now is None or now[2] is None:
        return True
    rec = st.session_state.get(ANSWERS, {}).get(f"{now[0]}:{now[1]}")
    return rec is not None and ("correct" in rec or "guess" in rec)


def asks_click() -> bool:
    """True while this page's step waits for a click on the Map (the Map then lets a click select a dot)."""
    now = st.session_state.get(NOW)
    return now is not None and now[2] is not None and now[2].kind == "map" and not revealed()


def clickable(fig):
    """While the Map waits for a click (:func:`asks_click`), a copy of ``fig`` that drags to pan
    instead of drawing a lasso, so that a click selects one dot (Streamlit selects clicked points only
    when the drag mode is neither lasso nor box); otherwise ``fig`` itself."""
    if not asks_click():
        return fig
    import plotly.graph_objects as go

    return go.Figure(fig).update_layout(dragmode="pan")


def open_step(lesson: guided.Lesson, number: int) -> None:
    """Switch to step ``number``'s page with its URL parameters, keeping the sidebar's ``set`` and
    ``present`` (does not return)."""
    query = guided.step_query(lesson, number)
    kept = {k: st.query_params[k] for k in GLOBAL_PARAMS if k in st.query_params and k not in query}
    st.switch_page(_file(lesson.steps[number - 1].page), query_params={**kept, **query})


def _step_number(lesson: guided.Lesson) -> int:
    try:
        n = int(st.query_params.get("step", "1"))
    except ValueError:
        n = 1
    return min(max(n, 1), len(lesson.steps))


def draw(current: str | None) -> None:
    """The lesson bar, when the URL names a lesson: step k of n, title, narration, Back / Next /
    End, the question and, once answered, the explanation and the session's score.

    Parameters
    ----------
    current : str or None
        The url_path of the page being run (app.py passes it; None: unknown).
    """
    st.session_state[NOW] = None
    key = st.query_params.get("lesson")
    if not key:
        return
    try:
        lesson = get_lesson(key)
    except embedlab.EmbedLabError as exc:
        st.warning(md_text(exc))
        return
    number = _step_number(lesson)
    step = lesson.steps[number - 1]
    on_page = current is None or current == step.page
    st.session_state[LAST] = (lesson.key, number)
    question, missing = step.question, _missing_words(step.question)
    if missing:     # another set is picked: the page shows its result, the bar says why no question
        question = None
    if on_page:
        st.session_state[NOW] = (lesson.key, number, question)
    right, asked = score(lesson)
    st.html(BAR_CSS)
    with st.container(border=True, key="lesson_bar", gap="small"):
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        tally = f" · score {right}/{asked}" if asked else ""
        row.markdown(f"**{number}/{len(lesson)} · {md_text(step.title)}**{tally}", width="stretch")
        if row.button("◀ Back", key="lesson_back", disabled=number == 1):
            open_step(lesson, number - 1)
        last = number == len(lesson)
        if row.button("Finish" if last else "Next ▶", key="lesson_next", type="primary"):
            if last:
                st.switch_page(PAGES[0].file)
            open_step(lesson, number + 1)
        if row.button("End", key="lesson_end", help="Leave the lesson and keep exploring"):
            kept = {k: v for k, v in st.query_params.to_dict().items() if k not in guided.RESERVED}
            st.switch_page(_file(current if current is not None else step.page), query_params=kept)
        st.markdown(md_text(step.text))
        if not on_page:
            if st.button(f"Open this step's page ({step.page})", key="lesson_open"):
                open_step(lesson, number)
        elif missing:
            st.caption(md_text(f"This step's question needs words that this set does not have "
                               f"({', '.join(missing)}): pick {embedlab.DEFAULT_SET} in the sidebar to be asked."))
        elif question is not None:
            _question(lesson, number, question)


def _missing_words(question: guided.Question | None) -> list[str]:
    """Words of ``question`` the current set does not have (none without a question or a set)."""
    if question is None:
        return []
    from .setup import page_set

    es = page_set()
    return [] if es is None else es.missing(guided.question_words(question))


def _question(lesson: guided.Lesson, number: int, question: guided.Question) -> None:
    rec = _record(lesson, number)
    if rec is not None and "correct" in rec:
        show = st.success if rec["correct"] else st.error
        verdict = "Right!" if rec["correct"] else f"Not quite: the answer is {rec['right']}."
        show(md_text(f"{verdict} {rec['explanation']}"))
        return
    if question.kind == "map":
        if rec is None:
            st.markdown(f"**Predict:** {md_text(question.prompt)}")
        else:
            st.caption(md_text(f"Your guess: {rec['guess']}. Revealing…"))
        return
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.markdown(f"**Predict:** {md_text(question.prompt)}", width="content")
    for i, option in enumerate(question.options):
        if row.button(option, key=f"lesson_opt_{i}"):
            _answer(lesson, number, question, option)
            st.rerun()


def _answer(lesson, number, question, option) -> None:
    from .setup import page_set

    es = page_set()
    if es is None:
        return
    try:
        ans = guided.check_choice(es, question, option)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
        return
    st.session_state.setdefault(ANSWERS, {})[_answer_key(lesson, number)] = {
        "choice": option, "correct": ans.correct, "right": ans.right, "explanation": ans.explanation}


def map_click(event, tokens, coords) -> None:
    """The Map's part of a ``map`` question: record the dot clicked in ``event`` (the plotly selection
    of the Map's figure, whose ``customdata`` are rows of ``tokens``), then, once the word is drawn,
    check the guess against the word's position in ``coords`` and rerun to show the result."""
    now = st.session_state.get(NOW)
    if now is None or now[2] is None or now[2].kind != "map":
        return
    answers = st.session_state.setdefault(ANSWERS, {})
    akey = f"{now[0]}:{now[1]}"
    rec = answers.get(akey)
    if rec is None:
        from embedlab.viz import selected_rows

        rows = [i for i in selected_rows(event) if 0 <= i < len(tokens)]
        if rows:
            answers[akey] = {"guess": tokens[rows[0]]}
            st.rerun()
        return
    if "correct" in rec:
        return
    from .setup import page_set

    es = page_set()
    word = now[2].words[0]
    try:
        ans = guided.check_click(es, word, rec["guess"], tokens, coords)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
        return
    rec.update(correct=ans.correct, right=ans.right, explanation=ans.explanation)
    st.rerun()


def home_start() -> None:
    """The home page's start button for the built-in lesson, and the upload of a teacher's lesson file."""
    try:
        lesson = get_lesson(BUILTIN)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
        return
    left, right = st.columns([3, 2], vertical_alignment="center")
    if left.button(f"▶ Start the lesson: {lesson.title}", key="lesson_start", type="primary"):
        open_step(lesson, 1)
    last = st.session_state.get(LAST)
    if last is not None:
        try:
            resumed = get_lesson(last[0])
        except embedlab.EmbedLabError:
            resumed = None
        if resumed is not None and last[1] <= len(resumed) and left.button(
                f"Resume “{md_text(resumed.title)}” at step {last[1]}", key="lesson_resume"):
            open_step(resumed, last[1])
    right.caption(f"{len(lesson)} steps, about 45 minutes: each step opens a page with the right settings and "
                  "asks a question or two. Copy the address bar to share a step.")
    with st.expander("Run your own lesson (a YAML or JSON file)"):
        st.markdown("A lesson is a title and a list of steps: `title`, `page`, `params`, `text`, optional "
                    "`question`. Start from the built-in lesson's file, `lessons/what_is_an_embedding.yaml`.")
        up = st.file_uploader("Lesson file", type=["yaml", "yml", "json"], key=UPLOAD_KEY,
                              help=f"Up to {guided.MAX_LESSON_BYTES // 1024} KB. Kept in this browser session only.")
        if up is not None:
            try:
                if up.size > guided.MAX_LESSON_BYTES:
                    raise embedlab.LessonFileError(f"{up.name}: {up.size:,} bytes; a lesson file may have at most "
                                                   f"{guided.MAX_LESSON_BYTES:,}")
                mine = guided.read_lesson(up.getvalue(), name=up.name, pages=page_params())
            except embedlab.EmbedLabError as exc:
                st.error(md_text(exc))
            else:
                mine = dataclasses.replace(mine, key=f"upload_{mine.key}")
                st.session_state.setdefault(UPLOADS, {})[mine.key] = mine
                if st.button(f"▶ Start your lesson: {mine.title} ({len(mine)} steps)", key="lesson_start_upload"):
                    open_step(mine, 1)
