"""CountSeries: bins, honest partial exposure, construction from Series, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError


def test_partial_bins_have_true_exposure():
    ev = ist.EventSeries(
        ["2020-01-03", "2020-01-01", "2020-02-10"], start="2019-12-30 12:00", end="2020-02-12"
    )
    weekly = ev.counts("W")  # weeks end on Sunday; Monday 30 Dec 12:00 → 6.5 days observed
    assert weekly.exposure[0] == 6.5 and weekly.exposure[-1] == 2.0
    assert weekly.values.tolist() == [2, 0, 0, 0, 0, 0, 1]
    assert weekly.exposure.sum() == pytest.approx(ev.duration())
    monthly = ev.counts("MS")
    assert monthly.exposure.tolist() == [1.5, 31.0, 11.0]
    assert monthly.is_partial.tolist() == [True, False, True]
    frame = monthly.to_frame()
    assert list(frame.columns) == ["start", "end", "count", "exposure"]


def test_from_period_series_and_datetime_series():
    s = pd.Series([3, 1, 4], index=pd.period_range("2020-01", periods=3, freq="M"))
    cs = ist.CountSeries(s, offset=[10.0, 11.0, 12.0])
    assert cs.exposure.tolist() == [31.0, 29.0, 31.0]
    assert cs.offset.tolist() == [10.0, 11.0, 12.0]
    daily = pd.Series([1, 0, 2], index=pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-03"]))
    assert ist.CountSeries(daily).freq == "D"
    assert ist.as_count_series(daily).total == 3


def test_iraq_monthly_counts_match_data_card():
    # data/iraq_attacks_2019_2022/README.md, "Core events per month"
    card = [2, 3, 6, 8, 2, 7, 1, 2, 6, 6, 12, 7, 2, 1, 1, 0, 3, 2, 4, 5, 9, 7, 0, 1, 1, 0, 1]
    monthly = ist.datasets.load_iraq_attacks().counts("MS")
    assert monthly.values.tolist() == card


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (["1", "x", 2], r"must be numbers.*row 2: 'x'"),
        ([1, None, 2], r"must be numbers.*row 2"),
        ([1, -2, 2], r"must be non-negative.*row 2: -2.0"),
        ([1, 2.5, 2], r"whole numbers.*row 2: 2.5"),
    ],
)
def test_bad_counts(values, match):
    s = pd.Series(values, index=pd.date_range("2020-01-01", periods=3, freq="D"), dtype=object)
    with pytest.raises(IncidentStatsError, match=match):
        ist.CountSeries(s)


def test_bad_exposure_and_freq():
    s = pd.Series([1, 2, 3], index=pd.date_range("2020-01-01", periods=3, freq="D"))
    with pytest.raises(
        IncidentStatsError, match=r"`exposure` argument must be finite and > 0.*row 2"
    ):
        ist.CountSeries(s, exposure=[1.0, 0.0, 1.0])
    with pytest.raises(IncidentStatsError, match=r"one value per bin \(3\)"):
        ist.CountSeries(s, exposure=[1.0])
    ev = ist.EventSeries(["2020-01-02"], start="2020-01-01", end="2020-01-05")
    with pytest.raises(IncidentStatsError, match="`freq` argument must be a pandas frequency"):
        ev.counts("fortnightly")


def test_irregular_index_needs_freq():
    s = pd.Series([1, 2, 3], index=pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-05"]))
    with pytest.raises(IncidentStatsError, match="regular frequency"):
        ist.CountSeries(s)
    with pytest.raises(IncidentStatsError, match="no gaps"):
        ist.CountSeries(s, freq="D")
    with pytest.raises(TypeError, match="pandas Series"):
        ist.CountSeries([1, 2, 3])


def test_counts_sum_on_large_series():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0, 1000, size=200_000))
    ev = ist.EventSeries.from_offsets(x, start="2000-01-01", end=1000.0)
    daily = ev.counts("D")
    assert daily.total == ev.n and daily.n_bins == 1000
