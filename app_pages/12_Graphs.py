"""Graphs: DeepWalk turns random walks into sentences and nodes into words, then word2vec gives node vectors."""
import pandas as pd
import streamlit as st

import embedlab
from embedlab.lessons import graphs as gr
from embedlab.viz import uses_graphs as vg
from ui import figures, params
from ui import uses_graphs as ug
from ui.figures import plotly_chart
from ui.text import md_text

CONFIG = {"displaylogo": False}
DRAW_LIMIT = 1500   # nodes: a spring layout of more takes longer than a lesson can wait (3,000 nodes: 16 s here)
GRAPHS = {"karate": "Zachary's karate club", "les-miserables": "Les Misérables", "florentine": "Florentine families",
          "davis": "Davis Southern Women", "upload": "Upload an edge list"}
LABEL_NOTES = {
    "karate": "The colours are the two factions the club really split into (Zachary, 1977): a known answer "
              "that DeepWalk never sees.",
    "les-miserables": "The colours are groups found by Louvain modularity on the same links, not a ground truth: "
                      "the probe checks that the vectors agree with another method that reads the links.",
    "florentine": "The colours are groups found by Louvain modularity on the marriages, not a ground truth; "
                  "with 15 families every number below rests on very few nodes.",
    "davis": "The colours are the two kinds of node (women and events). DeepWalk does not learn kinds: a walk "
             "alternates woman, event, woman, so both kinds share contexts. Expect the probe near its baselines.",
    "upload": "The colours are groups found by Louvain modularity on your links, not a ground truth.",
}

st.title("🕸️ Graphs: DeepWalk")
st.markdown(
    "A graph has no text, yet word2vec can embed it. **DeepWalk** walks at random from node to neighbour: "
    "*a walk is a sentence, a node is a word*. Skip-gram then places nodes that turn up in the same walks — "
    "nodes of one tightly knit group — close together. **Try:** pick a graph, compare the drawing with the "
    "map of the vectors, then choose a node and look at its nearest vectors.")

params.bind("gr_graph", "graph", "karate", options=tuple(GRAPHS))
params.bind("gr_walks", "walks", 10, parse=int, check=lambda v: 1 <= v <= 40)
params.bind("gr_length", "length", 20, parse=int, check=lambda v: 5 <= v <= 80)
params.bind("gr_dim", "dim", 32, parse=int, options=(8, 16, 32, 64, 128))
params.bind("gr_window", "window", 5, parse=int, check=lambda v: 1 <= v <= 10)
params.bind("gr_seed", "seed", 0, parse=int, check=lambda v: 0 <= v <= 9999)
SYNC = {"graph": "gr_graph", "walks": ("gr_walks", str), "length": ("gr_length", str), "dim": ("gr_dim", str),
        "window": ("gr_window", str), "seed": ("gr_seed", str)}

choice = st.selectbox("Graph", tuple(GRAPHS),
                      index=params.index("gr_graph", tuple(GRAPHS)), key="gr_graph", format_func=GRAPHS.get)
data, name = None, "edges.csv"
if choice == "upload":
    up = st.file_uploader("Edge list (CSV or TSV: source,target[,weight] per line)", type=["csv", "tsv", "txt"],
                          key="gr_upload", help=f"Up to {gr.MAX_BYTES // 1_000_000} MB, {gr.MAX_EDGES:,} edges "
                                                f"and {gr.MAX_NODES:,} nodes. A header line is allowed.")
    if up is None:
        st.info("Upload an edge list to embed your own graph, or pick a built-in one.")
        params.sync(SYNC)
        st.stop()
    if up.size > gr.MAX_BYTES:
        st.error(md_text(f"{up.name} is {up.size:,} bytes; the limit is {gr.MAX_BYTES:,}."))
        params.sync(SYNC)
        st.stop()
    data, name = up.getvalue(), up.name
try:
    g = ug.graph(choice, data, name)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    params.sync(SYNC)
    st.stop()

with st.form("gr_form"):
    st.markdown("**DeepWalk's parameters**")
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.slider("Walks per node", 1, 40, value=params.value("gr_walks"), key="gr_walks")
    c2.slider("Walk length (nodes)", 5, 80, value=params.value("gr_length"), key="gr_length")
    c3.select_slider("Dimensions", (8, 16, 32, 64, 128), value=params.value("gr_dim"), key="gr_dim")
    c4.slider("Window (context size)", 1, 10, value=params.value("gr_window"), key="gr_window")
    c5.number_input("Seed", 0, 9999, step=1, value=params.value("gr_seed"), key="gr_seed")
    st.form_submit_button("Run DeepWalk", type="primary")
params.sync(SYNC)
walks, length, dim, window, seed = (int(st.session_state[k]) for k in
                                    ("gr_walks", "gr_length", "gr_dim", "gr_window", "gr_seed"))

try:
    es = ug.deepwalk(choice, data, name, walks, length, dim, window, seed)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()
degree = es.meta["degree"]
nodes = list(g.nodes)
hub = nodes[max(range(len(nodes)), key=lambda i: (degree[i], -i))]
params.bind("gr_node", "node", hub, options=nodes)
if st.session_state.get("gr_node") not in nodes:
    st.session_state["gr_node"] = hub

st.subheader(f"{md_text(GRAPHS.get(choice) if choice != 'upload' else name)}: {len(nodes):,} nodes, "
             f"{len(g.edges):,} links")
st.caption(md_text(g.origin) + ". " + LABEL_NOTES[choice])

left, right = st.columns([1, 1] if figures.presenter_on() else [2, 3])   # a projector's table needs room
node = left.selectbox("Node whose nearest vectors to show", nodes, index=params.index("gr_node", nodes), key="gr_node")
params.sync({"node": "gr_node"})
neigh = es.neighbors(node, 5)
ring = [es.index(node)] + [es.index(n.token) for n in neigh]
linked = {nodes[b] for a, b in g.edges if nodes[a] == node} | {nodes[a] for a, b in g.edges if nodes[b] == node}
labels = list(g.labels) if g.labels is not None else ["node"] * len(nodes)
figures.table(pd.DataFrame({"node": [n.token for n in neigh], "cosine": [round(n.score, 3) for n in neigh],
                            g.label_name or "group": [labels[es.index(n.token)] for n in neigh],
                            f"linked to {node}": ["yes" if n.token in linked else "no" for n in neigh]}),
              key="gr_neighbours", where=left)
left.caption(f"The 5 nodes whose DeepWalk vectors are closest to {md_text(node)}'s (cosine). "
             "Many are direct links, but a node can be close without a link: it shares the same walks.")
walks_shown = ug.example_walks(choice, data, name, min(length, 10), seed)
right.markdown("**A walk is a sentence, a node is a word** — three of the walks (first 10 steps):")
right.code("\n".join(" → ".join(w) for w in walks_shown), language=None, wrap_lines=True)
right.caption(f"DeepWalk made {walks} walks of {length} nodes from each node: {walks * len(nodes):,} "
              f"“sentences” for skip-gram ({dim} dimensions, window {window}, seed {seed}).")

coords, explained = ug.node_map(es)
c1, c2 = figures.columns(2)       # (one under the other on a projector: side by side the node numbers were 12 px)
if len(nodes) <= DRAW_LIMIT:
    plotly_chart(vg.graph_figure(g, ug.layout(choice, data, name), highlight=ring, title="The graph"),
                 width="stretch", config=CONFIG, key="gr_graph_fig", where=c1)
else:
    c1.info(f"{len(nodes):,} nodes: too many to draw the graph itself here (up to {DRAW_LIMIT:,}); "
            "the map of its vectors shows every node.")
plotly_chart(vg.node_map_figure(coords, nodes, g.labels, degree, explained=explained, highlight=ring,
                                title="Its DeepWalk vectors (PCA)", legend=len(nodes) > DRAW_LIMIT),
             width="stretch", config=CONFIG, key="gr_map_fig", where=c2)
c1.caption("Drawn by a spring layout: links pull, nodes push apart; the position on screen has no axes. "
           + ("Labels: as many node names as fit without overlapping (busiest nodes first)."
              if len(nodes) <= vg.LABEL_LIMIT else f"{len(nodes):,} nodes: too many to label; hover for names."))
c2.caption(f"The {dim}-dimensional node vectors flattened by PCA. The vectors were learned from the walks "
           "alone, never from the colours (the same colours as the drawing; hover a point for its name). "
           "Black rings: the chosen node and its 5 nearest vectors.")

st.subheader("Do the vectors know the groups?")
try:
    res = ug.probe(es, tuple(labels), seed)
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    st.stop()
m1, m2, m3 = st.columns(3)
m1.metric("Probe on DeepWalk vectors", f"{res.accuracy:.0%}", help=f"± {res.spread:.0%} over the folds")
m2.metric("Probe on random vectors", f"{res.random_vectors:.0%}")
m3.metric("Always the most common group", f"{res.baseline:.0%}")
plotly_chart(vg.probe_figure(res.accuracy, res.baseline, res.random_vectors, spread=res.spread),
             width="stretch", config=CONFIG, key="gr_probe_fig")
st.caption(
    f"A logistic regression predicts each node's {md_text(g.label_name or 'group')} ({res.n_classes} of them) "
    f"from its vector, tested on nodes it was not trained on: {res.folds}-fold stratified cross-validation "
    f"over {len(nodes):,} nodes (seed {seed}; ± is the spread over the folds). "
    "Random vectors: the same probe on random numbers of the same size. "
    "Most common group: always guessing the training part's largest group. " + LABEL_NOTES[choice])
