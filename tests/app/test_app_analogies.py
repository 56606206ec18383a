"""AppTest: the Analogies page."""
import json

import pytest

from tests.app.helpers import open_page

PAGE = "app_pages/3_Analogies.py"


def _page(**query):
    return open_page(PAGE, timeout=120, **query)


def _answers(at):
    return at.dataframe[0].value["answer"].tolist()


def test_man_king_woman_gives_queen_first_with_parallelogram():
    at = _page()
    assert (at.text_input(key="an_a").value, at.text_input(key="an_b").value,
            at.text_input(key="an_c").value) == ("man", "king", "woman")
    assert _answers(at)[0] == "queen"
    names = [t.get("name") for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    assert {"a → b", "b − a + c", "answers"} <= set(names)


def test_3cosmul_and_inputs_allowed_back():
    at = _page()
    at.radio(key="an_method").set_value("3cosmul").run()
    assert _answers(at)[0] == "queen"
    at.toggle(key="an_exclude").set_value(False).run()
    assert not at.exception
    assert _answers(at)[0] in ("king", "woman")


def test_run_family_shows_accuracy_misses_and_ranks():
    at = _page()
    at.selectbox(key="an_family").set_value("capital-common-countries").run()
    at.button(key="an_run").click().run()
    assert not at.exception
    acc = at.metric[0].value
    assert acc.endswith("%") and 0 < int(acc[:-1]) <= 100
    misses = at.dataframe[-1].value
    assert list(misses.columns) == ["a", "b", "c", "expected", "got", "rank of expected"]
    assert (misses["expected"] != misses["got"]).all()
    at.toggle(key="an_exclude").set_value(False).run()
    assert "simply an input word" in at.warning[0].value


def test_example_button_fills_the_inputs():
    at = _page()
    at.selectbox(key="an_family").set_value("family").run()
    at.button(key="an_example").click().run()
    assert at.text_input(key="an_a").value == "boy"


def test_unknown_word_shows_error_and_params_restore_view():
    at = _page(a="france", b="paris", c="italy", method="3cosmul", exclude="1")
    assert at.radio(key="an_method").value == "3cosmul"
    assert "rome" in _answers(at)[:3]
    at.text_input(key="an_c").input("itlay").run()
    assert not at.exception and "itlay" in at.error[0].value
    assert at.query_params["c"] == "itlay"


def test_capitalised_analogy_words_are_matched_ignoring_case():
    at = _page(a="Man", b="King", c="Woman")
    assert not at.error and not at.exception
    assert "Matched ignoring case: Man → man, King → king, Woman → woman." in " ".join(c.value for c in at.caption)
    assert "queen" in " ".join(s.value for s in at.subheader)


@pytest.mark.parametrize("family", ["currency", "capital-world"])
def test_try_its_first_question_loads_one_the_set_can_answer(family):
    """The family's first question in the file may use words the set lacks (accra, dinar): the button
    loads the first question whose four words are all in the set, and says how many such questions there are."""
    at = _page(family=family)
    at.button(key="an_example").click().run()
    assert not at.exception and not at.error
    a, b, c = (at.text_input(key=k).value for k in ("an_a", "an_b", "an_c"))
    es = __import__("embedlab").load("minilm-words")
    assert all(w in es for w in (a, b, c))
    assert at.subheader and f"{a} : {b} :: {c}" in at.subheader[0].value
    assert "questions have all four words in this set" in " ".join(c.value for c in at.caption)
