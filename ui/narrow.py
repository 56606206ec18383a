"""Small screens: the sidebar starts folded below :data:`FOLD_BELOW` px, open above it.

Streamlit 1.67's ``initial_sidebar_state`` is "auto", "expanded", "collapsed", "locked" or a width
(which means "auto" at that width); "auto" folds the sidebar only at its ``md`` breakpoint (768 px)
and below, so an 800 px screen started with the sidebar over a third of the page. No option takes
a breakpoint, so a fixed script (never built from user text) folds it once per browser tab when
the window is narrower than :data:`FOLD_BELOW`: it clicks Streamlit's own collapse button (so the
expand button works as usual) and drops the folded state Streamlit then remembers in the
browser's localStorage, so the same browser at 1280 px starts with the sidebar open again.

On wider windows the same script makes the open sidebar :data:`SIDEBAR_PX` wide: Streamlit mounts
it before the page config's width arrives, so the first page of a tab opened it at Streamlit's own
300 px. While the user has never resized it (no ``sidebarWidth`` in localStorage), the script
double-clicks Streamlit's resize handle, which is Streamlit's own "back to the configured width".
(Presenter mode's larger root font would also raise Streamlit's 12.5rem minimum to 250 px;
ui.figures.PRESENTER_CSS keeps the minimum at 200 px.)
"""
from __future__ import annotations

import streamlit as st

FOLD_BELOW = 960
"""px: the sidebar starts folded on windows narrower than this (open at 1024 and 1280)."""
SIDEBAR_PX = 240
"""px: the open sidebar's width (app.py's ``initial_sidebar_state``; Streamlit's own is 300)."""

FOLD_SCRIPT = """<script>
(() => {
  const FLAG = "embedlab-sidebar-auto-folded";
  const widen = (tries) => {
    // the configured width while the user never resized the sidebar (Streamlit remembers a resize)
    const bar = document.querySelector('[data-testid="stSidebar"]');
    const handle = document.querySelector('[data-testid="stSidebarResizeHandle"]');
    if (window.localStorage.getItem("sidebarWidth")) return;
    if (bar && handle && bar.getAttribute("data-collapsed") === "false") {
      if (Math.abs(bar.getBoundingClientRect().width - %(width)d) > 1)
        handle.dispatchEvent(new MouseEvent("dblclick", {bubbles: true}));
      return;
    }
    if (tries > 0) window.setTimeout(() => widen(tries - 1), 100);
  };
  if (window.innerWidth >= %(below)d) { widen(100); return; }
  if (window.sessionStorage.getItem(FLAG)) return;
  window.sessionStorage.setItem(FLAG, "1");
  const fold = (tries) => {
    const bar = document.querySelector('[data-testid="stSidebar"]');
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    const folded = document.querySelector('[data-testid="stExpandSidebarButton"]');
    if (bar && (folded || bar.getBoundingClientRect().width < 10)) return;   // folded already
    if (bar && button) {
      button.click();
      for (const k of Object.keys(window.localStorage)) {
        if (k.startsWith("stSidebarCollapsed-")) window.localStorage.removeItem(k);
      }
      return;
    }
    if (tries > 0) window.setTimeout(() => fold(tries - 1), 100);
  };
  fold(100);
})();
</script>""" % {"below": FOLD_BELOW, "width": SIDEBAR_PX}


def fold_sidebar_on_narrow_screens() -> None:
    """Draw the folding script (ui.setup.draw_sidebar calls it once per run, inside the sidebar)."""
    st.html(FOLD_SCRIPT, unsafe_allow_javascript=True)
