"""Issue 12's leftovers in a real browser: the sidebar folded at 800 px; the Map keeping its previous
figure while a new layout computes. CUT_JS and MODEBAR_JS (nothing cut, no label or choice wrapped
mid-word, tables inside the page, plotly's toolbar clear of figure titles) are the checks
test_presenter_walk_browser runs on every page in presenter mode at 1280x720 and 1024x768.
Screenshots: test-output/screenshots/classroom_*.png (look at them)."""
from __future__ import annotations

from .conftest import assert_no_exception, goto_page, screenshot, wait_for_app

# Everything on screen that is cut: a widget label, a select box's shown choice, a radio option or a
# tab label whose text is wider than its box; a table wider than the main column or scrolling sideways.
CUT_JS = """() => {
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const main = {right: block.getBoundingClientRect().right - parseFloat(getComputedStyle(block).paddingRight)};
  const cut = [];
  const text = e => (e.innerText || '').trim().slice(0, 40);
  const sel = ['[data-testid="stWidgetLabel"] p', '[data-baseweb="select"] [value]',
               '[data-baseweb="select"] div[title]', '[data-testid="stRadio"] label p',
               '[data-testid="stMarkdownContainer"] p', 'button[role="tab"] p',
               // a button's label ("Try its first question ab…" at 1024 px in presenter mode)
               'button [data-testid="stMarkdownContainer"]'];
  for (const e of document.querySelectorAll('[data-testid="stMain"] ' + sel.join(', [data-testid="stMain"] '))) {
    if (!e.offsetParent) continue;
    if (e.scrollWidth > e.clientWidth + 1) cut.push('cut: ' + text(e) + ' ' + e.scrollWidth + '>' + e.clientWidth);
  }
  // a label or choice broken inside a word: its words are taller than one line although none is long
  for (const e of document.querySelectorAll('[data-testid="stMain"] [data-testid="stWidgetLabel"] p')) {
    if (!e.offsetParent) continue;
    const lh = parseFloat(getComputedStyle(e).lineHeight) || 24;
    const words = (e.innerText || '').split(/\\s+/).filter(Boolean);
    if (words.length === 1 && e.getBoundingClientRect().height > 1.6 * lh) cut.push('wrapped word: ' + text(e));
  }
  for (const e of document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]')) {
    // (a zoomed table's own box can be narrower than the canvas drawn inside it: measure what is drawn)
    const right = Math.max(e.getBoundingClientRect().right, ...[...e.querySelectorAll('canvas')].map(
      c => c.getBoundingClientRect().right));
    if (right > main.right + 2) cut.push('table past the page: ' + Math.round(right) + '>' + Math.round(main.right));
    // a table of a few columns must show them all (the Map's "in the picture" was cut to "ho");
    // a wide table of long texts or many columns may scroll sideways, as on any screen
    const sc = e.querySelector('.dvn-scroller');
    // the grid draws header cells only for the columns in view: the accessibility table's aria-colcount
    // (the columns, plus one when row markers are drawn) says how many the table really has
    const grid = e.querySelector('table[aria-colcount]');
    const cols = Math.max(e.querySelectorAll('[role="columnheader"]').length,
                          grid ? Number(grid.getAttribute('aria-colcount')) - 1 : 0);
    if (sc && cols && cols <= 3 && sc.scrollWidth > sc.clientWidth + 2)
      cut.push('table of ' + cols + ' columns scrolls sideways: ' + sc.scrollWidth + '>' + sc.clientWidth);
  }
  return cut;
}"""
# plotly's toolbar over a figure's title (at 1024 px it sat on the right end of long titles)
MODEBAR_JS = """() => {
  const hits = [];
  for (const p of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
    const bar = p.querySelector('.modebar');
    const title = p.querySelector('.gtitle');
    if (!bar || !title) continue;
    const b = bar.getBoundingClientRect(), t = title.getBoundingClientRect();
    if (b.width === 0 || getComputedStyle(bar).display === 'none') continue;
    const overlap = !(b.right <= t.left || t.right <= b.left || b.bottom <= t.top || t.bottom <= b.top);
    if (overlap) hits.push((title.textContent || '').slice(0, 50));
  }
  return hits;
}"""


# The presenter-mode check of these pages at both projector sizes (CUT_JS, MODEBAR_JS, screenshots) is
# test_presenter_walk_browser's, which walks EVERY page with the same checks and more (after each page's
# main action too); it replaced this file's nine-page version, which loaded the same pages a second time.


def test_sidebar_starts_folded_at_800_px_and_open_at_1280(app_server, sized_page):
    narrow = sized_page(800, 1000)
    goto_page(narrow, app_server, "Map")
    narrow.wait_for_selector(".js-plotly-plot", timeout=120_000)
    narrow.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                             ".getBoundingClientRect().width < 10", timeout=10_000)
    # (and so narrower than Streamlit's 300 px, and it can be folded away / opened: what
    # test_present12_browser's narrow-screen check asked of Neighbours, merged here)
    assert narrow.get_by_test_id("stSidebar").bounding_box()["width"] <= 250
    assert narrow.get_by_test_id("stExpandSidebarButton").count() == 1
    screenshot(narrow, "classroom_map_800x1000")
    # it opens with its button, and stays open on the next page (no second fold in this tab)
    narrow.get_by_test_id("stExpandSidebarButton").click()
    narrow.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                             ".getBoundingClientRect().width > 200", timeout=10_000)
    narrow.get_by_test_id("stSidebarNav").get_by_role("link", name="Neighbours").click()
    narrow.wait_for_selector(".js-plotly-plot", timeout=120_000)
    narrow.wait_for_timeout(1000)
    wait_for_app(narrow)                   # (the shot of a finished run, not of one still drawing)
    assert_no_exception(narrow)
    screenshot(narrow, "classroom_neighbours_800x1000")
    # the neighbour table's three columns fit its column beside the open sidebar: nothing scrolls sideways
    overflow = narrow.evaluate("""() => { const s = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
                                         return s ? s.scrollWidth - s.clientWidth : null; }""")
    assert overflow is not None and overflow <= 1, f"the table is {overflow} px wider than its column"
    assert narrow.get_by_test_id("stSidebar").bounding_box()["width"] > 200
    wide = sized_page(1280, 720)          # a new tab of the same browser: open, folding remembered nowhere
    goto_page(wide, app_server, "Map")
    wide.wait_for_selector(".js-plotly-plot", timeout=120_000)
    wide.wait_for_timeout(1000)
    assert wide.get_by_test_id("stSidebar").bounding_box()["width"] > 200
    assert not narrow.js_errors and not wide.js_errors


def test_map_keeps_the_previous_figure_while_a_new_layout_computes(app_server, sized_page):
    page = sized_page(1280, 1400)
    goto_page(page, app_server, "Map?n=1000&color=none")
    page.wait_for_selector(".js-plotly-plot")
    page.get_by_test_id("stRadio").first.get_by_text("t-SNE", exact=True).click()
    bar = page.get_by_test_id("stProgress")
    bar.wait_for(timeout=60_000)
    # while t-SNE runs: the progress bar in the open (no status box around it) above the previous PCA map
    assert page.locator('[data-testid="stExpander"] [data-testid="stProgress"]').count() == 0
    assert page.get_by_text("The previous picture stays here until the new layout is ready.").is_visible()
    plot = page.locator(".js-plotly-plot").first
    assert plot.is_visible()
    assert page.evaluate("() => document.querySelector('.js-plotly-plot')._fullLayout.xaxis.title.text"
                         ).startswith("PC 1")
    screenshot(page, "classroom_map_layout_computing_1280")
    page.wait_for_function("() => { const p = document.querySelector('.js-plotly-plot');"
                           " return p && p._fullLayout && p._fullLayout.xaxis.title.text.startsWith('t-SNE 1'); }",
                           timeout=300_000)
    assert page.get_by_test_id("stProgress").count() == 0
    assert_no_exception(page)
