"""The page table (ui/navigation.py): the URLs teachers share stay exactly as they were."""
from __future__ import annotations

import pytest
from tests.app.helpers import ROOT
from ui import navigation
from ui.streamlit_internals import inferred_page_name

# every page URL of the app before st.navigation (the legacy pages/ folder): links to them are out there
SHARED_URLS = ["", "Map", "Neighbours", "Analogies", "Semantic_axes", "One_hot_vs_dense", "Token_pipeline",
               "Context", "Documents", "Train"]
NEW_URLS = ["Classification", "Recommendation", "Graphs", "Knowledge_graphs"]   # added since (issue 14), after the old ones


def test_every_page_keeps_its_url_and_home_is_first():
    urls = [p.url_path for p in navigation.PAGES]
    assert urls[:len(SHARED_URLS)] == SHARED_URLS and set(NEW_URLS) <= set(urls[len(SHARED_URLS):])
    assert navigation.PAGES[0] is navigation.HOME and navigation.HOME.title == "Home"
    assert len({p.title for p in navigation.PAGES}) == len(navigation.PAGES)
    # each page its own icon in the sidebar (Home and Semantic axes both had the compass)
    assert len({p.icon for p in navigation.PAGES}) == len(navigation.PAGES)


@pytest.mark.parametrize("entry", navigation.PAGES[1:], ids=lambda p: p.url_path)
def test_a_page_url_is_the_name_streamlit_infers_from_its_file(entry):
    """So AppTest's switch_page(file) finds the page even before the app's first run (a deep link)."""
    assert (ROOT / entry.file).is_file()
    assert inferred_page_name(ROOT / entry.file) == entry.url_path
    assert entry.summary and entry.icon


def test_page_for_file_and_explorer_pages():
    assert navigation.page_for_file("app_pages/9_Train.py").url_path == "Train"
    assert navigation.HOME not in navigation.explorer_pages() and len(navigation.explorer_pages()) == len(navigation.PAGES) - 1
    with pytest.raises(KeyError, match="pages/1_Map.py"):
        navigation.page_for_file("pages/1_Map.py")


def test_streamlit_pages_pass_the_table_to_st_page(monkeypatch):
    import streamlit as st

    monkeypatch.setattr(st, "Page", lambda page, **kw: (page, kw))
    got = navigation.streamlit_pages()
    assert got[0] == ("app_pages/0_Home.py", {"title": "Home", "icon": "🏠", "url_path": "", "default": True})
    assert [(page, kw["url_path"], kw["default"]) for page, kw in got[1:]] == \
        [(e.file, e.url_path, False) for e in navigation.explorer_pages()]
    assert [kw["title"] for _, kw in got] == [e.title for e in navigation.PAGES]


def test_every_use_of_embeddings_links_pages_of_the_app():
    """The home page's "Where you see embeddings": every use names pages that exist (no dead entry)."""
    paths = {p.url_path for p in navigation.PAGES}
    for use in navigation.USES:
        assert use.pages and set(use.pages) <= paths, (use.use, set(use.pages) - paths)
    linked = dict((u.use, [p.url_path for p in ps]) for u, ps in navigation.uses())
    assert linked["Large language models"] == ["Token_pipeline", "Context"]
    assert linked["Search and retrieval"] == ["Documents"]
    assert {"Text classification", "Recommendation", "Graph learning", "Knowledge graphs"} <= set(linked)


def test_home_page_shows_where_embeddings_are_used():
    from tests.app.helpers import open_deep_link

    at = open_deep_link("app_pages/0_Home.py")
    subheaders = [s.value for s in at.subheader]
    assert subheaders.index("Where you see embeddings") < subheaders.index("Pages")
    text = "\n".join(m.value for m in at.markdown)
    for use in navigation.USES:
        assert f"**{use.use}.**" in text


def test_every_page_is_in_exactly_one_sidebar_section_in_table_order(monkeypatch):
    import streamlit as st

    grouped = [u for _, urls in navigation.SECTIONS for u in urls]
    assert sorted(grouped) == sorted(p.url_path for p in navigation.PAGES) and len(set(grouped)) == len(grouped)
    monkeypatch.setattr(st, "Page", lambda page, **kw: (page, kw))
    sections = navigation.streamlit_sections()
    assert list(sections) == [name for name, _ in navigation.SECTIONS]
    assert sections["Explore a space"][0][1]["default"] is True
    assert [kw["title"] for kw in (kw for group in sections.values() for _, kw in group)] == \
        [p.title for p in navigation.PAGES]
