"""CountSeries: event counts per regular bin, with honest exposure.

A :class:`CountSeries` is what discrete-time methods take (interrupted time series, change
points on counts, discrete Hawkes models). Each bin has its edges, its count and its
*exposure* (length in days, or a user-supplied exposure such as person-years). Bins cut by
the observation window keep their true, partial exposure — a week with two observed days
counts as 2 days, never 7.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._validation import error, format_rows, type_error

if TYPE_CHECKING:
    from .events import EventSeries

__all__ = ["CountSeries", "as_count_series"]

_DAY_NS = 86_400_000_000_000


def _check_freq(freq: Any) -> pd.DateOffset:
    try:
        return pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError) as exc:
        raise error(
            "The `freq` argument",
            "must be a pandas frequency string such as 'D', 'W', 'MS' (month start), 'QS' or 'YS'",
            freq,
            "See the pandas 'offset aliases' table.",
        ) from exc


def _period_freq(freq: str) -> str:
    """The Period alias for a bin frequency ('MS'/'ME'/'M' → 'M', 'W' → 'W-SUN', ...)."""
    off = _check_freq(freq)
    name = off.rule_code  # e.g. 'D', 'W-SUN', 'MS', 'ME', 'YS-JAN', 'h'
    base = name.split("-")[0]
    mapping = {
        "MS": "M",
        "ME": "M",
        "M": "M",
        "QS": "Q",
        "QE": "Q",
        "Q": "Q",
        "YS": "Y",
        "YE": "Y",
        "Y": "Y",
        "AS": "Y",
        "A": "Y",
    }
    if base in mapping:
        suffix = name[len(base) :]
        if mapping[base] in ("Q", "Y"):
            # anchored on the year-end month for periods
            return mapping[base] + (suffix if base in ("QE", "YE", "Q", "Y", "A") else "")
        return mapping[base]
    if off.n != 1:
        raise error(
            "The `freq` argument",
            "must be a single-unit frequency for calendar bins ('D', 'W', 'MS', 'h', ...)",
            freq,
            "Aggregate afterwards, or use a unit frequency.",
        )
    return name


def _infer_freq(idx: pd.DatetimeIndex) -> str | None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 FutureWarning about the return type
        got = pd.infer_freq(idx)
    if got is None:
        return None
    return got if isinstance(got, str) else got.freqstr


class CountSeries:
    """Counts per regular bin with exposure (bin length in days, or given).

    Parameters
    ----------
    counts : pandas Series
        Non-negative integer counts indexed by a DatetimeIndex (bin starts) or a PeriodIndex
        (e.g. monthly periods).
    exposure : array-like, optional
        Exposure per bin (e.g. person-time). Default: the bin length in days.
    freq : str, optional
        Bin frequency, needed when it cannot be read from the index.
    offset : array-like, optional
        A positive per-bin quantity used as a GLM offset (e.g. population); kept as given.
    edges : DatetimeIndex, optional
        Explicit bin edges (``len(counts) + 1``), overriding ``freq``.
    name : str, optional
        Label for summaries.

    Examples
    --------
    >>> import pandas as pd
    >>> import incidentstats as ist
    >>> s = pd.Series([3, 1, 4], index=pd.period_range("2020-01", periods=3, freq="M"))
    >>> cs = ist.CountSeries(s)
    >>> cs.values.tolist(), cs.exposure.tolist()
    ([3, 1, 4], [31.0, 29.0, 31.0])
    """

    __slots__ = ("_edges", "_exposure", "_freq", "_labels", "_name", "_offset", "_values")

    def __init__(
        self,
        counts: Any,
        *,
        exposure: Any = None,
        freq: str | None = None,
        offset: Any = None,
        edges: Any = None,
        name: str | None = None,
    ) -> None:
        if isinstance(counts, CountSeries):
            counts = counts.to_series()
        if not isinstance(counts, pd.Series):
            raise type_error(
                "The `counts` argument of CountSeries",
                "must be a pandas Series indexed by dates or periods",
                type(counts).__name__,
                "Build one with pd.Series(values, index=pd.date_range(...)).",
            )
        n = len(counts)
        if n == 0:
            raise error(
                "The `counts` argument of CountSeries", "must have at least one bin", "0 bins"
            )
        values = _check_counts(counts)

        idx = counts.index
        if edges is not None:
            e = pd.DatetimeIndex(edges).as_unit("ns")
            if len(e) != n + 1 or not e.is_monotonic_increasing or e.has_duplicates:
                raise error(
                    "The `edges` argument of CountSeries",
                    f"must hold {n + 1} strictly increasing bin edges",
                    f"{len(e)} edges",
                )
            labels = idx
            fq = freq or "irregular"
        elif isinstance(idx, pd.PeriodIndex):
            start = idx.start_time.as_unit("ns")
            last_end = (idx[-1] + 1).start_time.as_unit("ns")
            e = start.append(pd.DatetimeIndex([last_end]))
            labels = idx
            fq = freq or idx.freqstr
            if not (np.diff(idx.asi8) == 1).all():
                raise error(
                    "The index of `counts`",
                    "must be consecutive periods (no gaps; put 0 in empty periods)",
                    "gaps in the PeriodIndex",
                )
        elif isinstance(idx, pd.DatetimeIndex):
            if freq is not None:
                off = _check_freq(freq)
                fq = freq
            elif idx.freq is not None:
                off, fq = idx.freq, idx.freqstr
            else:
                inferred = _infer_freq(idx) if n >= 3 else None
                if inferred is None:
                    raise error(
                        "The index of `counts`",
                        "must have a regular frequency that can be inferred, or give freq=",
                        "an irregular DatetimeIndex" if n >= 3 else f"only {n} bins",
                        "Pass freq='D', 'W', 'MS', ..., or edges=.",
                    )
                off, fq = _check_freq(inferred), inferred
            idx = idx.as_unit("ns")
            expected = pd.date_range(idx[0], periods=n, freq=off)
            if not expected.equals(idx.tz_localize(None) if idx.tz and not expected.tz else idx):
                raise error(
                    "The index of `counts`",
                    f"must be regular at frequency {fq!r} with no gaps (put 0 in empty bins)",
                    f"{n} bins from {idx[0]} to {idx[-1]}",
                    "Reindex with the full range, or give edges=.",
                )
            e = idx.append(pd.DatetimeIndex([idx[-1] + off]).as_unit("ns"))
            labels = idx
        else:
            raise type_error(
                "The index of `counts`",
                "must be a DatetimeIndex or PeriodIndex",
                type(idx).__name__,
                "E.g. pd.Series(values, index=pd.period_range('2002-01', periods=59, freq='M')).",
            )

        length_days = np.diff(e.asi8) / _DAY_NS
        if exposure is None:
            expo = length_days.astype(float)
        else:
            expo = _check_positive_array("exposure", exposure, n)
        off_arr = None if offset is None else _check_positive_array("offset", offset, n)

        self._values = values
        self._exposure = expo
        self._edges = e
        self._labels = labels
        self._freq = str(fq)
        self._offset = off_arr
        self._name = name if name is not None else (str(counts.name) if counts.name else None)
        for arr in (self._values, self._exposure):
            arr.setflags(write=False)

    # -- construction from events -------------------------------------------------------------
    @classmethod
    def from_events(cls, events: EventSeries, freq: str = "D") -> CountSeries:
        """Bin an :class:`EventSeries` into calendar bins of ``freq`` clipped to its window."""
        pfreq = _period_freq(freq)
        start, end = events.start, events.end
        tz = start.tz
        s_naive = start.tz_localize(None) if tz is not None else start
        e_naive = end.tz_localize(None) if tz is not None else end
        last = e_naive - pd.Timedelta(1, unit="ns")
        periods = pd.period_range(s_naive.to_period(pfreq), last.to_period(pfreq), freq=pfreq)
        starts = periods.start_time.as_unit("ns")
        edges_naive = starts.append(pd.DatetimeIndex([(periods[-1] + 1).start_time]).as_unit("ns"))
        inner = edges_naive.asi8.copy()
        inner[0] = s_naive.value
        inner[-1] = e_naive.value
        edges = pd.DatetimeIndex(inner.view("datetime64[ns]"))
        if tz is not None:
            edges = edges.tz_localize(tz)
        ts = events.timestamps
        local_ns = (ts.tz_localize(None) if tz is not None else ts).asi8
        which = np.searchsorted(inner, local_ns, side="right") - 1
        counts = np.bincount(which, minlength=len(periods)).astype(np.int64)
        series = pd.Series(counts, index=periods, name=events.name)
        return cls(series, edges=edges, freq=freq, name=events.name)

    # -- facts --------------------------------------------------------------------------------
    @property
    def values(self) -> np.ndarray:
        """Counts per bin (int64)."""
        return self._values

    @property
    def counts(self) -> np.ndarray:
        """Alias of :attr:`values`."""
        return self._values

    @property
    def exposure(self) -> np.ndarray:
        """Exposure per bin (days by default; partial bins carry their true length)."""
        return self._exposure

    @property
    def offset(self) -> np.ndarray | None:
        """Per-bin offset quantity (e.g. population), or None."""
        return self._offset

    @property
    def edges(self) -> pd.DatetimeIndex:
        """Bin edges (``n_bins + 1``)."""
        return self._edges

    @property
    def index(self) -> pd.DatetimeIndex:
        """Start of each bin (clipped to the window for partial bins)."""
        return self._edges[:-1]

    @property
    def labels(self) -> pd.Index:
        """The original bin labels (PeriodIndex or DatetimeIndex)."""
        return self._labels

    @property
    def freq(self) -> str:
        """Bin frequency alias."""
        return self._freq

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def n_bins(self) -> int:
        return len(self._values)

    def __len__(self) -> int:
        return self.n_bins

    @property
    def total(self) -> int:
        """Total count."""
        return int(self._values.sum())

    @property
    def is_partial(self) -> np.ndarray:
        """Which bins are shorter than a full calendar bin."""
        full = np.diff(self._edges.asi8) / _DAY_NS
        if self._labels is not None and isinstance(self._labels, pd.PeriodIndex):
            nominal = np.asarray(
                (self._labels.end_time - self._labels.start_time).total_seconds() / 86400.0
            )
            return full < np.round(nominal, 6) - 1e-9
        return np.zeros(self.n_bins, dtype=bool)

    def to_frame(self) -> pd.DataFrame:
        """One row per bin: start, end, count, exposure (and offset)."""
        frame = pd.DataFrame(
            {
                "start": self._edges[:-1],
                "end": self._edges[1:],
                "count": self._values,
                "exposure": self._exposure,
            },
            index=self._labels,
        )
        if self._offset is not None:
            frame["offset"] = self._offset
        frame.index.name = "bin"
        return frame

    def to_series(self) -> pd.Series:
        """Counts as a Series indexed by the bin labels."""
        return pd.Series(self._values, index=self._labels, name=self._name)

    def rates(self) -> np.ndarray:
        """Count divided by exposure, per bin."""
        return self._values / self._exposure

    def __repr__(self) -> str:
        label = f" {self._name!r}" if self._name else ""
        return (
            f"CountSeries{label}: {self.n_bins} bins of {self._freq} from "
            f"{self._edges[0]} to {self._edges[-1]}, {self.total} events"
        )

    def _repr_html_(self) -> str:
        return f"<pre>{self!r}</pre>" + self.to_frame().head(10).to_html()


def _check_counts(counts: pd.Series) -> np.ndarray:
    raw = counts
    numeric = pd.to_numeric(raw, errors="coerce")
    bad = np.flatnonzero(np.asarray(numeric.isna()))
    if len(bad):
        raise error(
            "The `counts` values",
            "must be numbers (no missing or text values)",
            format_rows((bad + 1).tolist(), raw.iloc[bad].tolist()),
            "Fill missing bins with 0 only if nothing happened; otherwise drop them.",
        )
    arr = np.asarray(numeric, dtype=float)
    neg = np.flatnonzero(arr < 0)
    if len(neg):
        raise error(
            "The `counts` values",
            "must be non-negative",
            format_rows((neg + 1).tolist(), arr[neg].tolist()),
        )
    frac = np.flatnonzero(arr != np.round(arr))
    if len(frac) or not np.all(np.isfinite(arr)):
        raise error(
            "The `counts` values",
            "must be whole numbers (counts of events)",
            format_rows((frac + 1).tolist(), arr[frac].tolist()),
            "Pass rates as exposure=, not as counts.",
        )
    return arr.astype(np.int64)


def _check_positive_array(name: str, value: Any, n: int) -> np.ndarray:
    arr = np.asarray(pd.to_numeric(pd.Series(np.asarray(value).ravel()), errors="coerce"), float)
    if arr.shape != (n,):
        raise error(f"The `{name}` argument", f"must have one value per bin ({n})", f"{arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr <= 0))
    if len(bad):
        raise error(
            f"The `{name}` argument",
            "must be finite and > 0 in every bin",
            format_rows((bad + 1).tolist(), arr[bad].tolist()),
        )
    return arr


def as_count_series(data: Any, *, freq: str = "D", name: str = "data") -> CountSeries:
    """Accept a CountSeries, a pandas Series of counts, or an EventSeries (binned by ``freq``)."""
    from .events import EventSeries

    if isinstance(data, CountSeries):
        return data
    if isinstance(data, EventSeries):
        return data.counts(freq)
    if isinstance(data, pd.Series):
        return CountSeries(data)
    raise type_error(
        f"The `{name}` argument",
        "must be a CountSeries, a pandas Series of counts or an EventSeries",
        type(data).__name__,
    )
