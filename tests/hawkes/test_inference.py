"""Intervals: Wald (log scale), profile likelihood, parametric bootstrap; coverage by simulation."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from scipy import stats

from incidentstats.events import EventSeries
from incidentstats.exceptions import IncidentStatsError, IncidentStatsWarning
from incidentstats.hawkes import HawkesProcess, PoissonProcess
from incidentstats.hawkes.inference import _abs_quantile, _profile_fit

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"
MU, N, BETA = 0.5, 0.5, 1.0


def branching_sim(mu, n, beta, T, rng):
    """Independent test simulator (cluster representation, exponential kernel)."""
    gen = rng.uniform(0, T, rng.poisson(mu * T))
    out = [gen]
    while gen.size:
        par = np.repeat(gen, rng.poisson(n, gen.size))
        gen = par + rng.exponential(1 / beta, par.size)
        gen = gen[gen < T]
        out.append(gen)
    return np.sort(np.concatenate(out))


def fit(seed, T=400.0):
    t = branching_sim(MU, N, BETA, T, np.random.default_rng(seed))
    return HawkesProcess(n_starts=2).fit(EventSeries.from_offsets(t, end=T))


def test_profile_bounds_sit_on_the_chi2_cutoff():
    res = fit(7)
    ci = res.confidence_interval(method="profile")
    cut = res.loglik - 0.5 * stats.chi2.ppf(0.95, 1)  # Wilks: 1.92 below the maximum
    for name in ("branching_ratio", "decay", "baseline"):
        for side in ("low", "high"):
            ll, _ = _profile_fit(res, name, float(ci.loc[name, side]), res._theta)
            assert ll == pytest.approx(cut, abs=2e-3), (name, side)
        assert ci.loc[name, "low"] < res.params[name] < ci.loc[name, "high"]


def test_wald_interval_is_symmetric_on_the_log_scale():
    res = fit(3)
    ci = res.confidence_interval(method="wald", confidence_level=0.9)
    z = stats.norm.ppf(0.95)
    for name in ("baseline", "branching_ratio", "decay"):
        lo, hi = ci.loc[name]
        est = res.params[name]
        assert np.log(est) - np.log(lo) == pytest.approx(np.log(hi) - np.log(est), rel=1e-9)
        # delta method: se(log θ) = se(θ)/θ
        assert np.log(hi / est) == pytest.approx(z * res.bse[name] / est, rel=1e-6)
    one = res.confidence_interval("decay", method="wald", confidence_level=0.9)
    assert (one.low, one.high) == tuple(ci.loc["decay"])
    assert one.method == "wald" and one.confidence_level == 0.9


def test_bootstrap_reproducible_and_sensible():
    res = fit(5, T=300.0)
    a = res.confidence_interval(method="bootstrap", n_boot=40, rng=1)
    b = res.confidence_interval(method="bootstrap", n_boot=40, rng=1)
    pd_eq = np.array_equal(a.to_numpy(), b.to_numpy())
    assert pd_eq
    assert a.attrs["n_boot_used"] >= 38
    w = res.confidence_interval(method="wald")
    for name in ("baseline", "branching_ratio"):
        assert a.loc[name, "low"] < res.params[name] < a.loc[name, "high"]
        # the bootstrap and Wald widths agree within a factor of 2 at ~300 events
        ratio = (a.loc[name, "high"] - a.loc[name, "low"]) / (
            w.loc[name, "high"] - w.loc[name, "low"]
        )
        assert 0.5 < ratio < 2.0, name


def test_poisson_bootstrap_matches_exact_spread():
    ev = EventSeries.from_offsets(np.linspace(0.5, 99.5, 100), end=100.0)
    res = PoissonProcess().fit(ev)
    ci = res.confidence_interval(method="bootstrap", n_boot=400, rng=2)
    # percentile interval of N*/T with N* ~ Poisson(100): about 1 ± 1.96/10; the basic
    # log-scale interval reflects it: [1/1.2, 1/0.8]
    pct = ci.attrs["percentile"]
    basic = ci.attrs["basic"]
    assert pct.loc["baseline", "low"] == pytest.approx(0.80, abs=0.04)
    assert pct.loc["baseline", "high"] == pytest.approx(1.20, abs=0.04)
    assert basic.loc["baseline", "low"] == pytest.approx(1 / pct.loc["baseline", "high"], rel=1e-4)
    assert basic.loc["baseline", "high"] == pytest.approx(1 / pct.loc["baseline", "low"], rel=1e-4)
    # the reported (symmetric bootstrap-t) interval is symmetric in log rate and close to
    # the exact Garwood interval for 100 events in 100 days: chi2 quantiles / (2T)
    lo, hi = ci.loc["baseline"]
    assert np.log(hi) == pytest.approx(-np.log(lo), rel=1e-9)
    assert lo == pytest.approx(stats.chi2.ppf(0.025, 200) / 200, abs=0.03)  # 0.814
    assert hi == pytest.approx(stats.chi2.ppf(0.975, 202) / 200, abs=0.03)  # 1.216
    assert ci.attrs["n_studentized"] == {"baseline": 400}
    assert ci.attrs["basic_used_for"] == []


def test_bootstrap_t_recomputed_from_its_draws():
    # second computation of the interval: û ± q(|t*|) ŝe on the log scale, with ŝe from
    # the delta method (se(log θ) = bse/θ) and t* recomputed from the refitted estimates
    res = fit(11, T=250.0)
    ci = res.confidence_interval(method="bootstrap", n_boot=60, rng=4, confidence_level=0.9)
    D = ci.attrs["draws"]
    T = ci.attrs["t_draws"]
    assert D.shape == (60, 3) and T.shape == (60, 3)
    for j, name in enumerate(("baseline", "branching_ratio", "decay")):
        est, se = res.params[name], res.bse[name] / res.params[name]
        t = T[:, j]
        # t* = (log θ* − log θ̂)/s*: same sign as the refit's move, and s* > 0 near ŝe
        s_star = (np.log(D[:, j]) - np.log(est)) / t
        assert np.all(s_star > 0) and 0.3 < np.median(s_star) / se < 3.0, name
        q = np.quantile(np.abs(t), 0.9)
        assert ci.loc[name, "low"] == pytest.approx(est * np.exp(-q * se), rel=1e-6)
        assert ci.loc[name, "high"] == pytest.approx(est * np.exp(q * se), rel=1e-6)
        lo_e, hi_e = ci.attrs["equal_tailed_t"].loc[name]
        t_lo, t_hi = np.quantile(t, [0.05, 0.95])
        assert lo_e == pytest.approx(est * np.exp(-t_hi * se), rel=1e-6)
        assert hi_e == pytest.approx(est * np.exp(-t_lo * se), rel=1e-6)


def test_abs_quantile_counts_failed_refits_as_infinitely_far():
    t = np.random.default_rng(0).standard_normal(199)
    # no failed refits: numpy's linear quantile of |t|
    assert _abs_quantile(t, 0, 0.95) == np.quantile(np.abs(t), 0.95)
    # 5 failed refits out of 204: same as the quantile with +inf appended (finite position)
    ref = np.quantile(np.concatenate([np.abs(t), np.full(5, 1e300)]), 0.95)
    assert _abs_quantile(t, 5, 0.95) == pytest.approx(ref, rel=1e-12)
    # more than 5% failed: the 95% quantile is infinite (unbounded interval)
    assert _abs_quantile(t, 11, 0.95) == np.inf


def test_bad_interval_requests():
    res = fit(1, T=200.0)
    with pytest.raises(IncidentStatsError, match="`method` parameter must be one of"):
        res.confidence_interval(method="hessian")
    with pytest.raises(IncidentStatsError, match="`confidence_level` parameter"):
        res.confidence_interval(confidence_level=95)
    with pytest.raises(IncidentStatsError, match="`param` argument must be one of"):
        res.confidence_interval("alpha")


def _coverage(n_rep, T, seed0, methods):
    hits = {m: {p: 0 for p in ("baseline", "branching_ratio", "decay")} for m in methods}
    for r in range(n_rep):
        res = fit(seed0 + r, T=T)
        truth = {"baseline": MU, "branching_ratio": N, "decay": BETA}
        for m in methods:
            ci = res.confidence_interval(method=m)
            for p, v in truth.items():
                hits[m][p] += int(ci.loc[p, "low"] <= v <= ci.loc[p, "high"])
    return {m: {p: h / n_rep for p, h in d.items()} for m, d in hits.items()}


def test_coverage_reduced():
    # 30 series of ~400 events (T = 400 days): profile-likelihood intervals for n and beta
    # should cover near 95%; with 30 replicates anything below 80% would be a real defect
    # (binomial P(cov <= 0.8 | p = 0.95) ~ 0.006).
    cov = _coverage(30, 400.0, 1000, ["profile", "wald"])
    for p in ("branching_ratio", "decay", "baseline"):
        assert cov["profile"][p] >= 0.8, (p, cov)
        assert cov["wald"][p] >= 0.75, (p, cov)


@pytest.mark.skipif(not FULL, reason="full coverage study: INCIDENTSTATS_FULL=1")
def test_coverage_full():
    # 400 series of ~400 events: profile within 92-98% (issue 5 acceptance)
    cov = _coverage(400, 400.0, 5000, ["profile", "wald"])
    print(cov)
    for p in ("branching_ratio", "decay", "baseline"):
        assert 0.92 <= cov["profile"][p] <= 0.98, (p, cov)


SCENARIOS = {"A": (0.5, 0.5, 1.0), "B": (0.2, 0.8, 0.5)}


def _bootstrap_coverage(scenario, n_rep, seed0, T=200.0, n_boot=200, day=False):
    """Share of replicates whose bootstrap interval (default, basic) holds the truth.

    ``day=True`` floors the simulated times to the day (resolution "day", default
    ties="jitter" with 10 imputations)."""
    mu, n, beta = SCENARIOS[scenario]
    hits = np.zeros((2, 3))
    warned = []
    for r in range(n_rep):
        t = branching_sim(mu, n, beta, T, np.random.default_rng(seed0 + r))
        if day:
            ev = EventSeries.from_offsets(np.floor(t), end=T, resolution="day")
        else:
            ev = EventSeries.from_offsets(t, end=T)
        # a replicate may warn (non-convergence, decay at its 1/T bound): it still counts
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IncidentStatsWarning)
            res = HawkesProcess(n_starts=2).fit(ev)
            ci = res.confidence_interval(method="bootstrap", n_boot=n_boot, rng=seed0 + r)
        warned += [f"{seed0 + r}: {w.category.__name__}" for w in caught]
        for k, tab in enumerate((ci, ci.attrs["basic"])):
            for j, (p, v) in enumerate(
                zip(("baseline", "branching_ratio", "decay"), SCENARIOS[scenario])
            ):
                hits[k, j] += tab.loc[p, "low"] <= v <= tab.loc[p, "high"]
    print(scenario, "replicates with warnings:", warned)
    return hits / n_rep


@pytest.mark.parametrize("scenario", ["A", "B"])
def test_bootstrap_coverage_reduced(scenario):
    # 200 series of ~200 events, 200 draws each (~11 s per scenario on one core); measured
    # 0.970 / 0.975 / 0.945 (A) and 0.955 / 0.945 / 0.960 (B). The full study
    # (test_bootstrap_coverage_full) holds them to 92-98%; here anything below 90% for a
    # parameter is a real defect (binomial P(<= 179 of 200 | p = 0.94) = 0.009).
    cov = _bootstrap_coverage(scenario, 200, 30000 if scenario == "A" else 40000)
    assert np.all(cov[0] >= 0.90), cov


@pytest.mark.skipif(not FULL, reason="full coverage study: INCIDENTSTATS_FULL=1")
@pytest.mark.parametrize("scenario", ["A", "B"])
def test_bootstrap_coverage_full(scenario):
    # issue 5 acceptance: bootstrap 95% intervals within 92-98% at ~200 events, all three
    # parameters; 1000 replicates (binomial se 0.007). The old basic log-scale interval
    # covered the baseline in ~0.91 here, below the band.
    cov = _bootstrap_coverage(scenario, 1000, 50000 if scenario == "A" else 60000)
    print(scenario, "symmetric-t", cov[0], "basic", cov[1])
    assert np.all((cov[0] >= 0.92) & (cov[0] <= 0.98)), cov


@pytest.mark.skipif(not FULL, reason="full coverage study: INCIDENTSTATS_FULL=1")
@pytest.mark.parametrize("scenario", ["A", "B"])
def test_bootstrap_coverage_day_resolution_full(scenario):
    # day-resolution data (jittered fit, 10 imputations), ~200 events, 300 replicates:
    # measured 0.977 / 0.980 / 0.963 (A) and 0.937 / 0.940 / 0.970 (B). The upper edge is
    # 0.99 here: the standard errors of jittered fits include Rubin's between-imputation
    # variance, which makes every interval conservative (Wald covers n in 0.987 in A).
    cov = _bootstrap_coverage(scenario, 300, 90000, day=True)
    print(scenario, "day resolution: symmetric-t", cov[0], "basic", cov[1])
    assert np.all((cov[0] >= 0.92) & (cov[0] <= 0.99)), cov


def test_bootstrap_parallel_equals_serial():
    # two identical fits (intervals are cached per result object)
    a = fit(9, T=200.0).confidence_interval(method="bootstrap", n_boot=20, rng=3, n_jobs=1)
    b = fit(9, T=200.0).confidence_interval(method="bootstrap", n_boot=20, rng=3, n_jobs=2)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-10)


def test_twelve_events_fit_emits_no_runtime_warning():
    # Regression: 12 homogeneous events (seed 67 measured) put the branching ratio at ~0
    # with the decay held at 1/T; the Wald interval of n computed exp(1.96 * 4e4) and numpy
    # warned "overflow encountered in exp" (inference.py, wald_intervals).
    from incidentstats.exceptions import SmallSampleWarning

    x = np.sort(np.random.default_rng(67).uniform(0, 30, 12))
    ev = EventSeries.from_offsets(x, end=30.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = HawkesProcess().fit(ev)
        wald = res.confidence_interval(method="wald")
        text = str(res.summary())
        ci = res.confidence_interval()
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert runtime == [], [str(w.message) for w in runtime]
    assert any(issubclass(w.category, SmallSampleWarning) for w in caught)
    assert res.boundary_params == ("branching_ratio",)
    # on the boundary: no Wald interval (NaN with a note); the default is the profile [0, upper]
    assert wald.loc["branching_ratio"].isna().all()
    assert any(n.startswith("branching_ratio is estimated at 0") for n in wald.attrs["notes"])
    assert ci.loc["branching_ratio", "low"] == 0.0 and ci.loc["branching_ratio", "high"] > 0
    # the background rate keeps its standard error: Poisson's sqrt(N)/T (closed form)
    assert res.bse["baseline"] == pytest.approx(np.sqrt(12) / 30, rel=1e-4)
    assert "profile-likelihood set [0, upper]" in text


def test_wald_interval_overflow_becomes_unbounded_with_a_note():
    # a standard error of 1000 on the log scale: exp(1.96 * 1000) overflows; the interval is
    # (0, inf) with a note and no numpy warning
    from types import SimpleNamespace

    from incidentstats.hawkes.inference import wald_intervals
    from incidentstats.hawkes.likelihood import ModelSpec

    res0 = fit(3)
    spec = ModelSpec(res0._spec.baseline, res0._spec.kernel)
    fake = SimpleNamespace(
        _spec=spec,
        _theta=np.array([0.5, 0.5, 1.0]),
        _cov_free=np.diag([0.01, 0.04, 1e6]),
        bse=res0.bse,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tab = wald_intervals(fake, 0.95)
    assert tab.loc["decay", "low"] == 0.0 and tab.loc["decay", "high"] == np.inf
    assert any("Wald interval of decay is unbounded" in n for n in tab.attrs["notes"])
    assert np.isfinite(tab.loc["baseline"]).all()
