"""embedlab.space.clusters: k-means labels and centres."""
import numpy as np
import pytest

from embedlab import InvalidParameterError
from embedlab.space.clusters import kmeans_labels


def test_kmeans_labels_sorted_by_size_and_validated():
    rng = np.random.default_rng(0)
    v = np.vstack([rng.normal(0, 0.05, (30, 3)) + [5, 0, 0], rng.normal(0, 0.05, (10, 3)) + [0, 5, 0]])
    labels = kmeans_labels(v, k=2, seed=0)
    assert (labels[:30] == 0).all() and (labels[30:] == 1).all()
    with pytest.raises(InvalidParameterError, match=r"k=41 is not allowed; must be a whole number in \[2, 40\]"):
        kmeans_labels(v, k=41)


def test_kmeans_centres_assign_new_points_to_their_cluster():
    from embedlab.space.clusters import assign_clusters, kmeans_fit

    rng = np.random.default_rng(0)
    v = np.vstack([rng.normal(0, 0.05, (30, 3)) + [5, 0, 0], rng.normal(0, 0.05, (10, 3)) + [0, 5, 0]])
    res = kmeans_fit(v, k=2, seed=0)
    assert res.centers.shape == (2, 3)
    assert assign_clusters(np.array([[0.0, 4.0, 0.1], [3.0, 0.2, 0.0]]), res).tolist() == [1, 0]


def test_clusters_are_named_by_their_most_central_words():
    import numpy as np
    from embedlab.space.clusters import cluster_names, kmeans_fit

    rng = np.random.default_rng(0)
    a = rng.normal(0, 0.05, (6, 4)) + np.array([5, 0, 0, 0])
    b = rng.normal(0, 0.05, (6, 4)) + np.array([0, 5, 0, 0])
    a[0] = [5, 0, 0, 0]                      # exactly the centre's direction: the most central
    v = np.vstack([a, b, b[:4] * 1.0]).astype(np.float32)
    toks = [f"a{i}" for i in range(6)] + [f"b{i}" for i in range(10)]
    res = kmeans_fit(v, k=2, seed=0)
    names = cluster_names(v, res, toks)
    assert len(names) == 2 and all(len(n.split(", ")) == 3 for n in names)
    assert names[0].startswith("b") and names[1].split(", ")[0] == "a0"
