"""Benchmarks: agreement with gensim's evaluate_word_analogies / evaluate_word_pairs, file errors."""
from __future__ import annotations

import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.core.errors import EmbedLabError, EvaluationDataError
from embedlab.space.evaluation import evaluate_analogies, evaluate_word_pairs
from embedlab.io.gensim_data import analogy_sections, default_analogy_file, default_pair_files, gensim_test_data_dir

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")


def to_kv(es):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(es.dim)
    kv.add_vectors(list(es.tokens), np.array(es.vectors))
    return kv


@pytest.fixture(scope="module")
def kv(words):
    return to_kv(words)


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory):
    """Every 40th Google question per section, plus an OOV question and an all-OOV section."""
    lines = []
    for name, qs in analogy_sections().items():
        lines.append(f": {name}")
        lines += [" ".join(q) for q in qs[::40]]
    lines[1:1] = ["Athens Greece Zzyzxville Iraq"]
    lines += [": made-up", "foo barbazq quux Quuxes", "", "Frobnic Blorp Snarf Grault"]
    path = tmp_path_factory.mktemp("eval") / "sample-questions.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def gensim_sections(kv, path, **kw):
    score, secs = kv.evaluate_word_analogies(str(path), **kw)
    return score, {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in secs}


def check_same(res, score, ref):
    assert res.accuracy == pytest.approx(score, abs=1e-12)
    total_c, total_n = ref.pop("Total accuracy")
    assert (res.correct, res.total) == (total_c, total_n)
    assert {k: (s.correct, s.total) for k, s in res.sections.items()} == ref


# -- data files --------------------------------------------------------------------------------------------
def test_gensim_data_files_are_found():
    d = gensim_test_data_dir()
    assert d.name == "test_data" and d.parent.parent.name == "gensim"
    assert default_analogy_file().is_file()
    assert [p.name for p in default_pair_files()] == ["wordsim353.tsv", "simlex999.txt"]


def test_analogy_sections_of_the_google_set():
    secs = analogy_sections()
    assert len(secs) == 14 and sum(map(len, secs.values())) == 19544
    names = list(secs)
    assert names[0] == "capital-common-countries" and names[-1] == "gram9-plural-verbs"
    for fam in ("family", "gram1-adjective-to-adverb", "gram3-comparative", "gram7-past-tense", "gram8-plural"):
        assert fam in secs
    assert secs["capital-common-countries"][0] == ("Athens", "Greece", "Baghdad", "Iraq")


# -- analogies vs gensim ---------------------------------------------------------------------------------------
def test_analogies_agree_with_gensim(words, kv, sample_file):
    res = evaluate_analogies(words, sample_file)
    score, ref = gensim_sections(kv, sample_file)
    check_same(res, score, ref)
    # questions with an unknown word are skipped, not scored (gensim only logs their count)
    vocab = {t.upper() for t in words.tokens}
    qs = [q for sec in analogy_sections(sample_file).values() for q in sec]
    assert res.skipped == sum(any(w.upper() not in vocab for w in q) for q in qs)
    assert res.skipped + res.total == len(qs)
    assert res.sections["made-up"] == type(res.sections["made-up"])(0, 0, 0.0, 2)
    assert res.sections["capital-common-countries"].skipped >= 1
    assert res.method == "3cosadd" and res.path == str(sample_file)


def test_analogies_agree_with_gensim_restricted_vocab(words, kv, sample_file):
    res = evaluate_analogies(words, sample_file, restrict_vocab=4000)
    score, ref = gensim_sections(kv, sample_file, restrict_vocab=4000)
    check_same(res, score, ref)
    assert res.skipped > evaluate_analogies(words, sample_file).skipped


def test_case_rules_agree_with_gensim(tmp_path):
    """Case variants: the first row of a variant wins, and variants of question words are skipped
    among gensim's five best answers."""
    rng = np.random.default_rng(0)
    n, d = 40, 8
    x = rng.normal(size=(n, d))
    y = x + rng.normal(size=d) + 0.1 * rng.normal(size=(n, d))  # y_i - x_i is roughly one offset
    toks = [f"x{i}" for i in range(n)] + [f"y{i}" for i in range(n)]
    vecs = list(x) + list(y)
    for i in range(0, n, 2):  # upper-case near-copies of x_i: close to the inputs of many questions
        toks.append(f"X{i}")
        vecs.append(x[i] + 0.05 * rng.normal(size=d))
    for i in range(1, n, 5):  # a variant that comes *before* its lower-case form
        toks.insert(0, f"Y{i}")
        vecs.insert(0, rng.normal(size=d))
    es = EmbeddingSet(toks, np.array(vecs))
    pairs = rng.integers(0, n, size=(120, 2))
    lines = [f"x{i} y{i} {'X' if k % 3 == 0 else 'x'}{j} {'Y' if k % 4 == 0 else 'y'}{j}"
             for k, (i, j) in enumerate(pairs) if i != j]
    path = tmp_path / "q.txt"
    path.write_text(": one\n" + "\n".join(lines[:50]) + "\n: two\n" + "\n".join(lines[50:]) + "\n")
    kv = to_kv(es)
    for ci in (True, False):
        res = evaluate_analogies(es, path, case_insensitive=ci)
        score, ref = gensim_sections(kv, path, case_insensitive=ci)
        check_same(res, score, ref)
        assert 0 < res.correct < res.total


def test_case_variant_of_a_question_word_is_passed_over(tmp_path):
    # KING lies right on king - man + woman, closer than queen
    es = EmbeddingSet(["man", "king", "woman", "KING", "queen"],
                      [[0, 1, 0], [1, 1, 0], [0, -1, 0], [0.7, -1.3, 0], [1, -1, 0]])
    path = tmp_path / "q.txt"
    path.write_text(": royals\nman king woman queen\n")
    kv = to_kv(es)
    assert evaluate_analogies(es, path).correct == 1  # KING is "king": not an answer
    assert evaluate_analogies(es, path, case_insensitive=False).correct == 0  # KING is a fine answer
    for ci in (True, False):
        assert kv.evaluate_word_analogies(str(path), case_insensitive=ci)[0] == \
            evaluate_analogies(es, path, case_insensitive=ci).accuracy


def test_3cosmul_follows_the_same_rules(words, kv, sample_file):
    res = evaluate_analogies(words, sample_file, method="3cosmul")
    correct = total = 0
    vocab = {t.upper(): t for t in reversed(words.tokens)}
    for qs in analogy_sections(sample_file).values():
        for q in qs:
            up = [w.upper() for w in q]
            if any(w not in vocab for w in up):
                continue
            a, b, c, _ = (vocab[w] for w in up)
            sims = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
            pred = next((t.upper() for t, _ in sims if t.upper() not in up[:3]), sims[-1][0].upper())
            correct += pred == up[3]
            total += 1
    assert (res.correct, res.total) == (correct, total)
    assert res.accuracy != evaluate_analogies(words, sample_file).accuracy


# -- word pairs vs gensim ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
def test_word_pairs_agree_with_gensim(words, kv, name):
    path = gensim_test_data_dir() / name
    res = evaluate_word_pairs(words, path)
    pearson, spearman, oov_percent = kv.evaluate_word_pairs(str(path))
    assert res.spearman == pytest.approx(spearman[0], abs=1e-6)
    assert res.pearson == pytest.approx(pearson[0], abs=1e-6)
    assert res.oov_percent == pytest.approx(oov_percent, abs=1e-9)
    lines = [ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")]
    assert res.pairs_used + res.pairs_skipped == len(lines)
    assert res.pairs_skipped > 0


def test_word_pairs_restricted_and_case_sensitive_agree_with_gensim(words, kv, tmp_path):
    path = tmp_path / "pairs.tsv"
    src = (gensim_test_data_dir() / "wordsim353.tsv").read_text().splitlines()[2:]
    path.write_text("\n".join(ln.capitalize() if i % 3 == 0 else ln for i, ln in enumerate(src)) + "\n")
    for kw in ({"restrict_vocab": 3000}, {"case_insensitive": False}):
        res = evaluate_word_pairs(words, path, **kw)
        pearson, spearman, oov_percent = kv.evaluate_word_pairs(str(path), **kw)
        assert res.spearman == pytest.approx(spearman[0], abs=1e-6)
        assert res.pearson == pytest.approx(pearson[0], abs=1e-6)
        assert res.oov_percent == pytest.approx(oov_percent, abs=1e-9)


def test_word_pairs_exact_on_hand_built_vectors(tmp_path):
    es = EmbeddingSet(["a", "b", "c", "d"], [[1, 0], [1, 0], [0, 1], [1, 1]])
    path = tmp_path / "p.txt"
    path.write_text("# comment\nword1 word2 score\na b 10\na d 7\na c 0\nb zz 5\n")
    res = evaluate_word_pairs(es, path, delimiter=None)
    assert (res.pairs_used, res.pairs_skipped) == (3, 1)
    assert res.spearman == pytest.approx(1.0)
    assert res.oov_ratio == pytest.approx(0.25)
    expected = np.corrcoef([10, 7, 0], [1.0, np.sqrt(0.5), 0.0])[0, 1]
    assert res.pearson == pytest.approx(expected, abs=1e-6)


# -- malformed files ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content, match", [
    ("a b c d\n", "line 1: a question before the first section header"),
    (": s\na b c\n", "line 2: expected 4 words"),
    (": s\na b c d e\n", "line 2: expected 4 words .* found 5"),
    (": \na b c d\n", "line 1: empty section name"),
    ("", "no analogy questions found"),
    (": only-a-header\n\n", "no analogy questions found"),
])
def test_malformed_analogy_files(words, tmp_path, content, match):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(EvaluationDataError, match=match):
        evaluate_analogies(words, path)


def test_binary_and_missing_analogy_files(words, tmp_path):
    path = tmp_path / "bad.bin"
    path.write_bytes(b": s\n\xff\xfe\x00garbage\n")
    with pytest.raises(EvaluationDataError, match="line 2: not UTF-8"):
        analogy_sections(path)
    path.write_bytes(b": s\nab\x00cd e f g\n")
    with pytest.raises(EvaluationDataError, match="line 2: binary data"):
        analogy_sections(path)
    with pytest.raises(EvaluationDataError, match="cannot open the file"):
        evaluate_analogies(words, tmp_path / "missing.txt")


@pytest.mark.parametrize("content, match", [
    ("a\tb\n", "line 1: expected 3 fields"),
    ("a\tb\t1\tx\n", "line 1: expected 3 fields .* found 4"),
    ("king\tqueen\t8\nman\twoman\thigh\n", "line 2: the score 'high' is not a finite number"),
    ("king\tqueen\tnan\n", "line 1: the score 'nan' is not a finite number"),
    ("king\t\t3\n", "line 1: an empty word"),
    ("zzq\tqqz\t1\nxxq\tqqx\t2\n", "only 0 of 2 pairs have both words"),
])
def test_malformed_pair_files(words, tmp_path, content, match):
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    with pytest.raises(EvaluationDataError, match=match):
        evaluate_word_pairs(words, path)


def test_errors_are_embedlab_errors_and_name_the_file(words, tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("a\tb\n")
    with pytest.raises(EmbedLabError, match="bad.tsv, line 1"):
        evaluate_word_pairs(words, path)


def test_bad_parameters(words):
    with pytest.raises(InvalidParameterError, match="method='3cosavg' is not allowed; must be one of: 3cosadd, 3cosmul"):
        evaluate_analogies(words, method="3cosavg")
    with pytest.raises(InvalidParameterError, match="restrict_vocab=0 is not allowed; must be a whole number >= 1"):
        evaluate_word_pairs(words, restrict_vocab=0)


def test_no_candidate_left_is_a_wrong_answer(tmp_path):
    es = EmbeddingSet(["a", "b", "c"], np.eye(3))
    path = tmp_path / "q.txt"
    path.write_text(": s\na b c a\n")
    res = evaluate_analogies(es, path)
    assert (res.correct, res.total) == (0, 1)
    assert to_kv(es).evaluate_word_analogies(str(path))[0] == res.accuracy
