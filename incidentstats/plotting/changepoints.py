"""Plots of change-point results: data, segment rates and change-date intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import get_ax

__all__ = ["plot_changepoints", "plot_penalty_path"]


def plot_changepoints(result: Any, ax: Any = None, intervals: bool = True) -> Any:
    """Counts per bin (or cumulative events) with the fitted segment rates and the change dates.

    Counts are drawn as bars with the fitted mean per bin (segment rate x exposure) as a
    step line; event times as the cumulative number of events with the fitted cumulative
    mean. Each change is a dashed vertical line, its interval a shaded band.
    """
    ax = get_ax(ax)
    pdata = result._plot_data
    seg = result.segments
    if pdata.get("kind") == "counts":
        edges = pd.DatetimeIndex(pdata["edges"])
        y, e = np.asarray(pdata["y"]), np.asarray(pdata["e"])
        widths = np.diff(edges.asi8) / 86_400e9
        left = edges[:-1]
        if len(y) <= 3000:
            ax.bar(left, y, width=widths, align="edge", color="0.75", label="counts")
        else:
            ax.step(edges, np.r_[y, y[-1]], where="post", color="0.6", lw=0.6, label="counts")
        mu = np.empty(len(y))
        starts = edges.asi8[:-1]
        for row in seg.itertuples(index=False):
            mask = (starts >= pd.Timestamp(row.start).value) & (
                starts < pd.Timestamp(row.end).value
            )
            mu[mask] = row.rate * e[mask]
        ax.step(edges, np.r_[mu, mu[-1]], where="post", color="C0", lw=2, label="fitted mean")
        ax.set_ylabel("events per bin")
    else:
        times = pd.DatetimeIndex(pdata["times"])
        start, end = pdata["start"], pdata["end"]
        xs = pd.DatetimeIndex([start]).append(times).append(pd.DatetimeIndex([end]))
        ys = np.r_[0, np.arange(1, len(times) + 1), len(times)]
        ax.step(xs, ys, where="post", color="0.4", lw=1, label="events")
        bx = [pd.Timestamp(seg["start"].iloc[0])] + [pd.Timestamp(t) for t in seg["end"]]
        cum = np.r_[0.0, np.cumsum(seg["rate"].to_numpy() * seg["exposure"].to_numpy())]
        ax.plot(bx, cum, color="C0", lw=2, label="fitted cumulative mean")
        ax.set_ylabel("cumulative events")
    lu = result.location_uncertainty
    for i, c in enumerate(result.changepoints):
        ax.axvline(c, color="C3", ls="--", lw=1.2, label="change" if i == 0 else None)
        if intervals and i < len(lu):
            lo, hi = lu["low"].iloc[i], lu["high"].iloc[i]
            if pd.notna(lo) and pd.notna(hi) and hi > lo:
                pct = round(100 * result.confidence_level)
                ax.axvspan(
                    lo, hi, color="C3", alpha=0.15, label=f"{pct}% interval" if i == 0 else None
                )
    ax.set_title(f"Change points ({result.method})")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_penalty_path(path: Any, ax: Any = None) -> Any:
    """Number of changes against the penalty per change (deviance scale)."""
    ax = get_ax(ax)
    t = path.table
    for row in t.itertuples(index=False):
        ax.hlines(row.n_changes, row.penalty_low, row.penalty_high, color="C0", lw=2)
    ax.set_xlabel("penalty per change (-2 log-likelihood units)")
    ax.set_ylabel("number of changes")
    ax.set_title("Penalty path (CROPS)")
    return ax
