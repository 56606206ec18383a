"""AppTest: a large upload is memory-mapped from the cache folder, kept once by the registry, and indexed."""
from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from embedlab.io.mapped import MAP_MIN_ENV, is_mapped
from embedlab.runtime import registry
from tests.app.helpers import ROOT
from ui.setup import UPLOAD_KEY

TIMEOUT = 120


def test_a_large_upload_is_memory_mapped_shared_and_indexed(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv(MAP_MIN_ENV, "0.0001")              # 105 bytes: the 3 x 2 file below is "large"
    built = []
    reg = registry.IndexRegistry(threshold=3, build=lambda es: built.append(es) or None)
    monkeypatch.setattr(registry, "_default", reg)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    rows = "".join(f"w{i} {i % 7 - 3.0} {i % 5 + 1.0}\n" for i in range(20))
    at.file_uploader(key=UPLOAD_KEY).set_value(("big.txt", f"20 2\n{rows}".encode(), "text/plain")).run()
    assert not at.exception and not at.sidebar.error
    es = at.session_state["user_sets"]["big"]
    assert is_mapped(es.vectors) and (tmp_path / "sets" / f"{es.fingerprint}.npy").is_file()
    assert reg.shared(es.fingerprint) is es                 # one copy for every session of the process
    reg._entries[es.fingerprint].thread.join(10)
    assert built and built[0] is es                         # the index was requested for the mapped set
    np.testing.assert_array_equal(es["w3"], [0.0, 4.0])
    at.switch_page("app_pages/2_Neighbours.py").run()
    assert not at.exception
    reg.close()
