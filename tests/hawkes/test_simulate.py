"""Tests of Hawkes simulation: closed-form moments, two independent simulators, rescaling."""

from __future__ import annotations

import os
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import linalg, stats

from incidentstats import EventSeries
from incidentstats.exceptions import IncidentStatsError, IncidentStatsTypeError
from incidentstats.hawkes.baselines import (
    ConstantBaseline,
    PiecewiseBaseline,
    SeasonalBaseline,
    ShockBaseline,
    TrendBaseline,
)
from incidentstats.hawkes.kernels import (
    ExponentialKernel,
    NonparametricKernel,
    PowerLawKernel,
    SumExponentialKernel,
)
from incidentstats.hawkes.simulate import simulate, simulate_paths, simulate_result

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"


# -- independent references --------------------------------------------------------------------
def exp_hawkes_moments(mu: float, n: float, beta: float, T: float, s0: float = 0.0):
    """Exact E N(T) and Var N(T) for the exponential Hawkes process started at λ(0) = μ + nβ s0.

    (N, λ) is Markov with dλ = −β(λ − μ) dt + nβ dN, so the first two moments solve a linear
    ODE (Dynkin's formula); we integrate it exactly with a matrix exponential. State:
    [E N, E λ, E λ², E Nλ, E N², 1].
    """
    a = n * beta
    A = np.zeros((6, 6))
    A[0, 1] = 1.0
    A[1, 1], A[1, 5] = a - beta, beta * mu
    A[2, 2], A[2, 1] = 2 * a - 2 * beta, 2 * beta * mu + a * a
    A[3, 3], A[3, 0], A[3, 2], A[3, 1] = a - beta, beta * mu, 1.0, a
    A[4, 3], A[4, 1] = 2.0, 1.0
    lam0 = mu + a * s0
    x0 = np.array([0.0, lam0, lam0 * lam0, 0.0, 0.0, 1.0])
    x = linalg.expm(A * T) @ x0
    return x[0], x[4] - x[0] ** 2


def exp_mean_closed_form(mu: float, n: float, beta: float, T: float) -> float:
    # E N(T) = μT/(1−n) − μ n (1 − e^{−β(1−n)T}) / (β (1−n)²): the renewal equation solved for
    # the exponential kernel (process started empty at 0).
    k = beta * (1 - n)
    return mu * T / (1 - n) - mu * n * (1 - np.exp(-k * T)) / (beta * (1 - n) ** 2)


def brute_compensator(kernel, baseline, p, times, at):
    """Λ(x) = ∫_0^x μ + n Σ_{t_j < x} G(x − t_j), O(n²) with the kernel's cdf."""
    n = p["branching_ratio"]
    out = np.empty(len(at))
    for i, x in enumerate(at):
        past = times[times < x]
        out[i] = baseline.integral(0.0, x, p) + n * float(np.sum(kernel.cdf(x - past, p)))
    return out


def assert_mean(sample, expected, z=4.0):
    se = np.std(sample, ddof=1) / np.sqrt(len(sample))
    assert abs(np.mean(sample) - expected) < z * se, (np.mean(sample), expected, se)


def assert_variance(sample, expected, z=4.0):
    x = np.asarray(sample, float)
    m = x.mean()
    v = x.var(ddof=1)
    m4 = np.mean((x - m) ** 4)
    se = np.sqrt(max(m4 - v * v, 1e-12) / len(x))
    assert abs(v - expected) < z * se, (v, expected, se)


EXP = {"baseline": 0.5, "branching_ratio": 0.6, "decay": 1.2}


# -- closed forms ------------------------------------------------------------------------------
def test_moment_ode_matches_closed_forms():
    # n = 0: Poisson, Var = mean = μT; n > 0: the renewal-equation mean.
    m, v = exp_hawkes_moments(0.7, 0.0, 2.0, 30.0)
    assert m == pytest.approx(21.0) and v == pytest.approx(21.0)
    m, _ = exp_hawkes_moments(0.5, 0.6, 1.2, 40.0)
    assert m == pytest.approx(exp_mean_closed_form(0.5, 0.6, 1.2, 40.0), rel=1e-10)
    # large T: Var N ≈ μT/(1−n)³ (Hawkes 1971), up to O(1) edge terms
    m, v = exp_hawkes_moments(0.5, 0.6, 1.2, 1e5)
    assert v / (0.5 * 1e5 / 0.4**3) == pytest.approx(1.0, rel=1e-3)


@pytest.mark.parametrize("method", ["branching", "thinning"])
def test_exponential_counts_match_exact_finite_T_moments(method):
    T = 40.0
    paths = simulate_paths("exponential", None, EXP, T, 4000, rng=11, method=method)
    counts = np.array([x.size for x in paths])
    mean, var = exp_hawkes_moments(EXP["baseline"], EXP["branching_ratio"], EXP["decay"], T)
    assert_mean(counts, mean)
    assert_variance(counts, var)
    for x in paths[:50]:
        assert np.all(np.diff(x) >= 0) and (x.size == 0 or (x[0] >= 0 and x[-1] < T))


@pytest.mark.parametrize("method", ["branching", "thinning"])
def test_history_moments_match_exact(method):
    # history excitation S = Σ_h e^{−β(start − t_h)} enters as λ(start) = μ + nβS
    hist = np.array([1.0, 4.0, 9.5, 9.9])
    start, end = 10.0, 25.0
    s0 = float(np.sum(np.exp(-EXP["decay"] * (start - hist))))
    paths = simulate_paths(
        ExponentialKernel(), None, EXP, end, 4000, rng=5, history=hist, start=start, method=method
    )
    counts = np.array([x.size for x in paths])
    mean, var = exp_hawkes_moments(
        EXP["baseline"], EXP["branching_ratio"], EXP["decay"], end - start, s0
    )
    assert_mean(counts, mean)
    assert_variance(counts, var)
    assert min(x.min() for x in paths if x.size) >= start


def test_poisson_piecewise_baseline_counts_are_poisson():
    base = PiecewiseBaseline(breaks=[20.0], _offsets=np.array([20.0]))
    p = {"baseline": 0.3, "baseline_2": 1.5, "branching_ratio": 0.0}
    paths = simulate_paths(None, base, p, 50.0, 3000, rng=2)
    before = np.array([np.sum(x < 20.0) for x in paths])
    after = np.array([np.sum(x >= 20.0) for x in paths])
    # N[0,20) ~ Poisson(6), N[20,50) ~ Poisson(45): closed form
    assert_mean(before, 6.0)
    assert_mean(after, 45.0)
    assert_variance(before, 6.0)
    assert_variance(after, 45.0)


def test_stationary_mean_large_T():
    # E N = μT/(1−n) asymptotically (Hawkes 1971); power-law kernel, exact branching
    p = {"baseline": 1.0, "branching_ratio": 0.5, "cutoff": 0.2, "exponent": 3.0}
    paths = simulate_paths(PowerLawKernel(), None, p, 400.0, 400, rng=8)
    counts = np.array([x.size for x in paths])
    # edge deficit: offspring that fall past T, at most n/(1−n)² × μ × mean delay (0.2) ≈ 0.4
    assert np.mean(counts) == pytest.approx(800.0, abs=4 * np.std(counts) / 20 + 0.5)


# -- two independent simulators ----------------------------------------------------------------
@pytest.mark.parametrize(
    "kernel,p,baseline",
    [
        (
            PowerLawKernel(),
            {"baseline": 0.4, "branching_ratio": 0.5, "cutoff": 0.5, "exponent": 2.5},
            None,
        ),
        (
            SumExponentialKernel(2),
            {
                "baseline": 0.4,
                "branching_ratio": 0.5,
                "decay_1": 0.3,
                "decay_2": 4.0,
                "weight_1": 0.4,
                "weight_2": 0.6,
            },
            None,
        ),
        (
            ExponentialKernel(),
            {"baseline": 0.2, "baseline_2": 1.0, "branching_ratio": 0.5, "decay": 2.0},
            PiecewiseBaseline(breaks=[15.0], _offsets=np.array([15.0])),
        ),
    ],
)
def test_branching_and_thinning_agree(kernel, p, baseline):
    T = 30.0
    hist = np.array([-3.0, -0.5, -0.1])
    a = simulate_paths(kernel, baseline, p, T, 600, rng=1, history=hist)
    b = simulate_paths(kernel, baseline, p, T, 600, rng=2, history=hist, method="thinning")
    ca = np.array([x.size for x in a])
    cb = np.array([x.size for x in b])
    # the count laws and the first-event-time laws agree (two-sample KS, fixed seeds)
    assert stats.ks_2samp(ca, cb).pvalue > 0.001
    fa = np.array([x[0] for x in a if x.size])
    fb = np.array([x[0] for x in b if x.size])
    assert stats.ks_2samp(fa, fb).pvalue > 0.001
    ga = np.concatenate([np.diff(x) for x in a])
    gb = np.concatenate([np.diff(x) for x in b])
    assert stats.ks_2samp(ga, gb).pvalue > 0.001
    # and both match the independent moment: mean difference within 4 joint SEs
    se = np.sqrt(ca.var() / ca.size + cb.var() / cb.size)
    assert abs(ca.mean() - cb.mean()) < 4 * se


def _rescaling_pvalues(kernel, p, T, n_paths, seed):
    base = ConstantBaseline()
    pvals = []
    for x in simulate_paths(kernel, base, p, T, n_paths, rng=seed):
        if x.size < 5:
            continue
        comp = brute_compensator(kernel, base, p, x, x)
        pvals.append(stats.kstest(np.diff(np.concatenate([[0.0], comp])), "expon").pvalue)
    return np.array(pvals)


@pytest.mark.parametrize(
    "kernel,p",
    [
        (ExponentialKernel(), EXP),
        (
            PowerLawKernel(),
            {"baseline": 0.5, "branching_ratio": 0.7, "cutoff": 0.3, "exponent": 2.2},
        ),
    ],
)
def test_time_rescaled_simulations_give_uniform_pvalues(kernel, p):
    # time-rescaling theorem: under the true model the KS p-values are Uniform(0, 1)
    n_paths = 400 if FULL else 120
    pv = _rescaling_pvalues(kernel, p, 60.0, n_paths, seed=4)
    assert stats.kstest(pv, "uniform").pvalue > 0.001
    rejections = np.mean(pv < 0.05)
    # binomial(n, 0.05): 4 standard deviations
    assert abs(rejections - 0.05) < 4 * np.sqrt(0.05 * 0.95 / pv.size)


# -- seeds and shapes --------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["branching", "thinning"])
def test_same_seed_same_output(method):
    a = simulate("exponential", None, EXP, 50.0, rng=3, method=method)
    b = simulate("exponential", None, EXP, 50.0, rng=3, method=method)
    c = simulate("exponential", None, EXP, 50.0, rng=4, method=method)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    assert np.array_equal(
        simulate(ExponentialKernel(), 0.5, EXP, 50.0, rng=g1),
        simulate(ExponentialKernel(), 0.5, EXP, 50.0, rng=g2),
    )


def test_params_as_series_and_number_baseline():
    s = pd.Series(EXP)
    a = simulate("exponential", None, s, 20.0, rng=1)
    b = simulate("exponential", None, EXP, 20.0, rng=1)
    assert np.array_equal(a, b)
    c = simulate("exponential", 0.5, {"branching_ratio": 0.6, "decay": 1.2}, 20.0, rng=1)
    assert np.array_equal(a, c)


def test_nonparametric_kernel_branching_mean():
    # piecewise-constant kernel: exact mean via the same renewal argument is messy, but the
    # stationary limit μT/(1−n) minus an O(mean delay) edge term holds
    k = NonparametricKernel(edges=[0.0, 1.0, 3.0])
    p = {"baseline": 0.5, "branching_ratio": 0.5, "weight_1": 0.7, "weight_2": 0.3}
    counts = np.array([x.size for x in simulate_paths(k, None, p, 200.0, 1000, rng=1)])
    mean_delay = 0.7 * 0.5 + 0.3 * 2.0
    deficit_max = 0.5 * 0.5 / 0.25 * mean_delay  # μ n/(1−n)² × mean delay
    assert 200.0 - deficit_max - 4 * counts.std() / np.sqrt(1000) < counts.mean()
    assert counts.mean() < 200.0 + 4 * counts.std() / np.sqrt(1000)


def _fake_result(kernel, baseline, params, events):
    return SimpleNamespace(
        process=SimpleNamespace(kernel=kernel, baseline=baseline),
        params=pd.Series(params),
        events=events,
        T=events.duration(),
        times=events.times(),
    )


def test_simulate_result_returns_event_series_on_window():
    ev = EventSeries.from_offsets([0.5, 1.0, 7.0], start="2020-01-01", end=30.0)
    res = _fake_result(ExponentialKernel(), ConstantBaseline(), EXP, ev)
    sim = simulate_result(res, rng=1)
    assert isinstance(sim, EventSeries)
    assert sim.start == ev.start and sim.end == ev.end and sim.resolution == "exact"
    again = simulate_result(res, rng=1)
    assert sim.timestamps.equals(again.timestamps)
    many = simulate_result(res, rng=1, n_paths=3)
    assert len(many) == 3 and all(isinstance(x, EventSeries) for x in many)


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"params": {"baseline": 0.5, "decay": 1.0}}, "branching_ratio"),
        ({"params": {"baseline": 0.5, "branching_ratio": -0.1, "decay": 1.0}}, ">= 0"),
        ({"params": {"baseline": 0.5, "branching_ratio": 0.5}}, "'decay'"),
        ({"params": {"baseline": 0.5, "branching_ratio": 0.5, "decay": np.inf}}, "finite"),
        ({"params": {"branching_ratio": 0.5, "decay": 1.0}}, "'baseline'"),
        ({"params": {"baseline": -1.0, "branching_ratio": 0.5, "decay": 1.0}}, ">= 0"),
        ({"T": np.nan}, "finite"),
        ({"params": {"baseline": np.nan, "branching_ratio": 0.5, "decay": 1.0}}, "finite"),
        ({"T": 0.0}, "greater than `start`"),
        ({"history": [1.0, 20.0]}, "before the simulation start"),
        ({"history": [np.nan]}, "finite"),
        ({"method": "ogata"}, "must be one of"),
        ({"kernel": "exponentiel"}, "Did you mean 'exponential'"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, match):
    args = {"kernel": "exponential", "baseline": None, "params": EXP, "T": 10.0}
    extra = {k: kwargs.pop(k) for k in list(kwargs) if k not in args}
    args.update(kwargs)
    with pytest.raises(IncidentStatsError, match=match):
        simulate(args["kernel"], args["baseline"], args["params"], args["T"], rng=1, **extra)


def test_bad_types_raise_type_errors():
    with pytest.raises(IncidentStatsTypeError, match="dict or pandas Series"):
        simulate("exponential", None, [0.5, 0.6, 1.0], 10.0)
    with pytest.raises(IncidentStatsTypeError, match="kernel name or object"):
        simulate(None, None, EXP, 10.0)
    with pytest.raises(IncidentStatsTypeError, match="baseline object"):
        simulate("exponential", object(), EXP, 10.0)
    with pytest.raises(IncidentStatsTypeError, match="rng"):
        simulate("exponential", None, EXP, 10.0, rng="seed")
    with pytest.raises(IncidentStatsTypeError, match="fitted HawkesResult"):
        simulate_result(object())


def test_n_paths_and_max_events_validated():
    with pytest.raises(IncidentStatsError, match="n_paths"):
        simulate_paths("exponential", None, EXP, 10.0, 0)
    p = {"baseline": 1.0, "branching_ratio": 1.5, "decay": 1.0}
    with pytest.raises(IncidentStatsError, match="max_events"):
        simulate("exponential", None, p, 100.0, rng=1, max_events=10_000)
    with pytest.raises(IncidentStatsError, match="max_events"):
        simulate("exponential", None, p, 100.0, rng=1, max_events=10_000, method="thinning")


def test_thinning_refuses_increasing_kernel():
    k = NonparametricKernel(edges=[0.0, 1.0, 2.0])
    p = {"baseline": 0.5, "branching_ratio": 0.5, "weight_1": 0.2, "weight_2": 0.8}
    with pytest.raises(IncidentStatsError, match="does not increase"):
        simulate(k, None, p, 10.0, rng=1, method="thinning")
    # branching is exact for it
    assert simulate(k, None, p, 10.0, rng=1).size >= 0


@pytest.mark.skipif(not FULL, reason="full-size simulation study (INCIDENTSTATS_FULL=1)")
def test_full_size_exact_moments_long_window():
    T = 400.0
    for method in ("branching", "thinning"):
        counts = np.array(
            [
                x.size
                for x in simulate_paths("exponential", None, EXP, T, 20000, rng=21, method=method)
            ]
        )
        mean, var = exp_hawkes_moments(EXP["baseline"], EXP["branching_ratio"], EXP["decay"], T)
        assert_mean(counts, mean)
        assert_variance(counts, var)


@pytest.mark.parametrize(
    "baseline,bp",
    [
        (TrendBaseline(), {"baseline": 0.5, "trend": 0.03}),
        (SeasonalBaseline(period=7.0), {"baseline": 0.8, "cos_1": 0.9, "sin_1": -0.4}),
        (ShockBaseline(dates=[10.0]), {"baseline": 0.3, "shock_1": 6.0, "shock_decay": 0.5}),
    ],
)
def test_time_varying_baselines(baseline, bp):
    T = 30.0
    # Poisson (n = 0): E N = ∫_0^T μ (the baseline's own integral, a closed form or quadrature)
    p0 = {**bp, "branching_ratio": 0.0}
    for method in ("branching", "thinning"):
        counts = np.array(
            [x.size for x in simulate_paths(None, baseline, p0, T, 2000, rng=1, method=method)]
        )
        assert_mean(counts, baseline.integral(0.0, T, p0))
        assert_variance(counts, baseline.integral(0.0, T, p0))
    # Hawkes: the two simulators agree on the count law and on where the events fall
    p = {**bp, "branching_ratio": 0.5, "decay": 2.0}
    a = simulate_paths("exponential", baseline, p, T, 800, rng=2)
    b = simulate_paths("exponential", baseline, p, T, 800, rng=3, method="thinning")
    assert stats.ks_2samp([x.size for x in a], [x.size for x in b]).pvalue > 0.001
    assert stats.ks_2samp(np.concatenate(a), np.concatenate(b)).pvalue > 0.001


@pytest.mark.parametrize("method", ["branching", "thinning"])
def test_nan_baseline_level_is_an_error_not_an_empty_path(method):
    base = PiecewiseBaseline(breaks=[5.0], _offsets=np.array([5.0]))
    p = {"baseline": 0.5, "baseline_2": np.nan, "branching_ratio": 0.5, "decay": 1.0}
    with pytest.raises(IncidentStatsError, match="finite, non-negative rate"):
        simulate("exponential", base, p, 10.0, rng=1, method=method)


def test_simulate_events_on_dated_window_binds_date_baselines():
    from incidentstats.hawkes.simulate import simulate_events

    base = PiecewiseBaseline(breaks=["2020-01-03"])
    p = {"baseline": 0.1, "baseline_2": 2.0, "branching_ratio": 0.0}
    ev = simulate_events(None, base, p, "2019-10-28", "2020-03-31", rng=1, name="sim")
    assert ev.start == pd.Timestamp("2019-10-28") and ev.end == pd.Timestamp("2020-03-31")
    assert ev.name == "sim" and ev.resolution == "exact"
    before = int(np.sum(ev.timestamps < pd.Timestamp("2020-01-03")))
    # Poisson counts: 67 days at 0.1 (mean 6.7), 88 days at 2.0 (mean 176): 5 SD bounds
    assert abs(before - 6.7) < 5 * np.sqrt(6.7)
    assert abs((ev.n - before) - 176.0) < 5 * np.sqrt(176.0)
    same = simulate_events(None, base, p, "2019-10-28", 155.0, rng=1, name="sim")
    assert same.timestamps.equals(ev.timestamps)  # end as a number of days
    with pytest.raises(IncidentStatsError, match="end"):
        simulate_events(None, base, p, "2019-10-28", -3.0)
