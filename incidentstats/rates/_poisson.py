"""One- and two-sample Poisson inference on counts and exposures (array level).

Everything here works on plain numbers (counts and exposures), so it can be checked against
R's ``poisson.test`` without any event data. Tests and intervals come from
``statsmodels.stats.rates`` where it does the job; the exact-conditional interval of the rate
ratio (which statsmodels lacks) inverts the binomial test (Clopper-Pearson), and the exact
one-sample p-value follows R's ``poisson.test`` (minimum-likelihood two-sided rule), which
statsmodels computes differently.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._results import ConfidenceInterval, Result, Summary, jsonable
from .._validation import check_choice, check_confidence_level, error, type_error

__all__ = [
    "ALTERNATIVES",
    "ONE_SAMPLE_METHODS",
    "RATE_CHANGE_METHODS",
    "PoissonRateResult",
    "TwoSample",
    "poisson_rate",
    "two_sample",
]

ALTERNATIVES = ("two-sided", "less", "greater")
_SM_ALTERNATIVE = {"two-sided": "two-sided", "less": "smaller", "greater": "larger"}

#: one-sample interval methods: our name -> statsmodels ``confint_poisson`` name
ONE_SAMPLE_METHODS = {
    "exact": "exact-c",
    "midp": "midp-c",
    "score": "score",
    "wald": "wald",
    "jeffreys": "jeff",
}

#: two-sample methods: name -> (statsmodels test method, interval method, description)
RATE_CHANGE_METHODS: dict[str, tuple[str, str, str]] = {
    "exact-cond": (
        "exact-cond",
        "exact-cond",
        "exact conditional binomial test; Clopper-Pearson interval of the ratio",
    ),
    "cond-midp": (
        "cond-midp",
        "cond-midp",
        "conditional binomial mid-p test; mid-p interval of the ratio",
    ),
    "score": ("score", "score", "score test; score interval"),
    "wald-log": ("wald-log", "wald-log", "Wald test on the log ratio; Wald interval of the log"),
    "etest": ("etest", "score", "E-test (Krishnamoorthy-Thomson, score statistic); score interval"),
    "mover": ("score", "mover", "score test; MOVER interval (Li, Tang and Wong)"),
}
#: methods available for ``compare="diff"``
DIFF_METHODS: dict[str, tuple[str, str, str]] = {
    "score": ("score", "score", "score test; score interval of the difference"),
    "wald": ("wald", "wald", "Wald test; Wald interval of the difference"),
    "etest": ("etest", "score", "E-test (score statistic); score interval of the difference"),
    "mover": ("score", "mover", "score test; MOVER interval of the difference"),
}


# =============================================================================================
# validation helpers
# =============================================================================================
def check_count(name: str, value: Any) -> int:
    """A non-negative whole number of events."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise type_error(f"The `{name}` argument", "must be a whole number of events", value)
    v = float(value)
    if not math.isfinite(v) or v < 0 or v != round(v):
        raise error(f"The `{name}` argument", "must be a whole number of events >= 0", value, None)
    return int(round(v))


def check_exposure(name: str, value: Any) -> float:
    """A finite exposure > 0 (e.g. days of observation)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise type_error(f"The `{name}` argument", "must be a number (e.g. days observed)", value)
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise error(
            f"The `{name}` argument",
            "must be a finite exposure > 0",
            value,
            "A window with zero exposure holds no information about a rate: widen it.",
        )
    return v


def check_alternative(value: Any) -> str:
    return check_choice("alternative", value, ALTERNATIVES)


# =============================================================================================
# one sample
# =============================================================================================
def r_poisson_pvalue(count: int, exposure: float, rate: float, alternative: str) -> float:
    """Exact one-sample p-value with the convention of R's ``poisson.test``.

    Two-sided: sum of the probabilities of all counts no more likely than the observed one
    (relative tolerance 1e-7), as in R's ``poisson.test`` / ``binom.test``.
    """
    m = rate * exposure
    if alternative == "less":
        return float(stats.poisson.cdf(count, m))
    if alternative == "greater":
        return float(stats.poisson.sf(count - 1, m))
    if m == count:
        return 1.0
    rel = 1 + 1e-7
    d = stats.poisson.pmf(count, m)
    if count < m:
        n = math.ceil(2 * m - count)
        while stats.poisson.pmf(n, m) > d:
            n *= 2
        i = np.arange(math.ceil(m), n + 1)
        y = int(np.sum(stats.poisson.pmf(i, m) <= d * rel))
        p = stats.poisson.cdf(count, m) + stats.poisson.sf(n - y, m)
    else:
        i = np.arange(0, math.floor(m) + 1)
        y = int(np.sum(stats.poisson.pmf(i, m) <= d * rel))
        p = stats.poisson.cdf(y - 1, m) + stats.poisson.sf(count - 1, m)
    return float(min(1.0, p))


def one_sample_ci(
    count: int, exposure: float, method: str, confidence_level: float, alternative: str
) -> tuple[float, float]:
    """Interval of a Poisson rate (count / exposure) by ``method``; one-sided bounds for
    ``alternative="less"`` (upper bound) / ``"greater"`` (lower bound)."""
    from statsmodels.stats.rates import confint_poisson

    sm_method = ONE_SAMPLE_METHODS[method]
    level = confidence_level if alternative == "two-sided" else 1 - 2 * (1 - confidence_level)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = confint_poisson(count, exposure, method=sm_method, alpha=1 - level)
    low, high = float(low), float(high)
    if method == "exact" and count == 0:
        low = 0.0
    low = max(low, 0.0) if math.isfinite(low) else 0.0
    if alternative == "less":
        return 0.0, high
    if alternative == "greater":
        return low, math.inf
    return low, high


class PoissonRateResult(Result):
    """A Poisson rate (events per unit of time) with its confidence interval.

    Attributes
    ----------
    count : int
    exposure : float
        Observation time in ``unit``.
    rate : float
        ``count / exposure``: events per ``unit``.
    unit : str
    method : str
        Interval method ("exact" = Garwood, "midp", "score", "wald", "jeffreys").
    value, pvalue, alternative :
        Null rate and the test against it (``pvalue`` is None without ``value``).
    """

    def __init__(
        self,
        count: int,
        exposure: float,
        *,
        unit: str,
        method: str,
        confidence_level: float,
        alternative: str,
        value: float | None,
        name: str | None = None,
    ) -> None:
        self.count = count
        self.exposure = exposure
        self.unit = unit
        self.method = method
        self.confidence_level = confidence_level
        self.alternative = alternative
        self.value = value
        self.name = name
        self.rate = count / exposure
        self.pvalue: float | None = None
        if value is not None:
            if method == "exact":
                self.pvalue = r_poisson_pvalue(count, exposure, value, alternative)
            else:
                from statsmodels.stats.rates import test_poisson

                sm = {"midp": "midp-c", "score": "score", "wald": "wald", "jeffreys": "score"}
                res = test_poisson(
                    count,
                    exposure,
                    value,
                    method=sm[method],
                    alternative=_SM_ALTERNATIVE[alternative],
                )
                self.pvalue = float(res.pvalue)
        self._ci = self.confidence_interval()

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of the rate (per ``unit``) at ``confidence_level`` (default: the fit's)."""
        cl = (
            self.confidence_level
            if confidence_level is None
            else check_confidence_level(confidence_level)
        )
        low, high = one_sample_ci(self.count, self.exposure, self.method, cl, self.alternative)
        return ConfidenceInterval(low, high, cl, _ONE_SAMPLE_LABEL[self.method])

    @property
    def params(self) -> pd.Series:
        return pd.Series({"rate": self.rate})

    def summary(self) -> Summary:
        s = Summary(f"Poisson rate{f' of {self.name}' if self.name else ''}")
        s.add_fact("Events", self.count)
        s.add_fact(f"Exposure ({_unit_word(self.unit)})", self.exposure)
        s.add_fact(f"Rate per {_unit_word(self.unit, 1)}", self.rate)
        s.add_fact(
            f"{format_pct(self.confidence_level)} CI ({_ONE_SAMPLE_LABEL[self.method]})",
            self._ci,
        )
        if self.value is not None:
            s.add_fact(f"Test of rate = {self.value} ({self.alternative})", "")
            s.add_fact("p-value", self.pvalue)
        if self.count < 10:
            s.add_note(
                f"Only {self.count} events: the exact (Garwood) interval is the safe choice; "
                "normal approximations are poor with so few events."
            )
        return s

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "count": self.count,
                "exposure": self.exposure,
                "unit": self.unit,
                "rate": self.rate,
                "confidence_interval": self._ci,
                "method": self.method,
                "alternative": self.alternative,
                "value": self.value,
                "pvalue": self.pvalue,
                "name": self.name,
            }
        )


_ONE_SAMPLE_LABEL = {
    "exact": "exact (Garwood)",
    "midp": "mid-p",
    "score": "score",
    "wald": "Wald",
    "jeffreys": "Jeffreys",
}


def format_pct(level: float) -> str:
    text = f"{100 * level:.3g}"
    return f"{text}%"


def _unit_word(unit: str, n: int = 2) -> str:
    words = {"D": "day", "h": "hour", "min": "minute", "s": "second", "W": "week"}
    w = words.get(unit, unit)
    return w if n == 1 else w + "s"


def poisson_rate(
    events_or_count: Any,
    exposure: Any = None,
    *,
    confidence_level: float = 0.95,
    method: str = "exact",
    unit: str = "D",
    value: float | None = None,
    alternative: str = "two-sided",
) -> PoissonRateResult:
    """Rate of a Poisson process with a confidence interval (exact Garwood by default).

    Parameters
    ----------
    events_or_count : EventSeries or int
        An :class:`~incidentstats.EventSeries` (its events over its whole window) or a count.
    exposure : float, optional
        Observation time in ``unit``; required with a count, not allowed with an EventSeries
        (its window gives the exposure).
    confidence_level : float
        Confidence level of the interval (default 0.95).
    method : {"exact", "midp", "score", "wald", "jeffreys"}
        Interval method; "exact" is Garwood's chi-square interval (as R's ``poisson.test``).
    unit : str
        Time unit of an EventSeries' exposure and of the rate ("D" days, "W" weeks, "h").
    value : float, optional
        A null rate (per ``unit``) to test; the exact test uses R's two-sided convention.
    alternative : {"two-sided", "less", "greater"}
        Alternative of the test; one-sided alternatives give one-sided intervals.

    Returns
    -------
    PoissonRateResult

    Notes
    -----
    With :math:`N \\sim \\text{Poisson}(\\lambda T)` events in exposure :math:`T`, the rate
    estimate is :math:`N/T`; the exact interval is
    :math:`[\\chi^2_{2N, \\alpha/2}/2T,\\; \\chi^2_{2N+2, 1-\\alpha/2}/2T]` (Garwood 1936).
    The exact two-sided p-value adds the probabilities of all counts no more likely than the
    observed one, as R's ``poisson.test`` does (statsmodels' ``test_poisson`` uses another
    convention and gives a different p-value).

    References
    ----------
    Garwood, F. (1936). Fiducial limits for the Poisson distribution. Biometrika 28, 437-442.

    Examples
    --------
    >>> import incidentstats as ist
    >>> r = ist.poisson_rate(13, 67)
    >>> round(r.rate, 4), [round(x, 5) for x in r.confidence_interval()]
    (0.194, [0.10331, 0.3318])
    """
    check_choice("method", method, list(ONE_SAMPLE_METHODS), "poisson_rate")
    check_alternative(alternative)
    cl = check_confidence_level(confidence_level)
    from ..events import EventSeries, unit_nanoseconds

    unit_nanoseconds(unit)  # validates the unit
    name = None
    if isinstance(events_or_count, EventSeries):
        if exposure is not None:
            raise error(
                "The `exposure` argument",
                "must be omitted when events are given (the window gives the exposure)",
                exposure,
                "Pass a count with exposure=, or narrow the events with .window().",
            )
        count = events_or_count.n
        expo = events_or_count.duration(unit)
        name = events_or_count.name
        if expo <= 0:
            raise error("The `events` window", "must have a positive length", expo)
    else:
        count = check_count("events_or_count", events_or_count)
        if exposure is None:
            raise error(
                "The `exposure` argument",
                "is required with a count of events",
                None,
                "Pass e.g. poisson_rate(13, exposure=67) for 13 events in 67 days.",
            )
        expo = check_exposure("exposure", exposure)
    if value is not None:
        value = float(check_exposure("value", value))
    return PoissonRateResult(
        count,
        expo,
        unit=unit,
        method=method,
        confidence_level=cl,
        alternative=alternative,
        value=value,
        name=name,
    )


# =============================================================================================
# two samples (after vs before)
# =============================================================================================
@dataclass(frozen=True)
class TwoSample:
    """Result of one two-sample comparison: after (1) vs before (2)."""

    method: str
    compare: str
    alternative: str
    estimate: float
    statistic: float | None
    pvalue: float
    ci_low: float
    ci_high: float
    confidence_level: float
    description: str


def _binom_ci_p(x: int, n: int, level: float, alternative: str, midp: bool) -> tuple[float, float]:
    """Interval for a binomial proportion: Clopper-Pearson (or mid-p) inversion."""
    a = 1 - level if alternative != "two-sided" else (1 - level) / 2
    if not midp:
        lo = 0.0 if x == 0 else float(stats.beta.ppf(a, x, n - x + 1))
        hi = 1.0 if x == n else float(stats.beta.ppf(1 - a, x + 1, n - x))
    else:

        def upper_tail(p: float) -> float:  # P(X > x) + P(X = x)/2
            return float(stats.binom.sf(x, n, p) + 0.5 * stats.binom.pmf(x, n, p))

        def lower_tail(p: float) -> float:  # P(X < x) + P(X = x)/2
            return float(stats.binom.cdf(x - 1, n, p) + 0.5 * stats.binom.pmf(x, n, p))

        lo = 0.0 if x == 0 else optimize.brentq(lambda p: upper_tail(p) - a, 1e-15, 1 - 1e-15)
        hi = 1.0 if x == n else optimize.brentq(lambda p: lower_tail(p) - a, 1e-15, 1 - 1e-15)
    if alternative == "less":
        lo = 0.0
    elif alternative == "greater":
        hi = 1.0
    return lo, hi


def _p_to_ratio(p: float, factor: float) -> float:
    if p >= 1.0:
        return math.inf
    return p / (1 - p) * factor


def _conditional_ci(
    c1: int, t1: float, c2: int, t2: float, level: float, alternative: str, midp: bool
) -> tuple[float, float]:
    n = c1 + c2
    if n == 0:
        return 0.0, math.inf
    lo, hi = _binom_ci_p(c1, n, level, alternative, midp)
    factor = t2 / t1
    return _p_to_ratio(lo, factor), _p_to_ratio(hi, factor)


def two_sample(
    c1: int,
    t1: float,
    c2: int,
    t2: float,
    *,
    method: str = "exact-cond",
    compare: str = "ratio",
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
) -> TwoSample:
    """Compare rate 1 (``c1/t1``, after) with rate 2 (``c2/t2``, before).

    The estimate is ``rate1 / rate2`` (``compare="ratio"``) or ``rate1 - rate2`` ("diff").
    Inputs are assumed validated. One-sided alternatives ("greater": rate 1 larger) give
    one-sided intervals.
    """
    from statsmodels.stats.rates import test_poisson_2indep

    table = RATE_CHANGE_METHODS if compare == "ratio" else DIFF_METHODS
    test_m, ci_m, desc = table[method]
    r1, r2 = c1 / t1, c2 / t2
    if compare == "ratio":
        estimate = r1 / r2 if c2 > 0 else (math.inf if c1 > 0 else math.nan)
    else:
        estimate = r1 - r2
    sm_alt = _SM_ALTERNATIVE[alternative]
    level2 = confidence_level if alternative == "two-sided" else 2 * confidence_level - 1
    statistic: float | None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if c1 + c2 == 0:
            statistic, pvalue = (None if test_m.startswith(("exact", "cond")) else 0.0), 1.0
        else:
            res = test_poisson_2indep(
                c1, t1, c2, t2, value=None, method=test_m, compare=compare, alternative=sm_alt
            )
            statistic = float(res.statistic)
            pvalue = float(res.pvalue)
            if not math.isfinite(statistic):
                statistic = None
        if ci_m in ("exact-cond", "cond-midp"):
            low, high = _conditional_ci(
                c1, t1, c2, t2, confidence_level, alternative, midp=ci_m == "cond-midp"
            )
        else:
            low, high = _sm_interval(c1, t1, c2, t2, ci_m, compare, level2, confidence_level)
            if alternative == "less":
                low = 0.0 if compare == "ratio" else -math.inf
            elif alternative == "greater":
                high = math.inf
    if not math.isfinite(pvalue):
        pvalue = 1.0
    return TwoSample(
        method=method,
        compare=compare,
        alternative=alternative,
        estimate=float(estimate),
        statistic=statistic,
        pvalue=min(1.0, max(0.0, pvalue)),
        ci_low=low,
        ci_high=high,
        confidence_level=confidence_level,
        description=desc,
    )


def _sm_interval(
    c1: int, t1: float, c2: int, t2: float, ci_m: str, compare: str, level2: float, level: float
) -> tuple[float, float]:
    from statsmodels.stats.rates import confint_poisson_2indep

    if compare == "ratio" and (c1 == 0 or c2 == 0):
        # asymptotic ratio intervals break down at a zero count: fall back to the exact
        # conditional interval, which is well defined there
        return _conditional_ci(c1, t1, c2, t2, level2, "two-sided", midp=False)
    low, high = confint_poisson_2indep(
        c1, t1, c2, t2, method=ci_m, compare=compare, alpha=1 - level2
    )
    low, high = float(low), float(high)
    if compare == "ratio":
        low = max(low, 0.0) if math.isfinite(low) else 0.0
        high = high if math.isfinite(high) else math.inf
    return low, high
