"""Power of the two-window rate comparison, and the minimum detectable rate ratio."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, stats

from .._validation import check_choice, check_confidence_level, check_in_range, error
from ._poisson import check_alternative, check_exposure

__all__ = ["detectable_ratio", "exact_conditional_power", "power"]

POWER_METHODS = ("score", "exact-cond")


def _binom_two_sided_pvalues(n: int, p0: float) -> np.ndarray:
    """Two-sided exact binomial p-value of every x in 0..n (R's minimum-likelihood rule)."""
    pmf = stats.binom.pmf(np.arange(n + 1), n, p0)
    order = np.sort(pmf)
    csum = np.cumsum(order)
    idx = np.searchsorted(order, pmf * (1 + 1e-7), side="right") - 1
    return np.minimum(1.0, csum[idx])


def exact_conditional_power(
    ratio: float,
    rate_before: float,
    exposure_before: float,
    exposure_after: float,
    *,
    confidence_level: float = 0.95,
    alternative: str = "two-sided",
) -> float:
    """Exact power of the exact conditional (binomial) test, summed over the Poisson total.

    Under the alternative the total :math:`n` is Poisson with mean
    :math:`\\lambda_b (T_b + \\rho T_a)` and, given :math:`n`, the after-count is
    :math:`\\text{Binomial}(n, \\rho T_a / (T_b + \\rho T_a))`; the test rejects when the
    binomial p-value under :math:`p_0 = T_a / (T_a + T_b)` is at most :math:`1 -` level.
    """
    a = 1 - confidence_level
    mu_b = rate_before * exposure_before
    mu_a = rate_before * ratio * exposure_after
    total = mu_a + mu_b
    p1 = mu_a / total
    p0 = exposure_after / (exposure_after + exposure_before)
    n_max = int(stats.poisson.ppf(1 - 1e-12, total)) + 1
    pn = stats.poisson.pmf(np.arange(n_max + 1), total)
    out = 0.0
    for n in range(1, n_max + 1):
        if pn[n] < 1e-16:
            continue
        x = np.arange(n + 1)
        if alternative == "two-sided":
            pv = _binom_two_sided_pvalues(n, p0)
        elif alternative == "greater":
            pv = stats.binom.sf(x - 1, n, p0)
        else:
            pv = stats.binom.cdf(x, n, p0)
        reject = pv <= a * (1 + 1e-9)
        if reject.any():
            out += pn[n] * float(np.sum(stats.binom.pmf(x[reject], n, p1)))
    return float(min(1.0, out))


def _check_common(
    rate_before: Any, exposure_before: Any, exposure_after: Any
) -> tuple[float, float, float]:
    rb = check_exposure("rate_before", rate_before)
    tb = check_exposure("exposure_before", exposure_before)
    ta = tb if exposure_after is None else check_exposure("exposure_after", exposure_after)
    return rb, tb, ta


def _power_one(
    ratio: float, rb: float, tb: float, ta: float, cl: float, alternative: str, method: str
) -> float:
    if method == "exact-cond":
        return exact_conditional_power(
            ratio, rb, tb, ta, confidence_level=cl, alternative=alternative
        )
    from statsmodels.stats.rates import power_poisson_ratio_2indep

    sm_alt = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}[alternative]
    # value=1 must be passed explicitly: statsmodels' default value=0 silently gives power 1
    res = power_poisson_ratio_2indep(
        rb * ratio,
        rb,
        ta,
        nobs_ratio=tb / ta,
        exposure=1,
        value=1,
        alpha=1 - cl,
        alternative=sm_alt,
        return_results=False,
    )
    return float(np.asarray(res).ravel()[0])


def power(
    ratio: Any,
    rate_before: float,
    exposure_before: float,
    exposure_after: float | None = None,
    *,
    confidence_level: float = 0.95,
    alternative: str = "two-sided",
    method: str = "exact-cond",
) -> Any:
    """Power to detect a rate ratio (after / before) with two windows.

    Parameters
    ----------
    ratio : float or array-like
        True rate ratio after / before (> 0).
    rate_before : float
        Baseline rate (events per unit of exposure, e.g. per day).
    exposure_before, exposure_after : float
        Window lengths in the same unit (``exposure_after`` defaults to ``exposure_before``).
    confidence_level : float
        The test's level is ``1 - confidence_level`` (default 0.95, a 5% test).
    alternative : {"two-sided", "greater", "less"}
    method : {"exact-cond", "score"}
        "exact-cond" (default): the exact power of the exact conditional test (summed over all
        outcomes). "score": the normal approximation of ``statsmodels.stats.rates.
        power_poisson_ratio_2indep`` (with ``value=1`` passed explicitly).

    Returns
    -------
    float or numpy array
        Power, the same shape as ``ratio``.

    Notes
    -----
    Counts are :math:`N_b \\sim \\text{Poisson}(\\lambda_b T_b)` and :math:`N_a \\sim
    \\text{Poisson}(\\rho \\lambda_b T_a)`. The exact conditional test keeps its level at
    or below the nominal one, so its power is lower than the score test's approximation.

    References
    ----------
    Gu, K., Ng, H. K. T., Tang, M. L., Schucany, W. R. (2008). Testing the ratio of two
    Poisson rates. Biometrical Journal 50, 283-298.

    Examples
    --------
    >>> import incidentstats as ist
    >>> round(ist.power(2.0, 13 / 67, 67, 67), 3)
    0.492
    """
    check_choice("method", method, list(POWER_METHODS), "power")
    alternative = check_alternative(alternative)
    cl = check_confidence_level(confidence_level)
    rb, tb, ta = _check_common(rate_before, exposure_before, exposure_after)
    arr = np.asarray(ratio, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise error("The `ratio` argument", "must be finite and > 0", ratio)
    out = np.array([_power_one(float(r), rb, tb, ta, cl, alternative, method) for r in arr.ravel()])
    if arr.ndim == 0:
        return float(out[0])
    return out.reshape(arr.shape)


def detectable_ratio(
    rate_before: float,
    exposure_before: float,
    exposure_after: float | None = None,
    *,
    power: float = 0.8,
    confidence_level: float = 0.95,
    alternative: str = "two-sided",
    method: str = "exact-cond",
    direction: str = "increase",
) -> float:
    """Smallest rate ratio (or largest, for a decrease) detected with the given power.

    Parameters
    ----------
    rate_before, exposure_before, exposure_after :
        As in :func:`power`.
    power : float
        Target power (default 0.8).
    confidence_level, alternative, method :
        As in :func:`power`.
    direction : {"increase", "decrease"}
        Look for a ratio above 1 (default) or below 1.

    Returns
    -------
    float
        The minimum detectable ratio (> 1 for an increase, < 1 for a decrease): the first
        ratio, moving away from 1, at which the power reaches ``power``.

    Notes
    -----
    Found by scanning a logarithmic grid of ratios away from 1 and refining the first
    crossing with Brent's method; the power of the exact test need not be monotone in small
    samples, so the first crossing is reported.

    Examples
    --------
    >>> import incidentstats as ist
    >>> round(ist.detectable_ratio(13 / 67, 67, 67), 2)
    2.49
    """
    check_choice("direction", direction, ["increase", "decrease"], "detectable_ratio")
    check_choice("method", method, list(POWER_METHODS), "detectable_ratio")
    alternative = check_alternative(alternative)
    if (direction == "increase" and alternative == "less") or (
        direction == "decrease" and alternative == "greater"
    ):
        raise error(
            "The `alternative` argument",
            f"must allow a {direction} (two-sided, or one-sided in that direction)",
            alternative,
        )
    target = check_in_range("power", power, 0.0, 1.0)
    if not 0 < target < 1:
        raise error("The `power` argument", "must lie strictly between 0 and 1", power)
    cl = check_confidence_level(confidence_level)
    if target <= 1 - cl:
        raise error(
            "The `power` argument",
            f"must exceed the test's level ({1 - cl:g})",
            power,
            "Ask for e.g. power=0.8.",
        )
    rb, tb, ta = _check_common(rate_before, exposure_before, exposure_after)

    def f(log_r: float) -> float:
        return _power_one(math.exp(log_r), rb, tb, ta, cl, alternative, method) - target

    sign = 1.0 if direction == "increase" else -1.0
    grid = sign * np.linspace(0.01, math.log(1e4), 120)
    prev = 0.0
    for g in grid:
        if f(float(g)) >= 0:
            return math.exp(optimize.brentq(f, prev, float(g), xtol=1e-10))
        prev = float(g)
    raise error(
        "The windows",
        f"must hold enough events to reach power {target:g} for any ratio up to 10^4",
        f"{rb * tb:.3g} expected events before",
        "Use longer windows.",
    )
