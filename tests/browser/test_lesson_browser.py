"""Lesson mode in a real browser on a projector's screen (1280 x 720, presenter mode): the whole built-in
lesson walked from the home page's start button, a screenshot per step (test-output/screenshots/lesson_*),
the lesson bar compact and on screen, a multiple-choice question and a click on the Map answered."""
from __future__ import annotations

import re

from .conftest import APP_TIMEOUT, assert_no_exception, goto_page, screenshot, wait_for_app

PROJECTOR = {"width": 1280, "height": 720}
BAR = ".st-key-lesson_bar"
PLOTTED = ("Map", "Neighbours", "Analogies", "Token_pipeline", "One_hot_vs_dense")   # pages that draw a figure
# the screen position of the dot of a word on the Map's scattergl figure (plotly's own axis mapping)
POINT_JS = """(word) => {
  const gd = document.querySelector('.js-plotly-plot');
  const fl = gd._fullLayout;
  for (const tr of gd._fullData) {
    const i = (tr.hovertext || []).indexOf(word);
    if (i < 0) continue;
    const xa = fl[tr.xaxis.replace('x', 'xaxis')], ya = fl[tr.yaxis.replace('y', 'yaxis')];
    const r = gd.getBoundingClientRect();
    return [r.left + xa._offset + xa.l2p(tr.x[i]), r.top + ya._offset + ya.l2p(tr.y[i])];
  }
  return null;
}"""


def _bar(page):
    bar = page.locator(BAR)
    bar.wait_for(timeout=APP_TIMEOUT)
    return bar


def _click(page, key: str, *, step: int | None = None) -> None:
    """Click a button of the bar; with ``step``, wait until the app switched to that step's page."""
    page.locator(f".st-key-{key} button").click()
    if step is not None:
        page.wait_for_url(re.compile(rf"[?&]step={step}(&|$)"), timeout=APP_TIMEOUT)
        page.locator(BAR, has_text=f"{step}/").wait_for(timeout=APP_TIMEOUT)
    wait_for_app(page)
    assert_no_exception(page)


def test_walk_the_lesson_on_a_projector(browser, app_server):
    from embedlab.lessons import guided
    from ui import lesson_bar

    lesson = guided.load_builtin(lesson_bar.BUILTIN, pages=lesson_bar.page_params())
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        goto_page(page, app_server, "?present=1")
        screenshot(page, "lesson_00_home")
        _click(page, "lesson_start", step=1)
        for number, step in enumerate(lesson.steps, start=1):
            bar = _bar(page)
            assert f"{number}/{len(lesson)}" in bar.inner_text()
            assert "present=1" in page.url and f"step={number}" in page.url
            if step.page in PLOTTED and (step.question is None or step.question.kind == "map"):
                page.wait_for_selector(".js-plotly-plot", timeout=APP_TIMEOUT)
            screenshot(page, f"lesson_{number:02d}_{step.page}")
            box = bar.bounding_box()
            # compact: at most ~3 lines of 20 px text (+ a question row), in the top third of the screen
            limit = 330 if step.question else 260
            assert box["y"] >= 0 and box["y"] + box["height"] < limit, (number, box)
            if step.question is not None and step.question.kind == "nearest":
                _click(page, "lesson_opt_0")                        # queen: the right answer
                page.locator(BAR, has_text="Right!").wait_for(timeout=APP_TIMEOUT)
                assert "score 1/1" in _bar(page).inner_text()
                screenshot(page, f"lesson_{number:02d}_{step.page}_revealed")
            elif step.question is not None and step.question.kind == "analogy":
                _click(page, "lesson_opt_1")                        # prince: wrong, the answer is revealed
                page.locator(BAR, has_text="Not quite: the answer is queen").wait_for(timeout=APP_TIMEOUT)
                page.wait_for_selector(".js-plotly-plot", timeout=APP_TIMEOUT)   # the parallelogram, now shown
                assert "score 1/3" in _bar(page).inner_text() or "score 2/3" in _bar(page).inner_text()
                screenshot(page, f"lesson_{number:02d}_{step.page}_revealed")
            elif step.question is not None and step.question.kind == "map":
                page.wait_for_selector(".js-plotly-plot canvas", timeout=APP_TIMEOUT)
                page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
                page.wait_for_timeout(500)
                xy = page.evaluate(POINT_JS, "king")
                assert xy is not None, "king is drawn on the map"
                page.mouse.click(*xy)
                page.locator(BAR, has_text="queen landed").wait_for(timeout=APP_TIMEOUT)
                wait_for_app(page)
                assert_no_exception(page)
                text = _bar(page).inner_text()
                assert "queen landed" in text and "your click on king" in text, text
                assert "score" in text and "/2" in text
                page.locator(BAR).scroll_into_view_if_needed()
                screenshot(page, f"lesson_{number:02d}_{step.page}_revealed")
            if number < len(lesson):
                _click(page, "lesson_next", step=number + 1)
        assert not errors, errors
    finally:
        context.close()
