"""Browser end-to-end: upload a small corpus file on the Train page, train, and find the new set selected
on the Map page with no exception box (shared harness: tests/browser/conftest.py)."""
from __future__ import annotations

from .conftest import assert_no_exception, goto_page, screenshot, wait_for_app

SET_NAME = "royal_corpus-word2vec-20d"


def test_upload_train_and_see_the_set_on_the_map(app_server, page, tmp_path):
    from embedlab.io.builtin_corpora import toy_corpus

    corpus = tmp_path / "royal_corpus.txt"
    corpus.write_text("\n".join(" ".join(s) for s in toy_corpus(1500, seed=5).sentences), encoding="utf-8")

    goto_page(page, app_server, "Train?corpus=upload&epochs=4&dim=20&min_count=1")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(corpus))
    # the upload's own counts (the built-in toy corpus the page starts with has 4,000 sentences)
    main.get_by_test_id("stMetric").filter(has_text="sentences").filter(has_text="1,500").wait_for(timeout=60_000)
    wait_for_app(page)
    dim = [line for line in page.locator(".st-key-tr_dim").inner_text().splitlines() if line.strip()]
    assert dim[:2] == ["Vector size (dimensions)", "20"], dim       # the link's dim (label, value, min, max)
    page.get_by_role("button", name="Train").click()
    # training runs in a background thread; the page polls it and reruns when it is done
    page.get_by_text("It is selected in the sidebar").wait_for(timeout=120_000)
    wait_for_app(page)
    main.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    assert_no_exception(page)
    screenshot(page, "train_result")
    assert SET_NAME in page.get_by_test_id("stSidebarUserContent").inner_text()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Map").click()
    page.wait_for_url("**/Map**", timeout=60_000)
    wait_for_app(page)
    main.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    assert_no_exception(page)
    screenshot(page, "train_then_map")
    sidebar = page.get_by_test_id("stSidebarUserContent").inner_text()
    assert f"{SET_NAME} · 104 tokens × 20 dimensions" in sidebar
    assert not page.js_errors, page.js_errors


def test_a_train_link_keeps_its_values_when_a_slow_browser_is_clicked_at_once(app_server, page):
    """A slow school laptop (6x CPU throttling) clicks Train as soon as a shared link is drawn. The values
    it sends back must be the link's (dim=8) and the page's defaults (lowercase, drop punctuation,
    min_count 2), not the widgets' own defaults: before ui.params.value, 3 of 4 such runs here trained with
    min_count 1 and no lowercasing, one with dim 2, and wrote lower=0&punct=0&min_count=1 into the link."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 6})
    goto_page(page, app_server, "Train?epochs=2&dim=8")
    page.get_by_role("button", name="Train").click()
    page.get_by_text("It is selected in the sidebar").wait_for(timeout=180_000)
    wait_for_app(page)
    assert_no_exception(page)
    query = page.url.split("?", 1)[1]
    assert "dim=8" in query and "epochs=2" in query, page.url
    assert not {"lower", "punct", "min_count"} & {kv.split("=")[0] for kv in query.split("&")}, page.url
    assert page.get_by_text("toy-word2vec-8d").first.is_visible()
