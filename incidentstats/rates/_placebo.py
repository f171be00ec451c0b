"""Placebo (permutation-in-time) test of a rate change, and several triggers at once."""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._results import ConfidenceInterval, Result, Summary, jsonable
from .._validation import (
    check_choice,
    check_confidence_level,
    check_positive,
    check_rng,
    error,
    to_timedelta,
    to_timestamp,
    type_error,
)
from ..exceptions import SmallSampleWarning
from ._change import (
    ALL_METHODS,
    RateChangeResult,
    _d,
    rate_change,
)
from ._poisson import check_alternative, format_pct

__all__ = [
    "MultipleTriggersResult",
    "PlaceboResult",
    "multiple_triggers",
    "placebo_test",
]

STATISTICS = ("score", "log_ratio")


def window_statistic(
    c_before: np.ndarray,
    t_before: np.ndarray,
    c_after: np.ndarray,
    t_after: np.ndarray,
    statistic: str,
) -> np.ndarray:
    """Signed change statistic of after vs before, vectorised.

    ``"score"``: conditional score statistic :math:`(N_a - n p_0)/\\sqrt{n p_0 (1-p_0)}` with
    :math:`p_0 = T_a/(T_a+T_b)` (0 when :math:`n = 0`); equals the score statistic of
    ``statsmodels.stats.rates.test_poisson_2indep``. ``"log_ratio"``: log of the rate ratio
    with 0.5 added to each count.
    """
    cb = np.asarray(c_before, float)
    ca = np.asarray(c_after, float)
    tb = np.asarray(t_before, float)
    ta = np.asarray(t_after, float)
    if statistic == "log_ratio":
        return np.log((ca + 0.5) / ta) - np.log((cb + 0.5) / tb)
    n = ca + cb
    p0 = ta / (ta + tb)
    var = n * p0 * (1 - p0)
    out = np.zeros_like(n)
    ok = var > 0
    out[ok] = (ca[ok] - n[ok] * p0[ok]) / np.sqrt(var[ok])
    return out


def rank_pvalue(observed: float, placebo: np.ndarray, alternative: str) -> float:
    """(1 + #{placebo at least as extreme}) / (1 + n); ties count as extreme."""
    tol = 1e-12 * max(1.0, abs(observed))
    if alternative == "two-sided":
        k = np.count_nonzero(np.abs(placebo) >= abs(observed) - tol)
    elif alternative == "greater":
        k = np.count_nonzero(placebo >= observed - tol)
    else:
        k = np.count_nonzero(placebo <= observed + tol)
    return float((1 + k) / (1 + len(placebo)))


class PlaceboResult(Result):
    """The change at the trigger ranked among the same change at placebo dates.

    Attributes
    ----------
    observed : float
        Statistic at the real trigger.
    placebo : pandas Series
        Statistic at each placebo date used (index: the dates).
    pvalue : float
        Rank p-value ``(1 + #{placebo at least as extreme}) / (1 + n_placebo)``.
    n_placebo, n_admissible : int
        Placebo dates used, and the admissible dates they were drawn from.
    exhaustive : bool
        Whether every admissible date was used.
    rate_change : RateChangeResult
        The comparison at the real trigger.
    """

    def __init__(
        self,
        *,
        rc: RateChangeResult,
        observed: float,
        placebo: pd.Series,
        n_admissible: int,
        statistic: str,
        alternative: str,
        buffer: str,
        windows_rule: str,
        seed_given: bool,
    ) -> None:
        self.rate_change = rc
        self.trigger = rc.trigger
        self.observed = float(observed)
        self.placebo = placebo
        self.n_placebo = len(placebo)
        self.n_admissible = n_admissible
        self.exhaustive = self.n_placebo == n_admissible
        self.statistic = statistic
        self.alternative = alternative
        self.buffer = buffer
        self.windows_rule = windows_rule
        self.pvalue = rank_pvalue(self.observed, placebo.to_numpy(float), alternative)
        self.seed_given = seed_given
        self.min_pvalue = 1.0 / (1 + self.n_placebo)

    @property
    def params(self) -> pd.Series:
        return pd.Series({"observed": self.observed, "pvalue": self.pvalue})

    def summary(self) -> Summary:
        s = Summary(f"Placebo test of the rate change at {_d(self.trigger)}")
        s.add_fact("Statistic", _STAT_LABEL[self.statistic])
        s.add_fact("Windows", self.windows_rule)
        s.add_fact("Observed statistic", self.observed)
        s.add_fact("Exact-conditional p at the trigger", self.rate_change.pvalue)
        s.add_fact("Placebo dates used / admissible", f"{self.n_placebo} / {self.n_admissible}")
        s.add_fact("Excluded around real triggers", self.buffer)
        s.add_fact(f"Placebo p-value ({self.alternative})", self.pvalue)
        q = self.placebo.quantile([0.025, 0.5, 0.975])
        s.add_fact(
            "Placebo statistic 2.5% / 50% / 97.5%",
            " / ".join(f"{v:.3g}" for v in q.to_numpy()),
        )
        s.add_note(
            "The placebo p-value asks how unusual the change at the trigger is among changes "
            "at other dates of the same series; it stays valid when the trigger date was "
            "picked after looking at the data, and absorbs overdispersion and slow trends "
            "that the exact test ignores."
        )
        if self.n_placebo < 19:
            s.add_note(
                f"Only {self.n_placebo} placebo dates: the smallest attainable p-value is "
                f"{self.min_pvalue:.3g}."
            )
        s.add_note(
            "Placebo windows overlap each other, so placebo statistics are dependent; the "
            "rank p-value is a calibration, not an exact permutation test."
        )
        return s

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "kind": "placebo_test",
                "trigger": self.trigger,
                "statistic": self.statistic,
                "observed": self.observed,
                "pvalue": self.pvalue,
                "alternative": self.alternative,
                "n_placebo": self.n_placebo,
                "n_admissible": self.n_admissible,
                "exhaustive": self.exhaustive,
                "buffer": self.buffer,
                "windows_rule": self.windows_rule,
                "placebo_quantiles": {
                    str(k): float(v)
                    for k, v in self.placebo.quantile([0.025, 0.25, 0.5, 0.75, 0.975]).items()
                },
                "rate_change": self.rate_change.to_dict(),
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Histogram of the placebo statistics with the observed one marked."""
        from ..plotting.rates import plot_placebo

        return plot_placebo(self, ax=ax)


_STAT_LABEL = {
    "score": "conditional score z of after vs before",
    "log_ratio": "log rate ratio (0.5 added to counts)",
}


def placebo_test(
    events: Any,
    trigger: Any,
    before: Any = None,
    after: Any = None,
    *,
    n_placebo: int | None = 999,
    rng: Any = None,
    triggers: Sequence[Any] | None = None,
    buffer: Any = None,
    statistic: str = "score",
    alternative: str = "two-sided",
    exclude: Any = None,
    trigger_day: str = "after",
    step: Any = "1D",
) -> PlaceboResult:
    """Rank the rate change at a trigger among the same change at placebo dates.

    The honest test when the trigger date was chosen after seeing the data (or when counts
    are overdispersed): the same windows are laid at other dates of the series, the same
    statistic is computed at each, and the p-value is the rank of the real change.

    Parameters
    ----------
    events : EventSeries
    trigger : date-like
        The real trigger.
    before, after : duration, date or None
        The windows, as in :func:`rate_change`. A date is turned into the window length it
        implies at the real trigger; ``None``, or a window reaching the start / end of the
        data, stays "all data before / after" at every placebo date.
    n_placebo : int or None
        Placebo dates drawn (without replacement) from the admissible ones; ``None``, or a
        number at least as large as the admissible dates, uses them all (no randomness).
    rng : int, Generator or None
        Seed or generator for drawing the dates.
    triggers : list of date-like, optional
        Other real triggers: placebo windows avoid them as they avoid ``trigger``.
    buffer : duration, optional
        Placebo dates closer than this to a real trigger are not admissible. Default: with
        windows of fixed length, no placebo window may contain a real trigger; with
        ``before=None`` or ``after=None``, 30 days.
    statistic : {"score", "log_ratio"}
        The change statistic (signed): conditional score z (default; comparable across
        windows of different exposure) or the log rate ratio.
    alternative : {"two-sided", "less", "greater"}
    exclude, trigger_day :
        As in :func:`rate_change`, applied at every placebo date.
    step : duration
        Spacing of candidate placebo dates, counted from the trigger (default one day).

    Returns
    -------
    PlaceboResult

    Notes
    -----
    With statistic :math:`S(d)` at date :math:`d` and placebo dates :math:`d_1..d_m`, the
    p-value is :math:`(1 + \\#\\{i: |S(d_i)| \\ge |S(t)|\\})/(1+m)` (two-sided). Under the
    null that the trigger is exchangeable with the placebo dates it is valid whatever the
    process (overdispersion, clustering); placebo windows overlap, so it is not an exact
    permutation test of a Poisson null.

    References
    ----------
    Abadie, A., Diamond, A., Hainmueller, J. (2010). Synthetic control methods for
    comparative case studies. JASA 105, 493-505 (in-time placebo studies).

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.datasets.load_iraq_attacks()
    >>> pl = ist.placebo_test(ev, "2020-01-03", before="67D", after="67D", n_placebo=199, rng=1)
    >>> pl.n_placebo, 0 < pl.pvalue <= 1
    (199, True)
    """
    check_choice("statistic", statistic, list(STATISTICS), "placebo_test")
    alternative = check_alternative(alternative)
    if n_placebo is not None:
        check_positive("n_placebo", n_placebo, integer=True)
    gen = check_rng(rng)
    step_td = to_timedelta("step", step)
    rc = rate_change(events, trigger, before, after, exclude=exclude, trigger_day=trigger_day)
    w = rc.windows
    assert w is not None
    start, end = events.start, events.end
    cut_shift = w.cut - w.trigger
    b_ex = w.cut - w.before_end
    a_ex = w.after_start - w.cut
    # a window reaching the edge of the data means "all data" (as None does)
    b_len = None if before is None or w.before_start == start else w.cut - w.before_start
    a_len = None if after is None or w.after_end == end else w.after_end - w.cut
    real = [w.trigger]
    for t in triggers or []:
        real.append(to_timestamp("triggers", t, tz=events.tz))
    # candidate trigger dates: trigger + k * step inside the window
    k_lo = -math.floor((w.trigger - start) / step_td)
    k_hi = math.floor((end - w.trigger) / step_td)
    ks = np.arange(k_lo, k_hi + 1)
    ks = ks[ks != 0]
    step_ns = step_td.value
    d_ns = w.trigger.value + ks * step_ns
    cut_ns = d_ns + cut_shift.value
    bs = np.full_like(cut_ns, start.value) if b_len is None else cut_ns - b_len.value
    ae = np.full_like(cut_ns, end.value) if a_len is None else cut_ns + a_len.value
    be = cut_ns - b_ex.value
    as_ = cut_ns + a_ex.value
    ok = (bs >= start.value) & (ae <= end.value) & (be > bs) & (ae > as_)
    if buffer is None:
        if b_len is not None and a_len is not None:
            buf_text = "no placebo window contains a real trigger"
            for t in real:
                tv = t.value
                ok &= ~((bs < tv) & (tv < ae))
                ok &= d_ns != tv
        else:
            buf_td = pd.Timedelta(days=30)
            buf_text = "30 days either side"
            for t in real:
                ok &= np.abs(d_ns - t.value) >= buf_td.value
    else:
        buf_td = to_timedelta("buffer", buffer)
        buf_text = f"{buf_td / pd.Timedelta(days=1):g} days either side"
        for t in real:
            ok &= np.abs(d_ns - t.value) >= buf_td.value
    d_ns, bs, be, as_, ae = d_ns[ok], bs[ok], be[ok], as_[ok], ae[ok]
    n_adm = len(d_ns)
    if n_adm == 0:
        raise error(
            "The `before`/`after` windows",
            "must leave room for placebo dates away from the real triggers",
            "no admissible placebo date",
            "Use shorter windows, a smaller buffer=, or a longer series.",
        )
    if n_placebo is not None and n_placebo < n_adm:
        pick = np.sort(gen.choice(n_adm, size=int(n_placebo), replace=False))
        d_ns, bs, be, as_, ae = d_ns[pick], bs[pick], be[pick], as_[pick], ae[pick]
    ns = events.timestamps.asi8
    cb = np.searchsorted(ns, be, "left") - np.searchsorted(ns, bs, "left")
    ca = np.searchsorted(ns, ae, "left") - np.searchsorted(ns, as_, "left")
    stat = window_statistic(cb, (be - bs) / 1.0, ca, (ae - as_) / 1.0, statistic)
    obs = window_statistic(
        np.array([rc.counts["before"]]),
        np.array([rc.exposures["before"]]),
        np.array([rc.counts["after"]]),
        np.array([rc.exposures["after"]]),
        statistic,
    )[0]
    dates = pd.DatetimeIndex(d_ns.view("datetime64[ns]"))
    if events.tz is not None:
        dates = dates.tz_localize("UTC").tz_convert(events.tz)
    placebo = pd.Series(stat, index=dates, name=statistic)
    placebo.index.name = "date"
    rule = (
        f"before: {'all data' if b_len is None else _days(b_len)}, "
        f"after: {'all data' if a_len is None else _days(a_len)}"
    )
    if len(placebo) < 19:
        warnings.warn(
            f"Only {len(placebo)} placebo dates are admissible: the placebo p-value cannot go "
            f"below {1 / (1 + len(placebo)):.3g}. Use shorter windows for more placebo dates.",
            SmallSampleWarning,
            stacklevel=2,
        )
    return PlaceboResult(
        rc=rc,
        observed=float(obs),
        placebo=placebo,
        n_admissible=n_adm,
        statistic=statistic,
        alternative=alternative,
        buffer=buf_text,
        windows_rule=rule,
        seed_given=rng is not None,
    )


def _days(td: pd.Timedelta) -> str:
    return f"{td / pd.Timedelta(days=1):g} days"


# =============================================================================================
# several triggers
# =============================================================================================
class MultipleTriggersResult(Result):
    """Rate change at each of several triggers, each window stopping at the next trigger.

    Attributes
    ----------
    table : pandas DataFrame
        One row per trigger: windows, counts, exposures (days), rates, ratio, interval,
        p-value and the Holm-adjusted p-value.
    results : list of RateChangeResult
        The full comparison at each trigger.
    """

    def __init__(
        self,
        results: list[RateChangeResult],
        *,
        method: str,
        adjust: str,
        confidence_level: float,
        alternative: str,
        name: str | None,
        event_times: pd.DatetimeIndex,
        window: tuple[pd.Timestamp, pd.Timestamp],
    ) -> None:
        from statsmodels.stats.multitest import multipletests

        self.results = results
        self.method = method
        self.adjust = adjust
        self.confidence_level = confidence_level
        self.alternative = alternative
        self.name = name
        self._event_times = event_times
        self._window = window
        rows = []
        for r in results:
            w = r.windows
            assert w is not None
            ci = r.confidence_interval()
            rows.append(
                {
                    "trigger": w.trigger,
                    "before_start": w.before_start,
                    "after_end": w.after_end,
                    "events_before": int(r.counts["before"]),
                    "exposure_before": float(r.exposures["before"]),
                    "events_after": int(r.counts["after"]),
                    "exposure_after": float(r.exposures["after"]),
                    "rate_before": float(r.rates["before"]),
                    "rate_after": float(r.rates["after"]),
                    "ratio": r.ratio,
                    "ci_low": ci.low,
                    "ci_high": ci.high,
                    "pvalue": r.pvalue,
                }
            )
        table = pd.DataFrame(rows)
        p = table["pvalue"].to_numpy(float)
        if adjust == "none":
            table["pvalue_adjusted"] = p
        else:
            table["pvalue_adjusted"] = multipletests(p, method=adjust)[1]
        self.table = table.set_index("trigger")

    @property
    def triggers(self) -> list[pd.Timestamp]:
        return list(self.table.index)

    def confidence_intervals(self) -> list[ConfidenceInterval]:
        return [r.confidence_interval() for r in self.results]

    def summary(self) -> Summary:
        s = Summary("Rate change at several triggers" + (f": {self.name}" if self.name else ""))
        s.add_fact("Method", f"{self.method}: {self.results[0].description}")
        s.add_fact("Triggers", len(self.results))
        s.add_fact("Multiple-testing adjustment", self.adjust)
        s.add_fact("Confidence level", format_pct(self.confidence_level))
        cols = [
            "events_before",
            "exposure_before",
            "events_after",
            "exposure_after",
            "ratio",
            "ci_low",
            "ci_high",
            "pvalue",
            "pvalue_adjusted",
        ]
        s.add_table("Each trigger (windows stop at the neighbouring triggers)", self.table[cols])
        s.add_note(
            "Each before-window starts at the previous trigger and each after-window ends at "
            "the next one, so the windows of neighbouring triggers share their events."
        )
        s.add_note(
            f"Adjusted p-values ({self.adjust}) control the chance of any false rejection "
            "across the triggers; they are still too small if the dates were chosen after "
            "looking at the data."
        )
        return s

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "kind": "multiple_triggers",
                "name": self.name,
                "method": self.method,
                "adjust": self.adjust,
                "confidence_level": self.confidence_level,
                "alternative": self.alternative,
                "table": self.table.reset_index(),
                "results": [r.to_dict() for r in self.results],
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Events over time with each segment's rate and its exact interval."""
        from ..plotting.rates import plot_multiple_triggers

        return plot_multiple_triggers(self, ax=ax)


def multiple_triggers(
    events: Any,
    triggers: Sequence[Any],
    before: Any = None,
    after: Any = None,
    *,
    method: str = "exact-cond",
    adjust: str = "holm",
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
    exclude: Any = None,
    trigger_day: str = "after",
    unit: str = "D",
) -> MultipleTriggersResult:
    """Rate change at each of several triggers, with multiplicity-adjusted p-values.

    Each trigger's before-window starts at the previous trigger (or the start of the data)
    and its after-window ends at the next trigger (or the end of the data); ``before`` /
    ``after`` durations shorten them further.

    Parameters
    ----------
    events : EventSeries
    triggers : list of date-like
        At least one date inside the window; sorted here; duplicates are an error.
    before, after : duration or None
        Maximal window lengths (cut at the neighbouring triggers).
    method : str
        As in :func:`rate_change` (default "exact-cond").
    adjust : {"holm", "bonferroni", "fdr_bh", "none"}
        Multiple-testing adjustment (statsmodels ``multipletests``).
    alternative, confidence_level, exclude, trigger_day, unit :
        As in :func:`rate_change`.

    Returns
    -------
    MultipleTriggersResult

    Notes
    -----
    Holm's step-down procedure controls the family-wise error rate under any dependence
    between the tests (neighbouring windows share events).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
    Journal of Statistics 6, 65-70.

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.datasets.load_iraq_attacks()
    >>> mt = ist.multiple_triggers(ev, ["2020-01-03", "2020-03-11", "2020-06-08"])
    >>> mt.table["events_before"].tolist()
    [11, 12, 8]
    """
    check_choice("method", method, list(ALL_METHODS), "multiple_triggers")
    check_choice("adjust", adjust, ["holm", "bonferroni", "fdr_bh", "none"], "multiple_triggers")
    alternative = check_alternative(alternative)
    cl = check_confidence_level(confidence_level)
    if isinstance(triggers, (str, pd.Timestamp)) or not isinstance(
        triggers, (list, tuple, pd.Index, pd.Series, np.ndarray)
    ):
        raise type_error(
            "The `triggers` argument",
            "must be a list of dates",
            triggers,
            "Pass e.g. triggers=['2020-01-03', '2020-03-11'], or use rate_change() for one.",
        )
    dates = sorted(to_timestamp("triggers", t, tz=events.tz) for t in list(triggers))
    if not dates:
        raise error("The `triggers` argument", "must hold at least one date", "[]")
    dup = [d for a, d in itertools.pairwise(dates) if a == d]
    if dup:
        raise error(
            "The `triggers` argument", "must not repeat a date", _d(dup[0]), "Drop duplicates."
        )
    outside = [d for d in dates if not events.start < d < events.end]
    if outside:
        raise error(
            "The `triggers` argument",
            f"must hold dates inside the observation window ({_d(events.start)}, {_d(events.end)})",
            _d(outside[0]),
            "Drop dates outside the data, or widen the window when reading events.",
        )
    cuts = [(d.normalize() + pd.Timedelta(days=1)) if trigger_day == "before" else d for d in dates]
    results = []
    for i, d in enumerate(dates):
        lo = cuts[i - 1] if i > 0 else None
        hi = cuts[i + 1] if i + 1 < len(dates) else None
        b_arg: Any = lo
        a_arg: Any = hi
        if before is not None:
            td = to_timedelta("before", before)
            b_arg = before if lo is None or cuts[i] - td >= lo else lo
        if after is not None:
            td = to_timedelta("after", after)
            a_arg = after if hi is None or cuts[i] + td <= hi else hi
        results.append(
            rate_change(
                events,
                d,
                b_arg,
                a_arg,
                method=method,
                alternative=alternative,
                confidence_level=cl,
                exclude=exclude,
                trigger_day=trigger_day,
                unit=unit,
            )
        )
    return MultipleTriggersResult(
        results,
        method=method,
        adjust=adjust,
        confidence_level=cl,
        alternative=alternative,
        name=events.name,
        event_times=events.timestamps,
        window=(events.start, events.end),
    )
