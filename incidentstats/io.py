"""read_events(): the one parser of user data (CSV, Parquet, Excel, DataFrame → EventSeries).

Nothing is dropped silently: with ``errors="drop"`` every dropped row is listed in a warning
and kept in :attr:`EventSeries.dropped` with its reason; rows outside the requested window are
recorded there too. Input files are only read, never written.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_choice, error, format_examples, format_rows, suggest, to_timestamp
from .events import RESOLUTIONS, EventSeries
from .exceptions import DataWarning

__all__ = ["read_events", "read_table"]

_TIME_CANDIDATES = ("time", "date", "datetime", "timestamp", "event_time", "event_date")
_AWARE_RE = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})$")
_OFFSET_RE = r"(Z|UTC|[+-]\d{2}:?\d{2})$"


def read_table(source: Any, *, sheet_name: Any = 0, name: str = "source") -> pd.DataFrame:
    """Read a CSV / TSV / Parquet / Excel file (or pass a DataFrame through, copied)."""
    if isinstance(source, pd.DataFrame):
        return source.copy()
    if not isinstance(source, (str, os.PathLike)):
        raise error(
            f"The `{name}` argument",
            "must be a path to a CSV, Parquet or Excel file, or a pandas DataFrame",
            type(source).__name__,
        )
    path = Path(source)
    if not path.exists():
        near = ""
        if path.parent.exists():
            near = suggest(path.name, [p.name for p in path.parent.iterdir()])
        raise error(
            f"The `{name}` file",
            "must exist",
            str(path),
            (near.strip() + " " if near else "") + "Check the path (relative paths start from "
            f"{Path.cwd()}).",
        )
    if path.is_dir():
        raise error(f"The `{name}` path", "must be a file, not a directory", str(path))
    if path.stat().st_size == 0:
        raise error(
            f"The `{name}` file",
            "must not be empty",
            f"{path} (0 bytes)",
            "Check the export; a CSV needs a header row and at least one event.",
        )
    suffix = (
        "".join(path.suffixes[-2:]).lower() if path.suffix.lower() == ".gz" else path.suffix.lower()
    )
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        elif suffix in (".xlsx", ".xls", ".xlsm", ".ods"):
            frame = pd.read_excel(path, sheet_name=sheet_name)
        else:
            sep = "\t" if suffix in (".tsv", ".tab", ".tsv.gz") else ","
            frame = pd.read_csv(
                path,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=True,
            )
    except ImportError as exc:
        raise error(
            f"The `{name}` file",
            "needs an optional reader that is not installed",
            str(path),
            f"{exc}. Install it (e.g. pip install 'incidentstats[parquet]' or openpyxl).",
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise error(f"The `{name}` file", "must contain a header row and data", str(path)) from exc
    except pd.errors.ParserError as exc:
        raise error(
            f"The `{name}` file",
            "must be a well-formed delimited table",
            str(path),
            f"The parser said: {str(exc).strip().splitlines()[0]}",
        ) from exc
    return frame


def _parse_times(
    raw: pd.Series, tz: Any, column: str
) -> tuple[pd.DatetimeIndex, np.ndarray, list[str]]:
    """Parse a column to timestamps. Returns (index with NaT for bad rows, bad mask, reasons)."""
    n = len(raw)
    if isinstance(raw.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(raw.dtype):
        parsed = pd.DatetimeIndex(raw)
        missing = np.asarray(parsed.isna())
        reasons = ["missing time" if m else "" for m in missing]
        if tz is not None:
            parsed = parsed.tz_localize(tz) if parsed.tz is None else parsed.tz_convert(tz)
        return parsed, missing, reasons
    text = raw.astype("string").str.strip()
    missing = np.asarray(
        text.isna()
        | (text == "")
        | text.str.lower().isin(["nat", "nan", "na", "n/a", "none", "null"]).fillna(False)
    )
    valid_text = text.where(~missing)
    aware = _has_utc_offset(valid_text)
    present = ~missing
    if aware.any() and (present & ~aware).any():
        a_rows = np.flatnonzero(aware)[:2] + 1
        n_rows = np.flatnonzero(present & ~aware)[:2] + 1
        raise error(
            f"The `{column}` column",
            "must be all time-zone naive or all carry a UTC offset",
            f"a mix (with offset: rows {format_examples(a_rows.tolist())}; without: rows "
            f"{format_examples(n_rows.tolist())})",
            "Make them consistent, e.g. add the offset to every time.",
        )
    if aware.any():
        offsets = valid_text[aware].str.extract(_OFFSET_RE, expand=False).str.replace(":", "")
        distinct = sorted(set(offsets.dropna().tolist()))
        if len(distinct) > 1 and tz is None:
            raise error(
                f"The `{column}` column",
                "must use a single UTC offset unless tz= says how to combine them",
                f"{len(distinct)} offsets ({format_examples(distinct)})",
                "Pass tz='UTC' (or the local zone, e.g. tz='Asia/Baghdad') to convert all to it.",
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.DatetimeIndex(pd.to_datetime(valid_text, errors="coerce", utc=True))
        if tz is not None:
            parsed = parsed.tz_convert(tz)
        elif distinct:
            parsed = parsed.tz_convert(_offset_zone(distinct[0]))
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.DatetimeIndex(pd.to_datetime(valid_text, errors="coerce"))
            retry = np.flatnonzero(np.asarray(parsed.isna()) & present)
            if len(retry) and len(retry) < n:
                again = pd.DatetimeIndex(
                    pd.to_datetime(valid_text.iloc[retry], errors="coerce", format="mixed")
                )
                if again.notna().any():
                    vals = parsed.as_unit("ns").asi8.copy()
                    vals[retry] = again.as_unit("ns").asi8
                    parsed = pd.DatetimeIndex(vals.view("datetime64[ns]"))
        if tz is not None:
            parsed = parsed.tz_localize(tz)
    bad = np.asarray(parsed.isna())
    reasons = (
        [("missing time" if missing[i] else "not a date") if bad[i] else "" for i in range(n)]
        if bad.any()
        else [""] * n
    )
    return parsed, bad, reasons


def _has_utc_offset(text: pd.Series) -> np.ndarray:
    """Which strings end in a UTC offset ("...10:00+03:00", "...Z"), in O(n) vectorised work.

    The regular expression runs only on the distinct 6-character tails (few, whatever n),
    then in full on the rows whose tail looks like an offset.
    """
    tails = text.str.slice(-6)
    codes, uniques = pd.factorize(tails, use_na_sentinel=True)
    if len(uniques) == 0:
        return np.zeros(len(text), dtype=bool)
    tail_re = re.compile(_OFFSET_RE)
    maybe = np.array([bool(tail_re.search(str(u))) for u in uniques] + [False])
    candidate = maybe[codes]  # code -1 (missing) picks the trailing False
    out = np.zeros(len(text), dtype=bool)
    rows = np.flatnonzero(candidate)
    if len(rows):
        full = text.iloc[rows].str.contains(_AWARE_RE, na=False)
        out[rows] = np.asarray(full, dtype=bool)
    return out


def _offset_zone(code: str) -> Any:
    import datetime as dt

    if code in ("Z", "UTC"):
        return dt.UTC
    sign = 1 if code[0] == "+" else -1
    hours, minutes = int(code[1:3]), int(code[3:5])
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _decimal_years(
    raw: pd.Series, column: str, year_length: str
) -> tuple[pd.DatetimeIndex, np.ndarray, list[str]]:
    values = pd.to_numeric(raw, errors="coerce")
    bad = np.asarray(values.isna())
    x = np.where(bad, 2000.0, np.asarray(values, dtype=float))
    year = np.floor(x).astype(np.int64)
    frac = x - year
    if year_length == "julian":
        days: np.ndarray = frac * 365.25
    else:
        leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
        days = frac * np.where(leap, 366.0, 365.0)
    rounded = np.round(days)
    # decimal years written from whole days: snap to the day when within a millisecond
    snap = np.abs(days - rounded) < 1e-6 / 86.4
    days = np.where(snap, rounded, days)
    base = (
        pd.to_datetime({"year": year, "month": 1, "day": 1})
        .to_numpy()
        .astype("datetime64[ns]")
        .astype(np.int64)
    )
    ns = base + np.round(days * 86_400e9).astype(np.int64)
    idx = pd.DatetimeIndex(ns.view("datetime64[ns]"))
    idx = idx.where(~bad, pd.NaT)
    reasons = ["not a decimal year" if b else "" for b in bad]
    return pd.DatetimeIndex(idx), bad, reasons


def read_events(
    source: Any,
    *,
    time: str | None = None,
    date: str | None = None,
    time_of_day: str | None = None,
    start: Any = None,
    end: Any = None,
    tz: Any = None,
    resolution: str | None = None,
    marks: list[str] | None = None,
    errors: str = "raise",
    outside: str = "drop",
    time_format: str | None = None,
    year_length: str = "julian",
    name: str | None = None,
    sheet_name: Any = 0,
) -> EventSeries:
    """Read dated events from a file or DataFrame into an :class:`EventSeries`.

    Parameters
    ----------
    source : str, path or DataFrame
        CSV (``.csv``, ``.tsv``), Parquet (``.parquet``) or Excel file, or a DataFrame.
    time : str, optional
        The column with event dates or date-times. When omitted, a single column called
        ``time``, ``date``, ``datetime`` or ``timestamp`` is used.
    date, time_of_day : str, optional
        Alternatively, a date column and a column with clock times (``"19:20"``); rows with a
        blank time of day keep the date (midnight) and the resolution becomes "exact" only if
        every row has a clock time.
    start, end : date-like, optional
        Observation window ``[start, end)``. Events outside it are left out and recorded in
        ``.dropped`` (``outside="drop"``, the default) or raise (``outside="raise"``).
        When omitted, the window runs from the first event's day to the day after the last,
        with a warning.
    tz : str, optional
        Time zone: localise naive times, or convert times that carry offsets.
    resolution : {"exact", "second", "minute", "hour", "day"}, optional
        Inferred when omitted (all times at midnight → "day").
    marks : list of str, optional
        Columns kept as per-event marks; default every column except the time column(s).
    errors : {"raise", "drop"}
        What to do with rows whose time is missing or not a date. "drop" keeps the rest,
        warns with the row numbers and records them in ``.dropped``.
    outside : {"drop", "raise"}
        What to do with events outside ``[start, end)`` when a window is given.
    time_format : {"decimal_year"}, optional
        Parse numeric decimal years (e.g. ``1851.2026``) instead of dates.
    year_length : {"julian", "calendar"}
        For decimal years: a year of 365.25 days (as in R's ``boot::coal``) or the calendar
        year's own length.
    name : str, optional
        Label of the series (defaults to the file name).

    Returns
    -------
    EventSeries

    Examples
    --------
    >>> import pandas as pd
    >>> import incidentstats as ist
    >>> frame = pd.DataFrame({"date": ["2020-01-01", "2020-01-05"], "kind": ["a", "b"]})
    >>> ev = ist.read_events(frame, time="date", start="2020-01-01", end="2020-02-01")
    >>> ev.n, ev.resolution, list(ev.marks.columns)
    (2, 'day', ['kind'])
    """
    check_choice("errors", errors, ["raise", "drop"], "read_events")
    check_choice("outside", outside, ["drop", "raise"], "read_events")
    if time_format is not None:
        check_choice("time_format", time_format, ["decimal_year"], "read_events")
    check_choice("year_length", year_length, ["julian", "calendar"], "read_events")
    if resolution is not None:
        check_choice("resolution", resolution, list(RESOLUTIONS), "read_events")
    frame = read_table(source, sheet_name=sheet_name)
    if name is None and isinstance(source, (str, os.PathLike)):
        name = Path(source).stem
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if len(frame) == 0:
        raise error(
            "The data",
            "must contain at least one row of events",
            f"a header only ({format_examples(columns, limit=6)})" if columns else "no rows",
            "Check the file or the filter that produced it.",
        )

    # which column(s) hold the times
    if time is not None and date is not None:
        raise error(
            "The `time` and `date` arguments",
            "are alternatives; give one",
            f"time={time!r}, date={date!r}",
        )
    if time is None and date is None:
        found = [c for c in columns if c.lower() in _TIME_CANDIDATES]
        if len(found) != 1:
            raise error(
                "The `time` argument",
                "must name the column with the event times (it could not be guessed)",
                "no argument" + (f"; candidates {found}" if found else ""),
                f"Pass time='...'; columns are: {format_examples(columns, limit=10)}.",
            )
        time = found[0]
    time_col = time if time is not None else date
    assert time_col is not None
    for label, col in (
        ("time" if time is not None else "date", time_col),
        ("time_of_day", time_of_day),
    ):
        if col is not None and col not in columns:
            raise error(
                f"The `{label}` column",
                "must exist in the data",
                col,
                (suggest(col, columns).strip() + " " if suggest(col, columns) else "")
                + f"Columns are: {format_examples(columns, limit=12)}.",
            )

    raw = frame[time_col]
    if time_format == "decimal_year":
        parsed, bad, reasons = _decimal_years(raw, time_col, year_length)
    else:
        combined = raw
        if time_of_day is not None:
            tod = frame[time_of_day].astype("string").str.strip()
            has = tod.notna() & (tod != "")
            clock = tod.str.fullmatch(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?")
            badclock = has & ~clock.fillna(False)
            if badclock.any() and errors == "raise":
                rows = np.flatnonzero(np.asarray(badclock)) + 1
                raise error(
                    f"The `{time_of_day}` column",
                    "must hold clock times such as '19:20' or be blank",
                    format_rows(rows.tolist(), tod[np.asarray(badclock)].tolist()),
                    "Blank out vague times ('night'), or pass errors='drop'.",
                )
            combined = (
                raw.astype("string")
                .str.strip()
                .where(~(has & clock.fillna(False)), raw.astype("string").str.strip() + " " + tod)
            )
        parsed, bad, reasons = _parse_times(combined, tz, time_col)
        if time_of_day is not None:
            badclock_arr = np.asarray(badclock)
            for i in np.flatnonzero(badclock_arr & ~bad):
                reasons[i] = "time of day is not a clock time"
            bad = bad | badclock_arr

    dropped_rows: list[tuple[int, str]] = []
    if bad.any():
        rows = np.flatnonzero(bad)
        if errors == "raise":
            shown_values = [raw.iloc[i] for i in rows[:3]]
            kinds = sorted({reasons[i] for i in rows})
            raise error(
                f"The `{time_col}` column",
                "must hold a valid date in every row",
                f"{len(rows)} value{'s' if len(rows) > 1 else ''} that "
                f"{'are' if len(rows) > 1 else 'is'} {' or '.join(kinds)} "
                f"({format_rows((rows + 1).tolist(), shown_values)})",
                "Fix or drop those rows, or pass errors='drop' (they are then listed in "
                "the warning and in .dropped).",
            )
        dropped_rows += [(int(i) + 1, reasons[i]) for i in rows]
        warnings.warn(
            f"read_events dropped {len(rows)} row{'s' if len(rows) > 1 else ''} whose "
            f"`{time_col}` is invalid "
            f"({format_rows((rows + 1).tolist(), [raw.iloc[i] for i in rows[:3]])}); "
            "they are listed in EventSeries.dropped.",
            DataWarning,
            stacklevel=2,
        )

    keep = ~bad
    zone = parsed.tz
    s = to_timestamp("start", start, tz=zone) if start is not None else None
    e = to_timestamp("end", end, tz=zone) if end is not None else None
    if s is not None and e is not None and e <= s:
        raise error(
            "The `end` argument",
            f"must be after `start` ({s})",
            e,
            "The window is [start, end): end is the first instant not observed.",
        )
    out_mask = np.zeros(len(frame), dtype=bool)
    if s is not None:
        out_mask |= keep & np.asarray(parsed < s)
    if e is not None:
        out_mask |= keep & np.asarray(parsed >= e)
    if out_mask.any():
        rows = np.flatnonzero(out_mask)
        if outside == "raise":
            raise error(
                "Every event time",
                f"must lie inside the observation window [{start}, {end})",
                f"{len(rows)} outside "
                f"({format_rows((rows + 1).tolist(), [str(parsed[i]) for i in rows[:3]])})",
                "Widen the window (end is exclusive) or pass outside='drop' to leave them out.",
            )
        for i in rows:
            reason = "before start" if s is not None and parsed[i] < s else "at or after end"
            dropped_rows.append((int(i) + 1, reason))
        keep = keep & ~out_mask

    used = {time_col} | ({time_of_day} if time_of_day else set())
    if marks is None:
        mark_cols = [c for c in columns if c not in used]
    else:
        unknown = [m for m in marks if m not in columns]
        if unknown:
            raise error(
                "The `marks` argument",
                "must list existing columns",
                unknown,
                f"Columns are: {format_examples(columns, limit=12)}.",
            )
        mark_cols = list(marks)
    mark_frame = frame.loc[keep, mark_cols].reset_index(drop=True)
    mark_frame = _convert_marks(mark_frame) if not isinstance(source, pd.DataFrame) else mark_frame

    dup = frame.loc[keep].duplicated(keep="first")
    if dup.any():
        rows = np.flatnonzero(keep)[np.asarray(dup)] + 1
        warnings.warn(
            f"{len(rows)} row{'s are' if len(rows) > 1 else ' is'} an exact duplicate of an "
            f"earlier row ({format_rows(rows.tolist())}); kept, and counted as tied events. "
            "Remove them first if they are double entries.",
            DataWarning,
            stacklevel=2,
        )

    dropped = pd.DataFrame(sorted(dropped_rows), columns=["row", "reason"])
    dropped["row"] = dropped["row"].astype("int64")
    if len(dropped):
        dropped["value"] = [str(raw.iloc[r - 1]) for r in dropped["row"]]
    times = parsed[keep]
    return EventSeries(
        times, start=s, end=e, resolution=resolution, marks=mark_frame, name=name, dropped=dropped
    )


def _convert_marks(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn numeric-looking text columns of a CSV into numbers (others stay text).

    A sample of up to 1,000 values decides first, so text columns cost O(1) to reject.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            present = series.dropna()
            if present.empty:
                continue
            if pd.to_numeric(present.iloc[:1000], errors="coerce").isna().any():
                continue
            conv = pd.to_numeric(series, errors="coerce")
            if conv.notna().sum() == len(present):
                out[col] = conv
    return out
