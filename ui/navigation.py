"""The app's page table: one entry per page, read by app.py (``st.navigation``), the home page's
links and the tests (AppTest and the browser tests open every page from it).

A page's ``url_path`` is what teachers share (``/Map?q=king``): never change one. It equals the name
Streamlit infers from the file name (``3_Analogies.py`` -> ``Analogies``), so AppTest's
``switch_page(file)`` finds a page even before the app's first run. Icons are emoji: Material icons
make the browser fetch a favicon from the internet.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PageEntry", "HOME", "PAGES", "explorer_pages", "page_for_file", "streamlit_pages"]


@dataclass(frozen=True)
class PageEntry:
    """One page of the app.

    Attributes
    ----------
    file : str
        The page script, relative to app.py (``"app_pages/1_Map.py"``).
    title : str
        Sidebar label and browser-tab title.
    icon : str
        An emoji.
    url_path : str
        The page's address below the app's root (``""`` for the home page).
    summary : str
        What the page teaches, for its card on the home page (``""`` for the home page).
    """

    file: str
    title: str
    icon: str
    url_path: str
    summary: str = ""


HOME = PageEntry("app_pages/0_Home.py", "Home", "🧭", "")

PAGES: tuple[PageEntry, ...] = (
    HOME,
    PageEntry("app_pages/1_Map.py", "Map", "🗺️", "Map",
              "A picture of the whole space squeezed into two (or three) dimensions with PCA, UMAP or t-SNE. "
              "Search a word to see its nearest neighbours, colour the points by cluster or by groups you type, "
              "and see how much the picture distorts the real distances."),
    PageEntry("app_pages/2_Neighbours.py", "Neighbours", "🔎", "Neighbours",
              "Which words are closest to a word, or to a sum like `paris - france + italy`? "
              "Compare cosine similarity with Euclidean distance, and look at a whole word list as a heatmap."),
    PageEntry("app_pages/3_Analogies.py", "Analogies", "🧩", "Analogies",
              "man is to king as woman is to … ? Solve analogies with vector arithmetic, see the parallelogram, "
              "and test a whole family of analogies — including the catch in how the answer is picked."),
    PageEntry("app_pages/4_Semantic_axes.py", "Semantic axes", "🧭", "Semantic_axes",
              "Build a direction such as man → woman or poor → rich and line words up along it. "
              "It shows what the space encodes, including social biases."),
    PageEntry("app_pages/5_One_hot_vs_dense.py", "One-hot vs dense", "🔢", "One_hot_vs_dense",
              "Why not just number the words? Compare one-hot codes, where every word is equally far from every "
              "other, with dense vectors, where distance means something."),
    PageEntry("app_pages/6_Token_pipeline.py", "Token pipeline", "🧱", "Token_pipeline",
              "Follow a sentence through a transformer's input: tokenizer pieces, token ids, the embedding table "
              "rows and the position embeddings added to them."),
    PageEntry("app_pages/7_Context.py", "Context", "🌀", "Context",
              "The same word in different sentences gets different vectors after the encoder: watch 'bank' move "
              "between rivers and money."),
    PageEntry("app_pages/8_Documents.py", "Documents", "📄", "Documents",
              "Embed whole sentences or documents and search them by meaning rather than by exact words."),
    PageEntry("app_pages/9_Train.py", "Train", "🏋️", "Train",
              "Train your own word vectors on a text you upload and watch the neighbours form as training runs."),
    PageEntry("app_pages/12_Graphs.py", "Graphs", "🕸️", "Graphs",
              "Embed a graph with DeepWalk: random walks are sentences, nodes are words. See the karate club's "
              "two factions appear in the node vectors, and how well a probe predicts a node's group."),
    PageEntry("app_pages/13_Knowledge_graphs.py", "Knowledge graphs", "🔗", "Knowledge_graphs",
              "Facts as triples (athens, capital-of, greece): TransE learns each relation as one translation "
              "vector, head + relation ≈ tail — the analogy arithmetic again — and predicts missing facts."),
)


def explorer_pages() -> tuple[PageEntry, ...]:
    """Every page but the home page, in sidebar order (the home page's cards).

    >>> [p.url_path for p in explorer_pages()][:2]
    ['Map', 'Neighbours']
    """
    return tuple(p for p in PAGES if p is not HOME)


def page_for_file(file: str) -> PageEntry:
    """The entry of a page script (``"app_pages/1_Map.py"``).

    >>> page_for_file("app_pages/1_Map.py").title
    'Map'

    Raises
    ------
    KeyError
        For a file that is not a page of the app.
    """
    for p in PAGES:
        if p.file == file:
            return p
    raise KeyError(f"{file!r} is not a page of the app; pages: {', '.join(p.file for p in PAGES)}")


def streamlit_pages() -> list:
    """The ``st.Page`` objects for ``st.navigation``, home first (the default page)."""
    import streamlit as st

    return [st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path, default=p is HOME) for p in PAGES]
