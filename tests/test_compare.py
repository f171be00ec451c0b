"""compare_models: table, nesting, chi-bar-square boundary test."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

import incidentstats as ist
from incidentstats.compare import chi_bar_square_sf
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
    row = cmp.tests.set_index(["null", "alternative"]).loc[(P, H)]
    assert row["distribution"].startswith("chi-bar-square(1/2 chi2(0)")
    assert row["pvalue"] == pytest.approx(0.5 * stats.chi2.sf(row["LR"], 1))
    row2 = cmp.tests.set_index(["null", "alternative"]).loc[(P, P2)]
    assert row2["distribution"] == "chi2(1)"
    row3 = cmp.tests.set_index(["null", "alternative"]).loc[(P, H2)]
    assert row3["distribution"].startswith("chi-bar-square(1/2 chi2(1)")
    text = str(cmp.summary())
    assert "chi-bar-square" in text and "Lowest AIC" in text
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
    assert row["pvalue"] == pytest.approx(chi_bar_square_sf(row["LR"], 0, 2))
