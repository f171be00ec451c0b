"""EventSeries: validated event times, an explicit observation window, and marks.

Every model in incidentstats takes an :class:`EventSeries`. It holds

* the event times (pandas Timestamps, naive or in one time zone, sorted);
* the observation window ``[start, end)`` — always explicit, because every rate and
  likelihood needs the exposure, not just the events;
* the time resolution (``"exact"``, ``"second"``, ``"minute"``, ``"hour"`` or ``"day"``), which
  says whether tied times are real coincidences or rounding;
* marks: a DataFrame of per-event attributes (weapon, target, district, ...) aligned with the
  times;
* the rows that were dropped on reading (:attr:`EventSeries.dropped`), so nothing disappears
  silently.

Inside the library time is continuous: :meth:`EventSeries.times` gives float offsets from
``start`` in a unit (days by default).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ._validation import error, format_examples, suggest, to_timestamp, type_error
from .exceptions import WindowWarning

__all__ = ["RESOLUTIONS", "EventSeries", "unit_nanoseconds"]

RESOLUTIONS = ("exact", "second", "minute", "hour", "day")

_RESOLUTION_NS = {
    "exact": 0,
    "second": 1_000_000_000,
    "minute": 60_000_000_000,
    "hour": 3_600_000_000_000,
    "day": 86_400_000_000_000,
}

_UNIT_NS = {
    "D": 86_400_000_000_000,
    "h": 3_600_000_000_000,
    "min": 60_000_000_000,
    "s": 1_000_000_000,
    "W": 7 * 86_400_000_000_000,
}
_UNIT_ALIASES = {
    "d": "D",
    "day": "D",
    "days": "D",
    "h": "h",
    "H": "h",
    "hour": "h",
    "hours": "h",
    "min": "min",
    "minute": "min",
    "minutes": "min",
    "m": "min",
    "s": "s",
    "sec": "s",
    "second": "s",
    "seconds": "s",
    "W": "W",
    "w": "W",
    "week": "W",
    "weeks": "W",
}


def unit_nanoseconds(unit: str) -> int:
    """Nanoseconds in one time ``unit`` ("D", "h", "min", "s" or "W", with common aliases)."""
    key = _UNIT_ALIASES.get(unit, unit) if isinstance(unit, str) else unit
    if key not in _UNIT_NS:
        raise error(
            "The `unit` parameter",
            "must be one of 'D' (days), 'h', 'min', 's' or 'W'",
            unit,
            suggest(str(unit), list(_UNIT_NS)).strip() or None,
        )
    return _UNIT_NS[key]


def _to_datetime_index(times: Any, tz: Any = None) -> pd.DatetimeIndex:
    """Parse ``times`` into a DatetimeIndex; clear errors for NaT, mixed zones and junk."""
    if isinstance(times, EventSeries):
        return times.timestamps
    if isinstance(times, pd.DatetimeIndex):
        return _finish_index(times, tz)
    if isinstance(times, (str, bytes)) or not hasattr(times, "__len__"):
        raise type_error(
            "The `times` argument of EventSeries",
            "must be a sequence of dates (list, array, Series or DatetimeIndex)",
            type(times).__name__,
            "Wrap a single date in a list, or use ist.read_events() for files.",
        )
    values = times.values if isinstance(times, (pd.Series, pd.Index)) else times
    if isinstance(times, pd.Series) and isinstance(times.dtype, pd.DatetimeTZDtype):
        idx = pd.DatetimeIndex(times)
    else:
        arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
        if arr.dtype == object and len(arr):
            kinds = {
                "aware" if getattr(v, "tzinfo", None) is not None else "naive"
                for v in arr
                if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "tzinfo")
            }
            if kinds == {"aware", "naive"}:
                raise error(
                    "The `times` argument of EventSeries",
                    "must be all time-zone naive or all in one time zone",
                    "a mix of naive and time-zone-aware times",
                    "Localise the naive ones (or drop the zones) before building the series.",
                )
            zones = {str(v.tzinfo) for v in arr if getattr(v, "tzinfo", None) is not None}
            if len(zones) > 1:
                raise error(
                    "The `times` argument of EventSeries",
                    "must use a single time zone",
                    f"times in {len(zones)} zones ({format_examples(sorted(zones))})",
                    "Convert them to one zone first, e.g. with tz_convert('UTC').",
                )
        try:
            kind = pd.api.types.infer_dtype(arr, skipna=True) if len(arr) else "empty"
            if kind in ("floating", "integer", "mixed-integer-float", "decimal"):
                raise TypeError("numbers are not dates")
            try:
                idx = pd.DatetimeIndex(pd.to_datetime(arr, utc=False))
            except ValueError:  # inferred format did not fit every value: parse one by one
                idx = pd.DatetimeIndex(pd.to_datetime(arr, utc=False, format="mixed"))
        except (ValueError, TypeError) as exc:
            if "numbers" in str(exc):
                raise type_error(
                    "The `times` argument of EventSeries",
                    "must contain dates, not numbers",
                    "numeric values",
                    "Use EventSeries.from_offsets(offsets, start=..., unit='D') for numeric "
                    "offsets, or read_events(..., time_format='decimal_year') for decimal years.",
                ) from exc
            raise error(
                "The `times` argument of EventSeries",
                "must contain values pandas can parse as dates",
                str(exc).split("\n")[0],
                "Use ist.read_events(..., errors='drop') to list and drop bad rows.",
            ) from exc
    return _finish_index(idx, tz)


def _finish_index(idx: pd.DatetimeIndex, tz: Any) -> pd.DatetimeIndex:
    if tz is not None:
        idx = idx.tz_localize(tz) if idx.tz is None else idx.tz_convert(tz)
    idx = idx.as_unit("ns")
    nat = np.flatnonzero(np.asarray(idx.isna()))
    if len(nat):
        raise error(
            "The `times` argument of EventSeries",
            "must not contain missing times (NaT)",
            f"{len(nat)} missing at positions {format_examples(nat.tolist())}",
            "Drop them first, or use ist.read_events(..., errors='drop').",
        )
    return idx


def _infer_resolution(ns: np.ndarray) -> str:
    """Coarsest resolution consistent with every time (all at midnight → "day")."""
    if len(ns) == 0:
        return "exact"
    for res in ("day", "hour", "minute", "second"):
        if not np.any(ns % _RESOLUTION_NS[res]):
            return res
    return "exact"


class EventSeries:
    """Validated event times in an explicit observation window ``[start, end)``, with marks.

    Parameters
    ----------
    times : sequence of date-likes
        Event times (strings, datetimes, a Series or a DatetimeIndex); naive or in a single
        time zone. They are sorted (marks follow).
    start, end : date-like, optional
        The observation window ``[start, end)``. Defaults: midnight of the first event's day
        and midnight after the last event's day, with a :class:`WindowWarning` — a window
        chosen from the study design is better than one inferred from the events.
    resolution : {"exact", "second", "minute", "hour", "day"}, optional
        The precision of the times. Inferred when omitted: all times at midnight → "day".
        Day-resolution data carry ties; continuous-time models either spread them within the
        day or use a discrete-time model (see the Hawkes documentation).
    marks : DataFrame, optional
        Per-event attributes, one row per event, in the order of ``times``.
    name : str, optional
        A label used in summaries and reports.
    tz : str or tzinfo, optional
        Localise naive times (or convert aware ones) to this zone.

    Notes
    -----
    The object is immutable: methods return new series. ``times(unit)`` returns float
    offsets from ``start``; internally times are kept as integer nanoseconds from ``start``,
    so epoch-scale timestamps lose no precision.

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.EventSeries(["2020-01-01", "2020-01-03", "2020-01-03"],
    ...                      start="2020-01-01", end="2020-01-08")
    >>> ev.n, ev.resolution, ev.n_ties
    (3, 'day', 1)
    >>> ev.times().tolist()
    [0.0, 2.0, 2.0]
    """

    __slots__ = ("_dropped", "_end", "_marks", "_name", "_ns", "_resolution", "_start", "_ts")

    def __init__(
        self,
        times: Any,
        *,
        start: Any = None,
        end: Any = None,
        resolution: str | None = None,
        marks: pd.DataFrame | None = None,
        name: str | None = None,
        tz: Any = None,
        dropped: pd.DataFrame | None = None,
    ) -> None:
        idx = _to_datetime_index(times, tz=tz)
        zone = idx.tz
        n = len(idx)

        # marks: aligned, validated, then sorted with the times
        if marks is None:
            mk = pd.DataFrame(index=pd.RangeIndex(n))
        else:
            if not isinstance(marks, pd.DataFrame):
                raise type_error(
                    "The `marks` argument of EventSeries",
                    "must be a pandas DataFrame with one row per event",
                    type(marks).__name__,
                )
            if len(marks) != n:
                raise error(
                    "The `marks` argument of EventSeries",
                    "must have one row per event",
                    f"{len(marks)} rows for {n} events",
                )
            mk = marks.reset_index(drop=True)

        order = np.argsort(idx.asi8, kind="stable")
        if n and np.any(order != np.arange(n)):
            idx = idx[order]
            mk = mk.iloc[order].reset_index(drop=True)

        # the window
        if start is None or end is None:
            if n == 0:
                raise error(
                    "The window of an empty EventSeries",
                    "must be given explicitly",
                    f"start={start!r}, end={end!r}",
                    "Pass start= and end= (an empty window still has an exposure).",
                )
            missing = " and ".join(k for k, v in (("start", start), ("end", end)) if v is None)
            warnings.warn(
                f"No {missing} given: the observation window was inferred from the events "
                "(first event's day to the day after the last). Rates depend on the window; "
                "pass start= and end= from the study design.",
                WindowWarning,
                stacklevel=2,
            )
        s = to_timestamp("start", start, tz=zone) if start is not None else idx[0].normalize()
        e = (
            to_timestamp("end", end, tz=zone)
            if end is not None
            else idx[-1].normalize() + pd.Timedelta(days=1)
        )
        if e <= s:
            raise error(
                "The `end` argument",
                f"must be after `start` ({_fmt_ts(s)})",
                _fmt_ts(e),
                "The window is [start, end): end is the first instant not observed.",
            )

        ns = (idx.asi8 - s.value).astype(np.int64) if n else np.zeros(0, dtype=np.int64)
        outside = np.flatnonzero((ns < 0) | (ns >= e.value - s.value))
        if len(outside):
            bad = [_fmt_ts(idx[i]) for i in outside]
            raise error(
                "Every event time",
                f"must lie inside the observation window [{_fmt_ts(s)}, {_fmt_ts(e)})",
                f"{len(outside)} outside ({format_examples(bad)})",
                "Widen the window (start=/end=; end is exclusive), or drop those events "
                "first (e.g. with .window() or a filter).",
            )

        if resolution is None:
            res = _infer_resolution(ns + (s.value % _RESOLUTION_NS["day"] if n else 0))
            if n == 0:
                res = "day" if s == s.normalize() and e == e.normalize() else "exact"
        else:
            if resolution not in RESOLUTIONS:
                raise error(
                    "The `resolution` parameter",
                    "must be one of " + ", ".join(repr(r) for r in RESOLUTIONS),
                    resolution,
                    suggest(str(resolution), RESOLUTIONS).strip() or None,
                )
            res = resolution
        if res != "exact" and e.value - s.value < _RESOLUTION_NS[res]:
            raise error(
                "The observation window",
                f"must be at least one {res} long for {res}-resolution data",
                f"[{_fmt_ts(s)}, {_fmt_ts(e)})",
                "Widen the window, or give a finer resolution=.",
            )

        self._ts = idx
        self._ns = ns
        self._ns.setflags(write=False)
        self._start = s
        self._end = e
        self._resolution = res
        self._marks = mk
        self._name = name
        self._dropped = (
            dropped
            if dropped is not None
            else pd.DataFrame({"row": pd.Series(dtype="int64"), "reason": pd.Series(dtype=str)})
        )

    # -- alternative constructors -------------------------------------------------------------
    @classmethod
    def from_offsets(
        cls,
        offsets: Any,
        *,
        start: Any = "2000-01-01",
        end: Any,
        unit: str = "D",
        resolution: str = "exact",
        marks: pd.DataFrame | None = None,
        name: str | None = None,
    ) -> EventSeries:
        """Build a series from numeric offsets (e.g. simulated times in days).

        Parameters
        ----------
        offsets : array-like of float
            Times after ``start`` in ``unit``; non-negative and below ``end``.
        start : date-like, default "2000-01-01"
            The window start (offset 0).
        end : float or date-like
            The window end: an offset in ``unit`` (a number) or a date.
        unit : str, default "D"
            Unit of the offsets.

        Examples
        --------
        >>> ev = EventSeries.from_offsets([0.5, 1.25, 9.0], end=10.0)
        >>> ev.times().tolist(), ev.duration()
        ([0.5, 1.25, 9.0], 10.0)
        """
        x = np.asarray(offsets, dtype=float)
        if x.ndim != 1 or not np.all(np.isfinite(x)):
            raise error(
                "The `offsets` argument",
                "must be a one-dimensional array of finite numbers",
                f"shape {x.shape}" if x.ndim != 1 else "non-finite values",
            )
        per = unit_nanoseconds(unit)
        s = to_timestamp("start", start, keep_tz=True)
        if isinstance(end, (int, float, np.integer, np.floating)) and not isinstance(end, bool):
            e = s + pd.Timedelta(int(round(float(end) * per)), unit="ns")
        else:
            e = to_timestamp("end", end, tz=s.tz)
        ns = np.floor(x * per).astype(np.int64)
        idx = pd.DatetimeIndex((s.value + ns).view("datetime64[ns]"))
        if s.tz is not None:
            idx = idx.tz_localize("UTC").tz_convert(s.tz)
        return cls(idx, start=s, end=e, resolution=resolution, marks=marks, name=name)

    # -- basic facts --------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of events."""
        return len(self._ns)

    def __len__(self) -> int:
        return self.n

    @property
    def start(self) -> pd.Timestamp:
        """Start of the observation window (inclusive)."""
        return self._start

    @property
    def end(self) -> pd.Timestamp:
        """End of the observation window (exclusive)."""
        return self._end

    @property
    def tz(self) -> Any:
        """The time zone of the times, or None when naive."""
        return self._start.tz

    @property
    def resolution(self) -> str:
        """Time resolution: "exact", "second", "minute", "hour" or "day"."""
        return self._resolution

    @property
    def name(self) -> str | None:
        """Label used in summaries."""
        return self._name

    @property
    def marks(self) -> pd.DataFrame:
        """Per-event attributes (a copy; row i belongs to event i)."""
        return self._marks.copy()

    @property
    def dropped(self) -> pd.DataFrame:
        """Rows dropped when reading (``row``: 1-based data row, ``reason``), else empty."""
        return self._dropped.copy()

    @property
    def timestamps(self) -> pd.DatetimeIndex:
        """Event times as a sorted DatetimeIndex."""
        return self._ts

    def times(self, unit: str = "D") -> np.ndarray:
        """Event times as float offsets from :attr:`start` in ``unit`` (sorted)."""
        return self._ns / unit_nanoseconds(unit)

    def duration(self, unit: str = "D") -> float:
        """Length of the observation window in ``unit``."""
        return (self._end.value - self._start.value) / unit_nanoseconds(unit)

    def to_offset(self, date: Any, unit: str = "D", name: str = "date") -> float:
        """Offset of ``date`` from :attr:`start` in ``unit`` (may be outside the window)."""
        ts = to_timestamp(name, date, tz=self.tz)
        return (ts.value - self._start.value) / unit_nanoseconds(unit)

    def from_offset(self, x: float, unit: str = "D") -> pd.Timestamp:
        """The date at offset ``x`` (in ``unit``) from :attr:`start`."""
        return self._start + pd.Timedelta(int(round(float(x) * unit_nanoseconds(unit))), unit="ns")

    # -- ties ---------------------------------------------------------------------------------
    @property
    def n_ties(self) -> int:
        """Number of events that share their timestamp with an earlier event."""
        if self.n < 2:
            return 0
        return int(np.count_nonzero(np.diff(self._ns) == 0))

    def ties(self) -> pd.Series:
        """Timestamps shared by several events, with the number of events at each."""
        counts = pd.Series(self._ts).value_counts(sort=False)
        tied = counts[counts > 1].sort_index()
        tied.index.name = "time"
        tied.name = "events"
        return tied

    # -- derived series -----------------------------------------------------------------------
    def _subset(self, mask: np.ndarray, *, start: Any = None, end: Any = None) -> EventSeries:
        return EventSeries(
            self._ts[mask],
            start=self._start if start is None else start,
            end=self._end if end is None else end,
            resolution=self._resolution,
            marks=self._marks.loc[mask].reset_index(drop=True),
            name=self._name,
        )

    def filter(self, condition: Any) -> EventSeries:
        """Keep the events that satisfy ``condition``; the window is unchanged.

        Parameters
        ----------
        condition : str or array-like of bool or callable
            A :meth:`pandas.DataFrame.query` expression over the marks (the column ``time``
            holds the timestamps unless a mark is called so), a boolean mask with one entry
            per event, or a function of the marks DataFrame returning such a mask.
        """
        if isinstance(condition, str):
            frame = self._marks.copy()
            if "time" not in frame.columns:
                frame["time"] = self._ts
            try:
                mask = frame.eval(condition)
            except Exception as exc:
                raise error(
                    "The `condition` of filter()",
                    "must be a valid pandas query over the marks "
                    f"(columns: {format_examples(list(frame.columns), limit=8)})",
                    condition,
                    f"pandas said: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                ) from exc
        elif callable(condition):
            mask = condition(self.marks)
        else:
            mask = condition
        m = np.asarray(mask)
        if m.dtype != bool or m.shape != (self.n,):
            raise error(
                "The `condition` of filter()",
                f"must give one True/False per event ({self.n})",
                f"dtype {m.dtype}, shape {m.shape}",
            )
        return self._subset(m)

    def split(self, column: str) -> dict[str, EventSeries]:
        """Split by the values of a mark column into a dict of series on the same window.

        Every event lands in exactly one series; missing values go to the key ``"<NA>"``.
        Keys are the values as strings, in sorted order.
        """
        if column not in self._marks.columns:
            raise error(
                "The `column` argument of split()",
                "must name a mark column "
                f"(available: {format_examples(list(self._marks.columns), limit=10)})",
                column,
                suggest(str(column), [str(c) for c in self._marks.columns]).strip() or None,
            )
        values = self._marks[column]
        keys = values.astype(object).where(values.notna(), "<NA>").map(str)
        out: dict[str, EventSeries] = {}
        for key in sorted(keys.unique()):
            sub = self._subset(np.asarray(keys == key))
            out[key] = sub.rename(f"{self._name}: {key}" if self._name else str(key))
        return out

    def window(self, start: Any = None, end: Any = None) -> EventSeries:
        """The events in ``[start, end)``, with that as the new observation window."""
        s = self._start if start is None else to_timestamp("start", start, tz=self.tz)
        e = self._end if end is None else to_timestamp("end", end, tz=self.tz)
        if e <= s:
            raise error("The `end` argument of window()", f"must be after start ({_fmt_ts(s)})", e)
        mask = (self._ts >= s) & (self._ts < e)
        return self._subset(np.asarray(mask), start=s, end=e)

    def rename(self, name: str | None) -> EventSeries:
        """A copy with another name."""
        new = object.__new__(EventSeries)
        for slot in EventSeries.__slots__:
            object.__setattr__(new, slot, getattr(self, slot))
        object.__setattr__(new, "_name", name)
        return new

    def counts(self, freq: str = "D") -> Any:
        """Counts per calendar bin of ``freq`` ("D", "W", "MS", ...) as a CountSeries.

        Bins are aligned to the calendar; the first and last bins are clipped to the window
        and carry their true (partial) exposure.
        """
        from .counts import CountSeries

        return CountSeries.from_events(self, freq)

    # -- export and display -------------------------------------------------------------------
    def to_frame(self, time_column: str = "time") -> pd.DataFrame:
        """A DataFrame with the event times (column ``time_column``) and the marks."""
        if time_column in self._marks.columns:
            raise error(
                "The `time_column` argument",
                "must not clash with a mark column",
                time_column,
                "Pass another name, e.g. time_column='event_time'.",
            )
        frame = self._marks.copy()
        frame.insert(0, time_column, self._ts)
        return frame

    def describe(self) -> dict[str, Any]:
        """Key facts as a dict (used by summaries and reports)."""
        return {
            "name": self._name,
            "n": self.n,
            "start": _fmt_ts(self._start),
            "end": _fmt_ts(self._end),
            "duration_days": self.duration("D"),
            "resolution": self._resolution,
            "n_ties": self.n_ties,
            "tied_times": len(self.ties()),
            "marks": [str(c) for c in self._marks.columns],
            "rate_per_day": self.n / self.duration("D"),
        }

    def __repr__(self) -> str:
        d = self.describe()
        label = f" {self._name!r}" if self._name else ""
        text = (
            f"EventSeries{label}: {d['n']} events in [{d['start']}, {d['end']}) "
            f"({_fmt_days(d['duration_days'])}), resolution {d['resolution']}"
        )
        if d["n_ties"]:
            text += f", {d['n_ties']} tied events on {d['tied_times']} shared times"
        if d["marks"]:
            text += f", marks: {format_examples(d['marks'], limit=6)}"
        return text

    def _repr_html_(self) -> str:
        import html

        d = self.describe()
        rows = [
            ("events", d["n"]),
            ("window", f"[{d['start']}, {d['end']}) — {_fmt_days(d['duration_days'])}"),
            ("rate", f"{d['rate_per_day']:.4g} per day"),
            ("resolution", d["resolution"]),
            ("ties", f"{d['n_ties']} events on {d['tied_times']} shared times"),
            ("marks", format_examples(d["marks"], limit=8) or "none"),
        ]
        if len(self._dropped):
            rows.append(("dropped on reading", f"{len(self._dropped)} rows (see .dropped)"))
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in rows
        )
        title = html.escape(f"EventSeries {self._name!r}" if self._name else "EventSeries")
        return f"<div><strong>{title}</strong><table>{body}</table></div>"

    def equals(self, other: object) -> bool:
        """True when times, window, resolution and marks are identical."""
        if not isinstance(other, EventSeries):
            return False
        return (
            self._start == other._start
            and self._end == other._end
            and self._resolution == other._resolution
            and np.array_equal(self._ns, other._ns)
            and self._marks.reset_index(drop=True).equals(other._marks.reset_index(drop=True))
        )

    def __eq__(self, other: object) -> bool:
        return self.equals(other)

    __hash__ = None  # type: ignore[assignment]

    def __setattr__(self, key: str, value: Any) -> None:
        if key in EventSeries.__slots__ and not hasattr(self, key):
            object.__setattr__(self, key, value)
            return
        raise AttributeError("EventSeries is immutable; methods return new series")


def _fmt_ts(ts: pd.Timestamp) -> str:
    if ts.tz is None and ts == ts.normalize():
        return str(ts.date())
    return str(ts)


def _fmt_days(days: float) -> str:
    return f"{days:.0f} days" if float(days).is_integer() else f"{days:.4g} days"
