"""embedlab.space.ahead: the default set's Map view computed ahead of time and shipped (issue 12:
the first Map within 3 s also when it is requested the moment the server answers)."""
from __future__ import annotations

import json
import logging

import numpy as np
import pytest

import embedlab
from embedlab import EmbeddingSet
from embedlab.space import ahead, clusters, distortion, frequency


@pytest.fixture(scope="module")
def default_set():
    return embedlab.load(embedlab.DEFAULT_SET)


@pytest.fixture(scope="module")
def live(default_set):
    return ahead.compute(default_set)


@pytest.fixture
def shipped_view(default_set):
    view = ahead.shipped(default_set)
    assert view is not None, f"no view of {default_set.name} in {ahead.DATA_DIR}: run python -m embedlab.space.ahead"
    return view


def test_the_shipped_view_is_what_the_app_computes_live(shipped_view, live):
    """If this fails, the set, wordfreq or scikit-learn changed: run ``python -m embedlab.space.ahead``."""
    assert shipped_view.fingerprint == live.fingerprint
    np.testing.assert_array_equal(shipped_view.order, live.order)
    np.testing.assert_array_equal(shipped_view.labels, live.labels)
    np.testing.assert_allclose(shipped_view.centers, live.centers, rtol=0, atol=1e-6)
    assert shipped_view.names == live.names
    np.testing.assert_allclose(shipped_view.coords, live.coords, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(shipped_view.overlap, live.overlap)
    assert shipped_view.trustworthiness == pytest.approx(live.trustworthiness, abs=1e-9)
    assert shipped_view.known == live.known > ahead.ROWS
    assert len(shipped_view.labels) == ahead.ROWS and shipped_view.k == ahead.CLUSTERS


def test_the_frequency_order_is_read_not_computed(default_set, shipped_view, monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("wordfreq looked up for the default set")

    monkeypatch.setattr(frequency, "token_frequencies", refuse)
    monkeypatch.setattr(frequency, "_orders", {})
    order = frequency.frequency_order(default_set)
    assert order is shipped_view.order and not order.flags.writeable
    np.testing.assert_array_equal(frequency.most_frequent(default_set, 5000), shipped_view.rows)
    assert frequency.known_count(default_set) == shipped_view.known
    assert "5,000 most frequent of 21,748" in frequency.describe_points(default_set, 5000)
    with pytest.raises(AssertionError, match="wordfreq"):
        frequency.frequency_order(default_set, ahead=False)


def test_each_answer_only_for_the_arguments_it_was_made_with(shipped_view):
    rows = shipped_view.rows
    assert shipped_view.kmeans(rows, ahead.CLUSTERS).labels is shipped_view.labels
    assert shipped_view.cluster_names(rows, ahead.CLUSTERS) == list(shipped_view.names)
    overlap, trust = shipped_view.distortion(rows, shipped_view.coords.copy(), ahead.OVERLAP_K)
    assert overlap is shipped_view.overlap and trust == shipped_view.trustworthiness
    other_rows = rows.copy()
    other_rows[[0, 1]] = other_rows[[1, 0]]
    assert shipped_view.kmeans(rows, ahead.CLUSTERS - 1) is None
    assert shipped_view.kmeans(rows, ahead.CLUSTERS, seed=1) is None
    assert shipped_view.kmeans(rows, ahead.CLUSTERS, cosine=False) is None
    assert shipped_view.kmeans(other_rows, ahead.CLUSTERS) is None
    assert shipped_view.kmeans(rows[:100], ahead.CLUSTERS) is None
    assert shipped_view.cluster_names(other_rows, ahead.CLUSTERS) is None
    assert shipped_view.distortion(rows, shipped_view.coords + 0.01, ahead.OVERLAP_K) is None
    assert shipped_view.distortion(rows, shipped_view.coords, ahead.OVERLAP_K + 1) is None
    assert shipped_view.distortion(other_rows, shipped_view.coords, ahead.OVERLAP_K) is None
    assert shipped_view.frequency_order("de") is None


def test_another_set_of_the_same_name_is_computed_live(default_set, caplog):
    vectors = np.array(default_set.vectors)
    vectors[0] += 1.0                       # one row changed: another fingerprint
    changed = EmbeddingSet(list(default_set.tokens), vectors, name=default_set.name)
    with caplog.at_level(logging.INFO, logger="embedlab.space.ahead"):
        assert ahead.shipped(changed) is None
    assert any("another version" in r.getMessage() for r in caplog.records)
    assert len(frequency.frequency_order(changed)) == len(changed)      # computed, as before


def test_a_broken_file_is_ignored_with_a_warning(default_set, shipped_view, tmp_path, caplog):
    meta = json.loads((ahead.DATA_DIR / f"{default_set.name}.json").read_text())
    (tmp_path / f"{default_set.name}.json").write_text(json.dumps(meta))
    (tmp_path / f"{default_set.name}.npz").write_bytes(b"not an npz file")
    with caplog.at_level(logging.WARNING, logger="embedlab.space.ahead"):
        assert ahead.shipped(default_set, folder=tmp_path) is None
    assert any("could not read" in r.getMessage() for r in caplog.records)
    # arrays of the wrong shape: refused too
    ahead.write(ahead.AheadView(**{**shipped_view.__dict__, "order": shipped_view.order[:-1]}), tmp_path)
    assert ahead.shipped(default_set, folder=tmp_path) is None
    assert ahead.shipped(default_set) is not None        # (write cleared what was read; the real one still reads)


def test_written_and_read_back_unchanged(shipped_view, default_set, tmp_path):
    ahead.write(shipped_view, tmp_path)
    back = ahead.shipped(default_set, folder=tmp_path)
    for name in ("order", "labels", "centers", "coords", "overlap"):
        np.testing.assert_array_equal(getattr(back, name), getattr(shipped_view, name))
    assert back.names == shipped_view.names and back.trustworthiness == shipped_view.trustworthiness
    assert json.loads((tmp_path / f"{default_set.name}.json").read_text())["made_by"].startswith("python -m")


def test_the_live_functions_are_the_ones_the_map_calls(monkeypatch, default_set):
    """compute() goes through kmeans_fit, cluster_names and the distortion measures (not the file)."""
    called = []
    for module, name in ((clusters, "kmeans_fit"), (clusters, "cluster_names"),
                         (distortion, "neighbor_overlap"), (distortion, "trustworthiness")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name,
                            lambda *a, _real=real, _name=name, **k: called.append(_name) or _real(*a, **k))
    small = EmbeddingSet(list(default_set.tokens[:300]), np.array(default_set.vectors[:300]), name="small")
    view = ahead.compute(small, rows=200, k=4)
    assert called == ["kmeans_fit", "cluster_names", "neighbor_overlap", "trustworthiness"]
    assert len(view.labels) == 200 and len(view.names) == 4


def test_a_set_with_no_file_is_answered_without_its_fingerprint(toy_set):
    assert ahead.shipped(toy_set) is None
    assert "fingerprint" not in vars(toy_set)        # (hashing a 1M-row upload costs seconds)
