"""Guided lessons: reading and validating lesson files, step URLs, checking answers against a set."""
from __future__ import annotations

import json

import numpy as np
import pytest

from embedlab import EmbedLabError, EmbeddingSet, LessonFileError, UnknownTokenError
from embedlab.lessons import guided
from embedlab.lessons.guided import Lesson, Question, Step, check_choice, check_click, parse_lesson, read_lesson

PAGES = {"": {"set"}, "Map": {"q", "method", "set"}, "Neighbours": {"q", "k", "set"},
         "Analogies": {"a", "b", "c", "set"}}


def _lesson(*steps, title="Demo"):
    return {"title": title, "steps": list(steps)}


def _step(title="One", page="Neighbours", **more):
    return {"title": title, "page": page, "text": "Look at it.", **more}


def test_parse_builds_steps_with_params_as_text():
    lesson = parse_lesson(_lesson(_step(params={"q": "king", "k": 5}),
                                  _step("Two", "Map", params={"method": "pca"},
                                        question={"kind": "map", "word": "queen"})), key="demo", pages=PAGES)
    assert lesson.key == "demo" and lesson.title == "Demo" and len(lesson) == 2
    assert lesson.steps[0] == Step("One", "Neighbours", (("q", "king"), ("k", "5")), "Look at it.", None)
    q = lesson.steps[1].question
    assert (q.kind, q.words, q.options) == ("map", ("queen",), ())
    assert q.prompt.startswith("Where will queen land?")


def test_params_bool_and_list_become_url_text():
    pages = {"P": {"flag", "cats"}}
    lesson = parse_lesson(_lesson(_step(page="P", params={"flag": True, "cats": ["a", "b"]})), key="t", pages=pages)
    assert lesson.steps[0].params == (("flag", "1"), ("cats", "a,b"))


def test_narration_whitespace_is_folded():
    lesson = parse_lesson(_lesson({"title": "A", "page": "Map", "text": "one\n  two   three"}), key="t", pages=PAGES)
    assert lesson.steps[0].text == "one two three"


def test_unknown_page_names_the_step_and_the_pages():
    with pytest.raises(LessonFileError, match=r"^step 3 \('Analogies'\): page 'Analogy' is not a page; "
                                              r"pages: '' \(home\), Map, Neighbours, Analogies$"):
        parse_lesson(_lesson(_step(), _step("Two"), _step("Analogies", "Analogy")), key="t", pages=PAGES)


def test_unknown_param_names_the_step_and_the_page_params():
    with pytest.raises(LessonFileError, match=r"^step 1 \('One'\): 'word' is not a parameter of page 'Neighbours'; "
                                              r"its parameters: k, q, set$"):
        parse_lesson(_lesson(_step(params={"word": "king"})), key="t", pages=PAGES)


def test_lesson_and_step_are_not_step_params():
    pages = {"P": {"lesson", "step"}}
    with pytest.raises(LessonFileError, match="'step' is not a parameter"):
        parse_lesson(_lesson(_step(page="P", params={"step": 2})), key="t", pages=pages)


def test_missing_field_is_named():
    bad = {"title": "Sums", "page": "Map"}
    with pytest.raises(LessonFileError, match=r"^step 2 \('Sums'\): 'text' must be a non-empty text \(missing\)$"):
        parse_lesson(_lesson(_step(), bad), key="t", pages=PAGES)
    with pytest.raises(LessonFileError, match=r"^step 1: 'title' must be a non-empty text \(missing\)$"):
        parse_lesson(_lesson({"page": "Map", "text": "x"}), key="t", pages=PAGES)


def test_unknown_field_is_named():
    with pytest.raises(LessonFileError, match=r"step 1 \('One'\): unknown field 'narration'"):
        parse_lesson(_lesson(_step(narration="x")), key="t", pages=PAGES)


@pytest.mark.parametrize("question, message", [
    ({"kind": "quiz"}, r"question kind 'quiz' is not a kind; kinds: nearest, analogy, map"),
    ("which?", r"'question' must be a mapping"),
    ({"kind": "nearest", "word": "king", "options": ["queen"]}, r"'options' must be a list of 2 to 6 words"),
    ({"kind": "nearest", "word": "king", "options": ["queen", "queen"]}, r"'options' repeat a word"),
    ({"kind": "nearest", "word": "king", "options": ["king", "queen"]}, r"include a word of the question"),
    ({"kind": "nearest", "options": ["a", "b"]}, r"question 'word' must be a word; got None"),
    ({"kind": "analogy", "words": ["man", "king"], "options": ["a", "b"]}, r"needs 'words': \[a, b, c\]"),
    ({"kind": "map", "word": "queen"}, r"a 'map' question needs page 'Map'; this step opens 'Neighbours'"),
])
def test_bad_questions_name_the_step(question, message):
    with pytest.raises(LessonFileError, match=r"^step 1 \('One'\): .*" + message):
        parse_lesson(_lesson(_step(question=question)), key="t", pages=PAGES)


def test_top_level_problems():
    with pytest.raises(LessonFileError, match="a lesson must be a mapping"):
        parse_lesson(["x"], key="t", pages=PAGES)
    with pytest.raises(LessonFileError, match="lesson: 'steps' must be a non-empty list"):
        parse_lesson({"title": "T", "steps": []}, key="t", pages=PAGES)
    with pytest.raises(LessonFileError, match="lesson: 'title' must be a non-empty text"):
        parse_lesson({"steps": [_step()]}, key="t", pages=PAGES)


def test_error_is_an_embedlab_error():
    assert issubclass(LessonFileError, EmbedLabError)


YAML = """title: Demo
steps:
  - title: Neighbours of king
    page: Neighbours
    params: {q: king}
    text: Which words are close?
    question: {kind: nearest, word: king, options: [queen, apple]}
"""


def test_read_yaml_and_json_give_the_same_lesson():
    a = read_lesson(YAML.encode(), name="Demo lesson.yaml", pages=PAGES)
    import yaml

    b = read_lesson(json.dumps(yaml.safe_load(YAML)), name="Demo lesson.json", pages=PAGES)
    assert a == b
    assert a.key == "demo_lesson"
    assert a.steps[0].question == Question("nearest", "Which word is closest to king?", ("king",), ("queen", "apple"))


def test_read_names_the_file_and_step():
    bad = YAML.replace("page: Neighbours", "page: Neighbors")
    with pytest.raises(LessonFileError, match=r"^mine.yaml: step 1 \('Neighbours of king'\): page 'Neighbors'"):
        read_lesson(bad, name="mine.yaml", pages=PAGES)


def test_read_refuses_unsafe_yaml_tags():
    evil = "title: !!python/object/apply:os.system ['echo hi']\nsteps: []\n"
    with pytest.raises(LessonFileError, match=r"^evil.yaml: not valid YAML \(line 1: "):
        read_lesson(evil, name="evil.yaml", pages=PAGES)


def test_read_reports_the_yaml_line():
    with pytest.raises(LessonFileError, match=r"^x.yaml: not valid YAML \(line 2: mapping values are not allowed"):
        read_lesson("title: T\nsteps: a: b\n", name="x.yaml", pages=PAGES)


def test_read_reports_json_line():
    with pytest.raises(LessonFileError, match=r"^x.json: not valid JSON \(line 2: "):
        read_lesson('{"title": "T",\n "steps": [}', name="x.json", pages=PAGES)


def test_read_refuses_large_and_binary_files():
    with pytest.raises(LessonFileError, match=r"x.yaml: 101 bytes; a lesson file may have at most 100"):
        read_lesson(b"a" * 101, name="x.yaml", pages=PAGES, max_bytes=100)
    with pytest.raises(LessonFileError, match=r"x.yaml: not a UTF-8 text file \(byte 2\)"):
        read_lesson(b"ab\xff\xfe", name="x.yaml", pages=PAGES)


def test_step_query_and_url():
    lesson = Lesson("demo", "Demo", (Step("A", "Map", (("q", "king"),), "x"),
                                     Step("B", "Analogies", (("a", "man"), ("b", "king")), "y")))
    assert guided.step_query(lesson, 2) == {"a": "man", "b": "king", "lesson": "demo", "step": "2"}
    assert guided.step_url(lesson, 2) == "/Analogies?a=man&b=king&lesson=demo&step=2"
    with pytest.raises(LessonFileError, match=r"step 3 is not a step of 'Demo'; steps: 1 to 2"):
        guided.step_query(lesson, 3)


def test_lesson_key():
    assert guided.lesson_key("What is an embedding.YAML") == "what_is_an_embedding"
    assert guided.lesson_key("!!!.json") == "lesson"


def test_builtin_lesson_is_found():
    assert "what_is_an_embedding" in guided.builtin_lessons()
    with pytest.raises(LessonFileError, match=r"lesson 'nope' is not a lesson; lessons: .*what_is_an_embedding"):
        guided.load_builtin("nope", pages=PAGES)


# -- answers ------------------------------------------------------------------------------------------

def _space():
    # king (1, 0); queen at 0.8 cosine, prince 0.6, apple 0, river -1 from king
    return EmbeddingSet(["king", "queen", "prince", "apple", "river", "man", "woman"],
                        [[1, 0, 0], [0.8, 0.6, 0], [0.6, 0, 0.8], [0, 1, 0], [-1, 0, 0],
                         [0, 0, 1], [0, 1, 1]])


def test_nearest_right_answer_is_computed_with_scores_and_ranks():
    q = Question("nearest", "Which word is closest to king?", ("king",), ("apple", "queen", "river"))
    wrong = check_choice(_space(), q, "apple")
    assert not wrong.correct and wrong.right == "queen"
    assert wrong.explanation == ("queen is 0.80 cosine from king, the 1st of its neighbours; "
                                 "apple 0.00 (3rd), river -1.00 (6th).")
    assert dict(wrong.scores) == pytest.approx({"apple": 0.0, "queen": 0.8, "river": -1.0}, abs=1e-6)
    assert check_choice(_space(), q, "queen").correct


def test_analogy_right_answer_is_b_minus_a_plus_c():
    # king - man + woman = (1, 0, 0) - (0, 0, 1) + (0, 0.707, 0.707) = (1, 0.707, -0.293)
    q = Question("analogy", "?", ("man", "king", "woman"), ("apple", "queen", "prince"))
    ans = check_choice(_space(), q, "queen")
    assert ans.correct and ans.right == "queen"
    target = np.array([1, 0.5 ** 0.5, 0.5 ** 0.5 - 1])
    target /= np.linalg.norm(target)
    expected = {"apple": target[1], "queen": target @ [0.8, 0.6, 0], "prince": target @ [0.6, 0, 0.8]}
    assert dict(ans.scores) == pytest.approx(expected, abs=1e-5)
    assert ans.explanation.startswith(f"queen is {expected['queen']:.2f} cosine from king − man + woman, the 1st")


def test_choice_must_be_an_option_and_words_known():
    q = Question("nearest", "?", ("king",), ("queen", "apple"))
    with pytest.raises(LessonFileError, match=r"'car' is not an option; options: queen, apple"):
        check_choice(_space(), q, "car")
    with pytest.raises(UnknownTokenError, match="castle"):
        check_choice(_space(), Question("nearest", "?", ("king",), ("queen", "castle")), "queen")
    with pytest.raises(LessonFileError, match="answered by a click"):
        check_choice(_space(), Question("map", "?", ("king",)), "queen")


def test_click_near_is_right_and_far_is_wrong():
    es = _space()
    tokens = list(es.tokens)
    # queen at the origin; the others on a line at distance 1..6
    coords = np.array([[1, 0], [0, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 0]], dtype=np.float32)
    near = check_click(es, "queen", "king", tokens, coords)
    assert near.correct and near.right == "queen" and near.scores == (("distance", 1.0),)
    assert near.explanation == ("queen landed 1.00 from your click on king (17% of the map's width); king is its "
                                "1st nearest dot in the picture, and 0.80 cosine from it in the full space.")
    assert check_click(es, "queen", "queen", tokens, coords).correct
    many = [f"w{i}" for i in range(20)] + ["queen", "far"]
    es2 = EmbeddingSet(many, np.random.default_rng(0).normal(size=(len(many), 3)))
    xy = np.array([[i + 1.0, 0] for i in range(20)] + [[0, 0], [50, 0]])
    assert check_click(es2, "queen", "w9", many, xy).correct            # 10th nearest
    assert not check_click(es2, "queen", "w10", many, xy).correct       # 11th nearest
    assert not check_click(es2, "queen", "far", many, xy).correct
    crowd = np.array([[0.01 * (i + 1), 0] for i in range(20)] + [[0, 0], [100, 0]])
    assert check_click(es2, "queen", "w19", many, crowd).correct        # 20th nearest but 0.2% of the width
    assert not check_click(es2, "queen", "far", many, crowd).correct
    with pytest.raises(LessonFileError, match="'nope' is not drawn on the map"):
        check_click(es2, "queen", "nope", many, xy)
