"""The app's page table: one entry per page, read by app.py (``st.navigation``), the home page's
links and the tests (AppTest and the browser tests open every page from it).

A page's ``url_path`` is what teachers share (``/Map?q=king``): never change one. It equals the name
Streamlit infers from the file name (``3_Analogies.py`` -> ``Analogies``), so AppTest's
``switch_page(file)`` finds a page even before the app's first run. Icons are emoji: Material icons
make the browser fetch a favicon from the internet.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PageEntry", "HOME", "PAGES", "UseEntry", "USES", "explorer_pages", "page_for_file", "uses",
           "SECTIONS", "streamlit_pages", "streamlit_sections"]


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


HOME = PageEntry("app_pages/0_Home.py", "Home", "🏠", "")

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
    PageEntry("app_pages/10_Classification.py", "Classification", "🏷️", "Classification",
              "Label new sentences or words from a few examples: dense vectors generalise where one-hot codes "
              "stay at chance. See the learning curves, a decision boundary and what it gets wrong."),
    PageEntry("app_pages/11_Recommendation.py", "Recommender", "🛒", "Recommendation",
              "More like these, less like those: a profile vector ranks items by cosine, and item vectors "
              "learned from shopping-basket-like co-occurrence (item2vec) put items bought together side by side."),
    PageEntry("app_pages/12_Graphs.py", "Graphs", "🕸️", "Graphs",
              "Embed a graph with DeepWalk: random walks are sentences, nodes are words. See the karate club's "
              "two factions appear in the node vectors, and how well a probe predicts a node's group."),
    PageEntry("app_pages/13_Knowledge_graphs.py", "Knowledge graphs", "🔗", "Knowledge_graphs",
              "Facts as triples (athens, capital-of, greece): TransE learns each relation as one translation "
              "vector, head + relation ≈ tail — the analogy arithmetic again — and predicts missing facts."),
    PageEntry("app_pages/14_Challenges.py", "Challenges", "🎯", "Challenges",
              "Games on the space: get from one word to another through nearest neighbours in as few hops as "
              "you can, or spot the word that does not belong. Puzzles are numbered, so a class shares one."),
    PageEntry("app_pages/15_Compare.py", "Compare two spaces", "⚖️", "Compare",
              "Two embeddings of the same words, e.g. word2vec and fastText trained on one text: rotate one "
              "onto the other, look at both maps side by side, and measure how many neighbours they share."),
)


def explorer_pages() -> tuple[PageEntry, ...]:
    """Every page but the home page, in sidebar order (the home page's cards).

    >>> [p.url_path for p in explorer_pages()][:2]
    ['Map', 'Neighbours']
    """
    return tuple(p for p in PAGES if p is not HOME)


@dataclass(frozen=True)
class UseEntry:
    """One place where learners meet embeddings, for the home page's "Where you see embeddings".

    Attributes
    ----------
    use : str
        Where ("Large language models").
    sentence : str
        One sentence on what the embedding does there.
    pages : tuple of str
        URL paths of the pages that show it (only those in :data:`PAGES` are linked).
    """

    use: str
    sentence: str
    pages: tuple[str, ...]


USES: tuple[UseEntry, ...] = (
    UseEntry("Large language models",
             "Text is cut into tokens, each token id picks its row of the embedding table, positions are added, "
             "and attention turns those rows into vectors that depend on the context.",
             ("Token_pipeline", "Context")),
    UseEntry("Search and retrieval",
             "Documents and questions become sentence vectors; the nearest documents to a question are the "
             "answers, even when they share no word with it.",
             ("Documents",)),
    UseEntry("Text classification",
             "A linear model on embeddings learns a label (positive or negative, country or capital) from a "
             "handful of examples, because similar items already sit close together.",
             ("Classification",)),
    UseEntry("Recommendation",
             "Items you liked average into a profile vector; its nearest neighbours are recommended. Items bought "
             "or attended together learn vectors the way words do (item2vec).",
             ("Recommendation",)),
    UseEntry("Graph learning",
             "Random walks over a network are sentences whose words are nodes (DeepWalk): nodes of the same "
             "community end up close together.",
             ("Graphs",)),
    UseEntry("Knowledge graphs",
             "Facts (head, relation, tail) are learned so that head + relation lands on tail (TransE): a "
             "relation is a translation, the same idea as b − a + c in analogies.",
             ("Knowledge_graphs", "Analogies")),
)


def uses() -> list[tuple[UseEntry, tuple[PageEntry, ...]]]:
    """Each :data:`USES` entry with the pages of :data:`PAGES` that show it (pages not in the app left out).

    >>> [p.title for p in dict((u.use, ps) for u, ps in uses())["Large language models"]]
    ['Token pipeline', 'Context']
    """
    by_path = {p.url_path: p for p in PAGES}
    return [(u, tuple(by_path[x] for x in u.pages if x in by_path)) for u in USES]


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


SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Explore a space", ("", "Map", "Neighbours", "Analogies", "Semantic_axes")),
    ("Inside the models", ("One_hot_vs_dense", "Token_pipeline", "Context", "Documents", "Train")),
    ("Used in practice", ("Classification", "Recommendation", "Graphs", "Knowledge_graphs")),
    # after the others: the sidebar follows the page table's order, whose first pages keep their place
    ("Play and compare", ("Challenges", "Compare")),
)
"""The sidebar's groups, by URL path: every page is in exactly one (tests/app/test_navigation.py)."""


def streamlit_sections() -> dict[str, list]:
    """``st.navigation``'s pages grouped under :data:`SECTIONS`, each group in table order."""
    pages = dict(zip((p.url_path for p in PAGES), streamlit_pages()))
    return {name: [pages[u] for u in urls if u in pages] for name, urls in SECTIONS}
