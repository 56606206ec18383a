"""Where all the points of a set lie, when only a sample is drawn: a faint density layer under the map.

A browser draws at most a few tens of thousands of points (see
:data:`embedlab.viz.map_points.DRAW_LIMIT`); a larger set is drawn as a sample. The density layer
bins *every* row's 2-D position (PCA: the plane fitted to the drawn sample, applied to all rows in
chunks: 4.9 s for 1,000,000 x 300 measured on the shared 2-core machine under a load of ~24, 1.4x faster than
the plane's float64 transform in the same run; cached per set and sample) into a grid, and draws the grid as a faint heatmap
under the dots, so a sample is never mistaken for the whole set. UMAP and t-SNE layouts are fitted
to the drawn sample only; placing a million more points in them would mean a neighbour search per
point, so the density layer is drawn for PCA maps only (the page says so).

>>> c = np.array([[0, 0], [0, 0], [1, 1], [1, 0.9]], np.float32)
>>> d = density_grid(c, bins=2)
>>> d.z.tolist(), d.total
([[2.0, 0.0], [0.0, 2.0]], 4)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..core.validate import check_int, invalid

__all__ = ["DENSITY_BINS", "Density", "density_grid", "project_all", "add_density", "density_caption"]

DENSITY_BINS = 80
"""Grid cells per axis of the density layer."""
_CHUNK = 8192


@dataclass(frozen=True)
class Density:
    """Counts of points per grid cell.

    Attributes
    ----------
    x, y : ndarray
        ``(bins,) float64`` cell centres.
    z : ndarray
        ``(bins, bins) float64``: ``z[j, i]`` counts the points in the cell at ``(x[i], y[j])``
        (plotly's heatmap orientation).
    total : int
        How many points were binned.
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    total: int


def density_grid(coords, *, bins: int = DENSITY_BINS, extent: tuple[float, float, float, float] | None = None
                 ) -> Density:
    """Bin ``(n, 2)`` coordinates into a ``bins`` x ``bins`` grid over their extent (or ``extent`` =
    ``(xmin, xmax, ymin, ymax)``).

    Raises
    ------
    InvalidParameterError
        Coordinates not of shape (n, 2) with n >= 1, or a bad ``bins``.
    """
    bins = check_int(bins, "bins", minimum=2, maximum=1000)
    c = np.asarray(coords)
    if c.ndim != 2 or c.shape[1] != 2 or len(c) == 0:
        raise invalid("coords", f"shape {c.shape}", "an (n, 2) array with at least one row")
    if extent is None:
        extent = (float(c[:, 0].min()), float(c[:, 0].max()), float(c[:, 1].min()), float(c[:, 1].max()))
    x0, x1, y0, y1 = extent
    x1 = x1 if x1 > x0 else x0 + 1.0
    y1 = y1 if y1 > y0 else y0 + 1.0
    counts, xe, ye = np.histogram2d(c[:, 0], c[:, 1], bins=bins, range=[[x0, x1], [y0, y1]])
    return Density(x=(xe[:-1] + xe[1:]) / 2, y=(ye[:-1] + ye[1:]) / 2, z=counts.T, total=int(len(c)))


def project_all(vectors, mean, components, *, chunk: int = _CHUNK) -> np.ndarray:
    """Every row of ``vectors`` in a fitted PCA plane (``mean`` ``(d,)``, ``components`` ``(2, d)``, as
    :class:`embedlab.core.linalg.PCAPlane` holds them): ``(n, 2) float32``. One float32 matrix
    product per chunk (``v @ C.T - mean @ C.T``), so the temporary memory is one chunk's (the plane's own
    ``transform`` converts to float64 first; see the module notes for the time measured).

    >>> v = np.array([[1, 2], [3, 4], [5, 6]], np.float32)
    >>> project_all(v, np.array([1.0, 2.0]), np.array([[0.0, 1.0], [1.0, 0.0]]), chunk=2).tolist()
    [[0.0, 0.0], [2.0, 2.0], [4.0, 4.0]]
    """
    chunk = check_int(chunk, "chunk", minimum=1)
    comp = np.ascontiguousarray(np.asarray(components)[:2].T, dtype=np.float32)          # (d, 2)
    offset = (np.asarray(mean, dtype=np.float64) @ np.asarray(components, dtype=np.float64)[:2].T).astype(np.float32)
    n = len(vectors)
    out = np.empty((n, 2), dtype=np.float32)
    for s in range(0, n, chunk):
        np.matmul(vectors[s:s + chunk], comp, out=out[s:s + chunk])
        out[s:s + chunk] -= offset
    return out


def add_density(fig, density: Density):
    """Draw ``density`` as a faint heatmap under every other trace of a 2-D map ``fig`` (in place).

    Empty cells stay transparent; counts are shown on a log scale so sparse regions still show.
    The layer takes no hover, no legend entry and no selection (``customdata`` is left out).

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig``.
    """
    import plotly.graph_objects as go

    z = np.log1p(density.z)
    z[density.z == 0] = np.nan
    layer = go.Heatmap(x=density.x, y=density.y, z=z, name="all points (density)", showscale=False,
                       hoverinfo="skip", zsmooth="best", opacity=0.55,
                       colorscale=[[0.0, "rgba(0,114,178,0.10)"], [1.0, "rgba(0,60,110,0.85)"]])
    fig.add_trace(layer)
    fig.data = (fig.data[-1],) + tuple(fig.data[:-1])
    return fig


def density_caption(total: int, drawn: int) -> str:
    """The sentence under a map with a density layer.

    >>> density_caption(1_000_000, 5_000)
    'Shaded: where all 1,000,000 points lie; dots: the 5,000 drawn.'
    """
    return f"Shaded: where all {total:,} points lie; dots: the {drawn:,} drawn."
