"""Tests of the multivariate Hawkes likelihood, fit, simulator and result."""

from __future__ import annotations

import math
import os
import warnings
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from incidentstats.exceptions import (
    ConvergenceWarning,
    IncidentStatsError,
    SmallSampleWarning,
)
from incidentstats.hawkes.multivariate import (
    MultivariateHawkes,
    MultivariateHawkesResult,
    fit_multivariate,
    multivariate_loglikelihood,
    simulate_multivariate,
)

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"

# tick lib/cpp-test/hawkes/model/hawkes_models_gtest.cpp (quoted in issue 6)
TICK_TIMES = {
    "a": [0.31, 0.93, 1.29, 2.32, 4.25],
    "b": [0.12, 1.19, 2.12, 2.41, 3.35, 4.21],
}
TICK_LL = -40.87796070437092


def brute_loglik(streams, mu, adj, betas, end, trend=None):
    """Independent O(n²) log-likelihood: direct sums, numerical-free closed-form integrals."""
    names = list(streams)
    d = len(names)
    adj = np.asarray(adj, float)
    if adj.ndim == 2:
        adj = adj[:, :, None]
    betas = np.atleast_1d(betas)
    trend = np.zeros(d) if trend is None else np.asarray(trend, float)
    ll = 0.0
    for i, ni in enumerate(names):
        for t in streams[ni]:
            lam = mu[i] * math.exp(trend[i] * (t / end - 0.5))
            for j, nj in enumerate(names):
                for s in streams[nj]:
                    if s < t:
                        for u, b in enumerate(betas):
                            lam += adj[i, j, u] * b * math.exp(-b * (t - s))
            ll += math.log(lam)
        if trend[i] == 0:
            ll -= mu[i] * end
        else:
            b = trend[i]
            ll -= mu[i] * end / b * (math.exp(b / 2) - math.exp(-b / 2))
        for j, nj in enumerate(names):
            for s in streams[nj]:
                for u, b in enumerate(betas):
                    ll -= adj[i, j, u] * (1 - math.exp(-b * (end - s)))
    return ll


def test_tick_two_stream_vector():
    # reference: tick's C++ test (issue 6 text), standard log-likelihood
    ll = multivariate_loglikelihood(TICK_TIMES, [1.0, 3.0], [[2.0, 3.0], [4.0, 1.0]], 2.0, end=4.25)
    assert ll == pytest.approx(TICK_LL, rel=1e-12)
    # tick's own loss is -(ll + D*T)/N (PEERS.md, tick issue #449)
    n = 11
    assert -(ll + 2 * 4.25) / n == pytest.approx(-(TICK_LL + 8.5) / 11, rel=1e-12)
    assert ll == pytest.approx(
        brute_loglik(TICK_TIMES, [1.0, 3.0], [[2, 3], [4, 1]], [2.0], 4.25), rel=1e-12
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loglik_matches_brute_force_sum_exp_and_trend(seed):
    gen = np.random.default_rng(seed)
    d, u, end = 3, 2, 20.0
    streams = {f"s{i}": np.sort(gen.uniform(0, end, gen.integers(3, 12))) for i in range(d)}
    mu = gen.uniform(0.2, 1.0, d)
    adj = gen.uniform(0.0, 0.4, (d, d, u))
    betas = np.array([0.5, 3.0])
    trend = gen.normal(0, 1, d)
    ll = multivariate_loglikelihood(streams, mu, adj, betas, end=end, trend=trend)
    assert ll == pytest.approx(brute_loglik(streams, mu, adj, betas, end, trend), rel=1e-10)


def test_ties_follow_strictly_earlier_rule():
    streams = {"a": [1.0, 1.0, 2.0], "b": [1.0, 3.0]}
    ll = multivariate_loglikelihood(streams, [0.5, 0.4], [[0.3, 0.2], [0.1, 0.5]], 1.3, end=5.0)
    assert ll == pytest.approx(
        brute_loglik(streams, [0.5, 0.4], [[0.3, 0.2], [0.1, 0.5]], [1.3], 5.0), rel=1e-12
    )


def test_gradient_matches_finite_differences():
    from incidentstats.hawkes.multivariate import _array_data, _Layout, _loglik

    gen = np.random.default_rng(5)
    streams = {"a": np.sort(gen.uniform(0, 30, 25)), "b": np.sort(gen.uniform(0, 30, 18))}
    for baseline, u in (("constant", 1), ("loglinear", 2)):
        lay = _Layout(["a", "b"], u, baseline)
        data = _array_data(["a", "b"], list(streams.values()), 30.0)
        theta = np.abs(gen.normal(0.5, 0.2, lay.size)) + 0.05
        if baseline == "loglinear":
            theta[lay.sl_trend] = [0.4, -0.7]
        _, g = _loglik(data, lay, theta)
        num = np.zeros_like(theta)
        for k in range(lay.size):
            h = 1e-6 * max(1.0, abs(theta[k]))
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
            num[k] = (_loglik(data, lay, tp)[0] - _loglik(data, lay, tm)[0]) / (2 * h)
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)


def test_simulator_mean_counts_match_closed_form():
    # closed form: stationary mean rate vector (I - A)^{-1} mu (edge effects ~ 1/(beta T))
    mu = np.array([0.5, 0.3])
    adj = np.array([[0.3, 0.2], [0.1, 0.4]])
    end = 2000.0
    totals = np.zeros(2)
    reps = 20
    for r in range(reps):
        out = simulate_multivariate(mu, adj, 2.0, end=end, rng=r)
        totals += [len(out["0"]), len(out["1"])]
    expected = np.linalg.solve(np.eye(2) - adj, mu) * end
    np.testing.assert_allclose(totals / reps, expected, rtol=0.03)


def test_simulate_reproducible_and_sorted():
    a = simulate_multivariate([0.4], [[0.5]], 1.0, end=100.0, rng=7)
    b = simulate_multivariate([0.4], [[0.5]], 1.0, end=100.0, rng=7)
    np.testing.assert_array_equal(a["0"], b["0"])
    assert np.all(np.diff(a["0"]) >= 0) and a["0"].max() < 100.0


def _coverage_study(mu, adj, beta, end, reps, seed0):
    d = len(mu)
    names = [f"s{i}" for i in range(d)]
    hits = np.zeros((d, d))
    ests = []
    for r in range(reps):
        streams = simulate_multivariate(mu, adj, beta, end=end, rng=seed0 + r, names=names)
        res = MultivariateHawkes().fit(streams, end=end)
        ci = res.confidence_interval()
        for i in range(d):
            for j in range(d):
                row = ci.loc[f"adjacency[{names[i]}<-{names[j]}]"]
                hits[i, j] += row["low"] <= adj[i][j] <= row["high"]
        ests.append(res.params.values)
    return hits / reps, np.array(ests)


def test_two_stream_recovery_and_coverage():
    # true model; ~1,600 events per replicate over 1,000 days
    mu, adj, beta = [0.5, 0.3], [[0.3, 0.2], [0.1, 0.4]], 1.5
    reps = 200 if FULL else 40
    cov, ests = _coverage_study(mu, adj, beta, 1000.0, reps, 100)
    truth = np.array([0.5, 0.3, 0.3, 0.2, 0.1, 0.4, 1.5])
    # mean estimates within 10% of the truth (small-sample bias of Hawkes MLE is a few %)
    np.testing.assert_allclose(ests.mean(axis=0), truth, rtol=0.1, atol=0.02)
    # measured coverage of 95% Wald intervals of the adjacency entries (200 reps, full run):
    # see the report; the reduced run allows binomial noise for 40 replicates
    assert cov.mean() >= (0.90 if FULL else 0.85), cov


def test_five_stream_recovery():
    gen = np.random.default_rng(11)
    d = 5
    adj = np.where(gen.uniform(size=(d, d)) < 0.5, gen.uniform(0.05, 0.3, (d, d)), 0.0)
    adj *= 0.6 / max(abs(np.linalg.eigvals(adj)))
    mu = gen.uniform(0.2, 0.6, d)
    reps = 100 if FULL else 6
    cov, ests = _coverage_study(mu, adj.tolist(), 1.0, 1500.0, reps, 500)
    est_adj = ests[:, d : d + d * d].mean(axis=0).reshape(d, d)
    np.testing.assert_allclose(est_adj, adj, atol=0.05)
    assert cov.mean() >= (0.90 if FULL else 0.8), cov


def test_fixed_decay_and_sum_exponential():
    streams = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=800.0, rng=2)
    fixed = MultivariateHawkes(decays=1.5).fit(streams, end=800.0)
    assert fixed.decays[0] == 1.5 and np.isnan(fixed.bse["decay"])
    free = MultivariateHawkes().fit(streams, end=800.0)
    assert free.loglik >= fixed.loglik - 1e-6
    sumexp = MultivariateHawkes("sum_exponential", n_exponentials=2).fit(streams, end=800.0)
    # nests the single exponential: its maximum cannot be lower
    assert sumexp.loglik >= free.loglik - 1e-3
    assert sumexp.adjacency.shape == (2, 2)


def test_profile_interval_drop_equals_chi2_half():
    from scipy import stats

    streams = simulate_multivariate([0.6], [[0.5]], 1.0, end=500.0, rng=4)
    res = MultivariateHawkes().fit(streams, end=500.0)
    ci = res.profile_interval("adjacency[0<-0]")
    assert ci.low < res.params["adjacency[0<-0]"] < ci.high
    # at each end, the profile log-likelihood is chi2_1(0.95)/2 below the maximum
    for v in (ci.low, ci.high):
        fixed = MultivariateHawkes().fit(streams, end=500.0)
        from incidentstats.hawkes.multivariate import _optimize

        th = fixed._theta.copy()
        k = list(fixed.params.index).index("adjacency[0<-0]")
        th[k] = v
        free = np.ones(len(th), bool)
        free[k] = False
        _, ll, _, _ = _optimize(fixed._data, fixed._lay, th, free)
        assert res.loglik - ll == pytest.approx(stats.chi2.ppf(0.95, 1) / 2, abs=2e-3)
    wald = res.confidence_interval().loc["adjacency[0<-0]"]
    assert abs(wald["low"] - ci.low) < 0.1 and abs(wald["high"] - ci.high) < 0.1


def test_forecast_expected_count_closed_form():
    # univariate closed form: x(s) = E[lambda(T+s)] - mu solves x' = -beta(1-n) x + n beta mu
    streams = simulate_multivariate([0.5], [[0.5]], 1.0, end=300.0, rng=9)
    res = MultivariateHawkes(decays=1.0).fit(streams, end=300.0)
    mu, n, b = res.baseline.iloc[0], res.adjacency.iloc[0, 0], 1.0
    t = streams["0"]
    x0 = np.sum(n * b * np.exp(-b * (300.0 - t)))
    xinf = n * mu / (1 - n)
    h = 5.0
    k = b * (1 - n)
    expected = mu * h + xinf * h + (x0 - xinf) * (1 - math.exp(-k * h)) / k
    fc = res.forecast(h, n_paths=4000, rng=1)
    assert fc["expected"].iloc[0] == pytest.approx(expected, rel=0.05)


def test_gof_and_declustering():
    streams = simulate_multivariate([0.4, 0.4], [[0.3, 0.3], [0.0, 0.3]], 2.0, end=400.0, rng=3)
    res = MultivariateHawkes().fit(streams, end=400.0)
    g = res.gof()
    assert list(g.index) == ["0", "1"] and (g["pvalue"] > 0.01).all()
    bp = res.branching_probabilities()
    probs = bp[["background", "from 0", "from 1"]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    # expected number of background events equals the baseline integral at the MLE (score eq.)
    assert bp["background"].sum() == pytest.approx(res.baseline.sum() * 400.0, rel=1e-3)


def test_result_interface():
    streams = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=400.0, rng=1)
    res = MultivariateHawkes().fit(streams, end=400.0)
    assert isinstance(res, MultivariateHawkesResult)
    assert isinstance(res.params, pd.Series) and isinstance(res.adjacency, pd.DataFrame)
    assert res.spectral_radius == pytest.approx(max(abs(np.linalg.eigvals(res.adjacency))))
    text = str(res.summary())
    assert "spectral radius" in text and "adjacency[0<-1]" in text
    import json

    json.dumps(res.to_dict())
    assert res.summary().as_markdown().startswith("###")
    assert res.aic == pytest.approx(-2 * res.loglik + 2 * 7)


def test_plot_adjacency():
    import matplotlib

    matplotlib.use("Agg")
    streams = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=300.0, rng=1)
    res = MultivariateHawkes().fit(streams, end=300.0)
    ax = res.plot_adjacency()
    assert ax.get_xlabel() == "source stream"
    assert len(ax.texts) == 4


# -- EventSeries input, ties, and the process bridge ----------------------------------------
def _day_streams():
    from incidentstats.events import EventSeries

    sim = simulate_multivariate([3.0, 1.0], [[0.3, 0.3], [0.1, 0.2]], 0.5, end=200.0, rng=5)
    start = pd.Timestamp("2020-01-01")
    out = {}
    for name, t in sim.items():
        days = start + pd.to_timedelta(np.floor(t), unit="D")
        out[name] = EventSeries(days, start="2020-01-01", end="2020-07-19", resolution="day")
    return out


def test_day_resolution_jitter_is_seeded_and_combined():
    streams = _day_streams()
    a = MultivariateHawkes(n_imputations=3).fit(streams, rng=1)
    b = MultivariateHawkes(n_imputations=3).fit(streams, rng=1)
    pd.testing.assert_series_equal(a.params, b.params)
    assert a.jittered and a.n_imputations == 3 and a.imputations.shape[0] == 3
    assert "Rubin" in str(a.summary())
    with pytest.raises(IncidentStatsError, match="ties='error'"):
        MultivariateHawkes(ties="error").fit(streams)


def test_single_eventseries_with_mark_column():
    from incidentstats.events import EventSeries

    sim = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=300.0, rng=1)
    times = np.concatenate([sim["0"], sim["1"]])
    kind = ["x"] * len(sim["0"]) + ["y"] * len(sim["1"])
    ev = EventSeries.from_offsets(times, end=300.0, marks=pd.DataFrame({"kind": kind}))
    res = MultivariateHawkes().fit(ev, mark="kind")
    ref = MultivariateHawkes().fit({"x": sim["0"], "y": sim["1"]}, end=300.0)
    assert res.streams == ["x", "y"]
    # from_offsets rounds times to nanoseconds: same fit to ~1e-6
    np.testing.assert_allclose(res.params.values, ref.params.values, rtol=1e-4, atol=1e-6)
    with pytest.raises(IncidentStatsError, match="mark"):
        MultivariateHawkes().fit(ev, mark="weapon")
    uni = MultivariateHawkes().fit(ev)  # no mark: one stream
    assert uni.adjacency.shape == (1, 1) and uni.n_events.iloc[0] == ev.n


def test_fit_multivariate_reads_process_options():
    class Kernel:
        name = "exponential"
        decay = None

    class Process:
        kernel = Kernel()
        baseline = None
        fixed: ClassVar[dict] = {"decay": 1.5}

    streams = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=300.0, rng=1)
    res = fit_multivariate(Process(), streams, end=300.0)
    assert res.decays[0] == 1.5 and res.fixed_decays

    class Bad:
        kernel = "powerlaw"
        baseline = None

    with pytest.raises(IncidentStatsError, match="kernel"):
        fit_multivariate(Bad(), streams, end=300.0)

    class Trend:
        kernel = "exponential"
        baseline = "trend"

    assert fit_multivariate(Trend(), streams, end=300.0).trend is not None


# -- bad input ------------------------------------------------------------------------------
def test_stream_with_no_events():
    with pytest.raises(IncidentStatsError, match="at least one event"):
        MultivariateHawkes().fit({"a": [1.0, 2.0], "b": []}, end=10.0)
    with pytest.raises(IncidentStatsError, match="at least 2 events"):
        MultivariateHawkes().fit({"a": [1.0]}, end=10.0)


def test_mismatched_windows():
    from incidentstats.events import EventSeries

    a = EventSeries(["2020-01-02"], start="2020-01-01", end="2020-02-01")
    b = EventSeries(["2020-01-05"], start="2020-01-01", end="2020-03-01")
    with pytest.raises(IncidentStatsError, match="window of stream 'b'"):
        MultivariateHawkes(ties="none").fit({"a": a, "b": b})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kernel": "powerlaw"}, "kernel"),
        ({"baseline": "weekly"}, "baseline"),
        ({"baseline": "shock"}, "ShockBaseline\\(dates="),
        ({"ties": "drop"}, "ties"),
        ({"decays": -1.0}, "decays"),
        ({"decays": [1.0, 2.0]}, "decays"),
        ({"n_starts": 0}, "n_starts"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        MultivariateHawkes(**kwargs).fit({"a": [1.0, 2.0]}, end=10.0)


def test_bad_streams_and_params():
    with pytest.raises(IncidentStatsError, match="streams"):
        MultivariateHawkes().fit([1.0, 2.0], end=10.0)
    with pytest.raises(IncidentStatsError, match="end"):
        MultivariateHawkes().fit({"a": [1.0, 2.0]})
    with pytest.raises(IncidentStatsError, match="window"):
        MultivariateHawkes().fit({"a": [1.0, 12.0]}, end=10.0)
    with pytest.raises(IncidentStatsError, match="baseline"):
        multivariate_loglikelihood({"a": [1.0]}, [-1.0], [[0.1]], 1.0, end=5.0)
    with pytest.raises(IncidentStatsError, match="adjacency"):
        multivariate_loglikelihood({"a": [1.0]}, [1.0], [[np.nan]], 1.0, end=5.0)
    with pytest.raises(IncidentStatsError, match="spectral radius"):
        simulate_multivariate([1.0], [[1.2]], 1.0, end=5.0)


def test_warnings_small_sample_and_near_critical():
    with pytest.warns(SmallSampleWarning):
        MultivariateHawkes().fit({"a": [1.0, 2.0, 2.5, 7.0], "b": [3.0, 8.0]}, end=10.0)
    # background switching between 50/day and 0.05/day every 10 days, no contagion: a
    # constant-baseline Hawkes fit explains the switches by near-critical excitation (0.995)
    gen = np.random.default_rng(0)
    t = np.sort(
        np.concatenate(
            [
                k * 10 + gen.uniform(0, 10, gen.poisson((50 if k % 2 == 0 else 0.05) * 10))
                for k in range(20)
            ]
        )
    )
    with pytest.warns(ConvergenceWarning, match="spectral radius"):
        MultivariateHawkes().fit({"a": t}, end=200.0)


def test_boundary_entry_gets_profile_interval():
    # adjacency[1<-0] is 0 in truth and estimated at the boundary for this seed
    streams = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=1000.0, rng=1)
    res = MultivariateHawkes().fit(streams, end=1000.0)
    assert res.params["adjacency[1<-0]"] == 0.0 and np.isnan(res.bse["adjacency[1<-0]"])
    ci = res.confidence_interval().loc["adjacency[1<-0]"]
    prof = res.profile_interval("adjacency[1<-0]")
    assert ci["low"] == 0.0 and ci["high"] == pytest.approx(prof.high) and 0 < prof.high < 0.1


def test_core_hawkes_process_dispatches_dicts_here():
    import incidentstats as ist

    if not hasattr(ist, "HawkesProcess"):
        pytest.skip("core HawkesProcess not available")
    sim = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=400.0, rng=1)
    from incidentstats.events import EventSeries

    streams = {k: EventSeries.from_offsets(v, end=400.0) for k, v in sim.items()}
    res = ist.HawkesProcess().fit(streams)
    ref = MultivariateHawkes().fit(streams)
    assert isinstance(res, MultivariateHawkesResult)
    pd.testing.assert_series_equal(res.params, ref.params)
    fixed = ist.HawkesProcess(fixed={"decay": 1.5}).fit(streams)
    assert fixed.fixed_decays and fixed.decays[0] == 1.5
    trend = ist.HawkesProcess(baseline="trend").fit(streams)
    assert trend.trend is not None


def _brute_piecewise(streams, mu, adj, beta, end, edges):
    """Independent O(n²) log-likelihood with a piecewise-constant background."""
    names = list(streams)
    ll = 0.0
    for i, ni in enumerate(names):
        for t in streams[ni]:
            k = np.searchsorted(edges, t, "right") - 1
            lam = mu[i, k] + sum(
                adj[i][j] * beta * math.exp(-beta * (t - s))
                for j, nj in enumerate(names)
                for s in streams[nj]
                if s < t
            )
            ll += math.log(lam)
        ll -= sum(mu[i, k] * (edges[k + 1] - edges[k]) for k in range(len(edges) - 1))
        for j, nj in enumerate(names):
            for s in streams[nj]:
                ll -= adj[i][j] * (1 - math.exp(-beta * (end - s)))
    return ll


def test_piecewise_baseline_loglik_gradient_and_recovery():
    from incidentstats.hawkes.multivariate import _array_data, _Layout, _loglik

    gen = np.random.default_rng(3)
    streams = {"a": np.sort(gen.uniform(0, 20, 12)), "b": np.sort(gen.uniform(0, 20, 9))}
    mu = np.array([[0.5, 1.0, 0.2], [0.3, 0.6, 0.9]])
    adj = [[0.3, 0.1], [0.2, 0.4]]
    model = MultivariateHawkes(baseline="piecewise", breaks=[7.5, 13.0])
    ll = model.loglikelihood(streams, {"baseline": mu, "adjacency": adj, "decays": 1.3}, end=20.0)
    edges = np.array([0, 7.5, 13, 20.0])
    assert ll == pytest.approx(_brute_piecewise(streams, mu, adj, 1.3, 20.0, edges), rel=1e-12)
    lay = _Layout(["a", "b"], 1, "piecewise", edges)
    data = _array_data(["a", "b"], list(streams.values()), 20.0)
    theta = lay.pack(mu, None, np.array(adj)[:, :, None], [1.3])
    _, g = _loglik(data, lay, theta)
    num = [
        (_loglik(data, lay, theta + e)[0] - _loglik(data, lay, theta - e)[0]) / 2e-6
        for e in np.eye(len(theta)) * 1e-6
    ]
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)
    # recovery: the background of stream 0 triples at day 500, excitation unchanged
    a = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=500.0, rng=1)
    b = simulate_multivariate([1.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=500.0, rng=2)
    joined = {k: np.concatenate([a[k], b[k] + 500.0]) for k in a}
    res = MultivariateHawkes(baseline="piecewise", breaks=[500.0]).fit(joined, end=1000.0)
    seg = res.baseline_segments.to_numpy()
    np.testing.assert_allclose(seg, [[0.5, 1.5], [0.3, 0.3]], rtol=0.15)
    assert "Background rate per segment" in str(res.summary())


def test_piecewise_breaks_validation_and_core_bridge():
    import incidentstats as ist
    from incidentstats.events import EventSeries

    with pytest.raises(IncidentStatsError, match="strictly inside"):
        MultivariateHawkes(baseline="piecewise", breaks=[12.0]).fit({"a": [1.0, 2.0]}, end=10.0)
    with pytest.raises(IncidentStatsError, match="at least one date"):
        MultivariateHawkes(baseline="piecewise").fit({"a": [1.0, 2.0]}, end=10.0)
    with pytest.raises(IncidentStatsError, match="only with baseline='piecewise'"):
        MultivariateHawkes(breaks=[5.0]).fit({"a": [1.0, 2.0]}, end=10.0)
    sim = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=400.0, rng=1)
    streams = {k: EventSeries.from_offsets(v, end=400.0) for k, v in sim.items()}
    proc = ist.HawkesProcess(baseline=ist.hawkes.PiecewiseBaseline(breaks=["2000-06-01"]))
    res = proc.fit(streams)
    ref = MultivariateHawkes(baseline="piecewise", breaks=["2000-06-01"]).fit(streams)
    pd.testing.assert_series_equal(res.params, ref.params)
    assert res.baseline_segments.shape == (2, 2)


def test_jittered_boundary_entry_uses_profile_envelope():
    from incidentstats.events import EventSeries

    sim = simulate_multivariate([2.0, 1.0], [[0.3, 0.0], [0.0, 0.3]], 0.5, end=300.0, rng=5)
    start = pd.Timestamp("2020-01-01")
    streams = {
        k: EventSeries(
            start + pd.to_timedelta(np.floor(v), unit="D"),
            start=start,
            end=start + pd.Timedelta(days=300),
            resolution="day",
        )
        for k, v in sim.items()
    }
    res = MultivariateHawkes(n_imputations=3).fit(streams, rng=2)
    name = "adjacency[0<-1]"
    assert (res.imputations[name] == 0).all()  # on the boundary in every imputation
    ci = res.profile_interval(name)
    assert ci.low == 0.0 and 0 < ci.high < 0.3 and "envelope" in ci.method
    row = res.confidence_interval().loc[name]
    assert row["low"] == 0.0 and row["high"] == pytest.approx(ci.high)


# -- seasonal and shock backgrounds per stream ----------------------------------------------
def _seasonal_rate(p, period):
    """Harmonic background written out (independent of hawkes/baselines.py)."""

    def rate(t):
        x = 0.0
        k = 1
        while f"cos_{k}" in p:
            w = 2 * math.pi * k / period
            x += p[f"cos_{k}"] * math.cos(w * t) + p[f"sin_{k}"] * math.sin(w * t)
            k += 1
        return p["baseline"] * math.exp(x)

    return rate


def _shock_rate(p, dates):
    def rate(t):
        om = p["shock_decay"]
        return p["baseline"] + sum(
            p[f"shock_{k + 1}"] * om * math.exp(-om * (t - d))
            for k, d in enumerate(dates)
            if t >= d
        )

    return rate


def _brute_general(streams, rates, adj, beta, end, breakpoints=()):
    """Independent O(n²) log-likelihood with any background: direct sums for the
    excitation, adaptive quadrature (scipy.integrate.quad) for the background integral."""
    from scipy import integrate

    names = list(streams)
    ll = 0.0
    for i, ni in enumerate(names):
        for t in streams[ni]:
            lam = rates[i](t) + sum(
                adj[i][j] * beta * math.exp(-beta * (t - s))
                for j, nj in enumerate(names)
                for s in streams[nj]
                if s < t
            )
            ll += math.log(lam)
        ll -= integrate.quad(
            rates[i], 0.0, end, points=breakpoints or None, limit=500, epsabs=1e-13, epsrel=1e-13
        )[0]
        for j, nj in enumerate(names):
            for s in streams[nj]:
                ll -= adj[i][j] * (1 - math.exp(-beta * (end - s)))
    return ll


SEASONAL_P = {
    "baseline": [0.5, 0.8],
    "cos_1": [0.4, -0.3],
    "sin_1": [-0.2, 0.5],
    "cos_2": [0.1, 0.0],
    "sin_2": [0.0, -0.25],
}
SHOCK_P = {
    "baseline": [0.5, 0.8],
    "shock_1": [3.0, 0.0],
    "shock_2": [1.5, 2.0],
    "shock_decay": [0.7, 2.5],
}
ADJ2 = [[0.3, 0.1], [0.2, 0.4]]


def _small_streams(seed=3, end=23.5):
    gen = np.random.default_rng(seed)
    return {"a": np.sort(gen.uniform(0, end, 14)), "b": np.sort(gen.uniform(0, end, 11))}


def _per_stream(p, i):
    return {k: v[i] for k, v in p.items()}


@pytest.mark.parametrize("kind", ["seasonal", "shock"])
def test_seasonal_and_shock_loglik_match_brute_force(kind):
    from incidentstats.hawkes import SeasonalBaseline, ShockBaseline

    end = 23.5  # not a multiple of the period: the partial-period quadrature is exercised
    streams = _small_streams(end=end)
    if kind == "seasonal":
        model = MultivariateHawkes(baseline=SeasonalBaseline(period=6.3, n_harmonics=2))
        params, rates = (
            SEASONAL_P,
            [_seasonal_rate(_per_stream(SEASONAL_P, i), 6.3) for i in (0, 1)],
        )
        points = ()
    else:
        dates = [4.0, 11.2]
        model = MultivariateHawkes(baseline=ShockBaseline(dates=dates))
        params, rates = SHOCK_P, [_shock_rate(_per_stream(SHOCK_P, i), dates) for i in (0, 1)]
        points = tuple(dates)
    ll = model.loglikelihood(streams, {**params, "adjacency": ADJ2, "decays": 1.3}, end=end)
    ref = _brute_general(streams, rates, ADJ2, 1.3, end, points)
    assert ll == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("kind", ["seasonal", "shock"])
def test_seasonal_and_shock_gradient_matches_finite_differences(kind):
    from incidentstats.hawkes import SeasonalBaseline, ShockBaseline
    from incidentstats.hawkes.multivariate import _array_data, _Layout, _loglik

    streams = _small_streams(seed=8)
    data = _array_data(["a", "b"], list(streams.values()), 23.5)
    if kind == "seasonal":
        bobj, params = SeasonalBaseline(period=6.3, n_harmonics=2), SEASONAL_P
    else:
        bobj, params = ShockBaseline(dates=[4.0, 11.2]), {**SHOCK_P, "shock_1": [3.0, 0.4]}
    for u, betas in ((1, [1.3]), (2, [0.5, 3.0])):
        lay = _Layout(["a", "b"], u, kind, None, bobj)
        base = np.column_stack([params[nm] for nm in lay.bnames])
        adj = np.repeat(np.array(ADJ2)[:, :, None], u, axis=2) / u
        theta = lay.pack(base, None, adj, betas)
        _, g = _loglik(data, lay, theta)
        num = np.zeros_like(theta)
        for k in range(lay.size):
            h = 1e-6 * max(1.0, abs(theta[k]))
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
            num[k] = (_loglik(data, lay, tp)[0] - _loglik(data, lay, tm)[0]) / (2 * h)
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)


def test_hessian_of_negative_real_parameters_is_local():
    # a negative trend / harmonic coefficient must not be clamped at 0 in the Hessian step
    from incidentstats.hawkes import SeasonalBaseline
    from incidentstats.hawkes.multivariate import _array_data, _hessian, _Layout, _loglik

    streams = _small_streams(seed=8)
    data = _array_data(["a", "b"], list(streams.values()), 23.5)
    lay = _Layout(["a", "b"], 1, "seasonal", None, SeasonalBaseline(period=6.3))
    base = np.column_stack([SEASONAL_P[nm] for nm in lay.bnames])
    theta = lay.pack(base, None, np.array(ADJ2)[:, :, None], [1.3])
    k = lay.labels.index("cos_1[b]")  # -0.3
    hess = _hessian(data, lay, theta, np.ones(lay.size, bool))
    h = 1e-4
    tp, tm = theta.copy(), theta.copy()
    tp[k] += h
    tm[k] -= h
    second = (
        _loglik(data, lay, tp)[0] - 2 * _loglik(data, lay, theta)[0] + _loglik(data, lay, tm)[0]
    ) / h**2
    assert hess[k, k] == pytest.approx(second, rel=1e-4)


def _object_recovery(bobj, truth_p, adj, beta, end, reps, seed0):
    names = ["s0", "s1"]
    truth = np.concatenate(
        [np.ravel(truth_p[nm]) for nm in bobj.param_names] + [np.ravel(adj), [beta]]
    )
    hits, ests = [], []
    for r in range(reps):
        streams = simulate_multivariate(
            truth_p, adj, beta, end=end, rng=seed0 + r, names=names, background=bobj
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            res = MultivariateHawkes(baseline=bobj).fit(streams, end=end)
        assert res.converged
        ci = res.confidence_interval()
        hits.append((ci["low"].to_numpy() <= truth) & (truth <= ci["high"].to_numpy()))
        ests.append(res.params.to_numpy())
    return truth, np.array(hits), np.array(ests), res


def test_seasonal_baseline_recovery_and_coverage():
    from incidentstats.hawkes import SeasonalBaseline

    # weekly cycle in stream 0 (cosine phase), in stream 1 (sine phase); ~1,500 events
    bobj = SeasonalBaseline(period=7.0)
    tp = {"baseline": [0.5, 0.3], "cos_1": [0.6, 0.0], "sin_1": [0.0, -0.5]}
    reps = 100 if FULL else 8
    truth, hits, ests, res = _object_recovery(
        bobj, tp, [[0.3, 0.2], [0.0, 0.4]], 1.5, 1000.0, reps, 300
    )
    # mean estimates near the truth (per-replicate SE of the harmonic coefficients ~0.1)
    np.testing.assert_allclose(ests.mean(axis=0), truth, atol=0.1 if FULL else 0.12)
    # coverage of all 95% intervals pooled (11 parameters x reps); measured in the full run,
    # see the MultivariateHawkes docstring; the reduced run allows binomial noise
    assert hits.mean() >= (0.92 if FULL else 0.85), hits.mean(axis=0)
    assert list(res.baseline_params.columns) == ["baseline", "cos_1", "sin_1"]
    assert "SeasonalBaseline(period=7" in str(res.summary())


def test_shock_baseline_recovery_and_coverage():
    from incidentstats.hawkes import ShockBaseline

    bobj = ShockBaseline(dates=[300.0, 700.0])
    tp = {
        "baseline": [0.5, 0.3],
        "shock_1": [40.0, 10.0],
        "shock_2": [20.0, 5.0],
        "shock_decay": [0.2, 0.5],
    }
    reps = 100 if FULL else 8
    truth, hits, ests, res = _object_recovery(
        bobj, tp, [[0.3, 0.2], [0.0, 0.4]], 1.5, 1000.0, reps, 700
    )
    # shock sizes are Poisson-like counts of ~5-40 events: compare on the relative scale
    np.testing.assert_allclose(np.median(ests, axis=0), truth, rtol=0.35, atol=0.06)
    assert hits.mean() >= (0.92 if FULL else 0.85), hits.mean(axis=0)
    assert res.to_dict()["baseline_options"]["name"] == "shock"


@pytest.mark.parametrize("kind", ["seasonal", "shock"])
def test_declustering_background_equals_baseline_integral(kind):
    # score equation of the background level (and shock sizes): at the MLE the expected
    # number of background events equals the integral of the fitted background
    from incidentstats.hawkes import SeasonalBaseline, ShockBaseline

    if kind == "seasonal":
        bobj = SeasonalBaseline(period=7.0)
        tp = {"baseline": [0.5, 0.4], "cos_1": [0.5, 0.0], "sin_1": [0.0, 0.4]}
    else:
        bobj = ShockBaseline(dates=[150.0])
        tp = {"baseline": [0.5, 0.4], "shock_1": [20.0, 10.0], "shock_decay": [0.3, 0.3]}
    adj = [[0.3, 0.2], [0.1, 0.3]]
    streams = simulate_multivariate(tp, adj, 2.0, end=400.0, rng=3, background=bobj)
    res = MultivariateHawkes(baseline=bobj).fit(streams, end=400.0)
    bp = res.branching_probabilities()
    total = sum(
        _integral_of(bobj, res.baseline_params.loc[s].to_dict(), 400.0) for s in res.streams
    )
    assert bp["background"].sum() == pytest.approx(total, rel=1e-4)
    assert (res.gof()["pvalue"] > 0.01).all()
    # the cumulative background used by gof() reaches the window integral at T
    lay = res._lay
    for i, s in enumerate(res.streams):
        cum = lay.base_cumulative(res._theta, i, np.array([123.4, 400.0]), 400.0)
        p = res.baseline_params.loc[s].to_dict()
        assert cum[1] == pytest.approx(_integral_of(bobj, p, 400.0), rel=1e-9)
        assert cum[0] == pytest.approx(_integral_of(bobj, p, 123.4), rel=1e-9)


def _integral_of(bobj, p, upper):
    from scipy import integrate

    if bobj.name == "seasonal":
        rate = _seasonal_rate(p, bobj.period)
        pts = None
    else:
        rate = _shock_rate(p, list(bobj.offsets))
        pts = [x for x in bobj.offsets if x < upper]
    return integrate.quad(rate, 0.0, upper, points=pts, limit=1000, epsabs=1e-12, epsrel=1e-12)[0]


def test_shock_forecast_matches_mean_ode():
    # expected count of a univariate Hawkes process with time-varying background mu(t):
    # E[lambda] = mu + x, x' = -beta (1 - n) x + n beta mu(t) (linearity of expectation),
    # solved here with scipy's ODE solver from x(T) = sum n beta e^{-beta (T - t_k)}
    from scipy.integrate import solve_ivp

    from incidentstats.hawkes import ShockBaseline

    bobj = ShockBaseline(dates=[290.0])
    tp = {"baseline": [0.4], "shock_1": [30.0], "shock_decay": [0.1]}
    streams = simulate_multivariate(tp, [[0.4]], 1.0, end=300.0, rng=5, background=bobj)
    res = MultivariateHawkes(baseline=bobj, decays=1.0).fit(streams, end=300.0)
    p = res.baseline_params.iloc[0].to_dict()
    n, b = res.adjacency.iloc[0, 0], 1.0
    mu = _shock_rate(p, [290.0])
    x0 = float(np.sum(n * b * np.exp(-b * (300.0 - streams["0"]))))
    h = 10.0
    sol = solve_ivp(
        lambda t, y: [-b * (1 - n) * y[0] + n * b * mu(t), mu(t) + y[0]],
        (300.0, 300.0 + h),
        [x0, 0.0],
        rtol=1e-10,
        atol=1e-10,
    )
    expected = sol.y[1, -1]
    fc = res.forecast(h, n_paths=3000, rng=2)
    assert fc["expected"].iloc[0] == pytest.approx(expected, rel=0.05)
    sim = res.simulate(rng=1)
    assert set(sim) == {"0"} and np.all(np.diff(sim["0"]) >= 0)


def test_seasonal_and_shock_through_core_process_and_dates():
    import incidentstats as ist
    from incidentstats.events import EventSeries
    from incidentstats.hawkes import SeasonalBaseline, ShockBaseline

    sim = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=400.0, rng=1)
    streams = {k: EventSeries.from_offsets(v, end=400.0) for k, v in sim.items()}
    start = streams["0"].start
    # a seasonal background through HawkesProcess(baseline=SeasonalBaseline(...))
    seas = SeasonalBaseline(period=30.0, n_harmonics=2)
    res = ist.HawkesProcess(baseline=seas).fit(streams)
    ref = MultivariateHawkes(baseline=seas).fit(streams)
    pd.testing.assert_series_equal(res.params, ref.params)
    assert res.baseline_params.shape == (2, 5)
    # shock dates as dates resolve against the window start; equal to day offsets
    day = start + pd.Timedelta(days=120)
    a = ist.HawkesProcess(baseline=ShockBaseline(dates=[str(day.date())])).fit(streams)
    b = MultivariateHawkes(baseline=ShockBaseline(dates=[120.0])).fit(sim, end=400.0)
    assert list(a.params.index) == list(b.params.index)
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=1e-4, atol=1e-6)
    # the string "seasonal" gives the default weekly cycle
    assert MultivariateHawkes(baseline="seasonal").fit(sim, end=400.0).baseline_params.shape == (
        2,
        3,
    )


def test_seasonal_and_shock_bad_input():
    from incidentstats.hawkes import (
        PiecewiseBaseline,
        SeasonalBaseline,
        ShockBaseline,
        TrendBaseline,
    )

    sim = {"a": [1.0, 2.0, 5.0], "b": [3.0, 4.0]}
    with pytest.raises(IncidentStatsError, match="must be day offsets"):
        MultivariateHawkes(baseline=ShockBaseline(dates=["2020-01-03"])).fit(sim, end=10.0)
    with pytest.raises(IncidentStatsError, match="strictly inside"):
        MultivariateHawkes(baseline=ShockBaseline(dates=[12.0])).fit(sim, end=10.0)
    with pytest.raises(IncidentStatsError, match="strictly inside"):
        MultivariateHawkes(baseline=ShockBaseline(dates=[0.0])).fit(sim, end=10.0)

    class Custom(TrendBaseline):
        name = "custom"

    with pytest.raises(IncidentStatsError, match="built-in baseline types"):
        MultivariateHawkes(baseline=Custom()).fit(sim, end=10.0)
    with pytest.raises(IncidentStatsError, match="own breaks"):
        MultivariateHawkes(baseline=PiecewiseBaseline([5.0]), breaks=[4.0]).fit(sim, end=10.0)
    with pytest.raises(IncidentStatsError, match="only with baseline='piecewise'"):
        MultivariateHawkes(baseline=SeasonalBaseline(), breaks=[4.0]).fit(sim, end=10.0)
    with pytest.raises(IncidentStatsError, match="cos_1"):
        MultivariateHawkes(baseline=SeasonalBaseline()).loglikelihood(
            sim, {"baseline": [1, 1], "adjacency": ADJ2, "decays": 1.0}, end=10.0
        )
    with pytest.raises(IncidentStatsError, match="shock_decay"):
        MultivariateHawkes(baseline=ShockBaseline(dates=[5.0])).loglikelihood(
            sim,
            {
                "baseline": [1, 1],
                "shock_1": [1, 1],
                "shock_decay": [0, 1],
                "adjacency": ADJ2,
                "decays": 1.0,
            },
            end=10.0,
        )
    with pytest.raises(IncidentStatsError, match="background"):
        simulate_multivariate([0.5], [[0.2]], 1.0, end=10.0, background="seasonal")
    with pytest.raises(IncidentStatsError, match="sin_1"):
        simulate_multivariate(
            {"baseline": [0.5], "cos_1": [0.1]},
            [[0.2]],
            1.0,
            end=10.0,
            background=SeasonalBaseline(),
        )

    class Process:
        kernel = "exponential"
        baseline = "shock"

    with pytest.raises(IncidentStatsError, match="ShockBaseline object"):
        fit_multivariate(Process(), sim, end=10.0)
    # piecewise through its object equals piecewise through breaks=
    a = MultivariateHawkes(baseline=PiecewiseBaseline([5.0]), ties="none")
    b = MultivariateHawkes(baseline="piecewise", breaks=[5.0])
    p = {"baseline": [[1, 2], [1, 0.5]], "adjacency": ADJ2, "decays": 1.0}
    assert a.loglikelihood(sim, p, end=10.0) == b.loglikelihood(sim, p, end=10.0)


def test_shock_and_break_dates_read_in_the_events_time_zone():
    # naive dates are local dates of a tz-aware window (day 40 = 2020-02-10 in Baghdad)
    from incidentstats.events import EventSeries
    from incidentstats.hawkes import ShockBaseline

    sim = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=100.0, rng=1)
    start = pd.Timestamp("2020-01-01", tz="Asia/Baghdad")
    streams = {
        k: EventSeries(
            start + pd.to_timedelta(v, unit="D"), start=start, end=start + pd.Timedelta(days=100)
        )
        for k, v in sim.items()
    }
    p = {
        "baseline": [0.5, 0.3],
        "shock_1": [1.0, 1.0],
        "shock_decay": [1.0, 1.0],
        "adjacency": [[0.3, 0.2], [0.0, 0.4]],
        "decays": 1.5,
    }
    dated = MultivariateHawkes(baseline=ShockBaseline(dates=["2020-02-10"])).loglikelihood(
        streams, p
    )
    offset = MultivariateHawkes(baseline=ShockBaseline(dates=[40.0])).loglikelihood(
        sim, p, end=100.0
    )
    assert dated == pytest.approx(offset, rel=1e-9)
    pw = {"baseline": [[0.5, 1.0], [0.3, 1.0]], "adjacency": p["adjacency"], "decays": 1.5}
    a = MultivariateHawkes(baseline="piecewise", breaks=["2020-02-10"]).loglikelihood(streams, pw)
    b = MultivariateHawkes(baseline="piecewise", breaks=[40.0]).loglikelihood(sim, pw, end=100.0)
    assert a == pytest.approx(b, rel=1e-9)


@pytest.mark.parametrize("kind", ["constant", "loglinear", "piecewise", "seasonal", "shock"])
def test_simulate_and_forecast_use_the_fitted_background(kind):
    # the univariate view used by simulate()/forecast() equals the likelihood's background
    from incidentstats.hawkes import SeasonalBaseline, ShockBaseline
    from incidentstats.hawkes.multivariate import _univariate_background

    sim = simulate_multivariate([0.5, 0.3], [[0.3, 0.2], [0.0, 0.4]], 1.5, end=300.0, rng=1)
    opts = {
        "constant": {},
        "loglinear": {"baseline": "loglinear"},
        "piecewise": {"baseline": "piecewise", "breaks": [100.0, 220.0]},
        "seasonal": {"baseline": SeasonalBaseline(period=30.0)},
        "shock": {"baseline": ShockBaseline(dates=[150.0])},
    }[kind]
    res = MultivariateHawkes(**opts).fit(sim, end=300.0)
    lay, theta, data = res._lay, res._theta, res._data
    bobj, per_stream = _univariate_background(lay, theta, 300.0)
    direct = np.concatenate(
        [bobj.rate(data.times[data.marks == i], per_stream[i]) for i in range(2)]
    )
    order = np.concatenate([np.flatnonzero(data.marks == i) for i in range(2)])
    np.testing.assert_allclose(direct, lay.base_at(theta, data)[order], rtol=1e-12)
    for i in range(2):
        cum = lay.base_cumulative(theta, i, np.array([300.0]), 300.0)[0]
        assert bobj.integral(0.0, 300.0, per_stream[i]) == pytest.approx(cum, rel=1e-9)
    out = res.simulate(rng=3)
    assert sorted(out) == ["0", "1"] and all(np.all(np.diff(v) >= 0) for v in out.values())
    fc = res.forecast(5.0, n_paths=50, rng=1)
    assert (fc["expected"] > 0).all()


@pytest.mark.parametrize("kind", ["seasonal", "shock"])
def test_one_stream_matches_the_core_univariate_model(kind):
    # second implementation: the core HawkesProcess with the same baseline object
    # (hawkes/likelihood.py), log-likelihood at fixed parameters and the MLE
    import incidentstats as ist
    from incidentstats.events import EventSeries
    from incidentstats.hawkes import SeasonalBaseline, ShockBaseline

    sim = simulate_multivariate([0.5], [[0.4]], 1.5, end=200.0, rng=2)
    ev = EventSeries.from_offsets(sim["0"], end=200.0)
    if kind == "seasonal":
        bobj = SeasonalBaseline(period=7.0, n_harmonics=2)
        p = {"baseline": 0.6, "cos_1": 0.3, "sin_1": -0.2, "cos_2": 0.1, "sin_2": 0.05}
    else:
        bobj = ShockBaseline(dates=[80.0])
        p = {"baseline": 0.6, "shock_1": 5.0, "shock_decay": 0.4}
    proc = ist.HawkesProcess(kernel="exponential", baseline=bobj)
    uni = proc.loglikelihood(ev, {**p, "branching_ratio": 0.4, "decay": 1.5})
    multi = MultivariateHawkes(baseline=bobj).loglikelihood(
        {"x": ev}, {**p, "adjacency": [[0.4]], "decays": 1.5}
    )
    assert multi == pytest.approx(uni, rel=1e-12)
    ru = proc.fit(ev)
    rm = MultivariateHawkes(baseline=bobj, ties="none").fit({"x": ev})
    assert rm.loglik == pytest.approx(ru.loglik, abs=1e-6)
    for name in bobj.param_names:
        assert rm.params[f"{name}[x]"] == pytest.approx(ru.params[name], rel=2e-3, abs=1e-4)
    assert rm.adjacency.iloc[0, 0] == pytest.approx(ru.params["branching_ratio"], rel=2e-3)


def test_absent_shock_gets_profile_interval_from_zero():
    # stream 1 has no burst in truth (shock_1 = 0): for seed 3 the MLE is on the boundary,
    # gets no Wald SE and the profile interval [0, upper]; its shock decay is then not
    # identified (no interval). Seed 0: the decay is held at its lower bound 1/(T - T_1)
    # (a step-like response) instead of running off with the shock size (γ → ∞, ω → 0).
    from incidentstats.hawkes import ShockBaseline
    from incidentstats.hawkes.multivariate import _shock_decay_lower

    b = ShockBaseline(dates=[200.0])
    tp = {"baseline": [0.5, 0.3], "shock_1": [20.0, 0.0], "shock_decay": [0.3, 0.3]}
    adj = [[0.3, 0.2], [0.0, 0.4]]
    st = simulate_multivariate(tp, adj, 1.5, end=400.0, rng=3, background=b)
    res = MultivariateHawkes(baseline=b).fit(st, end=400.0)
    assert res.params["shock_1[1]"] == 0.0 and np.isnan(res.bse["shock_1[1]"])
    ci = res.confidence_interval()
    prof = res.profile_interval("shock_1[1]")
    assert ci.loc["shock_1[1]", "low"] == 0.0 and prof.low == 0.0
    assert ci.loc["shock_1[1]", "high"] == pytest.approx(prof.high) and 5 < prof.high < 60
    assert ci.loc["shock_decay[1]"].isna().all()
    assert ci.loc["shock_1[0]", "low"] < 20.0 < ci.loc["shock_1[0]", "high"]
    assert "shock sizes truncated at 0" in str(res.summary())
    st = simulate_multivariate(tp, adj, 1.5, end=400.0, rng=0, background=b)
    res = MultivariateHawkes(baseline=b).fit(st, end=400.0)
    lo = _shock_decay_lower(res._lay, 400.0)
    assert lo == pytest.approx(1 / 200.0)
    assert res.params["shock_decay[1]"] == pytest.approx(lo, rel=1e-6)
    assert np.isnan(res.bse["shock_decay[1]"]) and res.params["shock_1[1]"] < 60
