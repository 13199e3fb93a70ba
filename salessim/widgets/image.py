"""Figures as images for the lessons' dashboards (R3.3.1)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def png(fig: Figure, dpi: float | None = None) -> bytes:
    """The figure as PNG bytes for an ``ipywidgets.Image``, quick to encode.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to draw.
    dpi : float, optional
        Dots per inch; the figure's own by default. A lower value draws faster.

    Returns
    -------
    bytes
        The PNG file's bytes (light compression: a dashboard redraws on every move).
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
