"""AppTest: issue 12 items 5, 6, 8, 9 (links naming an absent set, pages using MiniLM's own model,
the Documents map's query point and cut-off, the Train page's corpus checks)."""
from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

import embedlab
from tests.app.helpers import APP, open_deep_link, open_page


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# -- item 5: a link naming a set this server does not have -------------------------------------------------
def test_map_link_to_an_absent_set_says_so_and_names_the_fallback():
    at = open_deep_link("app_pages/1_Map.py", set="toy-word2vec-50d", q="king")
    warning = texts(at.warning)
    assert "toy-word2vec-50d" in warning and "does not have" in warning
    assert "minilm-words" in warning                      # what is used instead
    assert at.session_state["current_set"] == "minilm-words"


def test_documents_link_to_an_absent_set_says_so():
    at = open_page("app_pages/8_Documents.py", set="documents: my notes")
    assert "documents: my notes" in texts(at.warning)


def test_a_link_to_a_set_that_is_here_gives_no_warning():
    at = open_deep_link("app_pages/1_Map.py", set="minilm-tokens")
    assert "does not have" not in texts(at.warning)


# -- item 6: Token pipeline and Context say they use MiniLM's own model ------------------------------------
def _with_user_set(page: str) -> AppTest:
    es = embedlab.EmbeddingSet(["cat", "dog", "car"], np.eye(3, dtype=np.float32), name="my-vectors")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user_sets"] = {"my-vectors": es}
    at.session_state["current_set"] = "my-vectors"
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_token_pipeline_says_it_uses_minilm_when_another_set_is_picked():
    info = texts(_with_user_set("app_pages/6_Token_pipeline.py").info)
    assert "all-MiniLM-L6-v2" in info and "my-vectors" in info


def test_context_says_it_uses_minilm_when_another_set_is_picked():
    info = texts(_with_user_set("app_pages/7_Context.py").info)
    assert "all-MiniLM-L6-v2" in info and "my-vectors" in info


def test_token_pipeline_with_the_minilm_set_has_no_note():
    at = open_page("app_pages/6_Token_pipeline.py")
    assert "not the sidebar's set" not in texts(at.info)


# -- item 8: Documents: the question is a point, results are the hits, a cut-off ---------------------------
def test_documents_map_places_the_question_and_greys_results_below_the_cutoff():
    from tests.app.helpers import plotly_specs

    at = open_page("app_pages/8_Documents.py")
    at.button(key="docs_encode").click().run()
    assert not at.exception, at.exception
    at.slider(key="docs_k").set_value(8).run()
    names = [t.get("name") or "" for t in plotly_specs(at)[0]["data"]]
    assert "your question" in names
    assert not any(n.startswith("searched") for n in names)            # no "searched: <top hit>"
    assert not any(t.get("mode") == "lines" for t in plotly_specs(at)[0]["data"])
    hit = [n for n in names if n.startswith("result, cosine ≥ 0.25")]
    weak = [n for n in names if n.startswith("result, cosine below 0.25")]
    assert hit and weak                                                 # 8 results: not all about the sky
    table = [d.value for d in at.dataframe if "match" in d.value.columns][0]
    assert (table["similarity"] < 0.25).sum() == int(weak[0].split("(")[1].rstrip(")"))
    assert list(table["match"]) == ["no" if s < 0.25 else "yes" for s in table["similarity"]]
    assert "reach the cut-off" in texts(at.caption)


def test_documents_query_position_is_the_pca_projection():
    from embedlab.core.linalg import pca_plane
    from embedlab.encoder import documents as ed

    rng = np.random.default_rng(0)
    es = embedlab.EmbeddingSet([f"d{i}" for i in range(20)], rng.normal(size=(20, 8)).astype(np.float32))
    coords = pca_plane(es.vectors, 2).transform(es.vectors)
    q = es.vectors[3]
    assert np.allclose(ed.query_position(es, coords, q, method="pca"), coords[3], atol=1e-4)
    assert np.allclose(ed.query_position(es, coords, q, method="umap", near=1), coords[3])
    hits = ed.search_vector(es, q, k=5)
    assert ed.relevant(hits, 0.99)[0].index == 3 and len(ed.relevant(hits, 0.99)) == 1


# -- item 9: Train ---------------------------------------------------------------------------------------
TRAIN = "FormSubmitter:tr_form-Train"


def _train_page(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("EMBEDLAB_TRAIN_SYNC", "1")
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_DIR", str(tmp_path / "ws"))
    return open_page("app_pages/9_Train.py")


def test_train_button_is_disabled_with_the_reason_for_a_tiny_paste(monkeypatch, tmp_path):
    at = _train_page(monkeypatch, tmp_path)
    assert not at.button(key=TRAIN).disabled
    at.radio(key="tr_source").set_value("paste").run()
    at.text_area(key="tr_paste").input(" ".join(["word"] * 38)).run()
    assert at.button(key=TRAIN).disabled
    assert any("only 38 tokens" in e.value and "at least 50" in e.value for e in at.error)


def test_a_failed_run_shows_its_error_and_marks_the_result_as_the_previous_one(monkeypatch, tmp_path):
    at = _train_page(monkeypatch, tmp_path)
    at.slider(key="tr_epochs").set_value(2)
    at.slider(key="tr_dim").set_value(16)
    at = at.button(key=TRAIN).click().run()
    assert any(h.value == "3 · Result" for h in at.header)
    at.session_state["tr_error"] = "the worker died"
    at.run()
    assert any("Training failed: the worker died" in e.value for e in at.error)
    assert any(h.value == "3 · Previous result" for h in at.header)
    assert any("earlier run" in i.value for i in at.info)


def test_poor_vectors_hint_when_every_cosine_is_high():
    from embedlab.train.training import poor_vectors_hint

    rng = np.random.default_rng(1)
    alike = np.ones((200, 20), np.float32) + 0.05 * rng.normal(size=(200, 20)).astype(np.float32)
    hint = poor_vectors_hint(embedlab.EmbeddingSet([f"w{i}" for i in range(200)], alike), n_tokens=60_000)
    assert hint is not None and "60,000" in hint and "more text" in hint
    spread = rng.normal(size=(200, 20)).astype(np.float32)
    assert poor_vectors_hint(embedlab.EmbeddingSet([f"w{i}" for i in range(200)], spread), n_tokens=60_000) is None


def test_zipf_ticks_are_powers_of_ten_only():
    from embedlab.viz.train_plots import rank_frequency_figure

    counts = np.sort(np.random.default_rng(0).zipf(1.5, 5000))[::-1]
    fig = rank_frequency_figure(counts)
    assert list(fig.layout.xaxis.tickvals) == [1, 10, 100, 1000, 10000]
    assert list(fig.layout.xaxis.ticktext) == ["1", "10", "100", "1,000", "10k"]
