"""Browser end-to-end (issue 11 item 7): the owner key of a workspace lives in a cookie the Train page
writes, never in the address; a reload in the same browser finds the workspace, the copied address
opened in another browser finds nothing of it, and a share link opens one set read-only there."""
from __future__ import annotations

import re

from .conftest import VIEWPORT, assert_no_exception, goto_page, screenshot, wait_for_app

SET_NAME = "toy-word2vec-8d"


def _workspace_text(page) -> str:
    return page.get_by_test_id("stMainBlockContainer").inner_text()


def test_cookie_keeps_the_workspace_and_links_carry_no_key(app_server, page, browser):
    goto_page(page, app_server, "Train?epochs=2&dim=8")
    page.get_by_role("button", name="Train").click()
    page.get_by_text("It is selected in the sidebar").wait_for(timeout=180_000)
    wait_for_app(page)
    assert_no_exception(page)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "embedlab_ws" in cookies, sorted(cookies)
    key = cookies["embedlab_ws"]["value"]
    assert re.fullmatch(r"[a-f0-9]{32}", key) and cookies["embedlab_ws"]["sameSite"] == "Strict"
    assert key not in page.url and "ws=" not in page.url

    page.reload()                                   # a reload: a new session, same browser
    wait_for_app(page)
    page.get_by_role("button", name="Delete").first.wait_for(timeout=60_000)
    text = _workspace_text(page)
    assert "1 set(s)" in text and SET_NAME in text
    link = page.url

    other = browser.new_context(viewport=VIEWPORT)  # somebody else opens the copied address
    try:
        guest = other.new_page()
        guest.goto(link)
        wait_for_app(guest)
        assert "0 set(s)" in _workspace_text(guest)
        assert not guest.get_by_role("button", name="Delete").count()

        page.get_by_role("button", name="Share").first.click()
        wait_for_app(page)
        page.get_by_text("Read-only link to this set").wait_for(timeout=60_000)
        share = page.get_by_test_id("stCode").first.inner_text().strip()
        assert "?share=" in share and key not in share
        guest.goto(share)
        wait_for_app(guest)
        guest.get_by_text("Shared with you").wait_for(timeout=60_000)
        assert_no_exception(guest)
        assert SET_NAME in _workspace_text(guest)
        assert not guest.get_by_role("button", name="Delete").count()
        screenshot(guest, "workspace_shared_link")
        guest.get_by_role("button", name="Use").first.click()
        wait_for_app(guest)
        guest.get_by_text(f"{SET_NAME} · 104 tokens × 8 dimensions").wait_for(timeout=60_000)
        assert_no_exception(guest)
    finally:
        other.close()
    assert not page.js_errors, page.js_errors
