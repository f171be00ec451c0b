"""Plots of multivariate Hawkes fits: the adjacency (branching) matrix as a heat map."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import get_ax

__all__ = ["plot_adjacency", "plot_discrete_fit"]


def plot_adjacency(
    result: Any, ax: Any = None, *, cmap: str = "Blues", annotate: bool = True
) -> Any:
    """Draw ``result.adjacency`` (rows = receiving stream, columns = source) as a heat map.

    Parameters
    ----------
    result : MultivariateHawkesResult or DiscreteHawkesResult
        Anything with an ``adjacency`` DataFrame.
    ax : matplotlib Axes, optional
    cmap : str, default "Blues"
    annotate : bool, default True
        Write each estimate in its cell.

    Returns
    -------
    matplotlib Axes
    """
    adj = result.adjacency
    d = adj.shape[0]
    own_figure = ax is None
    ax = get_ax(ax, figsize=(1.4 * d + 3.0, 1.2 * d + 2.0))
    values = np.asarray(adj.values, float)
    vmax = max(float(np.nanmax(values)) if np.isfinite(values).any() else 0.0, 1e-12)
    im = ax.imshow(values, cmap=cmap, vmin=0.0, vmax=vmax)
    ax.set_xticks(range(d))
    ax.set_xticklabels([str(c) for c in adj.columns], rotation=30, ha="right")
    ax.set_yticks(range(d))
    ax.set_yticklabels([str(r) for r in adj.index])
    ax.set_xlabel("source stream")
    ax.set_ylabel("receiving stream")
    radius = getattr(result, "spectral_radius", None)
    title = "Adjacency (expected direct offspring)"
    if radius is not None:
        title += f"\nspectral radius {radius:.3g}"
    ax.set_title(title)
    if annotate:
        for i in range(d):
            for j in range(d):
                v = values[i, j]
                if not np.isfinite(v):  # a stream that was not modelled (receivers=)
                    ax.text(j, i, "not fitted", ha="center", va="center", color="0.5")
                    continue
                color = "white" if v > 0.6 * vmax else "black"
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", color=color)
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    if own_figure:
        ax.figure.tight_layout()
    return ax


def plot_discrete_fit(result: Any, stream: str | None = None, ax: Any = None) -> Any:
    """Observed counts per bin against the fitted conditional mean of a discrete Hawkes fit.

    Parameters
    ----------
    result : DiscreteHawkesResult
    stream : str, optional
        A modelled stream (default: the first).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    fitted = result.fitted()
    name = stream if stream is not None else fitted.columns[0]
    ax = get_ax(ax, figsize=(9.0, 3.5))
    counts = result.counts_frame()[name]
    x = fitted.index
    ax.plot(x, counts.to_numpy(), color="0.6", lw=0.8, label="observed")
    ax.plot(x, fitted[name].to_numpy(), color="C0", lw=1.2, label="fitted mean")
    ax.set_ylabel("events per bin")
    ax.set_title(f"Discrete Hawkes fit: {name}")
    ax.legend(loc="upper right", frameon=False)
    return ax
