"""The Documents page's map: documents as points, the question as a point of its own, the results
above a relevance cut-off coloured and labelled, the ones below it left grey.

>>> import numpy as np
>>> fig = documents_figure(np.zeros((3, 2)), ["a", "b", "c"], query_xy=[0.0, 0.0], query="q?",
...                        hit_rows=[0], weak_rows=[1], cutoff=0.25)
>>> [t.name for t in fig.data]
['other (1)', 'result, cosine below 0.25 (1)', 'result, cosine ≥ 0.25 (1)', None, 'your question']
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .maps import OTHER, map_figure
from .style import FONT_SIZE, HIGHLIGHT, escape_plotly_text

__all__ = ["documents_figure"]


def documents_figure(coords, tokens: Sequence[str], *, query_xy=None, query: str = "",
                     hit_rows: Sequence[int] = (), weak_rows: Sequence[int] = (), cutoff: float = 0.25,
                     axis_titles: Sequence[str] = ("dimension 1", "dimension 2"), title: str = "",
                     height: int = 600):
    """The documents' map (2-D or 3-D ``coords``, one per token) with the question at ``query_xy``.

    ``hit_rows`` (cosine >= ``cutoff``) are coloured and labelled; ``weak_rows`` (results below the
    cut-off) get a legend entry of their own in grey-blue, unlabelled; no lines are drawn.
    """
    import plotly.graph_objects as go

    hit = f"result, cosine ≥ {cutoff:.2f}"
    weak = f"result, cosine below {cutoff:.2f}"
    labels = [OTHER] * len(tokens)
    for r in weak_rows:
        labels[int(r)] = weak
    for r in hit_rows:
        labels[int(r)] = hit
    fig = map_figure(coords, tokens, labels=labels, category_order=[OTHER, weak, hit],
                     axis_titles=axis_titles, title=title, height=height)
    hit_name = escape_plotly_text(hit)
    for tr in fig.data:
        if tr.name.startswith(escape_plotly_text(weak)):
            tr.marker.color = "#9fb4c7"
        if not tr.name.startswith(hit_name):   # only the hits get labels (presenter mode labels small traces)
            tr.text = [""] * len(tr.x)
    c = np.asarray(coords, dtype=np.float32)
    if hit_rows and c.shape[1] == 2:
        rows = [int(r) for r in hit_rows]
        fig.add_trace(go.Scatter(x=c[rows, 0], y=c[rows, 1], mode="text", showlegend=False, hoverinfo="skip",
                                 text=[escape_plotly_text(tokens[r]) for r in rows],
                                 textposition=[("top center", "bottom center")[i % 2] for i in range(len(rows))],
                                 textfont=dict(size=FONT_SIZE - 1, color="#333333")))
        for tr in fig.data:
            if tr.name and tr.name.startswith(hit_name):
                tr.text = [""] * len(tr.x)
    if query_xy is not None:
        q = np.asarray(query_xy, dtype=np.float32).ravel()
        name = "your question"
        hover = escape_plotly_text(query) or name
        marker = dict(size=20, color=HIGHLIGHT, symbol="star" if q.size == 2 else "diamond",
                      line=dict(color="white", width=1))
        if q.size == 3:
            fig.add_trace(go.Scatter3d(x=[q[0]], y=[q[1]], z=[q[2]], mode="markers", name=name, marker=marker,
                                       hovertext=[hover], hovertemplate="<b>%{hovertext}</b><extra></extra>"))
        else:
            fig.add_trace(go.Scatter(x=[q[0]], y=[q[1]], mode="markers", name=name, marker=marker,
                                     hovertext=[hover], hovertemplate="<b>%{hovertext}</b><extra></extra>",
                                     text=[""]))
    fig.update_layout(legend=dict(orientation="h", x=0, y=-0.18, xanchor="left", yanchor="top"))
    return fig
