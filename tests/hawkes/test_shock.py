"""Exogenous shocks in the univariate Hawkes model: sizes bounded at 0, boundary flags,
profile-likelihood intervals, agreement with the one-stream multivariate fit."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from scipy import stats

import incidentstats as ist
from incidentstats.events import EventSeries
from incidentstats.exceptions import IncidentStatsError
from incidentstats.hawkes import ExponentialKernel, HawkesProcess, PoissonProcess, ShockBaseline
from incidentstats.hawkes.inference import _profile_fit
from incidentstats.hawkes.multivariate import MultivariateHawkes
from incidentstats.hawkes.simulate import simulate

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"


def shock_params(size: float) -> dict[str, float]:
    return {
        "baseline": 0.3,
        "shock_1": size,
        "shock_decay": 0.3,
        "branching_ratio": 0.3,
        "decay": 1.0,
    }


def simulate_shock(size: float, T: float, seed: int) -> np.ndarray:
    """One shock in the middle of [0, T) on top of contagion (the library's thinning
    simulator; its intensity is checked against brute force in test_simulate.py)."""
    b = ShockBaseline(dates=[T / 2])
    t = simulate(ExponentialKernel(), b, shock_params(size), T, np.random.default_rng(seed))
    return np.sort(np.asarray(t, dtype=float))


def fit_shock(t: np.ndarray, T: float, **kw) -> ist.hawkes.HawkesResult:
    return HawkesProcess(baseline=ShockBaseline(dates=[T / 2]), **kw).fit(
        EventSeries.from_offsets(t, end=T)
    )


# -- (a) a shock of size 0 ------------------------------------------------------------------
# True shock size 0, T = 300 days (115-152 events). Measured: seeds 1, 3, 4, 7 put the
# estimate exactly at 0; seeds 2 and 5 at 2.04 and 2.19 events, whose Wald interval
# reaches 0 so the profile interval is reported (lower end 0 as well).
AT_ZERO = (1, 3, 4, 7)
NEAR_ZERO = (2, 5)


@pytest.mark.parametrize("seed", AT_ZERO + NEAR_ZERO)
def test_zero_shock_estimate_and_interval_start_at_zero(seed):
    T = 300.0
    res = fit_shock(simulate_shock(0.0, T, seed), T)
    assert res.converged
    ci = res.confidence_interval("shock_1")
    assert ci.low == 0.0 and ci.method == "profile"
    assert 0.0 < ci.high < 60.0
    # the upper end sits on the likelihood-ratio cut-off (Wilks: 1.92 below the maximum)
    cut = res.loglik - 0.5 * stats.chi2.ppf(0.95, 1)
    ll, _ = _profile_fit(res, "shock_1", ci.high, res._theta)
    assert ll == pytest.approx(cut, abs=2e-3)
    if seed in NEAR_ZERO:
        assert 0.0 < res.params["shock_1"] < 2.5
        assert res.boundary_params == () and not res.at_boundary
        return
    assert res.params["shock_1"] == 0.0
    assert res.boundary_params == ("shock_1",) and res.at_boundary
    assert res.unidentified_params == ("shock_decay",)
    d = res.to_dict()
    assert d["at_boundary"] and d["boundary_params"] == ["shock_1"]
    assert d["unidentified_params"] == ["shock_decay"]
    assert np.isnan(res.bse["shock_1"]) and np.isnan(res.bse["shock_decay"])
    assert np.all(np.isfinite(res.bse[["baseline", "branching_ratio", "decay"]]))
    # KKT at the bound: the likelihood decreases into the parameter space
    g = res._spec.loglik_grad(res._theta, res._prepared.replicates, res.T)[1]
    assert g[res._spec.names.index("shock_1")] <= 0.0
    # no Wald interval on the boundary: NaN with a note, never a silent number
    wald = res.confidence_interval(method="wald")
    assert wald.loc["shock_1"].isna().all() and wald.attrs["methods"]["shock_1"] == "none"
    assert wald.loc["shock_decay"].isna().all()
    assert any(n.startswith("shock_1 is estimated at 0") for n in wald.attrs["notes"])
    text = str(res.summary())
    assert "wald; profile for shock_1" in text
    assert "½χ²₀ + ½χ²₁" in text and "shock_decay is not identified" in text


def test_zero_shock_fit_equals_the_model_without_shock():
    # a shock estimated at 0 is the nested model without a shock: same maximum and
    # estimates as HawkesProcess() (fitted by the fused Newton path, an independent optimiser)
    T = 300.0
    t = simulate_shock(0.0, T, 1)
    res = fit_shock(t, T)
    plain = HawkesProcess().fit(EventSeries.from_offsets(t, end=T))
    assert res.loglik == pytest.approx(plain.loglik, abs=1e-6)
    for name in ("baseline", "branching_ratio", "decay"):
        assert res.params[name] == pytest.approx(plain.params[name], rel=1e-4)
        # the information of the others is taken with the shock held at 0
        assert res.bse[name] == pytest.approx(plain.bse[name], rel=1e-3)


def test_boundary_shock_bootstrap_and_poisson():
    T = 300.0
    t = simulate_shock(0.0, T, 1)
    res = fit_shock(t, T)
    # the bootstrap is not valid at a boundary estimate (Andrews 2000): NaN with a note
    boot = res.confidence_interval(method="bootstrap", n_boot=20, rng=3)
    assert boot.loc["shock_1"].isna().all() and boot.attrs["methods"]["shock_1"] == "none"
    assert any("parametric bootstrap is not valid" in n for n in boot.attrs["notes"])
    assert boot.loc["baseline", "low"] < res.params["baseline"] < boot.loc["baseline", "high"]
    # the Poisson model with the same shock baseline is bounded the same way
    p = PoissonProcess(baseline=ShockBaseline(dates=[T / 2])).fit(
        EventSeries.from_offsets(t, end=T)
    )
    assert p.params["shock_1"] == 0.0 and p.boundary_params == ("shock_1",)
    assert p.at_boundary
    assert p.confidence_interval("shock_1").low == 0.0


def test_negative_shock_size_is_refused():
    ev = EventSeries.from_offsets([1.0, 2.0, 5.0, 6.0], end=10.0)
    model = HawkesProcess(baseline=ShockBaseline(dates=[3.0]))
    p = {**shock_params(-1.0), "baseline": 0.5}
    with pytest.raises(IncidentStatsError, match="The `shock_1` parameter must be >= 0"):
        model.loglikelihood(ev, p)
    assert np.isfinite(model.loglikelihood(ev, {**p, "shock_1": 0.0}))


# -- coverage of the 95% interval of a positive shock size ----------------------------------
def _coverage(size: float, reps: int, T: float = 200.0) -> tuple[float, float, int]:
    hits = 0
    ests = []
    profiled = 0
    for r in range(reps):
        t = simulate_shock(size, T, 1000 + r)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ist.IncidentStatsWarning)
            res = fit_shock(t, T, n_starts=1)
        ci = res.confidence_interval("shock_1")
        profiled += ci.method == "profile"
        hits += ci.low <= size <= ci.high
        ests.append(res.params["shock_1"])
    return hits / reps, float(np.median(ests)), profiled


def test_shock_interval_coverage_reduced():
    # 200 replicates of a 10-event shock (~100 events in all); measured: coverage 0.960,
    # 55 intervals from the profile (their Wald interval reached 0), median estimate 11.6
    # (right-skewed: a size trades off against a slower shock decay); binomial SE 0.014
    cover, median, profiled = _coverage(10.0, 200)
    assert 0.92 <= cover <= 0.985, cover
    assert 8.0 < median < 13.0
    assert 30 < profiled < 90


@pytest.mark.skipif(not FULL, reason="full-size coverage study: INCIDENTSTATS_FULL=1")
@pytest.mark.parametrize(("size", "floor", "ceiling"), [(3.0, 0.94, 0.985), (10.0, 0.93, 0.97)])
def test_shock_interval_coverage_full(size, floor, ceiling):
    # 1000 replicates each; measured 0.967 (size 3) and 0.950 (size 10), figures in the
    # hawkes.inference module docstring; binomial SE 0.007
    cover, median, _ = _coverage(size, 1000)
    assert floor <= cover <= ceiling, cover
    # right-skewed estimates (a mass at 0, a long upper tail): median 4.25 for size 3
    assert 0.8 * size < median < 1.5 * size


@pytest.mark.skipif(not FULL, reason="full-size coverage study: INCIDENTSTATS_FULL=1")
def test_zero_shock_interval_contains_zero_full():
    # a true size of 0: the interval contains 0 in 0.893 of 1000 replicates (measured), below
    # the 0.975 of the chi-bar-square law because the shock decay is not identified at 0
    # (Davies 1987; documented in hawkes.inference, not hidden)
    cover, median, _ = _coverage(0.0, 1000)
    assert 0.86 <= cover <= 0.93, cover
    assert median < 1.0


# -- (b) univariate and one-stream multivariate fits agree --------------------------------
@pytest.mark.parametrize(("size", "seed"), [(0.0, 1), (0.0, 2), (15.0, 3), (15.0, 4)])
def test_univariate_equals_one_stream_multivariate(size, seed):
    # two independent implementations of the same likelihood and optimiser set-up
    # (multivariate.py bounds shock sizes at 0 in its own L-BFGS-B coordinates)
    T = 300.0
    t = simulate_shock(size, T, seed)
    b = ShockBaseline(dates=[T / 2])
    uni = HawkesProcess(baseline=b).fit(EventSeries.from_offsets(t, end=T))
    multi = MultivariateHawkes(baseline=b).fit({"a": t}, end=T)
    assert uni.loglik == pytest.approx(multi.loglik, abs=1e-6)
    pairs = {
        "baseline": "baseline[a]",
        "shock_1": "shock_1[a]",
        "branching_ratio": "adjacency[a<-a]",
        "decay": "decay",
    }
    if "shock_decay" not in uni.unidentified_params:
        pairs["shock_decay"] = "shock_decay[a]"
    for u, m in pairs.items():
        # measured: relative differences <= 7e-8, log-likelihoods within 1e-13
        assert uni.params[u] == pytest.approx(multi.params[m], rel=1e-6, abs=1e-9), u
    assert (uni.params["shock_1"] == 0.0) == (multi.params["shock_1[a]"] == 0.0)


# -- (c) the Iraq core series with a shock at the Soleimani strike -------------------------
def test_iraq_core_series_shock_at_2020_01_03():
    # Measured with the code before shock sizes were bounded (log scale, commit 34e1609),
    # same call: estimate 3.222, default (Wald, log scale) interval [0.724, 14.34], profile
    # [0.1386, 15.22]. Now the estimate is unchanged, the natural-scale Wald interval
    # [0, 8.03] reaches the bound, so the default is the profile interval [0.1386, 15.22].
    ev = ist.datasets.load_iraq_attacks()
    res = HawkesProcess(baseline=ShockBaseline(["2020-01-03"])).fit(ev)
    assert res.converged and res.boundary_params == ()
    assert res.params["shock_1"] == pytest.approx(3.222, abs=0.005)
    wald = res.confidence_interval("shock_1", method="wald")
    assert wald.low == 0.0 and wald.high == pytest.approx(8.03, abs=0.02)
    ci = res.confidence_interval("shock_1")
    assert ci.method == "profile"
    assert ci.low == pytest.approx(0.1386, abs=0.002)
    assert ci.high == pytest.approx(15.22, abs=0.05)
    assert "wald; profile for shock_1" in str(res.summary())
