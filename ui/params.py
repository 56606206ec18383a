"""Shareable views: widget values mirrored in the URL (``st.query_params``).

A page calls :func:`bind` before drawing a widget, gives the widget ``key=`` and the bound value
as its own default (``value=params.value(key)``, ``index=params.index(key, options)``; see
:func:`value` for why), and calls :func:`sync` after its widgets. A URL opened by someone else
sets the widgets once; after that, the widgets write the URL, so copying the address bar
gives a link that reproduces the view.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import streamlit as st

from ui.text import md_text

_APPLIED = "_qp_applied"   # {widget key: URL value already applied or written}
_DEFAULTS = "_qp_defaults"  # {widget key: default value}; defaults are left out of the URL
_REJECTED = "_qp_rejected"  # {widget key: (param, the link's text, the value used instead)}


def _applied() -> dict:
    return st.session_state.setdefault(_APPLIED, {})


def to_bool(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def from_bool(value: bool) -> str:
    return "1" if value else "0"


def applied_value(key: str) -> str | None:
    """The URL value last applied to (or written from) the widget ``key`` in this session."""
    return _applied().get(key)


def bind(key: str, param: str, default: Any, *, parse: Callable[[str], Any] = str,
         options: Iterable | None = None, check: Callable[[Any], bool] | None = None, warn: bool = True) -> None:
    """Give the widget ``key`` its value: from ``?param=`` when the URL brings a value not yet
    applied in this session, else its current value, else ``default``.

    Values that do not parse, are not in ``options`` or fail ``check`` are ignored (the
    default is used): a hand-edited URL never breaks the page, and it does not fall back silently
    either: a warning, drawn where ``bind`` is called, names the link's value and the one shown
    instead, until the widget is changed (``warn=False``: the caller says it itself).
    """
    rejected = st.session_state.setdefault(_REJECTED, {})
    _apply(key, param, default, parse, options, check, rejected if warn else {})
    note = rejected.get(key)
    if note is None:
        return
    if st.session_state[key] != note[2]:       # changed since: the warning has done its work
        del rejected[key]
        return
    st.warning(md_text(f"This link's {note[0]}={note[1]} is not a value this page offers, so it shows "
                       f"{_shown(note[2])} instead."), icon=":material/link_off:")


def _shown(value: Any) -> str:
    """A widget's value as the warning names it."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return "“" + ", ".join(str(v) for v in value) + "”" if value else "nothing chosen"
    return f"“{value}”"


def _apply(key: str, param: str, default: Any, parse: Callable[[str], Any], options: Iterable | None,
           check: Callable[[Any], bool] | None, rejected: dict) -> None:
    raw = st.query_params.get(param)
    applied = _applied()
    st.session_state.setdefault(_DEFAULTS, {})[key] = default
    # Apply the URL's value if it is new, or if the widget's value is gone: Streamlit drops a widget's
    # state when the run that drew it was cut short by a rerun (seen in a CI browser run: a deep link to
    # Train?corpus=upload fell back to the default corpus while the other parameters were kept).
    if raw is not None and (applied.get(key) != raw or key not in st.session_state):
        applied[key] = raw
        try:
            value = parse(raw)
            opts = list(options) if options is not None else None
            if (opts is None or value in opts) and (check is None or check(value)):
                st.session_state[key] = value
                rejected.pop(key, None)
                return
        except (ValueError, TypeError):
            pass
        if key not in st.session_state:
            st.session_state[key] = default
        rejected[key] = (param, raw, st.session_state[key])
        return
    if key not in st.session_state:
        st.session_state[key] = default


def value(key: str, options: Iterable | None = None) -> Any:
    """The value :func:`bind` gave the widget ``key``: pass it as the widget's own default
    (``value=``; ``index=``: :func:`index`; ``default=`` of a multiselect, with its ``options``: the
    chosen values that are among them, since a multiselect's ``default`` must be, while a value left
    from another set's options is dropped quietly from its state).

    Why both: a value set through ``st.session_state`` reaches the browser as a one-time
    "set the value" on top of the widget's own default. A slow browser that is clicked before it
    has applied that (seen: a Train deep link at 6x CPU throttling, Train clicked as soon as the
    page was drawn, 3 of 4 runs) sends the widget's own default back, and the link's values and
    bind's defaults were lost (``dim=8`` became the slider's minimum 2, ``lowercase`` False).
    With the bound value as the widget's own default there is nothing else to send.
    """
    v = st.session_state.get(key)
    if options is not None and isinstance(v, (list, tuple)):
        opts = list(options)
        return [x for x in v if x in opts]
    return v


def index(key: str, options: Iterable) -> int:
    """:func:`value` as the position in ``options`` (``index=`` of a radio or selectbox); 0, the
    widget's own default, when the value is not among them."""
    opts = list(options)
    v = st.session_state.get(key)
    return opts.index(v) if v in opts else 0


def sync(pairs: dict[str, tuple[str, Callable[[Any], str]] | str]) -> None:
    """Write widget values to the URL: ``{param: widget_key}`` or ``{param: (widget_key, to_text)}``.

    A value equal to the widget's default is left out (and removed), so links stay short;
    opening a link without it gives the default, the same view.
    """
    applied = _applied()
    defaults = st.session_state.get(_DEFAULTS, {})
    for param, spec in pairs.items():
        key, fmt = (spec, str) if isinstance(spec, str) else spec
        if key not in st.session_state:
            continue
        raw = fmt(st.session_state[key])
        applied[key] = raw
        if key in defaults and raw == fmt(defaults[key]):
            if param in st.query_params:
                del st.query_params[param]
        elif st.query_params.get(param) != raw:
            st.query_params[param] = raw
