"""AppTest for the Train page: built-in corpus -> train -> selectable set, bad uploads, failed training,
query parameters, workspace, and the real background thread (polled by reruns)."""
from __future__ import annotations

import io
import time
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from tests.app import helpers

PAGE = "app_pages/9_Train.py"
TRAIN = "FormSubmitter:tr_form-Train"


@pytest.fixture
def sync(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDLAB_TRAIN_SYNC", "1")
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_DIR", str(tmp_path / "ws"))


def open_page(**query) -> AppTest:
    return helpers.open_page(PAGE, **query)


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def train_fast(at, epochs=3) -> AppTest:
    at.slider(key="tr_epochs").set_value(epochs)
    at.slider(key="tr_dim").set_value(16)
    return at.button(key=TRAIN).click().run()


def test_toy_corpus_trains_and_the_set_is_selected(sync):
    at = open_page()
    assert [m.value for m in at.metric][:2] == ["31,743", "104"]
    at = train_fast(at)
    assert not at.exception and not errors(at)
    name = "toy-word2vec-16d"
    assert at.session_state["current_set"] == name
    assert name in at.session_state["user_sets"]
    assert any(name in s.value for s in at.success)
    assert any("Planted analogies" in m.value for m in at.markdown)
    assert any("coverage" in m.value for m in at.markdown)
    assert any(name in m.value for m in at.markdown)            # listed in the workspace
    assert {b.label for b in at.get("download_button")} >= {"word2vec text", "vectors.tsv", "metadata.tsv"}


def test_second_training_gets_a_new_name_and_keeps_the_first(sync):
    at = train_fast(open_page())
    at = at.button(key=TRAIN).click().run()
    assert set(at.session_state["user_sets"]) == {"toy-word2vec-16d", "toy-word2vec-16d-2"}


def test_bad_upload_shows_an_error_and_keeps_the_work(sync):
    at = train_fast(open_page())
    at.radio(key="tr_source").set_value("upload").run()
    at.file_uploader(key="tr_upload").set_value(("bin.txt", b"\x00\x01\x02 binary", "text/plain")).run()
    assert not at.exception
    assert any("looks like a binary file" in e for e in errors(at))
    assert "toy-word2vec-16d" in at.session_state["user_sets"]
    assert at.button(key=TRAIN).disabled


@pytest.mark.parametrize("name, data, message", [
    ("empty.txt", b"", "is empty"),
    ("nested.zip", None, "nested folders"),
    ("evil.zip", "evil", "refused for safety"),
])
def test_bad_uploads(sync, name, data, message):
    if data is None or data == "evil":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("a/b/c.txt" if data is None else "../c.txt", "some words here")
        data = buf.getvalue()
    at = open_page()
    at.radio(key="tr_source").set_value("upload").run()
    at.file_uploader(key="tr_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception
    assert any(message in e for e in errors(at)), errors(at)


def test_csv_upload_offers_the_columns(sync):
    at = open_page()
    at.radio(key="tr_source").set_value("upload").run()
    rows = "\n".join(f"{i},the king and the queen rule the land number {i}" for i in range(30))
    at.file_uploader(key="tr_upload").set_value(("r.csv", f"id,text\n{rows}\n".encode(), "text/csv")).run()
    assert at.selectbox(key="tr_column").options == ["id", "text"]
    at.selectbox(key="tr_column").set_value("text").run()
    assert not errors(at) and at.metric[0].value == "300"


def test_too_small_corpus_fails_cleanly(sync):
    at = train_fast(open_page())
    at.radio(key="tr_source").set_value("paste").run()
    at.text_area(key="tr_paste").input("just a few words here").run()
    assert at.button(key=TRAIN).disabled            # issue 12 item 9: disabled, the reason below it
    assert not at.exception
    assert any("training needs at least 50" in e for e in errors(at))
    assert at.session_state["current_set"] == "toy-word2vec-16d"       # the previous work stays


def test_settings_come_from_the_url(sync):
    at = open_page(epochs="4", dim="12", model="fasttext", corpus="lee", min_count="3")
    assert at.slider(key="tr_epochs").value == 4 and at.slider(key="tr_dim").value == 12
    assert at.selectbox(key="tr_model").value == "fasttext"
    assert at.radio(key="tr_source").value == "lee" and at.number_input(key="tr_min_count").value == 3
    # issue 11 item 7: the workspace key was asserted in the URL (?ws=) here; it now grants access
    # and so is kept out of it (in the session and a browser cookie)
    assert at.session_state["workspace_key"] and "ws" not in at.query_params


def test_workspace_delete_and_use(sync):
    at = train_fast(open_page())
    [use] = [b for b in at.button if b.key.startswith("tr_use_")]
    at = use.click().run()
    assert not at.exception
    [delete] = [b for b in at.button if b.key.startswith("tr_del_")]
    at = delete.click().run()
    assert not [b for b in at.button if b.key.startswith("tr_del_")]


def test_background_thread_is_polled_until_done(monkeypatch, tmp_path):
    monkeypatch.delenv("EMBEDLAB_TRAIN_SYNC", raising=False)
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_DIR", str(tmp_path / "ws"))
    at = open_page()
    at = train_fast(at, epochs=2)
    deadline = time.time() + 90
    while "toy-word2vec-16d" not in at.session_state["user_sets"] and time.time() < deadline:
        time.sleep(0.3)
        at.run()
    assert not at.exception
    assert at.session_state["current_set"] == "toy-word2vec-16d"


def test_stop_button_ends_training_after_an_epoch(monkeypatch, tmp_path):
    """Stop asked for during the first epochs: the job ends as *stopped* (not failed) with at least
    one and fewer than all 100 epochs done, no error is shown, and the stopped set is selected."""
    monkeypatch.delenv("EMBEDLAB_TRAIN_SYNC", raising=False)
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_DIR", str(tmp_path / "ws"))
    at = open_page()
    at.slider(key="tr_epochs").set_value(100)
    at = at.button(key=TRAIN).click().run()
    assert at.button(key="tr_stop")                  # the progress panel is drawn with its stop button
    job = at.session_state["tr_job"]
    at = at.button(key="tr_stop").click().run()
    assert job.stop_event.is_set()
    # generous: the training process runs at nice +10 and a loaded CI machine starves it (a clean-clone
    # run timed out at 90 s); the behaviour under test is that it stops early, not how fast
    deadline = time.time() + 300
    while "tr_job" in at.session_state and time.time() < deadline:
        time.sleep(0.5)
        at.run()
    assert "tr_job" not in at.session_state, "the stopped training had not ended after 300 s"
    assert not at.exception
    assert job.state == "stopped" and job.error is None, (job.state, job.error)
    assert not errors(at), errors(at)
    res = at.session_state["tr_result"]
    assert res.stopped and 1 <= res.epochs_done < 100
    assert at.session_state["current_set"] == res.embedding_set.name
    assert any(f"stopped after {res.epochs_done} of 100 epochs" in s.value for s in at.success)


def test_workspace_full_still_keeps_the_set_in_the_session(sync, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_MAX_MB", "0.001")
    at = train_fast(open_page())
    assert not at.exception
    assert any("was not saved to the workspace" in w.value and "cap" in w.value for w in at.warning)
    assert at.session_state["current_set"] == "toy-word2vec-16d"
    assert not [b for b in at.button if b.key.startswith("tr_del_")]
