"""SeasonalBaseline(trend=True): a log-linear trend plus a harmonic cycle, univariate and
multivariate (integral, likelihood, gradients, fits, recovery, errors)."""

from __future__ import annotations

import itertools
import math
import os
import warnings

import numpy as np
import pytest
from scipy import integrate

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError, SmallSampleWarning
from incidentstats.hawkes import SeasonalBaseline, TrendBaseline, loglikelihood
from incidentstats.hawkes.multivariate import (
    MultivariateHawkes,
    _array_data,
    _Layout,
    _loglik,
    simulate_multivariate,
)
from incidentstats.hawkes.simulate import simulate

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"


def _rate(p, period):
    """μ(t) written out independently of hawkes/baselines.py."""

    def rate(t):
        x = p.get("trend", 0.0) * t
        k = 1
        while f"cos_{k}" in p:
            w = 2 * math.pi * k / period
            x += p[f"cos_{k}"] * math.cos(w * t) + p[f"sin_{k}"] * math.sin(w * t)
            k += 1
        return p["baseline"] * math.exp(x)

    return rate


def _quad(f, a, b, period):
    """Adaptive quadrature (scipy.integrate.quad) split at every quarter period."""
    edges = np.unique(np.concatenate([[a], np.arange(a, b, period / 4.0), [b]]))
    return math.fsum(
        integrate.quad(f, lo, hi, epsabs=0.0, epsrel=1e-13, limit=200)[0]
        for lo, hi in itertools.pairwise(edges)
    )


P2 = {"baseline": 0.7, "trend": 0.004, "cos_1": 0.6, "sin_1": -0.4, "cos_2": 0.3, "sin_2": 0.2}


# -- the baseline object -------------------------------------------------------------------
def test_names_transforms_repr_and_dict():
    b = SeasonalBaseline(period=7.0, n_harmonics=2, trend=True)
    assert b.param_names == ("baseline", "trend", "cos_1", "sin_1", "cos_2", "sin_2")
    assert b.transforms == ("log", "real_t", "real", "real", "real", "real")
    assert repr(b) == "SeasonalBaseline(period=7, n_harmonics=2, trend=True)"
    assert b.to_dict() == {"name": "seasonal", "period": 7.0, "n_harmonics": 2, "trend": True}
    plain = SeasonalBaseline(period=7.0, n_harmonics=2)
    # the plain model is unchanged (names, repr and dict: reports stay byte-stable)
    assert plain.param_names == ("baseline", "cos_1", "sin_1", "cos_2", "sin_2")
    assert repr(plain) == "SeasonalBaseline(period=7, n_harmonics=2)"
    assert "trend" not in plain.to_dict()
    assert b != plain and b == SeasonalBaseline(period=7.0, n_harmonics=2, trend=True)


@pytest.mark.parametrize(
    ("period", "nh", "a", "b", "trend"),
    [
        (7.0, 1, 0.0, 100.0, 0.01),  # whole and partial periods
        (7.0, 2, 3.3, 70.0, -0.02),  # start inside a period, falling trend
        (6.3, 2, 0.0, 23.5, 0.05),  # partial period at the end
        (365.25, 3, 0.0, 3652.5, 2e-4),  # ten whole years
        (365.25, 1, 10.0, 200.0, -1e-3),  # less than one period
        (1.0, 1, 0.0, 500.0, 0.008),  # many short periods
        (7.0, 1, 0.0, 50.0, 1e-14),  # trend ~ 0 (the geometric factor stays accurate)
    ],
)
def test_integral_matches_adaptive_quadrature(period, nh, a, b, trend):
    bobj = SeasonalBaseline(period=period, n_harmonics=nh, trend=True)
    gen = np.random.default_rng(int(period * 10) + nh)
    p = {"baseline": 0.8, "trend": trend}
    for k in range(1, nh + 1):
        p[f"cos_{k}"], p[f"sin_{k}"] = gen.normal(0, 0.8, 2)
    ref = _quad(_rate(p, period), a, b, period)
    assert bobj.integral(a, b, p) == pytest.approx(ref, rel=1e-10)
    # the vectorised cumulative integral (used by the multivariate goodness of fit)
    t = np.array([b - a, 0.5 * (b - a), 0.0])
    cum = bobj._cumulative(t, p)
    for x, c in zip(t, cum):
        assert c == pytest.approx(_quad(_rate(p, period), 0.0, x, period), rel=1e-10, abs=1e-14)


def test_reduces_to_trend_and_to_plain_seasonal():
    bobj = SeasonalBaseline(period=7.0, trend=True)
    p = {"baseline": 1.3, "trend": -0.015, "cos_1": 0.0, "sin_1": 0.0}
    # all harmonics 0: TrendBaseline (closed-form integral) with the same parameters
    assert bobj.integral(0.0, 100.0, p) == pytest.approx(
        TrendBaseline().integral(0.0, 100.0, p), rel=1e-13
    )
    np.testing.assert_allclose(bobj.rate([0.0, 50.0], p), TrendBaseline().rate([0.0, 50.0], p))
    # trend 0: the plain seasonal model (its trapezoid rule vs this Gauss-Legendre rule)
    q = {"baseline": 1.3, "trend": 0.0, "cos_1": 0.7, "sin_1": -0.2}
    plain = {k: v for k, v in q.items() if k != "trend"}
    assert bobj.integral(0.0, 100.0, q) == pytest.approx(
        SeasonalBaseline(period=7.0).integral(0.0, 100.0, plain), rel=1e-13
    )


def test_gradients_match_finite_differences():
    bobj = SeasonalBaseline(period=7.0, n_harmonics=2, trend=True)
    T = 123.4
    val, grad = bobj._integral_grad(T, P2)
    assert val == pytest.approx(_quad(_rate(P2, 7.0), 0.0, T, 7.0), rel=1e-10)
    t = np.array([0.5, 40.0, 99.9])
    mu, jac = bobj._rate_jac(t, P2)
    for k, nm in enumerate(bobj.param_names):
        h = 1e-6 * max(abs(P2[nm]), 1e-2)
        up, dn = dict(P2), dict(P2)
        up[nm] += h
        dn[nm] -= h
        num = (bobj.integral(0.0, T, up) - bobj.integral(0.0, T, dn)) / (2 * h)
        assert grad[k] == pytest.approx(num, rel=1e-6)
        np.testing.assert_allclose(
            jac[:, k], (bobj.rate(t, up) - bobj.rate(t, dn)) / (2 * h), rtol=1e-6
        )
    np.testing.assert_allclose(mu, [_rate(P2, 7.0)(x) for x in t], rtol=1e-13)


def test_max_rate_bounds_the_rate():
    bobj = SeasonalBaseline(period=7.0, n_harmonics=2, trend=True)
    for p in (P2, {**P2, "trend": -0.03}):
        for a, b in ((0.0, 1.0), (30.0, 37.5), (0.0, 200.0)):
            x = np.linspace(a, b, 2001)
            assert np.all(bobj.rate(x, p) <= bobj.max_rate(a, b, p) * (1 + 1e-12))


# -- univariate likelihood and fits ---------------------------------------------------------
def _brute_univariate(t, T, p, period):
    """Independent O(n²) exponential-kernel log-likelihood with quadrature for ∫μ."""
    mu = _rate(p, period)
    n, beta = p["branching_ratio"], p["decay"]
    ll = 0.0
    for i, ti in enumerate(t):
        ll += math.log(mu(ti) + sum(n * beta * math.exp(-beta * (ti - s)) for s in t[:i]))
    ll -= _quad(mu, 0.0, T, period)
    ll -= sum(n * (1 - math.exp(-beta * (T - s))) for s in t)
    return ll


def test_univariate_loglik_matches_brute_force():
    gen = np.random.default_rng(11)
    T = 40.3
    t = np.sort(gen.uniform(0, T, 30))
    bobj = SeasonalBaseline(period=6.3, n_harmonics=2, trend=True)
    p = {**P2, "trend": 0.02, "branching_ratio": 0.35, "decay": 1.7}
    ll = loglikelihood(t, T, p, kernel="exponential", baseline=bobj)
    assert ll == pytest.approx(_brute_univariate(t, T, p, 6.3), rel=1e-10)


TRUTH = {
    "baseline": 0.5,
    "trend": 8e-4,  # the rate more than doubles over 1,000 days
    "cos_1": 0.5,
    "sin_1": -0.3,
    "branching_ratio": 0.4,
    "decay": 1.0,
}


def _univariate_events(seed, T=1000.0):
    bobj = SeasonalBaseline(period=7.0, trend=True)
    t = simulate("exponential", bobj, TRUTH, T, rng=seed)
    return ist.EventSeries.from_offsets(t, end=T)


def test_trend_fixed_at_zero_equals_plain_seasonal_fit():
    ev = _univariate_events(5, T=600.0)
    plain = ist.HawkesProcess(baseline=SeasonalBaseline(period=7.0)).fit(ev)
    fixed = ist.HawkesProcess(
        baseline=SeasonalBaseline(period=7.0, trend=True), fixed={"trend": 0.0}
    ).fit(ev)
    assert fixed.loglik == pytest.approx(plain.loglik, abs=1e-6)
    est = fixed.params.drop("trend")
    np.testing.assert_allclose(est.to_numpy(), plain.params[est.index].to_numpy(), rtol=1e-4)
    # and the free trend can only improve the fit
    free = ist.HawkesProcess(baseline=SeasonalBaseline(period=7.0, trend=True)).fit(ev)
    assert free.loglik >= plain.loglik - 1e-8


def test_univariate_and_one_stream_multivariate_fits_agree():
    ev = _univariate_events(7, T=800.0)
    bobj = SeasonalBaseline(period=7.0, trend=True)
    uni = ist.HawkesProcess(baseline=bobj).fit(ev)
    multi = MultivariateHawkes(baseline=bobj).fit({"x": ev.times("D")}, end=800.0)
    assert multi.converged and uni.converged
    assert multi.loglik == pytest.approx(uni.loglik, abs=1e-6)
    # same parameters (the multivariate labels carry the stream name)
    m = multi.params.to_numpy()
    np.testing.assert_allclose(m, uni.params.to_numpy(), rtol=1e-4, atol=1e-7)
    # and the same likelihood function at a common point
    p = dict(TRUTH)
    ll_u = ist.HawkesProcess(baseline=bobj).loglikelihood(ev, p)
    ll_m = MultivariateHawkes(baseline=bobj).loglikelihood(
        {"x": ev.times("D")},
        {
            **{k: [p[k]] for k in bobj.param_names},
            "adjacency": [[p["branching_ratio"]]],
            "decays": p["decay"],
        },
        end=800.0,
    )
    assert ll_m == pytest.approx(ll_u, rel=1e-12)


def _recovery_univariate(reps, seed0):
    truth = np.array(list(TRUTH.values()))
    hits, ests = [], []
    for r in range(reps):
        res = ist.HawkesProcess(baseline=SeasonalBaseline(period=7.0, trend=True)).fit(
            _univariate_events(seed0 + r)
        )
        assert res.converged
        ci = res.confidence_interval()
        hits.append((ci["low"].to_numpy() <= truth) & (truth <= ci["high"].to_numpy()))
        ests.append(res.params[list(TRUTH)].to_numpy())
    return truth, np.array(hits), np.array(ests)


@pytest.mark.skipif(not FULL, reason="full-size simulation study (INCIDENTSTATS_FULL=1)")
def test_univariate_recovery_full():
    # 200 replicates of ~1,600 events over 1,000 days
    truth, hits, ests = _recovery_univariate(200, 1000)
    np.testing.assert_allclose(ests.mean(axis=0), truth, rtol=0.05, atol=1e-4)
    assert hits.mean() >= 0.93, hits.mean(axis=0)
    assert np.all(hits.mean(axis=0) >= 0.9), hits.mean(axis=0)


def test_univariate_recovery_reduced():
    truth, hits, ests = _recovery_univariate(10, 1000)
    # per-replicate SEs: trend ~1.4e-4, harmonics ~0.07, baseline ~0.06 (measured); the
    # mean of 10 replicates is within about 3 of its standard errors of the truth
    np.testing.assert_allclose(ests.mean(axis=0), truth, rtol=0.15, atol=1.5e-4)
    # 60 intervals pooled: 95% coverage, binomial noise allowed
    assert hits.mean() >= 0.85, hits.mean(axis=0)


# -- multivariate ---------------------------------------------------------------------------
MP = {
    "baseline": [0.5, 0.8],
    "trend": [0.01, -0.02],
    "cos_1": [0.4, -0.3],
    "sin_1": [-0.2, 0.5],
    "cos_2": [0.1, 0.0],
    "sin_2": [0.0, -0.25],
}
ADJ2 = [[0.3, 0.1], [0.2, 0.4]]


def _brute_multivariate(streams, params, adj, beta, end, period):
    names = list(streams)
    ll = 0.0
    for i, ni in enumerate(names):
        mu = _rate({k: v[i] for k, v in params.items()}, period)
        for t in streams[ni]:
            lam = mu(t) + sum(
                adj[i][j] * beta * math.exp(-beta * (t - s))
                for j, nj in enumerate(names)
                for s in streams[nj]
                if s < t
            )
            ll += math.log(lam)
        ll -= _quad(mu, 0.0, end, period)
        for j, nj in enumerate(names):
            ll -= sum(adj[i][j] * (1 - math.exp(-beta * (end - s))) for s in streams[nj])
    return ll


def _small_streams(seed=3, end=23.5):
    gen = np.random.default_rng(seed)
    return {"a": np.sort(gen.uniform(0, end, 14)), "b": np.sort(gen.uniform(0, end, 11))}


def test_multivariate_loglik_matches_brute_force():
    end = 23.5  # not a multiple of the period
    streams = _small_streams(end=end)
    model = MultivariateHawkes(baseline=SeasonalBaseline(period=6.3, n_harmonics=2, trend=True))
    ll = model.loglikelihood(streams, {**MP, "adjacency": ADJ2, "decays": 1.3}, end=end)
    assert ll == pytest.approx(_brute_multivariate(streams, MP, ADJ2, 1.3, end, 6.3), rel=1e-10)


def test_multivariate_gradient_matches_finite_differences():
    streams = _small_streams(seed=8)
    data = _array_data(["a", "b"], list(streams.values()), 23.5)
    bobj = SeasonalBaseline(period=6.3, n_harmonics=2, trend=True)
    lay = _Layout(["a", "b"], 1, "seasonal", None, bobj)
    base = np.column_stack([MP[nm] for nm in lay.bnames])
    theta = lay.pack(base, None, np.array(ADJ2)[:, :, None], [1.3])
    _, g = _loglik(data, lay, theta)
    num = np.zeros_like(theta)
    for k in range(lay.size):
        h = 1e-6 * max(1e-2, abs(theta[k]))
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        num[k] = (_loglik(data, lay, tp)[0] - _loglik(data, lay, tm)[0]) / (2 * h)
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)
    assert lay.per_time[lay.labels.index("trend[a]")] and lay.per_time.sum() == 2


MTRUTH = {
    "baseline": [0.4, 0.3],
    "trend": [8e-4, -6e-4],
    "cos_1": [0.6, 0.0],
    "sin_1": [0.0, -0.5],
}


def _recovery_multivariate(reps, seed0):
    bobj = SeasonalBaseline(period=7.0, trend=True)
    adj = [[0.3, 0.2], [0.0, 0.4]]
    truth = np.concatenate(
        [np.ravel(MTRUTH[nm]) for nm in bobj.param_names] + [np.ravel(adj), [1.5]]
    )
    hits, ests = [], []
    for r in range(reps):
        streams = simulate_multivariate(
            MTRUTH, adj, 1.5, end=1000.0, rng=seed0 + r, names=["s0", "s1"], background=bobj
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            res = MultivariateHawkes(baseline=bobj).fit(streams, end=1000.0)
        assert res.converged
        ci = res.confidence_interval()
        hits.append((ci["low"].to_numpy() <= truth) & (truth <= ci["high"].to_numpy()))
        ests.append(res.params.to_numpy())
    return truth, np.array(hits), np.array(ests), res


@pytest.mark.skipif(not FULL, reason="full-size simulation study (INCIDENTSTATS_FULL=1)")
def test_multivariate_recovery_full():
    truth, hits, ests, _ = _recovery_multivariate(100, 2000)
    np.testing.assert_allclose(ests.mean(axis=0), truth, atol=0.04)
    assert hits.mean() >= 0.93, hits.mean(axis=0)
    assert np.all(hits.mean(axis=0) >= 0.88), hits.mean(axis=0)


def test_multivariate_recovery_reduced():
    truth, hits, ests, res = _recovery_multivariate(8, 2000)
    trend_cols = [2, 3]
    # trends: per-replicate SE ~2e-4 (measured); others as in the plain seasonal test
    np.testing.assert_allclose(ests.mean(axis=0)[trend_cols], truth[trend_cols], atol=2.5e-4)
    np.testing.assert_allclose(ests.mean(axis=0), truth, atol=0.12)
    assert hits.mean() >= 0.85, hits.mean(axis=0)
    assert list(res.baseline_params.columns) == ["baseline", "trend", "cos_1", "sin_1"]
    assert "trend=True" in str(res.summary())
    # goodness of fit and the cumulative background it uses
    assert (res.gof()["pvalue"] > 0.001).all()
    lay = res._lay
    for i, s in enumerate(res.streams):
        p = res.baseline_params.loc[s].to_dict()
        cum = lay.base_cumulative(res._theta, i, np.array([123.4, 1000.0]), 1000.0)
        assert cum[1] == pytest.approx(_quad(_rate(p, 7.0), 0.0, 1000.0, 7.0), rel=1e-10)
        assert cum[0] == pytest.approx(_quad(_rate(p, 7.0), 0.0, 123.4, 7.0), rel=1e-10)


def test_forecast_and_simulation_run_with_the_trend():
    ev = _univariate_events(3, T=400.0)
    res = ist.HawkesProcess(baseline=SeasonalBaseline(period=7.0, trend=True)).fit(ev)
    fc = res.forecast(horizon="14D", rng=1)
    assert fc is not None
    sim = res.simulate(rng=2)
    assert sim.n > 0


# -- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["yes", 1, None, 0.0])
def test_trend_must_be_a_bool(bad):
    with pytest.raises(IncidentStatsError, match="`trend`.*True or False"):
        SeasonalBaseline(period=7.0, trend=bad)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"period": 0.0}, "`period`"),
        ({"period": math.inf}, "`period`"),
        ({"n_harmonics": 0}, "`n_harmonics`"),
    ],
)
def test_bad_period_or_harmonics(kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        SeasonalBaseline(trend=True, **kwargs)


def test_bad_parameters_of_the_trend():
    bobj = SeasonalBaseline(period=7.0, trend=True)
    ev = ist.EventSeries.from_offsets([1.0, 2.0, 5.0, 9.0], end=10.0)
    p = {"baseline": 0.5, "cos_1": 0.1, "sin_1": 0.0, "branching_ratio": 0.2, "decay": 1.0}
    with pytest.raises(IncidentStatsError, match="trend"):  # missing
        ist.HawkesProcess(baseline=bobj).loglikelihood(ev, p)
    with pytest.raises(IncidentStatsError, match="`trend`.*finite"):
        ist.HawkesProcess(baseline=bobj).loglikelihood(ev, {**p, "trend": math.nan})
    with pytest.raises(IncidentStatsError, match="trend"):
        MultivariateHawkes(baseline=bobj).loglikelihood(
            {"a": [1.0, 2.0], "b": [3.0]},
            {
                "baseline": [0.5, 0.5],
                "cos_1": [0, 0],
                "sin_1": [0, 0],
                "adjacency": ADJ2,
                "decays": 1.0,
            },
            end=10.0,
        )
    with pytest.raises(IncidentStatsError, match="`trend` entry.*finite"):
        MultivariateHawkes(baseline=bobj).loglikelihood(
            {"a": [1.0, 2.0], "b": [3.0]},
            {
                "baseline": [0.5, 0.5],
                "trend": [0.0, math.inf],
                "cos_1": [0, 0],
                "sin_1": [0, 0],
                "adjacency": ADJ2,
                "decays": 1.0,
            },
            end=10.0,
        )
