"""Browser end-to-end for the lesson pages (One-hot vs dense, Token pipeline, Context, Documents).

Runs on the shared harness (tests/browser/conftest.py: one app server for the session, Debian
Chromium through Playwright). Each test opens its page by URL, does the page's main interaction,
asserts that no exception box appears and saves a screenshot (test-output/screenshots/) for a person
to check: readable on a projector, nothing overlapping.
"""
from __future__ import annotations

from .conftest import assert_no_exception, goto_page, screenshot, wait_for_app

SLOW = 120_000   # the first encoder run in a process loads the weights and compiles GELU


def _type(page, label: str, text: str, *, area: bool = False) -> None:
    box = page.get_by_role("textbox", name=label)
    box.fill(text)
    box.press("Control+Enter" if area else "Enter")
    wait_for_app(page)


def _finish(page, name: str) -> None:
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, name)


def test_onehot_deep_link_new_vocabulary(app_server, page):
    goto_page(page, app_server, "One_hot_vs_dense")
    _type(page, "Your small vocabulary (words separated by spaces or commas)", "king queen apple banana")
    page.get_by_text("king – queen", exact=False).first.wait_for()
    page.get_by_text("Equal in all 384 dimensions", exact=False).wait_for()
    page.locator(".js-plotly-plot").nth(5).wait_for()       # 2 codings, 2 similarity maps, sizes, lookup
    assert "words=king" in page.url
    _finish(page, "lessons_onehot")


def test_token_pipeline_pieces_and_long_text(app_server, page):
    goto_page(page, app_server, "Token_pipeline")
    _type(page, "Text", "Unbelievably, the tokenizer splits transformers.")
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_text("of them are sub-word pieces", exact=False).wait_for()
    page.locator(".js-plotly-plot").nth(4).wait_for(timeout=SLOW)       # chips, pipeline, 2 position maps, sinusoid
    _finish(page, "lessons_token_pipeline")
    _type(page, "Text", "word " * 600)
    page.get_by_text("was cut to the first 512", exact=False).wait_for()
    assert_no_exception(page)


def test_context_word_in_my_sentences(app_server, page):
    goto_page(page, app_server, "Context")
    page.get_by_text("in all 4 sentences", exact=False).wait_for(timeout=SLOW)
    _type(page, "Word", "light")
    page.get_by_text("does not contain the token 'light'", exact=False).wait_for()   # shown, not a crash
    _type(page, "Sentences that use it (one per line)",
          "Turn on the light, it is dark.\nThe suitcase is light enough to carry.\nThe light of the sun is warm.",
          area=True)
    page.get_by_text("in all 3 sentences", exact=False).wait_for()
    page.locator(".js-plotly-plot").nth(3).wait_for()       # map, two heatmaps, sentence similarity
    _finish(page, "lessons_context")


def test_documents_encode_search_and_select(app_server, page, tmp_path):
    page.set_default_timeout(SLOW)
    goto_page(page, app_server, "Documents")
    page.get_by_role("button", name="Encode 14 documents").click()
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_text("14 tokens × 384 dimensions", exact=False).wait_for(timeout=SLOW)
    page.locator(".js-plotly-plot").first.wait_for()
    _type(page, "Search by meaning", "my laptop keeps losing the wifi")
    page.get_by_test_id("stDataFrame").first.wait_for()
    # the encoded set is now the current set: the sidebar describes it
    page.get_by_test_id("stSidebar").get_by_text("14 tokens × 384 dimensions", exact=False).wait_for()
    _finish(page, "lessons_documents")
    # a CSV upload offers its columns
    csv = tmp_path / "notes.csv"
    csv.write_text("id,title,body\n1,Pasta,Boil the pasta in salted water\n2,Match,The referee blew the whistle\n")
    page.get_by_text("Upload a .txt or .csv file").click()
    wait_for_app(page)
    page.get_by_test_id("stMainBlockContainer").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv))
    wait_for_app(page)
    page.get_by_text("2 documents read as csv from column 'body'").wait_for()
    assert_no_exception(page)
