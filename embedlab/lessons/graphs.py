"""Graph embeddings with DeepWalk: random walks on a graph -> word2vec -> one vector per node.

DeepWalk (Perozzi et al., 2014) treats a random walk over a graph as a sentence and its nodes as words,
so skip-gram puts nodes that appear in the same walks -- nodes of the same tightly knit group -- close
together. The graphs come with networkx (nothing is downloaded): Zachary's karate club with the two
factions it split into, Les Misérables co-appearances, the Florentine families, and the Davis Southern
Women (women and the events they attended); or an edge list the user uploads.

>>> g = builtin_graph("karate")
>>> len(g.nodes), len(g.edges), g.label_name, sorted(set(g.labels))
(34, 78, 'faction', ['Mr. Hi', 'Officer'])
>>> walks = random_walks(g, walks_per_node=2, walk_length=5, seed=0)
>>> len(walks), len(walks[0])
(68, 5)
"""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass

import numpy as np

from ..core.embeddings import EmbeddingSet
from ..core.errors import EmbeddingFormatError, UnknownSetError
from ..core.validate import check_int

logger = logging.getLogger(__name__)

__all__ = ["BUILTIN_GRAPHS", "MAX_EDGES", "MAX_NODES", "MAX_BYTES", "Graph", "ProbeResult", "builtin_graph",
           "graph_from_networkx", "read_edge_list", "random_walks", "deepwalk", "node_probe", "graph_layout"]

MAX_BYTES = 5_000_000        #: largest edge-list upload read, in bytes
MAX_EDGES = 100_000          #: most edges in one graph
MAX_NODES = 10_000           #: most nodes in one graph (walks and the drawing stay quick)

BUILTIN_GRAPHS = {
    "karate": "Zachary's karate club: 34 members, 78 friendships; the club split into two factions "
              "(Mr. Hi's and the Officer's) -- the known answer",
    "les-miserables": "Les Misérables: 77 characters, an edge when two appear in the same chapter (weighted); "
                      "groups found by Louvain modularity, not a known answer",
    "florentine": "Florentine families: 15 Renaissance families linked by marriage; groups found by Louvain "
                  "modularity",
    "davis": "Davis Southern Women: 18 women and the 14 social events they attended (a two-kind graph)",
}


@dataclass(frozen=True)
class Graph:
    """An undirected graph with named nodes, ready for walks.

    Attributes
    ----------
    name, origin : str
    nodes : tuple of str
    edges : (m, 2) int64 array of node rows (each undirected edge once), read-only
    weights : (m,) float32 array, read-only (1.0 for an unweighted graph)
    labels : tuple of str or None
        A group per node (a known answer such as the karate club's factions, or found communities).
    label_name : str
        What the labels are ("faction", "community", "kind").
    """

    name: str
    origin: str
    nodes: tuple
    edges: np.ndarray
    weights: np.ndarray
    labels: tuple | None = None
    label_name: str = ""

    def adjacency(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR form of the undirected graph: (indptr (n+1,), neighbour rows, weights)."""
        n = len(self.nodes)
        src = np.concatenate([self.edges[:, 0], self.edges[:, 1]])
        dst = np.concatenate([self.edges[:, 1], self.edges[:, 0]])
        w = np.concatenate([self.weights, self.weights])
        order = np.lexsort((dst, src))
        src, dst, w = src[order], dst[order], w[order]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.add.at(indptr, src + 1, 1)
        return np.cumsum(indptr), dst, w


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def _louvain_labels(g, seed: int) -> list[str]:
    """Communities by Louvain modularity (seeded), each named after its best-connected member."""
    import networkx as nx

    comms = nx.community.louvain_communities(g, weight="weight", seed=seed)
    comms = sorted(comms, key=lambda c: (-len(c), min(map(str, c))))
    label = {}
    for c in comms:
        hub = max(sorted(c, key=str), key=lambda v: g.degree(v, weight="weight"))
        for v in c:
            label[v] = f"{hub}'s group"
    return [label[v] for v in g.nodes]


def graph_from_networkx(g, *, name: str, origin: str = "", label_attr: str | None = None,
                        label_name: str = "") -> Graph:
    """A :class:`Graph` from a networkx graph (directed graphs are made undirected; self-loops dropped).

    Parameters
    ----------
    g : networkx.Graph
    label_attr : str, optional
        A node attribute holding each node's group (e.g. ``"club"`` in the karate club).
    """
    if g.number_of_nodes() == 0:
        raise EmbeddingFormatError(f"the graph {name!r} has no nodes")
    nodes = list(g.nodes)
    row = {v: i for i, v in enumerate(nodes)}
    pairs, weights, seen = [], [], set()
    for u, v, data in g.edges(data=True):
        if u == v:
            continue
        key = (min(row[u], row[v]), max(row[u], row[v]))
        if key in seen:
            continue
        seen.add(key)
        pairs.append(key)
        weights.append(float(data.get("weight", 1.0)))
    labels = None
    if label_attr is not None:
        labels = tuple(str(g.nodes[v].get(label_attr, "unknown")) for v in nodes)
    return Graph(name=name, origin=origin or name, nodes=tuple(str(v) for v in nodes),
                 edges=_frozen(np.asarray(pairs, dtype=np.int64).reshape(-1, 2)),
                 weights=_frozen(np.asarray(weights, dtype=np.float32)), labels=labels, label_name=label_name)


def builtin_graph(name: str, *, seed: int = 0) -> Graph:
    """One of :data:`BUILTIN_GRAPHS`, built from the graphs networkx ships.

    Raises
    ------
    UnknownSetError
        For a name that is not built in; the message lists the names.
    """
    import networkx as nx

    if name not in BUILTIN_GRAPHS:
        raise UnknownSetError(f"no built-in graph {name!r}. Must be one of: {', '.join(BUILTIN_GRAPHS)}")
    origin = BUILTIN_GRAPHS[name]
    if name == "karate":
        return graph_from_networkx(nx.karate_club_graph(), name=name, origin=origin, label_attr="club",
                                   label_name="faction")
    if name == "davis":
        g = nx.davis_southern_women_graph()
        for v in g.nodes:
            g.nodes[v]["kind"] = "woman" if g.nodes[v]["bipartite"] == 0 else "event"
        return graph_from_networkx(g, name=name, origin=origin, label_attr="kind", label_name="kind")
    g = nx.les_miserables_graph() if name == "les-miserables" else nx.florentine_families_graph()
    nx.set_node_attributes(g, dict(zip(g.nodes, _louvain_labels(g, seed))), "community")
    return graph_from_networkx(g, name=name, origin=origin, label_attr="community", label_name="community")


def read_edge_list(data: bytes | str, *, name: str = "edges.csv", max_edges: int = MAX_EDGES,
                   max_nodes: int = MAX_NODES) -> Graph:
    """A graph from an uploaded edge list: one edge per line, ``source,target[,weight]`` (comma, tab,
    semicolon or spaces; an optional header line).

    Raises
    ------
    EmbeddingFormatError
        Naming the line: too few columns, a weight that is not a positive number; or a file that is
        empty, not text, or over the size limits (:data:`MAX_BYTES`, :data:`MAX_EDGES`, :data:`MAX_NODES`).
    """
    import networkx as nx

    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise EmbeddingFormatError(f"the edge list is {len(data):,} bytes; the limit is {MAX_BYTES:,}", path=name)
        if b"\x00" in data[:65536]:
            raise EmbeddingFormatError("this is not a text file (it contains NUL bytes)", path=name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise EmbeddingFormatError(f"not UTF-8 text (byte {exc.start})", path=name) from None
    else:
        text = data
    lines = text.splitlines()
    sample = "\n".join(lines[:20])
    delimiter = next((d for d in ("\t", ",", ";") if d in sample), None)
    g = nx.Graph()
    reader = csv.reader(io.StringIO(text), delimiter=delimiter) if delimiter else (ln.split() for ln in lines)
    n_edges = 0
    for ln, fields in enumerate(reader, start=1):
        fields = [f.strip() for f in fields]
        if not any(fields) or fields[0].startswith("#"):
            continue
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise EmbeddingFormatError(f"an edge needs two node names (source, target), got {fields!r}",
                                       line=ln, path=name)
        weight = 1.0
        if len(fields) >= 3 and fields[2]:
            try:
                weight = float(fields[2])
            except ValueError:
                if n_edges == 0 and ln == 1:   # a header line such as "source,target,weight"
                    continue
                raise EmbeddingFormatError(f"the weight {fields[2]!r} is not a number", line=ln, path=name) from None
            if not (weight > 0 and np.isfinite(weight)):
                raise EmbeddingFormatError(f"the weight {fields[2]!r} must be a positive number", line=ln, path=name)
        elif ln == 1 and n_edges == 0 and {f.lower() for f in fields[:2]} & {"source", "target", "from", "to", "node"}:
            continue
        g.add_edge(fields[0], fields[1], weight=weight)
        n_edges += 1
        if n_edges > max_edges:
            raise EmbeddingFormatError(f"more than {max_edges:,} edges; the limit is {max_edges:,}", line=ln, path=name)
        if g.number_of_nodes() > max_nodes:
            raise EmbeddingFormatError(f"more than {max_nodes:,} nodes; the limit is {max_nodes:,}", line=ln, path=name)
    if n_edges == 0:
        raise EmbeddingFormatError("no edges found: write one edge per line as source,target[,weight]", path=name)
    nx.set_node_attributes(g, dict(zip(g.nodes, _louvain_labels(g, 0))), "community")
    return graph_from_networkx(g, name=name, origin=f"uploaded edge list {name}", label_attr="community",
                               label_name="community")


def random_walks(graph: Graph, *, walks_per_node: int = 10, walk_length: int = 20, seed: int = 0,
                 weighted: bool = True) -> list[list[str]]:
    """DeepWalk's walks: from every node, ``walks_per_node`` walks of ``walk_length`` nodes, each step to a
    random neighbour (chosen in proportion to the edge weight if ``weighted``). A walk that reaches a node
    with no neighbours stops there. All walks advance together (vectorised), seeded by ``seed``.

    Returns
    -------
    list of walks, each a list of node names, ordered by round then by start node
    """
    walks_per_node = check_int(walks_per_node, "walks_per_node", minimum=1, maximum=200)
    walk_length = check_int(walk_length, "walk_length", minimum=2, maximum=500)
    rng = np.random.default_rng(seed)
    indptr, nbr, w = graph.adjacency()
    n = len(graph.nodes)
    deg = np.diff(indptr)
    cw = np.cumsum(w if weighted else np.ones_like(w), dtype=np.float64)
    start_cw = np.concatenate([[0.0], cw])[indptr[:-1]]
    total = np.concatenate([[0.0], cw])[indptr[1:]] - start_cw
    cur = np.tile(np.arange(n, dtype=np.int64), walks_per_node)
    steps = np.full((walk_length, cur.size), -1, dtype=np.int64)
    steps[0] = cur
    alive = np.ones(cur.size, dtype=bool)
    for s in range(1, walk_length):
        alive &= deg[cur] > 0
        a = np.flatnonzero(alive)
        if a.size == 0:
            break
        c = cur[a]
        target = start_cw[c] + rng.random(a.size) * total[c]      # a point in this row's weight range
        pos = np.clip(np.searchsorted(cw, target, side="right"), indptr[c], indptr[c + 1] - 1)
        cur[a] = nbr[pos]
        steps[s, a] = cur[a]
    names = graph.nodes
    return [[names[i] for i in col if i >= 0] for col in steps.T]


def deepwalk(graph: Graph, *, dim: int = 32, window: int = 5, walks_per_node: int = 10, walk_length: int = 20,
             epochs: int = 5, seed: int = 0) -> EmbeddingSet:
    """Node vectors by DeepWalk: :func:`random_walks` fed to gensim's skip-gram word2vec (hierarchical
    softmax, as in the paper), one worker so that a seed gives the same vectors every time.

    Returns
    -------
    EmbeddingSet
        One row per node, in the graph's node order; ``meta`` carries the nodes' labels (if any) and degree.

    >>> es = deepwalk(builtin_graph("karate"), dim=8, walks_per_node=4, epochs=2)
    >>> len(es), es.dim, sorted(es.meta)
    (34, 8, ['degree', 'faction'])
    """
    from gensim.models import Word2Vec

    dim = check_int(dim, "dim", minimum=2, maximum=512)
    window = check_int(window, "window", minimum=1, maximum=50)
    epochs = check_int(epochs, "epochs", minimum=1, maximum=200)
    walks = random_walks(graph, walks_per_node=walks_per_node, walk_length=walk_length, seed=seed)
    model = Word2Vec(sentences=walks, vector_size=dim, window=window, min_count=0, sg=1, hs=1, negative=0,
                     workers=1, seed=seed, epochs=epochs)
    vectors = np.stack([model.wv[v] for v in graph.nodes]).astype(np.float32)
    deg = np.diff(graph.adjacency()[0])
    meta = {"degree": deg.tolist()}
    if graph.labels is not None:
        meta[graph.label_name or "label"] = list(graph.labels)
    return EmbeddingSet(list(graph.nodes), vectors, name=f"deepwalk-{graph.name}", meta=meta,
                        origin=f"DeepWalk on {graph.origin}: {walks_per_node} walks of {walk_length} per node, "
                               f"skip-gram {dim}d, window {window}, {epochs} epochs, seed {seed}")


@dataclass(frozen=True)
class ProbeResult:
    """Cross-validated accuracy of a linear probe that predicts each node's label from its vector."""

    accuracy: float          #: mean over folds
    spread: float            #: standard deviation over folds
    baseline: float          #: always guessing the most common label of the training fold
    random_vectors: float    #: the same probe on random vectors of the same size (what chance looks like)
    folds: int
    n_classes: int


def _cv_accuracy(x: np.ndarray, y: np.ndarray, folds: int, seed: int) -> tuple[list[float], list[float]]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    acc, base = [], []
    for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y):
        model = LogisticRegression(max_iter=2000).fit(x[train], y[train])
        acc.append(float((model.predict(x[test]) == y[test]).mean()))
        values, counts = np.unique(y[train], return_counts=True)
        base.append(float((y[test] == values[np.argmax(counts)]).mean()))
    return acc, base


def node_probe(vectors, labels, *, folds: int = 5, seed: int = 0) -> ProbeResult:
    """How well a logistic regression predicts node labels from node vectors (stratified k-fold).

    Parameters
    ----------
    vectors : EmbeddingSet or (n, d) array
    labels : sequence of n labels
    folds : int
        Lowered to the size of the smallest class if needed (at least 2).
    """
    x = vectors.unit if isinstance(vectors, EmbeddingSet) else np.asarray(vectors, dtype=np.float32)
    y = np.asarray([str(v) for v in labels])
    if len(y) != len(x):
        raise EmbeddingFormatError(f"{len(y)} labels for {len(x)} vectors; they must match")
    _, counts = np.unique(y, return_counts=True)
    if len(counts) < 2 or counts.min() < 2:
        raise EmbeddingFormatError("the probe needs at least two labels with at least two nodes each")
    folds = max(2, min(check_int(folds, "folds", minimum=2, maximum=20), int(counts.min())))
    acc, base = _cv_accuracy(x, y, folds, seed)
    rand = np.random.default_rng(seed).normal(size=x.shape).astype(np.float32)
    racc, _ = _cv_accuracy(rand, y, folds, seed)
    return ProbeResult(accuracy=float(np.mean(acc)), spread=float(np.std(acc)), baseline=float(np.mean(base)),
                       random_vectors=float(np.mean(racc)), folds=folds, n_classes=len(counts))


def graph_layout(graph: Graph, *, seed: int = 0) -> np.ndarray:
    """Positions for drawing the graph itself (networkx's spring layout, seeded): (n, 2) float32."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(len(graph.nodes)))
    g.add_weighted_edges_from((int(a), int(b), float(w)) for (a, b), w in zip(graph.edges, graph.weights))
    pos = nx.spring_layout(g, seed=seed)
    return np.asarray([pos[i] for i in range(len(graph.nodes))], dtype=np.float32)
