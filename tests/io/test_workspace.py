"""Workspace: persistence, per-session folders, size cap, deleting, sanitising, atomic writes."""
from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest

from embedlab import EmbeddingSet
from embedlab.io import workspace as wsmod
from embedlab.io.builtin_corpora import toy_corpus
from embedlab.core.errors import InvalidParameterError, WorkspaceError
from embedlab.train.training import TrainParams, train
from embedlab.io.workspace import Workspace, sanitize_name, workspace_dir


def make_set(n=20, dim=8, name="set", seed=0) -> EmbeddingSet:
    rng = np.random.default_rng(seed)
    toks = [f"w{i}" for i in range(n - 2)] + ["<script>", "naïve café"]
    return EmbeddingSet(toks, rng.normal(size=(n, dim)), name=name, origin="test",
                        meta={"frequency": list(range(n, 0, -1)), "kind": ["a"] * n})


@pytest.fixture(scope="module")
def trained():
    return train(toy_corpus(500), TrainParams(epochs=3, min_count=1, vector_size=10))


def test_save_and_load_round_trip_survives_a_restart(tmp_path):
    es = make_set()
    entry = Workspace(tmp_path).save(es, params={"dim": 8})
    again = Workspace(tmp_path)                      # a new process would build a new object
    [listed] = again.list()
    assert listed.id == entry.id and listed.name == "set" and listed.n_tokens == 20 and listed.dim == 8
    assert listed.params == {"dim": 8} and not listed.has_training
    back = again.load(entry.id)
    assert back.tokens == es.tokens and back.name == es.name and back.origin == es.origin
    np.testing.assert_array_equal(back.vectors, es.vectors)
    assert back.meta == es.meta


def test_training_record_round_trip(tmp_path, trained):
    ws = Workspace(tmp_path)
    entry = ws.save(trained.embedding_set, params=trained.params.to_dict(), training=trained)
    es, extra = ws.load_full(entry.id)
    assert entry.has_training
    np.testing.assert_array_equal(extra["snapshots"], trained.snapshots)
    assert extra["watched"] == trained.watched and extra["neighbors"] == trained.neighbors
    assert extra["losses"] == pytest.approx(trained.losses)
    assert extra["info"]["training"]["params"] == trained.params.to_dict()


def test_files_are_npz_without_pickles_and_json(tmp_path):
    entry = Workspace(tmp_path).save(make_set())
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"{entry.id}.json", f"{entry.id}.npz"]
    with np.load(tmp_path / f"{entry.id}.npz", allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)
    assert json.loads((tmp_path / f"{entry.id}.json").read_text())["name"] == "set"


def test_names_never_become_paths(tmp_path):
    root = tmp_path / "ws"
    entry = Workspace(root).save(make_set(name="../../etc/passwd"))
    assert entry.name == "../../etc/passwd"
    assert all(p.parent == root for p in root.rglob("*"))
    assert sanitize_name("../../etc/passwd") == "etc-passwd"
    assert entry.id.startswith("etc-passwd-")


@pytest.mark.parametrize("bad_id", ["../x", "/etc/passwd", "a/b", "", ".hidden", "A" * 100])
def test_unsafe_ids_are_refused(tmp_path, bad_id):
    with pytest.raises(WorkspaceError, match="not a valid id"):
        Workspace(tmp_path).load(bad_id)


def test_each_session_has_its_own_folder(tmp_path):
    a, b = Workspace(tmp_path, session_id="alice"), Workspace(tmp_path, session_id="bob")
    ea = a.save(make_set(name="alice-set"))
    assert [e.name for e in a.list()] == ["alice-set"] and b.list() == []
    with pytest.raises(WorkspaceError, match="no saved set"):
        b.load(ea.id)
    evil = Workspace(tmp_path, session_id="../../../tmp")
    assert evil.root == tmp_path / "sessions" / "tmp"
    with pytest.raises(InvalidParameterError, match="session_id"):
        Workspace(tmp_path, session_id="../..")


def test_default_folder_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_DIR", str(tmp_path / "w"))
    assert workspace_dir() == tmp_path / "w"
    monkeypatch.delenv("EMBEDLAB_WORKSPACE_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert workspace_dir() == tmp_path / "data" / "embedlab" / "workspace"


def test_cap_deletes_the_oldest_first(tmp_path):
    size = Workspace(tmp_path / "probe").save(make_set(n=200, dim=16)).size_bytes
    ws = Workspace(tmp_path / "ws", max_bytes=int(size * 2.5))
    ids = []
    for i in range(4):
        ids.append(ws.save(make_set(n=200, dim=16, name=f"s{i}", seed=i)).id)
        time.sleep(0.01)
    left = [e.id for e in ws.list()]
    assert left == [ids[3], ids[2]]                 # newest first; s0 and s1 went
    assert ws.total_bytes() <= ws.max_bytes


def test_cap_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_MAX_MB", "2")
    assert Workspace(tmp_path).max_bytes == 2 * 1024 * 1024
    with pytest.raises(InvalidParameterError, match="max_bytes"):
        Workspace(tmp_path, max_bytes=0)


def test_a_set_larger_than_the_cap_is_refused_and_nothing_is_left(tmp_path):
    ws = Workspace(tmp_path, max_bytes=1000)
    with pytest.raises(WorkspaceError, match="more than the workspace cap"):
        ws.save(make_set(n=100, dim=16))
    assert list(tmp_path.iterdir()) == []


def test_delete(tmp_path):
    ws = Workspace(tmp_path)
    e = ws.save(make_set())
    ws.delete(e.id)
    assert ws.list() == [] and list(tmp_path.iterdir()) == []
    with pytest.raises(WorkspaceError, match="no saved set"):
        ws.delete(e.id)


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    ws = Workspace(tmp_path)

    def broken(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(wsmod.np, "savez", broken)
    with pytest.raises(WorkspaceError, match="No space left on device"):
        ws.save(make_set())
    assert list(tmp_path.iterdir()) == []


def test_failure_between_the_two_renames_leaves_nothing(tmp_path, monkeypatch):
    ws = Workspace(tmp_path)
    real = os.replace
    calls = []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "I/O error")
        return real(src, dst)
    monkeypatch.setattr(wsmod.os, "replace", second_fails)
    with pytest.raises(WorkspaceError, match="I/O error"):
        ws.save(make_set())
    monkeypatch.setattr(wsmod.os, "replace", real)
    assert ws.list() == [] and list(tmp_path.iterdir()) == []


def test_leftovers_of_interrupted_writes_are_cleaned(tmp_path):
    ws = Workspace(tmp_path)
    good = ws.save(make_set())
    stale_tmp = tmp_path / ".tmp-abc.npz"
    orphan = tmp_path / "orphan-1.npz"
    for p in (stale_tmp, orphan):
        p.write_bytes(b"half")
        old = time.time() - 2 * 3600
        os.utime(p, (old, old))
    fresh_tmp = tmp_path / ".tmp-new.npz"
    fresh_tmp.write_bytes(b"being written")
    assert [e.id for e in ws.list()] == [good.id]
    assert not stale_tmp.exists() and not orphan.exists() and fresh_tmp.exists()


def test_corrupt_entries(tmp_path):
    ws = Workspace(tmp_path)
    e1, e2 = ws.save(make_set(name="a")), ws.save(make_set(name="b"))
    (tmp_path / f"{e1.id}.json").write_text("{not json")
    (tmp_path / f"{e2.id}.npz").write_bytes(b"PK not a zip")
    assert [e.id for e in ws.list()] == [e2.id]
    with pytest.raises(WorkspaceError, match="unreadable"):
        ws.load(e2.id)
    with pytest.raises(WorkspaceError, match="unreadable"):
        ws.load(e1.id)


def test_pickled_arrays_are_never_loaded(tmp_path):
    ws = Workspace(tmp_path)
    e = ws.save(make_set())
    with open(tmp_path / f"{e.id}.npz", "wb") as fh:
        np.savez(fh, vectors=np.array([{"evil": 1}], dtype=object), tokens_utf8=np.zeros(1, np.uint8),
                 tokens_offsets=np.array([0, 1]))
    with pytest.raises(WorkspaceError, match="unreadable"):
        ws.load(e.id)


def test_unreadable_folder_is_a_workspace_error(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    ws = Workspace(not_a_dir)
    assert ws.list() == []                      # nothing saved yet
    with pytest.raises(WorkspaceError, match="cannot create the workspace folder"):
        ws.save(make_set())


def test_folder_that_cannot_be_listed(tmp_path, monkeypatch):
    ws = Workspace(tmp_path)
    ws.save(make_set())

    def denied(self):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(type(tmp_path), "iterdir", denied)
    with pytest.raises(WorkspaceError, match="cannot read the workspace folder.*Permission denied"):
        ws.list()
