"""embedlab.io.shares: a share token opens one saved set, read-only, and reveals no owner key."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet
from embedlab.core.errors import WorkspaceError
from embedlab.io.shares import is_token, open_shared, revoke, share
from embedlab.io.workspace import Workspace

OWNER = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path, session_id=OWNER)


def _save(ws, name, value):
    return ws.save(EmbeddingSet(["a", "b"], np.eye(2, dtype=np.float32) * value, name=name))


def test_a_token_opens_exactly_its_set_and_does_not_carry_the_key(ws, tmp_path):
    one, two = _save(ws, "one", 1.0), _save(ws, "two", 2.0)
    token = share(ws, one.id)
    assert is_token(token) and OWNER not in token
    es, extra, entry = open_shared(token, root=tmp_path)
    assert entry.id == one.id and es.name == "one" and extra["info"]["id"] == one.id
    np.testing.assert_array_equal(es.vectors, np.eye(2))
    assert share(ws, one.id) == token                   # one set, one token
    assert share(ws, two.id) != token
    assert [e.name for e in ws.list()] == ["two", "one"]     # the index file is not listed as a set


def test_a_deleted_or_revoked_set_opens_nothing(ws, tmp_path):
    one, two = _save(ws, "one", 1.0), _save(ws, "two", 2.0)
    t1, t2 = share(ws, one.id), share(ws, two.id)
    ws.delete(one.id)
    with pytest.raises(WorkspaceError, match="its owner deleted the shared set"):
        open_shared(t1, root=tmp_path)
    assert revoke(ws, two.id) and not revoke(ws, two.id)
    with pytest.raises(WorkspaceError, match="opens nothing: it is unknown"):
        open_shared(t2, root=tmp_path)


@pytest.mark.parametrize("token", ["", "../../etc/passwd", OWNER.upper(), OWNER + "0", None, 12])
def test_malformed_tokens_are_refused_before_any_file_is_read(tmp_path, token):
    with pytest.raises(WorkspaceError, match="not valid"):
        open_shared(token, root=tmp_path)


def test_the_owner_key_used_as_a_token_opens_nothing(ws, tmp_path):
    share(ws, _save(ws, "one", 1.0).id)
    with pytest.raises(WorkspaceError, match="opens nothing"):
        open_shared(OWNER, root=tmp_path)


def test_sharing_an_unknown_set_is_refused(ws):
    with pytest.raises(WorkspaceError, match="no saved set"):
        share(ws, "nope-1")


def test_the_listing_of_a_shared_set_needs_no_load(ws, tmp_path):
    from embedlab.io.shares import shared_entry

    one = _save(ws, "one", 1.0)
    token = share(ws, one.id)
    (ws.root / f"{one.id}.npz").write_bytes(b"not a zip")       # the arrays are not read for the listing
    assert shared_entry(token, root=tmp_path).name == "one"
    with pytest.raises(WorkspaceError, match="unreadable"):
        open_shared(token, root=tmp_path)
