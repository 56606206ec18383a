"""AppTest: the four lesson pages (one-hot vs dense, token pipeline, context, documents)."""
from __future__ import annotations

import pytest

from tests.app.helpers import open_page


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def frame(at, column: str):
    """The one st.dataframe on the page that has ``column`` (AppTest does not expose element keys)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"expected one table with a column {column!r}, found {len(found)}"
    return found[0]


# -- one-hot vs dense --------------------------------------------------------------------------------------
def test_onehot_page_defaults_show_both_codings_and_sizes(words):
    at = open_page("app_pages/5_One_hot_vs_dense.py")
    md = texts(at.markdown)
    assert "every pair scores **0**" in md
    assert f"{len(words):,} entries" in md                       # one-hot length for the default set
    sizes = frame(at, "one-hot bytes")
    assert list(sizes["vocabulary V"]) == ["30,522", "50,000", "250,000"]
    assert list(sizes["one-hot bytes"]) == ["3.7 GB", "10.0 GB", "250.0 GB"]
    assert at.success[0].value.startswith("Equal in all 384 dimensions")
    assert len(at.get("plotly_chart")) == 6


def test_onehot_page_new_words_lookup_and_url():
    at = open_page("app_pages/5_One_hot_vs_dense.py")
    at.text_input(key="oh_words").input("king, queen, apple").run()
    assert not at.exception
    assert at.query_params["words"] == "king, queen, apple"
    at.selectbox(key="oh_lookup").select("queen").run()
    assert "*queen* is row" in texts(at.markdown)
    table = frame(at, "dimension")
    assert (table.iloc[:, 1] == table.iloc[:, 2]).all()
    assert "king – queen" in texts(at.markdown)           # the most similar pair is named


def test_onehot_page_unknown_word_is_dropped_with_a_warning_not_a_crash():
    at = open_page("app_pages/5_One_hot_vs_dense.py", words="cat dgo")
    assert "dgo" in at.warning[0].value and "did you mean" in at.warning[0].value
    assert "left out" in at.warning[0].value
    assert "at least two different tokens" in at.error[0].value     # only "cat" is left
    assert not at.get("plotly_chart")


def test_onehot_page_reads_capitalised_words_and_says_so():
    at = open_page("app_pages/5_One_hot_vs_dense.py", words="Banana Apple cat zzqx")
    assert not at.exception and at.get("plotly_chart")
    assert "Matched ignoring case: Banana → banana, Apple → apple." in texts(at.caption)
    assert "zzqx" in at.warning[0].value


# -- token pipeline ----------------------------------------------------------------------------------------
def test_token_pipeline_shows_pieces_ids_and_shape():
    at = open_page("app_pages/6_Token_pipeline.py", text="Tokenization rocks")
    md = texts(at.markdown)
    assert "**5** tokens" in md and "**1** of them are sub-word pieces" in md
    assert "**30,522 × 384**" in md
    table = frame(at, "kind")
    assert list(table["token"]) == ["[CLS]", "token", "##ization", "rocks", "[SEP]"]
    assert list(table["id"])[0] == 101
    assert len(at.get("plotly_chart")) == 5
    assert not at.warning


def test_token_pipeline_long_text_is_cut_with_a_note():
    at = open_page("app_pages/6_Token_pipeline.py")
    at.text_input(key="tp_text").input("word " * 600).run()
    assert not at.exception
    assert "cut to the first 512" in at.warning[0].value and "602 tokens" in at.warning[0].value
    assert "Only the first 96 chips" in texts(at.markdown)
    assert "Only the first 64 of the 512 token rows are drawn." in texts(at.caption)


def test_token_pipeline_position_slider_round_trips_through_the_url():
    at = open_page("app_pages/6_Token_pipeline.py", positions="64")
    assert at.slider(key="tp_n").value == 64
    at.slider(key="tp_n").set_value(256).run()
    assert at.query_params["positions"] == "256" and not at.exception


# -- context -----------------------------------------------------------------------------------------------
def test_context_page_bank_identical_inputs_different_outputs():
    at = open_page("app_pages/7_Context.py")
    info = at.info[0].value
    assert "same row of E in all 4 sentences — identical" in info
    assert "cosine between sentences from" in info
    assert len(at.get("plotly_chart")) == 4              # map, two heatmaps, sentence similarity


def test_context_page_word_missing_from_a_sentence_is_reported():
    at = open_page("app_pages/7_Context.py")
    at.text_input(key="ctx_word").input("light").run()
    assert "does not contain the token 'light'" in at.error[0].value
    at.text_area(key="ctx_sents").input("Turn on the light.\nThe bag is light.").run()
    assert not at.error and not at.exception
    assert "in all 2 sentences" in at.info[0].value


def test_context_page_sentence_similarity_needs_two_sentences():
    at = open_page("app_pages/7_Context.py")
    at.text_area(key="ctx_cmp").input("only one").run()
    assert "at least two sentences" in at.info[-1].value
    assert not at.exception


# -- documents ---------------------------------------------------------------------------------------------
@pytest.fixture
def encoded_docs():
    """The sample encoded, in a session of its own for each test (a module-wide session made each
    test depend on what the one before it had typed)."""
    at = open_page("app_pages/8_Documents.py")
    assert "14 documents read as lines" in texts(at.caption)
    at.button(key="docs_encode").click().run()
    assert not at.exception, at.exception
    return at


def test_documents_encode_then_search_and_map(encoded_docs):
    at = encoded_docs
    hits = frame(at, "document")
    assert "telescope" in hits["document"].iloc[0] or "comet" in hits["document"].iloc[0]
    assert len(hits) == 5
    assert "documents" in at.session_state["user_sets"]
    assert at.session_state["current_set"] == "documents"     # selectable (and selected) like any set
    assert len(at.get("plotly_chart")) == 1


def test_documents_query_changes_results_and_url(encoded_docs):
    at = encoded_docs
    at.text_input(key="docs_q").input("my laptop will not connect to wifi").run()
    assert not at.exception
    hits = frame(at, "document")
    assert "router" in hits["document"].iloc[0]
    assert at.query_params["q"] == "my laptop will not connect to wifi"
    at.text_input(key="docs_q").input("   ").run()
    assert not at.exception


def test_documents_csv_upload_with_column_choice():
    at = open_page("app_pages/8_Documents.py")
    at.radio(key="docs_source").set_value("Upload a .txt or .csv file").run()
    csv = b"id,title,body\n1,Pasta,Boil the pasta in salted water\n2,Football,The referee blew the final whistle\n"
    at.file_uploader(key="docs_upload").set_value(("notes.csv", csv, "text/csv")).run()
    assert "2 documents read as csv from column 'body'" in texts(at.caption)
    at.selectbox(key="docs_column").select("title").run()
    assert "from column 'title'" in texts(at.caption)
    assert not at.exception


def test_documents_bad_upload_shows_an_error():
    at = open_page("app_pages/8_Documents.py")
    at.radio(key="docs_source").set_value("Upload a .txt or .csv file").run()
    at.file_uploader(key="docs_upload").set_value(("blob.txt", b"\x00\x01\x02binary", "text/plain")).run()
    assert "binary file" in at.error[0].value
    assert not at.exception


def test_documents_longer_than_512_tokens_get_a_visible_note():
    at = open_page("app_pages/8_Documents.py")
    at.text_area(key="docs_text").input("short document one\n" + "long " * 600 + "\nshort document two").run()
    at.button(key="docs_encode").click().run()
    assert not at.exception
    assert "1 document(s) had more than 512 tokens" in at.warning[0].value
