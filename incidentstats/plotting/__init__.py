"""Plotting: the only subpackage that imports matplotlib.

Every function takes ``ax=None`` (a new figure is made when omitted), draws, and returns the
Axes; nothing here calls ``plt.show()``. Modules are imported lazily by result objects'
``plot()`` methods, so ``import incidentstats`` never imports matplotlib.
"""

from __future__ import annotations

from typing import Any

__all__ = ["get_ax"]


def get_ax(ax: Any = None, figsize: tuple[float, float] = (8.0, 4.0)) -> Any:
    """Return ``ax`` or a fresh Axes on a new figure (Agg-safe; no global state changed)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax
