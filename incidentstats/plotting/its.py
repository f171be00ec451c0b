"""Plot of an interrupted time series: observed counts, fitted model and counterfactual."""

from __future__ import annotations

from typing import Any

from . import get_ax

__all__ = ["plot_its"]


def plot_its(result: Any, ax: Any = None, *, confidence_level: float | None = None) -> Any:
    """Observed counts per bin (points), the fitted segmented model (line) and, after the
    (first) trigger, the counterfactual without the intervention with its interval (dashed,
    shaded). Returns the Axes."""
    ax = get_ax(ax, figsize=(8.0, 4.0))
    cf = result.counterfactual(confidence_level)
    x = cf.index
    ax.plot(x, cf["observed"], "o", ms=3, color="0.3", label="observed")
    ax.plot(x, cf["fitted"], color="C0", lw=1.8, label="fitted")
    post = x >= result.triggers[0]
    ax.plot(
        x[post], cf["counterfactual"][post], color="C1", ls="--", lw=1.5, label="counterfactual"
    )
    ax.fill_between(x[post], cf["cf_low"][post], cf["cf_high"][post], color="C1", alpha=0.2, lw=0)
    for t in result.triggers:
        ax.axvline(t, color="k", ls=":", lw=1)
    lc = result.level_change
    ci = lc.confidence_interval()
    pct = f"{100 * ci.confidence_level:g}%"
    ax.set_title(
        f"Level change {lc.ratio:.3g} ({pct} CI {ci.low:.3g}–{ci.high:.3g}), {result.family}",
        fontsize="medium",
    )
    ax.set_ylabel(f"Events per bin ({result.counts.freq})")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    _rotate_dates(ax)
    return ax


def _rotate_dates(ax: Any) -> None:
    """Slant this Axes' date labels (unlike ``Figure.autofmt_xdate``, leaves other Axes)."""
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
