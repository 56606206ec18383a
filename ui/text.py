"""User text inside Streamlit's Markdown, shown literally; user names as download file names.

Everything Streamlit draws from a string — ``st.markdown``, ``st.caption``, ``st.write``, ``st.subheader``,
``st.error``/``warning``/``info``/``success``, ``st.toast``, ``st.status`` and progress texts, widget labels
and ``help`` tooltips — is Markdown: GitHub-flavoured Markdown plus Streamlit's own syntax (``:red[…]``
colours, ``:material/…:`` icons, ``$…$`` LaTeX, emoji shortcodes such as ``:smile:``, typographic arrows
such as ``->``). Raw HTML is never rendered (``unsafe_allow_html`` is never used with user text), but a
token such as ``**x**``, ``[a](https://example.com)`` or ``$x$`` would still be formatted instead of shown.

:func:`md_text` makes a token, a file name or a library error message plain text for those calls::

    st.markdown(f"**Neighbours of “{md_text(word)}”**")
    st.error(md_text(exc))

:func:`file_stem` makes a set name (often an uploaded file's name) safe as the stem of a download's file name.
:func:`csv_cell` / :func:`csv_bytes` keep tokens from acting as spreadsheet formulas in CSV downloads.

This module imports nothing from Streamlit, so it can be tested as pure functions; what Streamlit's
renderer really shows is checked in ``tests/browser/test_hostile_tokens.py``.
"""
from __future__ import annotations

import re
import string

from embedlab.io.csv_safe import csv_bytes, csv_cell  # noqa: F401  (re-exported: the pages download with them)

__all__ = ["md_text", "file_stem", "csv_cell", "csv_bytes"]

# A backslash makes any ASCII punctuation character literal (CommonMark). It is added only where a character
# can start Markdown or Streamlit syntax, so ordinary text ("broken.txt: line 3 (of 10)") keeps its source
# unchanged: always before the characters of emphasis, code, links/images, HTML, entities, tables,
# strikethrough and LaTeX; before the marker of a heading, list, rule or quote at the start of a line.
_ALWAYS = frozenset("\\`*_[]<&|~$")
_LINE_START = re.compile(r"[#+\-=>]|\d{1,9}(?=[.)])")
_BREAKS = re.compile(r"\s*(?:\r\n|\r|\n)\s*")
# A word (run without spaces) holding ':' before a non-space (":red[x]", ":smile:", ":material/home:",
# "http://x.org"), "www." or "@" gets every ASCII punctuation character escaped.
_PUNCT = frozenset(string.punctuation)
_RISKY_WORD = re.compile(r"(?i):\S|www\.|@")
# Streamlit finds a few things in the *rendered* text, after escapes are resolved: URLs and e-mail addresses
# (made links), arrows and comparison signs standing alone ("a -> b" shows "a → b"), the ":streamlit:" logo
# and ":material_x:" icons. An invisible WORD JOINER (U+2060) inside each breaks the pattern it looks for.
_WJ = "\u2060"
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp|mailto|xmpp):|\bwww(?=\.)|@")
_TYPOGRAPHY = re.compile(r"(?<!\S)(?:<->|->|<-|--|>=|<=|~=)(?!\S)")
_LOGO = re.compile(r":(?=streamlit:|material_\w+:)")


def _escape_word(word: str) -> str:
    if not _RISKY_WORD.search(word):
        return "".join("\\" + ch if ch in _ALWAYS else ch for ch in word)
    word = _AUTOLINK.sub(lambda m: m.group() + _WJ, word)
    return "".join("\\" + ch if ch in _PUNCT else ch for ch in word)


def _escape_line(line: str) -> str:
    line = _TYPOGRAPHY.sub(lambda m: m.group()[0] + _WJ + m.group()[1:], line)
    line = _LOGO.sub(":" + _WJ, line)
    start = _LINE_START.match(line)
    head = ""
    if start:   # escape the marker itself: "\# x", "\- x", "1\. x"
        cut = start.end() if start.group()[0].isdigit() else 0
        head, line = line[:cut] + "\\" + line[cut], line[cut + 1:]
    return head + "".join(_escape_word(w) for w in re.split(r"(\s+)", line))


def md_text(text: object) -> str:
    r"""``text`` as Markdown that Streamlit shows character for character.

    Backslash escapes go before every character that could start Markdown or Streamlit syntax here:
    emphasis, code, links and images, HTML tags, entities (``&amp;``), tables, strikethrough, LaTeX
    (``$``), and headings, lists, rules and quotes at the start of a line; a word holding colour
    directives (``:red[…]``), emoji or icon shortcodes or an autolink (``http://``, ``www.``,
    e-mail) gets all its punctuation escaped. Streamlit finds some things in the rendered text,
    after escapes are resolved — URLs and e-mail addresses, arrows (``a -> b``), the ``:streamlit:``
    logo — so those get an invisible word joiner (U+2060) that breaks the pattern. Line breaks
    become Markdown hard breaks (blank lines collapse, indentation is dropped), so a multi-line text
    can neither start a code block nor end the surrounding paragraph or emphasis. Ordinary text
    (letters, digits, ``- . , ; ' " ( ) / ? ! = %``, ``x: y``) comes back unchanged.

    Parameters
    ----------
    text : object
        Converted with ``str()`` first (an exception, a number, a path).

    Returns
    -------
    str

    Examples
    --------
    >>> md_text("**x**")
    '\\*\\*x\\*\\*'
    >>> md_text("<b>a&b</b>")
    '\\<b>a\\&b\\</b>'
    >>> md_text("broken.txt: line 3 (of 10)")
    'broken.txt: line 3 (of 10)'
    >>> md_text(":red[x] :smile:")
    '\\:red\\[x\\] \\:smile\\:'
    >>> md_text("# two\n\n  lines")
    '\\# two  \nlines'
    """
    lines = [ln for ln in _BREAKS.split(str(text).strip()) if ln]
    return "  \n".join(_escape_line(ln) for ln in lines)


_UNSAFE_FILE_CHARS = re.compile(r"[^\w\-. ()+,=@]+")


def file_stem(name: object, *, default: str = "embedlab", max_length: int = 80) -> str:
    """``name`` as the stem of a download's file name: no path separators, control or shell-special
    characters (runs of them become ``_``), no dots, spaces or ``_`` at either end, at most
    ``max_length`` characters.

    >>> file_stem("../../etc/passwd")
    'etc_passwd'
    >>> file_stem('<b>my set</b>: v2')
    'b_my set_b_ v2'
    >>> file_stem("...")
    'embedlab'
    """
    stem = _UNSAFE_FILE_CHARS.sub("_", str(name)).strip("._ ")
    return stem[:max_length].rstrip("._ ") or default


# -- CSV downloads: formula-safe cells (written once, in embedlab.io.csv_safe, for the CLI too) ----------
