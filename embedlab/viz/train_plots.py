"""Figures of the Train page: rank-frequency (Zipf) plot, loss curve, and the training animation.

Data in, plotly figure out; no Streamlit here. Words, titles and notes are plain text: they are
escaped with :func:`embedlab.viz.style.escape_plotly_text` before plotly sees them.

The animation shows the watched words in ONE fixed 2-D projection: a PCA fitted on their final
vectors and applied unchanged to every snapshot, from gensim's random start (snapshot 0) to the
trained positions, so movement in the picture is movement of the vectors, not of the axes. By
default the vectors are scaled to unit length first (cosine similarity only sees directions, and
the random start vectors are hundreds of times shorter than trained ones). Beside the picture a
table lists each word's nearest neighbours in the whole vocabulary at that epoch.

>>> import numpy as np
>>> snaps = np.random.default_rng(0).normal(size=(3, 4, 5)).astype(np.float32)
>>> coords, var = fixed_projection(snaps)
>>> coords.shape
(3, 4, 2)
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..core.errors import InvalidParameterError
from ..core.linalg import pca_plane, unit_rows
from .style import FONT_SIZE, GREY, PALETTE, colors_for, escape_plotly_text, escape_plotly_texts, figure_layout

__all__ = ["rank_frequency_figure", "loss_figure", "fixed_projection", "training_animation"]


def rank_frequency_figure(counts, words: Sequence[str] = (), *, title: str = "", max_points: int = 3000):
    """Frequency against rank on log-log axes, with Zipf's law (frequency ∝ 1/rank) for reference.

    Parameters
    ----------
    counts : array_like of int
        Type frequencies, largest first (:attr:`embedlab.io.corpus.CorpusStats.counts`).
    words : sequence of str, optional
        The types in the same order (shown on hover).
    max_points : int
        Draw at most this many points, spaced evenly in log(rank) (every rank up to there is kept
        for small vocabularies).
    """
    import plotly.graph_objects as go

    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or c.size == 0:
        raise InvalidParameterError("counts must be a non-empty 1-D array of frequencies")
    n = c.size
    if n > max_points:
        idx = np.unique(np.round(np.geomspace(1, n, max_points)).astype(np.int64)) - 1
    else:
        idx = np.arange(n)
    ranks = idx + 1
    hover = escape_plotly_texts(words[i] for i in idx) if len(words) == n else [f"rank {r}" for r in ranks]
    fig = go.Figure()
    fig.add_trace(go.Scattergl(x=ranks, y=c[idx], mode="markers", name="words in this corpus",
                               marker=dict(color=PALETTE[0], size=6), hovertext=hover,
                               hovertemplate="<b>%{hovertext}</b><br>rank %{x}<br>%{y} times<extra></extra>"))
    zipf_r = np.array([1, n], dtype=np.float64)
    fig.add_trace(go.Scatter(x=zipf_r, y=c[0] / zipf_r, mode="lines", name="Zipf's law: frequency ∝ 1/rank",
                             line=dict(color=PALETTE[5], dash="dash"), hoverinfo="skip"))
    figure_layout(fig, title=title, height=420, xtitle="word rank (1 = most frequent; log)",
                  ytitle="how often it occurs (log scale)")
    # ticks at powers of ten only, written out (plotly's default log ticks add 2 and 5 between them)
    for axis, top in ((fig.update_xaxes, n), (fig.update_yaxes, float(c[0]))):
        powers = [10 ** e for e in range(0, int(np.floor(np.log10(max(top, 1.0)))) + 2)]
        axis(type="log", tickvals=powers, ticktext=[_tick(v) for v in powers], minor=dict(showgrid=False))
    return fig


def _tick(v: int) -> str:
    """1, 10, 100, 1,000, 10k, 100k, 1M: short labels for powers of ten."""
    if v >= 10**6:
        return f"{v // 10**6:,}M"
    if v >= 10**4:
        return f"{v // 1000:,}k"
    return f"{v:,}"


def loss_figure(losses: Sequence[float | None], *, title: str = "", note: str = ""):
    """Training loss per epoch; where the loss is not reported an annotation says so.

    Parameters
    ----------
    losses : sequence of float or None
        One per epoch (None: not reported by gensim, e.g. FastText).
    """
    import plotly.graph_objects as go

    epochs = list(range(1, len(losses) + 1))
    have = [(e, v) for e, v in zip(epochs, losses) if v is not None and np.isfinite(v)]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[e for e, _ in have], y=[v for _, v in have], mode="lines+markers",
                             name="training loss of the epoch", line=dict(color=PALETTE[0]),
                             hovertemplate="epoch %{x}<br>loss %{y:,.0f}<extra></extra>"))
    if not have:
        fig.add_annotation(text=escape_plotly_text(note or "gensim does not report a training loss for this model"),
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                           font=dict(size=FONT_SIZE))
    figure_layout(fig, title=title, height=320, xtitle="epoch (one pass over the corpus)",
                  ytitle="loss (lower is better)")
    fig.update_xaxes(dtick=1 if len(epochs) <= 20 else None, range=[0.5, max(1, len(epochs)) + 0.5])
    return fig


def fixed_projection(snapshots, *, normalize: bool = True) -> tuple[np.ndarray, tuple[float, float]]:
    """Project every snapshot with one PCA fitted on the last one.

    Parameters
    ----------
    snapshots : array_like, shape (n_snapshots, n_words, dim)
    normalize : bool
        Scale every vector to unit length first (directions only).

    Returns
    -------
    coords : ndarray, shape (n_snapshots, n_words, 2), float32
    explained : (float, float)
        Share of the final vectors' variance along each of the two axes.

    Components are sign-flipped so the largest loading of each is positive (deterministic).
    """
    s = np.asarray(snapshots, dtype=np.float64)
    if s.ndim != 3 or s.shape[0] < 1 or s.shape[1] < 1 or s.shape[2] < 1:
        raise InvalidParameterError(f"snapshots must have shape (n_snapshots, n_words, dim), got {s.shape}")
    if normalize:
        s = unit_rows(s).astype(np.float64)
    final = s[-1]
    plane = pca_plane(final, 2)
    if not plane.components.any():   # one word, or all final vectors equal: no direction, use the first two axes
        comps, var = np.eye(s.shape[2], 2).T, (0.0, 0.0)
    else:
        comps = plane.components
        var = (plane.explained_variance_ratio[0], plane.explained_variance_ratio[1])
    coords = (s - plane.mean) @ comps.T
    return coords.astype(np.float32), var


def _neighbour_cells(watched, neighbors_at, k: int):
    """Table cells (escaped plotly text): each watched word's ``k`` nearest, with cosines."""
    return [escape_plotly_text(", ".join(f"{t} ({s:.2f})" for t, s in nb[:k])) for nb in neighbors_at] \
        if neighbors_at else ["" for _ in watched]


def training_animation(watched: Sequence[str], snapshots, neighbors: Sequence = (), *,
                       losses: Sequence[float | None] = (), normalize: bool = True, k: int = 3,
                       title: str = "", frame_ms: int = 600):
    """An animated figure (plotly frames): the watched words moving from their random start to
    their trained places, in one fixed PCA projection, with their nearest neighbours beside it.

    Parameters
    ----------
    watched : sequence of str
    snapshots : array_like, shape (n_snapshots, n_words, dim)
        Snapshot 0 is before training; snapshot e is after epoch e.
    neighbors : sequence, optional
        ``neighbors[e][w]`` = sequence of (token, cosine) (see ``TrainingResult.neighbors``).
    losses : sequence, optional
        Loss per epoch, shown in the frame title.
    normalize : bool
        Project unit-length vectors (see :func:`fixed_projection`).
    k : int
        Neighbours shown per word.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    snaps = np.asarray(snapshots)
    if snaps.ndim != 3 or snaps.shape[1] != len(watched):
        raise InvalidParameterError(f"snapshots of shape {snaps.shape} do not match {len(watched)} watched words")
    if len(watched) == 0:
        raise InvalidParameterError("no watched words to animate")
    if neighbors and len(neighbors) != snaps.shape[0]:
        raise InvalidParameterError(f"{len(neighbors)} neighbour lists for {snaps.shape[0]} snapshots")
    coords, var = fixed_projection(snaps, normalize=normalize)
    n_snap = coords.shape[0]
    colours = colors_for(len(watched))
    lo, hi = coords.reshape(-1, 2).min(axis=0), coords.reshape(-1, 2).max(axis=0)
    pad = (hi - lo) * 0.12 + 1e-6
    words = escape_plotly_texts(watched)        # plotly text (SVG labels, hover, table cells)

    def label(e: int) -> str:
        if e == 0:
            return "before training (random start)"
        loss = losses[e - 1] if e - 1 < len(losses) else None
        return f"after epoch {e}" + (f" · loss {loss:,.0f}" if loss is not None else "")

    def traces(e: int):
        path_x, path_y = [], []
        for w in range(len(words)):
            path_x += coords[:e + 1, w, 0].tolist() + [None]
            path_y += coords[:e + 1, w, 1].tolist() + [None]
        path = go.Scatter(x=path_x, y=path_y, mode="lines", name="path so far",
                          line=dict(color=GREY, width=1.5), hoverinfo="skip")
        pts = go.Scatter(x=coords[e, :, 0], y=coords[e, :, 1], mode="markers+text", name="watched words",
                         text=words, textposition="top center", textfont=dict(size=FONT_SIZE),
                         marker=dict(size=12, color=colours, line=dict(color="#000000", width=0.5)),
                         hovertext=words, hovertemplate="<b>%{hovertext}</b><extra></extra>")
        cells = _neighbour_cells(words, neighbors[e] if neighbors else None, k)
        table = go.Table(header=dict(values=["word", f"nearest {k} in the vocabulary (cosine)"],
                                     align="left", font=dict(size=FONT_SIZE - 2)),
                         cells=dict(values=[words, cells], align="left", font=dict(size=FONT_SIZE - 3),
                                    height=26),
                         columnwidth=[1.4, 3])     # (at [1, 4] "queen", "woman" were cut at 1024 px)
        return [path, pts, table]

    fig = make_subplots(rows=1, cols=2, column_widths=[0.58, 0.42], horizontal_spacing=0.03,
                        specs=[[{"type": "xy"}, {"type": "table"}]])
    for tr, col in zip(traces(0), (1, 1, 2)):
        fig.add_trace(tr, row=1, col=col)
    fig.frames = [go.Frame(data=traces(e), traces=[0, 1, 2], name=str(e),
                           layout=go.Layout(title_text=escape_plotly_text(f"{title + ' · ' if title else ''}{label(e)}")))
                  for e in range(n_snap)]
    steps = [dict(method="animate", label=str(e),
                  args=[[str(e)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                       transition=dict(duration=0))]) for e in range(n_snap)]
    # tall enough for the table: a row per watched word, two lines of presenter-size text each (at a
    # fixed 600 px the table of 12 words scrolled inside the figure on a projector)
    height = max(600, 260 + 46 * len(watched))
    below = 1 / (height - 220)        # paper units per pixel under the plot (margins 70 + 150 px)
    figure_layout(fig, title=f"{title + ' · ' if title else ''}{label(0)}", height=height,
                  xtitle=f"PCA axis 1 of the final vectors ({var[0]:.0%} of their variance)",
                  ytitle=f"PCA axis 2 ({var[1]:.0%})")
    fig.update_xaxes(range=[float(lo[0] - pad[0]), float(hi[0] + pad[0])], zeroline=False, row=1, col=1)
    fig.update_yaxes(range=[float(lo[1] - pad[1]), float(hi[1] + pad[1])], zeroline=False, row=1, col=1)
    fig.update_layout(
        legend=dict(orientation="h", y=-68 * below, x=0),          # pixels below the plot, whatever its height
        margin=dict(l=60, r=20, t=70, b=150),
        updatemenus=[dict(type="buttons", direction="left", x=0, y=-106 * below, xanchor="left", yanchor="top",
                          showactive=False, buttons=[
                              dict(label="▶ Play", method="animate",
                                   args=[None, dict(frame=dict(duration=frame_ms, redraw=True), fromcurrent=True,
                                                    transition=dict(duration=0), mode="immediate")]),
                              dict(label="Pause", method="animate",
                                   args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                                                      transition=dict(duration=0))])])],
        sliders=[dict(active=0, steps=steps, x=0.25, y=-91 * below, len=0.75, xanchor="left", yanchor="top",
                      currentvalue=dict(prefix="snapshot ", font=dict(size=FONT_SIZE - 2)),
                      pad=dict(t=10))],
    )
    return fig
