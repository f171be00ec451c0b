"""Segmented (interrupted time series) regression of counts: Poisson, quasi-Poisson and
negative-binomial GLMs with a step and an optional slope change at each trigger."""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._results import ConfidenceInterval, Result, Summary, jsonable
from .._validation import (
    check_choice,
    check_confidence_level,
    check_positive,
    error,
    to_timestamp,
    type_error,
)
from ..exceptions import ConvergenceWarning, DataWarning

__all__ = [
    "AutocorrelationWarning",
    "Effect",
    "ITSResult",
    "interrupted_time_series",
]

FAMILIES = ("poisson", "quasipoisson", "negbin")
SEASONALITIES = ("harmonic", "month", "dayofweek")


class AutocorrelationWarning(DataWarning):
    """Residuals of a time-series model are autocorrelated (Ljung-Box test rejects)."""


# =============================================================================================
# effects
# =============================================================================================
class Effect(Result):
    """A multiplicative effect from a log-linear model: rate ratio ``exp(coef)`` with inference.

    Attributes
    ----------
    name : str
        Parameter name (e.g. ``"level_change"``).
    trigger : pandas Timestamp or None
    coef, se : float
        Coefficient on the log scale and its standard error.
    ratio : float
        ``exp(coef)``: the rate ratio (for a slope change: per bin).
    statistic, pvalue : float
        z (or t, with ``df``) statistic and two-sided p-value.
    df : float or None
        Degrees of freedom of the t reference distribution (quasi-Poisson), else None.
    """

    def __init__(
        self,
        name: str,
        coef: float,
        se: float,
        *,
        trigger: pd.Timestamp | None,
        df: float | None,
        interval: str,
        confidence_level: float,
        meaning: str,
    ) -> None:
        self.name = name
        self.coef = float(coef)
        self.se = float(se)
        self.trigger = trigger
        self.df = df
        self.interval = interval
        self.confidence_level = confidence_level
        self.meaning = meaning
        self.ratio = math.exp(self.coef)
        self.estimate = self.ratio
        self.statistic = self.coef / self.se if self.se > 0 else math.nan
        if df is not None:
            self.pvalue = float(2 * stats.t.sf(abs(self.statistic), df))
        else:
            self.pvalue = float(2 * stats.norm.sf(abs(self.statistic)))

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Interval of the rate ratio: ``exp(coef -/+ q se)`` with normal quantiles (as R's
        ``confint.default``) or t quantiles (``interval="t"``)."""
        cl = (
            self.confidence_level
            if confidence_level is None
            else check_confidence_level(confidence_level)
        )
        a = (1 - cl) / 2
        if self.interval == "t" and self.df is not None:
            q = float(stats.t.ppf(1 - a, self.df))
            how = f"Wald, t({self.df:g})"
        else:
            q = float(stats.norm.ppf(1 - a))
            how = "Wald, normal"
        return ConfidenceInterval(
            math.exp(self.coef - q * self.se), math.exp(self.coef + q * self.se), cl, how
        )

    @property
    def params(self) -> pd.Series:
        return pd.Series({"coef": self.coef, "se": self.se, "ratio": self.ratio})

    def summary(self) -> Summary:
        s = Summary(f"{self.name.replace('_', ' ').capitalize()}")
        if self.trigger is not None:
            s.add_fact("Trigger", self.trigger)
        s.add_fact("Rate ratio", self.ratio)
        s.add_fact(f"{self.confidence_level:.0%} CI", self.confidence_interval())
        s.add_fact("p-value", self.pvalue)
        s.add_note(self.meaning)
        return s

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "name": self.name,
                "trigger": self.trigger,
                "ratio": self.ratio,
                "coef": self.coef,
                "se": self.se,
                "statistic": self.statistic,
                "df": self.df,
                "pvalue": self.pvalue,
                "confidence_interval": self.confidence_interval(),
                "meaning": self.meaning,
            }
        )

    def __float__(self) -> float:
        return self.ratio


# =============================================================================================
# result
# =============================================================================================
class ITSResult(Result):
    """Fitted segmented regression of counts around one or more triggers.

    Attributes
    ----------
    params, bse, pvalues : pandas Series
        Coefficients (log scale; ``alpha`` is the NB2 dispersion for ``family="negbin"``),
        standard errors and p-values (t-based for quasi-Poisson, as R's ``summary.glm``).
    level_change : Effect
        Rate ratio of the step at the (first) trigger, with ``.confidence_interval()``.
    level_changes : list of Effect
        One per trigger.
    slope_change, slope_changes : Effect or None, list
        Ratio of the per-bin trend after vs before the trigger (``slope_change=True``).
    dispersion : float
        Pearson dispersion X2/df of the Poisson model with the same terms (1 for Poisson
        counts; the quasi-Poisson scale).
    ljung_box : dict
        Ljung-Box test of the Pearson residuals (statistic, lags, pvalue).
    design : pandas DataFrame
        The model matrix (one row per bin).
    """

    def __init__(self, **kw: Any) -> None:
        self.family: str = kw["family"]
        self.counts = kw["counts"]
        self.triggers: list[pd.Timestamp] = kw["triggers"]
        self.design: pd.DataFrame = kw["design"]
        self.log_offset: np.ndarray = kw["log_offset"]
        self.offset_kind: str = kw["offset_kind"]
        self.params: pd.Series = kw["params"]
        self.bse: pd.Series = kw["bse"]
        self.cov_params: pd.DataFrame = kw["cov"]
        self.df_resid: float = kw["df_resid"]
        self.dispersion: float = kw["dispersion"]
        self.scale: float = kw["scale"]
        self.loglik: float | None = kw["loglik"]
        self.aic: float | None = kw["aic"]
        self.confidence_level: float = kw["confidence_level"]
        self.interval: str = kw["interval"]
        self.hac: int | None = kw["hac"]
        self.trend: bool = kw["trend"]
        self.seasonality: str | None = kw["seasonality"]
        self.n_harmonics: int = kw["n_harmonics"]
        self.period: float | None = kw["period"]
        self.fitted_values: np.ndarray = kw["fitted"]
        self.ljung_box: dict[str, Any] = kw["ljung_box"]
        self.trigger_notes: list[str] = kw["trigger_notes"]
        self.converged: bool = kw["converged"]
        self.n_bins = len(self.design)
        t_df = self.df_resid if self.family == "quasipoisson" else None
        self._t_df = t_df
        stat = self.params / self.bse
        if t_df is not None:
            pv = 2 * stats.t.sf(np.abs(stat), t_df)
        else:
            pv = 2 * stats.norm.sf(np.abs(stat))
        self.pvalues = pd.Series(pv, index=self.params.index)
        self.tvalues = stat
        self.level_changes = [self._effect(f"level_change{s}", i) for i, s in self._suffixes()]
        self.slope_changes = [
            self._effect(f"slope_change{s}", i)
            for i, s in self._suffixes()
            if f"slope_change{s}" in self.params.index
        ]
        self.level_change = self.level_changes[0]
        self.slope_change = self.slope_changes[0] if self.slope_changes else None

    def _suffixes(self) -> list[tuple[int, str]]:
        if len(self.triggers) == 1:
            return [(0, "")]
        return [(i, f"_{i + 1}") for i in range(len(self.triggers))]

    def _effect(self, name: str, i: int) -> Effect:
        if name.startswith("level"):
            meaning = (
                "Rate ratio of the step at the trigger: observed rate in the first bin after "
                "the trigger relative to the pre-trigger trend extrapolated one bin "
                "(slope_change=True) or at the same time (no slope change)."
            )
        else:
            meaning = "Ratio of the per-bin rate trend after the trigger to the trend before."
        return Effect(
            name,
            float(self.params[name]),
            float(self.bse[name]),
            trigger=self.triggers[i],
            df=self._t_df,
            interval=self.interval,
            confidence_level=self.confidence_level,
            meaning=meaning,
        )

    # -- inference ----------------------------------------------------------------------------
    def conf_int(self, confidence_level: float | None = None) -> pd.DataFrame:
        """Intervals of the coefficients (log scale), as :meth:`Effect.confidence_interval`."""
        cl = (
            self.confidence_level
            if confidence_level is None
            else check_confidence_level(confidence_level)
        )
        a = (1 - cl) / 2
        if self.interval == "t" and self._t_df is not None:
            q = float(stats.t.ppf(1 - a, self._t_df))
        else:
            q = float(stats.norm.ppf(1 - a))
        return pd.DataFrame({"low": self.params - q * self.bse, "high": self.params + q * self.bse})

    def coefficient_table(self, confidence_level: float | None = None) -> pd.DataFrame:
        """Coefficients with standard errors, statistics, p-values, intervals and exp()."""
        ci = self.conf_int(confidence_level)
        table = pd.DataFrame(
            {
                "coef": self.params,
                "se": self.bse,
                "t" if self._t_df is not None else "z": self.tvalues,
                "pvalue": self.pvalues,
                "ci_low": ci["low"],
                "ci_high": ci["high"],
                "rate_ratio": np.exp(self.params),
            }
        )
        if "alpha" in table.index:
            table.loc["alpha", "rate_ratio"] = np.nan
        table.index.name = "term"
        return table

    def _mean_and_se(self, design: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        cols = list(design.columns)
        beta = self.params[cols].to_numpy(float)
        cov = self.cov_params.loc[cols, cols].to_numpy(float)
        x = design.to_numpy(float)
        eta = x @ beta + self.log_offset
        se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", x, cov, x), 0.0))
        return eta, se

    def counterfactual(self, confidence_level: float | None = None) -> pd.DataFrame:
        """Expected counts without the intervention (steps and slope changes set to zero).

        Returns a DataFrame indexed by bin start with ``observed``, ``fitted``,
        ``counterfactual`` and its interval ``cf_low`` / ``cf_high`` (Wald interval of the
        expected count on the log scale: the uncertainty of the mean, not of a new count).
        """
        cl = (
            self.confidence_level
            if confidence_level is None
            else check_confidence_level(confidence_level)
        )
        q = float(stats.norm.ppf(1 - (1 - cl) / 2))
        x0 = self.design.copy()
        for c in x0.columns:
            if c.startswith(("level_change", "slope_change")):
                x0[c] = 0.0
        eta, se = self._mean_and_se(x0)
        eta_f, se_f = self._mean_and_se(self.design)
        with np.errstate(over="ignore"):
            frame = pd.DataFrame(
                {
                    "observed": self.counts.values.astype(float),
                    "fitted": np.exp(eta_f),
                    "fitted_low": np.exp(eta_f - q * se_f),
                    "fitted_high": np.exp(eta_f + q * se_f),
                    "counterfactual": np.exp(eta),
                    "cf_low": np.exp(eta - q * se),
                    "cf_high": np.exp(eta + q * se),
                },
                index=self.counts.index,
            )
        frame.index.name = "bin_start"
        return frame

    def effect_table(self) -> pd.DataFrame:
        """Observed and counterfactual totals after each trigger (until the next one)."""
        cf = self.counterfactual()
        rows = []
        starts = self.counts.index
        for i, t in enumerate(self.triggers):
            hi = self.triggers[i + 1] if i + 1 < len(self.triggers) else None
            mask = starts >= t
            if hi is not None:
                mask &= starts < hi
            obs = float(cf.loc[mask, "observed"].sum())
            exp_ = float(cf.loc[mask, "counterfactual"].sum())
            rows.append(
                {
                    "trigger": t,
                    "bins": int(mask.sum()),
                    "observed": obs,
                    "counterfactual": exp_,
                    "difference": obs - exp_,
                }
            )
        return pd.DataFrame(rows).set_index("trigger")

    @property
    def fitted(self) -> np.ndarray:
        return self.fitted_values

    # -- presentation -------------------------------------------------------------------------
    def summary(self) -> Summary:
        fam = {
            "poisson": "Poisson",
            "quasipoisson": "quasi-Poisson",
            "negbin": "negative binomial (NB2)",
        }[self.family]
        s = Summary(f"Interrupted time series ({fam} segmented regression)")
        s.add_fact("Bins", f"{self.n_bins} ({self.counts.freq})")
        s.add_fact("Events", self.counts.total)
        s.add_fact("Trigger(s)", ", ".join(_d(t) for t in self.triggers))
        s.add_fact("Offset", self.offset_kind)
        terms = ["trend" if self.trend else "no trend"]
        if self.slope_changes:
            terms.append("slope change")
        if self.seasonality:
            extra = (
                f" ({self.n_harmonics} pairs, period {self.period:g} bins)"
                if self.seasonality == "harmonic"
                else ""
            )
            terms.append(f"seasonality: {self.seasonality}{extra}")
        s.add_fact("Terms", ", ".join(terms))
        lc = self.level_change
        s.add_fact("Level change (rate ratio)", lc.ratio)
        s.add_fact(f"{format_pct(self.confidence_level)} CI", lc.confidence_interval())
        s.add_fact("p-value", lc.pvalue)
        if self.slope_change is not None:
            s.add_fact("Slope change (ratio per bin)", self.slope_change.ratio)
            s.add_fact("Slope change p-value", self.slope_change.pvalue)
        s.add_fact("Pearson dispersion", self.dispersion)
        if self.family == "negbin":
            s.add_fact("NB2 alpha", float(self.params["alpha"]))
        lb = self.ljung_box
        s.add_fact(f"Ljung-Box p ({lb['lags']} lags)", lb["pvalue"])
        s.add_fact("Covariance", f"HAC ({self.hac} lags)" if self.hac else "model-based")
        s.add_table("Coefficients (log scale)", self.coefficient_table())
        if len(self.triggers) > 1:
            s.add_table("Observed vs counterfactual after each trigger", self.effect_table())
        if self.family == "quasipoisson":
            s.add_note(
                "Quasi-Poisson: standard errors scaled by the Pearson dispersion; p-values "
                "use the t distribution with the residual degrees of freedom (as R's "
                "glm(family=quasipoisson)); intervals use "
                + (
                    "t quantiles."
                    if self.interval == "t"
                    else "normal quantiles (as R's confint.default)."
                )
            )
        if self.family == "poisson" and self.dispersion > 1.5:
            s.add_note(
                f"Counts are overdispersed (Pearson dispersion {self.dispersion:.3g}): Poisson "
                "intervals are too narrow; use family='quasipoisson' or 'negbin'."
            )
        if lb["pvalue"] is not None and lb["pvalue"] < 0.05:
            s.add_note(
                "Residuals are autocorrelated (Ljung-Box p < 0.05): "
                + (
                    "the HAC covariance accounts for it in the standard errors."
                    if self.hac
                    else "standard errors are optimistic; add seasonality, or use hac=True."
                )
            )
        s.notes.extend(self.trigger_notes)
        s.add_note(
            "The counterfactual extrapolates the pre-trigger trend: it is only as good as "
            "that trend's stability."
        )
        if not self.converged:
            s.add_note("The optimiser reported no convergence: treat the numbers with caution.")
        return s

    def to_dict(self) -> dict[str, Any]:
        cf = self.counterfactual().reset_index()
        return jsonable(
            {
                "kind": "interrupted_time_series",
                "family": self.family,
                "freq": self.counts.freq,
                "n_bins": self.n_bins,
                "total": self.counts.total,
                "triggers": self.triggers,
                "offset": self.offset_kind,
                "trend": self.trend,
                "seasonality": self.seasonality,
                "n_harmonics": self.n_harmonics if self.seasonality == "harmonic" else None,
                "period": self.period,
                "hac": self.hac,
                "confidence_level": self.confidence_level,
                "interval": self.interval,
                "params": self.params,
                "bse": self.bse,
                "pvalues": self.pvalues,
                "coefficients": self.coefficient_table().reset_index(),
                "level_change": self.level_change.to_dict(),
                "level_changes": [e.to_dict() for e in self.level_changes],
                "slope_change": (
                    self.slope_change.to_dict() if self.slope_change is not None else None
                ),
                "slope_changes": [e.to_dict() for e in self.slope_changes],
                "dispersion": self.dispersion,
                "scale": self.scale,
                "loglik": self.loglik,
                "aic": self.aic,
                "ljung_box": self.ljung_box,
                "converged": self.converged,
                "effects": self.effect_table().reset_index(),
                "counterfactual": cf,
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Observed counts, fitted values and the counterfactual with its interval."""
        from ..plotting.its import plot_its

        return plot_its(self, ax=ax)


def format_pct(level: float) -> str:
    return f"{100 * level:.3g}%"


def _d(ts: pd.Timestamp) -> str:
    return str(ts.date()) if ts == ts.normalize() else str(ts)


# =============================================================================================
# design
# =============================================================================================
_PERIODS = {"M": 12.0, "Q": 4.0, "W": 365.25 / 7, "D": 365.25, "h": 24.0}


def _default_period(freq: str) -> float | None:
    f = freq.upper()
    if f.startswith(("MS", "ME", "M")):
        return _PERIODS["M"]
    if f.startswith(("QS", "QE", "Q")):
        return _PERIODS["Q"]
    if f.startswith("W"):
        return _PERIODS["W"]
    if f.startswith("D"):
        return _PERIODS["D"]
    if f.startswith("H"):
        return _PERIODS["h"]
    return None


def _triggers(trigger: Any, tz: Any) -> list[pd.Timestamp]:
    if isinstance(trigger, (list, tuple, pd.Index, np.ndarray, pd.Series)):
        items = list(trigger)
        if not items:
            raise error("The `trigger` argument", "must hold at least one date", "[]")
    else:
        items = [trigger]
    out = []
    for t in items:
        if isinstance(t, pd.Period):
            t = t.start_time
        out.append(to_timestamp("trigger", t, tz=tz))
    out = sorted(out)
    for a, b in itertools.pairwise(out):
        if a == b:
            raise error("The `trigger` argument", "must not repeat a date", _d(a))
    return out


def _check_offset(offset: Any, n: int) -> np.ndarray:
    arr = np.asarray(offset.to_numpy() if isinstance(offset, pd.Series) else offset, dtype=float)
    if arr.shape != (n,):
        raise error(
            "The `offset` argument",
            f"must have one value per bin ({n})",
            f"{arr.size} values",
        )
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise error(
            "The `offset` argument",
            "must be positive and finite in every bin (the population or person-time itself, "
            "not its logarithm)",
            "non-positive values",
            "Pass e.g. offset=frame['stdpop']; the model takes its log.",
        )
    return arr


def _build_design(
    cs: Any,
    triggers: list[pd.Timestamp],
    *,
    trend: bool,
    slope_change: bool,
    seasonality: str | None,
    n_harmonics: int,
    period: float | None,
) -> tuple[pd.DataFrame, list[str]]:
    n = cs.n_bins
    starts = cs.index
    ends = cs.edges[1:]
    time = np.arange(1, n + 1, dtype=float)
    cols: dict[str, np.ndarray] = {"intercept": np.ones(n)}
    if trend:
        cols["trend"] = time
    notes: list[str] = []
    suffix = [""] if len(triggers) == 1 else [f"_{i + 1}" for i in range(len(triggers))]
    for t, s in zip(triggers, suffix):
        post = np.asarray(starts >= t)
        inside = np.asarray((starts < t) & (ends > t))
        if inside.any():
            k = int(np.flatnonzero(inside)[0])
            notes.append(
                f"The trigger {_d(t)} falls inside the bin starting {_d(starts[k])}, which "
                "counts as before it (post-trigger bins start on or after the trigger)."
            )
        n_pre, n_post = int((~post).sum()), int(post.sum())
        if n_post < 1 or n_pre < 2:
            raise error(
                "The `trigger` argument",
                "must leave at least 2 bins before and 1 bin after it inside the series "
                f"[{_d(cs.edges[0])}, {_d(cs.edges[-1])})",
                _d(t),
                "Pass a date inside the series, or use finer bins.",
            )
        cols[f"level_change{s}"] = post.astype(float)
        if slope_change:
            last_pre = float(np.flatnonzero(~post)[-1] + 1)
            cols[f"slope_change{s}"] = np.where(post, time - last_pre, 0.0)
    if seasonality == "harmonic":
        assert period is not None
        for k in range(1, n_harmonics + 1):
            cols[f"sin{k}"] = np.sin(2 * np.pi * k * time / period)
            cols[f"cos{k}"] = np.cos(2 * np.pi * k * time / period)
    elif seasonality == "month":
        months = np.asarray(starts.month)
        for m in range(2, 13):
            cols[f"month_{m}"] = (months == m).astype(float)
    elif seasonality == "dayofweek":
        dow = np.asarray(starts.day_of_week)
        for d in range(1, 7):
            cols[f"dow_{d}"] = (dow == d).astype(float)
    design = pd.DataFrame(cols, index=starts)
    # drop constant-zero dummies (e.g. months absent from a short series)
    zero = [c for c in design.columns if c != "intercept" and not design[c].any()]
    design = design.drop(columns=zero)
    return design, notes


def _pearson(y: np.ndarray, mu: np.ndarray, var: np.ndarray) -> np.ndarray:
    return (y - mu) / np.sqrt(var)


def _ljung_box(resid: np.ndarray, lags: int | None) -> dict[str, Any]:
    from statsmodels.stats.diagnostic import acorr_ljungbox

    n = len(resid)
    lag = lags if lags is not None else max(1, min(10, n // 5))
    if n < 4 or lag >= n:
        return {"lags": lag, "statistic": None, "pvalue": None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lb = acorr_ljungbox(resid, lags=[lag], return_df=True)
    return {
        "lags": int(lag),
        "statistic": float(lb["lb_stat"].iloc[0]),
        "pvalue": float(lb["lb_pvalue"].iloc[0]),
    }


# =============================================================================================
# public function
# =============================================================================================
def interrupted_time_series(
    counts: Any,
    trigger: Any,
    *,
    family: str = "poisson",
    trend: bool = True,
    slope_change: bool = False,
    seasonality: str | None = None,
    n_harmonics: int = 2,
    period: float | None = None,
    offset: Any = None,
    hac: bool | int = False,
    confidence_level: float = 0.95,
    interval: str = "normal",
    ljung_box_lags: int | None = None,
    freq: str = "W",
) -> ITSResult:
    """Interrupted time series: segmented log-linear regression of counts per bin.

    Parameters
    ----------
    counts : CountSeries, pandas Series or EventSeries
        Counts per bin (an EventSeries is binned by ``freq``).
    trigger : date-like or list of date-like
        Intervention date(s): a step (and optionally a slope change) at each. A bin is after
        the trigger when it starts on or after it.
    family : {"poisson", "quasipoisson", "negbin"}
        Poisson GLM; quasi-Poisson (Pearson dispersion scales the standard errors, t-based
        p-values); negative binomial NB2 (maximum likelihood, alpha estimated).
    trend : bool
        Linear trend in the bin number (1, 2, ..., n).
    slope_change : bool
        Add a change in trend at each trigger: a term counting post-trigger bins 1, 2, ...
    seasonality : {None, "harmonic", "month", "dayofweek"}
        Fourier terms (``n_harmonics`` sine/cosine pairs of ``period`` bins), month dummies
        or day-of-week dummies.
    n_harmonics : int
        Number of harmonic pairs (default 2).
    period : float, optional
        Seasonal period in bins (default from the bin width: 12 for months, 52.18 for weeks,
        365.25 for days, 4 for quarters).
    offset : array-like, optional
        Positive per-bin exposure such as a population (the model uses its log). Default:
        the CountSeries' own ``offset`` if it has one, else the bin length in days (so rates
        are per day and partial bins are honest).
    hac : bool or int
        Heteroscedasticity- and autocorrelation-consistent (Newey-West) covariance; an int
        sets the number of lags (True: ``floor(4 (n/100)^(2/9))``).
    confidence_level : float
        Level of the intervals (default 0.95).
    interval : {"normal", "t"}
        Quantiles of the Wald intervals. "normal" (default) is R's ``confint.default``; "t"
        uses the residual degrees of freedom for the quasi-Poisson family.
    ljung_box_lags : int, optional
        Lags of the Ljung-Box check of the residuals (default ``min(10, n // 5)``).
    freq : str
        Bin width when ``counts`` is an EventSeries (default "W").

    Returns
    -------
    ITSResult

    Warns
    -----
    AutocorrelationWarning
        When the Ljung-Box test of the Pearson residuals rejects at 5% (and ``hac`` is off).

    Notes
    -----
    For bin :math:`i` with count :math:`y_i`, offset :math:`o_i` and time :math:`t_i = i`,

    .. math::

        \\log E[y_i] = \\log o_i + \\beta_0 + \\beta_1 t_i + \\sum_k \\left(\\delta_k
        D_{ki} + \\gamma_k (t_i - t^*_k) D_{ki}\\right) + s(t_i)

    where :math:`D_{ki} = 1` for bins after trigger :math:`k`, :math:`t^*_k` is the last
    bin before it, and :math:`s` the seasonal terms. ``level_change`` is
    :math:`e^{\\delta}` and ``slope_change`` :math:`e^{\\gamma}`. Quasi-Poisson keeps the
    Poisson estimates and multiplies the covariance by the Pearson dispersion
    :math:`\\phi = X^2/(n-p)`.

    References
    ----------
    Lopez Bernal, J., Cummins, S., Gasparrini, A. (2017). Interrupted time series regression
    for the evaluation of public health interventions: a tutorial. International Journal of
    Epidemiology 46(1), 348-355.
    Wagner, A. K., Soumerai, S. B., Zhang, F., Ross-Degnan, D. (2002). Segmented regression
    analysis of interrupted time series studies in medication use research. Journal of
    Clinical Pharmacy and Therapeutics 27, 299-309.
    Ljung, G. M., Box, G. E. P. (1978). On a measure of lack of fit in time series models.
    Biometrika 65, 297-303.

    Examples
    --------
    >>> import warnings
    >>> import incidentstats as ist
    >>> frame = ist.datasets.load_sicily()
    >>> cs = ist.CountSeries(frame.set_index("period")["aces"], offset=frame["stdpop"])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = ist.interrupted_time_series(cs, "2005-01", family="quasipoisson")
    >>> round(res.level_change.ratio, 4)
    0.8944
    """
    from ..counts import CountSeries
    from ..events import EventSeries

    check_choice("family", family, list(FAMILIES), "interrupted_time_series")
    if seasonality is not None:
        check_choice("seasonality", seasonality, list(SEASONALITIES), "interrupted_time_series")
    check_choice("interval", interval, ["normal", "t"], "interrupted_time_series")
    cl = check_confidence_level(confidence_level)
    for nm, val in (("trend", trend), ("slope_change", slope_change)):
        if not isinstance(val, (bool, np.bool_)):
            raise type_error(f"The `{nm}` argument", "must be True or False", val)
    if isinstance(counts, EventSeries):
        cs = counts.counts(freq)
    elif isinstance(counts, CountSeries):
        cs = counts
    elif isinstance(counts, pd.Series):
        cs = CountSeries(counts)
    else:
        raise type_error(
            "The `counts` argument",
            "must be a CountSeries, a pandas Series of counts or an EventSeries",
            type(counts).__name__,
            "Bin events with ev.counts('W'), or wrap counts in a pandas Series with dates.",
        )
    n = cs.n_bins
    tz = cs.index.tz
    triggers = _triggers(trigger, tz)
    if slope_change and not trend:
        raise error(
            "The `slope_change` argument",
            "needs trend=True (a change in slope is measured against the pre-trigger trend)",
            slope_change,
            "Pass trend=True.",
        )
    if seasonality == "harmonic":
        check_positive("n_harmonics", n_harmonics, integer=True)
        if period is None:
            period = _default_period(cs.freq)
            if period is None:
                raise error(
                    "The `period` argument",
                    f"is needed for harmonic seasonality with bins of {cs.freq!r}",
                    None,
                    "Pass period= in bins, e.g. period=12 for monthly bins.",
                )
        period = float(check_positive("period", period))
        if period <= 2 * n_harmonics:
            raise error(
                "The `n_harmonics` argument",
                f"must be below period/2 = {period / 2:g}",
                n_harmonics,
            )
    elif seasonality == "dayofweek" and not str(cs.freq).upper().startswith("D"):
        raise error(
            "The `seasonality` argument",
            "can be 'dayofweek' only for daily bins",
            f"bins of {cs.freq!r}",
            "Use seasonality='harmonic' or 'month' for coarser bins.",
        )
    design, notes = _build_design(
        cs,
        triggers,
        trend=trend,
        slope_change=slope_change,
        seasonality=seasonality,
        n_harmonics=n_harmonics,
        period=period,
    )
    if offset is not None:
        off = _check_offset(offset, n)
        offset_kind = "log(offset given)"
    elif cs.offset is not None:
        off = cs.offset
        offset_kind = "log(CountSeries offset)"
    else:
        off = cs.exposure
        offset_kind = "log(bin length in days)"
    log_off = np.log(off)
    p = design.shape[1] + (1 if family == "negbin" else 0)
    if n - p < 1:
        raise error(
            "The `counts` argument",
            f"must have more bins than model terms ({p})",
            f"{n} bins",
            "Use finer bins, or fewer terms (seasonality, slope_change).",
        )
    if cs.total == 0:
        raise error("The `counts` argument", "must contain at least one event", "all zeros")
    hac_lags: int | None = None
    if isinstance(hac, (bool, np.bool_)):
        if hac:
            hac_lags = max(1, math.floor(4 * (n / 100) ** (2 / 9)))
    elif isinstance(hac, numbers.Integral) and int(hac) >= 1:
        hac_lags = int(hac)
    else:
        raise error("The `hac` argument", "must be True, False or a number of lags >= 1", hac)
    fit = _fit(cs.values.astype(float), design, log_off, family, hac_lags)
    result = ITSResult(
        family=family,
        counts=cs,
        triggers=triggers,
        design=design,
        log_offset=log_off,
        offset_kind=offset_kind,
        confidence_level=cl,
        interval=interval,
        hac=hac_lags,
        trend=trend,
        seasonality=seasonality,
        n_harmonics=n_harmonics,
        period=period,
        trigger_notes=notes,
        ljung_box=_ljung_box(fit["resid"], ljung_box_lags),
        **{k: v for k, v in fit.items() if k != "resid"},
    )
    lb = result.ljung_box
    if lb["pvalue"] is not None and lb["pvalue"] < 0.05 and hac_lags is None:
        warnings.warn(
            f"Residuals of the interrupted time series are autocorrelated (Ljung-Box p = "
            f"{lb['pvalue']:.3g} at {lb['lags']} lags): standard errors are too small. Add "
            "seasonality=, or pass hac=True.",
            AutocorrelationWarning,
            stacklevel=2,
        )
    return result


def _fit(
    y: np.ndarray, design: pd.DataFrame, log_off: np.ndarray, family: str, hac: int | None
) -> dict[str, Any]:
    import statsmodels.api as sm

    x = design.to_numpy(float)
    names = list(design.columns)
    cov_kw: dict[str, Any] = {}
    if hac is not None:
        cov_kw = {"cov_type": "HAC", "cov_kwds": {"maxlags": hac}}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        pois_model = sm.GLM(y, x, family=sm.families.Poisson(), offset=log_off)
        pois = pois_model.fit()
    mu_p = np.asarray(pois.fittedvalues)
    df_resid = float(len(y) - x.shape[1])
    dispersion = float(np.sum((y - mu_p) ** 2 / mu_p) / df_resid)
    converged = bool(getattr(pois, "converged", True))
    if family in ("poisson", "quasipoisson"):
        scale = dispersion if family == "quasipoisson" else 1.0
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if hac is not None:
                res = pois_model.fit(**cov_kw)
                cov = np.asarray(res.cov_params())
            else:
                res = pois
                cov = np.asarray(pois.cov_params()) * scale
        params = pd.Series(np.asarray(res.params), index=names)
        cov_df = pd.DataFrame(cov, index=names, columns=names)
        bse = pd.Series(np.sqrt(np.diag(cov)), index=names)
        resid = _pearson(y, mu_p, mu_p)
        loglik = float(pois.llf) if family == "poisson" else None
        aic = float(pois.aic) if family == "poisson" else None
        return {
            "params": params,
            "bse": bse,
            "cov": cov_df,
            "df_resid": df_resid,
            "dispersion": dispersion,
            "scale": scale,
            "loglik": loglik,
            "aic": aic,
            "fitted": mu_p,
            "resid": resid,
            "converged": converged,
        }
    from statsmodels.discrete.discrete_model import NegativeBinomial

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        model = NegativeBinomial(y, x, loglike_method="nb2", offset=log_off)
        start = np.append(np.asarray(pois.params), 0.1)
        nb = model.fit(start_params=start, disp=0, maxiter=300, method="bfgs", **cov_kw)
        ok = bool(nb.mle_retvals.get("converged", True))
        if not ok:
            nb = model.fit(start_params=start, disp=0, maxiter=2000, method="nm")
            nb = model.fit(
                start_params=np.asarray(nb.params), disp=0, maxiter=300, method="bfgs", **cov_kw
            )
            ok = bool(nb.mle_retvals.get("converged", True))
    if not ok:
        warnings.warn(
            "The negative-binomial fit did not converge; its numbers are unreliable. Try "
            "family='quasipoisson'.",
            ConvergenceWarning,
            stacklevel=3,
        )
    all_names = [*names, "alpha"]
    params = pd.Series(np.asarray(nb.params), index=all_names)
    cov = np.asarray(nb.cov_params())
    cov_df = pd.DataFrame(cov, index=all_names, columns=all_names)
    bse = pd.Series(np.sqrt(np.maximum(np.diag(cov), 0.0)), index=all_names)
    alpha = float(params["alpha"])
    mu = np.exp(x @ params[names].to_numpy(float) + log_off)
    resid = _pearson(y, mu, mu + alpha * mu**2)
    return {
        "params": params,
        "bse": bse,
        "cov": cov_df,
        "df_resid": df_resid - 1,
        "dispersion": dispersion,
        "scale": 1.0,
        "loglik": float(nb.llf),
        "aic": float(nb.aic),
        "fitted": mu,
        "resid": resid,
        "converged": ok,
    }
