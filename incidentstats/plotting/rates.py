"""Plots for rate changes: event timeline with windows and rates, placebo distributions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import get_ax

__all__ = ["plot_multiple_triggers", "plot_placebo", "plot_rate_change"]


def _daily_counts(times: pd.DatetimeIndex, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
    """Events per calendar day in [lo, hi) (for display)."""
    if len(times) == 0:
        return pd.Series(dtype=float)
    days = times.normalize()
    counts = pd.Series(1, index=days).groupby(level=0).sum()
    return counts[(counts.index >= lo.normalize()) & (counts.index < hi)]


def _rate_band(
    ax: Any, lo: Any, hi: Any, rate: float, low: float, high: float, color: str, label: str
) -> None:
    ax.fill_between([lo, hi], [low, low], [high, high], color=color, alpha=0.25, lw=0)
    ax.plot([lo, hi], [rate, rate], color=color, lw=2, label=label)


def plot_rate_change(result: Any, ax: Any = None) -> Any:
    """Events per day around the trigger, both windows shaded, each window's rate per day with
    its exact interval, and the trigger marked. Returns the Axes."""
    ax = get_ax(ax, figsize=(8.0, 4.0))
    w = result.windows
    unit_days = _unit_days(result.unit)
    ri = result.rate_intervals()
    if w is None:
        # counts only: two bars with intervals
        xs = np.arange(2)
        rates = ri["rate"].to_numpy(float) / unit_days
        err = np.vstack([rates - ri["ci_low"] / unit_days, ri["ci_high"] / unit_days - rates])
        ax.bar(xs, rates, color=["C0", "C1"], alpha=0.6)
        ax.errorbar(xs, rates, yerr=err, fmt="none", ecolor="k", capsize=4)
        ax.set_xticks(xs, ["before", "after"])
        ax.set_ylabel("Events per day")
    else:
        times = result._event_times if result._event_times is not None else pd.DatetimeIndex([])
        daily = _daily_counts(times, w.before_start, w.after_end)
        if len(daily):
            ax.vlines(
                daily.index, 0, daily.to_numpy(), color="0.35", lw=1.2, label="events per day"
            )
        ax.axvspan(w.before_start, w.before_end, color="C0", alpha=0.08)
        ax.axvspan(w.after_start, w.after_end, color="C1", alpha=0.08)
        if w.before_end < w.after_start:
            ax.axvspan(w.before_end, w.after_start, color="0.6", alpha=0.25, label="excluded")
        for key, lo, hi, color in (
            ("before", w.before_start, w.before_end, "C0"),
            ("after", w.after_start, w.after_end, "C1"),
        ):
            row = ri.loc[key]
            _rate_band(
                ax,
                lo,
                hi,
                row["rate"] / unit_days,
                row["ci_low"] / unit_days,
                row["ci_high"] / unit_days,
                color,
                f"rate {key}: {row['rate'] / unit_days:.3g}/day",
            )
        ax.axvline(w.trigger, color="k", ls="--", lw=1, label=f"trigger {_d(w.trigger)}")
        ax.set_ylabel("Events per day")
        ax.set_ylim(bottom=0)
        _rotate_dates(ax)
    ci = result.confidence_interval()
    pct = f"{100 * result.confidence_level:g}%"
    what = "ratio" if result.compare == "ratio" else "difference"
    ax.set_title(
        f"Rate {what} {result.estimate:.3g} ({pct} CI {ci.low:.3g}–{ci.high:.3g}), "
        f"p = {result.pvalue:.3g} [{result.method}]",
        fontsize="medium",
    )
    if w is not None:
        ax.legend(loc="upper left", frameon=False, fontsize="small")
    return ax


def plot_placebo(result: Any, ax: Any = None) -> Any:
    """Histogram of the placebo statistics with the statistic at the trigger marked."""
    ax = get_ax(ax, figsize=(6.0, 4.0))
    vals = result.placebo.to_numpy(float)
    ax.hist(vals, bins=min(40, max(10, len(vals) // 10)), color="0.7", edgecolor="0.4")
    ax.axvline(result.observed, color="C3", lw=2, label=f"at the trigger: {result.observed:.3g}")
    if result.alternative == "two-sided":
        ax.axvline(-result.observed, color="C3", lw=1, ls=":")
    ax.set_xlabel(
        "Change statistic (" + ("score z" if result.statistic == "score" else "log ratio") + ")"
    )
    ax.set_ylabel("Placebo dates")
    ax.set_title(f"{result.n_placebo} placebo dates: p = {result.pvalue:.3g}", fontsize="medium")
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    return ax


def plot_multiple_triggers(result: Any, ax: Any = None) -> Any:
    """Events per day over the series with each window's rate and exact interval."""
    ax = get_ax(ax, figsize=(9.0, 4.0))
    lo, hi = result._window
    daily = _daily_counts(result._event_times, lo, hi)
    if len(daily):
        ax.vlines(daily.index, 0, daily.to_numpy(), color="0.45", lw=1, label="events per day")
    unit_days = _unit_days(result.results[0].unit)
    drawn = set()
    for i, r in enumerate(result.results):
        w = r.windows
        ri = r.rate_intervals()
        for key, a, b in (
            ("before", w.before_start, w.before_end),
            ("after", w.after_start, w.after_end),
        ):
            span = (a, b)
            if span in drawn:
                continue
            drawn.add(span)
            row = ri.loc[key]
            color = f"C{len(drawn) % 10}"
            _rate_band(
                ax,
                a,
                b,
                row["rate"] / unit_days,
                row["ci_low"] / unit_days,
                row["ci_high"] / unit_days,
                color,
                f"{_d(a)}–{_d(b)}",
            )
        ax.axvline(w.trigger, color="k", ls="--", lw=1)
        ax.text(w.trigger, 1.0, f" {i + 1}", transform=ax.get_xaxis_transform(), va="top")
    ax.set_ylabel("Events per day")
    ax.set_ylim(bottom=0)
    ax.set_title("Rates between triggers (exact intervals)", fontsize="medium")
    ax.legend(loc="upper right", frameon=False, fontsize="x-small")
    _rotate_dates(ax)
    return ax


def _unit_days(unit: str) -> float:
    return {"D": 1.0, "W": 7.0, "h": 1 / 24, "min": 1 / 1440, "s": 1 / 86400}.get(unit, 1.0)


def _d(ts: pd.Timestamp) -> str:
    return str(ts.date()) if ts == ts.normalize() else str(ts)


def _rotate_dates(ax: Any) -> None:
    """Slant this Axes' date labels (unlike ``Figure.autofmt_xdate``, leaves other Axes)."""
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
