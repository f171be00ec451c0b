"""rate_change on EventSeries: windows, trigger day, buffers, bad input, the Iraq seed question."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError


@pytest.fixture(scope="module")
def iraq():
    return ist.datasets.load_iraq_attacks()


def _count(ev, lo, hi):
    ts = ev.timestamps
    return int(((ts >= pd.Timestamp(lo)) & (ts < pd.Timestamp(hi))).sum())


def test_iraq_seed_question(iraq, data_dir):
    # data card: 13 core attacks from 28 Oct 2019 to 4 Jan 2020 inclusive
    frame = pd.read_csv(data_dir / "iraq_attacks_2019_2022" / "attacks.csv")
    notes = frame["notes"].fillna("")
    core = frame[
        (frame["target_type"] != "convoy") & ~notes.str.contains("PRE_WINDOW|POST_2021|NOT_MILITIA")
    ]
    dates = pd.to_datetime(core["date"])
    assert int(((dates >= "2019-10-28") & (dates <= "2020-01-04")).sum()) == 13
    # the notebook call of issue 3
    rc = ist.rate_change(iraq, "2020-01-03", before="67D", after="67D")
    # independent count from the CSV: [2019-10-28, 2020-01-03) and [2020-01-03, 2020-03-10)
    cb = int(((dates >= "2019-10-28") & (dates < "2020-01-03")).sum())
    ca = int(((dates >= "2020-01-03") & (dates < "2020-03-10")).sum())
    assert rc.counts.tolist() == [cb, ca]
    assert rc.exposures.tolist() == [67.0, 67.0]
    ref = ist.rate_change_counts(cb, 67, ca, 67)
    assert rc.pvalue == pytest.approx(ref.pvalue)
    assert tuple(rc.confidence_interval()) == pytest.approx(tuple(ref.confidence_interval()))
    text = str(rc.summary())
    for needle in (
        "exact-cond",
        "Events before / after",
        f"{cb} / {ca}",
        "67 / 67",
        "Rate ratio (after / before)",
        "95% CI",
        "p-value",
        "Small counts",
        "chosen after looking at these data",
    ):
        assert needle in text, needle
    md = rc.summary().as_markdown()
    assert "Rate change at 2020-01-03" in md


def test_default_windows_use_all_data(iraq):
    rc = ist.rate_change(iraq, "2020-06-08")
    assert rc.windows.before_start == iraq.start
    assert rc.windows.after_end == iraq.end
    assert int(rc.counts.sum()) == iraq.n
    assert rc.exposures.sum() == pytest.approx(iraq.duration())


def test_windows_as_dates_and_durations(iraq):
    a = ist.rate_change(iraq, "2020-03-11", before="2020-01-03", after="2020-06-08")
    assert a.exposures.tolist() == [68.0, 89.0]
    assert a.counts.tolist() == [
        _count(iraq, "2020-01-03", "2020-03-11"),
        _count(iraq, "2020-03-11", "2020-06-08"),
    ]
    b = ist.rate_change(iraq, "2020-03-11", before=68, after=pd.Timedelta(days=89))
    assert b.counts.tolist() == a.counts.tolist()
    c = ist.rate_change(iraq, "2020-03-11", before="2W", after="10D")
    assert c.exposures.tolist() == [14.0, 10.0]


def test_trigger_day_switch(iraq):
    # events dated on the trigger's own day count "after" by default, "before" on request
    day = "2020-01-04"
    on_day = _count(iraq, day, "2020-01-05")
    assert on_day >= 1
    after = ist.rate_change(iraq, day, before="30D", after="30D")
    before = ist.rate_change(iraq, day, before="30D", after="30D", trigger_day="before")
    assert after.counts["after"] == _count(iraq, day, "2020-02-03")
    assert before.counts["before"] == _count(iraq, "2019-12-06", "2020-01-05")
    assert before.windows.cut == pd.Timestamp("2020-01-05")
    assert "trigger_day='before'" in str(before.summary())


def test_exclude_buffer(iraq):
    rc = ist.rate_change(iraq, "2020-01-03", before="67D", after="67D", exclude=("7D", "3D"))
    assert rc.exposures.tolist() == [60.0, 64.0]
    assert rc.counts.tolist() == [
        _count(iraq, "2019-10-28", "2019-12-27"),
        _count(iraq, "2020-01-06", "2020-03-10"),
    ]
    sym = ist.rate_change(iraq, "2020-01-03", before="67D", after="67D", exclude="2D")
    assert sym.exposures.tolist() == [65.0, 65.0]
    assert "exclude" in str(sym.summary())


def test_methods_table_and_negbin(iraq):
    rc = ist.rate_change(
        iraq,
        "2020-01-03",
        before="67D",
        after="67D",
        methods=["exact-cond", "score", "etest", "wald-log", "negbin"],
    )
    assert list(rc.table.index) == ["exact-cond", "score", "etest", "wald-log", "negbin"]
    # exact and asymptotic p-values all agree that 11 vs 12 events is no change
    assert (rc.table["pvalue"] > 0.5).all()
    nb = ist.rate_change(iraq, "2020-01-03", before="67D", after="67D", method="negbin")
    # with equal, fully covered windows the NB2 MLE of the ratio is the ratio of means
    assert nb.table.loc["negbin", "estimate"] == pytest.approx(rc.ratio, rel=1e-4)
    assert nb.confidence_interval().contains(rc.ratio)


def test_negbin_matches_statsmodels_glm_on_weekly_counts():
    # independent fit: statsmodels NegativeBinomial on the same weekly counts via a formula-free
    # design, compared with the method="negbin" row
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import NegativeBinomial

    rng = np.random.default_rng(3)
    # overdispersed weekly counts (gamma-mixed Poisson), mean 2 then 4 a week
    weekly = np.r_[rng.poisson(rng.gamma(2.0, 1.0, 20)), rng.poisson(rng.gamma(2.0, 2.0, 20))]
    days = np.concatenate([7 * w + rng.integers(0, 7, k) for w, k in enumerate(weekly)])
    times = pd.Timestamp("2021-01-04") + pd.to_timedelta(np.sort(days), unit="D")
    ev = ist.EventSeries(times, start="2021-01-04", end="2021-10-11", resolution="day")
    rc = ist.rate_change(ev, "2021-05-24", method="negbin", freq="W")
    cb = ev.window("2021-01-04", "2021-05-24").counts("W")
    ca = ev.window("2021-05-24", "2021-10-11").counts("W")
    y = np.concatenate([cb.values, ca.values])
    x = sm.add_constant(np.r_[np.zeros(cb.n_bins), np.ones(ca.n_bins)])
    e = np.concatenate([cb.exposure, ca.exposure])
    ref = NegativeBinomial(y, x, exposure=e).fit(disp=0, method="bfgs", maxiter=500)
    assert ref.params[-1] > 0.05  # overdispersed, so the comparison is not at the boundary
    assert rc.table.loc["negbin", "estimate"] == pytest.approx(np.exp(ref.params[1]), rel=1e-4)
    assert rc.table.loc["negbin", "pvalue"] == pytest.approx(ref.pvalues[1], rel=1e-3)


def test_result_json_plot_and_repr(iraq):
    import matplotlib

    matplotlib.use("Agg")
    rc = ist.rate_change(iraq, "2020-01-03", before="67D", after="67D", exclude="1D")
    d = rc.to_dict()
    text = json.dumps(d)
    assert json.loads(text)["windows"]["before"][0].startswith("2019-10-28")
    assert set(d) >= {
        "trigger",
        "windows",
        "counts",
        "exposures",
        "rates",
        "rate_intervals",
        "ratio",
        "difference",
        "method",
        "confidence_interval",
        "pvalue",
        "statistic",
        "methods",
    }
    assert rc.to_dict() == d  # stable
    ax = rc.plot()
    assert "exact-cond" in ax.get_title()
    assert "Rate change at 2020-01-03" in repr(rc)


def test_unit_weeks(iraq):
    d = ist.rate_change(iraq, "2020-02-01", before="70D", after="70D")
    w = ist.rate_change(iraq, "2020-02-01", before="70D", after="70D", unit="W")
    assert w.exposures.tolist() == [10.0, 10.0]
    assert w.rates["before"] == pytest.approx(7 * d.rates["before"])
    assert w.ratio == pytest.approx(d.ratio)


# ---------------------------------------------------------------------------------------------
# bad input (issue 3: each a clear error naming the argument)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("trigger", "kwargs", "match"),
    [
        ("2023-01-01", {}, "`trigger`.*inside the observation window"),
        ("2019-10-28", {}, "`trigger`.*inside the observation window"),
        ("not a date", {}, "`trigger`"),
        ("2020-01-03", {"before": "400D"}, "`before`.*fit inside the data"),
        ("2020-01-03", {"after": "1000D"}, "`after`.*fit inside the data"),
        ("2020-01-03", {"before": "-5D"}, "`before`.*positive"),
        ("2020-01-03", {"after": 0}, "`after`.*positive"),
        ("2020-01-03", {"before": "2020-02-01"}, "`before`.*earlier than the trigger"),
        ("2020-01-03", {"after": "2019-12-01"}, "`after`.*later than the trigger"),
        ("2020-01-03", {"method": "exact"}, "`method`.*Did you mean"),
        ("2020-01-03", {"before": "10D", "exclude": "10D"}, "`exclude`.*positive length"),
        ("2020-01-03", {"exclude": ("1D", "2D", "3D")}, "`exclude`.*pair"),
        ("2020-01-03", {"trigger_day": "during"}, "`trigger_day`"),
        ("2020-01-03", {"unit": "fortnight"}, "`unit`"),
        ("2020-01-03", {"confidence_level": 0}, "`confidence_level`"),
    ],
)
def test_bad_input(iraq, trigger, kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        ist.rate_change(iraq, trigger, **kwargs)


def test_events_must_be_event_series():
    with pytest.raises(IncidentStatsError, match="`events`.*EventSeries.*rate_change_counts"):
        ist.rate_change([1, 2, 3], "2020-01-03")


def test_negbin_needs_events_in_both_windows():
    ev = ist.EventSeries(
        pd.to_datetime(["2020-01-02", "2020-01-05", "2020-01-09"]),
        start="2020-01-01",
        end="2020-03-01",
        resolution="day",
    )
    with pytest.raises(IncidentStatsError, match="both windows"):
        ist.rate_change(ev, "2020-02-01", method="negbin")
