"""Tokens that are markup, in a real browser: shown as text, never run, never formatted.

1. A word2vec file (its name markup too) whose tokens are HTML, Markdown and Streamlit syntax is uploaded;
   the Map page searches one of them (presenter mode on, so every small trace is labelled in the
   figure) and the Neighbours page lists its neighbours. No script runs, no dialog opens, no image or
   link is made, and the page text and the figure's SVG text show the tokens character for character.
2. ``ui.text.md_text`` against Streamlit's real Markdown renderer: a throw-away script renders many
   hostile strings through st.markdown / caption / error / subheader / progress, and the browser's
   text must equal the input, with no element (bold, link, emoji, icon, LaTeX, …) made from it.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from .conftest import (ROOT, VIEWPORT, _free_port, _stop, assert_no_exception, goto_page, screenshot,
                       vector_file_input, wait_for_app)

TOKENS = ("<script>window.__xss=1</script>", '<img src=x onerror="window.__xss=2">', "<b>bold</b>", "**star**",
          '<a href="https://example.com">link</a>', "a&b", ":red[x]", "$x$",
          "apple", "pear", "stone", "rock")
MARKUP = TOKENS[:8]
SET_FILE = "**hostile** <i>set.txt"
SET_NAME = "**hostile** <i>set"
XSS_JS = "() => [typeof window.__xss, document.querySelectorAll('img[src=\"x\"]').length]"
SVG_TEXT_JS = "() => [...document.querySelectorAll('.js-plotly-plot svg text')].map(t => t.textContent)"
SVG_LINKS_JS = "() => document.querySelectorAll('.js-plotly-plot svg a').length"


def _vector_file(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    vecs = rng.normal(scale=0.1, size=(len(TOKENS), 4))
    vecs[:len(MARKUP), 0] += 1.0        # the markup tokens are each other's neighbours
    vecs[len(MARKUP):, 1] += 1.0
    path = folder / SET_FILE
    path.write_text(f"{len(TOKENS)} 4\n" + "".join(
        t + " " + " ".join(f"{x:.4f}" for x in v) + "\n" for t, v in zip(TOKENS, vecs)), encoding="utf-8")
    return path


def _type(page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label)
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def _safe(page, dialogs) -> None:
    assert page.evaluate(XSS_JS) == ["undefined", 0], "an injected script or image ran"
    assert not dialogs, dialogs
    assert_no_exception(page)


def test_hostile_tokens_show_as_text_on_map_and_neighbours(app_server, page, tmp_path):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    goto_page(page, app_server, "Map")
    sidebar = page.get_by_test_id("stSidebar")
    vector_file_input(page).set_input_files(str(_vector_file(tmp_path)))
    # the upload's own run: on a loaded machine it can start after wait_for_app has seen the previous one
    # end (a clean clone run beside another suite failed here with the old caption still in the sidebar)
    page.wait_for_function("(s) => document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes(s)",
                           arg=f"{SET_NAME} · {len(TOKENS)} tokens", timeout=60_000)
    wait_for_app(page)
    _safe(page, dialogs)
    assert f"{SET_NAME} · {len(TOKENS)} tokens" in sidebar.inner_text()   # the file name, as text

    _type(page, "Search a word", "<b>bold</b>")
    main = page.get_by_test_id("stMainBlockContainer")
    page.get_by_text("Neighbours of “<b>bold</b>”", exact=True).wait_for()
    sidebar.get_by_text("Presenter mode").click()          # labels on every small trace of the figure
    wait_for_app(page)
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')._fullLayout.font.size === 20")
    page.wait_for_function(f"() => ({SVG_TEXT_JS})().includes('searched: <b>bold</b>')")
    _safe(page, dialogs)
    text = main.inner_text()
    assert "Neighbours of “<b>bold</b>”" in text
    svg = page.evaluate(SVG_TEXT_JS)
    for tok in TOKENS:                    # point labels (presenter mode) show every token as typed
        assert tok in svg, (tok, svg)
    assert "<b>bold</b>" in svg and "bold" not in svg                  # the searched token's boxed label
    assert page.evaluate(SVG_LINKS_JS) == 0                             # the <a href> token made no link
    screenshot(page, "hostile_tokens_map")

    sidebar.get_by_test_id("stSidebarNav").get_by_role("link", name="Neighbours").click()
    wait_for_app(page)
    _type(page, "Word or expression", "<b>bold</b>")
    page.get_by_text("Nearest to <b>bold</b>", exact=True).wait_for()
    # the bar chart is Streamlit's plotly.js, which the Map no longer loads: it can come a moment later
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .ytick text').length > 0", timeout=60_000)
    _safe(page, dialogs)
    ticks = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot .ytick text')]"
                          ".map(t => t.textContent)")
    assert set(ticks) >= set(MARKUP) - {"<b>bold</b>"}, ticks          # neighbour bars, labelled as text
    assert page.evaluate(SVG_LINKS_JS) == 0
    screenshot(page, "hostile_tokens_neighbours")
    _type(page, "Word or expression", "<i>nope</i>")                    # the error names it as text
    # waited for: the previous run's alert (the heatmap's missing words) can still be on screen a moment
    main.get_by_test_id("stAlert").filter(has_text="<i>nope</i>").first.wait_for(timeout=60_000)
    assert "<i>nope</i>" in "\n".join(main.get_by_test_id("stAlert").all_inner_texts())
    _safe(page, dialogs)


# -- md_text against Streamlit's own renderer ----------------------------------------------------------------
MD_CASES = [
    "**x**", "<b>bold</b>", "<script>window.__xss=3</script>", '<img src=x onerror="window.__xss=4">',
    "[a](javascript:alert(1))", "![i](x.png)", "$x^2$", "$$y$$", "a $b$ c", "$5 and $6", ":red[x]",
    ":red-background[x]", ":blue-badge[x]", ":small[x]", ":smile:", "x:+1:", "foo:bar:", ":material/home:",
    ":material_home:", ":streamlit:", "a -> b <- c -- d >= e <= f ~= g <-> h", "->", "a&amp;b", "a&b", "&#60;",
    "&nbsp;", "https://example.com", "http://x.org/a_b", "www.example.com", "WWW.Example.com", "mail me@example.com",
    "mailto:a@b.c", "<https://example.com>", "# head", "## head", "1. item", "2) item", "- item", "+ item", "* item",
    "> quote", "---", "===", "***", "~~s~~", "~s~", "`code`", "``a`b``", "back\\slash", "end\\", "|a|b|", "_u_",
    "__u__", "a*b*c", "x<sup>2</sup>", "<!-- comment -->", "\\*y\\*", "[[double]]", "a\nb", "title\n===",
    "a\n\n    code", "line1\n- li", "broken.txt: line 3 (of 10); value 'x' is bad?", "12:30 ratio 1:2", "new_york",
    "C++ and C#", "100% {braces} =eq= !bang (paren) [brack]", "“quotes” — dash", "ünïcödé 日本",
    "'<b>set</b>' is not in x; did you mean 'a&b'?",
]
MD_SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
import streamlit as st
from ui.text import md_text
cases = json.loads({cases!r})
for i, c in enumerate(cases):
    st.markdown(f"C{{i}}|" + md_text(c) + "|E")
st.caption("CAPTION|" + md_text(cases[0]) + "|E")
st.error("ERROR|" + md_text(cases[10]) + "|E")
st.subheader("SUBHEADER|" + md_text(cases[14]) + "|E")
st.progress(0.5, text="PROGRESS|" + md_text(cases[19]) + "|E")
st.markdown("**BOLD|" + md_text("a\\nb **c** <i>d</i>") + "|E**")
st.markdown("DONE")
"""


@contextlib.contextmanager
def _script_server(script: Path):
    port = _free_port()
    log = open(script.with_suffix(".log"), "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=script.parent, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the markdown test script did not start:\n{script.with_suffix('.log').read_text()[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        _stop(proc)
        log.close()


def test_md_text_renders_as_typed_in_streamlit(browser, tmp_path):
    script = tmp_path / "md_cases.py"
    script.write_text(MD_SCRIPT.format(root=str(ROOT), cases=json.dumps(MD_CASES)), encoding="utf-8")
    with _script_server(script) as url:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        try:
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_text("DONE", exact=True).wait_for(timeout=60_000)
            wait_for_app(page)
            shown = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
                .map(e => [e.innerText, [...e.querySelectorAll('*')].map(n => n.tagName)
                                          .filter(t => !['P', 'DIV', 'BR', 'SPAN'].includes(t))])""")
            by_key = {text.split("|")[0]: (text, tags) for text, tags in shown}
            wrong = []
            for i, case in enumerate(MD_CASES):
                text, tags = by_key.get(f"C{i}", ("(missing)", []))
                got = text[len(f"C{i}|"):-len("|E")].replace("\u2060", "")
                want = "\n".join(line.strip() for line in case.strip().splitlines() if line.strip())
                if got != want or tags:
                    wrong.append((case, got, tags))
            assert not wrong, wrong
            # spans are allowed above only for Streamlit's own wrappers: none may carry a colour or an icon
            made = "() => document.querySelectorAll('.stMarkdownColoredText, .stMarkdownColoredBackground, " \
                   ".stMarkdownBadge, [data-testid=stMarkdownContainer] [role=img], .katex').length"
            assert page.evaluate(made) == 0
            body = page.get_by_test_id("stMainBlockContainer").inner_text().replace("\u2060", "")
            for key, case in (("CAPTION", MD_CASES[0]), ("ERROR", MD_CASES[10]), ("SUBHEADER", MD_CASES[14]),
                              ("PROGRESS", MD_CASES[19])):
                assert f"{key}|{case}|E" in body, (key, case)
            bold = by_key["**BOLD"] if "**BOLD" in by_key else by_key["BOLD"]
            assert bold[0] == "BOLD|a\nb **c** <i>d</i>|E" and bold[1] == ["STRONG"]
            assert page.evaluate("() => typeof window.__xss") == "undefined"
            screenshot(page, "md_text_cases")
        finally:
            context.close()
