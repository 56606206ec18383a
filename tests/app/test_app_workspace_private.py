"""Issue 11 items 5 and 7 on the Train page: the owner key never travels in a link (a browser cookie
keeps it), a share link opens one set read-only, old ?ws= links grant nothing, and a training
outlives its session: a new session of the same workspace re-attaches to it or shows its result."""
from __future__ import annotations

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

import ui.workspace as uws
from tests.app import helpers

PAGE = "app_pages/9_Train.py"
TRAIN = "FormSubmitter:tr_form-Train"


@pytest.fixture
def wsdir(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_DIR", str(tmp_path / "ws"))
    return tmp_path / "ws"


@pytest.fixture
def sync(monkeypatch, wsdir):
    monkeypatch.setenv("EMBEDLAB_TRAIN_SYNC", "1")


def _browser(monkeypatch, key: str | None) -> None:
    """The next sessions come from a browser whose cookie holds ``key`` (None: no cookie)."""
    monkeypatch.setattr(uws, "browser_cookie", lambda: key)


def open_page(**query) -> AppTest:
    return helpers.open_page(PAGE, **query)


def train(at, epochs=2) -> AppTest:
    at.slider(key="tr_epochs").set_value(epochs)
    at.slider(key="tr_dim").set_value(16)
    return at.button(key=TRAIN).click().run()


def buttons(at, prefix: str) -> list:
    return [b for b in at.button if b.key and b.key.startswith(prefix)]


def page_text(at) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def cookie_scripts(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if "document.cookie" in h.proto.body]


def test_the_key_is_kept_in_a_cookie_and_never_in_the_address(sync, monkeypatch):
    _browser(monkeypatch, None)
    at = train(open_page())
    key = at.session_state["workspace_key"]
    assert "ws" not in at.query_params and all(key not in str(v) for v in dict(at.query_params).values())
    [script] = cookie_scripts(at)
    assert f"embedlab_ws={key};" in script and "SameSite=Strict" in script
    assert all(h.proto.unsafe_allow_javascript for h in at.get("html") if "document.cookie" in h.proto.body)


def test_a_reload_in_the_same_browser_finds_the_workspace_and_the_owner_deletes(sync, monkeypatch):
    _browser(monkeypatch, None)
    first = train(open_page())
    key = first.session_state["workspace_key"]
    _browser(monkeypatch, key)                       # the cookie the script wrote comes back
    again = open_page()
    assert again.session_state["workspace_key"] == key
    assert "toy-word2vec-16d" in again.session_state["user_sets"]       # restored from the workspace
    assert not cookie_scripts(again)                 # the cookie already holds the key
    [delete] = buttons(again, "tr_del_")
    again = delete.click().run()
    assert not again.exception and not buttons(again, "tr_del_")


def test_an_old_ws_link_grants_nothing_and_says_so(sync, monkeypatch, wsdir):
    _browser(monkeypatch, None)
    owner = train(open_page())
    key = owner.session_state["workspace_key"]
    other = open_page(ws=key)                         # somebody opens a copied old-style link
    assert not other.exception
    assert other.session_state["workspace_key"] != key
    assert "ws" not in other.query_params
    assert any("old-style workspace key" in i.value and "opens nothing" in i.value for i in other.info)
    assert not buttons(other, "tr_del_") and not buttons(other, "tr_use_")
    assert "toy-word2vec-16d" not in page_text(other)
    assert len(list((wsdir / "sessions" / key).glob("*.npz"))) == 1      # the owner's set is untouched


def test_a_share_link_opens_one_set_read_only(sync, monkeypatch):
    _browser(monkeypatch, None)
    owner = train(train(open_page()))                 # two sets: toy-word2vec-16d and toy-word2vec-16d-2
    first = next(b for b in buttons(owner, "tr_share_") if re.match(r"tr_share_toy-word2vec-16d-\d{8}-", b.key))
    owner = first.click().run()
    [token] = owner.session_state["tr_shared"].values()
    assert owner.session_state["workspace_key"] not in token
    assert any(f"?share={token}" in c.value for c in owner.code)

    guest = open_page(share=token)
    assert not guest.exception and not guest.error
    assert any(h.value == "Shared with you" for h in guest.header)
    assert "toy-word2vec-16d" in page_text(guest) and "toy-word2vec-16d-2" not in page_text(guest)
    assert not buttons(guest, "tr_del_") and not buttons(guest, "tr_share_")      # nothing to delete
    guest = guest.button(key="tr_use_shared").click().run()
    assert not guest.exception
    assert guest.session_state["current_set"] == "toy-word2vec-16d"
    assert guest.session_state["tr_result"].epochs_done == 2           # its training record came along

    [delete] = [b for b in buttons(owner, "tr_del_") if re.match(r"tr_del_toy-word2vec-16d-\d{8}-", b.key)]
    delete.click().run()                               # the owner deletes it: the link opens nothing
    gone = open_page(share=token)
    assert not gone.exception
    assert any("share link opens nothing" in e.value and "deleted" in e.value for e in gone.error)
    bad = open_page(share="../../etc")
    assert any("not valid" in e.value for e in bad.error) and not bad.exception


def _poll(at, done, timeout=300.0):
    deadline = time.time() + timeout
    while not done(at) and time.time() < deadline:
        time.sleep(0.3)
        at.run()
    assert done(at), "timed out"
    return at


def test_a_reload_re_attaches_to_the_running_training(wsdir, monkeypatch):
    monkeypatch.delenv("EMBEDLAB_TRAIN_SYNC", raising=False)
    _browser(monkeypatch, None)
    first = open_page()
    first.slider(key="tr_epochs").set_value(100)          # long enough to be running at the reload
    first = first.button(key=TRAIN).click().run()
    job = first.session_state["tr_job"]
    key = first.session_state["workspace_key"]
    _browser(monkeypatch, key)
    del first                                         # the tab is closed: nobody polls that session
    second = open_page()                              # the reload: a new session of the same workspace
    assert not second.exception
    assert not job.finished, "training ended before the reload could be checked; give it more epochs"
    assert second.session_state["tr_job"] is job and second.button(key="tr_stop")      # its progress shows
    second = second.button(key="tr_stop").click().run()
    second = _poll(second, lambda at: "tr_job" not in at.session_state)
    assert not second.exception
    res = second.session_state["tr_result"]
    assert res is job.result and second.session_state["current_set"] == res.embedding_set.name
    assert job.saved is not None and buttons(second, f"tr_del_{job.saved.id}")


def test_a_training_whose_tab_was_closed_is_saved_and_shown_after_a_reload(wsdir, monkeypatch):
    monkeypatch.delenv("EMBEDLAB_TRAIN_SYNC", raising=False)
    _browser(monkeypatch, None)
    first = open_page()
    first = train(first, epochs=3)
    job = first.session_state["tr_job"]
    key = first.session_state["workspace_key"]
    del first
    job.join(300)
    assert job.state == "done" and job.saved is not None, (job.state, job.error)
    _browser(monkeypatch, key)
    second = open_page()
    assert not second.exception
    assert second.session_state["tr_result"] is job.result
    assert any("toy-word2vec-16d" in s.value for s in second.success)
    assert len(buttons(second, "tr_del_")) == 1       # saved once, by the job


def test_a_training_counts_as_watched_while_its_session_uses_other_pages(wsdir, monkeypatch):
    monkeypatch.delenv("EMBEDLAB_TRAIN_SYNC", raising=False)
    at = open_page()
    at.slider(key="tr_epochs").set_value(100)
    at = at.button(key=TRAIN).click().run()
    job = at.session_state["tr_job"]
    job.last_seen -= 1000                             # as if nobody had polled it for a long time
    at.switch_page("app_pages/2_Neighbours.py").run()
    assert time.monotonic() - job.last_seen < 100     # any page of the session touches it
    job.stop()
    job.join(300)
