"""PoissonProcess: closed forms, numeric baselines, interface shared with HawkesResult."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import incidentstats as ist
from incidentstats.events import EventSeries
from incidentstats.exceptions import IncidentStatsError
from incidentstats.hawkes import PiecewiseBaseline, PoissonProcess, TrendBaseline


def test_homogeneous_closed_form():
    # 13 events in 67 days (the AFP count in the Iraq data card): rate 13/67,
    # loglik = 13 log(13/67) - 13, se = sqrt(13)/67
    t = np.linspace(1.0, 60.0, 13)
    ev = EventSeries.from_offsets(t, end=67.0)
    res = PoissonProcess().fit(ev)
    assert res.params["baseline"] == pytest.approx(13 / 67)
    assert res.loglik == pytest.approx(13 * np.log(13 / 67) - 13)
    assert res.bse["baseline"] == pytest.approx(np.sqrt(13) / 67)
    assert res.n_params == 1 and res.converged
    assert res.branching_ratio == 0.0


def test_piecewise_closed_form_and_profile_interval():
    t = np.r_[np.linspace(1, 9, 4), np.linspace(10.5, 19.5, 16)]
    ev = EventSeries.from_offsets(t, end=20.0)
    res = PoissonProcess(breaks=[10.0]).fit(ev)
    np.testing.assert_allclose(res.params.to_numpy(), [0.4, 1.6])
    # profile-likelihood interval of a Poisson rate: {λ: 2 [N log(N/λL) - N + λL] <= 3.84}
    ci = res.confidence_interval("baseline", method="profile")
    for x in (ci.low, ci.high):
        lr = 2 * (4 * np.log(4 / (x * 10)) - 4 + x * 10)
        assert lr == pytest.approx(stats.chi2.ppf(0.95, 1), abs=1e-3)


def test_trend_baseline_numeric_fit_matches_score_equations():
    rng = np.random.default_rng(3)
    T = 200.0
    # inhomogeneous Poisson with rate 0.5 exp(0.01 t) by inversion
    b = TrendBaseline()
    p = {"baseline": 0.5, "trend": 0.01}
    n = rng.poisson(b.integral(0, T, p))
    u = np.sort(rng.random(n))
    t = np.log1p(u * np.expm1(0.01 * T)) / 0.01
    res = PoissonProcess(baseline="trend").fit(EventSeries.from_offsets(t, end=T))
    a, s = res.params["baseline"], res.params["trend"]
    # score equations: N = ∫ μ, Σ t_i = ∫ t μ(t) dt
    assert b.integral(0, T, {"baseline": a, "trend": s}) == pytest.approx(t.size, rel=1e-5)
    from scipy import integrate

    m1 = integrate.quad(lambda x: x * a * np.exp(s * x), 0, T)[0]
    assert m1 == pytest.approx(t.sum(), rel=1e-4)
    assert abs(s - 0.01) < 3.5 * res.bse["trend"]
    # real-valued parameter: Wald on the natural scale, profile bounds on the chi2 cut-off
    w = res.confidence_interval("trend", method="wald")
    assert w.high - s == pytest.approx(s - w.low) == pytest.approx(1.959964 * res.bse["trend"])
    pr = res.confidence_interval("trend", method="profile")
    assert pr.low < s < pr.high
    assert (pr.high - pr.low) == pytest.approx(w.high - w.low, rel=0.1)


def test_interface_and_gof():
    ev = ist.datasets.load_iraq_attacks()
    res = PoissonProcess(baseline=PiecewiseBaseline(["2020-01-03"])).fit(ev)
    assert list(res.params.index) == ["baseline", "baseline_2"]
    comp = res.compensator()
    assert comp[-1] < res.expected_count() == pytest.approx(ev.n)
    assert res.gof().pvalue < 0.05  # the core series is clustered: Poisson fits badly
    d = res.to_dict()
    assert d["model"] == "Poisson, piecewise baseline"
    assert "Poisson" in str(res.summary())


def test_bad_input():
    ev = EventSeries.from_offsets([], end=5.0)
    with pytest.raises(IncidentStatsError, match="at least 1 event"):
        PoissonProcess().fit(ev)
    with pytest.raises(IncidentStatsError, match="cannot be combined"):
        PoissonProcess(baseline="trend", breaks=[1.0])
    with pytest.raises(
        IncidentStatsError, match="`breaks` parameter of PiecewiseBaseline must lie"
    ):
        PoissonProcess(breaks=["2030-01-01"]).fit(EventSeries.from_offsets([1.0], end=5.0))
    with pytest.raises(IncidentStatsError, match="`baseline` parameter must be one of"):
        PoissonProcess(baseline="linear")
