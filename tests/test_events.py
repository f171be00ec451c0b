"""EventSeries: construction, window, resolution, ties, marks, derived series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError, WindowWarning


def make(times, **kw):
    kw.setdefault("start", "2020-01-01")
    kw.setdefault("end", "2020-02-01")
    return ist.EventSeries(times, **kw)


def test_basic_facts_and_sorting():
    ev = make(
        ["2020-01-05", "2020-01-02", "2020-01-05"],
        marks=pd.DataFrame({"kind": ["b", "a", "c"]}),
    )
    assert ev.n == 3 and len(ev) == 3
    assert ev.resolution == "day"
    assert ev.times().tolist() == [1.0, 4.0, 4.0]
    # marks follow the sort (stable for ties)
    assert ev.marks["kind"].tolist() == ["a", "b", "c"]
    assert ev.n_ties == 1
    assert ev.ties().to_dict() == {pd.Timestamp("2020-01-05"): 2}
    assert ev.duration() == 31.0
    assert ev.duration("h") == 31 * 24
    assert ev.to_offset("2020-01-03") == 2.0
    assert ev.from_offset(2.5) == pd.Timestamp("2020-01-03 12:00")


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        (["2020-01-02", "2020-01-03"], "day"),
        (["2020-01-02 05:00", "2020-01-03"], "hour"),
        (["2020-01-02 05:30", "2020-01-03"], "minute"),
        (["2020-01-02 05:30:12", "2020-01-03"], "second"),
        (["2020-01-02 05:30:12.25", "2020-01-03"], "exact"),
    ],
)
def test_resolution_inferred(times, expected):
    assert make(times).resolution == expected


def test_default_window_warns_and_spans_days():
    with pytest.warns(WindowWarning, match="inferred"):
        ev = ist.EventSeries(["2020-01-02 13:00", "2020-01-05 01:00"])
    assert ev.start == pd.Timestamp("2020-01-02")
    assert ev.end == pd.Timestamp("2020-01-06")


def test_epoch_scale_precision_is_kept():
    # nanosecond offsets from the start: no float64 epoch rounding (PEERS.md warns of 1e-6)
    ev = ist.EventSeries(
        pd.DatetimeIndex(["2020-01-01 00:00:00.000001", "2020-01-01 00:00:00.000003"]),
        start="2020-01-01",
        end="2020-01-02",
    )
    np.testing.assert_allclose(ev.times("s"), [1e-6, 3e-6], rtol=1e-12)


def test_from_offsets_round_trip():
    x = np.array([0.1, 2.5, 7.75, 9.999])
    ev = ist.EventSeries.from_offsets(x, start="2001-01-01", end=10.0)
    np.testing.assert_allclose(ev.times(), x, atol=1e-12)
    assert ev.duration() == 10.0 and ev.resolution == "exact"


def test_time_zones():
    ev = make(["2020-01-02 10:00", "2020-01-03 10:00"], tz="Asia/Baghdad")
    assert str(ev.tz) == "Asia/Baghdad"
    assert ev.start == pd.Timestamp("2020-01-01", tz="Asia/Baghdad")


# -- bad input: every error names the argument, the rule, what was given, the fix ----------------


def test_error_end_before_start():
    with pytest.raises(IncidentStatsError, match=r"`end` argument must be after `start`.*Got"):
        ist.EventSeries(["2020-01-02"], start="2020-01-05", end="2020-01-01")


def test_error_end_equal_start():
    with pytest.raises(IncidentStatsError, match="must be after"):
        ist.EventSeries([], start="2020-01-05", end="2020-01-05")


def test_error_events_outside_window_are_listed():
    with pytest.raises(IncidentStatsError, match=r"2 outside \(2019-12-31, 2020-02-01\)"):
        make(["2019-12-31", "2020-01-10", "2020-02-01"])


def test_error_window_shorter_than_resolution():
    with pytest.raises(IncidentStatsError, match="at least one day long"):
        ist.EventSeries(
            ["2020-01-01"], start="2020-01-01", end="2020-01-01 12:00", resolution="day"
        )


def test_error_nat():
    with pytest.raises(IncidentStatsError, match=r"missing times \(NaT\).*positions 1"):
        make([pd.Timestamp("2020-01-02"), pd.NaT])


def test_error_mixed_naive_and_aware():
    with pytest.raises(IncidentStatsError, match="naive or all in one time zone"):
        make([pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-03", tz="UTC")])


def test_error_several_time_zones():
    with pytest.raises(IncidentStatsError, match="single time zone"):
        make([pd.Timestamp("2020-01-02", tz="UTC"), pd.Timestamp("2020-01-03", tz="Asia/Baghdad")])


def test_error_numbers_are_not_dates():
    with pytest.raises(TypeError, match="from_offsets"):
        make([1.0, 2.0])


def test_error_unknown_resolution_suggests():
    with pytest.raises(IncidentStatsError, match="Did you mean 'day'"):
        make(["2020-01-02"], resolution="days")


def test_error_marks_length():
    with pytest.raises(IncidentStatsError, match="one row per event"):
        make(["2020-01-02"], marks=pd.DataFrame({"a": [1, 2]}))


def test_empty_series_needs_window():
    with pytest.raises(IncidentStatsError, match="window of an empty EventSeries"):
        ist.EventSeries([])
    ev = ist.EventSeries([], start="2020-01-01", end="2020-01-11")
    assert ev.n == 0 and ev.duration() == 10 and ev.counts("D").total == 0


def test_immutable():
    ev = make(["2020-01-02"])
    with pytest.raises(AttributeError):
        ev._start = pd.Timestamp("2019-01-01")  # type: ignore[misc]
    times = ev.times()
    times[0] = 99.0  # a copy: the series is unchanged
    assert ev.times()[0] == 1.0


def test_filter_split_window():
    ev = make(
        ["2020-01-02", "2020-01-03", "2020-01-10", "2020-01-20"],
        marks=pd.DataFrame({"weapon": ["rocket", "drone", "rocket", None]}),
    )
    rockets = ev.filter("weapon == 'rocket'")
    assert rockets.n == 2 and rockets.start == ev.start and rockets.end == ev.end
    assert ev.filter(lambda m: m["weapon"] == "drone").n == 1
    assert ev.filter(np.array([True, False, False, True])).n == 2
    parts = ev.split("weapon")
    assert sorted(parts) == ["<NA>", "drone", "rocket"]
    assert sum(p.n for p in parts.values()) == ev.n
    sub = ev.window("2020-01-03", "2020-01-15")
    assert sub.n == 2 and sub.duration() == 12
    with pytest.raises(IncidentStatsError, match="Did you mean 'weapon'"):
        ev.split("weapons")
    with pytest.raises(IncidentStatsError, match="valid pandas query"):
        ev.filter("weapon ==")
    with pytest.raises(IncidentStatsError, match="one True/False per event"):
        ev.filter(np.array([True]))


def test_repr_and_html():
    ev = make(["2020-01-02", "2020-01-02"], name="demo")
    text = repr(ev)
    assert "2 events" in text and "1 tied events" in text and "demo" in text
    assert "<table>" in ev._repr_html_()


# -- invariants (hypothesis) ---------------------------------------------------------------------

offsets = st.lists(st.integers(min_value=0, max_value=60 * 24 * 3600 - 1), min_size=0, max_size=60)


@settings(max_examples=60, deadline=None)
@given(offsets, st.sampled_from(["D", "W", "MS", "h"]))
def test_counts_sum_to_n_and_exposure_to_window(secs, freq):
    start = pd.Timestamp("2020-01-03 06:00")
    times = start + pd.to_timedelta(secs, unit="s")
    ev = ist.EventSeries(times, start=start, end=start + pd.Timedelta(days=60))
    cs = ev.counts(freq)
    assert cs.total == ev.n
    assert cs.exposure.sum() == pytest.approx(ev.duration())
    assert (cs.exposure > 0).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30 * 86400 - 1), st.sampled_from("abc")), max_size=40))
def test_filter_and_split_partition(rows):
    start = pd.Timestamp("2021-03-01")
    times = [start + pd.Timedelta(seconds=s) for s, _ in rows]
    ev = ist.EventSeries(
        times,
        start=start,
        end=start + pd.Timedelta(days=30),
        marks=pd.DataFrame({"k": [k for _, k in rows]}, dtype=object),
    )
    parts = ev.split("k") if rows else {}
    assert sum(p.n for p in parts.values()) == ev.n
    keep = ev.filter("k == 'a'")
    drop = ev.filter("k != 'a'")
    assert keep.n + drop.n == ev.n


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10 * 86400 - 1), min_size=1, max_size=40))
def test_round_trip_to_frame_read_events(secs):
    start = pd.Timestamp("2022-06-01")
    times = [start + pd.Timedelta(seconds=s) for s in secs]
    ev = ist.EventSeries(
        times,
        start=start,
        end=start + pd.Timedelta(days=10),
        marks=pd.DataFrame({"v": np.arange(len(secs))}),
    )
    back = ist.read_events(
        ev.to_frame(), time="time", start=ev.start, end=ev.end, resolution=ev.resolution
    )
    assert back.equals(ev)
