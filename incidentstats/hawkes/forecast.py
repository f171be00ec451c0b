"""Forecasts of a fitted Hawkes model, conditioned on the observed history."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result, Summary, jsonable
from .._validation import check_positive, check_rng, error, to_timedelta
from ..events import unit_nanoseconds
from .simulate import (
    _as_params,
    _branching_ratio,
    _check_kernel,
    _is_exponential,
    _model,
    _resolve_baseline,
    _resolve_kernel,
    _tail,
    simulate_paths,
)

__all__ = ["ForecastResult", "forecast", "prob_no_event"]


def prob_no_event(
    kernel: Any,
    baseline: Any,
    params: Any,
    history: Any,
    start: float,
    end: float,
) -> float:
    r"""Exact probability of no event in ``[start, end)`` given the history before ``start``.

    With no event in the interval the intensity is the deterministic
    :math:`\mu(t) + n \sum_h g(t - t_h)`, so

    .. math:: P(N[s, e) = 0) = \exp\Big(-\int_s^e \mu - n \sum_h [G(e - t_h) - G(s - t_h)]\Big).

    Examples
    --------
    >>> from incidentstats.hawkes.forecast import prob_no_event
    >>> round(prob_no_event(None, None, {"baseline": 0.1, "branching_ratio": 0.0}, [], 0, 10), 6)
    0.367879
    """
    p = _as_params(params)
    n = _branching_ratio(p)
    base = _resolve_baseline(baseline, p)
    h = np.asarray(history, dtype=float).ravel()
    integral = float(base.integral(float(start), float(end), p))
    if h.size and n > 0:
        kernel = _resolve_kernel(kernel)
        _check_kernel(kernel, p, ("cdf",))
        if _is_exponential(kernel, p):
            beta = p["decay"]
            integral += (
                n * float(np.sum(np.exp(-beta * (start - h)))) * -math.expm1(-beta * (end - start))
            )
        else:
            integral += n * float(np.sum(_tail(kernel, start - h, p) - _tail(kernel, end - h, p)))
    return math.exp(-integral)


class ForecastResult(Result):
    """Simulated forecast of a Hawkes model over a horizon after the observed window.

    Attributes
    ----------
    start, end : pandas.Timestamp
        The forecast window ``[start, end)``: from the end of the observed window.
    horizon_days : float
        Its length in days.
    n_paths : int
        Number of simulated paths.
    counts : numpy.ndarray
        Number of events in the window on each path.
    expected_count, expected_count_se : float
        Mean of ``counts`` and its Monte Carlo standard error.
    prob_any : float
        Monte Carlo P(N ≥ 1).
    prob_any_exact : float
        Exact P(N ≥ 1) (closed form; see :func:`prob_no_event`).
    prob_at_least : pandas.DataFrame
        Index ``k`` = 1..K; columns ``probability`` (P(N ≥ k)) and ``mc_se``.
    daily : pandas.DataFrame
        Index: day start; columns ``p_any`` (P(at least one event that day)), ``mc_se``,
        ``expected`` (mean count that day). The last day may be partial.
    fan : pandas.DataFrame
        Index: grid times; columns ``mean`` and quantiles ``q5``, ``q25``, ... of the
        cumulative count since ``start``.
    history : pandas.DatetimeIndex
        The observed event times (for plots).
    parameter_uncertainty, n_param_draws : str, int
        ``"bootstrap"`` and the number of parameter draws, or ``"none"`` and 0.
    degenerate_fit : str or None
        Why the fitted model is degenerate (branching ratio ≥ 1, a decay at its bound 1/T),
        or None. Such forecasts extrapolate a trend and over-predict in simulations.
    """

    def __init__(
        self,
        *,
        start: pd.Timestamp,
        end: pd.Timestamp,
        horizon_days: float,
        counts: np.ndarray,
        prob_any_exact: float,
        prob_at_least: pd.DataFrame,
        daily: pd.DataFrame,
        fan: pd.DataFrame,
        history: pd.DatetimeIndex,
        quantiles: tuple[float, ...],
        method: str,
        name: str | None,
        parameter_uncertainty: str = "none",
        n_param_draws: int = 0,
        n_failed_draws: int = 0,
        degenerate_fit: str | None = None,
    ) -> None:
        self.start = start
        self.end = end
        self.horizon_days = float(horizon_days)
        self.counts = counts
        self.counts.setflags(write=False)
        self.n_paths = int(counts.size)
        self.expected_count = float(np.mean(counts))
        self.expected_count_se = (
            float(np.std(counts, ddof=1) / math.sqrt(counts.size))
            if counts.size > 1
            else float("nan")
        )
        self.prob_any = float(np.mean(counts >= 1))
        self.prob_any_exact = float(prob_any_exact)
        self.prob_at_least = prob_at_least
        self.daily = daily
        self.fan = fan
        self.history = history
        self.quantiles = tuple(quantiles)
        self.method = method
        self.name = name
        self.parameter_uncertainty = parameter_uncertainty
        self.n_param_draws = int(n_param_draws)
        self.n_failed_draws = int(n_failed_draws)
        self.degenerate_fit = degenerate_fit

    def count_quantiles(self) -> pd.Series:
        """Quantiles of the total count in the window (the fan's last row)."""
        qs = np.quantile(self.counts, self.quantiles, method="inverted_cdf")
        return pd.Series(qs, index=[_qname(q) for q in self.quantiles], name="count")

    def summary(self) -> Summary:
        title = "Hawkes forecast"
        if self.name:
            title += f": {self.name}"
        s = Summary(title)
        s.add_fact("Forecast window", f"{_fmt(self.start)} to {_fmt(self.end)}")
        s.add_fact("Horizon (days)", self.horizon_days)
        s.add_fact("Simulated paths", self.n_paths)
        s.add_fact("Expected events", self.expected_count)
        s.add_fact("Monte Carlo s.e. of expected events", self.expected_count_se)
        lo, hi = min(self.quantiles), max(self.quantiles)
        cq = np.quantile(self.counts, [lo, hi], method="inverted_cdf")
        s.add_fact(
            f"{100 * (hi - lo):g}% prediction interval of the count",
            f"[{int(cq[0])}, {int(cq[1])}]",
        )
        s.add_fact("P(at least one event), exact", self.prob_any_exact)
        s.add_fact("P(at least one event), simulated", self.prob_any)
        s.add_table("P(N >= k)", self.prob_at_least)
        days = self.daily
        if len(days) > 60:
            s.add_note(f"Daily table shows the first 60 of {len(days)} days.")
            days = days.iloc[:60]
        shown = days.copy()
        shown.index = [_fmt(t) for t in shown.index]
        shown.index.name = "day"
        s.add_table("Per day: P(at least one event) and expected events", shown)
        if self.degenerate_fit:
            s.add_note(
                f"The fitted model is degenerate ({self.degenerate_fit}): on this window its "
                "kernel acts as a trend, and the forecast extrapolates it. In simulations "
                "(~30 events) such fits over-predicted the next 30 days by half on average and "
                "put the realised count in the outer 10% of the forecast in about half of "
                "the cases. Prefer a model with a changing background, or a longer window."
            )
        if self.parameter_uncertainty == "bootstrap":
            s.add_fact("Parameter draws (parametric bootstrap refits)", self.n_param_draws)
            s.add_note(
                "Paths are simulated given the observed history "
                f"({self.method} simulation), each from the parameters refitted to a series "
                "simulated from the fit (parametric bootstrap), so the bands include the "
                "uncertainty of the estimates."
                + (
                    f" {self.n_failed_draws} simulated series could not be refitted (fewer "
                    "than 2 events) and were drawn again."
                    if self.n_failed_draws
                    else ""
                )
            )
        else:
            s.add_note(
                "Paths are simulated from the fitted parameters given the observed history "
                f"({self.method} simulation); parameter uncertainty is not included, so the "
                "bands are too narrow when the fit is uncertain "
                "(parameter_uncertainty='bootstrap' includes it)."
            )
        return s

    def to_dict(self) -> dict[str, Any]:
        daily = self.daily.reset_index()
        return jsonable(
            {
                "start": self.start,
                "end": self.end,
                "horizon_days": self.horizon_days,
                "n_paths": self.n_paths,
                "method": self.method,
                "parameter_uncertainty": self.parameter_uncertainty,
                "n_param_draws": self.n_param_draws,
                "degenerate_fit": self.degenerate_fit,
                "expected_count": self.expected_count,
                "expected_count_se": self.expected_count_se,
                "prob_any": self.prob_any,
                "prob_any_exact": self.prob_any_exact,
                "prob_at_least": {
                    int(k): float(v) for k, v in self.prob_at_least["probability"].items()
                },
                "count_quantiles": self.count_quantiles(),
                "daily": daily,
            }
        )

    def plot(self, ax: Any = None, *, history: str | None = "90D") -> Any:
        """Fan plot (see :func:`incidentstats.plotting.hawkes_gof.plot_forecast`)."""
        from ..plotting.hawkes_gof import plot_forecast

        return plot_forecast(self, ax=ax, history=history)


def _fmt(ts: pd.Timestamp) -> str:
    return str(ts.date()) if ts == ts.normalize() else str(ts)


def _qname(q: float) -> str:
    return f"q{100 * q:g}"


def forecast(
    result: Any,
    horizon: Any = "30D",
    n_paths: int = 1000,
    rng: Any = None,
    *,
    max_k: int | None = None,
    quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95),
    method: str = "branching",
    parameter_uncertainty: str = "none",
    n_draws: int = 100,
) -> ForecastResult:
    r"""Forecast the next ``horizon`` of a fitted Hawkes model, given the observed events.

    Parameters
    ----------
    result : HawkesResult
        A fitted model; its events are the history.
    horizon : str, Timedelta or float, default "30D"
        Length of the forecast window after the end of the observed window (a number is in
        days).
    n_paths : int, default 1000
        Number of simulated future paths.
    rng : int, numpy.random.Generator or None
        Seed or generator; the same seed gives the same forecast.
    max_k : int, optional
        Largest k in the P(N ≥ k) table; default max(5, 99th percentile of the counts).
    quantiles : tuple of float, default (0.05, 0.25, 0.5, 0.75, 0.95)
        Quantiles of the cumulative count shown in the fan (symmetric pairs make bands).
    method : {"branching", "thinning"}, default "branching"
        Simulator (see :func:`incidentstats.hawkes.simulate.simulate`).
    parameter_uncertainty : {"none", "bootstrap"}, default "none"
        ``"none"`` simulates every path from the point estimates. ``"bootstrap"`` draws
        ``n_draws`` parameter sets by parametric bootstrap (simulate a series from the fit on
        the observed window, refit the same model) and simulates ``n_paths / n_draws``
        future paths from each, always given the *observed* history: a bootstrap predictive
        distribution that includes the uncertainty of the estimates.
    n_draws : int, default 100
        Number of bootstrap parameter draws (with ``parameter_uncertainty="bootstrap"``);
        at most ``n_paths``.

    Returns
    -------
    ForecastResult

    Notes
    -----
    Given the history :math:`\mathcal H` (the fitted event times, on the same clock as the
    fit), the future is a Hawkes process whose intensity has the extra deterministic term
    :math:`n \sum_{h \in \mathcal H} g(t - t_h)`. Paths are drawn exactly by the branching
    construction (the history's future offspring form a Poisson process with that
    intensity; each future event then has Poisson(:math:`n`) offspring) [1]_. The baseline
    μ(t) is evaluated beyond the window as the model defines it (the last level of a
    piecewise baseline, the extrapolated trend, the seasonal cycle).

    P(N ≥ 1) also has a closed form (``prob_any_exact``): with no event in
    :math:`[T, T+h)` the intensity is deterministic, so
    :math:`P(N = 0) = \exp(-\int_T^{T+h}\mu - n \sum_h [G(T+h-t_h) - G(T-t_h)])`. The
    simulated ``prob_any`` should agree within its Monte Carlo error; a difference is a bug.

    By default forecasts use the point estimates, so with few events the bands are too
    narrow. With ``parameter_uncertainty="bootstrap"`` each block of paths uses the
    estimates refitted to a parametric-bootstrap series [2]_; ``prob_any_exact`` is then the
    exact P(N ≥ 1) averaged over the draws. This helps but does not fully calibrate small
    samples: fitting ~30 events of an exponential Hawkes process (n = 0.5) and forecasting
    30 days, the realised count fell in the outer 10% of the predictive distribution in
    23.1% of 1,000 simulations with the point estimates and in 17.4% with the bootstrap
    (``INCIDENTSTATS_FULL=1 pytest tests/hawkes/test_forecast.py``). Much of the excess
    comes from degenerate fits: in 300 such simulations, the 12% of fits with the decay at
    its bound 1/T or a branching ratio of 1 or more forecast a mean of 9.9 events against
    6.5 realised and put 47% of the realised counts in the outer 10%; the other fits 20%.
    ``degenerate_fit`` names the reason, and the summary says so.

    References
    ----------
    .. [1] Møller, J. and Rasmussen, J. G. (2005). Perfect simulation of Hawkes processes.
       Advances in Applied Probability 37(3), 629-646.
    .. [2] Harris, I. R. (1989). Predictive fit for natural exponential families.
       Biometrika 76(4), 675-684.

    Examples
    --------
    >>> import incidentstats as ist
    >>> from incidentstats.hawkes import HawkesProcess
    >>> res = HawkesProcess(kernel="exponential").fit(ist.datasets.load_iraq_attacks())
    >>> fc = forecast(res, "30D", n_paths=500, rng=1)
    >>> fc.daily.shape, fc.start == res.events.end
    ((30, 3), True)
    >>> bool(abs(fc.prob_at_least.loc[1, "probability"] - fc.prob_any_exact) < 0.06)
    True
    """
    kernel, baseline, p, T, times = _model(result)
    events = result.events
    td = to_timedelta("horizon", horizon)
    horizon_days = td / pd.Timedelta(days=1)
    unit = getattr(result, "unit", "D")
    per = unit_nanoseconds(unit)
    day = 86_400_000_000_000 / per  # one day in the fit's time unit
    length = td.value / per
    check_positive("n_paths", n_paths, integer=True)
    if n_paths < 2:
        raise error("The `n_paths` parameter", "must be at least 2", n_paths)
    if max_k is not None:
        check_positive("max_k", max_k, integer=True)
    qs = tuple(float(q) for q in quantiles)
    if not qs or any(not 0 < q < 1 for q in qs):
        raise error(
            "The `quantiles` parameter",
            "must be a non-empty tuple of numbers strictly between 0 and 1",
            quantiles,
        )
    check_parameter_uncertainty(parameter_uncertainty, n_draws, n_paths)
    gen = check_rng(rng)
    end = T + length
    n_failed = 0
    if parameter_uncertainty == "none":
        draws = [(p, n_paths)]
    else:
        draws, n_failed = _bootstrap_draws(result, int(n_draws), int(n_paths), gen)
    paths: list[np.ndarray] = []
    p0 = 0.0
    for p_i, m in draws:
        paths += simulate_paths(kernel, baseline, p_i, end, m, gen, times, start=T, method=method)
        # exact P(N >= 1), averaged over the parameter draws
        p0 += m / n_paths * prob_no_event(kernel, baseline, p_i, times, T, end)
    counts = np.array([x.size for x in paths], dtype=np.int64)
    allt = np.concatenate(paths) if paths else np.zeros(0)
    path_id = np.repeat(np.arange(n_paths), counts)

    # P(N >= k)
    if max_k is None:
        max_k = max(5, int(np.ceil(np.quantile(counts, 0.99))))
    ks = np.arange(1, max_k + 1)
    probs = np.array([np.mean(counts >= k) for k in ks])
    ptab = pd.DataFrame(
        {"probability": probs, "mc_se": np.sqrt(probs * (1 - probs) / n_paths)},
        index=pd.Index(ks, name="k"),
    )

    # per day
    n_days = int(math.ceil(horizon_days - 1e-9))
    day_edges = T + day * np.arange(n_days + 1, dtype=float)
    day_edges[-1] = end
    day_of = np.clip(np.searchsorted(day_edges, allt, side="right") - 1, 0, n_days - 1)
    per_day = np.zeros((n_paths, n_days), dtype=np.int64)
    np.add.at(per_day, (path_id, day_of), 1)
    p_any = (per_day > 0).mean(axis=0)
    daily = pd.DataFrame(
        {
            "p_any": p_any,
            "mc_se": np.sqrt(p_any * (1 - p_any) / n_paths),
            "expected": per_day.mean(axis=0),
        },
        index=pd.DatetimeIndex([events.from_offset(x, unit) for x in day_edges[:-1]], name="day"),
    )

    # fan of the cumulative count
    if horizon_days >= 2:
        grid = day_edges[1:]
        cum = np.cumsum(per_day, axis=1)
    else:
        grid = T + length * np.arange(1, 49) / 48.0
        grid[-1] = end
        cum = np.zeros((n_paths, grid.size), dtype=np.int64)
        slot = np.clip(np.searchsorted(grid, allt, side="right"), 0, grid.size - 1)
        np.add.at(cum, (path_id, slot), 1)
        cum = np.cumsum(cum, axis=1)
    fan = pd.DataFrame(
        {"mean": cum.mean(axis=0)},
        index=pd.DatetimeIndex([events.from_offset(x, unit) for x in grid], name="time"),
    )
    qv = np.quantile(cum, qs, axis=0, method="inverted_cdf")
    for q, row in zip(qs, qv):
        fan[_qname(q)] = row
    return ForecastResult(
        start=events.end,
        end=events.from_offset(end, unit),
        horizon_days=horizon_days,
        counts=counts,
        prob_any_exact=1.0 - p0,
        prob_at_least=ptab,
        daily=daily,
        fan=fan,
        history=events.timestamps,
        quantiles=qs,
        method=method,
        name=getattr(events, "name", None),
        parameter_uncertainty=parameter_uncertainty,
        n_param_draws=len(draws) if parameter_uncertainty == "bootstrap" else 0,
        n_failed_draws=n_failed,
        degenerate_fit=_degenerate(result, p),
    )


def _degenerate(result: Any, p: dict[str, float]) -> str | None:
    """Why the fit is not a stationary branching process on its window, if it is not."""
    reasons = []
    n = p.get("branching_ratio", 0.0)
    if n >= 1.0:
        reasons.append(f"branching ratio {n:.3g} >= 1")
    at_bound = getattr(result, "decay_at_bound", ())
    if at_bound:
        reasons.append(f"{', '.join(at_bound)} at the lower bound 1/T")
    return "; ".join(reasons) or None


def check_parameter_uncertainty(parameter_uncertainty: Any, n_draws: Any, n_paths: int) -> None:
    """Validate ``parameter_uncertainty`` and ``n_draws`` (shared with the discrete forecast)."""
    if not isinstance(parameter_uncertainty, str) or parameter_uncertainty not in (
        "none",
        "bootstrap",
    ):
        raise error(
            "The `parameter_uncertainty` parameter",
            "must be 'none' or 'bootstrap'",
            repr(parameter_uncertainty),
        )
    check_positive("n_draws", n_draws, integer=True)
    if parameter_uncertainty == "bootstrap" and n_draws > n_paths:
        raise error(
            "The `n_draws` parameter",
            "must not exceed n_paths (each parameter draw needs at least one path)",
            f"n_draws={n_draws}, n_paths={n_paths}",
        )


def paths_per_draw(n_paths: int, n_draws: int) -> np.ndarray:
    """Split ``n_paths`` over ``n_draws`` parameter draws as evenly as possible, the first
    ``n_paths % n_draws`` draws getting one path more."""
    sizes = np.full(n_draws, n_paths // n_draws)
    sizes[: n_paths % n_draws] += 1
    return sizes


def _bootstrap_draws(
    result: Any, n_draws: int, n_paths: int, gen: np.random.Generator
) -> tuple[list[tuple[dict[str, float], int]], int]:
    """Parametric-bootstrap parameter sets, each with its number of future paths."""
    import warnings

    from .simulate import simulate_result

    sizes = paths_per_draw(n_paths, n_draws)
    draws: list[tuple[dict[str, float], int]] = []
    failed = 0
    while len(draws) < n_draws:
        sim = simulate_result(result, gen)
        if sim.n < 2:
            failed += 1
            if failed > 10 * n_draws:
                raise error(
                    "The `result` argument",
                    "must be a fit whose simulated series have at least 2 events for "
                    "parameter_uncertainty='bootstrap'",
                    f"{failed} simulated series with fewer than 2 events",
                    "Use parameter_uncertainty='none'.",
                )
            continue
        with warnings.catch_warnings():
            # boundary and convergence notes of the refits are expected and not the user's
            warnings.simplefilter("ignore")
            refit = result.process.fit(sim, rng=int(gen.integers(2**31)))
        draws.append((_model(refit)[2], int(sizes[len(draws)])))
    return draws, failed
