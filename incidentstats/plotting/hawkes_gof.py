"""Plots for Hawkes goodness of fit (QQ + residual cumulative count) and forecasts (fan)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import get_ax

__all__ = ["plot_cumulative_residuals", "plot_forecast", "plot_gof", "plot_qq"]

_KINDS = ("qq", "cumulative", "both")


def plot_qq(gof: Any, ax: Any = None, *, confidence_level: float = 0.95) -> Any:
    """Uniform QQ plot of the time-rescaled gaps with the exact KS confidence band.

    Points ``u_(i) = 1 − exp(−d_(i))`` (sorted) against ``(i − 1/2)/n``; under the model they
    stay inside the band with probability ``confidence_level`` (Brown et al. 2002).
    """
    from ..hawkes.gof import ks_band

    ax = get_ax(ax, figsize=(4.5, 4.5))
    u = np.sort(np.asarray(gof.uniform, dtype=float))
    n = u.size
    expected = (np.arange(1, n + 1) - 0.5) / n
    half = ks_band(n, confidence_level)
    grid = np.linspace(0.0, 1.0, 101)
    pct = f"{100 * confidence_level:g}%"
    ax.fill_between(
        grid,
        np.clip(grid - half, 0, 1),
        np.clip(grid + half, 0, 1),
        color="0.85",
        label=f"{pct} KS band",
    )
    ax.plot([0, 1], [0, 1], color="0.4", lw=1)
    ax.plot(expected, u, "o", ms=3, color="C0", label="rescaled gaps")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Uniform quantile")
    ax.set_ylabel("1 − exp(−rescaled gap)")
    ax.set_title(f"Time-rescaling QQ plot (KS p = {gof.pvalue:.3g})")
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    return ax


def plot_cumulative_residuals(gof: Any, ax: Any = None, *, confidence_level: float = 0.95) -> Any:
    """Cumulative count against rescaled time, with the unit-rate line and a pointwise band.

    Under the model the count at rescaled time τ is Poisson(τ); the band is
    τ ± z·√τ with z the normal quantile for ``confidence_level``.
    """
    from scipy import stats

    ax = get_ax(ax, figsize=(6.0, 4.5))
    tau = np.asarray(gof.rescaled_times, dtype=float)
    end = float(gof.total) if gof.total is not None else float(tau[-1]) if tau.size else 1.0
    grid = np.linspace(0.0, max(end, 1e-12), 200)
    z = float(stats.norm.ppf(0.5 + confidence_level / 2))
    ax.fill_between(
        grid,
        np.clip(grid - z * np.sqrt(grid), 0, None),
        grid + z * np.sqrt(grid),
        color="0.85",
        label=f"{100 * confidence_level:g}% pointwise band",
    )
    ax.plot(grid, grid, color="0.4", lw=1, label="model (unit rate)")
    ax.step(
        np.concatenate([[0.0], tau, [end]]),
        np.concatenate([[0], np.arange(1, tau.size + 1), [tau.size]]),
        where="post",
        color="C0",
        label="observed",
    )
    ax.set_xlabel("Rescaled time Λ(t)")
    ax.set_ylabel("Cumulative events")
    ax.set_title("Residual cumulative count")
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    return ax


def plot_gof(
    gof_result: Any, ax: Any = None, *, kind: str = "qq", confidence_level: float = 0.95
) -> Any:
    """Goodness-of-fit plot of a :class:`~incidentstats.hawkes.gof.GofResult`.

    Parameters
    ----------
    gof_result : GofResult
        From :func:`incidentstats.hawkes.gof.time_rescaling_test` (or ``result.gof()``).
    ax : matplotlib Axes, or a pair of Axes for ``kind="both"``, optional
        Where to draw; a new figure when omitted.
    kind : {"qq", "cumulative", "both"}, default "qq"
        QQ plot with KS band, residual cumulative count, or both side by side.
    confidence_level : float, default 0.95
        Level of the bands.

    Returns
    -------
    Axes, or a numpy array of two Axes for ``kind="both"``.
    """
    from .._validation import check_choice, check_confidence_level, error

    check_choice("kind", kind, _KINDS)
    check_confidence_level(confidence_level)
    if kind == "qq":
        return plot_qq(gof_result, ax, confidence_level=confidence_level)
    if kind == "cumulative":
        return plot_cumulative_residuals(gof_result, ax, confidence_level=confidence_level)
    if ax is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(10.0, 4.5))
    else:
        axes = np.asarray(ax, dtype=object).ravel()
        if axes.size != 2:
            raise error(
                "The `ax` parameter",
                'must be None or a pair of Axes for kind="both"',
                f"{axes.size} Axes",
            )
    plot_qq(gof_result, axes[0], confidence_level=confidence_level)
    plot_cumulative_residuals(gof_result, axes[1], confidence_level=confidence_level)
    return np.asarray(axes, dtype=object)


def plot_forecast(forecast_result: Any, ax: Any = None, *, history: str | None = "90D") -> Any:
    """Fan plot of a :class:`~incidentstats.hawkes.forecast.ForecastResult`.

    The observed cumulative count over the last ``history`` (a duration, or None to omit it)
    continues into the simulated quantile bands of the future cumulative count.
    """
    import pandas as pd

    ax = get_ax(ax, figsize=(8.0, 4.0))
    fc = forecast_result
    fan = fc.fan
    observed = 0
    hist = getattr(fc, "history", None)
    if history is not None and hist is not None and len(hist):
        from .._validation import to_timedelta

        lookback = to_timedelta("history", history)
        since = fc.start - lookback
        recent = hist[hist >= since]
        observed = int(len(recent))
        if observed:
            x = [since, *list(recent), fc.start]
            y = [0, *list(range(1, observed + 1)), observed]
            ax.step(x, y, where="post", color="k", lw=1.2, label=f"observed (last {history})")
    qcols = [c for c in fan.columns if c.startswith("q")]
    levels = sorted(qcols, key=lambda c: float(c[1:]))
    x = pd.DatetimeIndex([fc.start, *list(fan.index)])
    for i in range(len(levels) // 2):
        lo, hi = levels[i], levels[-1 - i]
        alpha = 0.15 + 0.2 * i
        ax.fill_between(
            x,
            observed + np.concatenate([[0.0], fan[lo].to_numpy(float)]),
            observed + np.concatenate([[0.0], fan[hi].to_numpy(float)]),
            color="C0",
            alpha=alpha,
            lw=0,
            label=f"{lo[1:]}-{hi[1:]}% of paths",
        )
    if "q50" in fan.columns:
        ax.plot(
            x,
            observed + np.concatenate([[0.0], fan["q50"].to_numpy(float)]),
            color="C0",
            label="median path",
        )
    ax.plot(
        x,
        observed + np.concatenate([[0.0], fan["mean"].to_numpy(float)]),
        color="C1",
        ls="--",
        label="expected",
    )
    ax.axvline(fc.start, color="0.5", lw=0.8)
    ax.set_ylabel("Cumulative events")
    ax.set_title(f"Forecast, next {fc.horizon_days:g} days ({fc.n_paths} simulated paths)")
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    return ax
