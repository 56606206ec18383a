"""Token strings are shown as text, never as markup: every figure builder and the Markdown helper.

plotly.js reads a little HTML (<b>, <br>, <a href>, <span style>, entities) in every string it draws as
SVG, so a builder must hand it escaped text. The check walks the whole ``fig.to_dict()`` (data, layout,
frames) and fails on any string holding a hostile token unescaped; it also requires the escaped form
somewhere, so a builder that silently dropped the token would fail too. The one allowed raw place is
the ``text`` of a ``scatter3d`` trace: WebGL draws those labels literally (no HTML, no entities).
"""
from __future__ import annotations

import re
import string
from types import SimpleNamespace

import numpy as np
import pytest

from embedlab import EmbeddingSet
from embedlab.viz import lesson_plots as lp
from embedlab.lessons.onehot import table_sizes
from embedlab.viz import (analogy_figure, analogy_plane, axes_figure, compare_figure, escape_plotly_text,
                          escape_plotly_texts, map_figure, neighbor_bar, presenter_style, similarity_heatmap,
                          unescape_plotly_text)
from embedlab.viz.train_plots import loss_figure, rank_frequency_figure, training_animation
from ui.text import md_text

HOSTILE = ("<script>alert(1)</script>", "<b>bold</b>", "<img src=x onerror=alert(1)>", "a&b", "**x**",
           "a&lt;b", '<a href="https://example.com">link</a>')
# what may never appear raw: the tokens holding '<' or '&' (plotly has no meaning for "**x**")
DANGEROUS = tuple(t for t in HOSTILE if "<" in t or "&" in t)
TITLE = '<i>title</i> <span style="font-size:90px">&#60;</span>'     # for titles and other text arguments
# the builders' own markup in hover templates and annotations; anything else is a leak
OWN_TAGS = {"<b>", "</b>", "<br>", "<extra>", "</extra>"}


def _strings(node, path=()):
    """Yield (path, string) for every string in a plotly figure dict."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, path + (k,))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _strings(v, path + (i,))


def _literal_webgl_text(spec: dict, path: tuple) -> bool:
    """True for the ``text`` of a scatter3d trace (in data or in a frame): WebGL draws it literally."""
    if "text" not in path:
        return False
    k = path.index("text")
    node = spec
    for key in path[:k]:
        node = node[key]
    return isinstance(node, dict) and node.get("type") == "scatter3d"


def assert_text_only(fig, tokens=HOSTILE) -> dict:
    """Fail if any string of ``fig`` carries markup that its builder did not write itself (a tag other
    than OWN_TAGS, an entity other than our escapes, a dangerous token); require every token of
    ``tokens`` in escaped form somewhere (it did reach the figure)."""
    spec = fig.to_dict()
    strings = list(_strings(spec))
    for path, s in strings:
        if _literal_webgl_text(spec, path):
            continue
        where = ".".join(map(str, path))
        assert set(re.findall(r"<[^<>]*>", s)) <= OWN_TAGS, f"markup at {where}: {s!r}"
        assert "&" not in s.replace("&amp;", "").replace("&lt;", "").replace("&gt;", ""), f"entity at {where}: {s!r}"
        for tok in DANGEROUS:
            assert tok not in s, f"raw {tok!r} at {where}: {s!r}"
    joined = "\n".join(s for _, s in strings)
    for tok in tokens:
        assert escape_plotly_text(tok) in joined, f"{tok!r} never reached the figure (escaped)"
    return spec


@pytest.fixture(scope="module")
def hostile_set():
    rng = np.random.default_rng(0)
    toks = list(HOSTILE) + ["king", "queen", "man", "woman", "apple", "pear"]
    return EmbeddingSet(toks, rng.normal(size=(len(toks), 8)).astype(np.float32), name="<b>set</b>")


# -- embedlab.viz (maps, explorer, presenter) ----------------------------------------------------------------------------------
def test_escape_helpers_roundtrip_and_leave_no_tag_or_entity():
    rng = np.random.default_rng(0)
    alphabet = list("<>&;#ltgamp /=\"'x0")
    for _ in range(300):
        s = "".join(rng.choice(alphabet, size=int(rng.integers(0, 20))))
        e = escape_plotly_text(s)
        assert "<" not in e and ">" not in e
        assert unescape_plotly_text(e) == s
        # every '&' left starts one of the three escapes: no entity of the input survives
        assert e.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").count("&") == 0
    assert escape_plotly_texts(["<i>", 3]) == ["&lt;i&gt;", "3"]


@pytest.mark.parametrize("dims", [2, 3])
def test_map_figure_labels_names_hover_and_highlight(dims):
    n = len(HOSTILE)
    coords = np.random.default_rng(0).normal(size=(n, dims)).astype(np.float32)
    groups = [HOSTILE[i % 3] for i in range(n)]               # category names become legend names
    fig = map_figure(coords, list(HOSTILE), labels=groups, highlight=0, neighbor_rows=[1, 2, 3, 4, 5, 6],
                     axis_titles=HOSTILE[:3], title=TITLE)
    spec = assert_text_only(fig)
    names = [t.get("name", "") for t in spec["data"]]
    assert f"searched: {escape_plotly_text(HOSTILE[0])}" in names
    if dims == 3:   # WebGL labels: the raw token (drawn literally); the hover is still escaped
        label = [t for t in spec["data"] if t.get("name", "").startswith("searched")][0]
        assert list(label["text"]) == [HOSTILE[0]] and list(label["hovertext"]) == [escape_plotly_text(HOSTILE[0])]
    values = map_figure(coords, list(HOSTILE), values=np.arange(n), value_title=TITLE)
    assert_text_only(values)
    assert values.data[0].marker.colorbar.title.text == escape_plotly_text(TITLE)


@pytest.mark.parametrize("dims", [2, 3])
def test_presenter_labels_show_the_tokens_as_typed(dims):
    coords = np.random.default_rng(1).normal(size=(len(HOSTILE), dims)).astype(np.float32)
    big = presenter_style(map_figure(coords, list(HOSTILE)))
    spec = assert_text_only(big)
    pts = spec["data"][0]
    assert pts["mode"] == "markers+text"
    if dims == 2:   # a labelled WebGL trace is drawn as SVG, whose labels decode the escapes
        assert pts["type"] == "scatter" and pts["text"] == escape_plotly_texts(HOSTILE)
    else:
        assert pts["type"] == "scatter3d" and list(pts["text"]) == list(HOSTILE)


def test_compare_bar_heatmap(hostile_set):
    toks = list(HOSTILE)
    coords = np.random.default_rng(2).normal(size=(len(toks), 2)).astype(np.float32)
    assert_text_only(compare_figure({TITLE: coords, "UMAP": coords}, toks, highlight=1, neighbor_rows=[2, 3]))
    bar = neighbor_bar(toks, np.linspace(1, 0, len(toks)), title=TITLE)
    assert list(bar.data[0].y) == escape_plotly_texts(toks)
    assert_text_only(bar)
    heat = similarity_heatmap(np.eye(len(toks)), toks)
    assert list(heat.data[0].x) == list(heat.data[0].y) == escape_plotly_texts(toks)
    assert_text_only(heat)


def test_analogy_and_axes_figures(hostile_set):
    plane = analogy_plane(hostile_set, HOSTILE[0], HOSTILE[1], HOSTILE[2], list(HOSTILE[3:]), n_context=3)
    assert_text_only(analogy_figure(plane, title=TITLE))
    pos1 = np.linspace(-1, 1, len(HOSTILE))[:, None]
    assert_text_only(axes_figure(list(HOSTILE), pos1, [f"{HOSTILE[0]} → {HOSTILE[1]}"], highlight=HOSTILE[:2]))
    pos2 = np.random.default_rng(3).normal(size=(len(HOSTILE), 2))
    fig = axes_figure(list(HOSTILE), pos2, [f"{HOSTILE[0]} → a&b", f"{TITLE} → y"])
    assert_text_only(fig)
    assert fig.layout.yaxis.title.text == f"{escape_plotly_text(TITLE)}  ←   → y"


# -- embedlab.viz.lesson_plots ---------------------------------------------------------------------------------
def test_lesson_heatmaps_lookup_and_chips():
    toks = list(HOSTILE)
    rng = np.random.default_rng(4)
    m = rng.normal(size=(len(toks), 6))
    assert_text_only(lp.pipeline_figure([(TITLE, m), ("+ pos", m)], lp.row_labels(toks)))
    assert_text_only(lp.matrix_heatmap(m[:, :len(toks)], toks, cols=toks, title=TITLE, colorbar=TITLE,
                                       xtitle=TITLE, ytitle=TITLE, annotate=True))
    assert_text_only(lp.onehot_figure(toks, np.eye(len(toks)), title=TITLE))
    assert_text_only(lp.dense_rows_figure(toks, m))
    for tok in HOSTILE:
        assert_text_only(lp.lookup_figure(tok, m[0], m[0]), tokens=(tok,))
    chips = lp.chips_figure(toks, list(range(len(toks))))
    assert_text_only(chips)
    assert_text_only(lp.position_similarity_figure(m, title=HOSTILE[1]), tokens=(HOSTILE[1],))
    assert_text_only(lp.sinusoidal_figure(m, title=HOSTILE[2]), tokens=(HOSTILE[2],))
    assert lp.sizes_figure(table_sizes(dim=8)).to_dict()       # no user text in it; must still build


def test_context_figure_sentences_and_tokens():
    rng = np.random.default_rng(5)
    sentences = tuple(f"{t} bank here" for t in HOSTILE)
    outputs = tuple(SimpleNamespace(tokens=("[CLS]", tok, "bank", "[SEP]"), output_vectors=rng.normal(size=(4, 8)))
                    for tok in HOSTILE)
    result = SimpleNamespace(word="<b>bank</b>", sentences=sentences, outputs=outputs, positions=(2,) * len(HOSTILE))
    fig = lp.context_figure(result, ["<b>bank</b>", *HOSTILE], rng.normal(size=(len(HOSTILE) + 1, 8)))
    spec = assert_text_only(fig, tokens=HOSTILE + ("<b>bank</b>",))
    legend = [t["name"] for t in spec["data"] if t.get("name", "").startswith("sentence 2")]
    assert legend == [f"sentence 2: {escape_plotly_text(sentences[1])}"]


# -- embedlab.viz.train_plots ---------------------------------------------------------------------------------
def test_training_figures():
    toks = list(HOSTILE)
    assert_text_only(rank_frequency_figure(np.arange(len(toks), 0, -1), toks, title=TITLE))
    assert_text_only(loss_figure([None, None], note=HOSTILE[2], title=HOSTILE[1]), tokens=HOSTILE[1:3])
    snaps = np.random.default_rng(6).normal(size=(3, len(toks), 5)).astype(np.float32)
    nbrs = [[[(HOSTILE[(w + 1) % len(toks)], 0.5)] for w in range(len(toks))] for _ in range(3)]
    fig = training_animation(toks, snaps, nbrs, title="<b>set</b>", k=1)
    spec = assert_text_only(fig)
    assert len(spec["frames"]) == 3
    assert all("&lt;b&gt;set&lt;/b&gt;" in f["layout"]["title"]["text"] for f in spec["frames"])
    table = [t for t in spec["frames"][1]["data"] if t["type"] == "table"][0]
    assert table["cells"]["values"][0] == escape_plotly_texts(toks)


# -- ui.text.md_text (what Streamlit's renderer really shows: tests/browser/test_hostile_tokens.py) ---------------
MD_CASES = HOSTILE + (
    "[a](javascript:alert(1))", "![i](x.png)", "$x^2$", ":red[x]", ":smile:", "x:+1:", ":material/home:",
    ":streamlit:", "# heading", "1. item", "2) item", "- item", "+ item", "> quote", "---", "===", "`code`",
    "~~s~~", "| a | b |", "back\\slash", "_u_", "https://example.com", "www.example.com", "me@example.com",
    "a -> b <- c <-> d -- e >= f <= g ~= h", "&amp;", "&#60;", "<!-- c -->", "title\n===", "a\n\n    code")


def _md_shown(md: str) -> str:
    """The text CommonMark shows for ``md`` made of backslash escapes, plain text and hard breaks."""
    out, i = [], 0
    while i < len(md):
        if md[i] == "\\" and i + 1 < len(md) and md[i + 1] in string.punctuation:
            out.append(md[i + 1])
            i += 2
        else:
            out.append(md[i])
            i += 1
    return "".join(out).replace("  \n", "\n").replace("\u2060", "")


def _unescaped(md: str, chars) -> list[int]:
    """Positions of characters of ``chars`` in ``md`` that have no backslash before them."""
    bad, i = [], 0
    while i < len(md):
        if md[i] == "\\":
            i += 2
            continue
        if md[i] in chars:
            bad.append(i)
        i += 1
    return bad


@pytest.mark.parametrize("text", MD_CASES)
def test_md_text_shows_the_text_and_leaves_no_markup_character_bare(text):
    md = md_text(text)
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    assert _md_shown(md) == "\n".join(lines)
    assert not _unescaped(md, "\\`*_[]<&|~$@"), md              # emphasis, code, links, HTML, entities, …
    for line in md.split("  \n"):                                  # no block marker starts a line
        assert not re.match(r"[#+\-=>]|\d+[.)]", line), line
        for word in line.split():
            if re.search(r":\S|www|@", _md_shown(word)):             # shortcodes, directives, autolinks
                assert not _unescaped(word, string.punctuation), word


def test_md_text_keeps_ordinary_text_and_breaks_streamlit_text_rewrites():
    plain = "broken.txt: line 3 (of 10); value 'x' is bad? 50% = half, a-b/c!"
    assert md_text(plain) == plain
    assert md_text("king") == "king" and md_text(42) == "42"
    assert md_text(ValueError("<b>x</b> not found")) == md_text("<b>x</b> not found") == "\\<b>x\\</b> not found"
    # rewritten by Streamlit after escapes are resolved: a word joiner goes inside
    assert md_text("a -> b") == "a -\u2060> b" and md_text("a->b") == "a->b"
    assert ":\u2060" in md_text(":streamlit:") and "@\u2060" in md_text("me@example.com")
    assert "https\\:\u2060" in md_text("see https://example.com") and "www\u2060" in md_text("www.example.com")
    # lines become hard breaks: no blank line (ends a paragraph) and no indented code block
    assert md_text("a\n\n    b\r\nc") == "a  \nb  \nc"
    assert md_text("# x\n- y\n3. z") == "\\# x  \n\\- y  \n3\\. z"


def test_file_stem_keeps_names_inside_the_download_folder():
    from ui.text import file_stem

    assert file_stem("../../etc/passwd") == "etc_passwd"
    assert file_stem("C:\\Windows\\win.ini") == "C_Windows_win.ini"
    assert file_stem("<b>set</b>\x00\n") == "b_set_b"
    assert file_stem("...") == file_stem("") == "embedlab"
    assert file_stem("minilm-words") == "minilm-words"
    assert len(file_stem("x" * 500)) == 80
