"""The Streamlit internals ui/streamlit_internals.py relies on: fail loudly when one disappears.

The adapter degrades quietly at run time (a changed Streamlit costs memory, not a broken page);
these tests are where a Streamlit upgrade that removed or renamed an internal is noticed.
"""
from __future__ import annotations

import inspect

import streamlit as st
from streamlit.testing.v1 import AppTest

from ui import streamlit_internals


def test_the_installed_streamlit_is_a_tested_release():
    assert streamlit_internals.version_is_tested(), (
        f"Streamlit {st.__version__} is not in ui.streamlit_internals.TESTED_STREAMLIT "
        f"{streamlit_internals.TESTED_STREAMLIT}: check the internals below, then add it")
    assert not streamlit_internals.version_is_tested("0.0.1")


def test_the_uploaded_file_manager_internals_exist_with_their_signatures():
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    assert callable(get_script_run_ctx)
    assert list(inspect.signature(MemoryUploadedFileManager.get_files).parameters) == \
        ["self", "session_id", "file_ids"]
    assert list(inspect.signature(MemoryUploadedFileManager.remove_file).parameters) == \
        ["self", "session_id", "file_id"]


def test_the_page_name_inference_exists():
    from streamlit.source_util import page_icon_and_name

    assert callable(page_icon_and_name)
    assert streamlit_internals.inferred_page_name("x/12_Semantic_axes.py") == "Semantic_axes"


def test_outside_a_script_run_the_adapter_says_not_available():
    assert streamlit_internals.upload_manager() == (None, None)
    assert streamlit_internals.stored_upload_bytes("nope") is None
    assert streamlit_internals.release_upload("nope") is False
    try:
        streamlit_internals.held_upload_count("nope")
    except LookupError:
        pass
    else:
        raise AssertionError("held_upload_count must raise outside a run")


def _probe():
    """A script: upload a file, then report what the adapter sees of it before and after release."""
    import streamlit as st

    from ui import streamlit_internals as si

    up = st.file_uploader("probe", key="probe_upload")
    if up is not None:
        mgr, session = si.upload_manager()
        st.session_state["probe"] = {
            "reachable": mgr is not None and bool(session),
            "bytes": si.stored_upload_bytes(up.file_id),
            "held_before": si.held_upload_count(up.file_id),
            "released": si.release_upload(up.file_id),
            "held_after": si.held_upload_count(up.file_id),
        }


def test_inside_a_run_the_adapter_reads_and_releases_an_upload():
    at = AppTest.from_function(_probe, default_timeout=30).run()
    at.file_uploader(key="probe_upload").set_value(("x.txt", b"hello bytes", "text/plain")).run()
    assert not at.exception, at.exception
    assert at.session_state["probe"] == {"reachable": True, "bytes": b"hello bytes", "held_before": 1,
                                         "released": True, "held_after": 0}


def test_the_browser_apps_folder_is_found_where_streamlit_serves_it_from():
    from streamlit.file_util import get_static_dir

    folder = streamlit_internals.frontend_dir()
    assert folder is not None and str(folder) == get_static_dir()
    assert (folder / "index.html").is_file() and list((folder / "static" / "js").glob("PlotlyChart.*.js"))


def test_the_first_element_check_runs_once_ahead_and_the_first_element_then_skips_it(monkeypatch):
    """Streamlit checks once per process, before its first element, whether it runs in a REPL, by
    walking inspect.stack() (0.3 s of a fresh server's first page run). Run ahead, it is not run again."""
    from streamlit import delta_generator, env_util

    calls = []
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    monkeypatch.setattr(env_util, "is_repl", lambda: calls.append("is_repl") or False)
    assert streamlit_internals.run_first_element_check() is True
    assert calls == ["is_repl"] and delta_generator._use_warning_has_been_displayed is True
    at = AppTest.from_string("import streamlit as st\nst.selectbox('pick', ['a', 'b'])\nst.write('x')").run()
    assert not at.exception and at.selectbox[0].value == "a"
    assert calls == ["is_repl"]          # the page's first element did not check again


def _accepted_nodelay(listener, protocol_class) -> int:
    """TCP_NODELAY of the socket an asyncio server on ``listener`` accepts, as its protocol sees it."""
    import asyncio
    import socket

    async def run():
        loop = asyncio.get_running_loop()
        seen = loop.create_future()

        class Probe(protocol_class):
            def connection_made(self, transport):
                super().connection_made(transport)
                sock = transport.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        server = await loop.create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    # in a thread of its own: the test process may already run an event loop (playwright's, in CI)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=30)


def _streamlit_style_listener():
    """A listening socket made as Streamlit 1.67's Starlette server makes it: ``socket.socket(family)``."""
    import socket

    sock = socket.socket(socket.AF_INET)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    return sock


def test_a_connection_accepted_on_a_socket_bound_as_streamlit_binds_it_gets_tcp_nodelay_once_wrapped():
    import asyncio

    class Plain(asyncio.Protocol):
        def connection_made(self, transport):
            pass

    # the cause: proto 0 on the listening socket, so asyncio leaves Nagle's algorithm on
    assert _accepted_nodelay(_streamlit_style_listener(), Plain) == 0

    class Wrapped(asyncio.Protocol):
        connection_made = streamlit_internals._with_nodelay(Plain.connection_made)

    assert _accepted_nodelay(_streamlit_style_listener(), Wrapped) == 1


def test_streamlits_server_binds_its_socket_itself_and_uvicorns_http_protocol_is_wrapped():
    from streamlit.web.server.starlette import starlette_server
    from uvicorn.protocols.http.h11_impl import H11Protocol

    assert callable(starlette_server._bind_socket)      # the cause (see serve_without_nagle)
    assert list(inspect.signature(H11Protocol.connection_made).parameters) == ["self", "transport"]
    assert streamlit_internals.serve_without_nagle() >= 1
    wrapped = H11Protocol.connection_made
    assert wrapped.embedlab_nodelay
    assert streamlit_internals.serve_without_nagle() >= 1
    assert H11Protocol.connection_made is wrapped          # once, however often it is called
    assert not streamlit_internals.set_nodelay(None)


def test_server_py_wraps_uvicorns_protocol_when_it_is_imported():
    """What ``make run`` starts: uvicorn imports server.py (the app) before it accepts a connection."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = ("import server; from uvicorn.protocols.http.h11_impl import H11Protocol; "
            "print(getattr(H11Protocol.connection_made, 'embedlab_nodelay', False))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "True"
