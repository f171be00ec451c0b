"""compare_models: table, nesting, boundary tests (Davies bound, bootstrap, chi-bar-square).

The calibration study (type-I error and power) is in tests/test_compare_calibration.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

import incidentstats as ist
from incidentstats.compare import bootstrap_pvalue, chi_bar_square_sf, davies_bound
from incidentstats.events import EventSeries
from incidentstats.exceptions import IncidentStatsError, IncidentStatsTypeError
from incidentstats.hawkes import PiecewiseBaseline


def test_chi_bar_square_closed_form():
    # 1/2 chi2_0 + 1/2 chi2_1: P(LR >= x) = 1/2 P(chi2_1 >= x); the 5% point is 2.7055
    assert chi_bar_square_sf(stats.chi2.ppf(0.90, 1), 0) == pytest.approx(0.05)
    assert chi_bar_square_sf(0.0, 0) == 1.0
    # r = 1: 1/2 chi2_1 + 1/2 chi2_2 (Self & Liang 1987, case 5)
    x = 3.0
    assert chi_bar_square_sf(x, 1) == pytest.approx(
        0.5 * stats.chi2.sf(x, 1) + 0.5 * stats.chi2.sf(x, 2)
    )


def test_chi_bar_square_matches_simulated_null():
    # under H0 (Poisson), 2(l_Hawkes - l_Poisson) with the decay fixed has the
    # 1/2 chi2_0 + 1/2 chi2_1 law: about half the statistics are ~0
    rng = np.random.default_rng(0)
    lrs = []
    for _ in range(60):
        t = np.sort(rng.uniform(0, 300, rng.poisson(300)))
        ev = EventSeries.from_offsets(t, end=300.0)
        p = ist.PoissonProcess().fit(ev)
        h = ist.HawkesProcess(fixed={"decay": 1.0}, n_starts=1).fit(ev)
        lrs.append(max(0.0, 2 * (h.loglik - p.loglik)))
    lrs = np.array(lrs)
    frac_zero = np.mean(lrs < 1e-3)
    assert 0.3 < frac_zero < 0.75
    # rejection rate at 5% stays small (binomial 60 draws)
    pvals = np.array([chi_bar_square_sf(x, 0) for x in lrs])
    assert np.mean(pvals < 0.05) <= 0.15


def models(ev):
    return [
        ist.PoissonProcess().fit(ev),
        ist.PoissonProcess(breaks=["2020-01-03"]).fit(ev),
        ist.HawkesProcess().fit(ev),
        ist.HawkesProcess(baseline=PiecewiseBaseline(breaks=["2020-01-03"])).fit(ev),
    ]


def test_iraq_table_and_tests():
    ev = ist.datasets.load_iraq_attacks()
    res = models(ev)
    cmp = ist.compare_models(res)
    t = cmp.table
    assert list(t.columns[:6]) == ["events", "params", "loglik", "AIC", "BIC", "dAIC"]
    assert t["params"].tolist() == [1, 2, 3, 4]
    assert t["dAIC"].min() == 0.0
    for r, (_, row) in zip(res, t.iterrows()):
        assert row["AIC"] == pytest.approx(-2 * r.loglik + 2 * r.n_params)
        assert row["gof_ks_pvalue"] == pytest.approx(r.gof().pvalue)
    # the clustered core series: Poisson models fail the time-rescaling test, Hawkes pass
    assert t["gof_ks_pvalue"].iloc[0] < 0.05 and t["gof_ks_pvalue"].iloc[2] > 0.1
    pairs = set(zip(cmp.tests["null"], cmp.tests["alternative"]))
    P, P2, H, H2 = t.index
    assert pairs == {(P, P2), (P, H), (P, H2), (P2, H2), (H, H2)}
    rows = cmp.tests.set_index(["null", "alternative"])
    row = rows.loc[(P, H)]
    # default: Davies' bound over the decay, pointwise 1/2 chi2_0 + 1/2 chi2_1
    assert row["distribution"] == "Davies bound over decay (pointwise 1/2 chi2(0) + 1/2 chi2(1))"
    assert row["pvalue_chibar"] == pytest.approx(0.5 * stats.chi2.sf(row["LR"], 1))
    # LR = 22.2 (the core series; notebook 01): chi-bar-square 1.2e-6, Davies ~5.7e-5 —
    # the bound adds V exp(-LR/2)/sqrt(2 pi) with V ~ 9.4, the variation of sqrt(LR(decay))
    # (up from 0 to 4.7 near decay 0.07 per day and back)
    assert row["LR"] == pytest.approx(22.23, abs=0.01)
    assert row["pvalue_chibar"] == pytest.approx(1.21e-6, rel=0.01)
    assert 2e-5 < row["pvalue"] < 2e-4
    row2 = rows.loc[(P, P2)]
    assert row2["distribution"] == "chi2(1)" and np.isnan(row2["pvalue_chibar"])
    row3 = rows.loc[(P, H2)]
    assert row3["distribution"].endswith("(pointwise 1/2 chi2(1) + 1/2 chi2(2))")
    assert row3["pvalue"] > row3["pvalue_chibar"]
    assert cmp.test == "davies" and cmp.to_dict()["test"] == "davies"
    old = ist.compare_models(res, test="chibar").tests.set_index(["null", "alternative"])
    assert old.loc[(P, H), "distribution"] == "chi-bar-square(1/2 chi2(0) + 1/2 chi2(1))"
    assert old.loc[(P, H), "pvalue"] == pytest.approx(row["pvalue_chibar"])
    assert "p-values are too small" in str(ist.compare_models(res, test="chibar").summary())
    text = str(cmp.summary())
    assert "Davies' upper bound" in text and "Lowest AIC" in text
    json.dumps(cmp.to_dict())
    assert cmp.summary().as_markdown().startswith("### Model comparison")
    ax = cmp.plot()
    assert len(ax.patches) == 4


def test_bad_input():
    ev = EventSeries.from_offsets([1.0, 2.0, 4.0], end=5.0)
    other = EventSeries.from_offsets([1.0, 2.0], end=5.0)
    a = ist.PoissonProcess().fit(ev)
    with pytest.raises(IncidentStatsError, match="at least 2 fitted models"):
        ist.compare_models([a])
    with pytest.raises(IncidentStatsError, match="same events in the same window"):
        ist.compare_models([a, ist.PoissonProcess().fit(other)])
    with pytest.raises(IncidentStatsTypeError, match="must be a list of fitted models"):
        ist.compare_models(a)
    with pytest.raises(IncidentStatsTypeError, match="fitted HawkesResult or PoissonResult"):
        ist.compare_models([a, 3])
    with pytest.raises(IncidentStatsError, match="one distinct name per model"):
        ist.compare_models([a, a], names=["x", "x"])
    with pytest.raises(IncidentStatsError, match="must be one of 'davies', 'bootstrap'"):
        ist.compare_models([a, a], test="davis")
    with pytest.raises(IncidentStatsError, match="only applies to test='bootstrap'"):
        ist.compare_models([a, a], n_boot=99)
    with pytest.raises(IncidentStatsError, match="integer >= 19"):
        ist.compare_models([a, a], test="bootstrap", n_boot=10)
    with pytest.raises(IncidentStatsError, match="integer >= 19"):
        ist.compare_models([a, a], test="bootstrap", n_boot=99.0)
    with pytest.raises(IncidentStatsError, match="non-negative integer seed"):
        ist.compare_models([a, a], rng=-1)


def test_binomial_chi_bar_square_and_shock_boundary():
    # two boundary parameters: 1/4 chi2_0 + 1/2 chi2_1 + 1/4 chi2_2
    x = 4.0
    want = 0.5 * stats.chi2.sf(x, 1) + 0.25 * stats.chi2.sf(x, 2)
    assert chi_bar_square_sf(x, 0, 2) == pytest.approx(want)
    ev = ist.datasets.load_iraq_attacks()
    p0 = ist.PoissonProcess().fit(ev)
    hs = ist.HawkesProcess(baseline=ist.hawkes.ShockBaseline(["2020-01-03"])).fit(ev)
    cmp = ist.compare_models([p0, hs])
    row = cmp.tests.iloc[0]
    # extra: n (boundary), decay (unidentified), shock_1 (boundary), shock_decay (unidentified)
    assert row["df"] == 4
    # two unidentified decays: no one-dimensional Davies profile, the chi-bar-square is kept
    # and flagged
    assert row["pvalue"] == pytest.approx(chi_bar_square_sf(row["LR"], 0, 2))
    assert row["distribution"].endswith("approximate: several unidentified parameters")
    assert "test='bootstrap'" in str(cmp.summary())


def test_davies_bound_closed_form():
    # flat profile: no search over the decay, the bound is the chi-bar-square itself
    assert davies_bound(2.705543, [0.0, 0.0, 0.0]) == pytest.approx(0.05, abs=1e-6)
    # one bump of sqrt(LR) from 0 to 3 and back: V = 6, u = 9, r = 0:
    # 1/2 P(chi2_1 >= 9) + 6 e^(-4.5) / sqrt(2 pi) (Davies 1987, eq. 3.4 with s = 1, halved
    # first term for the boundary)
    want = 0.5 * stats.chi2.sf(9.0, 1) + 6 * np.exp(-4.5) / np.sqrt(2 * np.pi)
    assert davies_bound(9.0, [0.0, 9.0, 0.0]) == pytest.approx(want)
    # r = 1 (s = 2): 1/2 chi2_1 + 1/2 chi2_2 plus V u^(1/2) e^(-u/2) / (2 Gamma(1))
    want = chi_bar_square_sf(9.0, 1) + 6 * 3.0 * np.exp(-4.5) / 2.0
    assert davies_bound(9.0, [0.0, 9.0, 0.0], r=1) == pytest.approx(want)
    # the observed LR above the grid's maximum is what counts; p never exceeds 1
    assert davies_bound(16.0, [0.0, 9.0, 0.0]) < davies_bound(9.0, [0.0, 9.0, 0.0])
    assert davies_bound(0.5, [0.0, 0.5, 0.0, 0.5, 0.0]) == 1.0
    assert davies_bound(0.0, [0.0]) == 1.0


def test_bootstrap_pvalue_counts():
    # (1 + #{LR* >= LR}) / (B + 1); LR = 0 ties with LR* = 0 and gives p = 1
    assert bootstrap_pvalue(3.0, [0.0, 1.0, 4.0, 5.0]) == pytest.approx(3 / 5)
    assert bootstrap_pvalue(0.0, np.zeros(19)) == 1.0
    assert bootstrap_pvalue(9.0, np.zeros(19)) == pytest.approx(1 / 20)


def test_bootstrap_test_continuous_and_day_resolution():
    # strongly clustered continuous-time series: every bootstrap LR* is far below LR
    rng = np.random.default_rng(3)
    t = np.sort(rng.uniform(0, 100, 20)[:, None] + rng.exponential(0.05, (20, 3))).ravel()
    ev = EventSeries.from_offsets(np.sort(t[t < 100]), end=100.0)
    fits = [ist.PoissonProcess().fit(ev), ist.HawkesProcess().fit(ev)]
    cmp = ist.compare_models(fits, test="bootstrap", n_boot=19, rng=5)
    row = cmp.tests.iloc[0]
    assert row["distribution"] == "parametric bootstrap (19 replicates under the null)"
    assert row["pvalue"] == pytest.approx(1 / 20)
    assert row["pvalue_chibar"] < 1e-10
    assert "parametric bootstrap" in str(cmp.summary())
    # reproducible with the same seed
    again = ist.compare_models(fits, test="bootstrap", n_boot=19, rng=5)
    assert again.tests["pvalue"].tolist() == cmp.tests["pvalue"].tolist()
    # day-resolution data: simulated null series are rounded to days and refitted with the
    # same tie imputations, so the bootstrap LR* are on the observed scale
    ev = ist.datasets.load_iraq_attacks()
    fits = [ist.PoissonProcess().fit(ev), ist.HawkesProcess(n_imputations=2).fit(ev)]
    from incidentstats.compare import _bootstrap_lrs

    lrs = _bootstrap_lrs(fits[0], fits[1], 19, np.random.default_rng(1))
    assert lrs.shape == (19,) and np.all(lrs >= 0) and np.median(lrs) < 3
    row = ist.compare_models(fits, test="bootstrap", n_boot=19, rng=1).tests.iloc[0]
    # compare_models draws its replicates from the same generator state
    assert row["pvalue"] == pytest.approx(bootstrap_pvalue(row["LR"], lrs))


def test_fixed_decay_keeps_chi_bar_square():
    # a known decay leaves nothing unidentified: the chi-bar-square is the right reference
    ev = ist.datasets.load_iraq_attacks()
    fits = [ist.PoissonProcess().fit(ev), ist.HawkesProcess(fixed={"decay": 0.07}).fit(ev)]
    row = ist.compare_models(fits).tests.iloc[0]
    assert row["distribution"] == "chi-bar-square(1/2 chi2(0) + 1/2 chi2(1))"
    assert row["pvalue"] == pytest.approx(row["pvalue_chibar"])


def test_davies_profile_matches_decay_fixed_fits():
    # the profile LR(decay) at a grid point equals the LR of a fit with the decay held there
    from incidentstats.compare import _nuisance_grid, _nuisance_profile

    ev = ist.datasets.load_iraq_attacks()
    p = ist.PoissonProcess().fit(ev)
    h = ist.HawkesProcess().fit(ev)
    grid = _nuisance_grid(h, "decay")
    assert grid[0] == pytest.approx(1 / h.T) and grid[-1] > 2 * h.params["decay"]
    prof = _nuisance_profile(p, h, "decay", grid)
    k = int(np.argmax(prof))
    hk = ist.HawkesProcess(fixed={"decay": float(grid[k])}).fit(ev)
    assert prof[k] == pytest.approx(2 * (hk.loglik - p.loglik), abs=1e-3)
    # the profile's maximum is the fitted LR (grid spacing 0.2 in log decay)
    assert prof.max() == pytest.approx(2 * (h.loglik - p.loglik), abs=0.05)


def test_decay_held_at_bound_still_uses_davies():
    # a Poisson rate step fitted with a constant background: the decay runs to its bound 1/T
    # and is held there (decay_at_bound); it was still searched over, so the bound applies
    g = np.random.default_rng(0)
    t1 = np.sort(g.uniform(0, 100, g.poisson(30)))
    t2 = np.sort(g.uniform(100, 200, g.poisson(100)))
    ev = EventSeries.from_offsets(np.concatenate([t1, t2]), end=200.0)
    with pytest.warns(ist.exceptions.ConvergenceWarning, match="branching ratio is 2.4"):
        fits = [ist.PoissonProcess().fit(ev), ist.HawkesProcess().fit(ev)]
    assert fits[1].decay_at_bound == ("decay",)
    row = ist.compare_models(fits).tests.iloc[0]
    assert row["distribution"].startswith("Davies bound over decay")
    # LR = 33.6: chi-bar-square 3.3e-9, Davies 1.2e-7 (both: a clear rejection)
    assert row["pvalue_chibar"] < row["pvalue"] < 1e-5


def test_trend_and_seasonal_baselines_nest() -> None:
    # SeasonalBaseline(trend=True) contains TrendBaseline (harmonics at 0) and the plain
    # seasonal model (trend at 0): both pairs get a regular LR test with the right df
    import warnings

    from incidentstats.hawkes import SeasonalBaseline, TrendBaseline

    g = np.random.default_rng(1)
    ev = ist.EventSeries.from_offsets(np.sort(g.uniform(0, 700.0, 600)), end=700.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = [
            ist.PoissonProcess(baseline=TrendBaseline()).fit(ev),
            ist.PoissonProcess(baseline=SeasonalBaseline(7.0)).fit(ev),
            ist.PoissonProcess(baseline=SeasonalBaseline(7.0, trend=True)).fit(ev),
            ist.PoissonProcess(baseline=SeasonalBaseline(30.0)).fit(ev),
        ]
    cmp = ist.compare_models(fits)
    names = cmp.table.index.tolist()
    assert names[2] == "Poisson, seasonal + trend baseline"
    pairs = {(r.null, r.alternative): r.df for r in cmp.tests.itertuples()}
    assert pairs[(names[0], names[2])] == 2  # cos_1, sin_1
    assert pairs[(names[1], names[2])] == 1  # trend
    # a different period is not nested
    assert all(names[3] not in pair for pair in pairs)
