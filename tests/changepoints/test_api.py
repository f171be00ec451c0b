"""The public changepoints() API: reference numbers, the result object, and bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import incidentstats as ist
from incidentstats.changepoints import ChangePointResult, PenaltyPath, penalty_path
from incidentstats.exceptions import DataWarning, IncidentStatsError


def _coal_annual() -> ist.CountSeries:
    annual = ist.datasets.load_coal_mining_annual()
    s = pd.Series(
        annual["disasters"].to_numpy(), index=pd.period_range("1851", periods=112, freq="Y")
    )
    return ist.CountSeries(s, exposure=np.ones(112))  # exposure in years


@pytest.mark.parametrize("method", ["pelt", "binseg"])
def test_coal_annual_single_change(method: str) -> None:
    cs = _coal_annual()
    cp = ist.changepoints(cs, method=method, max_changes=1, n_boot=0)
    cp0 = ist.changepoints(cs, method=method, max_changes=0, n_boot=0)
    # data card: last high-rate year 1891; 127 events in 41 years (3.0976/yr), 64 in 71
    # (0.9014/yr); LR statistic 69.99
    assert cp.changepoints[0] == pd.Timestamp("1892-01-01")
    assert cp.segments["events"].tolist() == [127, 64]
    assert cp.segments["rate"].tolist() == pytest.approx([3.0976, 0.9014], abs=5e-5)
    assert 2 * (cp.loglik - cp0.loglik) == pytest.approx(69.99, abs=5e-3)
    # full Poisson log-likelihood, checked against scipy
    from scipy import stats

    y = cs.values
    mu = np.r_[np.full(41, 127 / 41), np.full(71, 64 / 71)]
    assert cp.loglik == pytest.approx(stats.poisson.logpmf(y, mu).sum(), rel=1e-12)


def test_coal_annual_bayes_public() -> None:
    cp = ist.changepoints(
        _coal_annual(), method="bayes", prior={"shape": 1.0, "rate": 1.0, "n_changes": 1}, rng=1
    )
    # data card: posterior mode 1891 with probability 0.245 (Gamma(1, 1) priors)
    assert cp.changepoints[0] == pd.Timestamp("1892-01-01")
    lp = cp.location_posterior["change_1"]
    assert lp[pd.Timestamp("1892-01-01")] == pytest.approx(0.245, abs=5e-4)
    assert lp[pd.Timestamp("1891-01-01")] == pytest.approx(0.185, abs=5e-4)
    lu = cp.location_uncertainty.iloc[0]
    assert lu["low"] <= pd.Timestamp("1890-01-01") and lu["high"] >= pd.Timestamp("1893-01-01")
    assert cp.n_changes_posterior.tolist() == [0.0, 1.0]
    co = cp.coincides_with(["1892-01-01"], tolerance="0D")
    # exact probability 0.245; 4000 posterior draws give it within ~0.02
    assert co["probability"].iloc[0] == pytest.approx(0.245, abs=0.025)


def test_coal_event_times_mle() -> None:
    # data card: event times with the window from the first to the last event: MLE 1890.19,
    # rates 3.18/yr and 0.916/yr (the first event marks the start and is not counted)
    ev = ist.datasets.load_coal_mining()
    first, last = ev.timestamps[0], ev.timestamps[-1]
    win = ev.window(first + pd.Timedelta(days=1), last + pd.Timedelta(days=1))
    assert win.n == 190
    cp = ist.changepoints(win, method="binseg", max_changes=1, n_boot=0)
    c = cp.changepoints[0]
    year = c.year + (c.day_of_year - 1) / 365.25
    assert year == pytest.approx(1890.19, abs=0.01)
    rates = cp.segments["rate"].to_numpy() * 365.25
    assert rates == pytest.approx([3.18, 0.916], abs=0.01)


def test_exact_event_times_use_cells() -> None:
    x = pd.read_csv(ist.datasets.data_path("coal_mining", "coal_disaster_dates.csv"))["date"]
    origin = pd.Timestamp("1851-01-01")
    times = origin + pd.to_timedelta((x.to_numpy() - 1851.0) * 365.25, unit="D")
    ev = ist.EventSeries(times, start=times[0], end=times[-1] + pd.Timedelta(seconds=1),
                         resolution="exact")  # fmt: skip
    cp = ist.changepoints(ev, method="pelt", max_changes=1, n_boot=0, freq="exact")
    c = cp.changepoints[0]
    year = 1851.0 + (c - origin).total_seconds() / 86400 / 365.25
    # data card: continuous-time single-change MLE 1890.19 (first to last event)
    assert year == pytest.approx(1890.19, abs=0.005)
    assert cp.data_kind == "event times"
    # continuous-time log-likelihood: sum n_k log(n_k / L_k) - n_k
    seg = cp.segments
    ref = sum(n * math.log(n / L) - n for n, L in zip(seg["events"], seg["exposure"]))
    assert cp.loglik == pytest.approx(ref, rel=1e-12)


def test_result_interface_on_iraq() -> None:
    ev = ist.datasets.load_iraq_attacks()
    counts = ev.window("2019-10-28", "2022-01-01").counts("D")
    cp = ist.changepoints(counts, method="pelt", rng=1, n_boot=100)
    assert isinstance(cp, ChangePointResult)
    assert isinstance(cp.changepoints, pd.DatetimeIndex)
    seg = cp.segments
    assert list(seg.columns[:7]) == [
        "start",
        "end",
        "events",
        "exposure",
        "rate",
        "ci_low",
        "ci_high",
    ]
    assert seg["events"].sum() == counts.total
    assert seg["exposure"].sum() == pytest.approx(counts.exposure.sum())
    assert (seg["ci_low"] <= seg["rate"]).all() and (seg["rate"] <= seg["ci_high"]).all()
    assert len(cp.location_uncertainty) == cp.n_changes
    co = cp.coincides_with(["2020-01-03"], tolerance="14D")
    assert list(co.columns) == [
        "trigger", "tolerance_days", "nearest_change", "distance_days", "within",
        "probability", "method",
    ]  # fmt: skip
    assert 0.0 <= co["probability"].iloc[0] <= 1.0
    text = str(cp.summary())
    assert "Segments" in text and "PELT" in text
    assert cp.summary().as_html().startswith("<div")
    d = cp.to_dict()
    json.dumps(d)
    assert d["n_changes"] == cp.n_changes
    # same seed, same answer
    cp2 = ist.changepoints(counts, method="pelt", rng=1, n_boot=100)
    pd.testing.assert_frame_equal(cp.location_uncertainty, cp2.location_uncertainty)
    # a pandas Series of counts works too
    cp3 = ist.changepoints(counts.to_series(), n_boot=0)
    assert list(cp3.changepoints) == list(cp.changepoints)
    path = cp.penalty_path()
    assert isinstance(path, PenaltyPath)
    assert cp.n_changes in set(path.table["n_changes"]) or cp.penalty_name == "mbic"


def test_all_methods_on_iraq_events() -> None:
    ev = ist.datasets.load_iraq_attacks()
    for method in ("pelt", "binseg", "bayesian_blocks"):
        cp = ist.changepoints(ev, method=method, rng=2, n_boot=30)
        assert cp.segments["events"].sum() == ev.n
        assert cp.method == method
    cp = ist.changepoints(ev, method="bayes", rng=2, n_draws=500)
    assert cp.n_changes_posterior.sum() == pytest.approx(1.0)
    # the old default (uniform on 0..10 changes) piles up at its cap on the clustered daily
    # counts and says so
    with pytest.warns(DataWarning, match="largest number of changes"):
        ist.changepoints(ev, method="bayes", prior={"n_changes": "uniform"}, rng=2, n_draws=50)
    weekly = ist.changepoints(ev, method="bayes", freq="W", max_changes=20, rng=2, n_draws=500)
    assert weekly.n_changes >= 1


def test_plots(tmp_path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ev = ist.datasets.load_iraq_attacks()
    for cp in (
        ist.changepoints(ev.counts("W"), rng=1, n_boot=20),
        ist.changepoints(ev, method="bayesian_blocks", rng=1, n_boot=20),
    ):
        ax = cp.plot()
        assert len(ax.lines) >= 2
        ax.figure.savefig(tmp_path / f"{cp.method}.png")
        plt.close(ax.figure)
    path = penalty_path(ev.counts("W"))
    ax = path.plot()
    assert len(ax.collections) == len(path.table)
    plt.close(ax.figure)


def test_negbin_cost() -> None:
    rng = np.random.default_rng(4)
    lam = np.r_[np.full(200, 2.0), np.full(200, 6.0)]
    y = rng.poisson(rng.gamma(1.5, lam / 1.5))  # NB1 with phi = 1.5 per day
    s = pd.Series(y, index=pd.date_range("2020-01-01", periods=400, freq="D"))
    nb = ist.changepoints(s, cost="negbin", n_boot=0)
    po = ist.changepoints(s, cost="poisson", n_boot=0)
    # overdispersion: Poisson finds spurious changes, NB1 finds the real one
    assert nb.n_changes == 1 and abs((nb.changepoints[0] - pd.Timestamp("2020-07-19")).days) <= 20
    assert po.n_changes > nb.n_changes
    assert nb.dispersion == pytest.approx(1.5, rel=0.35)


def test_penalty_choices_order() -> None:
    rng = np.random.default_rng(6)
    y = rng.poisson(np.r_[np.full(100, 1.0), np.full(100, 1.6), np.full(100, 1.0)])
    s = pd.Series(y, index=pd.date_range("2020-01-01", periods=300, freq="D"))
    ks = [ist.changepoints(s, penalty=p, n_boot=0).n_changes for p in ("aic", "bic", "mbic")]
    assert ks[0] >= ks[1] >= ks[2]
    assert ist.changepoints(s, penalty=1e6, n_boot=0).n_changes == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "pelts"}, "`method` parameter.*Did you mean 'pelt'"),
        ({"cost": "gauss"}, "`cost` parameter"),
        ({"penalty": 0}, "`penalty` parameter"),
        ({"penalty": -3.0}, "`penalty` parameter"),
        ({"penalty": "bick"}, "`penalty` parameter.*'bic'"),
        ({"min_size": 0}, "`min_size` parameter"),
        ({"min_size": 50}, "`min_size` parameter must not exceed"),
        ({"max_changes": -1}, "`max_changes` parameter"),
        ({"confidence_level": 95}, "`confidence_level` parameter"),
        ({"n_boot": -1}, "`n_boot` parameter"),
        ({"method": "bayesian_blocks"}, "needs event times|event times"),
        ({"method": "bayes", "prior": {"shape": -1}}, "prior\\['shape'\\]"),
        ({"method": "bayes", "prior": {"scale": 1}}, "`prior` parameter"),
        ({"cost": "negbin", "dispersion": 0}, "`dispersion` parameter"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    s = pd.Series([1, 0, 3, 2] * 5, index=pd.date_range("2020-01-01", periods=20, freq="D"))
    with pytest.raises(IncidentStatsError, match=match):
        ist.changepoints(s, **kwargs)


def test_bad_data() -> None:
    idx = pd.date_range("2020-01-01", periods=30, freq="D")
    with pytest.raises(IncidentStatsError, match="all counts are zero"):
        ist.changepoints(pd.Series(np.zeros(30, int), index=idx))
    with pytest.raises(IncidentStatsError, match="at least 2 bins"):
        ist.changepoints(
            ist.CountSeries(pd.Series([4], index=pd.period_range("2020-01", periods=1, freq="M")))
        )
    with pytest.raises(IncidentStatsError, match="negative|non-negative"):
        ist.changepoints(pd.Series(np.r_[1, -1, np.ones(28, int)], index=idx))
    with pytest.raises(IncidentStatsError, match="`data` argument"):
        ist.changepoints([1, 2, 3])
    with pytest.raises(IncidentStatsError, match="at most 5000 bins"):
        ist.changepoints(ist.datasets.load_coal_mining(), method="bayes")
    cp = ist.changepoints(pd.Series(np.ones(30, int), index=idx), n_boot=0)
    with pytest.raises(IncidentStatsError, match="`tolerance` argument"):
        cp.coincides_with("2020-01-05", tolerance="-3D")
    with pytest.raises(IncidentStatsError, match="`dates` argument"):
        cp.coincides_with("not a date")
    with pytest.raises(IncidentStatsError, match="`penalty_range` parameter"):
        cp.penalty_path((5.0, 1.0))
    bb = ist.changepoints(ist.datasets.load_coal_mining(), method="bayesian_blocks", n_boot=0)
    with pytest.raises(IncidentStatsError, match="`penalty_path` method"):
        bb.penalty_path()


def test_exact_times_single_change_equals_brute_force() -> None:
    # every split just before or just after each event, continuous-time likelihood
    rng = np.random.default_rng(21)
    for _ in range(5):
        t = np.sort(np.r_[rng.uniform(0, 30, 40), rng.uniform(30, 100, 15)])
        T = 100.0
        best = -np.inf
        for cut in np.r_[t, t + 1e-12]:
            n1 = np.sum(t < cut)
            n2 = len(t) - n1
            ll = sum(k * math.log(k / L) - k for k, L in ((n1, cut), (n2, T - cut)) if k > 0)
            best = max(best, ll)
        times = pd.Timestamp("2021-01-01") + pd.to_timedelta(t, unit="D")
        ev = ist.EventSeries(times, start="2021-01-01", end="2021-04-11", resolution="exact")
        for method in ("pelt", "binseg"):
            cp = ist.changepoints(ev, method=method, max_changes=1, n_boot=0, freq="exact")
            assert cp.loglik == pytest.approx(best, abs=1e-6)
            assert cp.data_kind == "event times"
        daily = ist.changepoints(ev, n_boot=0)  # exact times are counted per day by default
        assert daily.data_kind == "counts per 'D' bin"
    with pytest.raises(IncidentStatsError, match="`freq` parameter may be 'exact' only for"):
        ist.changepoints(ist.datasets.load_coal_mining(), freq="exact")
    with pytest.raises(IncidentStatsError, match="only with method='pelt'"):
        ist.changepoints(ev, method="bayes", freq="exact")
