"""Map: the embedding space projected to 2-D or 3-D (PCA, UMAP, t-SNE), search, colour, select."""
import numpy as np
import pandas as pd
import streamlit as st

import embedlab
from embedlab.space.axes import parse_groups
from embedlab.viz import OTHER, compare_figure, map_figure, selected_rows
from embedlab.viz.map_points import (DEFAULT_SIZE, SIZES, group_labels, map_points, map_view, parse_size,
                                     picture_neighbours, size_choices)
from ui import cached, lesson_bar, map_chart, map_export, params
from ui import map_meta as umeta
from ui.figures import plotly_chart, presenter_on
from ui.map_layout import layout_projection, remember_figure
from ui.setup import page_set
from ui.text import csv_bytes, file_stem, md_text

METHODS = {"pca": "PCA (instant)", "umap": "UMAP", "tsne": "t-SNE"}
COLOURS = {"kmeans": "k-means clusters", "kind": "token kind", "groups": "groups I type",
           "distortion": "distortion (neighbours kept)", "none": "one colour"}
DEFAULT_GROUPS = ("animals: cat dog horse cow sheep lion tiger bird\n"
                  "countries: france germany italy spain china japan india brazil\n"
                  "colours: red green blue yellow purple orange pink brown")
OVERLAP_K = 10

es = page_set()
st.title("Map of the embedding space")
st.markdown(
    "Each dot is a word. Its real position has hundreds of coordinates; here it is squeezed into two (or three) "
    "so you can look at it. Words with similar meaning should land near each other — but squeezing distorts. "
    "**Try:** search a word, colour the points by groups you type, or draw a lasso around a cluster."
)
if es is None:
    st.stop()

params.bind("map_method", "method", "pca", options=tuple(METHODS))
params.bind("map_dims", "dims", 2, parse=int, options=(2, 3))
sizes = size_choices(len(es))
params.bind("map_n", "n", DEFAULT_SIZE, parse=parse_size, options=sizes)
if st.session_state.map_n not in sizes:       # "all" kept from a smaller set
    st.session_state.map_n = DEFAULT_SIZE
colours = {**COLOURS, **umeta.colour_options(es)}     # + one entry per metadata column
params.bind("map_colour", "color", "kmeans", options=tuple(colours))
params.bind("map_kc", "clusters", 8, parse=int, check=lambda v: 2 <= v <= 20)
params.bind("map_groups", "groups", DEFAULT_GROUPS)
params.bind("map_query", "q", "")
params.bind("map_nn", "k", 10, parse=int, check=lambda v: 1 <= v <= 30)
params.bind("map_compare", "compare", False, parse=params.to_bool)

present = presenter_on()     # larger text on a projector: the controls in two rows, the table below the map
c1, c2, c3, c4 = (*st.columns([3, 1]), *st.columns(2)) if present else st.columns([3, 1, 2, 2])
method = c1.radio("Projection", tuple(METHODS),
                  index=params.index("map_method", tuple(METHODS)), key="map_method",
                  format_func=METHODS.get, horizontal=True,
                  help="PCA is a rotation that keeps the widest spread; UMAP and t-SNE keep local neighbourhoods "
                       "and take a few seconds (then they are cached).")
dims = c2.radio("Dimensions", (2, 3), index=params.index("map_dims", (2, 3)), key="map_dims", horizontal=True)
n_choice = c3.selectbox("Points drawn", sizes, index=params.index("map_n", sizes), key="map_n",
                        format_func=lambda s: "all" if s == "all" else f"{s:,} most frequent",
                        help=None if "all" in sizes else
                        f"This set has {len(es):,} tokens: at most {SIZES[-2]:,} are drawn. Search finds any of them.")
colour = c4.selectbox("Colour by", tuple(colours),
                      index=params.index("map_colour", tuple(colours)), key="map_colour", format_func=colours.get)
s1, s2, s3 = st.columns([3, 2, 2])
query = s1.text_input("Search a word",
                      value=params.value("map_query"), key="map_query", placeholder="e.g. king").strip()
k_nn = s2.slider("Neighbours to show", 1, 30, value=params.value("map_nn"), key="map_nn")
if colour == "kmeans":
    n_clusters = s3.slider("Clusters", 2, 20, value=params.value("map_kc"), key="map_kc")
if colour.startswith(umeta.PREFIX):
    umeta.controls(es, colour, s3)
if colour == "groups":
    st.text_area("Groups — one per line, `name: word word …` (other words stay grey)",
                 value=params.value("map_groups"), key="map_groups",
                 height=100)
params.sync({"method": "map_method", "dims": ("map_dims", str), "n": ("map_n", str), "color": "map_colour",
             "clusters": ("map_kc", str), "groups": "map_groups", "q": "map_query", "k": ("map_nn", str),
             "compare": ("map_compare", params.from_bool)})

# -- which points: the n most frequent, plus searched / grouped words not among them -----------------
n = None if n_choice == "all" else int(n_choice)
base = cached.frequent_rows(es, n)
extra_words: list[str] = []
highlight_word, full_nn = None, []
if query and lesson_bar.revealed():   # a lesson's 'where will it land?' first, then the word
    word = es.find(query)
    if word is not None:
        if word != query:
            st.caption(md_text(f"Matched ignoring case: {query} → {word}."))
        highlight_word = word
        full_nn = cached.neighbors(es, word, k_nn)[0]
        extra_words += [word] + [nb.token for nb in full_nn]
    else:
        st.error(md_text(es.unknown_error([query])))
groups = parse_groups(st.session_state.map_groups) if colour == "groups" else {}
grouped = {name: es.resolve(ws, drop_missing=True) for name, ws in groups.items()}
groups = {name: list(r.tokens) for name, r in grouped.items()}
group_words = [w for ws in groups.values() for w in ws]
unknown = list(dict.fromkeys(w for r in grouped.values() for w in r.missing))
if unknown:
    st.warning(md_text(es.unknown_error(unknown)) + " — left out.")
points = map_points(es, base, added=extra_words + group_words, highlight=highlight_word,
                    neighbors=[nb.token for nb in full_nn])
rows, extra, tokens = points.rows, points.extra, list(points.tokens)
st.caption(f"Drawn: {points.describe(cached.points_description(es, n), len(es))}.")
hl, nn_pos = points.highlight, list(points.neighbor_positions)
isolate = bool(highlight_word) and st.toggle(
    "Zoom to the searched word and its neighbours", key="map_isolate",
    help="Redraws only the searched word and its neighbours, each labelled, so the labels do not knot.")
if dims == 3:
    st.caption("Axes: " + ("the share of the spread each principal component keeps." if method == "pca" else
                           f"{METHODS[method]} axes have no unit: only closeness counts."))
figure_slot = st.empty()     # the figure; while a new layout computes: a progress bar and the previous figure

# -- projection ------------------------------------------------------------------------------------
# Every layout is fitted to the base points only (once per set, size, method and dimensions; cached
# in memory and on disk) and added words are placed in it, so a search moves nothing and never refits:
# PCA transforms them, UMAP / t-SNE put each at the weighted mean of its nearest base points.
try:
    if method == "pca":
        proj = cached.projection(es, base, "pca", dims)
        coords = cached.pca_coords(es, base, extra, dims)
    else:
        proj = layout_projection(es, base, method, dims, figure_slot, f"{METHODS[method]} of {len(base):,} points")
        coords = cached.layout_coords(es, base, extra, proj.coords)
except embedlab.EmbedLabError as exc:
    figure_slot.empty()
    st.error(md_text(exc))
    st.stop()
if method == "pca" and proj.explained_variance_ratio is not None:
    evr = proj.explained_variance_ratio
    axis_titles = [f"PC {i + 1} ({evr[i]:.1%}" + (")" if dims == 3 else " of the spread)") for i in range(dims)]
else:    # a 3-D scene clips long axis titles: short ones there, the caveat in a caption
    axis_titles = [f"{METHODS[method]} {i + 1}" + ("" if dims == 3 else " (no unit: only closeness counts)")
                   for i in range(dims)]

# -- colours -----------------------------------------------------------------------------------------
labels = values = order = meta = None
value_title = ""
overlap = trust = None
try:
    if colour == "kmeans" and len(base) >= 3:
        kc = min(n_clusters, len(base) - 1)
        names = cached.cluster_names(es, base, kc)
        labels = [f"cluster {i + 1}: {names[i]}" for i in cached.cluster_labels(es, base, extra, kc)]
    elif colour == "kind":
        kinds = es.meta.get("kind")
        if kinds is None:
            st.info("This set has no token kinds (word, subword, number …); try the minilm-tokens set.")
        else:
            labels = [kinds[i] for i in rows]
    elif colour == "groups":
        labels = group_labels(tokens, groups)
        order = [OTHER] + list(groups)
    elif colour.startswith(umeta.PREFIX):
        meta = umeta.colouring(es, colour, rows)
        labels, order, values, value_title = meta.labels, meta.order, meta.values, meta.value_title
    # measured on the base points (stable under a search), shown for the added words as well; only the
    # distortion colouring needs it before the figure (else it is measured after the figure is sent)
    if len(base) > OVERLAP_K + 1 and colour == "distortion":
        overlap, trust = cached.distortion(es, base, coords[: len(base)], OVERLAP_K)
    if colour == "distortion" and overlap is not None:
        full = cached.distortion(es, rows, coords, OVERLAP_K)[0] if len(extra) else overlap
        values, value_title = full, f"share of its {OVERLAP_K} neighbours kept"
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))

view = umeta.filtered_view(map_view(coords, tokens, labels=labels, values=values, highlight=hl, neighbor_rows=nn_pos,
                                   isolate=isolate, group_rows=[i for i, t in enumerate(tokens) if t in set(group_words)]),
                          meta)
fig = map_figure(view.coords, view.tokens, labels=view.labels, values=view.values, value_title=value_title,
                 highlight=view.highlight, neighbor_rows=view.neighbor_rows, axis_titles=axis_titles,
                 category_order=order, labelled=view.labelled, hover_title=meta.column if meta else "")
density_note = umeta.density_layer(fig, es, base, method=method, dims=dims, drawn=len(view.tokens))
remember_figure(fig)
figure_block = figure_slot.container()
fig_col, side_col = (figure_block.columns([3, 1]) if highlight_word and not present else
                     (figure_block.container(), figure_block.container() if highlight_word else None))
with fig_col:
    if dims == 2:
        event = map_chart.selectable_chart(lesson_bar.clickable(fig), key="map_chart", click=lesson_bar.asks_click())
        lesson_bar.map_click(event, view.tokens, view.coords)
    else:
        plotly_chart(fig, width="stretch", key="map_chart3d", config={"displaylogo": False})
        event = None
    for note in (density_note, meta.note if meta else ""):
        if note:
            st.caption(md_text(note))
    if trust is None and OVERLAP_K + 1 < len(base) <= 5000:
        # after the figure: the browser draws it meanwhile (0.7 s for 5,000 points on a cold server)
        try:
            overlap, trust = cached.distortion(es, base, coords[: len(base)], OVERLAP_K)
        except embedlab.EmbedLabError as exc:
            st.error(md_text(exc))
    if trust is not None:
        st.caption(f"Trustworthiness of this picture: **{trust:.3f}** (1 = every point's {OVERLAP_K} nearest "
                   "neighbours in the picture are also near it in the full space). On average a point keeps "
                   f"{float(np.mean(overlap)):.0%} of its {OVERLAP_K} real neighbours in the picture.")
    elif len(rows) > OVERLAP_K + 1:
        st.caption("Choose *Colour by: distortion* to measure how faithful this picture is (takes a moment "
                   "for this many points).")
if highlight_word:
    with side_col:
        near2d = picture_neighbours(coords, tokens, hl, [nb.token for nb in full_nn])
        st.markdown(f"**Neighbours of “{md_text(highlight_word)}”**")
        st.dataframe(pd.DataFrame({
            "full space": [nb.token for nb in full_nn],
            "cosine": [round(nb.score, 3) for nb in full_nn],
            "in the picture": [t + ("" if real else " ✗") for t, real in zip(near2d.tokens, near2d.real)],
        }), hide_index=True, width="stretch", key="map_nn_table",
            column_config={"cosine": st.column_config.NumberColumn(format="%.3f")})   # 0.690, not 0.69
        st.caption(f"Left: the real nearest words. Right: the nearest dots in this picture; ✗ marks a dot that "
                   f"is not a real neighbour. {near2d.kept} of {len(full_nn)} agree.")

# -- selection and downloads ---------------------------------------------------------------------
sel = [i for i in selected_rows(event) if 0 <= i < len(view.tokens)] if event is not None else []
if view.positions is not None:
    sel = [view.positions[i] for i in sel]
table = pd.DataFrame({"token": tokens, **{f"{'xyz'[d]}": coords[:, d] for d in range(dims)}})
if labels is not None:
    table["colour"] = labels
d1, d2 = st.columns(2)
d1.download_button("Download the drawn coordinates (CSV)", lambda t=table.copy(): csv_bytes(t), on_click="ignore",
                   file_name=f"{file_stem(es.name)}-{method}-{dims}d.csv", mime="text/csv", key="map_dl_all")
map_export.buttons(fig, table, sel if dims == 2 else [], es=es, method=METHODS[method], dims=dims,
                   drawn=points.describe(cached.points_description(es, n), len(es)), colour=colours[colour],
                   query=highlight_word or "", stem=f"{file_stem(es.name)}-{method}-{dims}d")
if dims == 2:
    if sel:
        st.markdown(f"**Selected: {len(sel):,} words**")
        st.write(md_text(", ".join(tokens[i] for i in sel[:300])) + (" …" if len(sel) > 300 else ""))
        d2.download_button("Download the selection (CSV)", lambda t=table.iloc[sel].copy(): csv_bytes(t),
                           on_click="ignore",
                           file_name=f"{file_stem(es.name)}-selection.csv", mime="text/csv", key="map_dl_sel")
    else:
        st.caption("Draw a lasso or a box on the map (drag on the picture) to list the words inside it.")

# -- side by side -------------------------------------------------------------------------------------
st.divider()
compare = st.toggle("Compare PCA, UMAP and t-SNE of these points side by side",
                    value=params.value("map_compare"), key="map_compare")
params.sync({"compare": ("map_compare", params.from_bool)})
if compare:
    todo = [m for m in METHODS if not cached.has_projection(es, base, m, 2)]
    if todo:
        with st.status("Computing " + ", ".join(METHODS[m] for m in todo) + "…", expanded=True) as status:
            for m in todo:
                status.update(label=f"Computing {METHODS[m]} of {len(base):,} points…")
                cached.projection(es, base, m, 2)
            status.update(label="PCA, UMAP and t-SNE computed", state="complete", expanded=False)
    projections = {METHODS[m]: (cached.pca_coords(es, base, extra, 2) if m == "pca" else
                                cached.layout_coords(es, base, extra, cached.projection(es, base, m, 2).coords))
                   for m in METHODS}
    plotly_chart(compare_figure(projections, tokens, highlight=hl, neighbor_rows=nn_pos or (), labels=labels,
                                category_order=order),
                 width="stretch", key="map_compare_chart", config={"displaylogo": False})
    st.caption("The same points, three ways. PCA keeps the big directions; UMAP and t-SNE keep who is next to "
               "whom but move whole groups freely — distances between far-apart groups mean little there.")
