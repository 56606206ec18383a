"""The numpy MiniLM encoder: reference values, padding invariance, edge cases."""
from __future__ import annotations

import numpy as np
import pytest

import embedlab
from embedlab import InvalidParameterError
from embedlab import encoder as tr

REFERENCE = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]


@pytest.fixture(scope="module")
def reference_vectors():
    return embedlab.encode_sentences(REFERENCE)


def test_reproduces_the_published_sentence_transformers_example(reference_vectors):
    sims = reference_vectors @ reference_vectors.T
    assert sims[0, 1] == pytest.approx(0.6660, abs=1e-3)
    assert sims[0, 2] == pytest.approx(0.1046, abs=1e-3)
    assert sims[1, 2] == pytest.approx(0.1411, abs=1e-3)


def test_sentence_vectors_are_unit_float32_rows(reference_vectors):
    assert reference_vectors.shape == (3, 384)
    assert reference_vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(reference_vectors, axis=1), 1.0, atol=1e-5)


def test_a_sentence_alone_equals_the_same_sentence_batched_beside_longer_ones(reference_vectors):
    long = "a much longer sentence, " * 20
    batch = embedlab.encode_sentences([long, REFERENCE[1], "x", REFERENCE[0]], batch_size=4)
    alone = embedlab.encode_sentences([REFERENCE[1]])
    np.testing.assert_allclose(batch[1], alone[0], atol=1e-5)
    np.testing.assert_allclose(batch[3], reference_vectors[0], atol=1e-5)


def test_order_is_restored_whatever_the_batch_size(reference_vectors):
    texts = REFERENCE[::-1] + ["short", "a somewhat longer text than the others here"]
    small = embedlab.encode_sentences(texts, batch_size=2)
    big = embedlab.encode_sentences(texts, batch_size=32)
    np.testing.assert_allclose(small, big, atol=1e-5)
    np.testing.assert_allclose(small[:3], reference_vectors[::-1], atol=1e-5)


def test_progress_is_reported_per_batch():
    calls = []
    embedlab.encode_sentences(["a", "b c", "d e f", "g"], batch_size=3, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(3, 4), (4, 4)]


def test_empty_text_is_cls_sep_only_and_encodes_to_a_unit_vector():
    tok = tr.tokenize("")
    assert tok.tokens == ("[CLS]", "[SEP]") and tok.ids == (101, 102) and not tok.truncated
    v = embedlab.encode_sentences([""])
    assert v.shape == (1, 384) and np.isfinite(v).all()
    assert np.linalg.norm(v[0]) == pytest.approx(1.0, abs=1e-5)


def test_empty_list_gives_an_empty_matrix():
    assert embedlab.encode_sentences([]).shape == (0, 384)


def test_long_text_is_cut_to_512_tokens_and_says_so():
    text = "word " * 700
    tok = tr.tokenize(text)
    assert len(tok) == tr.MAX_TOKENS and tok.truncated
    assert tok.n_tokens_before_truncation == 702
    assert tok.tokens[0] == "[CLS]" and tok.tokens[-1] == "[SEP]"
    out = tr.encode_tokens(text)
    assert out.truncated and out.output_vectors.shape == (512, 384)
    assert np.isfinite(embedlab.encode_sentences([text])).all()
    assert not tr.tokenize("word " * 100).truncated


def test_tokenizer_padding_is_off_and_subwords_are_marked():
    tok = tr.tokenize("Tokenization rocks")
    assert tok.tokens == ("[CLS]", "token", "##ization", "rocks", "[SEP]")
    assert tok.is_subword == (False, False, True, False, False)
    vocab = embedlab.io.sources.vocabulary()
    assert [vocab[i] for i in tok.ids] == list(tok.tokens)


def test_same_word_same_input_row_but_context_changes_the_output():
    a = tr.encode_tokens("We sat on the bank of the river.")
    b = tr.encode_tokens("She paid the money into her bank account.")
    i, j = a.positions_of("bank")[0], b.positions_of("bank")[0]
    np.testing.assert_array_equal(a.input_vectors[i], b.input_vectors[j])
    cos = a.output_vectors[i] @ b.output_vectors[j] / (
        np.linalg.norm(a.output_vectors[i]) * np.linalg.norm(b.output_vectors[j]))
    assert cos < 0.9
    # the output of a single text, mean-pooled, is its sentence vector
    pooled = a.output_vectors.mean(axis=0)
    np.testing.assert_allclose(pooled / np.linalg.norm(pooled),
                               embedlab.encode_sentences(["We sat on the bank of the river."])[0], atol=1e-5)


def test_input_stages_add_up_and_normed_is_layernorm():
    s = tr.input_stages("the cat sat")
    w = tr.load_weights()
    np.testing.assert_array_equal(s.word, w.word[list(s.tokenization.ids)])
    np.testing.assert_array_equal(s.position, w.position[:len(s.tokens)])
    np.testing.assert_allclose(s.summed, s.word + s.position + w.token_type[0], atol=1e-6)
    centred = (s.normed - w.emb_ln_b) / w.emb_ln_g
    np.testing.assert_allclose(centred.mean(axis=1), 0.0, atol=1e-4)
    np.testing.assert_allclose(centred.std(axis=1), 1.0, atol=1e-3)


def test_gelu_is_the_exact_erf_form():
    x = np.array([-3.0, -0.5, 0.0, 0.5, 3.0], dtype=np.float32)
    from math import erf, sqrt
    expected = [v * 0.5 * (1 + erf(v / sqrt(2))) for v in x.tolist()]
    np.testing.assert_allclose(tr.gelu(x), expected, rtol=1e-6, atol=1e-6)
    # the compiled float32 path agrees with scipy's float64 erf over the whole useful range
    tr.warm_up(wait=True)
    assert tr.model._kernel_ready.is_set()
    grid = np.linspace(-8, 8, 20001, dtype=np.float32)
    np.testing.assert_allclose(tr.gelu(grid), tr.gelu(grid.astype(np.float64)), atol=2e-6)
    # the tanh approximation differs by more than this at -0.5..3: it is not what we use
    tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    assert np.abs(tr.gelu(x) - tanh_form).max() > 1e-5


def test_sinusoidal_encoding_values_and_validation():
    pe = tr.sinusoidal_encoding(50, 16)
    assert pe.shape == (50, 16) and pe.dtype == np.float32
    assert pe[3, 0] == pytest.approx(np.sin(3.0), abs=1e-6)
    assert pe[3, 1] == pytest.approx(np.cos(3.0), abs=1e-6)
    assert pe[7, 2] == pytest.approx(np.sin(7 / 10000 ** (2 / 16)), abs=1e-6)
    with pytest.raises(InvalidParameterError, match="dim=7 is not allowed; must be a positive even number"):
        tr.sinusoidal_encoding(5, 7)
    with pytest.raises(InvalidParameterError, match="n_positions=0 is not allowed; must be a whole number >= 1"):
        tr.sinusoidal_encoding(0, 8)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(InvalidParameterError, match="single string"):
        embedlab.encode_sentences("just one sentence")
    with pytest.raises(InvalidParameterError, match=r"texts\[1\] is int"):
        embedlab.encode_sentences(["ok", 3])
    with pytest.raises(InvalidParameterError, match="batch_size=0 is not allowed; must be a whole number >= 1"):
        embedlab.encode_sentences(["ok"], batch_size=0)


def test_weights_are_loaded_once_and_read_only():
    w = tr.load_weights()
    assert tr.load_weights() is w
    assert w.word.shape == (30522, 384) and w.eps == 1e-12 and len(w.layers) == 6
    with pytest.raises(ValueError):
        w.word[0, 0] = 1.0


BANK = ["We sat on the bank of the river.", "I opened an account at the bank.",
        "The hospital blood bank needs donors."]


def test_word_in_contexts_same_input_row_different_outputs():
    r = tr.word_in_contexts("Bank", BANK)
    assert r.word == "bank" and r.token_id == embedlab.io.sources.vocabulary().index("bank")
    assert r.inputs_identical
    assert [o.tokens[p] for o, p in zip(r.outputs, r.positions)] == ["bank"] * 3
    off_diag = r.output_cosine[~np.eye(3, dtype=bool)]
    assert (off_diag < 0.95).all() and (off_diag > 0.3).all()
    np.testing.assert_allclose(np.diag(r.output_cosine), 1.0, atol=1e-5)


def test_word_in_contexts_rejects_bad_input():
    with pytest.raises(InvalidParameterError, match="not a single token: the tokenizer splits it into em ##bed"):
        tr.word_in_contexts("embedding", BANK)
    with pytest.raises(InvalidParameterError, match="does not contain the token 'bank'"):
        tr.word_in_contexts("bank", BANK[:2] + ["Banks are closed on Sunday."])
    with pytest.raises(InvalidParameterError, match="at least two sentences"):
        tr.word_in_contexts("bank", BANK[:1] + ["  "])
    with pytest.raises(InvalidParameterError, match="type a word"):
        tr.word_in_contexts(" ", BANK)


def test_parameters_are_never_truncated_or_taken_from_bools():
    with pytest.raises(InvalidParameterError, match=r"n_positions=2\.9 is not allowed; must be a whole number >= 1"):
        tr.sinusoidal_encoding(2.9, 4)
    with pytest.raises(InvalidParameterError, match="dim=True is not allowed"):
        tr.sinusoidal_encoding(2, True)
    with pytest.raises(InvalidParameterError, match=r"batch_size=1\.5 is not allowed"):
        embedlab.encode_sentences(["a"], batch_size=1.5)


def test_token_ids_batch_gives_tokenize_batchs_ids_and_cut_count():
    texts = ["The cat sat.", "", "word " * 600, "Embeddings!"]
    ids, n_cut = tr.tokenizer.token_ids_batch(texts)
    toks = tr.tokenize_batch(texts)
    assert ids == [list(t.ids) for t in toks]
    assert n_cut == 1 == sum(t.truncated for t in toks) and len(ids[2]) == tr.tokenizer.MAX_TOKENS
    assert tr.tokenizer.token_ids_batch([]) == ([], 0)
