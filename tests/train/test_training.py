"""Training: planted relations are learned, results equal gensim's, snapshots/loss/stop/progress, CLI."""
from __future__ import annotations

import threading

import time

import numpy as np
import pytest

from embedlab.space.analogy import analogy
from embedlab.io.builtin_corpora import TOY_WATCH_WORDS, toy_corpus
from embedlab.io.corpus import corpus_from_text
from embedlab.core.errors import InvalidParameterError, TrainingError
from embedlab.train.training import TrainingJob, TrainParams, default_watch_words, train

PARAMS = TrainParams(epochs=12, min_count=1, seed=1, workers=1, vector_size=40)


@pytest.fixture(scope="module")
def toy():
    return toy_corpus(3000, seed=0)


@pytest.fixture(scope="module")
def result(toy):
    reports = []
    res = train(toy, PARAMS, progress=reports.append)
    return res, reports


def test_toy_corpus_teaches_the_planted_relations(result):
    es = result[0].embedding_set
    assert "queen" in [n.token for n in es.neighbors("king", 5)]
    assert analogy(es, "man", "king", "woman", k=1)[0].token == "queen"
    assert analogy(es, "man", "boy", "woman", k=1)[0].token == "girl"


def test_skipgram_learns_plurals_too(toy):
    es = train(toy, TrainParams(sg=True, epochs=10, min_count=1, seed=1, vector_size=40)).embedding_set
    assert analogy(es, "king", "kings", "queen", k=1)[0].token == "queens"


def test_vectors_equal_gensim_called_directly(toy, result):
    from gensim.models import Word2Vec

    direct = Word2Vec(sentences=toy.sentences, **PARAMS.gensim_kwargs())
    es = result[0].embedding_set
    assert list(es.tokens) == list(direct.wv.index_to_key)
    np.testing.assert_array_equal(es.vectors, direct.wv.vectors)


def test_snapshots_run_from_the_random_start_to_the_final_vectors(toy, result):
    from gensim.models import Word2Vec

    res = result[0]
    assert res.watched == TOY_WATCH_WORDS
    assert res.snapshots.shape == (PARAMS.epochs + 1, len(TOY_WATCH_WORDS), PARAMS.vector_size)
    start = Word2Vec(**PARAMS.gensim_kwargs())
    start.build_vocab(toy.sentences)
    rows = [start.wv.key_to_index[w] for w in res.watched]
    np.testing.assert_array_equal(res.snapshots[0], start.wv.vectors[rows])
    np.testing.assert_array_equal(res.snapshots[-1], res.embedding_set.vectors[res.embedding_set.indices(res.watched)])
    assert not res.snapshots.flags.writeable


def test_neighbours_per_epoch_match_the_final_set(result):
    res = result[0]
    assert len(res.neighbors) == PARAMS.epochs + 1
    king = res.watched.index("king")
    final = [t for t, _ in res.neighbors[-1][king]]
    assert final == [n.token for n in res.embedding_set.neighbors("king", 5)]
    assert final != [t for t, _ in res.neighbors[0][king]]      # the random start is different


def test_loss_and_progress_are_reported_per_epoch(result):
    res, reports = result
    assert res.loss_available and len(res.losses) == PARAMS.epochs
    assert all(v is not None and v > 0 for v in res.losses)
    assert res.losses[-1] < res.losses[0]
    assert [r.epoch for r in reports] == list(range(1, PARAMS.epochs + 1))
    assert [r.loss for r in reports] == list(res.losses)
    assert res.words_per_second > 0 and res.epochs_done == PARAMS.epochs and not res.stopped
    assert res.embedding_set.meta["frequency"][0] >= res.embedding_set.meta["frequency"][-1]


def test_stop_after_an_epoch_keeps_the_finished_epochs(toy):
    stop = threading.Event()

    def progress(rep):
        if rep.epoch == 2:
            stop.set()
    res = train(toy, PARAMS, progress=progress, stop=stop)
    assert res.stopped and res.epochs_done == 2
    assert res.snapshots.shape[0] == 3 and len(res.losses) == 2
    assert np.isfinite(res.embedding_set.vectors).all()
    assert "stopped after 2 epochs" in res.embedding_set.origin


def test_fasttext_has_no_loss_and_composite_snapshots(toy):
    from gensim.models import FastText

    p = TrainParams(model="fasttext", epochs=3, min_count=1, vector_size=20, seed=2)
    res = train(toy, p, watch=["king", "queen"])
    assert not res.loss_available and res.losses == (None, None, None)
    direct = FastText(sentences=toy.sentences, **p.gensim_kwargs())
    np.testing.assert_allclose(res.embedding_set["king"], direct.wv["king"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(res.snapshots[-1, 0], direct.wv["king"], rtol=1e-5, atol=1e-6)


def test_fasttext_stopped_early_still_composes_vectors(toy):
    stop = threading.Event()
    stop.set()
    res = train(toy, TrainParams(model="fasttext", epochs=3, min_count=1, vector_size=10), stop=stop,
                watch=["king"])
    assert res.stopped and res.epochs_done == 1
    np.testing.assert_allclose(res.snapshots[-1, 0], res.embedding_set["king"], rtol=1e-6)


def test_watch_words_not_in_the_vocabulary_are_named(toy):
    res = train(toy, TrainParams(epochs=1, min_count=1), watch=["king", "dragon"])
    assert res.watched == ("king",)
    assert any("dragon" in n for n in res.notes)


def test_default_watch_words():
    # all the toy corpus's planted words present: they are watched, whatever the counts say, up to n
    counts = {"zebra": 1000, **{w: 5 for w in TOY_WATCH_WORDS}}
    assert default_watch_words(counts) == list(TOY_WATCH_WORDS)[:12]
    assert default_watch_words(counts, n=2) == list(TOY_WATCH_WORDS)[:2]
    # one planted word missing: the most frequent words that are not stop words and have 3+ letters
    partial = {w: 5 for w in TOY_WATCH_WORDS[1:]}
    assert default_watch_words({**partial, "zebra": 1000}, n=1) == ["zebra"]
    counts = {"the": 100, "river": 50, "of": 40, "bank": 30, "ok": 20, "money": 10}
    assert default_watch_words(counts, n=3) == ["river", "bank", "money"]
    assert default_watch_words(["the", "river", "x9y", "bank"], n=5) == ["river", "bank"]   # a sequence, in order


def test_too_small_corpus_is_refused():
    with pytest.raises(TrainingError, match="only 3 tokens; training needs at least 50"):
        train(corpus_from_text("far too short"))


def test_min_count_leaving_too_few_words_is_refused(toy):
    with pytest.raises(TrainingError, match="only 0 distinct words occur at least min_count=100000"):
        train(toy, TrainParams(min_count=100000))


@pytest.mark.parametrize("kwargs, match", [
    ({"model": "glove"}, r"model='glove' is not allowed; must be one of: word2vec, fasttext"),
    ({"vector_size": 0}, r"vector_size=0 is not allowed; must be a whole number in \[2, 1000\]"),
    ({"window": 2.5}, r"window=2.5 is not allowed; must be a whole number"),
    ({"window": 2.9}, r"window=2.9 is not allowed; must be a whole number"),          # never truncated to 2
    ({"epochs": True}, r"epochs=True is not allowed; must be a whole number"),        # a bool is not a number
    ({"negative": 0}, r"negative=0 is not allowed; must be at least 1 with negative sampling"),
    ({"alpha": 0.01, "min_alpha": 0.1}, r"min_alpha=0.1 is not allowed; must be at most alpha=0.01"),
    ({"alpha": 0}, r"alpha=0 is not allowed; must be a number in \(0, 1\]"),
    ({"alpha": True}, r"alpha=True is not allowed"),
    ({"sample": float("nan")}, r"sample=nan is not allowed"),
    ({"sg": "yes"}, r"sg='yes' is not allowed; must be True or False"),
    ({"hs": 1}, r"hs=1 is not allowed; must be True or False"),
    ({"min_n": 5, "max_n": 3}, r"min_n=5 is not allowed; must be at most max_n=3"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        TrainParams(**kwargs)


def test_parameters_are_stored_as_plain_values():
    p = TrainParams(model="FastText", epochs=np.int64(3), sg=np.bool_(True), alpha=np.float32(0.5))
    assert p.model == "fasttext"
    assert type(p.epochs) is int and p.epochs == 3
    assert type(p.sg) is bool and p.sg is True
    assert type(p.alpha) is float and p.alpha == 0.5
    import json

    assert json.loads(json.dumps(p.to_dict()))["epochs"] == 3       # a sidecar can be written


def test_hierarchical_softmax_needs_no_negative_samples(toy):
    p = TrainParams(hs=True, negative=0, epochs=1, min_count=1)
    assert p.gensim_kwargs()["negative"] == 0 and p.gensim_kwargs()["hs"] == 1
    assert len(train(toy, p).embedding_set) > 50


def test_training_job_in_a_thread(toy):
    job = TrainingJob(toy, TrainParams(epochs=2, min_count=1), name="mine").start()
    job.join(60)
    assert job.state == "done" and job.result.embedding_set.name == "mine"
    assert len(job.reports) == 2 and job.fraction == 1.0


def test_training_job_failure_is_reported_not_raised():
    job = TrainingJob(corpus_from_text("tiny text"), TrainParams()).start().join(60)
    assert job.state == "failed" and isinstance(job.error, TrainingError)
    assert job.result is None


def test_training_job_in_its_own_process_gives_the_same_vectors(toy):
    """Default (EMBEDLAB_WORKERS unset): gensim trains in a spawned process; a fixed seed with one
    worker thread gives exactly the vectors of training in this thread."""
    import os

    params = TrainParams(epochs=3, min_count=1, workers=1, seed=7)
    job = TrainingJob(toy, params, name="p").start().join(120)
    assert job.in_process and job.state == "done", job.error
    assert job.pid is not None and job.pid != os.getpid()
    assert [r.epoch for r in job.reports] == [1, 2, 3]
    here = TrainingJob(toy, params, name="t", in_process=False).run()
    assert here.pid == os.getpid()
    a, b = job.result.embedding_set, here.result.embedding_set
    assert a.tokens == b.tokens
    np.testing.assert_array_equal(a.vectors, b.vectors)
    np.testing.assert_array_equal(job.result.snapshots, here.result.snapshots)


def test_training_process_can_be_stopped_and_errors_come_back(toy):
    job = TrainingJob(toy_corpus(3000), TrainParams(epochs=200, min_count=1, workers=1)).start()
    deadline = time.monotonic() + 120
    while len(job.reports) < 2 and time.monotonic() < deadline and not job.finished:
        time.sleep(0.05)
    import os

    from embedlab.runtime.workers import BACKGROUND_NICENESS

    assert not job.finished, "training ended before it could be checked; make the corpus larger"
    # the training process runs "nicer" than this one: web pages get the CPU first
    assert os.getpriority(os.PRIO_PROCESS, job.pid) == min(19, os.nice(0) + BACKGROUND_NICENESS)
    job.stop()
    job.join(120)
    assert job.state == "stopped", job.error
    assert 2 <= job.result.epochs_done < 200 and job.result.stopped
    bad = TrainingJob(corpus_from_text("tiny text"), TrainParams()).start().join(120)
    assert bad.in_process and bad.state == "failed"
    assert isinstance(bad.error, TrainingError) and "training needs at least" in str(bad.error)


def test_training_job_stopped_before_it_starts_trains_one_epoch(toy):
    job = TrainingJob(toy, TrainParams(epochs=50, min_count=1))
    job.stop()
    job.run()
    assert job.state == "stopped", job.error
    assert job.result.stopped and job.result.epochs_done == 1      # at least one epoch always runs


def test_training_job_stopped_while_waiting_for_a_slot_fails_without_training(toy):
    from embedlab.train import job as job_module

    taken = 0
    while job_module._SLOTS.acquire(blocking=False):          # every training slot busy
        taken += 1
    try:
        job = TrainingJob(toy, TrainParams(epochs=50, min_count=1)).start()
        time.sleep(0.5)
        assert job.state == "waiting"
        job.stop()
        job.join(10)
    finally:
        for _ in range(taken):
            job_module._SLOTS.release()
    assert job.state == "failed" and job.result is None
    assert isinstance(job.error, TrainingError) and "stopped before training started" in str(job.error)


# -- results across the process boundary -------------------------------------------------------------
def _assert_read_only(res):
    assert res.snapshots.flags.writeable is False
    assert res.embedding_set.vectors.flags.writeable is False
    with pytest.raises(ValueError, match="read-only"):
        res.snapshots[0, 0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        res.embedding_set.vectors[0, 0] = 1.0


def test_a_pickled_result_comes_back_read_only(result):
    import pickle

    res = result[0]
    back = pickle.loads(pickle.dumps(res))
    _assert_read_only(back)
    assert back.watched == res.watched and back.params == res.params and back.epochs_done == res.epochs_done
    np.testing.assert_array_equal(back.snapshots, res.snapshots)
    np.testing.assert_array_equal(back.embedding_set.vectors, res.embedding_set.vectors)


def test_a_result_from_the_training_process_is_read_only(toy):
    job = TrainingJob(toy, TrainParams(epochs=2, min_count=1), in_process=True).run()
    assert job.state == "done" and job.pid != __import__("os").getpid(), job.error
    _assert_read_only(job.result)
    assert job.result.embedding_set.unit.flags.writeable is False


def test_a_result_made_from_writeable_arrays_is_read_only(result):
    import dataclasses

    res = dataclasses.replace(result[0], snapshots=np.array(result[0].snapshots))   # e.g. read from a workspace
    _assert_read_only(res)


def test_the_training_module_stays_importable_under_its_old_names():
    from embedlab.train import job, params, results, run, training

    assert training.TrainingJob is job.TrainingJob and training.TrainParams is params.TrainParams
    assert training.TrainingResult is results.TrainingResult and training.train is run.train


# -- CLI --------------------------------------------------------------------------------------------------
def test_cli_train_writes_word2vec_text(tmp_path, capsys):
    from embedlab.cli.main import main
    from embedlab.io.formats import read_vectors

    out = tmp_path / "toy.vectors"
    assert main(["train", "toy", "--out", str(out), "--epochs", "2", "--min-count", "1", "--dim", "8",
                 "--workers", "1", "--quiet"]) == 0
    assert out.read_text().split("\n", 1)[0] == "104 8"
    es = read_vectors(out, format="word2vec-text")
    assert "king" in es and es.dim == 8
    assert "trained 104 words" in capsys.readouterr().out


def test_cli_train_extension_picks_the_format(tmp_path):
    from embedlab.cli.main import main

    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(" ".join(s) for s in toy_corpus(300).sentences))
    assert main(["train", str(corpus), "--out", str(tmp_path / "v.npy"), "--epochs", "1", "--min-count", "1",
                 "--quiet", "--model", "fasttext", "--dim", "4"]) == 0
    assert np.load(tmp_path / "v.npy", allow_pickle=False).shape[1] == 4
    assert (tmp_path / "v.vocab.txt").is_file()


def test_cli_train_bad_corpus_is_one_line(tmp_path, capsys):
    from embedlab.cli.main import main

    bad = tmp_path / "bin.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    assert main(["train", str(bad), "--out", str(tmp_path / "o.txt")]) == 1
    err = capsys.readouterr().err
    assert "binary" in err and "Traceback" not in err
    assert not (tmp_path / "o.txt").exists()
