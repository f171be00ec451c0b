"""placebo_test and multiple_triggers."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pandas as pd
import pytest

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError, SmallSampleWarning
from incidentstats.rates._placebo import rank_pvalue, window_statistic

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"


def _poisson_events(rng, rate_before, rate_after, days_before, days_after, start="2020-01-01"):
    """Daily-resolution Poisson events with a rate change at start + days_before."""
    nb = rng.poisson(rate_before * days_before)
    na = rng.poisson(rate_after * days_after)
    t = np.concatenate(
        [rng.uniform(0, days_before, nb), days_before + rng.uniform(0, days_after, na)]
    )
    t0 = pd.Timestamp(start)
    times = t0 + pd.to_timedelta(np.floor(np.sort(t)), unit="D")
    end = t0 + pd.Timedelta(days=days_before + days_after)
    return ist.EventSeries(times, start=t0, end=end, resolution="day"), t0 + pd.Timedelta(
        days=days_before
    )


@pytest.fixture(scope="module")
def iraq():
    return ist.datasets.load_iraq_attacks()


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------
def test_score_statistic_equals_statsmodels():
    from statsmodels.stats.rates import test_poisson_2indep

    for cb, tb, ca, ta in [(13, 67, 26, 67), (12, 68, 8, 89), (3, 10, 9, 14)]:
        ref = test_poisson_2indep(ca, ta, cb, tb, method="score").statistic
        got = window_statistic(
            np.array([cb]), np.array([tb]), np.array([ca]), np.array([ta]), "score"
        )
        assert got[0] == pytest.approx(ref, rel=1e-10)
    assert (
        window_statistic(np.array([0]), np.array([5.0]), np.array([0]), np.array([5.0]), "score")[0]
        == 0
    )


def test_rank_pvalue_by_hand():
    placebo = np.array([-3.0, -1.0, 0.5, 2.0, 2.5])
    # two-sided: |x| >= 2 for -3, 2, 2.5 -> (1 + 3) / 6
    assert rank_pvalue(2.0, placebo, "two-sided") == pytest.approx(4 / 6)
    assert rank_pvalue(2.0, placebo, "greater") == pytest.approx(3 / 6)
    assert rank_pvalue(2.0, placebo, "less") == pytest.approx(5 / 6)
    assert rank_pvalue(10.0, placebo, "two-sided") == pytest.approx(1 / 6)


def test_placebo_dates_and_counts_by_brute_force(iraq):
    pl = ist.placebo_test(iraq, "2020-01-03", before="30D", after="30D", n_placebo=None)
    assert pl.exhaustive and pl.n_placebo == pl.n_admissible
    trig = pd.Timestamp("2020-01-03")
    ts = iraq.timestamps
    for d in pl.placebo.index[::37]:
        # admissible: windows inside the data, none containing the real trigger
        assert d - pd.Timedelta(days=30) >= iraq.start and d + pd.Timedelta(days=30) <= iraq.end
        assert not (d - pd.Timedelta(days=30) < trig < d + pd.Timedelta(days=30))
        cb = int(((ts >= d - pd.Timedelta(days=30)) & (ts < d)).sum())
        ca = int(((ts >= d) & (ts < d + pd.Timedelta(days=30))).sum())
        ref = ist.rate_change(iraq, d, before="30D", after="30D", method="score")
        assert (cb, ca) == tuple(ref.counts)
        assert pl.placebo[d] == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
    # every date of the admissible range is used
    n_days = (iraq.end - iraq.start).days - 60 + 1  # cut dates with full windows
    assert pl.n_admissible == n_days - 59  # minus the 59 dates straddling it (trigger included)
    assert pl.observed == pytest.approx(
        ist.rate_change(iraq, "2020-01-03", before="30D", after="30D", method="score").statistic
    )


def test_seeded_draws_are_reproducible(iraq):
    a = ist.placebo_test(iraq, "2020-01-03", before="67D", after="67D", n_placebo=99, rng=5)
    b = ist.placebo_test(iraq, "2020-01-03", before="67D", after="67D", n_placebo=99, rng=5)
    c = ist.placebo_test(iraq, "2020-01-03", before="67D", after="67D", n_placebo=99, rng=6)
    assert a.placebo.index.equals(b.placebo.index) and a.pvalue == b.pvalue
    assert not a.placebo.index.equals(c.placebo.index)
    assert a.n_placebo == 99 and not a.exhaustive
    json.dumps(a.to_dict())
    text = str(a.summary())
    assert "Placebo p-value" in text and "99 / " in text


def test_other_triggers_and_buffer(iraq):
    base = ist.placebo_test(iraq, "2020-01-03", before="30D", after="30D", n_placebo=None)
    other = ist.placebo_test(
        iraq, "2020-01-03", before="30D", after="30D", n_placebo=None, triggers=["2020-06-08"]
    )
    assert other.n_admissible == base.n_admissible - 59
    buf = ist.placebo_test(
        iraq, "2020-01-03", before="30D", after="30D", n_placebo=None, buffer="90D"
    )
    assert (np.abs((buf.placebo.index - pd.Timestamp("2020-01-03")).days) >= 90).all()
    open_ended = ist.placebo_test(iraq, "2020-06-08", n_placebo=None)
    assert (np.abs((open_ended.placebo.index - pd.Timestamp("2020-06-08")).days) >= 30).all()
    assert "30 days" in open_ended.buffer


# ---------------------------------------------------------------------------------------------
# simulation: calibration and power
# ---------------------------------------------------------------------------------------------
def _null_rejections(n_series, seed):
    rng = np.random.default_rng(seed)
    rejected = 0
    for _ in range(n_series):
        ev, trig = _poisson_events(rng, 0.3, 0.3, 250, 250)
        pl = ist.placebo_test(ev, trig, before="40D", after="40D", n_placebo=None)
        rejected += pl.pvalue <= 0.05
    return rejected / n_series


def test_placebo_calibrated_under_no_change():
    # homogeneous Poisson series: the trigger is exchangeable with placebo dates, so the
    # rejection rate at 5% should be near 5% (binomial SE with 150 series: 1.8%)
    assert _null_rejections(150, seed=11) <= 0.10


@pytest.mark.skipif(not FULL, reason="full-size simulation study (INCIDENTSTATS_FULL=1)")
def test_placebo_calibrated_full():
    assert _null_rejections(1000, seed=12) <= 0.07


def test_placebo_detects_a_large_change():
    rng = np.random.default_rng(21)
    ev, trig = _poisson_events(rng, 0.2, 1.0, 250, 250)
    pl = ist.placebo_test(ev, trig, before="40D", after="40D", n_placebo=None)
    assert pl.pvalue <= 0.05
    # the statistic at the trigger beats every placebo date whose windows lie on one side
    assert pl.observed > 3


def test_few_placebo_dates_warn():
    rng = np.random.default_rng(1)
    ev, trig = _poisson_events(rng, 0.5, 0.5, 40, 40)
    with pytest.warns(SmallSampleWarning, match="placebo dates"):
        pl = ist.placebo_test(ev, trig, before="20D", after="20D")
    # 80 days, 20-day windows: only the cuts at days 20 and 60 keep the trigger (day 40) out
    assert pl.n_placebo == 2


def test_placebo_plot(iraq):
    import matplotlib

    matplotlib.use("Agg")
    pl = ist.placebo_test(iraq, "2020-01-03", before="67D", after="67D", n_placebo=99, rng=1)
    ax = pl.plot()
    assert "99 placebo dates" in ax.get_title()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"statistic": "t"}, "`statistic`"),
        ({"n_placebo": 0}, "`n_placebo`"),
        ({"n_placebo": 2.5}, "`n_placebo`"),
        ({"rng": "seed"}, "`rng`"),
        ({"rng": -1}, "`rng`"),
        ({"buffer": "-3D"}, "`buffer`"),
        ({"step": 0}, "`step`"),
        ({"before": "500D"}, "`before`"),
        ({"alternative": "bigger"}, "`alternative`"),
    ],
)
def test_placebo_bad_input(iraq, kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        ist.placebo_test(iraq, "2020-01-03", **kwargs)


def test_placebo_no_admissible_date(iraq):
    with pytest.raises(IncidentStatsError, match="placebo"):
        ist.placebo_test(iraq, "2020-12-31", before="400D", after="360D")


# ---------------------------------------------------------------------------------------------
# several triggers
# ---------------------------------------------------------------------------------------------
def test_multiple_triggers_windows_and_holm(iraq):
    dates = ["2020-06-08", "2020-01-03", "2020-03-11"]  # unsorted on purpose
    mt = ist.multiple_triggers(iraq, dates)
    assert [str(t.date()) for t in mt.triggers] == ["2020-01-03", "2020-03-11", "2020-06-08"]
    tab = mt.table
    assert tab["before_start"].tolist() == [
        iraq.start,
        pd.Timestamp("2020-01-03"),
        pd.Timestamp("2020-03-11"),
    ]
    assert tab["after_end"].tolist() == [
        pd.Timestamp("2020-03-11"),
        pd.Timestamp("2020-06-08"),
        iraq.end,
    ]
    for t, row in tab.iterrows():
        rc = ist.rate_change(iraq, t, before=row["before_start"], after=row["after_end"])
        assert (row["events_before"], row["events_after"]) == tuple(rc.counts)
        assert row["pvalue"] == pytest.approx(rc.pvalue)
    # Holm by hand
    p = tab["pvalue"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    adj = np.empty(m)
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * p[i]))
        adj[i] = running
    assert tab["pvalue_adjusted"].to_numpy() == pytest.approx(adj)
    json.dumps(mt.to_dict())
    assert "holm" in str(mt.summary())


def test_multiple_triggers_durations_cut_at_neighbours(iraq):
    mt = ist.multiple_triggers(iraq, ["2020-01-03", "2020-03-11"], before="30D", after="90D")
    tab = mt.table
    assert tab["exposure_before"].tolist() == [30.0, 30.0]
    # the first after-window stops at the next trigger (68 days), the second runs 90 days
    assert tab["exposure_after"].tolist() == [68.0, 90.0]


def test_multiple_triggers_plot(iraq):
    import matplotlib

    matplotlib.use("Agg")
    ax = ist.multiple_triggers(iraq, ["2020-01-03", "2020-06-08"]).plot()
    assert ax.get_ylabel() == "Events per day"


@pytest.mark.parametrize(
    ("triggers", "kwargs", "match"),
    [
        ("2020-01-03", {}, "`triggers`.*list"),
        ([], {}, "`triggers`.*at least one"),
        (["2020-01-03", "2020-01-03"], {}, "`triggers`.*repeat"),
        (["2020-01-03", "2030-01-01"], {}, "`triggers`.*inside the observation window"),
        (["2020-01-03"], {"adjust": "sidak"}, "`adjust`"),
        (["2020-01-03"], {"method": "fisher"}, "`method`"),
    ],
)
def test_multiple_triggers_bad_input(iraq, triggers, kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        ist.multiple_triggers(iraq, triggers, **kwargs)


def test_no_warning_in_normal_use(iraq):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ist.placebo_test(iraq, "2020-01-03", before="67D", after="67D", n_placebo=199, rng=1)


def test_windows_reaching_the_data_edges_stay_open(iraq):
    # as the report calls it: before/after up to the neighbouring trigger or the data's edge
    a = ist.placebo_test(
        iraq, "2020-06-08", iraq.start, iraq.end, n_placebo=None, triggers=["2020-01-03"]
    )
    b = ist.placebo_test(iraq, "2020-06-08", n_placebo=None, triggers=["2020-01-03"])
    assert a.placebo.equals(b.placebo)
    c = ist.placebo_test(
        iraq,
        "2020-06-08",
        pd.Timestamp("2020-01-03"),
        iraq.end,
        n_placebo=199,
        rng=1,
        triggers=["2020-01-03"],
    )
    assert c.windows_rule == "before: 157 days, after: all data"
    assert c.n_placebo == 199
