"""Segment costs (numpy reference implementation), penalties and per-segment rate intervals.

The numba kernels in :mod:`._pelt_numba` compute the same costs one segment at a time; the
functions here are vectorised over many segments and are the independent implementation the
tests compare against.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from scipy import special, stats

from .._validation import error

__all__ = [
    "COSTS",
    "PENALTIES",
    "estimate_dispersion",
    "garwood_interval",
    "penalty_value",
    "segment_cost",
    "segment_loglik",
]

COSTS = ("poisson", "negbin")
PENALTIES = ("bic", "mbic", "aic")


def segment_loglik(
    n: np.ndarray, L: np.ndarray, cost: str = "poisson", dispersion: float = math.inf
) -> np.ndarray:
    """Maximised log-likelihood of segments with ``n`` events in exposure ``L`` (no constants).

    Poisson: ``n log(n / L) - n`` (0 when ``n = 0``; ``-inf`` when ``n > 0`` and ``L = 0``).
    Negative binomial (NB1, size ``dispersion * exposure``, rate profiled at ``n / L``):
    ``phi L log(phi / (phi + lam)) + n log(lam / (phi + lam))``.
    """
    n = np.asarray(n, float)
    L = np.asarray(L, float)
    out = np.zeros(np.broadcast(n, L).shape)
    pos = n > 0
    bad = pos & (L <= 0)
    ok = pos & ~bad
    lam = np.where(ok, n / np.where(L > 0, L, 1.0), 1.0)
    if cost == "poisson" or not np.isfinite(dispersion):
        out = np.where(ok, n * np.log(lam) - n, out)
    else:
        phi = float(dispersion)
        val = phi * L * np.log(phi / (phi + lam)) + n * np.log(lam / (phi + lam))
        out = np.where(ok, val, out)
    return np.where(bad, -np.inf, out)


def segment_cost(
    n: np.ndarray,
    L: np.ndarray,
    cost: str = "poisson",
    dispersion: float = math.inf,
    lengths: np.ndarray | None = None,
    mbic_n: int = 0,
) -> np.ndarray:
    """Deviance-scale cost ``-2 * segment_loglik`` (+ ``log(m_k / n)`` for MBIC)."""
    c = -2.0 * segment_loglik(n, L, cost, dispersion)
    if mbic_n > 0 and lengths is not None:
        c = c + np.log(np.asarray(lengths, float) / mbic_n)
    return c


def count_constant(y: np.ndarray, e: np.ndarray) -> float:
    """Terms of the Poisson count log-likelihood that do not depend on the rates."""
    y = np.asarray(y, float)
    pos = y > 0
    return float(np.sum(y[pos] * np.log(e[pos])) - np.sum(special.gammaln(y + 1.0)))


def penalty_value(penalty: Any, n: int, params_per_segment: int = 1) -> tuple[float, bool, str]:
    """Penalty per change on the deviance scale, whether MBIC length terms apply, and a label.

    ``"bic"``: ``(p + 1) log n`` (a rate and a location per change); ``"aic"``: ``2 (p + 1)``;
    ``"mbic"`` (Zhang & Siegmund 2007): ``3 log n`` plus ``sum_k log(n_k / n)`` over segments.
    """
    if isinstance(penalty, str):
        if penalty not in PENALTIES:
            from .._validation import suggest

            raise error(
                "The `penalty` parameter",
                "must be 'bic', 'mbic', 'aic' or a positive number",
                penalty,
                suggest(penalty, PENALTIES).strip() or None,
            )
        ln = math.log(max(n, 2))
        if penalty == "bic":
            return (params_per_segment + 1) * ln, False, "bic"
        if penalty == "aic":
            return 2.0 * (params_per_segment + 1), False, "aic"
        return 3.0 * ln, True, "mbic"
    if (
        isinstance(penalty, bool)
        or not isinstance(penalty, numbers.Real)
        or not np.isfinite(float(penalty))
        or float(penalty) <= 0
    ):
        raise error(
            "The `penalty` parameter",
            "must be 'bic', 'mbic', 'aic' or a finite number > 0 (deviance units per change)",
            penalty,
            "Use penalty_path() to see how the answer depends on it.",
        )
    return float(penalty), False, "manual"


def garwood_interval(
    n: np.ndarray, L: np.ndarray, confidence_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood 1936) interval for a Poisson rate with ``n`` events in exposure ``L``."""
    n = np.asarray(n, float)
    L = np.asarray(L, float)
    a = 1.0 - confidence_level
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(n > 0, stats.chi2.ppf(a / 2, 2 * n) / 2.0, 0.0) / L
        high = stats.chi2.ppf(1 - a / 2, 2 * n + 2) / 2.0 / L
    return low, high


def estimate_dispersion(y: np.ndarray, e: np.ndarray) -> float:
    """Moment estimate of the NB1 dispersion ``phi`` (variance = mean x (1 + rate / phi)).

    Uses first differences of the per-bin counts scaled to equal exposure, which are little
    affected by changes in the mean: ``D = sum (y_i/e_i - y_{i+1}/e_{i+1})^2 e / (2 sum y_i/e_i)``
    estimates ``1 + rate / phi``. Returns ``inf`` (Poisson) when there is no overdispersion.
    """
    y = np.asarray(y, float)
    e = np.asarray(e, float)
    if y.size < 3 or y.sum() == 0:
        return math.inf
    ebar = float(np.median(e))
    r = y / e * ebar  # counts on a common exposure
    d = float(np.sum(np.diff(r) ** 2) / (2.0 * np.sum(r[:-1] + r[1:]) / 2.0))
    if d <= 1.0:
        return math.inf
    lam = y.sum() / e.sum()
    return float(lam / (d - 1.0))
