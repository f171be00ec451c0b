"""read_events: formats, windows, and the bad-input battery (issue 2)."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import incidentstats as ist
from incidentstats.exceptions import DataWarning, IncidentStatsError

ATTACKS = Path(__file__).resolve().parents[1] / "data" / "iraq_attacks_2019_2022" / "attacks.csv"


def write(tmp_path: Path, text: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_design_contract_example_windows_the_file():
    # DESIGN.md: read_events("data/.../attacks.csv", time="date", start=..., end=..., resolution="day")
    before = digest(ATTACKS)
    ev = ist.read_events(
        ATTACKS, time="date", start="2019-10-28", end="2020-03-31", resolution="day"
    )
    assert ev.resolution == "day" and ev.start == pd.Timestamp("2019-10-28")
    # every row is either kept or recorded in .dropped with a reason
    assert ev.n + len(ev.dropped) == 153
    assert set(ev.dropped["reason"]) == {"before start", "at or after end"}
    assert digest(ATTACKS) == before  # the input file is never modified


def test_outside_raise_lists_rows(tmp_path):
    path = write(tmp_path, "date\n2020-01-01\n2020-03-05\n2020-01-02\n")
    with pytest.raises(IncidentStatsError, match=r"1 outside \(row 2: '2020-03-05"):
        ist.read_events(path, start="2020-01-01", end="2020-02-01", outside="raise")


def test_csv_with_marks_and_numbers(tmp_path):
    path = write(tmp_path, "date,kind,size\n2020-01-02,a,3\n2020-01-01,b,\n")
    ev = ist.read_events(path, start="2020-01-01", end="2020-01-10")
    assert ev.marks["kind"].tolist() == ["b", "a"]
    assert ev.marks["size"].isna().tolist() == [True, False]
    assert ist.read_events(
        path, start="2020-01-01", end="2020-01-10", marks=["kind"]
    ).marks.columns.tolist() == ["kind"]


def test_parquet_and_dataframe(tmp_path):
    frame = pd.DataFrame(
        {"when": pd.to_datetime(["2020-01-02 10:00", "2020-01-03 11:30"]), "x": [1, 2]}
    )
    frame.to_parquet(tmp_path / "e.parquet")
    ev = ist.read_events(tmp_path / "e.parquet", time="when", start="2020-01-01", end="2020-01-05")
    assert ev.n == 2 and ev.resolution == "minute"
    ev2 = ist.read_events(frame, time="when", start="2020-01-01", end="2020-01-05")
    assert ev2.equals(ev.rename(None)) or ev2.n == 2


def test_date_plus_time_of_day(tmp_path):
    path = write(tmp_path, "day,clock\n2020-01-02,19:20\n2020-01-03,\n")
    ev = ist.read_events(
        path, date="day", time_of_day="clock", start="2020-01-01", end="2020-01-05"
    )
    assert ev.timestamps[0] == pd.Timestamp("2020-01-02 19:20")
    assert ev.resolution == "minute"
    bad = write(tmp_path, "day,clock\n2020-01-02,night\n2020-01-03,08:00\n", "b.csv")
    with pytest.raises(IncidentStatsError, match=r"clock times.*row 1: 'night'"):
        ist.read_events(bad, date="day", time_of_day="clock", start="2020-01-01", end="2020-01-05")


def test_decimal_years():
    # 2020.5 in a 366-day calendar year is day 183 = 2 July 2020 (closed form); julian: 182.625
    frame = pd.DataFrame({"t": [2020.5, 2021.0]})
    ev = ist.read_events(
        frame,
        time="t",
        time_format="decimal_year",
        year_length="calendar",
        start="2020-01-01",
        end="2022-01-01",
    )
    assert ev.timestamps.tolist() == [pd.Timestamp("2020-07-02"), pd.Timestamp("2021-01-01")]
    ev = ist.read_events(
        frame, time="t", time_format="decimal_year", start="2020-01-01", end="2022-01-01"
    )
    assert ev.timestamps[0] == pd.Timestamp("2020-01-01") + pd.Timedelta(days=182.625)
    with pytest.raises(IncidentStatsError, match="not a decimal year"):
        ist.read_events(
            pd.DataFrame({"t": ["x"]}),
            time="t",
            time_format="decimal_year",
            start="2020-01-01",
            end="2022-01-01",
        )


def test_time_zone_offsets(tmp_path):
    path = write(tmp_path, "time\n2020-01-02T10:00+03:00\n2020-01-02T12:00+03:00\n")
    ev = ist.read_events(path, start="2020-01-02", end="2020-01-03", tz="Asia/Baghdad")
    assert ev.timestamps[0].hour == 10
    two = write(tmp_path, "time\n2020-01-02T10:00+03:00\n2020-01-02T12:00+00:00\n", "two.csv")
    with pytest.raises(IncidentStatsError, match="single UTC offset.*tz="):
        ist.read_events(two, start="2020-01-02", end="2020-01-03")
    assert ist.read_events(two, tz="UTC", start="2020-01-02", end="2020-01-03").n == 2


# -- the bad-input battery of issue 2 ------------------------------------------------------------


def test_missing_file_suggests_close_name(tmp_path):
    write(tmp_path, "date\n2020-01-01\n", "attacks.csv")
    with pytest.raises(IncidentStatsError, match=r"file must exist.*Did you mean 'attacks.csv'"):
        ist.read_events(tmp_path / "atacks.csv")


def test_empty_file(tmp_path):
    with pytest.raises(IncidentStatsError, match="must not be empty.*0 bytes"):
        ist.read_events(write(tmp_path, ""))


def test_header_only(tmp_path):
    with pytest.raises(IncidentStatsError, match="at least one row.*header only"):
        ist.read_events(write(tmp_path, "date,kind\n"))


def test_time_column_missing_lists_columns(tmp_path):
    path = write(tmp_path, "Date,kind\n2020-01-01,a\n")
    with pytest.raises(
        IncidentStatsError,
        match=r"`time` column must exist.*Did you mean 'Date'.*Columns are: Date, kind",
    ):
        ist.read_events(path, time="date")


def test_time_column_cannot_be_guessed(tmp_path):
    with pytest.raises(IncidentStatsError, match="could not be guessed"):
        ist.read_events(write(tmp_path, "when,kind\n2020-01-01,a\n"))


def test_unparseable_dates_list_rows(tmp_path):
    path = write(tmp_path, "date\n2020-01-01\nn/a\n2020-01-03\n2020-13-01\nsoon\n")
    with pytest.raises(IncidentStatsError) as info:
        ist.read_events(path, start="2020-01-01", end="2020-02-01")
    msg = str(info.value)
    assert "`date` column must hold a valid date" in msg
    assert "rows 2, 4, 5" in msg and "'2020-13-01'" in msg and "errors='drop'" in msg


def test_errors_drop_reports_every_row(tmp_path):
    path = write(tmp_path, "date\n2020-01-01\n\n2020-01-03\nsoon\n")
    path.write_text("date,k\n2020-01-01,a\n,b\n2020-01-03,c\nsoon,d\n")
    with pytest.warns(DataWarning, match=r"dropped 2 rows.*rows 2, 4"):
        ev = ist.read_events(path, errors="drop", start="2020-01-01", end="2020-02-01")
    assert ev.n == 2
    assert ev.dropped["row"].tolist() == [2, 4]
    assert ev.dropped["reason"].tolist() == ["missing time", "not a date"]


def test_blank_and_nat_times(tmp_path):
    path = write(tmp_path, "date,k\n2020-01-01,a\nNaT,b\n")
    with pytest.raises(IncidentStatsError, match="missing time"):
        ist.read_events(path, start="2020-01-01", end="2020-02-01")


def test_mixed_naive_and_aware(tmp_path):
    path = write(tmp_path, "time\n2020-01-02T10:00+03:00\n2020-01-02 12:00\n")
    with pytest.raises(IncidentStatsError, match="all time-zone naive or all carry a UTC offset"):
        ist.read_events(path, start="2020-01-02", end="2020-01-03")


def test_end_not_after_start(tmp_path):
    path = write(tmp_path, "date\n2020-01-02\n")
    with pytest.raises(IncidentStatsError, match="`end` argument must be after `start`"):
        ist.read_events(path, start="2020-02-01", end="2020-01-01")


def test_window_shorter_than_resolution(tmp_path):
    path = write(tmp_path, "date\n2020-01-02\n")
    with pytest.raises(IncidentStatsError, match="at least one day long"):
        ist.read_events(path, start="2020-01-02", end="2020-01-02 06:00", resolution="day")


def test_duplicate_rows_warn_and_count_as_ties(tmp_path):
    path = write(tmp_path, "date,k\n2020-01-02,a\n2020-01-02,a\n2020-01-03,b\n")
    with pytest.warns(DataWarning, match=r"1 row is an exact duplicate.*row 2"):
        ev = ist.read_events(path, start="2020-01-01", end="2020-01-05")
    assert ev.n == 3 and ev.n_ties == 1


def test_bad_option_values(tmp_path):
    path = write(tmp_path, "date\n2020-01-02\n")
    with pytest.raises(
        IncidentStatsError, match="`errors` parameter of read_events must be one of"
    ):
        ist.read_events(path, errors="ignore")
    with pytest.raises(IncidentStatsError, match="`marks` argument must list existing columns"):
        ist.read_events(path, marks=["nope"], start="2020-01-01", end="2020-01-03")


def test_large_input_is_linear():
    # 10^6 rows here (10^7 in the benchmark): vectorised parse, no per-row Python work
    rng = np.random.default_rng(1)
    secs = np.sort(rng.integers(0, 365 * 86400, size=1_000_000))
    frame = pd.DataFrame({"time": pd.Timestamp("2020-01-01") + pd.to_timedelta(secs, unit="s")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # random seconds collide: duplicates
        ev = ist.read_events(frame, start="2020-01-01", end="2021-01-01")
    assert ev.n == 1_000_000
