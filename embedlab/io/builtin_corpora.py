"""Built-in corpora: a generated *toy* corpus and gensim's bundled Lee corpus.

The toy corpus's templated sentences plant royalty, gender, age and plural relations that word2vec
learns in about a second (:data:`TOY_ANALOGIES` lists them); ``lee_background.cor`` (300 news
articles) is read from the installed gensim in place, never copied.

>>> toy_corpus(3, seed=1).n_documents
3
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ..core.errors import CorpusError
from ..core.validate import check_int
from .corpus import MAX_TOTAL_TOKENS, Corpus, TokenizeOptions, _Builder, read_corpus

__all__ = ["BUILTIN_CORPORA", "TOY_ANALOGIES", "TOY_WATCH_WORDS", "toy_corpus", "lee_corpus_path",
           "builtin_corpus"]

BUILTIN_CORPORA = {
    "toy": "Toy royalty corpus: generated sentences in which royalty, gender, age and plural are planted "
           "(trains in about a second)",
    "lee": "Lee background corpus: 300 Australian news articles shipped with gensim (about 60,000 words)",
}

#: (a, b, c, expected): a is to b as c is to expected; all planted in the toy corpus
TOY_ANALOGIES = (
    ("man", "king", "woman", "queen"),
    ("king", "queen", "prince", "princess"),
    ("man", "boy", "woman", "girl"),
    ("king", "kings", "queen", "queens"),
    ("man", "men", "woman", "women"),
)
#: watched by default when training on the toy corpus
TOY_WATCH_WORDS = ("king", "queen", "man", "woman", "prince", "princess", "boy", "girl",
                   "kings", "queens", "men", "women")

# noun[(status, gender, age, number)]
_TOY_NOUNS = {
    ("royal", "m", "adult", "sg"): "king", ("royal", "f", "adult", "sg"): "queen",
    ("royal", "m", "young", "sg"): "prince", ("royal", "f", "young", "sg"): "princess",
    ("common", "m", "adult", "sg"): "man", ("common", "f", "adult", "sg"): "woman",
    ("common", "m", "young", "sg"): "boy", ("common", "f", "young", "sg"): "girl",
    ("royal", "m", "adult", "pl"): "kings", ("royal", "f", "adult", "pl"): "queens",
    ("royal", "m", "young", "pl"): "princes", ("royal", "f", "young", "pl"): "princesses",
    ("common", "m", "adult", "pl"): "men", ("common", "f", "adult", "pl"): "women",
    ("common", "m", "young", "pl"): "boys", ("common", "f", "young", "pl"): "girls",
}
_TOY = {
    "det": {"sg": ("the", "a", "one", "this"), "pl": ("the", "some", "two", "these", "many")},
    "be": {"sg": ("is", "was"), "pl": ("are", "were")},
    "has": {"sg": ("has",), "pl": ("have",)},
    "lives": {"sg": ("lives", "sleeps", "dines"), "pl": ("live", "sleep", "dine")},
    "place": {"royal": ("palace", "castle", "court", "throne room"),
              "common": ("village", "cottage", "farm", "market")},
    "thing": {"royal": ("crown", "throne", "sceptre", "kingdom"),
              "common": ("plough", "cart", "field", "shop")},
    "trait": {"royal": ("royal", "noble", "crowned"), "common": ("humble", "ordinary", "poor")},
    "kin": {"m": ("brother", "son", "nephew", "uncle"), "f": ("sister", "daughter", "niece", "aunt")},
    "subj": {("m", "sg"): ("he",), ("f", "sg"): ("she",), ("m", "pl"): ("they",), ("f", "pl"): ("they",)},
    "poss": {("m", "sg"): ("his",), ("f", "sg"): ("her",), ("m", "pl"): ("their",), ("f", "pl"): ("their",)},
    "age": {"adult": ("old", "grown", "wise", "elder"), "young": ("young", "small", "little", "youthful")},
    "activity": {("adult", "sg"): ("works", "rules", "decides", "teaches"),
                 ("adult", "pl"): ("work", "rule", "decide", "teach"),
                 ("young", "sg"): ("plays", "learns", "grows", "studies"),
                 ("young", "pl"): ("play", "learn", "grow", "study")},
    "keeps": {"sg": ("keeps", "guards"), "pl": ("keep", "guard")},
}
_TOY_TEMPLATES = (
    "{det} {age} {noun} {lives} in the {place}",
    "{det} {noun} {be} {trait} and {age}",
    "{det} {noun} {has} a {thing} and {poss} {kin} {kin_activity}",
    "{det} {trait} {noun} {lives} in the {place} with {poss} {kin}",
    "{det} {noun} {be} {age} so {subj} {activity}",
    "in the {place} {det} {noun} {keeps} a {thing}",
    "{det} {age} {trait} {noun} {be} with {poss} {kin}",
)


def toy_corpus(n_sentences: int = 4000, *, seed: int = 0, options: TokenizeOptions | None = None) -> Corpus:
    """A generated corpus with planted structure, for live demos and tests.

    Sixteen nouns (king, queen, prince, princess, man, woman, boy, girl and their plurals) differ
    in four features: royal/common, male/female, adult/young, singular/plural. Each feature shows in
    the words around the noun (palace vs village, he/his vs she/her, old vs young, is vs are), so
    after training ``king - man + woman`` is close to ``queen`` (see :data:`TOY_ANALOGIES`).

    Parameters
    ----------
    n_sentences : int
        How many sentences (about 8 tokens each).
    seed : int
        The same seed gives the same text.

    Raises
    ------
    InvalidParameterError
        ``n_sentences`` not a whole number in [1, 1000000], or ``seed`` negative.

    >>> toy_corpus(3, seed=1).n_documents
    3
    """
    n_sentences = check_int(n_sentences, "n_sentences", minimum=1, maximum=1_000_000)
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    keys = list(_TOY_NOUNS)
    lines = []
    for _ in range(n_sentences):
        status, gender, age, number = keys[rng.integers(len(keys))]
        tmpl = _TOY_TEMPLATES[rng.integers(len(_TOY_TEMPLATES))]
        choice = {
            "det": _TOY["det"][number], "be": _TOY["be"][number], "has": _TOY["has"][number],
            "lives": _TOY["lives"][number], "place": _TOY["place"][status], "thing": _TOY["thing"][status],
            "trait": _TOY["trait"][status], "kin": _TOY["kin"][gender], "subj": _TOY["subj"][gender, number],
            "poss": _TOY["poss"][gender, number], "age": _TOY["age"][age],
            "activity": _TOY["activity"][age, number], "kin_activity": _TOY["activity"]["adult", "sg"],
            "keeps": _TOY["keeps"][number],
        }
        fill = {k: v[rng.integers(len(v))] for k, v in choice.items()}
        lines.append(tmpl.format(noun=_TOY_NOUNS[(status, gender, age, number)], **fill))
    opts = options or TokenizeOptions()
    b = _Builder(opts, MAX_TOTAL_TOKENS)
    b.add("\n".join(lines), "toy")
    return b.build("toy", source=f"generated toy corpus ({n_sentences:,} sentences, seed {seed})", encoding="",
                   notes=(), n_documents=n_sentences)


def lee_corpus_path() -> Path:
    """gensim's bundled ``lee_background.cor`` (read in place, never copied).

    Raises
    ------
    CorpusError
        If the installed gensim does not ship it.
    """
    from .gensim_data import gensim_test_data_dir

    path = gensim_test_data_dir() / "lee_background.cor"
    if not path.is_file():
        raise CorpusError(f"gensim's lee_background.cor was not found at {path}; reinstall gensim")
    return path


def builtin_corpus(name: str, *, options: TokenizeOptions | None = None) -> Corpus:
    """A built-in corpus: ``"toy"`` or ``"lee"`` (see :data:`BUILTIN_CORPORA`).

    Raises
    ------
    CorpusError
        Unknown name.
    """
    if name == "toy":
        return toy_corpus(options=options)
    if name == "lee":
        path = lee_corpus_path()
        c = read_corpus(path, options=options)
        # one line per article
        n_docs = sum(1 for line in path.read_text("utf-8", errors="replace").splitlines() if line.strip())
        return replace(c, name="lee_background", source="gensim test data: lee_background.cor", n_documents=n_docs)
    raise CorpusError(f"unknown built-in corpus {name!r}; choose one of: {', '.join(BUILTIN_CORPORA)}")
