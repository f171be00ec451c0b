"""Tie handling: seeded jitter within the resolution cell, or refusal."""

from __future__ import annotations

import numpy as np
import pytest

import incidentstats as ist
from incidentstats.events import EventSeries
from incidentstats.exceptions import IncidentStatsError, TiesWarning
from incidentstats.hawkes import HawkesProcess
from incidentstats.hawkes.ties import prepare_times

DAYS = [
    "2020-01-01",
    "2020-01-01",
    "2020-01-02",
    "2020-01-05",
    "2020-01-05",
    "2020-01-05",
    "2020-01-09",
    "2020-01-12",
]


def day_events():
    return EventSeries(DAYS, start="2020-01-01", end="2020-01-15", resolution="day")


def test_jitter_stays_within_the_day_and_is_seeded():
    ev = day_events()
    a = prepare_times(ev, n_imputations=5, rng=3)
    b = prepare_times(ev, n_imputations=5, rng=3)
    c = prepare_times(ev, n_imputations=5, rng=4)
    assert a.jittered and len(a.replicates) == 5 and a.cell == 1.0
    for x, y in zip(a.replicates, b.replicates):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.replicates[0], c.replicates[0])
    day = np.floor(ev.times())
    for x in a.replicates:
        assert np.all(np.diff(x) > 0)
        np.testing.assert_array_equal(np.floor(x), day)


def test_hour_resolution_uses_hour_cells():
    ev = EventSeries(
        ["2020-01-01 03:00", "2020-01-01 03:00", "2020-01-01 05:00"],
        start="2020-01-01",
        end="2020-01-02",
        resolution="hour",
    )
    pt = prepare_times(ev, n_imputations=2, rng=0, unit="h")
    assert pt.cell == 1.0
    np.testing.assert_array_equal(np.floor(pt.replicates[0]), [3, 3, 5])


def test_ties_error_refuses_day_data():
    with pytest.raises(IncidentStatsError, match="must have exact times.*ties='jitter'"):
        HawkesProcess(ties="error").fit(day_events())


def test_exact_ties_warn_or_refuse():
    ev = EventSeries.from_offsets([1.0, 1.0, 2.0, 3.5], end=5.0)
    with pytest.warns(TiesWarning, match="share an exact timestamp"):
        prepare_times(ev)
    with pytest.raises(IncidentStatsError, match="must have distinct times"):
        prepare_times(ev, ties="error")


def test_fit_combines_imputations_with_rubin_rules():
    ev = ist.datasets.load_iraq_attacks()
    res = HawkesProcess(n_imputations=6).fit(ev, rng=5)
    imp = res.imputations
    assert len(imp) == 6
    # each imputation's own MLE differs; the combined estimate lies within their range
    for p in ("baseline", "branching_ratio", "decay"):
        assert imp[p].min() - 1e-9 <= res.params[p] <= imp[p].max() + 1e-9
    # Rubin: total variance >= within variance (Hessian of the averaged log-likelihood)
    from incidentstats.hawkes.result import _safe_inv

    within = _safe_inv(-res._hess_free)
    assert np.all(np.diag(res._cov_free) >= np.diag(within) - 1e-12)
    # reproducible with the same seed, different with another
    again = HawkesProcess(n_imputations=6).fit(ev, rng=5)
    np.testing.assert_array_equal(res.params.to_numpy(), again.params.to_numpy())
    other = HawkesProcess(n_imputations=6).fit(ev, rng=6)
    assert not np.array_equal(res.params.to_numpy(), other.params.to_numpy())
    assert "tie imputations" in str(res.summary())


def test_jitter_removes_spurious_zero_lags():
    # fitting day-rounded times as if exact would see same-day pairs at lag 0 and inflate the
    # decay; the jittered fit keeps the decay near a day scale
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 400, 300))
    ev = EventSeries(pd_days(t), start="2000-01-01", end="2001-02-04", resolution="day")
    res = HawkesProcess(n_imputations=3).fit(ev)
    assert res.branching_ratio < 0.3  # Poisson data: little apparent contagion


def pd_days(t):
    import pandas as pd

    return pd.Timestamp("2000-01-01") + pd.to_timedelta(np.floor(t), unit="D")


def test_bad_options():
    with pytest.raises(IncidentStatsError, match="`ties` parameter must be one of"):
        prepare_times(day_events(), ties="drop")
    with pytest.raises(IncidentStatsError, match="`n_imputations` parameter must be > 0"):
        HawkesProcess(n_imputations=0)
