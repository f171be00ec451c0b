"""interrupted_time_series: Sicily reference numbers, second implementation, simulation."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError
from incidentstats.its import AutocorrelationWarning

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"


@pytest.fixture(scope="module")
def sicily_frame(data_dir_module):
    frame = pd.read_csv(data_dir_module / "sicily_smoking_ban" / "sicily_acute_coronary_events.csv")
    frame["period"] = pd.PeriodIndex.from_fields(year=frame["year"], month=frame["month"], freq="M")
    return frame


@pytest.fixture(scope="module")
def data_dir_module():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def sicily(sicily_frame):
    return ist.CountSeries(sicily_frame.set_index("period")["aces"], offset=sicily_frame["stdpop"])


def _fit(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AutocorrelationWarning)
        return ist.interrupted_time_series(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# data/sicily_smoking_ban/README.md (authors' R code, R 4.2.2 glm, log(stdpop) offset, time
# trend, step smokban; confint.default)
# ---------------------------------------------------------------------------------------------
def test_sicily_poisson(sicily):
    # card: Poisson 0.8944 (0.8647-0.9251)
    res = _fit(sicily, "2005-01", family="poisson")
    assert res.level_change.ratio == pytest.approx(0.8944, abs=5e-5)
    low, high = res.level_change.confidence_interval()
    assert (low, high) == pytest.approx((0.8647, 0.9251), abs=5e-5)


def test_sicily_quasipoisson(sicily):
    # card: quasi-Poisson (dispersion 3.559) 0.8944 (0.8392-0.9532)
    res = _fit(sicily, "2005-01", family="quasipoisson")
    assert res.dispersion == pytest.approx(3.559, abs=5e-4)
    assert res.level_change.ratio == pytest.approx(0.8944, abs=5e-5)
    assert tuple(res.level_change.confidence_interval()) == pytest.approx(
        (0.8392, 0.9532), abs=5e-5
    )


def test_sicily_quasipoisson_harmonics(sicily):
    # card: quasi-Poisson + 2 harmonic pairs of period 12 (dispersion 2.262) 0.8851 (0.8394-0.9332)
    res = _fit(sicily, "2005-01", family="quasipoisson", seasonality="harmonic", n_harmonics=2)
    assert res.period == 12
    assert res.dispersion == pytest.approx(2.262, abs=5e-4)
    assert res.level_change.ratio == pytest.approx(0.8851, abs=5e-5)
    assert tuple(res.level_change.confidence_interval()) == pytest.approx(
        (0.8394, 0.9332), abs=5e-5
    )


def test_sicily_slope_change(sicily):
    # card: + change in slope: step 0.8765; slope-change p = 0.43 (quasi-Poisson, t-based as
    # R's summary.glm)
    res = _fit(sicily, "2005-01", family="quasipoisson", seasonality="harmonic", slope_change=True)
    assert res.level_change.ratio == pytest.approx(0.8765, abs=5e-5)
    assert res.slope_change.pvalue == pytest.approx(0.43, abs=5e-3)
    assert res.slope_change.df == 59 - 8  # intercept, trend, step, slope, 2 sin/cos pairs


def test_sicily_from_loader_and_series(sicily_frame, sicily):
    # the same numbers from a pandas Series with offset= and from a Period trigger
    series = sicily_frame.set_index("period")["aces"]
    a = _fit(series, pd.Period("2005-01", freq="M"), offset=sicily_frame["stdpop"])
    b = _fit(sicily, "2005-01-01")
    assert a.level_change.ratio == pytest.approx(b.level_change.ratio, rel=1e-12)
    assert a.params.equals(b.params)


# ---------------------------------------------------------------------------------------------
# second implementation: Poisson likelihood maximised with scipy, Fisher information by hand
# ---------------------------------------------------------------------------------------------
def test_quasipoisson_against_scipy_fit(sicily, sicily_frame):
    res = _fit(sicily, "2005-01", family="quasipoisson", slope_change=True)
    y = sicily_frame["aces"].to_numpy(float)
    t = np.arange(1, 60, dtype=float)
    post = (t >= 37).astype(float)
    x = np.column_stack([np.ones(59), t, post, post * (t - 36)])
    off = np.log(sicily_frame["stdpop"].to_numpy())

    def nll(b):
        eta = x @ b + off
        return -(y @ eta - np.exp(eta).sum())

    def grad(b):
        return -(x.T @ (y - np.exp(x @ b + off)))

    start = np.array([np.log(y.sum() / np.exp(off).sum()), 0, 0, 0])
    opt = optimize.minimize(nll, start, jac=grad, method="BFGS", options={"gtol": 1e-10})
    mu = np.exp(x @ opt.x + off)
    info = x.T @ (mu[:, None] * x)
    phi = np.sum((y - mu) ** 2 / mu) / (59 - 4)
    se = np.sqrt(np.diag(np.linalg.inv(info)) * phi)
    names = ["intercept", "trend", "level_change", "slope_change"]
    assert res.params[names].to_numpy() == pytest.approx(opt.x, rel=1e-5, abs=1e-8)
    assert res.bse[names].to_numpy() == pytest.approx(se, rel=1e-4)
    assert res.dispersion == pytest.approx(phi, rel=1e-6)
    tstat = opt.x[2] / se[2]
    assert res.level_change.pvalue == pytest.approx(2 * stats.t.sf(abs(tstat), 55), rel=1e-3)


def test_t_intervals_option(sicily):
    z = _fit(sicily, "2005-01", family="quasipoisson")
    t = _fit(sicily, "2005-01", family="quasipoisson", interval="t")
    # R's confint with t quantiles: exp(b -/+ qt(0.975, 56) se)
    b, se = z.params["level_change"], z.bse["level_change"]
    q = stats.t.ppf(0.975, 56)
    assert tuple(t.level_change.confidence_interval()) == pytest.approx(
        (np.exp(b - q * se), np.exp(b + q * se))
    )
    assert t.level_change.confidence_interval().low < z.level_change.confidence_interval().low


# ---------------------------------------------------------------------------------------------
# counterfactual, multiple triggers, options
# ---------------------------------------------------------------------------------------------
def test_counterfactual(sicily):
    res = _fit(sicily, "2005-01", family="poisson")
    cf = res.counterfactual()
    pre = cf.index < pd.Timestamp("2005-01-01")
    assert cf.loc[pre, "counterfactual"].to_numpy() == pytest.approx(
        cf.loc[pre, "fitted"].to_numpy()
    )
    ratio = cf.loc[~pre, "fitted"] / cf.loc[~pre, "counterfactual"]
    assert ratio.to_numpy() == pytest.approx(res.level_change.ratio)
    assert (cf["cf_low"] < cf["counterfactual"]).all() and (
        cf["counterfactual"] < cf["cf_high"]
    ).all()
    # Poisson GLM with intercept: fitted totals equal observed totals
    assert cf["fitted"].sum() == pytest.approx(cf["observed"].sum(), rel=1e-8)
    eff = res.effect_table()
    assert eff["bins"].iloc[0] == 23


def test_multiple_triggers_and_names():
    rng = np.random.default_rng(1)
    idx = pd.date_range("2020-01-06", periods=150, freq="W-MON")
    mu = 5 * np.exp(0.002 * np.arange(150)) * np.where(np.arange(150) >= 50, 1.6, 1.0)
    mu = mu * np.where(np.arange(150) >= 100, 0.5, 1.0)
    counts = pd.Series(rng.poisson(mu), index=idx)
    res = _fit(counts, ["2021-12-20", "2020-12-21"], slope_change=True)
    assert [str(t.date()) for t in res.triggers] == ["2020-12-21", "2021-12-20"]
    assert {"level_change_1", "level_change_2", "slope_change_1", "slope_change_2"} <= set(
        res.params.index
    )
    assert len(res.level_changes) == 2 and res.level_change is res.level_changes[0]
    assert res.level_changes[0].confidence_interval().contains(1.6)
    assert res.level_changes[1].confidence_interval().contains(0.5)
    assert len(res.effect_table()) == 2


def test_seasonality_options_and_period_default(sicily):
    h = _fit(sicily, "2005-01", seasonality="harmonic")
    h12 = _fit(sicily, "2005-01", seasonality="harmonic", period=12)
    assert h.params.equals(h12.params)
    m = _fit(sicily, "2005-01", seasonality="month")
    assert [c for c in m.params.index if c.startswith("month_")] == [
        f"month_{i}" for i in range(2, 13)
    ]
    rng = np.random.default_rng(2)
    idx = pd.date_range("2021-01-01", periods=120, freq="D")
    dow = np.asarray(idx.day_of_week)
    daily = pd.Series(rng.poisson(np.where(dow >= 5, 1.0, 3.0)), index=idx)
    d = _fit(daily, "2021-03-01", seasonality="dayofweek")
    # weekend effect recovered: rate ratio Saturday / Monday about 1/3
    assert np.exp(d.params["dow_5"]) == pytest.approx(1 / 3, rel=0.35)


def test_negbin_recovers_step_and_dispersion():
    rng = np.random.default_rng(6)
    n = 200
    idx = pd.date_range("2019-01-07", periods=n, freq="W-MON")
    t = np.arange(1, n + 1)
    mu = 4 * np.exp(0.003 * t) * np.where(t > 100, 0.6, 1.0)
    alpha = 0.3
    y = rng.poisson(rng.gamma(1 / alpha, alpha * mu))
    res = _fit(pd.Series(y, index=idx), idx[100], family="negbin")
    assert res.level_change.confidence_interval().contains(0.6)
    assert res.params["alpha"] == pytest.approx(alpha, abs=0.15)
    assert res.dispersion > 1.5  # the Poisson Pearson dispersion flags it
    pois = _fit(pd.Series(y, index=idx), idx[100], family="poisson")
    assert res.level_change.se > pois.level_change.se


def test_hac_changes_standard_errors(sicily):
    plain = _fit(sicily, "2005-01")
    hac = ist.interrupted_time_series(sicily, "2005-01", hac=True)  # no warning with hac
    assert hac.hac == 3  # floor(4 (59/100)^(2/9))
    assert hac.params.to_numpy() == pytest.approx(plain.params.to_numpy())
    assert hac.bse["level_change"] != pytest.approx(plain.bse["level_change"])
    lags6 = ist.interrupted_time_series(sicily, "2005-01", hac=6)
    assert lags6.hac == 6


def test_eventseries_input_and_partial_bins():
    ev = ist.datasets.load_iraq_attacks()
    a = _fit(ev, "2020-01-06", family="negbin", freq="W")
    b = _fit(ev.counts("W"), "2020-01-06", family="negbin")
    assert a.params.to_numpy() == pytest.approx(b.params.to_numpy())
    assert a.offset_kind == "log(bin length in days)"
    assert np.exp(a.log_offset[0]) < 7  # partial first week keeps its true length


# ---------------------------------------------------------------------------------------------
# simulation recovery and coverage
# ---------------------------------------------------------------------------------------------
def _coverage(n_rep, seed):
    rng = np.random.default_rng(seed)
    n = 60
    idx = pd.period_range("2015-01", periods=n, freq="M")
    t = np.arange(1, n + 1)
    mu = 30 * np.exp(0.004 * t) * np.where(t > 36, 0.8, 1.0)
    hits = 0
    for _ in range(n_rep):
        y = rng.poisson(mu)
        res = _fit(pd.Series(y, index=idx), "2018-01")
        hits += res.level_change.confidence_interval().contains(0.8)
    return hits / n_rep


def test_level_change_interval_coverage():
    # 200 seeded Poisson series with a step of 0.8: 95% intervals cover 0.8 about 95% of the
    # time (binomial SE 1.5%)
    assert 0.91 <= _coverage(200, seed=13) <= 0.99


@pytest.mark.skipif(not FULL, reason="full-size simulation study (INCIDENTSTATS_FULL=1)")
def test_level_change_interval_coverage_full():
    assert 0.935 <= _coverage(2000, seed=14) <= 0.965


def test_ljung_box_warning():
    rng = np.random.default_rng(3)
    n = 120
    idx = pd.date_range("2020-01-06", periods=n, freq="W-MON")
    # AR(1) log-rate: autocorrelated residuals
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.8 * e[i - 1] + rng.normal(0, 0.3)
    y = rng.poisson(10 * np.exp(e))
    with pytest.warns(AutocorrelationWarning, match="Ljung-Box"):
        res = ist.interrupted_time_series(pd.Series(y, index=idx), idx[60])
    assert res.ljung_box["pvalue"] < 0.05
    iid = rng.poisson(10, n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok = ist.interrupted_time_series(pd.Series(iid, index=idx), idx[60])
    assert ok.ljung_box["pvalue"] >= 0.05


def test_result_outputs(sicily):
    import matplotlib

    matplotlib.use("Agg")
    res = _fit(sicily, "2005-01", family="quasipoisson", seasonality="harmonic", slope_change=True)
    d = res.to_dict()
    json.dumps(d)
    assert d["level_change"]["ratio"] == pytest.approx(res.level_change.ratio)
    assert d["level_change"]["confidence_interval"]["low"] == pytest.approx(
        res.level_change.confidence_interval().low
    )
    assert len(d["counterfactual"]) == 59
    assert res.to_dict() == d
    text = str(res.summary())
    assert "quasi-Poisson" in text and "Level change" in text and "Ljung-Box" in text
    assert "t distribution" in text
    ax = res.plot()
    assert "Level change" in ax.get_title()
    lc = res.level_change
    assert float(lc) == lc.ratio and lc.estimate == lc.ratio
    json.dumps(lc.to_dict())
    assert "Level change" in str(lc.summary())
    assert res.coefficient_table().loc["level_change", "rate_ratio"] == pytest.approx(lc.ratio)


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("trigger", "kwargs", "match"),
    [
        ("2010-01-01", {}, "`trigger`.*2 bins before"),
        ("2002-02-01", {}, "`trigger`.*2 bins before"),
        ("2007-01-01", {}, "`trigger`.*2 bins before"),
        ("soon", {}, "`trigger`"),
        ([], {}, "`trigger`.*at least one"),
        (["2005-01", "2005-01"], {}, "`trigger`.*repeat"),
        ("2005-01", {"family": "binomial"}, "`family`"),
        ("2005-01", {"seasonality": "weekly"}, "`seasonality`"),
        ("2005-01", {"seasonality": "dayofweek"}, "`seasonality`.*daily"),
        ("2005-01", {"seasonality": "harmonic", "n_harmonics": 6}, "`n_harmonics`"),
        ("2005-01", {"seasonality": "harmonic", "n_harmonics": 0}, "`n_harmonics`"),
        ("2005-01", {"seasonality": "harmonic", "period": -12}, "`period`"),
        ("2005-01", {"slope_change": True, "trend": False}, "`slope_change`.*trend"),
        ("2005-01", {"trend": "yes"}, "`trend`"),
        ("2005-01", {"hac": -1}, "`hac`"),
        ("2005-01", {"interval": "profile"}, "`interval`"),
        ("2005-01", {"confidence_level": 1.5}, "`confidence_level`"),
        ("2005-01", {"offset": np.ones(10)}, "`offset`.*one value per bin"),
        ("2005-01", {"offset": -np.ones(59)}, "`offset`.*not its logarithm"),
    ],
)
def test_bad_input(sicily, trigger, kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        ist.interrupted_time_series(sicily, trigger, **kwargs)


def test_bad_counts():
    with pytest.raises(IncidentStatsError, match="`counts`"):
        ist.interrupted_time_series([1, 2, 3], "2020-01-01")
    idx = pd.period_range("2020-01", periods=5, freq="M")
    with pytest.raises(IncidentStatsError, match="more bins than model terms"):
        ist.interrupted_time_series(
            pd.Series([1, 2, 3, 4, 5], index=idx), "2020-04", seasonality="month"
        )
    with pytest.raises(IncidentStatsError, match="at least one event"):
        ist.interrupted_time_series(pd.Series([0] * 5, index=idx), "2020-04")
