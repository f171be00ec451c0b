"""Overdispersion of counts per bin: Pearson dispersion index, Cameron-Trivedi regression
tests and the likelihood-ratio test against the negative binomial; and the negative-binomial
variant of the two-window rate comparison."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from .._results import Result, Summary, jsonable
from .._validation import check_choice, error, type_error
from ._poisson import TwoSample

__all__ = ["DispersionResult", "dispersion_test", "negbin_loglik", "negbin_two_sample"]


def negbin_loglik(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    """NB2 log-likelihood: Var(y) = mu + alpha mu^2 (alpha = 0 is Poisson)."""
    if alpha <= 1e-10:
        return float(np.sum(stats.poisson.logpmf(y, mu)))
    r = 1.0 / alpha
    return float(
        np.sum(
            special.gammaln(y + r)
            - special.gammaln(r)
            - special.gammaln(y + 1)
            + r * np.log(r / (r + mu))
            + y * np.log(mu / (r + mu))
        )
    )


def _fit_nb_constant(y: np.ndarray, e: np.ndarray) -> tuple[float, float, float]:
    """Intercept-only NB2 with exposure: returns (rate, alpha, loglik) by profile likelihood.

    For fixed alpha the rate's score equation is solved by a 1-d root search; alpha by a
    bounded search on log(alpha); alpha at the lower bound means no overdispersion.
    """
    ybar = y.sum() / e.sum()
    if y.sum() == 0:
        return 0.0, 0.0, 0.0

    def rate_for(alpha: float) -> float:
        # score of log(rate) for NB2: sum (y - mu) / (1 + alpha mu) = 0
        def score(logr: float) -> float:
            mu = np.exp(logr) * e
            return float(np.sum((y - mu) / (1 + alpha * mu)))

        lo, hi = math.log(ybar) - 10, math.log(ybar) + 10
        return math.exp(optimize.brentq(score, lo, hi, xtol=1e-13))

    def negprof(log_alpha: float) -> float:
        a = math.exp(log_alpha)
        return -negbin_loglik(y, rate_for(a) * e, a)

    res = optimize.minimize_scalar(
        negprof, bounds=(-18.0, 6.0), method="bounded", options={"xatol": 1e-9}
    )
    alpha = math.exp(float(res.x))
    ll_pois = float(np.sum(stats.poisson.logpmf(y, ybar * e)))
    ll_nb = -float(res.fun)
    if ll_nb <= ll_pois or alpha < 1e-6:
        return ybar, 0.0, ll_pois
    return rate_for(alpha), alpha, ll_nb


class DispersionResult(Result):
    """Tests of Poisson counts against overdispersion.

    Attributes
    ----------
    dispersion : float
        Pearson dispersion index :math:`X^2/(n-1)` (1 for Poisson counts).
    statistic, pvalue : float
        Pearson :math:`X^2` and its upper-tail chi-square p-value with ``df``.
    table : pandas DataFrame
        All tests: Pearson, Cameron-Trivedi (NB1 and NB2 forms) and the likelihood-ratio test
        against a negative binomial.
    alpha : float
        NB2 overdispersion estimate (maximum likelihood; Var = mu + alpha mu^2).
    """

    def __init__(
        self,
        y: np.ndarray,
        e: np.ndarray,
        *,
        alternative: str,
        name: str | None,
        freq: str | None,
    ) -> None:
        n = len(y)
        self.n_bins = n
        self.total = int(y.sum())
        self.freq = freq
        self.name = name
        self.alternative = alternative
        rate = y.sum() / e.sum()
        mu = rate * e
        self.rate = float(rate)
        self.df = n - 1
        with np.errstate(all="ignore"):
            x2 = float(np.sum((y - mu) ** 2 / mu))
        self.statistic = x2
        self.dispersion = x2 / self.df
        p_pearson = _chi2_p(x2, self.df, alternative)
        # Cameron & Trivedi (1990) auxiliary regressions (as AER::dispersiontest)
        aux = ((y - mu) ** 2 - y) / mu
        sd = float(np.std(aux, ddof=1))
        z_nb1 = math.sqrt(n) * float(np.mean(aux)) / sd if sd > 0 else 0.0
        est_nb1 = float(np.mean(aux))
        # NB2: regress aux on mu without intercept
        b = float(np.sum(aux * mu) / np.sum(mu * mu))
        resid = aux - b * mu
        s2 = float(np.sum(resid**2) / (n - 1))
        se_b = math.sqrt(s2 / float(np.sum(mu * mu))) if s2 > 0 else math.inf
        z_nb2 = b / se_b if se_b > 0 and math.isfinite(se_b) else 0.0
        # likelihood ratio against NB2
        _, alpha, ll_nb = _fit_nb_constant(y, e)
        ll_pois = float(np.sum(stats.poisson.logpmf(y, mu)))
        lr = max(0.0, 2 * (ll_nb - ll_pois))
        self.alpha = alpha
        self.loglik_poisson = ll_pois
        self.loglik_negbin = ll_nb
        # boundary: half chi-square(1) (Self and Liang 1987); one-sided by construction
        p_lr = 0.5 * float(stats.chi2.sf(lr, 1)) if lr > 0 else 1.0
        self.pvalue = p_pearson
        self.table = pd.DataFrame(
            [
                {
                    "test": "pearson",
                    "statistic": x2,
                    "df": float(self.df),
                    "estimate": self.dispersion,
                    "pvalue": p_pearson,
                    "description": "Pearson chi-square dispersion test (estimate: X2/df)",
                },
                {
                    "test": "cameron-trivedi-nb1",
                    "statistic": z_nb1,
                    "df": math.nan,
                    "estimate": 1 + est_nb1,
                    "pvalue": _norm_p(z_nb1, alternative),
                    "description": "Cameron-Trivedi, Var = (1 + a) mu (estimate: 1 + a)",
                },
                {
                    "test": "cameron-trivedi-nb2",
                    "statistic": z_nb2,
                    "df": math.nan,
                    "estimate": b,
                    "pvalue": _norm_p(z_nb2, alternative),
                    "description": "Cameron-Trivedi, Var = mu + a mu^2 (estimate: a)",
                },
                {
                    "test": "lr-negbin",
                    "statistic": lr,
                    "df": 1.0,
                    "estimate": alpha,
                    "pvalue": p_lr,
                    "description": "LR test against NB2 (boundary: half chi-square(1))",
                },
            ]
        ).set_index("test")

    @property
    def overdispersed(self) -> bool:
        """Whether the Pearson test rejects at the 5% level in the direction of overdispersion."""
        return bool(self.dispersion > 1 and self.table.loc["pearson", "pvalue"] < 0.05)

    @property
    def params(self) -> pd.Series:
        return pd.Series({"rate": self.rate, "dispersion": self.dispersion, "alpha": self.alpha})

    def summary(self) -> Summary:
        s = Summary("Dispersion of counts" + (f": {self.name}" if self.name else ""))
        s.add_fact("Bins", self.n_bins)
        if self.freq:
            s.add_fact("Bin width", self.freq)
        s.add_fact("Events", self.total)
        s.add_fact("Mean rate per day of exposure", self.rate)
        s.add_fact("Dispersion index (Pearson X2/df)", self.dispersion)
        s.add_fact("NB2 alpha (ML)", self.alpha)
        s.add_table(
            f"Tests of Poisson dispersion (alternative: {self.alternative})",
            self.table.drop(columns=["description"]),
        )
        if self.overdispersed:
            s.add_note(
                "Counts are overdispersed: Poisson intervals and tests are too narrow; use "
                "method='negbin' in rate_change or family='quasipoisson'/'negbin' in "
                "interrupted_time_series."
            )
        s.add_note(
            "A shift in the rate inside the series also inflates the dispersion: test within "
            "periods of constant rate when a change is suspected."
        )
        return s

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "kind": "dispersion_test",
                "name": self.name,
                "n_bins": self.n_bins,
                "freq": self.freq,
                "total": self.total,
                "rate": self.rate,
                "dispersion": self.dispersion,
                "df": self.df,
                "statistic": self.statistic,
                "pvalue": self.pvalue,
                "alpha": self.alpha,
                "alternative": self.alternative,
                "overdispersed": self.overdispersed,
                "tests": self.table.reset_index(),
            }
        )


def _chi2_p(x2: float, df: int, alternative: str) -> float:
    if alternative == "greater":
        return float(stats.chi2.sf(x2, df))
    if alternative == "less":
        return float(stats.chi2.cdf(x2, df))
    return float(min(1.0, 2 * min(stats.chi2.sf(x2, df), stats.chi2.cdf(x2, df))))


def _norm_p(z: float, alternative: str) -> float:
    if alternative == "greater":
        return float(stats.norm.sf(z))
    if alternative == "less":
        return float(stats.norm.cdf(z))
    return float(2 * stats.norm.sf(abs(z)))


def dispersion_test(
    counts: Any,
    *,
    exposure: Any = None,
    freq: str = "D",
    alternative: str = "greater",
) -> DispersionResult:
    """Are counts per bin more variable than Poisson counts with one constant rate?

    Parameters
    ----------
    counts : CountSeries, pandas Series, EventSeries or array-like
        Counts per bin. An EventSeries is binned by ``freq``; a CountSeries brings its own
        exposure (partial bins are weighted by their length).
    exposure : array-like, optional
        Exposure per bin for plain arrays (default: equal bins).
    freq : str
        Bin width for an EventSeries (default "D").
    alternative : {"greater", "two-sided", "less"}
        "greater" (default) tests for overdispersion.

    Returns
    -------
    DispersionResult
        ``dispersion`` (Pearson index), ``pvalue`` (Pearson test) and ``table`` of all tests.

    Notes
    -----
    Under :math:`y_i \\sim \\text{Poisson}(\\lambda e_i)` with :math:`\\hat\\lambda = \\sum y /
    \\sum e` and :math:`\\mu_i = \\hat\\lambda e_i`, Pearson's :math:`X^2 = \\sum (y_i -
    \\mu_i)^2/\\mu_i` is approximately :math:`\\chi^2_{n-1}`. The Cameron-Trivedi tests regress
    :math:`((y_i-\\mu_i)^2 - y_i)/\\mu_i` on a constant (NB1, Var = (1+a) mu) or on
    :math:`\\mu_i` (NB2, Var = mu + a mu^2) and use the t-ratio as a normal statistic (as R's
    ``AER::dispersiontest``). The likelihood-ratio test fits an intercept-only NB2 model by
    maximum likelihood; as alpha = 0 lies on the boundary, its p-value is half the
    chi-square(1) tail.

    References
    ----------
    Cameron, A. C., Trivedi, P. K. (1990). Regression-based tests for overdispersion in the
    Poisson model. Journal of Econometrics 46, 347-364.
    Self, S. G., Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood estimators
    and likelihood ratio tests under nonstandard conditions. JASA 82, 605-610.

    Examples
    --------
    >>> import incidentstats as ist
    >>> res = ist.dispersion_test([0, 0, 1, 9, 0, 0, 7, 0, 1, 0])
    >>> res.dispersion > 1, res.pvalue < 0.05
    (True, True)
    """
    from ..counts import CountSeries
    from ..events import EventSeries

    check_choice("alternative", alternative, ["greater", "two-sided", "less"], "dispersion_test")
    name = None
    used_freq: str | None = None
    if isinstance(counts, EventSeries):
        counts = counts.counts(freq)
    if isinstance(counts, pd.Series):
        counts = CountSeries(counts)
    if isinstance(counts, CountSeries):
        if exposure is not None:
            raise error(
                "The `exposure` argument",
                "must be omitted for a CountSeries (it carries its own exposure)",
                "an array",
                "Build the CountSeries with exposure= instead.",
            )
        y = counts.values.astype(float)
        e = counts.exposure.astype(float)
        name = counts.name
        used_freq = counts.freq
    else:
        try:
            arr = np.asarray(counts, dtype=float)
        except (TypeError, ValueError) as exc:
            raise type_error(
                "The `counts` argument",
                "must be a CountSeries, pandas Series, EventSeries or a list of counts",
                type(counts).__name__,
            ) from exc
        if arr.ndim != 1:
            raise error("The `counts` argument", "must be one-dimensional", f"shape {arr.shape}")
        if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.round(arr)):
            raise error(
                "The `counts` argument", "must hold whole numbers >= 0", counts.__class__.__name__
            )
        y = arr
        if exposure is None:
            e = np.ones_like(y)
        else:
            e = np.asarray(exposure, dtype=float)
            if e.shape != y.shape or not np.all(np.isfinite(e)) or np.any(e <= 0):
                raise error(
                    "The `exposure` argument",
                    f"must hold one finite value > 0 per bin ({len(y)})",
                    f"{e.shape} values",
                )
    if len(y) < 3:
        raise error(
            "The `counts` argument",
            "must have at least 3 bins to assess dispersion",
            f"{len(y)} bins",
            "Use finer bins (a smaller freq).",
        )
    if y.sum() == 0:
        raise error(
            "The `counts` argument",
            "must contain at least one event",
            "all zeros",
            "Dispersion is undefined without events.",
        )
    return DispersionResult(y, e, alternative=alternative, name=name, freq=used_freq)


# =============================================================================================
# negative-binomial two-window comparison
# =============================================================================================
def negbin_two_sample(
    bins: dict[str, Any], compare: str, alternative: str, level: float, estimate_ratio: float
) -> TwoSample:
    """Rate ratio after/before from an NB2 regression of binned counts on a window indicator.

    Exposure per bin (in the result's unit) enters as an offset. Wald test and interval on
    the log ratio.
    """
    from ..exceptions import IncidentStatsError

    if compare != "ratio":
        raise error(
            "The `method` argument",
            "can be 'negbin' only with compare='ratio'",
            "negbin",
            "Use compare='ratio', or another method for differences.",
        )
    cb, ca = bins["before"], bins["after"]
    unit_days = float(bins["unit_days"])
    y = np.concatenate([cb.values, ca.values]).astype(float)
    e = np.concatenate([cb.exposure, ca.exposure]).astype(float) / unit_days
    x = np.concatenate([np.zeros(cb.n_bins), np.ones(ca.n_bins)])
    if cb.total == 0 or ca.total == 0:
        raise IncidentStatsError(
            "The negative-binomial comparison needs events in both windows. Got "
            f"{cb.total} before and {ca.total} after instead. Use method='exact-cond'."
        )
    if len(y) < 4:
        raise IncidentStatsError(
            f"The negative-binomial comparison needs at least 4 bins. Got {len(y)} instead. "
            "Use a smaller freq= or method='exact-cond'."
        )
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import NegativeBinomial

    exog = sm.add_constant(x, has_constant="add")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        model = NegativeBinomial(y, exog, loglike_method="nb2", exposure=e)
        fit = model.fit(disp=0, maxiter=200, method="bfgs")
        if not fit.mle_retvals.get("converged", True):
            fit = model.fit(disp=0, maxiter=500, method="nm")
            fit = model.fit(start_params=fit.params, disp=0, maxiter=200, method="bfgs")
    beta = float(fit.params[1])
    se = float(fit.bse[1])
    if not (math.isfinite(beta) and math.isfinite(se) and se > 0):
        raise IncidentStatsError(
            "The negative-binomial comparison did not converge. Got a non-finite estimate "
            "instead. Use method='exact-cond' or coarser bins."
        )
    z = beta / se
    a = 1 - level if alternative != "two-sided" else (1 - level) / 2
    q = float(stats.norm.ppf(1 - a))
    low, high = math.exp(beta - q * se), math.exp(beta + q * se)
    if alternative == "less":
        low = 0.0
    elif alternative == "greater":
        high = math.inf
    return TwoSample(
        method="negbin",
        compare="ratio",
        alternative=alternative,
        estimate=math.exp(beta),
        statistic=z,
        pvalue=_norm_p(z, alternative),
        ci_low=low,
        ci_high=high,
        confidence_level=level,
        description=(
            f"NB2 regression of counts per bin (alpha = {float(fit.params[-1]):.3g}); "
            "Wald test and interval"
        ),
    )
