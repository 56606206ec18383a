"""AppTest: the Knowledge graphs page (TransE on triples from gensim's test data)."""
from tests.app.helpers import open_page, plotly_array, plotly_specs

PAGE = "app_pages/13_Knowledge_graphs.py"


def _page(**query):
    return open_page(PAGE, timeout=120, **query)


def _results(at):
    table = at.dataframe[1].value
    # keys: ("fixed" | "TransE", "both" (entities seen in training) | "an" (an entity never seen))
    return {(r["model"].split()[0], r["test triples"].split()[0]): r for _, r in table.iterrows()}


def test_both_modes_trained_and_word_vectors_place_unseen_entities():
    at = _page()
    assert len(at.dataframe[0].value) == 8                  # one example triple per relation (8 shown)
    loss, lp, arrows = plotly_specs(at)
    assert [t["name"] for t in loss["data"]] == ["fixed word vectors + learned relations", "TransE from scratch"]
    scratch_loss = plotly_array(loss["data"][1]["y"])
    assert len(scratch_loss) == 100 and scratch_loss[-1] < scratch_loss[0]
    res = _results(at)
    words, scratch = res[("fixed", "an")], res[("TransE", "an")]
    assert words["hits@10"] >= 0.9 and words["hits@1"] >= 0.7                  # measured 1.0 and 0.92
    assert scratch["hits@10"] < 0.15 and words["hits@10"] > scratch["hits@10"] + 0.6
    assert scratch["chance hits@10"] < 0.05
    chance = [t for t in lp["data"] if t["name"] == "chance"][0]
    assert abs(float(plotly_array(chance["y"])[0]) - scratch["chance hits@10"]) < 0.001
    assert "cannot place it" in at.info[0].value


def test_ask_the_graph_and_the_relation_as_a_translation():
    at = _page()
    assert at.radio(key="kg_mode").value == "words"
    tails = at.dataframe[2].value
    assert (at.selectbox(key="kg_head").value, at.selectbox(key="kg_rel").value) == ("paris", "capital-of")
    assert tails["tail"].iloc[0] == "france"
    with_rel, between, other = (float(m.value) for m in at.metric)    # measured 0.47, 0.22, -0.00
    assert with_rel > 0.3 and between > 0.15 and abs(other) < 0.1 and between > other + 0.1
    arrows = plotly_specs(at)[2]
    assert len(arrows["layout"]["annotations"]) == 13         # 12 pairs + the learned relation vector
    assert "learned vector of capital-of" in [t["name"] for t in arrows["data"]]
    link = at.get("page_link")[0].proto
    assert link.page == "Analogies" and "b − a + c" in link.label
    at.selectbox(key="kg_head").set_value("boy").run()
    at.selectbox(key="kg_rel").set_value("feminine-of").run()
    assert not at.exception and at.dataframe[2].value["tail"].iloc[0] == "girl"
    assert at.query_params["head"] == "boy" and at.query_params["rel"] == "feminine-of"
    at.radio(key="kg_mode").set_value("scratch").run()
    assert not at.exception and at.query_params["mode"] == "scratch"


def test_training_form_hypernyms_and_no_relation():
    at = _page()
    at.slider(key="kg_epochs").set_value(40)
    at.button[0].click().run()                              # the form's "Train"
    assert not at.exception and at.query_params["epochs"] == "40"
    assert len(plotly_array(plotly_specs(at)[0]["data"][0]["y"])) == 40
    at.selectbox(key="kg_source").set_value("hypernyms").run()
    assert not at.exception
    assert any("too few for the word-vector model" in c.value for c in at.caption)
    assert {k[0] for k in _results(at)} == {"TransE"}                 # from scratch only
    assert at.radio(key="kg_mode").value == "scratch" and at.metric[2].value == "—"
    at.selectbox(key="kg_source").set_value("analogy").run()
    at.multiselect(key="kg_relations").set_value([]).run()
    assert not at.exception and "at least one relation" in at.info[0].value


def test_url_restores_relations_model_and_question():
    at = _page(relations="capital-of,currency-of", mode="scratch", head="yen", rel="currency-of", dim="32",
               seed="3")
    assert at.multiselect(key="kg_relations").value == ["capital-of", "currency-of"]
    assert (at.radio(key="kg_mode").value, at.selectbox(key="kg_head").value,
            at.selectbox(key="kg_rel").value) == ("scratch", "yen", "currency-of")
    assert (at.select_slider(key="kg_dim").value, at.number_input(key="kg_seed").value) == (32, 3)
    assert set(at.dataframe[0].value["relation"]) == {"capital-of", "currency-of"}
    at = _page(relations="capital-of,bogus", head="nowhere")
    assert len(at.multiselect(key="kg_relations").value) == 13 and at.selectbox(key="kg_head").value == "paris"
