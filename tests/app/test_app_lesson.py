"""AppTest: lesson mode. The built-in lesson walked step by step from the home page, questions answered
(right and wrong, tallied), deep links to a step, and teachers' lesson uploads."""
from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from embedlab import DEFAULT_SET, load
from embedlab.lessons import guided
from tests.app.helpers import APP, open_deep_link, plotly_array
from ui import lesson_bar
from ui.navigation import PAGES

TITLES = {"Map": "Map of the embedding space", "Neighbours": "Neighbours", "Analogies": "Analogies",
          "One_hot_vs_dense": "One-hot vs dense", "Token_pipeline": "the token pipeline",
          "Context": "contextual embeddings", "Classification": "Classification",
          "Recommendation": "Recommendation", "Graphs": "DeepWalk", "Knowledge_graphs": "TransE"}
BAR_HEAD = re.compile(r"^\*\*\d+/\d+ · ")
WORD_PARAMS = ("q", "a", "b", "c", "word", "lookup", "words")


def builtin() -> guided.Lesson:
    return guided.load_builtin(lesson_bar.BUILTIN, pages=lesson_bar.page_params())


def bar_text(at) -> str:
    found = [m.value for m in at.markdown if BAR_HEAD.match(m.value)]
    assert len(found) == 1, [m.value for m in at.markdown]
    return found[0]


def page_title(at) -> str:
    return at.title[0].value


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    at.button(key="lesson_start").click().run()
    assert not at.exception, at.exception
    return at


def test_page_params_are_read_from_the_pages():
    pp = lesson_bar.page_params()
    assert set(pp) == {p.url_path for p in PAGES}
    assert {"q", "method", "dims", "set", "present"} <= pp["Map"]
    assert {"a", "b", "c"} <= pp["Analogies"] and {"text"} <= pp["Token_pipeline"]
    assert {"word", "sentences"} <= pp["Context"] and "q" not in pp["Analogies"]


def test_builtin_lesson_follows_the_ideas_in_order_and_its_words_exist():
    lesson = builtin()
    assert lesson.title == "What is an embedding?"
    assert [s.page for s in lesson.steps] == [
        "Token_pipeline", "One_hot_vs_dense", "Neighbours", "Map", "One_hot_vs_dense", "Analogies",
        "Token_pipeline", "Context", "Classification", "Recommendation", "Graphs", "Knowledge_graphs"]
    kinds = [s.question.kind for s in lesson.steps if s.question]
    assert kinds == ["nearest", "map", "analogy"]
    es = load(DEFAULT_SET)
    words = [w for s in lesson.steps if s.question for w in guided.question_words(s.question)]
    words += [w for s in lesson.steps for k, v in s.params if k in WORD_PARAMS for w in v.split()]
    assert words and es.missing(words) == []
    for s in lesson.steps:
        assert 1 <= s.text.count(". ") + 1 <= 3, s.text        # one or two sentences (a third at most)


def test_walk_every_step_with_next_then_back():
    lesson = builtin()
    at = start()
    for number, step in enumerate(lesson.steps, start=1):
        assert not at.exception, (number, at.exception)
        assert bar_text(at).startswith(f"**{number}/{len(lesson)} · {step.title}**")
        assert TITLES[step.page] in page_title(at), (number, page_title(at))
        assert at.query_params["lesson"] == lesson.key and at.query_params["step"] == str(number)
        applied = at.session_state["_qp_applied"]
        for name, value in step.params:         # each parameter reached its widget
            assert value in applied.values(), (number, name, value)
        if number < len(lesson):
            at.button(key="lesson_next").click().run()
    assert at.button(key="lesson_next").label == "Finish"
    at.button(key="lesson_back").click().run()
    assert not at.exception and bar_text(at).startswith(f"**{len(lesson) - 1}/")
    at.button(key="lesson_next").click().run()
    at.button(key="lesson_next").click().run()      # Finish: back to the home page, lesson over
    assert not at.exception and page_title(at) == "EmbedLab"
    assert not [m for m in at.markdown if BAR_HEAD.match(m.value)]


def _step(at, number: int, lesson: guided.Lesson):
    at.query_params.clear()
    at.query_params.update(guided.step_query(lesson, number))
    file = next(p.file for p in PAGES if p.url_path == lesson.steps[number - 1].page)
    at.switch_page(file).run()
    assert not at.exception, at.exception
    return at


def test_questions_hide_the_result_then_reveal_and_tally():
    lesson = builtin()
    at = start()
    _step(at, 3, lesson)                                    # Neighbours: which is closest to king?
    assert not any("Nearest to" in s.value for s in at.subheader)
    assert at.button(key="lesson_opt_0").label == "queen"
    at.button(key="lesson_opt_1").click().run()             # apple: wrong
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("Not quite: the answer is queen. queen is 0.63 cosine from king, the 2nd "
                                        "of its neighbours; apple 0.01")
    assert "score 0/1" in bar_text(at)
    assert any("Nearest to king" in s.value for s in at.subheader)      # revealed
    _step(at, 6, lesson)                                    # Analogies: man : king :: woman : ?
    assert not any(":: woman" in s.value for s in at.subheader)
    at.button(key="lesson_opt_0").click().run()             # queen: right
    assert at.success[0].value.startswith("Right! queen is 0.50 cosine from king − man + woman, the 1st")
    assert "score 1/2" in bar_text(at)
    assert any("**queen**" in s.value for s in at.subheader)
    _step(at, 3, lesson)                                    # answered once: stays answered
    assert "score 1/2" in bar_text(at) and at.error[0].value.startswith("Not quite")
    assert not [b for b in at.button if b.key == "lesson_opt_0"]    # no second try


def test_map_question_click_reveals_the_word_and_the_distance():
    lesson = builtin()
    at = start()
    _step(at, 4, lesson)                                    # Map: where will queen land?
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert not at.dataframe, "the neighbour table of queen is hidden before the guess"
    assert spec["layout"]["dragmode"] == "pan"      # a click selects a dot (a lasso drag mode would not)
    trace = next(tr for tr in spec["data"] if "king" in (tr.get("hovertext") or []))
    row = int(plotly_array(trace["customdata"]).reshape(len(trace["hovertext"]), -1)[
        list(trace["hovertext"]).index("king"), 0])
    at.session_state["map_chart"] = {"selection": {"points": [{"customdata": row, "x": 0, "y": 0}],
                                                   "point_indices": [row], "box": [], "lasso": []}}
    at.run()
    assert not at.exception, at.exception
    shown = (at.success or at.error)[0].value
    assert "queen landed" in shown and "from your click on king" in shown and "cosine from it" in shown
    assert "score 1/1" in bar_text(at) or "score 0/1" in bar_text(at)
    assert at.dataframe, "queen's neighbours are shown once revealed"
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["dragmode"] == "lasso"


def test_deep_link_to_a_step_opens_the_bar_and_the_params():
    lesson = builtin()
    at = open_deep_link("app_pages/3_Analogies.py", **guided.step_query(lesson, 6))
    assert bar_text(at).startswith("**6/12 · Analogies are arithmetic**")
    assert at.text_input(key="an_a").value == "man"


BAD = """title: Mine
steps:
  - title: Start
    page: Map
    text: Look.
  - title: Sums
    page: Analogy
    text: Add them.
"""


def test_malformed_upload_names_the_step():
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.file_uploader(key="lesson_upload").set_value(("mine.yaml", BAD.encode(), "application/x-yaml")).run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("mine.yaml: step 2 ('Sums'): page 'Analogy' is not a page; pages:")


def test_uploaded_lesson_runs_and_a_foreign_link_says_why_not():
    good = BAD.replace("page: Analogy", "page: Analogies\n    params: {a: paris, b: france, c: rome}")
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.file_uploader(key="lesson_upload").set_value(("mine.yaml", good.encode(), "application/x-yaml")).run()
    at.button(key="lesson_start_upload").click().run()
    assert not at.exception, at.exception
    assert bar_text(at).startswith("**1/2 · Start**")
    at.button(key="lesson_next").click().run()
    assert bar_text(at).startswith("**2/2 · Sums**") and at.text_input(key="an_b").value == "france"
    other = open_deep_link("app_pages/1_Map.py", lesson="upload_mine", step="1")
    assert "uploaded in another browser session" in other.warning[0].value


def test_home_offers_to_resume_the_last_step():
    lesson = builtin()
    at = start()
    _step(at, 5, lesson)
    at.query_params.clear()
    at.switch_page(PAGES[0].file).run()          # the sidebar's Home link drops the lesson from the URL
    assert not [m for m in at.markdown if BAR_HEAD.match(m.value)]
    assert at.button(key="lesson_resume").label == "Resume “What is an embedding?” at step 5"
    at.button(key="lesson_resume").click().run()
    assert not at.exception and bar_text(at).startswith("**5/12 · ")


def test_a_question_whose_words_the_set_lacks_is_skipped_and_the_result_shown():
    import numpy as np

    from embedlab import EmbeddingSet

    lesson = builtin()
    at = AppTest.from_file(APP, default_timeout=180).run()
    tiny = EmbeddingSet(["king", "queen", "apple"], np.eye(3, dtype=np.float32), name="tiny")
    at.session_state["user_sets"] = {"tiny": tiny}
    at.query_params.update({**guided.step_query(lesson, 3), "set": "tiny"})
    at.switch_page("app_pages/2_Neighbours.py").run()
    assert not at.exception, at.exception
    assert at.session_state["current_set"] == "tiny"
    assert any("needs words that this set does not have (car, river)" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "lesson_opt_0"]
    assert any("Nearest to king" in s.value for s in at.subheader)
