"""AppTest: home page, sidebar picker, upload, ?set= in the URL, deep links."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import ROOT, open_deep_link
from ui import navigation, streamlit_internals
from ui.setup import COMPANION_KEY, UPLOAD_KEY

TIMEOUT = 120


def _home():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def test_home_links_every_explorer_page_and_shows_the_set(words):
    at = _home()
    labels = [el.proto.label for el in at.get("page_link")]
    assert {"Map", "Neighbours", "Analogies", "Semantic axes"} <= set(labels)
    # a card per page, plus the links of "Where you see embeddings"
    cards = sorted(p.title for p in navigation.explorer_pages())
    use_links = [p.title for _, pages in navigation.uses() for p in pages]
    assert sorted(labels) == sorted(cards + use_links) and set(labels) == set(cards)
    assert [t.value for t in at.title] == ["EmbedLab"]
    caption = " ".join(c.value for c in at.sidebar.caption)
    assert "minilm-words" in caption and f"{len(words):,} tokens" in caption and "384 dimensions" in caption


def test_picker_writes_set_to_url_and_url_restores_it():
    at = _home()
    assert "set" not in at.query_params  # the default is left out of the link
    at.sidebar.selectbox[0].set_value("minilm-positions").run()
    assert at.query_params["set"] == "minilm-positions"
    at2 = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at2.query_params["set"] = "minilm-tokens"
    at2.run()
    assert not at2.exception
    assert at2.sidebar.selectbox[0].value == "minilm-tokens"
    assert "30,522 tokens" in " ".join(c.value for c in at2.sidebar.caption)


def test_unknown_set_in_url_falls_back_to_default():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["set"] = "no-such-set"
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox[0].value == "minilm-words"


def test_upload_good_file_selects_it_bad_file_keeps_previous(tmp_path):
    at = _home()
    good = b"3 2\napple 1.0 0.0\npear 0.9 0.1\nstone 0.0 1.0\n"
    at.file_uploader(key=UPLOAD_KEY).set_value(("fruit.txt", good, "text/plain")).run()
    assert not at.exception and not at.sidebar.error
    chosen = at.sidebar.selectbox[0].value
    assert chosen != "minilm-words" and chosen in at.sidebar.selectbox[0].options
    assert "3 tokens" in " ".join(c.value for c in at.sidebar.caption)
    bad = b"2 3\nalpha 1 2 3\nbeta 1 two 3\n"
    at.file_uploader(key=UPLOAD_KEY).set_value(("broken.txt", bad, "text/plain")).run()
    assert not at.exception
    assert at.sidebar.error, "a bad file must show st.error"
    assert "broken.txt" in at.sidebar.error[0].value
    assert at.sidebar.selectbox[0].value == chosen


@pytest.mark.parametrize("page", ["app_pages/2_Neighbours.py", "app_pages/3_Analogies.py", "app_pages/4_Semantic_axes.py"])
def test_page_runs_alone_as_a_deep_link(page):
    """The page's URL as the session's first request: app.py's frame still draws the sidebar."""
    at = open_deep_link(page, timeout=TIMEOUT)
    assert not at.exception
    assert at.sidebar.selectbox[0].value == "minilm-words"
    assert [t.value for t in at.title][:1] != ["EmbedLab"]      # the page itself ran, not the home page


def test_a_deep_link_with_set_and_present_opens_that_view():
    at = open_deep_link("app_pages/2_Neighbours.py", timeout=TIMEOUT, set="minilm-tokens", present="1")
    assert at.sidebar.selectbox[0].value == "minilm-tokens"
    assert at.sidebar.toggle(key="presenter_mode").value is True
    assert "30,522 tokens" in " ".join(c.value for c in at.sidebar.caption)


def test_chosen_set_survives_page_switches():
    """The picker is drawn by app.py, so its widget keeps its id (and value) on every page: the set
    the user loaded stays selected on the next page, and a later pick still works. (The legacy
    pages/ folder gave the picker a new widget id per page, and Streamlit could hand its key back as
    the default; the copy in a second session key that guarded against that is gone.)"""
    at = _home()
    tiny = b"5 2\napple 1.0 0.0\npear 0.9 0.1\nstone 0.0 1.0\nrock 0.1 0.9\nsand 0.2 0.8\n"
    at.file_uploader(key=UPLOAD_KEY).set_value(("tiny.txt", tiny, "text/plain")).run()
    assert at.selectbox(key="current_set").value == "tiny"
    at.switch_page("app_pages/2_Neighbours.py").run()
    assert not at.exception
    assert at.selectbox(key="current_set").value == "tiny"
    at.selectbox(key="current_set").set_value("minilm-tokens").run()
    at.switch_page("app_pages/1_Map.py").run()
    assert not at.exception
    assert at.selectbox(key="current_set").value == "minilm-tokens"


def test_a_large_upload_is_dropped_from_the_uploader_once_read(monkeypatch):
    """Streamlit keeps an uploaded file in memory while the uploader shows it: above
    RELEASE_UPLOADS_ABOVE the uploader gets a fresh key after reading (1.2 GB not kept twice);
    the set stays loaded and selected, and the next upload goes through the fresh uploader."""
    import ui.setup

    monkeypatch.setattr(ui.setup, "RELEASE_UPLOADS_ABOVE", 10)      # bytes: every test file is "large"
    left = []                                                       # files Streamlit still holds after

    def release_and_look(file_id, release=ui.setup._release_upload):
        done = release(file_id)
        left.append(streamlit_internals.held_upload_count(file_id))
        return done

    monkeypatch.setattr(ui.setup, "_release_upload", release_and_look)
    at = _home()
    first = b"3 2\napple 1.0 0.0\npear 0.9 0.1\nstone 0.0 1.0\n"
    at.file_uploader(key=UPLOAD_KEY).set_value(("fruit.txt", first, "text/plain")).run()
    assert not at.exception
    assert left == [0]                                              # the bytes were released
    assert at.selectbox(key="current_set").value == "fruit"
    keys = [u.key for u in at.sidebar.get("file_uploader") if u.key != COMPANION_KEY]
    assert keys == [f"{UPLOAD_KEY}_1"], keys                      # the old widget (and its file) is gone
    assert at.file_uploader(key=f"{UPLOAD_KEY}_1").value is None
    second = b"2 2\nrock 0.1 0.9\nsand 0.2 0.8\n"
    at.file_uploader(key=f"{UPLOAD_KEY}_1").set_value(("stones.txt", second, "text/plain")).run()
    assert not at.exception
    assert at.selectbox(key="current_set").value == "stones"
    assert {"fruit", "stones"} <= set(at.selectbox(key="current_set").options)


def test_a_small_upload_stays_listed_in_the_uploader():
    at = _home()
    at.file_uploader(key=UPLOAD_KEY).set_value(("fruit.txt", b"2 2\napple 1 0\npear 0.9 0.1\n", "text/plain")).run()
    assert not at.exception
    assert at.selectbox(key="current_set").value == "fruit"
    assert at.file_uploader(key=UPLOAD_KEY).value is not None


def test_a_large_upload_that_cannot_be_read_says_why_and_leaves_a_fresh_uploader(monkeypatch):
    import ui.setup

    monkeypatch.setattr(ui.setup, "RELEASE_UPLOADS_ABOVE", 10)
    at = _home()
    at.file_uploader(key=UPLOAD_KEY).set_value(("broken.txt", b"2 2\napple 1 0\npear zero 1\n", "text/plain")).run()
    assert not at.exception
    assert any("line 3" in e.value for e in at.error), [e.value for e in at.error]
    assert at.selectbox(key="current_set").value == "minilm-words"
    at.run()
    assert [u.key for u in at.sidebar.get("file_uploader") if u.key != COMPANION_KEY] == [f"{UPLOAD_KEY}_1"]
    assert at.file_uploader(key=f"{UPLOAD_KEY}_1").value is None


def test_the_upload_limit_comes_from_the_config_and_is_stated():
    try:
        import tomllib
    except ImportError:                      # Python 3.10: requirements.txt pins tomli there
        import tomli as tomllib

    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert limit * 2**20 >= 1_000_000 * (300 * 4 + 8) + 20    # a 1M x 300 word2vec binary file fits
    at = _home()
    uploader, companion = at.sidebar.get("file_uploader")      # the vector file, then its vocabulary / metadata
    assert companion.key == COMPANION_KEY
    assert f"Up to {limit} MB" in uploader.proto.help
