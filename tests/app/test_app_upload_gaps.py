"""AppTest: uploads and settings that used to fail silently or with a traceback (issue 11 items 10, 11)."""
from __future__ import annotations

import io

import numpy as np
import pytest

from tests.app.helpers import open_page

PAGE = "app_pages/2_Neighbours.py"


def _npy(rows) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(rows, dtype=np.float32))
    return buf.getvalue()


def test_a_npy_upload_takes_its_vocabulary_from_the_companion_file():
    at = open_page(PAGE)
    at.file_uploader(key="sidebar_upload").set_value(("emb.npy", _npy(np.eye(3)), "application/octet-stream")).run()
    assert not at.exception
    assert any("needs a vocabulary file" in e.value for e in at.error)
    at.file_uploader(key="sidebar_upload_companion").set_value(("emb.vocab.txt", b"cat\ndog\ncar\n", "text/plain"))
    at.run()
    assert not at.exception
    assert at.session_state["current_set"] == "emb"
    at.text_input(key="nb_query").input("cat").run()
    assert not at.error
    assert at.dataframe[0].value["token"].tolist() == ["dog", "car"]


def test_a_projector_tsv_upload_takes_its_metadata_file():
    at = open_page(PAGE)
    at.file_uploader(key="sidebar_upload_companion").set_value(
        ("metadata.tsv", b"word\tkind\ncat\tanimal\ncar\tthing\n", "text/tab-separated-values"))
    at.file_uploader(key="sidebar_upload").set_value(("vectors.tsv", b"1\t0\n0\t1\n", "text/tab-separated-values"))
    at.run()
    assert not at.exception and at.session_state["current_set"] == "vectors"
    at.text_input(key="nb_query").input("cat").run()
    assert not at.error
    assert at.dataframe[0].value["token"].tolist() == ["car"]


def test_a_companion_for_a_format_that_names_its_tokens_is_refused_plainly():
    at = open_page(PAGE)
    at.file_uploader(key="sidebar_upload_companion").set_value(("vocab.txt", b"a\nb\n", "text/plain"))
    at.file_uploader(key="sidebar_upload").set_value(("v.txt", b"a 1 0\nb 0 1\n", "text/plain")).run()
    assert not at.exception
    assert any("names its own tokens" in e.value for e in at.error)


def test_workspace_cap_of_zero_is_a_warning_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_DIR", str(tmp_path / "ws"))
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_MAX_MB", "0")
    at = open_page("app_pages/9_Train.py")
    assert not at.exception
    assert any("EMBEDLAB_WORKSPACE_MAX_MB=0 is not allowed" in w.value for w in at.warning)
    assert any("500 MB" in c.value for c in at.caption)


@pytest.mark.parametrize("name", ["empty.txt", "empty.csv"])
def test_an_empty_documents_file_gets_a_message(name):
    at = open_page("app_pages/8_Documents.py")
    at.radio(key="docs_source").set_value("Upload a .txt or .csv file").run()
    at.file_uploader(key="docs_upload").set_value((name, b"", "text/plain")).run()
    assert not at.exception
    assert any("is empty" in e.value for e in at.error)
