"""Tests of Hawkes forecasts: closed forms for Poisson, exact P(N = 0), brute-force Monte Carlo."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import linalg, stats

import incidentstats as ist
from incidentstats import EventSeries
from incidentstats.exceptions import IncidentStatsError, IncidentStatsTypeError
from incidentstats.hawkes import HawkesProcess, PiecewiseBaseline, PoissonProcess
from incidentstats.hawkes.baselines import ConstantBaseline
from incidentstats.hawkes.forecast import ForecastResult, forecast, prob_no_event
from incidentstats.hawkes.kernels import ExponentialKernel, PowerLawKernel
from incidentstats.hawkes.simulate import simulate_paths

EXP = {"baseline": 0.3, "branching_ratio": 0.7, "decay": 0.8}
HISTORY = np.array([1.0, 5.0, 17.0, 18.5, 19.2, 19.8])  # a burst just before the end (T = 20)


def fake_result(kernel, baseline, params, offsets, T, start="2021-01-01"):
    ev = EventSeries.from_offsets(offsets, start=start, end=T)
    return SimpleNamespace(
        process=SimpleNamespace(kernel=kernel, baseline=baseline),
        params=pd.Series(params),
        events=ev,
        T=ev.duration(),
        times=ev.times(),
        unit="D",
    )


def exp_moments(mu, n, beta, h, s0):
    """Exact E N and Var N on [T, T+h) for the exponential Hawkes process with λ(T) = μ + nβ s0.

    Dynkin's formula for the Markov pair (N, λ): a linear ODE in
    [E N, E λ, E λ², E Nλ, E N², 1], solved with a matrix exponential.
    """
    a = n * beta
    A = np.zeros((6, 6))
    A[0, 1] = 1.0
    A[1, 1], A[1, 5] = a - beta, beta * mu
    A[2, 2], A[2, 1] = 2 * a - 2 * beta, 2 * beta * mu + a * a
    A[3, 3], A[3, 0], A[3, 2], A[3, 1] = a - beta, beta * mu, 1.0, a
    A[4, 3], A[4, 1] = 2.0, 1.0
    lam0 = mu + a * s0
    x = linalg.expm(A * h) @ np.array([0.0, lam0, lam0 * lam0, 0.0, 0.0, 1.0])
    return x[0], x[4] - x[0] ** 2


def brute_force_paths(mu, n, beta, history, T, h, n_paths, seed):
    """Independent Monte Carlo: plain Ogata thinning with the O(n) sum recomputed each step."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_paths):
        events = list(history)
        t = T
        new = []
        while True:
            past = np.asarray(events)
            bound = mu + n * beta * np.sum(np.exp(-beta * (t - past)))
            t = t + rng.exponential(1 / bound)
            if t >= T + h:
                break
            lam = mu + n * beta * np.sum(np.exp(-beta * (t - past)))
            if rng.random() * bound <= lam:
                events.append(t)
                new.append(t)
        out.append(np.array(new))
    return out


# -- Poisson: closed forms ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def iraq():
    return ist.datasets.load_iraq_attacks()


def test_poisson_forecast_matches_closed_form(iraq):
    res = PoissonProcess().fit(iraq)
    mu = float(res.params["baseline"])
    fc = forecast(res, "30D", n_paths=4000, rng=3)
    # closed form: N ~ Poisson(30 μ)
    assert fc.prob_any_exact == pytest.approx(1 - math.exp(-30 * mu), rel=1e-12)
    for k, row in fc.prob_at_least.iterrows():
        exact = stats.poisson.sf(k - 1, 30 * mu)
        assert abs(row["probability"] - exact) < 4 * math.sqrt(exact * (1 - exact) / 4000) + 1e-3
    assert abs(fc.expected_count - 30 * mu) < 4 * fc.expected_count_se
    day = 1 - math.exp(-mu)  # P(at least one event in a day)
    assert np.all(np.abs(fc.daily["p_any"] - day) < 4 * math.sqrt(day * (1 - day) / 4000) + 1e-3)
    assert len(fc.daily) == 30 and fc.daily.index[0] == iraq.end


def test_piecewise_poisson_forecast_uses_last_level(iraq):
    res = PoissonProcess(baseline=PiecewiseBaseline(breaks=["2020-01-03"])).fit(iraq)
    last = float(res.params.iloc[-1])
    fc = forecast(res, "10D", n_paths=500, rng=1)
    assert fc.prob_any_exact == pytest.approx(1 - math.exp(-10 * last), rel=1e-12)


# -- Hawkes with history -----------------------------------------------------------------------
def test_exponential_forecast_matches_exact_moments_and_brute_force():
    res = fake_result(ExponentialKernel(), ConstantBaseline(), EXP, HISTORY, 20.0)
    h = 5.0
    fc = forecast(res, h, n_paths=4000, rng=7)
    s0 = float(np.sum(np.exp(-EXP["decay"] * (20.0 - HISTORY))))
    mean, var = exp_moments(EXP["baseline"], EXP["branching_ratio"], EXP["decay"], h, s0)
    assert abs(fc.expected_count - mean) < 4 * fc.expected_count_se
    assert np.var(fc.counts, ddof=1) == pytest.approx(var, rel=0.15)  # SE of a variance ≈ 4%
    # exact P(N ≥ 1) vs the forecast's own simulation
    se = math.sqrt(fc.prob_any_exact * (1 - fc.prob_any_exact) / fc.n_paths)
    assert abs(fc.prob_any - fc.prob_any_exact) < 4 * se
    # vs an independent brute-force simulator (plain Ogata, O(n²))
    brute = brute_force_paths(
        EXP["baseline"], EXP["branching_ratio"], EXP["decay"], HISTORY, 20.0, h, 1500, seed=8
    )
    bc = np.array([x.size for x in brute])
    assert abs(np.mean(bc >= 1) - fc.prob_any_exact) < 4 * math.sqrt(
        fc.prob_any_exact * (1 - fc.prob_any_exact) / 1500
    )
    for k in (2, 3, 5):
        p_b, p_f = np.mean(bc >= k), fc.prob_at_least.loc[k, "probability"]
        se = math.sqrt(p_b * (1 - p_b) / 1500 + p_f * (1 - p_f) / fc.n_paths)
        assert abs(p_b - p_f) < 4 * se + 1e-3
    assert stats.ks_2samp(bc, fc.counts).pvalue > 0.001


@pytest.mark.parametrize("method", ["branching", "thinning"])
def test_power_law_first_event_time_matches_exact_law(method):
    # The first event after T has survival P(no event in [T, T+x)) = prob_no_event(T, T+x):
    # a closed form given the history. The simulated first-event times must follow it.
    # An event just before T makes the law sensitive to the truncated-delay sampling: shifting
    # those delays by 0.01 day gives a KS p-value of 5e-6 here (checked by hand).
    kernel = PowerLawKernel()
    p = {"baseline": 0.1, "branching_ratio": 0.8, "cutoff": 0.3, "exponent": 2.2}
    hist = np.append(HISTORY, 19.97)
    T, h, m = 20.0, 1.0, 3000
    paths = simulate_paths(kernel, None, p, T + h, m, rng=5, history=hist, start=T, method=method)
    first = np.array([x[0] for x in paths if x.size])
    p0_h = prob_no_event(kernel, None, p, hist, T, T + h)
    # P(N ≥ 1) against the closed form
    assert abs(first.size / m - (1 - p0_h)) < 4 * math.sqrt(p0_h * (1 - p0_h) / m)

    def cdf(x):
        vals = np.array(
            [prob_no_event(kernel, None, p, hist, T, T + xi) for xi in np.atleast_1d(x)]
        )
        return (1 - vals) / (1 - p0_h)

    assert stats.kstest(first - T, cdf).pvalue > 0.001


def test_prob_no_event_closed_forms():
    # Poisson: exp(−μ h); exponential Hawkes: exp(−μh − n Σ e^{−β(T−t_h)} (1 − e^{−βh}))
    assert prob_no_event(None, 0.2, {"branching_ratio": 0.0}, [], 0.0, 5.0) == pytest.approx(
        math.exp(-1.0)
    )
    mu, n, b = EXP["baseline"], EXP["branching_ratio"], EXP["decay"]
    expected = math.exp(
        -mu * 2.0 - n * np.sum(np.exp(-b * (20.0 - HISTORY))) * (1 - math.exp(-2.0 * b))
    )
    assert prob_no_event("exponential", None, EXP, HISTORY, 20.0, 22.0) == pytest.approx(expected)

    # the general (cdf) path gives the same for the exponential kernel
    class Generic(ExponentialKernel):
        name = "generic"

    assert prob_no_event(Generic(), None, EXP, HISTORY, 20.0, 22.0) == pytest.approx(expected)


# -- result object -----------------------------------------------------------------------------
def test_forecast_result_object():
    res = fake_result(ExponentialKernel(), ConstantBaseline(), EXP, HISTORY, 20.0)
    fc = forecast(res, "14D", n_paths=300, rng=1)
    again = forecast(res, "14D", n_paths=300, rng=1)
    assert isinstance(fc, ForecastResult)
    assert np.array_equal(fc.counts, again.counts) and fc.fan.equals(again.fan)
    assert not np.array_equal(fc.counts, forecast(res, "14D", n_paths=300, rng=2).counts)
    # fan: quantiles ordered, non-decreasing in time, last row = totals
    q = fc.fan[["q5", "q25", "q50", "q75", "q95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0) and np.all(np.diff(q, axis=0) >= 0)
    assert fc.fan["mean"].iloc[-1] == pytest.approx(fc.expected_count)
    assert list(fc.fan.iloc[-1, 1:]) == list(fc.count_quantiles())
    assert fc.daily["expected"].sum() == pytest.approx(fc.expected_count)
    assert fc.end - fc.start == pd.Timedelta(days=14)
    text = str(fc.summary())
    assert "P(at least one event), exact" in text and "P(N >= k)" in text
    d = fc.to_dict()
    json.dumps(d)
    assert d["prob_at_least"]["1"] == pytest.approx(fc.prob_any)
    ax = fc.plot()
    assert ax.get_ylabel() == "Cumulative events"
    assert fc.plot(history=None) is not None


def test_short_horizon_uses_sub_day_grid():
    res = fake_result(ExponentialKernel(), ConstantBaseline(), EXP, HISTORY, 20.0)
    fc = forecast(res, "12h", n_paths=200, rng=1)
    assert len(fc.fan) == 48 and len(fc.daily) == 1
    assert fc.fan.index[-1] == fc.end
    assert fc.horizon_days == 0.5


def test_hawkes_result_delegates(iraq):
    res = HawkesProcess(kernel="exponential").fit(iraq)
    a = res.forecast("30D", 400, rng=1)
    b = forecast(res, "30D", 400, rng=1)
    assert np.array_equal(a.counts, b.counts)
    # on the Iraq fit, simulation and closed form agree
    se = math.sqrt(a.prob_any_exact * (1 - a.prob_any_exact) / 400)
    assert abs(a.prob_any - a.prob_any_exact) < 4 * se


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"horizon": "-3D"}, "positive duration"),
        ({"horizon": "soon"}, "duration"),
        ({"n_paths": 1}, "at least 2"),
        ({"n_paths": 0}, "> 0"),
        ({"max_k": 0}, "> 0"),
        ({"quantiles": (0.5, 1.5)}, "strictly between 0 and 1"),
        ({"quantiles": ()}, "non-empty"),
        ({"method": "exact"}, "must be one of"),
    ],
)
def test_bad_input(kwargs, match):
    res = fake_result(ExponentialKernel(), ConstantBaseline(), EXP, HISTORY, 20.0)
    args = {"horizon": "7D", "n_paths": 50, "rng": 1}
    args.update(kwargs)
    with pytest.raises(IncidentStatsError, match=match):
        forecast(res, **args)


def test_not_a_result():
    with pytest.raises(IncidentStatsTypeError, match="fitted HawkesResult"):
        forecast([1.0, 2.0], "7D")


# -- parameter uncertainty ------------------------------------------------------------------------


def _forecast_calibration(reps: int, seed: int) -> dict[str, np.ndarray]:
    """Randomised PIT of the realised 30-day count under both kinds of forecast.

    Truth: exponential Hawkes, baseline 0.1/day, branching ratio 0.5, decay 0.2/day; fitted on
    150 days (about 30 events), forecast for the next 30 days of the same simulated path.
    """
    import warnings

    from incidentstats.hawkes.simulate import simulate_events

    gen = np.random.default_rng(seed)
    proc = HawkesProcess(kernel="exponential")
    pit: dict[str, list[float]] = {"none": [], "bootstrap": []}
    start = pd.Timestamp("2020-01-01")
    for _ in range(reps):
        ev = simulate_events(
            "exponential", None, {"baseline": 0.1, "branching_ratio": 0.5, "decay": 0.2},
            start, 180.0, rng=gen,
        )  # fmt: skip
        hist = ev.window(start, start + pd.Timedelta(days=150))
        future = ev.n - hist.n
        if hist.n < 5:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = proc.fit(hist)
            for pu in pit:
                c = forecast(fit, "30D", n_paths=1000, rng=gen, parameter_uncertainty=pu,
                             n_draws=50).counts  # fmt: skip
                pit[pu].append(float(np.mean(c < future) + gen.uniform() * np.mean(c == future)))
    return {k: np.array(v) for k, v in pit.items()}


def _tails(p: np.ndarray) -> float:
    return float(np.mean((p < 0.05) | (p > 0.95)))


def test_parameter_uncertainty_calibrates_forecasts_reduced() -> None:
    # With ~30 events the plug-in forecast is too sure of itself: the realised count falls in
    # the outer 10% of its predictive distribution too often. The bootstrap predictive
    # distribution reduces that. Full size (1,000 repetitions, INCIDENTSTATS_FULL=1): 23.1%
    # (plug-in) and 17.4% (bootstrap) in the tails; this reduced run: 20.0% and 13.3%.
    pit = _forecast_calibration(60, 11)
    assert pit["bootstrap"].size >= 55
    # nominal 10%; 3 binomial standard errors at 60 repetitions: 0.116
    assert _tails(pit["bootstrap"]) <= 0.10 + 0.116
    assert _tails(pit["bootstrap"]) < _tails(pit["none"])


@pytest.mark.skipif(
    __import__("os").environ.get("INCIDENTSTATS_FULL") != "1", reason="full-size study"
)
def test_parameter_uncertainty_calibrates_forecasts_full() -> None:
    pit = _forecast_calibration(1000, 12)
    boot, plug = _tails(pit["bootstrap"]), _tails(pit["none"])
    print(f"tails: plug-in {plug:.3f}, bootstrap {boot:.3f} ({pit['none'].size} repetitions)")
    # measured (seed 12): plug-in 0.231, bootstrap 0.174 against the nominal 0.10. The
    # bootstrap removes about 40% of the excess, not all of it: at ~30 events the fits
    # themselves are probably biased (some run to the decay bound with n > 1), which no
    # resampling around them undoes. The claim tested is the improvement.
    assert plug > boot + 0.03
    assert boot < 0.2


def test_parameter_uncertainty_result_and_errors(iraq) -> None:
    res = HawkesProcess(kernel="exponential").fit(iraq)
    a = forecast(res, "30D", n_paths=400, rng=3, parameter_uncertainty="bootstrap", n_draws=20)
    b = forecast(res, "30D", n_paths=400, rng=3, parameter_uncertainty="bootstrap", n_draws=20)
    np.testing.assert_array_equal(a.counts, b.counts)
    assert a.n_paths == 400 and a.n_param_draws == 20
    d = a.to_dict()
    assert d["parameter_uncertainty"] == "bootstrap" and d["n_param_draws"] == 20
    assert "parametric bootstrap" in a.summary().as_text()
    # the exact P(N >= 1) is the average over the draws, so it stays close to the simulation
    assert abs(a.prob_any_exact - a.prob_any) < 4 * math.sqrt(0.25 / 400)
    via = res.forecast("30D", 400, 3, parameter_uncertainty="bootstrap", n_draws=20)
    np.testing.assert_array_equal(via.counts, a.counts)
    plug = forecast(res, "30D", n_paths=400, rng=3)
    assert plug.parameter_uncertainty == "none" and "bootstrap'" in plug.summary().as_text()
    pois = PoissonProcess().fit(iraq)
    fp = forecast(pois, "30D", n_paths=200, rng=1, parameter_uncertainty="bootstrap", n_draws=10)
    # Poisson: the refitted rate varies around N / T, so the count variance exceeds the mean
    assert fp.counts.var() > 0.9 * fp.counts.mean()
    with pytest.raises(IncidentStatsError, match="`parameter_uncertainty` parameter"):
        forecast(res, "30D", parameter_uncertainty="normal")
    with pytest.raises(IncidentStatsError, match="`n_draws` parameter"):
        forecast(res, "30D", n_paths=10, parameter_uncertainty="bootstrap", n_draws=20)


def test_degenerate_fit_is_named_in_the_forecast(iraq) -> None:
    # a rate step (0.3/day, then 1/day) fitted with a constant background: the kernel
    # imitates the step (decay at its bound 1/T, branching ratio 2.4 with this seed)
    import warnings

    g = np.random.default_rng(4)
    t = np.sort(np.r_[g.uniform(0, 300, g.poisson(90)), g.uniform(300, 600, g.poisson(300))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = HawkesProcess(kernel="exponential").fit(EventSeries.from_offsets(t, end=600.0))
    fc = forecast(res, "30D", n_paths=200, rng=1)
    assert fc.degenerate_fit is not None
    assert ">= 1" in fc.degenerate_fit and "lower bound" in fc.degenerate_fit
    assert "degenerate" in fc.summary().as_text()
    assert fc.to_dict()["degenerate_fit"] == fc.degenerate_fit
    ok = forecast(HawkesProcess(kernel="exponential").fit(iraq), "30D", n_paths=200, rng=1)
    assert ok.degenerate_fit is None and "degenerate" not in ok.summary().as_text()


def test_degenerate_fits_drive_the_forecast_miscalibration() -> None:
    # The figures quoted in forecast()'s Notes and the user guide (what_next.md): with ~30
    # events (baseline 0.1/day, n = 0.5, decay 0.2/day, 150 days fitted, 30 forecast),
    # about 12% of fits are degenerate; they over-predict (mean 9.9 against 6.5 realised)
    # and put about 47% of the realised counts in the outer 10%, the other fits about 20%.
    # Measured with this seed: 36 of 300 degenerate; tails 0.472 vs 0.197; mean 9.89 vs 6.47.
    import warnings

    from incidentstats.hawkes.simulate import simulate_events

    gen = np.random.default_rng(12)
    proc = HawkesProcess(kernel="exponential")
    start = pd.Timestamp("2020-01-01")
    rows = []
    for _ in range(300):
        ev = simulate_events(
            "exponential", None, {"baseline": 0.1, "branching_ratio": 0.5, "decay": 0.2},
            start, 180.0, rng=gen,
        )  # fmt: skip
        hist = ev.window(start, start + pd.Timedelta(days=150))
        future = ev.n - hist.n
        if hist.n < 5:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = forecast(proc.fit(hist), "30D", n_paths=500, rng=gen)
        c = fc.counts
        pit = float(np.mean(c < future) + gen.uniform() * np.mean(c == future))
        rows.append((fc.degenerate_fit is not None, pit, c.mean(), future))
    d = pd.DataFrame(rows, columns=["degenerate", "pit", "mean", "future"])
    d["tail"] = (d["pit"] < 0.05) | (d["pit"] > 0.95)
    g = d.groupby("degenerate")
    print(g[["tail", "mean", "future"]].mean(), g.size())
    share = d["degenerate"].mean()
    assert 0.05 < share < 0.2
    assert g["tail"].mean()[True] > g["tail"].mean()[False] + 0.15
    assert g["mean"].mean()[True] > 1.2 * g["future"].mean()[True]
