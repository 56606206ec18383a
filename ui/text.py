"""User text inside Streamlit's Markdown, shown literally.

Everything Streamlit draws from a string — ``st.markdown``, ``st.caption``, ``st.write``, ``st.subheader``,
``st.error``/``warning``/``info``/``success``, ``st.toast``, ``st.status`` and progress texts, widget labels
and ``help`` tooltips — is Markdown: GitHub-flavoured Markdown plus Streamlit's own syntax (``:red[…]``
colours, ``:material/…:`` icons, ``$…$`` LaTeX, emoji shortcodes such as ``:smile:``, and typographic
arrows such as ``->``). Raw HTML is never rendered (``unsafe_allow_html`` is never used with user text), but
a token such as ``**x**``, ``[a](https://example.com)`` or ``$x$`` would still be formatted instead of shown.

:func:`md_text` makes a token, a file name or a library error message plain text for those calls::

    st.markdown(f"**Neighbours of “{md_text(word)}”**")
    st.error(md_text(str(exc)))

:func:`file_stem` makes a set name (often an uploaded file's name) safe as the stem of a download's file name.

This module imports nothing from Streamlit, so it can be tested as pure functions.
"""
from __future__ import annotations

import re
import string

__all__ = ["md_text", "file_stem"]

# CommonMark: "any ASCII punctuation character may be backslash-escaped" and is then a literal character;
# Streamlit's extensions (directives, LaTeX, emoji and icon shortcodes, arrows) are all started by ASCII
# punctuation, so escaping every ASCII punctuation character turns all of them off.
_PUNCT = re.compile("([" + re.escape(string.punctuation) + "])")
_BREAKS = re.compile(r"[ \t]*(?:\r\n|\r|\n)\s*")
# Streamlit rewrites a few things in the *rendered* text, after Markdown escapes are resolved: arrows and
# comparison signs standing alone ("a -> b" shows "a → b") and the ":streamlit:" logo / ":material_x:"
# icon shortcodes. An invisible WORD JOINER (U+2060) between their characters keeps them as typed.
_WJ = "\u2060"
_TYPOGRAPHY = re.compile(r"(?<=[<\-~>])(?=[\->=])")
_SHORTCODE = re.compile(r":(?=streamlit:|material_\w+:)")


def md_text(text: object) -> str:
    r"""``text`` as Markdown that Streamlit shows character for character.

    Every ASCII punctuation character gets a backslash (Markdown's escape), so emphasis, links,
    headings, lists, tables, code, HTML tags, entities (``&amp;``), LaTeX (``$``), colour and icon
    directives (``:red[…]``) and emoji shortcodes are all shown as typed; Streamlit's arrows (``->``) and
    logo shortcode (``:streamlit:``), which it applies to the rendered text, get an invisible word joiner
    (U+2060) between their characters. Line breaks become Markdown hard breaks (blank lines collapse
    into one), so a multi-line text can neither start a heading, list or code block nor end the
    surrounding paragraph or emphasis.

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
    '\\<b\\>a\\&b\\<\\/b\\>'
    >>> md_text("king")
    'king'
    >>> md_text("two\n\n  lines")
    'two  \nlines'
    """
    s = _SHORTCODE.sub(":" + _WJ, _TYPOGRAPHY.sub(_WJ, str(text)))
    s = _PUNCT.sub(r"\\\1", s)
    return _BREAKS.sub("  \n", s)


_UNSAFE_FILE_CHARS = re.compile(r"[^\w\-. ()+,=@]+")


def file_stem(name: object, *, default: str = "embedlab", max_length: int = 80) -> str:
    """``name`` as the stem of a download's file name: no path separators, control or shell-special
    characters (runs of them become ``_``), no dots, spaces or ``_`` at either end, at most ``max_length`` characters.

    >>> file_stem("../../etc/passwd")
    'etc_passwd'
    >>> file_stem('<b>my set</b>: v2')
    'b_my set_b_ v2'
    >>> file_stem("...")
    'embedlab'
    """
    stem = _UNSAFE_FILE_CHARS.sub("_", str(name)).strip("._ ")
    return stem[:max_length].rstrip("._ ") or default
