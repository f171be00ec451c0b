"""Rate change around a trigger date: windows, several tests side by side, one result."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._results import ConfidenceInterval, Result, Summary, jsonable
from .._validation import (
    check_choice,
    check_confidence_level,
    error,
    to_timedelta,
    to_timestamp,
    type_error,
)
from ._poisson import (
    DIFF_METHODS,
    RATE_CHANGE_METHODS,
    TwoSample,
    _unit_word,
    check_alternative,
    check_count,
    check_exposure,
    format_pct,
    one_sample_ci,
    two_sample,
)

__all__ = [
    "DispersionCheck",
    "RateChangeResult",
    "Windows",
    "rate_change",
    "rate_change_counts",
    "resolve_windows",
]

ALL_METHODS = (*RATE_CHANGE_METHODS, "negbin")
_DAY_NS = 86_400_000_000_000
_DURATION = re.compile(r"^[+-]?\d+(\.\d+)?\s*[A-Za-z]+$")
#: Significance level of the overdispersion check of :func:`rate_change` (as
#: :attr:`DispersionResult.overdispersed`).
DISPERSION_LEVEL = 0.05


# =============================================================================================
# windows
# =============================================================================================
@dataclass(frozen=True)
class Windows:
    """The two comparison windows around a trigger: ``[before_start, before_end)`` and
    ``[after_start, after_end)``; ``cut`` is where "before" turns into "after"."""

    trigger: pd.Timestamp
    cut: pd.Timestamp
    before_start: pd.Timestamp
    before_end: pd.Timestamp
    after_start: pd.Timestamp
    after_end: pd.Timestamp

    def exposure(self, which: str, unit_ns: int) -> float:
        if which == "before":
            return (self.before_end.value - self.before_start.value) / unit_ns
        return (self.after_end.value - self.after_start.value) / unit_ns

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "trigger": self.trigger,
                "cut": self.cut,
                "before": [self.before_start, self.before_end],
                "after": [self.after_start, self.after_end],
            }
        )


def _window_bound(
    name: str, value: Any, cut: pd.Timestamp, tz: Any, side: str
) -> tuple[pd.Timestamp, str]:
    """A window edge from a duration ("67D", 67, Timedelta) or a date; returns (edge, kind)."""
    if isinstance(value, (pd.Timedelta, np.timedelta64)) or (
        isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ):
        td = to_timedelta(name, value)
        return (cut - td if side == "before" else cut + td), "duration"
    if isinstance(value, str):
        text = value.strip()
        if _DURATION.match(text):
            td = to_timedelta(name, text)
            return (cut - td if side == "before" else cut + td), "duration"
    return to_timestamp(name, value, tz=tz), "date"


def _buffer(exclude: Any) -> tuple[pd.Timedelta, pd.Timedelta]:
    if exclude is None:
        return pd.Timedelta(0), pd.Timedelta(0)
    if isinstance(exclude, (tuple, list)):
        if len(exclude) != 2:
            raise error(
                "The `exclude` argument",
                "must be one duration or a pair (before, after) of durations",
                exclude,
                "Pass e.g. exclude='3D' or exclude=('7D', '0D').",
            )
        return _nonneg_td("exclude", exclude[0]), _nonneg_td("exclude", exclude[1])
    td = _nonneg_td("exclude", exclude)
    return td, td


def _nonneg_td(name: str, value: Any) -> pd.Timedelta:
    if (isinstance(value, str) and value.strip() in ("0", "0D", "0d")) or (
        isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0
    ):
        return pd.Timedelta(0)
    return to_timedelta(name, value)


def resolve_windows(
    events: Any,
    trigger: Any,
    before: Any = None,
    after: Any = None,
    *,
    exclude: Any = None,
    trigger_day: str = "after",
    name: str = "trigger",
) -> Windows:
    """Turn ``trigger``, ``before``, ``after`` and ``exclude`` into two windows inside the
    observation window of ``events`` (validating every argument)."""
    check_choice("trigger_day", trigger_day, ["after", "before"])
    start, end = events.start, events.end
    trig = to_timestamp(name, trigger, tz=events.tz)
    if not start < trig < end:
        raise error(
            f"The `{name}` argument",
            f"must lie inside the observation window ({_d(start)}, {_d(end)}) so that both "
            "windows have positive length",
            _d(trig),
            "Pass a date inside the window, or widen it with start=/end= when reading events.",
        )
    cut = trig
    if trigger_day == "before":
        cut = trig.normalize() + pd.Timedelta(days=1)
        if cut >= end:
            raise error(
                "The `trigger_day` argument",
                "can be 'before' only when the trigger's day ends before the window does",
                trigger_day,
                "Use trigger_day='after'.",
            )
    b_ex, a_ex = _buffer(exclude)
    if before is None:
        b_start = start
    else:
        b_start, _kind = _window_bound("before", before, cut, events.tz, "before")
        if b_start >= cut:
            raise error(
                "The `before` argument",
                "must be a date earlier than the trigger, or a positive duration",
                before,
            )
        if b_start < start:
            raise error(
                "The `before` argument",
                f"must fit inside the data: the window starts on {_d(start)}, "
                f"{_days(cut - start)} before the trigger",
                before,
                "Shorten it, or pass before=None to use all data before the trigger.",
            )
    if after is None:
        a_end = end
    else:
        a_end, _kind = _window_bound("after", after, cut, events.tz, "after")
        if a_end <= cut:
            raise error(
                "The `after` argument",
                "must be a date later than the trigger, or a positive duration",
                after,
            )
        if a_end > end:
            raise error(
                "The `after` argument",
                f"must fit inside the data: the window ends on {_d(end)}, "
                f"{_days(end - cut)} after the trigger",
                after,
                "Shorten it, or pass after=None to use all data after the trigger.",
            )
    b_end = cut - b_ex
    a_start = cut + a_ex
    if b_end <= b_start:
        raise error(
            "The `exclude` argument",
            "must leave a 'before' window of positive length",
            exclude,
            "Exclude less, or lengthen the before window.",
        )
    if a_end <= a_start:
        raise error(
            "The `exclude` argument",
            "must leave an 'after' window of positive length",
            exclude,
            "Exclude less, or lengthen the after window.",
        )
    return Windows(trig, cut, b_start, b_end, a_start, a_end)


def _d(ts: pd.Timestamp) -> str:
    return str(ts.date()) if ts == ts.normalize() else str(ts)


def _days(td: pd.Timedelta) -> str:
    days = td / pd.Timedelta(days=1)
    return f"{days:g} days"


def count_in(events: Any, lo: pd.Timestamp, hi: pd.Timestamp) -> int:
    """Number of events in ``[lo, hi)``."""
    ns = events.timestamps.asi8
    return int(np.searchsorted(ns, hi.value, "left") - np.searchsorted(ns, lo.value, "left"))


# =============================================================================================
# overdispersion check
# =============================================================================================
@dataclass(frozen=True)
class DispersionCheck:
    """Are the counts per bin in each window more variable than Poisson counts?

    The Poisson methods of :func:`rate_change` assume that, within each window, the events
    form a Poisson process with one rate, so that counts per bin have variance equal to their
    mean. :func:`rate_change` checks this with :func:`dispersion_test` on the counts per
    ``freq`` bin of each window, and pools the two Pearson statistics.

    Attributes
    ----------
    freq : str
        Bin width of the counts.
    before, after : DispersionResult or None
        :func:`dispersion_test` of each window's counts (None when a window has fewer than 3
        bins or no event, or when the bins are shorter than the data's time resolution;
        ``reasons`` says which).
    statistic : float
        Pooled Pearson :math:`X^2`: the sum of the two windows' statistics, i.e. the Pearson
        statistic of the Poisson model with one rate per window.
    df : int
        Its degrees of freedom (bins minus 2, or minus 1 with one window).
    dispersion : float
        ``statistic / df`` (about 1 for Poisson counts).
    pvalue : float
        Upper-tail chi-square p-value of ``statistic`` (overdispersion).
    overdispersed : bool
        ``dispersion > 1`` and ``pvalue < level``.
    level : float
        Significance level of the check (0.05).
    reasons : tuple of str
        Why a window was left out, if one was.
    """

    freq: str
    before: Any
    after: Any
    statistic: float
    df: int
    dispersion: float
    pvalue: float
    overdispersed: bool
    level: float = DISPERSION_LEVEL
    reasons: tuple[str, ...] = ()

    @property
    def assessed(self) -> bool:
        """Whether at least one window could be checked."""
        return self.df > 0

    def table(self) -> pd.DataFrame:
        """One row per window and one for both: bins, events, dispersion, X2, df, p-value."""
        rows = []
        for name, r in (("before", self.before), ("after", self.after)):
            if r is None:
                rows.append(
                    {
                        "window": name,
                        "bins": None,
                        "events": None,
                        "dispersion": math.nan,
                        "statistic": math.nan,
                        "df": None,
                        "pvalue": math.nan,
                    }
                )
            else:
                rows.append(
                    {
                        "window": name,
                        "bins": r.n_bins,
                        "events": r.total,
                        "dispersion": r.dispersion,
                        "statistic": r.statistic,
                        "df": r.df,
                        "pvalue": r.pvalue,
                    }
                )
        rows.append(
            {
                "window": "both",
                "bins": sum(r.n_bins for r in (self.before, self.after) if r is not None),
                "events": sum(r.total for r in (self.before, self.after) if r is not None),
                "dispersion": self.dispersion,
                "statistic": self.statistic,
                "df": self.df,
                "pvalue": self.pvalue,
            }
        )
        return pd.DataFrame(rows).set_index("window").astype(object)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "freq": self.freq,
                "test": "pearson",
                "level": self.level,
                "dispersion": self.dispersion,
                "statistic": self.statistic,
                "df": self.df,
                "pvalue": self.pvalue,
                "overdispersed": self.overdispersed,
                "windows": {
                    name: None
                    if r is None
                    else {
                        "bins": r.n_bins,
                        "events": r.total,
                        "dispersion": r.dispersion,
                        "statistic": r.statistic,
                        "df": r.df,
                        "pvalue": r.pvalue,
                        "alpha": r.alpha,
                    }
                    for name, r in (("before", self.before), ("after", self.after))
                },
                "reasons": list(self.reasons),
            }
        )


def check_dispersion(bins: dict[str, Any], freq: str, resolution: str = "exact") -> DispersionCheck:
    """Run :func:`dispersion_test` on each window's counts per bin and pool the statistics.

    Bins shorter than the data's time resolution (hourly bins of day-stamped events) would
    pile every event into the first bin of its day: then nothing is checked.
    """
    from ..events import _RESOLUTION_NS
    from ..exceptions import IncidentStatsError
    from ._dispersion import dispersion_test

    found: dict[str, Any] = {}
    reasons: list[str] = []
    res_days = _RESOLUTION_NS.get(resolution, 0) / _DAY_NS
    widest = max(float(np.max(bins[w].exposure)) for w in ("before", "after"))
    too_fine = widest < res_days * (1 - 1e-9)
    for name in ("before", "after"):
        if too_fine:
            reasons.append(
                f"{name} window not checked: bins of {freq!r} are shorter than the data's "
                f"{resolution} resolution"
            )
            found[name] = None
            continue
        try:
            found[name] = dispersion_test(bins[name])
        except IncidentStatsError:
            cs = bins[name]
            why = "no event" if cs.total == 0 else f"{cs.n_bins} bins (at least 3 needed)"
            reasons.append(f"{name} window not checked: {why}")
            found[name] = None
    used = [r for r in found.values() if r is not None]
    x2 = float(sum(r.statistic for r in used))
    df = int(sum(r.df for r in used))
    if df > 0:
        from scipy import stats

        disp = x2 / df
        p = float(stats.chi2.sf(x2, df))
    else:
        disp, p = math.nan, math.nan
    over = bool(df > 0 and disp > 1 and p < DISPERSION_LEVEL)
    return DispersionCheck(
        freq=freq,
        before=found["before"],
        after=found["after"],
        statistic=x2 if df > 0 else math.nan,
        df=df,
        dispersion=disp,
        pvalue=p,
        overdispersed=over,
        reasons=tuple(reasons),
    )


def _bin_word(freq: str) -> str:
    words = {"D": "day", "W": "week", "h": "hour", "MS": "month", "M": "month", "ME": "month"}
    return words.get(freq, f"{freq} bin")


def dispersion_note(check: DispersionCheck | None, method: str) -> str | None:
    """The summary note on overdispersion (None when the counts look Poisson)."""
    if check is None or not check.overdispersed:
        return None
    what = (
        f"Counts per {_bin_word(check.freq)} are overdispersed (Pearson X2/df = "
        f"{_num(check.dispersion)} over {check.df} df, p = {_num(check.pvalue)}): they vary "
        "more than Poisson counts with one rate per window"
    )
    if method == "negbin":
        return what + ". method='negbin' allows for this."
    return (
        what + f", so the Poisson interval ('{method}') is too narrow and its p-value too "
        "small. Use method='negbin' (negative-binomial regression of the counts per bin), or "
        "a quasi-Poisson model (interrupted_time_series(..., family='quasipoisson')). A trend "
        "or a shift inside a window also inflates the dispersion."
    )


# =============================================================================================
# result
# =============================================================================================
class RateChangeResult(Result):
    """Rate after a trigger compared with the rate before it.

    Attributes
    ----------
    counts, exposures, rates : pandas Series
        Indexed ``["before", "after"]``; exposures in ``unit`` (days by default), rates per
        ``unit``.
    ratio : float
        ``rate_after / rate_before``.
    difference : float
        ``rate_after - rate_before`` (per ``unit``).
    statistic, pvalue : float
        Of the test named by :attr:`method` (``statistic`` is None for exact tests).
    method, compare, alternative, confidence_level :
        As passed.
    table : pandas DataFrame
        One row per method when several were asked for (``methods=``), else one row.
    windows : Windows or None
        The two windows (None for :func:`rate_change_counts`).
    dispersion_check : DispersionCheck or None
        Pearson dispersion of the counts per bin in each window with its p-value (None for
        :func:`rate_change_counts`, which has no counts per bin).
    overdispersed : bool or None
        Whether that check found significant overdispersion (5% level): the Poisson methods'
        intervals are then too narrow, and the summary says so and recommends
        ``method="negbin"``.
    """

    def __init__(
        self,
        c_before: int,
        t_before: float,
        c_after: int,
        t_after: float,
        *,
        method: str,
        methods: Sequence[str],
        compare: str,
        alternative: str,
        confidence_level: float,
        unit: str,
        windows: Windows | None = None,
        exclude: Any = None,
        trigger_day: str = "after",
        event_times: pd.DatetimeIndex | None = None,
        bins: dict[str, Any] | None = None,
        name: str | None = None,
        dispersion_check: DispersionCheck | None = None,
    ) -> None:
        self.counts = pd.Series({"before": c_before, "after": c_after}, dtype="int64")
        self.exposures = pd.Series({"before": t_before, "after": t_after}, dtype=float)
        self.rates = self.counts / self.exposures
        self.unit = unit
        self.method = method
        self.compare = compare
        self.alternative = alternative
        self.confidence_level = confidence_level
        self.windows = windows
        self.trigger = windows.trigger if windows is not None else None
        self.exclude = exclude
        self.trigger_day = trigger_day
        self.name = name
        self._event_times = event_times
        self._bins = bins
        self.dispersion_check = dispersion_check
        self.overdispersed = None if dispersion_check is None else dispersion_check.overdispersed
        self.dispersion_note = dispersion_note(dispersion_check, method)
        self.ratio = float(self._ratio())
        self.difference = float(self.rates["after"] - self.rates["before"])
        main = self._compute(method, confidence_level)
        self.statistic = main.statistic
        self.pvalue = main.pvalue
        self.description = main.description
        self._main = main
        rows = [self._compute(m, confidence_level) for m in methods]
        self.table = pd.DataFrame(
            [
                {
                    "method": r.method,
                    "estimate": r.estimate,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "statistic": r.statistic,
                    "pvalue": r.pvalue,
                    "description": r.description,
                }
                for r in rows
            ]
        ).set_index("method")

    def _ratio(self) -> float:
        cb, ca = int(self.counts["before"]), int(self.counts["after"])
        if cb == 0:
            return math.inf if ca > 0 else math.nan
        return float(self.rates["after"] / self.rates["before"])

    def _compute(self, method: str, level: float) -> TwoSample:
        cb, ca = int(self.counts["before"]), int(self.counts["after"])
        tb, ta = float(self.exposures["before"]), float(self.exposures["after"])
        if method == "negbin":
            from ._dispersion import negbin_two_sample

            assert self._bins is not None
            return negbin_two_sample(
                self._bins, self.compare, self.alternative, level, estimate_ratio=self.ratio
            )
        return two_sample(
            ca,
            ta,
            cb,
            tb,
            method=method,
            compare=self.compare,
            alternative=self.alternative,
            confidence_level=level,
        )

    @property
    def estimate(self) -> float:
        """The compared quantity: :attr:`ratio` or :attr:`difference`."""
        return self.ratio if self.compare == "ratio" else self.difference

    @property
    def params(self) -> pd.Series:
        return pd.Series(
            {
                "rate_before": self.rates["before"],
                "rate_after": self.rates["after"],
                "ratio": self.ratio,
                "difference": self.difference,
            }
        )

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of the ratio (or difference, with ``compare="diff"``) by :attr:`method`."""
        if confidence_level is None:
            r = self._main
        else:
            r = self._compute(self.method, check_confidence_level(confidence_level))
        return ConfidenceInterval(r.ci_low, r.ci_high, r.confidence_level, self.method)

    def rate_intervals(self, confidence_level: float | None = None) -> pd.DataFrame:
        """Exact (Garwood) interval of each window's rate, per ``unit``."""
        cl = self.confidence_level if confidence_level is None else confidence_level
        cl = check_confidence_level(cl)
        rows = []
        for w in ("before", "after"):
            low, high = one_sample_ci(
                int(self.counts[w]), float(self.exposures[w]), "exact", cl, "two-sided"
            )
            rows.append(
                {
                    "window": w,
                    "events": int(self.counts[w]),
                    "exposure": float(self.exposures[w]),
                    "rate": float(self.rates[w]),
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        return pd.DataFrame(rows).set_index("window")

    # -- presentation -------------------------------------------------------------------------
    def summary(self) -> Summary:
        unit1 = _unit_word(self.unit, 1)
        title = "Rate change"
        if self.trigger is not None:
            title += f" at {_d(self.trigger)}"
        if self.name:
            title += f": {self.name}"
        s = Summary(title)
        s.add_fact("Method", f"{self.method}: {self.description}")
        if self.windows is not None:
            w = self.windows
            s.add_fact("Before window", f"[{_d(w.before_start)}, {_d(w.before_end)})")
            s.add_fact("After window", f"[{_d(w.after_start)}, {_d(w.after_end)})")
        s.add_fact("Events before / after", f"{self.counts['before']} / {self.counts['after']}")
        s.add_fact(
            f"Exposure before / after ({_unit_word(self.unit)})",
            f"{_num(self.exposures['before'])} / {_num(self.exposures['after'])}",
        )
        s.add_fact(
            f"Rate per {unit1} before / after",
            f"{_num(self.rates['before'])} / {_num(self.rates['after'])}",
        )
        ci = self.confidence_interval()
        what = "Rate ratio (after / before)" if self.compare == "ratio" else "Rate difference"
        s.add_fact(what, self.estimate)
        s.add_fact(f"{format_pct(self.confidence_level)} CI", ci)
        stat_label = "Test statistic" if self.statistic is not None else None
        if stat_label:
            s.add_fact(stat_label, self.statistic)
        s.add_fact(f"p-value ({self.alternative})", self.pvalue)
        chk = self.dispersion_check
        if chk is not None and chk.assessed:
            per = ", ".join(
                f"{name} {'-' if r is None else _num(r.dispersion)}"
                for name, r in (("before", chk.before), ("after", chk.after))
            )
            s.add_fact(
                f"Dispersion per {_bin_word(chk.freq)} (Pearson X2/df)",
                f"{per}; both {_num(chk.dispersion)}, p = {_num(chk.pvalue)}",
            )
        s.add_table(
            f"Rates per {unit1} with exact {format_pct(self.confidence_level)} intervals",
            self.rate_intervals(),
        )
        if len(self.table) > 1:
            s.add_table("Methods compared", self.table.drop(columns=["description"]))
        if self.dispersion_note is not None:
            s.add_note(self.dispersion_note)
        if chk is None:
            s.add_note(
                "Overdispersion was not checked: totals alone cannot show it (rate_change() "
                "on event data checks the counts per day)."
            )
        elif not chk.assessed:
            s.add_note("Overdispersion was not checked: " + "; ".join(chk.reasons) + ".")
        small = int(self.counts.min())
        if small < 20:
            s.add_note(
                f"Small counts (the smaller window holds {small} events): the p-value and "
                "interval depend on the method, so the exact conditional test is the default "
                "and asymptotic methods (score, Wald) can be anti-conservative; a change of "
                "less than about a factor of two is hard to detect."
            )
        s.add_note(
            "If the trigger date was chosen after looking at these data, this p-value is too "
            "small: use placebo_test(), which ranks the change at the trigger among changes at "
            "other dates."
        )
        if self.windows is not None:
            s.add_note(
                "Events on the trigger's own day count in the "
                f"'{self.trigger_day}' window (trigger_day='{self.trigger_day}')."
            )
        if self.exclude is not None:
            s.add_note(f"A buffer around the trigger was left out (exclude={self.exclude!r}).")
        s.add_note(
            "A change in rate at a date is an association in time, not proof that the trigger "
            "caused it."
        )
        return s

    def to_dict(self) -> dict[str, Any]:
        ci = self.confidence_interval()
        return jsonable(
            {
                "kind": "rate_change",
                "name": self.name,
                "trigger": self.trigger,
                "windows": self.windows.to_dict() if self.windows is not None else None,
                "trigger_day": self.trigger_day,
                "exclude": None if self.exclude is None else str(self.exclude),
                "unit": self.unit,
                "counts": {k: int(v) for k, v in self.counts.items()},
                "exposures": self.exposures,
                "rates": self.rates,
                "rate_intervals": self.rate_intervals().reset_index(),
                "ratio": self.ratio,
                "difference": self.difference,
                "compare": self.compare,
                "estimate": self.estimate,
                "method": self.method,
                "description": self.description,
                "alternative": self.alternative,
                "confidence_level": self.confidence_level,
                "confidence_interval": ci,
                "statistic": self.statistic,
                "pvalue": self.pvalue,
                "methods": self.table.reset_index(),
                "overdispersed": self.overdispersed,
                "dispersion": None
                if self.dispersion_check is None
                else {**self.dispersion_check.to_dict(), "note": self.dispersion_note},
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Timeline of events with both windows shaded and their rates with exact intervals."""
        from ..plotting.rates import plot_rate_change

        return plot_rate_change(self, ax=ax)


def _num(x: float) -> str:
    from .._results import format_number

    return format_number(float(x))


# =============================================================================================
# public functions
# =============================================================================================
def _check_methods(method: str | None, methods: Any, compare: str) -> tuple[str, list[str]]:
    options = list(ALL_METHODS) if compare == "ratio" else list(DIFF_METHODS)
    if method is None:
        method = "exact-cond" if compare == "ratio" else "score"
    check_choice("method", method, options, "rate_change")
    if methods is None:
        return method, [method]
    if isinstance(methods, str) or not isinstance(methods, (list, tuple)):
        raise type_error(
            "The `methods` argument",
            "must be a list of method names",
            methods,
            "Pass e.g. methods=['exact-cond', 'score'].",
        )
    if not methods:
        raise error("The `methods` argument", "must name at least one method", methods)
    for m in methods:
        check_choice("methods", m, options, "rate_change")
    return method, list(dict.fromkeys(methods))


def rate_change_counts(
    count_before: int,
    exposure_before: float,
    count_after: int,
    exposure_after: float,
    *,
    method: str | None = None,
    methods: Sequence[str] | None = None,
    compare: str = "ratio",
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
    unit: str = "D",
) -> RateChangeResult:
    """Compare two Poisson rates given as counts and exposures (after vs before).

    The same inference as :func:`rate_change` without event data: ``count_after`` events in
    ``exposure_after`` against ``count_before`` in ``exposure_before``.

    Parameters
    ----------
    count_before, exposure_before, count_after, exposure_after : number
        Whole counts >= 0 and exposures > 0 (in ``unit``; only the ratio of exposures matters
        for the ratio).
    method, methods, compare, alternative, confidence_level :
        As in :func:`rate_change` (default method: "exact-cond" for ratios, "score" for
        differences; ``method="negbin"`` needs binned event data and is not available here).
    unit : str
        Label of the exposure unit (for the summary).

    Returns
    -------
    RateChangeResult

    Notes
    -----
    Conditional on the total :math:`n = N_a + N_b`, :math:`N_a \\sim
    \\text{Binomial}(n, p)` with :math:`p = \\rho T_a / (\\rho T_a + T_b)` where
    :math:`\\rho` is the rate ratio. The exact conditional test is the binomial test of
    :math:`p = T_a/(T_a+T_b)`; its interval inverts the Clopper-Pearson interval of :math:`p`
    (as R's ``poisson.test``).

    References
    ----------
    Przyborowski, J., Wilenski, H. (1940). Homogeneity of results in testing samples from
    Poisson series. Biometrika 31, 313-323.
    Gu, K., Ng, H. K. T., Tang, M. L., Schucany, W. R. (2008). Testing the ratio of two
    Poisson rates. Biometrical Journal 50, 283-298.
    Krishnamoorthy, K., Thomson, J. (2004). A more powerful test for comparing two Poisson
    means. Journal of Statistical Planning and Inference 119, 23-35.

    Examples
    --------
    >>> import incidentstats as ist
    >>> rc = ist.rate_change_counts(13, 67, 26, 67)
    >>> rc.ratio, round(rc.pvalue, 5)
    (2.0, 0.05325)
    >>> [round(x, 4) for x in rc.confidence_interval()]
    [0.9913, 4.2389]
    """
    check_choice("compare", compare, ["ratio", "diff"], "rate_change_counts")
    method, mlist = _check_methods(method, methods, compare)
    if "negbin" in mlist:
        raise error(
            "The `method` argument",
            "cannot be 'negbin' with counts alone (it needs counts per time bin)",
            "negbin",
            "Use rate_change(events, ...) for the negative-binomial variant.",
        )
    return RateChangeResult(
        check_count("count_before", count_before),
        check_exposure("exposure_before", exposure_before),
        check_count("count_after", count_after),
        check_exposure("exposure_after", exposure_after),
        method=method,
        methods=mlist,
        compare=compare,
        alternative=check_alternative(alternative),
        confidence_level=check_confidence_level(confidence_level),
        unit=unit,
    )


def rate_change(
    events: Any,
    trigger: Any,
    before: Any = None,
    after: Any = None,
    *,
    method: str | None = None,
    methods: Sequence[str] | None = None,
    compare: str = "ratio",
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
    exclude: Any = None,
    trigger_day: str = "after",
    unit: str = "D",
    freq: str = "D",
) -> RateChangeResult:
    """Did the rate of events change at a trigger date? Rates before and after, compared.

    Parameters
    ----------
    events : EventSeries
        The events and their observation window ``[start, end)``.
    trigger : date-like
        The date that may have changed the rate; must lie inside the window.
    before, after : duration, date or None
        The windows. ``None`` (default) uses all data before / after the trigger inside
        ``[start, end)``; a duration such as ``"67D"``, ``"4W"`` or a number of days counts
        from the trigger; a date gives the window's far edge (e.g. the previous or next
        trigger). A window reaching outside the data is an error, not silently cut.
    method : str, optional
        ``"exact-cond"`` (the default for ratios; exact conditional binomial test with
        Clopper-Pearson interval, as R's ``poisson.test``), ``"cond-midp"``, ``"score"``,
        ``"wald-log"``, ``"etest"``, ``"mover"`` (score test, MOVER interval) or ``"negbin"``
        (negative-binomial regression of the counts per ``freq`` bin on a before/after
        indicator, for overdispersed counts; Wald test and interval).
    methods : list of str, optional
        Several methods side by side: :attr:`RateChangeResult.table` gets one row each; the
        headline numbers stay those of ``method``.
    compare : {"ratio", "diff"}
        Compare rates by their ratio (after / before) or difference (after - before). For
        differences the methods are "score" (default), "wald", "etest" and "mover".
    alternative : {"two-sided", "less", "greater"}
        "greater": the rate after is larger. One-sided alternatives give one-sided intervals.
    confidence_level : float
        Confidence level of intervals (default 0.95).
    exclude : duration or (duration, duration), optional
        Buffer left out around the trigger (anticipation, or the trigger's immediate
        aftermath): a pair gives the part before and after the trigger. Window lengths keep
        counting from the trigger, so the buffer shortens the windows.
    trigger_day : {"after", "before"}
        Which window the trigger's own day belongs to. Default "after": the cut is at the
        trigger itself, so events stamped with the trigger date count after it. "before" moves
        the cut to the end of the trigger's day (windows given as durations count from there).
    unit : str
        Time unit of exposures and rates ("D" days, "W" weeks, "h" hours).
    freq : str
        Bin width of the counts for ``method="negbin"`` and for the overdispersion check
        (default "D": counts per day).

    Returns
    -------
    RateChangeResult

    Notes
    -----
    Events in each window are modelled as Poisson counts :math:`N_b \\sim
    \\text{Poisson}(\\lambda_b T_b)`, :math:`N_a \\sim \\text{Poisson}(\\lambda_a T_a)`; the
    question is whether :math:`\\rho = \\lambda_a / \\lambda_b` equals 1. With few events the
    method matters (13 vs 26 events in equal windows: exact conditional p = 0.053, score
    p = 0.037), so the result states the method it used. Tests and asymptotic intervals
    come from :mod:`statsmodels.stats.rates`; see :func:`rate_change_counts` for the exact
    conditional interval.

    A p-value is valid only if the trigger date was fixed before looking at the data; when it
    was not, use :func:`placebo_test`.

    **Overdispersion.** The Poisson methods assume counts per bin with variance equal to the
    mean. Clustered events (contagion, reporting in batches, unmodelled covariates) make the
    counts overdispersed, and then the Poisson interval is too narrow and the p-value too
    small. Every result therefore checks it: :func:`dispersion_test` on the counts per
    ``freq`` bin of each window (Pearson :math:`X^2_b`, :math:`X^2_a` with :math:`n_b - 1`,
    :math:`n_a - 1` degrees of freedom, rate estimated within each window), pooled as
    :math:`X^2_b + X^2_a \\sim \\chi^2_{n_b + n_a - 2}` — the Pearson statistic of the Poisson
    model with one rate per window (Cameron and Trivedi 1990) — in
    :attr:`RateChangeResult.dispersion_check`. When the pooled test rejects at the 5% level,
    the summary says that the Poisson interval is too narrow and recommends
    ``method="negbin"`` (or a quasi-Poisson segmented regression,
    :func:`interrupted_time_series` with ``family="quasipoisson"``). No warning is raised: the
    numbers of the chosen method are unchanged. The check is conditional on each window's
    total, so it holds its level with sparse counts (measured: 4,000 pairs of Poisson windows
    of 30-365 days at 0.05-5 events per day rejected 4.2-5.9% of the time at the 5% level).
    It has little power with few events, and a trend or shift inside a window also counts as
    overdispersion.

    References
    ----------
    Przyborowski, J., Wilenski, H. (1940). Homogeneity of results in testing samples from
    Poisson series. Biometrika 31, 313-323.
    Gu, K., Ng, H. K. T., Tang, M. L., Schucany, W. R. (2008). Testing the ratio of two
    Poisson rates. Biometrical Journal 50, 283-298.
    Cameron, A. C., Trivedi, P. K. (1990). Regression-based tests for overdispersion in the
    Poisson model. Journal of Econometrics 46, 347-364.

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.datasets.load_iraq_attacks()
    >>> rc = ist.rate_change(ev, "2020-01-03", before="67D", after="67D")
    >>> rc.counts.tolist(), rc.method
    ([11, 12], 'exact-cond')
    >>> rc.overdispersed, rc.dispersion_check.df
    (False, 132)
    """
    from ..events import EventSeries, unit_nanoseconds

    if not isinstance(events, EventSeries):
        raise type_error(
            "The `events` argument of rate_change",
            "must be an EventSeries",
            type(events).__name__,
            "Build one with ist.read_events(...) or ist.EventSeries(times, start=, end=); "
            "for plain counts use rate_change_counts().",
        )
    check_choice("compare", compare, ["ratio", "diff"], "rate_change")
    method, mlist = _check_methods(method, methods, compare)
    alternative = check_alternative(alternative)
    cl = check_confidence_level(confidence_level)
    unit_ns = unit_nanoseconds(unit)
    w = resolve_windows(events, trigger, before, after, exclude=exclude, trigger_day=trigger_day)
    cb = count_in(events, w.before_start, w.before_end)
    ca = count_in(events, w.after_start, w.after_end)
    tb, ta = w.exposure("before", unit_ns), w.exposure("after", unit_ns)
    bins = {
        "before": events.window(w.before_start, w.before_end).counts(freq),
        "after": events.window(w.after_start, w.after_end).counts(freq),
        "unit_days": unit_ns / _DAY_NS,
    }
    check = check_dispersion(bins, freq, events.resolution)
    ts = events.timestamps
    shown = ts[(ts >= w.before_start) & (ts < w.after_end)]
    return RateChangeResult(
        cb,
        tb,
        ca,
        ta,
        method=method,
        methods=mlist,
        compare=compare,
        alternative=alternative,
        confidence_level=cl,
        unit=unit,
        windows=w,
        exclude=exclude,
        trigger_day=trigger_day,
        event_times=shown,
        bins=bins,
        name=events.name,
        dispersion_check=check,
    )
