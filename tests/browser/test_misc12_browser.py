"""Browser checks of issue 12 items 5, 8, 9 in presenter mode on a projector (1280×720, and the
Documents map at 1024×768): a link naming a set the server lacks, the Documents map with the
question as a point and a cut-off, the Train button disabled with its reason. Screenshots are saved
for a person to look at."""
from __future__ import annotations

import pytest

from .conftest import assert_no_exception, goto_page, screenshot, wait_for_app

SLOW = 120_000


@pytest.fixture
def projector(browser):
    contexts = []

    def make(width=1280, height=720):
        ctx = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(ctx)
        p = ctx.new_page()
        p.set_default_timeout(SLOW)
        return p

    yield make
    for ctx in contexts:
        ctx.close()


def test_map_link_to_an_absent_set_warns(app_server, projector):
    page = projector()
    goto_page(page, app_server, "Map?set=toy-word2vec-50d&q=king&present=1")
    warning = page.get_by_test_id("stAlert").filter(has_text="toy-word2vec-50d")
    warning.wait_for()
    assert "does not have" in warning.inner_text() and "minilm-words" in warning.inner_text()
    assert_no_exception(page)
    screenshot(page, "misc12_map_absent_set_1280")


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)])
def test_documents_question_is_a_point_with_a_cutoff(app_server, projector, size):
    page = projector(*size)
    goto_page(page, app_server, "Documents?present=1&k=8")
    page.get_by_role("button", name="Encode 14 documents").click()
    wait_for_app(page)
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_text("reach the cut-off", exact=False).first.wait_for()
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    legend = page.locator(".js-plotly-plot .legend").first.text_content()
    assert "your question" in legend and "searched" not in legend
    assert_no_exception(page)
    screenshot(page, f"misc12_documents_map_{size[0]}")


def test_train_button_disabled_with_reason(app_server, projector):
    page = projector()
    goto_page(page, app_server, "Train?present=1&corpus=paste")
    box = page.get_by_role("textbox", name="Paste text (a few paragraphs at least)")
    box.fill("just a few words here and there")
    box.press("Control+Enter")
    wait_for_app(page)
    button = page.get_by_test_id("stBaseButton-primaryFormSubmit")
    button.scroll_into_view_if_needed()
    assert button.is_disabled()
    page.get_by_test_id("stAlert").filter(has_text="training needs at least 50").wait_for()
    page.wait_for_timeout(300)
    assert_no_exception(page)
    screenshot(page, "misc12_train_disabled_1280")
