"""Plots of fitted Hawkes / Poisson models: conditional intensity and model comparison."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import get_ax

__all__ = ["plot_comparison", "plot_intensity"]


def plot_intensity(result: Any, ax: Any = None, n_points: int = 2000) -> Any:
    """Conditional intensity λ(t) of a fitted model over its window, events as a rug.

    The grid includes the event times, so every jump of λ is drawn. Returns the Axes.
    """
    ax = get_ax(ax, figsize=(9.0, 3.5))
    T = result.T
    t = result.times
    grid = np.linspace(0.0, T, int(n_points))
    if t.size <= 20_000:
        grid = np.union1d(grid, np.concatenate([t, np.nextafter(t, np.inf)]))
    lam = result.intensity(grid)
    unit = result.unit
    ax.plot(grid, lam, lw=1.0, color="C0", label="intensity λ(t)")
    mu = result.process.baseline.rate(grid, {k: float(v) for k, v in result.params.items()})
    ax.plot(grid, mu, lw=1.0, ls="--", color="C1", label="background μ(t)")
    ymin = 0.0
    ax.plot(t, np.full(t.size, ymin), "|", color="k", ms=8, alpha=0.6, label="events")
    ax.set_xlim(0, T)
    ax.set_ylim(bottom=ymin)
    ax.set_xlabel(f"time since {result.events.start} ({unit})")
    ax.set_ylabel(f"events per {unit}")
    ax.set_title(result.model_name)
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    return ax


def plot_comparison(comparison: Any, ax: Any = None) -> Any:
    """Horizontal bars of ΔAIC (0 = best model). Returns the Axes."""
    ax = get_ax(ax, figsize=(7.0, 0.6 + 0.5 * len(comparison.table)))
    tab = comparison.table
    y = np.arange(len(tab))
    ax.barh(y, tab["dAIC"].to_numpy(), color="C0")
    ax.set_yticks(y)
    ax.set_yticklabels([str(i) for i in tab.index])
    ax.invert_yaxis()
    ax.set_xlabel("ΔAIC (0 = lowest AIC)")
    return ax
