"""Every use of Streamlit's private internals, in one place (the rest of the app uses ``st.*`` only).

Streamlit has no public API to read an upload's stored bytes without the copy ``st.file_uploader``
returns, or to drop an upload from the server's memory once it is read (``st.chat_input`` does that
internally). Both are done here, through ``streamlit.runtime`` objects that may change in any
release. Each function degrades to "not available" (``None`` / ``False``) instead of raising, so a
changed Streamlit costs memory, never a broken page; ``tests/app/test_streamlit_internals.py`` fails
loudly when one of the internals below is gone, so an upgrade is noticed before it costs anything.

Internals used (checked with :data:`TESTED_STREAMLIT`):

- ``streamlit.runtime.scriptrunner.get_script_run_ctx`` -- the current run's context: the session id
  and the session's uploaded-file manager;
- ``streamlit.runtime.memory_uploaded_file_manager.MemoryUploadedFileManager`` and its
  ``get_files(session_id, file_ids)`` / ``remove_file(session_id=, file_id=)``;
- ``streamlit.source_util.page_icon_and_name`` -- the page name Streamlit infers from a file name
  (tests check that each page's ``url_path`` equals it, see ui/navigation.py);
- ``streamlit.file_util.get_static_dir`` -- the folder of the browser app Streamlit serves
  (``index.html``, ``static/js/*.js``): ui/preload.py reads the chunk names there;
- ``streamlit.delta_generator._maybe_print_use_warning`` -- the check Streamlit makes once per
  process, before its first element is sent: ui/warm.py runs it ahead (:func:`run_first_element_check`);
- not Streamlit's but its server's: uvicorn's HTTP protocol classes (``h11_impl.H11Protocol``,
  ``httptools_impl.HttpToolsProtocol``) and their ``connection_made(transport)``, wrapped by
  :func:`serve_without_nagle` (Streamlit's own socket binding, ``starlette_server._bind_socket``, is
  the cause it works around).
"""
from __future__ import annotations

import functools
import logging
import socket

import streamlit as st

logger = logging.getLogger(__name__)

TESTED_STREAMLIT = ("1.67.0",)
"""Streamlit releases these internals were checked against (requirements.txt's pin for Python 3.11+).
The Python 3.10 pin, 1.65.0, has not been checked here: tests/app/test_streamlit_internals.py says so
when run there; check the internals, then add it."""

__all__ = ["TESTED_STREAMLIT", "version_is_tested", "upload_manager", "stored_upload_bytes",
           "release_upload", "held_upload_count", "inferred_page_name", "frontend_dir", "run_first_element_check",
           "serve_without_nagle", "set_nodelay"]


def version_is_tested(version: str | None = None) -> bool:
    """True when ``version`` (default: the installed Streamlit) is one of :data:`TESTED_STREAMLIT`.

    >>> version_is_tested("1.67.0"), version_is_tested("0.1.0")
    (True, False)
    """
    return (st.__version__ if version is None else version) in TESTED_STREAMLIT


if not version_is_tested():   # pragma: no cover - depends on the installed release
    logger.warning("Streamlit %s is not one of the releases ui.streamlit_internals was tested with (%s): "
                   "large uploads may be held in memory longer", st.__version__, ", ".join(TESTED_STREAMLIT))


def upload_manager():
    """``(manager, session_id)``: Streamlit's in-memory uploaded-file manager and this session's id,
    or ``(None, None)`` outside a script run, with another manager, or when the internals changed."""
    try:
        from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is not None and isinstance(ctx.uploaded_file_mgr, MemoryUploadedFileManager):
            return ctx.uploaded_file_mgr, ctx.session_id
    except (ImportError, AttributeError):
        logger.warning("Streamlit's uploaded-file manager is not reachable (Streamlit %s)", st.__version__)
    return None, None


def stored_upload_bytes(file_id: str) -> bytes | None:
    """The uploaded file's bytes as Streamlit stores them (no copy), or ``None``."""
    mgr, session = upload_manager()
    try:
        recs = mgr.get_files(session, [file_id]) if mgr is not None else []
        return recs[0].data if recs and isinstance(recs[0].data, bytes) else None
    except (AttributeError, TypeError, IndexError):
        return None


def release_upload(file_id: str) -> bool:
    """Drop an uploaded file from Streamlit's in-memory file manager (``True`` if done), the way
    ``st.chat_input`` does; the bytes are freed once nothing else refers to them."""
    mgr, session = upload_manager()
    if mgr is None:
        return False
    try:
        mgr.remove_file(session_id=session, file_id=file_id)
        return True
    except (AttributeError, TypeError):
        return False


def held_upload_count(file_id: str) -> int:
    """How many stored files of this session Streamlit still holds under ``file_id`` (0 or 1).
    Tests use it to check that an upload was released.

    Raises
    ------
    LookupError
        When the uploaded-file manager is not reachable (outside a run, or changed internals).
    """
    mgr, session = upload_manager()
    if mgr is None:
        raise LookupError("Streamlit's in-memory uploaded-file manager is not reachable")
    return len(mgr.get_files(session, [file_id]))


def inferred_page_name(path) -> str:
    """The page name (URL path) Streamlit infers from a page file's name: ``3_Analogies.py`` ->
    ``"Analogies"``. AppTest's ``switch_page(file)`` looks a page up by it before the first run.

    >>> inferred_page_name("app_pages/5_One_hot_vs_dense.py")
    'One_hot_vs_dense'
    """
    from pathlib import Path

    from streamlit.source_util import page_icon_and_name

    return page_icon_and_name(Path(path))[1]


def frontend_dir():
    """The folder of the browser app Streamlit serves (``index.html``, ``static/js/``) as a
    ``pathlib.Path``, or ``None`` when this Streamlit has none there (then nothing is preloaded)."""
    from pathlib import Path

    try:
        from streamlit.file_util import get_static_dir

        folder = Path(get_static_dir())
    except (ImportError, AttributeError):
        folder = Path(st.__file__).parent / "static"
    return folder if (folder / "index.html").is_file() else None


def run_first_element_check() -> bool:
    """Run now the check Streamlit makes once per process before it sends its first element: whether
    it runs in a Python REPL (``streamlit.delta_generator._maybe_print_use_warning``), which walks
    ``inspect.stack()`` of the page run: ``inspect.getmodule`` then reads the file of every imported
    module (~3,000 here). That was 0.3 s of a fresh server's first page run, in front of its first
    visitor (py-spy at 250 Hz: 74 of the run's 216 samples, in the sidebar's first select box). With a
    server running (``make run``) it prints nothing. Returns False when the internal is gone."""
    try:
        from streamlit import delta_generator

        check = delta_generator._maybe_print_use_warning
    except (ImportError, AttributeError):
        logger.info("this Streamlit has no first-element check to run ahead")
        return False
    check()
    return True


# uvicorn's HTTP protocol classes: the one Streamlit's server uses is among them (h11 here; httptools
# when it is installed). A kept-alive connection and the websocket upgraded from it use the same socket.
_HTTP_PROTOCOLS = (("uvicorn.protocols.http.h11_impl", "H11Protocol"),
                   ("uvicorn.protocols.http.httptools_impl", "HttpToolsProtocol"))


@functools.cache
def serve_without_nagle() -> int:
    """Have the Starlette server (``st.App``: server.py, ``make run``) answer on kept-alive connections
    without a 40 ms stall per response: ``TCP_NODELAY`` set on each connection's socket when uvicorn's
    HTTP protocol gets it (its ``connection_made`` wrapped). Returns how many protocol classes are
    wrapped (0: none found, nothing changed); done once per process (app.py calls it on every run:
    a missing httptools would otherwise be looked for on disk each time).

    The cause: Streamlit 1.67 binds the listening socket itself (``starlette_server._bind_socket``:
    ``socket.socket(family)``, whose ``proto`` is 0); the sockets it accepts have ``proto`` 0 too, and
    asyncio sets ``TCP_NODELAY`` only on sockets whose ``proto`` is ``IPPROTO_TCP``. Nagle's algorithm
    then holds a response's body until the browser acknowledges its headers, which on a kept-alive
    connection comes with the 40 ms delayed ACK: curl measured 1.8 ms for a connection's first request
    and 44 ms for each next one, and the first Map page fetches ~120 files over 6 connections. The
    socket is bound before server.py is imported, so it is the accepted connections that are set."""
    import importlib

    wrapped = 0
    for module, name in _HTTP_PROTOCOLS:
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        made = cls.connection_made
        if not getattr(made, "embedlab_nodelay", False):
            cls.connection_made = _with_nodelay(made)
        wrapped += 1
    if not wrapped:
        logger.info("no uvicorn HTTP protocol found to set TCP_NODELAY on (Streamlit %s)", st.__version__)
    return wrapped


def _with_nodelay(connection_made):
    @functools.wraps(connection_made)
    def made(self, transport, *args, **kwargs):
        set_nodelay(transport.get_extra_info("socket"))
        return connection_made(self, transport, *args, **kwargs)

    made.embedlab_nodelay = True
    return made


def set_nodelay(sock) -> bool:
    """``TCP_NODELAY`` on ``sock`` when it is a TCP socket (IPv4 / IPv6); True when set."""
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        return False
    return True
