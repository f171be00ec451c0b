"""Discrete-time self-exciting model for counts per bin (the binned analogue of Hawkes).

For day-resolution data with many events per day, :class:`DiscreteHawkes` models the count in
each bin as Poisson (or negative binomial) given the past counts, with an intensity that adds
a background and a parametric kernel applied to the lagged counts of every stream. It never
uses within-day order, so ties are no issue. :func:`compare_ties` fits both the jittered
continuous model and the discrete model to the same day-level data, side by side.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, signal, special, stats

from .._results import ConfidenceInterval, Result, Summary, jsonable
from .._validation import check_choice, check_confidence_level, check_positive, check_rng, error
from ..exceptions import ConvergenceWarning, IncidentStatsError, SmallSampleWarning

__all__ = [
    "DiscreteForecastResult",
    "DiscreteHawkes",
    "DiscreteHawkesResult",
    "compare_ties",
    "forecast_discrete",
    "simulate_discrete",
]

_KERNELS = ("exponential", "lags")
_BASELINES = ("constant", "linear", "loglinear")
_FAMILIES = ("poisson", "negbin")
_ESTIMATORS = ("mle", "cls")


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Counts:
    x: np.ndarray  # (D, N) float counts
    weight: np.ndarray  # (N,) exposure relative to a full bin
    width: float  # bin width in days
    index: pd.Index
    names: tuple[str, ...]
    exposure: np.ndarray  # (N,) days


def _one_series(obj: Any, freq: str, name: str) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    from ..counts import CountSeries, as_count_series
    from ..events import EventSeries

    if isinstance(obj, np.ndarray) or (isinstance(obj, (list, tuple)) and not isinstance(obj, str)):
        arr = np.asarray(obj, dtype=float).ravel()
        if (
            arr.size == 0
            or not np.all(np.isfinite(arr))
            or np.any(arr < 0)
            or np.any(arr != np.round(arr))
        ):
            raise error(
                f"The counts of `{name}`",
                "must be non-negative whole numbers",
                arr[:5].tolist(),
            )
        return arr, np.ones(len(arr)), pd.RangeIndex(len(arr), name="bin")
    if isinstance(obj, (CountSeries, EventSeries, pd.Series)):
        cs = as_count_series(obj, freq=freq, name=name)
        return cs.values.astype(float), np.asarray(cs.exposure, float), cs.index
    raise error(
        f"The `{name}` argument",
        "must be a CountSeries, a pandas Series of counts, an EventSeries or an array of counts",
        type(obj).__name__,
    )


def _prepare(data: Any, freq: str) -> _Counts:
    if isinstance(data, Mapping):
        if len(data) == 0:
            raise error("The `data` argument", "must hold at least one series", "an empty dict")
        names = tuple(str(k) for k in data)
        parts = [_one_series(v, freq, f"data['{k}']") for k, v in data.items()]
    else:
        names = (str(getattr(data, "name", None) or "events"),)
        parts = [_one_series(data, freq, "data")]
    first_x, first_e, first_idx = parts[0]
    for name, (x, e, idx) in zip(names[1:], parts[1:]):
        if len(x) != len(first_x) or not idx.equals(first_idx) or not np.allclose(e, first_e):
            raise error(
                f"The bins of series '{name}'",
                f"must equal those of series '{names[0]}' ({len(first_x)} bins from "
                f"{first_idx[0]})",
                f"{len(x)} bins from {idx[0] if len(idx) else 'nothing'}",
                "Bin every stream on the same window and frequency.",
            )
    x = np.vstack([p[0] for p in parts])
    width = float(np.median(first_e))
    if len(first_x) < 10:
        raise error(
            "The count series",
            "must have at least 10 bins",
            len(first_x),
            "Use a finer bin (freq=) or a longer window.",
        )
    few = {n: int(row.sum()) for n, row in zip(names, x) if row.sum() < 2}
    if few:
        raise error(
            "Every series",
            "must contain at least 2 events",
            f"event counts {few}",
            "Drop the sparse series or aggregate it with others.",
        )
    return _Counts(x, first_e / width, width, first_idx, names, first_e)


# --------------------------------------------------------------------------------------------
# one receiving stream
# --------------------------------------------------------------------------------------------
class _RowLayout:
    """Parameters of the intensity of one receiving stream."""

    def __init__(
        self,
        names: tuple[str, ...],
        recv: str,
        kernel: str,
        max_lag: int,
        baseline: str,
        family: str,
        signed: bool = False,
    ) -> None:
        self.d = len(names)
        self.kernel = kernel
        self.max_lag = max_lag
        self.baseline = baseline
        self.family = family
        uni = self.d == 1
        labels = ["baseline" if uni else f"baseline[{recv}]"]
        kinds = ["log"]
        if baseline != "constant":
            labels.append("trend" if uni else f"trend[{recv}]")
            kinds.append("trend_lin" if baseline == "linear" else "free")
        self.n_base = len(labels)
        self.exc_slices = []
        for src in names:
            tag = "" if uni else f"[{recv}<-{src}]"
            start = len(labels)
            if kernel == "exponential":
                labels += [f"branching_ratio{tag}" if uni else f"adjacency{tag}", f"decay{tag}"]
                kinds += ["nonneg", "log"]
            else:
                labels += [f"lag_{k}{tag}" for k in range(1, max_lag + 1)]
                kinds += ["free" if signed else "nonneg"] * max_lag
            self.exc_slices.append(slice(start, len(labels)))
        if family == "negbin":
            labels.append("dispersion" if uni else f"dispersion[{recv}]")
            kinds.append("log")
        self.labels = labels
        self.kinds = kinds
        self.size = len(labels)
        self.log_mask = np.array([k == "log" for k in kinds])


def _trend_covariate(n: int) -> np.ndarray:
    return (np.arange(n) + 0.5) / n - 0.5


def _exp_filter(xj: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
    """E_t = sum_{k>=1} (1-p) p^{k-1} x_{t-k} and dE_t/dp, by linear recursions."""
    xs = np.concatenate([[0.0], xj[:-1]])
    e = signal.lfilter([1.0 - p], [1.0, -p], xs)
    es = np.concatenate([[0.0], e[:-1]])
    de = signal.lfilter([1.0], [1.0, -p], es - xs)
    return e, de


def _lag_matrix(xj: np.ndarray, max_lag: int) -> np.ndarray:
    n = len(xj)
    out = np.zeros((max_lag, n))
    for k in range(1, max_lag + 1):
        out[k - 1, k:] = xj[: n - k]
    return out


def _row_loglik(
    theta: np.ndarray,
    lay: _RowLayout,
    y: np.ndarray,
    c: _Counts,
    lagmats: list[np.ndarray] | None,
    s: np.ndarray,
    first: int,
    want_grad: bool = True,
) -> tuple[float, np.ndarray]:
    """Log-likelihood of one receiving stream and its gradient (natural parameters)."""
    w = c.weight
    nu = theta[0]
    dlam: list[np.ndarray] = []
    if lay.baseline == "constant":
        base = nu * c.width * w
        dlam.append(c.width * w)
    elif lay.baseline == "linear":
        b = theta[1]
        base = nu * (1.0 + b * s) * c.width * w
        dlam += [(1.0 + b * s) * c.width * w, nu * s * c.width * w]
    else:
        b = theta[1]
        eb = np.exp(b * s)
        base = nu * eb * c.width * w
        dlam += [eb * c.width * w, nu * s * eb * c.width * w]
    lam = base.copy()
    for j, sl in enumerate(lay.exc_slices):
        xj = c.x[j]
        if lay.kernel == "exponential":
            eta, beta = theta[sl.start], theta[sl.start + 1]
            p = math.exp(-beta * c.width)
            e, de = _exp_filter(xj, p)
            lam += eta * e * w
            dlam += [e * w, eta * de * w * (-c.width * p)]
        else:
            assert lagmats is not None
            coef = theta[sl]
            lam += (coef @ lagmats[j]) * w
            dlam += list(lagmats[j] * w)
    yy, ll_lam = y[first:], lam[first:]
    if np.any(ll_lam <= 0) or not np.all(np.isfinite(ll_lam)):
        return -np.inf, np.full(lay.size, np.nan)
    if lay.family == "poisson":
        ll = float(np.sum(yy * np.log(ll_lam) - ll_lam - special.gammaln(yy + 1)))
        score = yy / ll_lam - 1.0
    else:
        alpha = theta[-1]
        r = 1.0 / alpha
        ll = float(
            np.sum(
                special.gammaln(yy + r)
                - special.gammaln(r)
                - special.gammaln(yy + 1)
                + r * np.log(r / (r + ll_lam))
                + yy * np.log(ll_lam / (r + ll_lam))
            )
        )
        score = yy / ll_lam - (yy + r) / (r + ll_lam)
    if not want_grad:
        return ll, np.zeros(0)
    g = np.array([float(np.dot(score, dl[first:])) for dl in dlam])
    if lay.family == "negbin":
        dr = float(
            np.sum(
                special.digamma(yy + r)
                - special.digamma(r)
                + np.log(r / (r + ll_lam))
                + 1.0
                - (yy + r) / (r + ll_lam)
            )
        )
        g = np.append(g, dr * (-r * r))
    return ll, g


def _fit_row(
    lay: _RowLayout,
    y: np.ndarray,
    c: _Counts,
    first: int,
    n_starts: int,
    fixed: Mapping[int, float] | None = None,
    want_cov: bool = True,
) -> tuple[np.ndarray, float, bool, float, np.ndarray]:
    lagmats = [_lag_matrix(xj, lay.max_lag) for xj in c.x] if lay.kernel == "lags" else None
    s = _trend_covariate(len(y))
    n_obs = max(len(y) - first, 1)
    fixed = dict(fixed or {})
    free = np.array([k not in fixed for k in range(lay.size)])
    idx = np.flatnonzero(free)

    def to_theta(z: np.ndarray, base_theta: np.ndarray) -> np.ndarray:
        th = base_theta.copy()
        vals = np.asarray(z, dtype=float).copy()
        logm = lay.log_mask[idx]
        vals[logm] = np.exp(vals[logm])  # only log-scale entries (others may be large)
        th[idx] = vals
        return th

    def fun(z: np.ndarray, base_theta: np.ndarray) -> tuple[float, np.ndarray]:
        th = to_theta(z, base_theta)
        ll, g = _row_loglik(th, lay, y, c, lagmats, s, first)
        if not np.isfinite(ll):
            return 1e10, np.zeros(len(idx))
        gz = g[idx] * np.where(lay.log_mask[idx], th[idx], 1.0)
        return -ll / n_obs, -gz / n_obs

    bounds: list[tuple[float | None, float | None]] = []
    # decays are bounded below by 1/T (a mean delay of at most the window), as in the
    # continuous model: below it the kernel acts as a trend and the branching ratio runs away
    # (decay 0 and n ~ 1e5 on a rate step otherwise)
    decay_idx = {sl.start + 1 for sl in lay.exc_slices} if lay.kernel == "exponential" else set()
    log_min_decay = -math.log(max(len(y) * c.width, 1e-300))
    for k in idx:
        kind = lay.kinds[k]
        if kind == "log" and int(k) in decay_idx:
            bounds.append((max(log_min_decay, -25.0), 15.0))
        elif kind == "log":
            bounds.append((-25.0, 15.0))
        elif kind == "nonneg":
            bounds.append((0.0, None))
        elif kind == "trend_lin":
            bounds.append((-1.999, 1.999))
        else:
            bounds.append((-30.0, 30.0))
    mean_rate = max(float(np.mean(y)) / c.width, 1e-3)
    starts = []
    decays = np.geomspace(0.05, 5.0, n_starts) / c.width if n_starts > 1 else [0.5 / c.width]
    for dec in decays:
        th = np.zeros(lay.size)
        th[0] = 0.5 * mean_rate
        for sl in lay.exc_slices:
            if lay.kernel == "exponential":
                th[sl.start] = 0.3 / lay.d
                th[sl.start + 1] = dec
            else:
                th[sl] = 0.3 / (lay.d * lay.max_lag)
        if lay.family == "negbin":
            th[-1] = 0.1
        for kf, v in fixed.items():
            th[kf] = v
        starts.append(th)
        if lay.kernel == "lags":
            break
    best: Any = None
    for th0 in starts:
        z0 = np.where(lay.log_mask[idx], np.log(np.maximum(th0[idx], 1e-300)), th0[idx])
        res = optimize.minimize(
            fun,
            z0,
            args=(th0,),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 3000, "ftol": 1e-15, "gtol": 1e-10},
        )
        if best is None or res.fun < best[0].fun:
            best = (res, th0)
    res, th0 = best
    # polish
    res2 = optimize.minimize(
        fun,
        res.x,
        args=(th0,),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 3000, "ftol": 1e-15, "gtol": 1e-10},
    )
    if res2.fun <= res.fun:
        res = res2
    theta = to_theta(res.x, th0)
    _, gz = fun(res.x, th0)
    pg = gz.copy()
    for m, (lo, hi) in enumerate(bounds):
        if lo is not None and res.x[m] <= lo + 1e-10 and pg[m] > 0:
            pg[m] = 0.0
        if hi is not None and res.x[m] >= hi - 1e-10 and pg[m] < 0:
            pg[m] = 0.0
    gnorm = float(np.max(np.abs(pg))) if len(pg) else 0.0
    ll = -float(res.fun) * n_obs
    conv = bool(res.success or gnorm < 1e-6)
    # observed information over free parameters (central differences of the analytic score)
    # entries on the boundary (excitation = 0) have no Wald standard error, and neither has
    # the decay of a zero entry (not identified): they are left out and reported as NaN
    drop: set[int] = set()
    for sl in lay.exc_slices:
        for kk in range(sl.start, sl.stop):
            if lay.kinds[kk] == "nonneg" and theta[kk] <= 1e-8:
                drop.add(kk)
                if lay.kernel == "exponential":
                    drop.add(sl.start + 1)
    idx = np.array([int(j) for j in idx if int(j) not in drop], dtype=np.int64)
    cov = np.full((lay.size, lay.size), np.nan)
    if not want_cov:
        return theta, ll, conv, gnorm, cov
    hess = np.zeros((len(idx), len(idx)))
    for a, m in enumerate(idx.tolist()):
        step = 1e-5 * max(abs(theta[m]), 1e-4)
        tp, tm = theta.copy(), theta.copy()
        tp[m] += step
        tm[m] = tm[m] - step if lay.kinds[m] != "nonneg" else max(tm[m] - step, 0.0)
        gp = _row_loglik(tp, lay, y, c, lagmats, s, first)[1][idx]
        gm = _row_loglik(tm, lay, y, c, lagmats, s, first)[1][idx]
        hess[:, a] = (gp - gm) / (tp[m] - tm[m])
    hess = 0.5 * (hess + hess.T)
    try:
        inv = np.linalg.inv(-hess)
        if np.all(np.isfinite(inv)):
            cov[np.ix_(idx, idx)] = inv
    except np.linalg.LinAlgError:
        pass
    return theta, ll, conv, gnorm, cov


def _fit_row_cls(
    lay: _RowLayout, y: np.ndarray, c: _Counts, first: int
) -> tuple[np.ndarray, float, bool, float, np.ndarray]:
    """Kirchner's conditional least squares: OLS of counts on lagged counts, HC0 covariance."""
    n = len(y)
    p = lay.max_lag
    start = max(first, p)
    s = _trend_covariate(n)
    w = c.weight
    cols = [c.width * w]
    if lay.baseline == "linear":
        cols.append(c.width * w * s)
    for xj in c.x:
        cols += list(_lag_matrix(xj, p) * w)
    X = np.column_stack(cols)[start:]
    Y = y[start:]
    coef, *_ = np.linalg.lstsq(X, Y, rcond=None)
    resid = Y - X @ coef
    bread = np.linalg.pinv(X.T @ X)
    meat = (X * resid[:, None] ** 2).T @ X
    cov_ols = bread @ meat @ bread
    # map (a0, a1, lags) -> (nu, b = a1/a0, lags) with the delta method
    theta = coef.copy()
    jac = np.eye(len(coef))
    if lay.baseline == "linear":
        a0, a1 = coef[0], coef[1]
        theta[1] = a1 / a0
        jac[1, 0] = -a1 / a0**2
        jac[1, 1] = 1.0 / a0
    cov = jac @ cov_ols @ jac.T
    lam = X @ coef
    if np.all(lam > 0):
        ll = float(np.sum(Y * np.log(lam) - lam - special.gammaln(Y + 1)))
    else:
        ll = float("nan")
    return theta, ll, True, 0.0, cov


# --------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------
class DiscreteHawkes:
    """Discrete-time Hawkes (Poisson / negative-binomial autoregression on lagged counts).

    Parameters
    ----------
    kernel : {"exponential", "lags"}, default "exponential"
        ``"exponential"``: geometric weights ``g(k) = (1 - p) p^{k-1}``, ``p = exp(-decay·Δ)``
        for lags ``k >= 1`` (Δ = bin width in days), scaled by a branching ratio — the binned
        exponential Hawkes kernel. ``"lags"``: one free non-negative coefficient per lag up to
        ``max_lag`` (the INAR(p) approximation of Kirchner 2016); the branching ratio is their
        sum.
    max_lag : int, default 14
        Number of lags for ``kernel="lags"``.
    baseline : {"constant", "linear", "loglinear"}, default "constant"
        Background per day: ``nu``, ``nu (1 + b s_t)`` or ``nu exp(b s_t)``, with
        ``s_t in [-1/2, 1/2]`` the bin's position in the window (``nu`` is the background at
        mid-window; ``b`` the change over the window, relative for "linear").
    family : {"poisson", "negbin"}, default "poisson"
        Conditional distribution of the counts; ``"negbin"`` adds a dispersion ``alpha``
        (variance ``lambda + alpha lambda^2``).
    estimator : {"mle", "cls"}, default "mle"
        ``"mle"``: maximum likelihood with non-negative excitation. ``"cls"`` (``kernel="lags"``
        only, constant or linear baseline): Kirchner's (2017) conditional least squares — an
        ordinary regression of each count on an intercept (and trend) and the lagged counts,
        coefficients unconstrained in sign, heteroskedasticity-robust (HC0) covariance. It is
        the estimator behind the commonly quoted INAR(p) branching ratios.
    burn_in : int, default 0
        Bins used only as history (their counts are not modelled), to soften the missing
        pre-window history.
    n_starts : int, default 3
        Starting decays for the optimiser.

    Notes
    -----
    With counts ``X_{j,t}`` of stream ``j`` in bin ``t`` (exposure ``e_t`` days, nominal width
    Δ) the count of receiving stream ``i`` is Poisson (or NB2) with mean

    .. math:: \\lambda_{i,t} = \\frac{e_t}{\\Delta}\\Big[\\Delta\\,\\nu_i(t) + \\sum_j \\eta_{ij}
              \\sum_{k\\ge1} g_{ij}(k) X_{j,t-k}\\Big],\\qquad \\sum_k g_{ij}(k) = 1,

    so ``eta_ij`` (``branching_ratio`` for one stream, ``adjacency`` for several) is the
    expected number of events in stream ``i`` triggered by one event of stream ``j``, as in the
    continuous model; the kernel sums are computed by linear recursions (O(N) per stream). The
    likelihood is the product of the conditional densities of the bins (no history before the
    first bin); receiving streams share no parameter, so each row is maximised on its own
    (L-BFGS-B with analytic gradients; exponential decays are bounded below by 1/T, a mean
    delay of the whole window, as in the continuous model: below it the kernel acts as a
    trend and the branching ratio runs away). Standard errors come from the observed information;
    intervals are Wald (log scale for background, decay and dispersion; truncated at 0 for
    excitation), and profile likelihood ``[0, upper]`` for an excitation entry estimated at 0.
    Simulation (baseline 2/day, branching ratio 0.5, decay 0.3/day, 1,500 daily bins, 200
    replicates): mean estimates 2.07, 0.483, 0.321; coverage of the 95% intervals 0.92,
    0.945, 0.955.

    **Bin-width bias.** Triggering inside the same bin is invisible to a model of lagged
    counts. For a continuous exponential kernel ``n·β·e^{-βt}`` and bins of width Δ, a parent
    placed uniformly in its bin sends a share ``f = (1 - e^{-βΔ})/(βΔ)`` of its offspring to
    later bins; the same-bin offspring re-enter the count of the parent's bin, so the discrete
    branching ratio estimates about ``n·f / (1 - n (1 - f))``. Measured by simulation
    (n = 0.5, μ = 2/day, 3,000 days, daily bins, 10 replicates; tests): β = 0.1, 0.2, 0.5, 2
    per day gave 0.486, 0.481, 0.447, 0.300 against the formula's 0.488, 0.475, 0.440, 0.302,
    while the continuous fit to the exact times gave 0.50–0.51. The decay is resolved only down
    to the bin width (β = 2/day was estimated as ~7.9/day). Use bins much shorter than the mean
    delay ``1/β`` when the data allow.

    References
    ----------
    Kirchner, M. (2016). Hawkes and INAR(∞) processes. *Stochastic Processes and their
    Applications* 126(8), 2494–2525.
    Kirchner, M. (2017). An estimation procedure for the Hawkes process. *Quantitative
    Finance* 17(4), 571–595.
    Fokianos, K., Rahbek, A. & Tjøstheim, D. (2009). Poisson autoregression. *JASA* 104(488),
    1430–1439.

    :meth:`simulate` draws counts from given parameter values; a fit's
    :meth:`DiscreteHawkesResult.simulate` and :meth:`DiscreteHawkesResult.forecast` continue
    the fitted model (see :func:`forecast_discrete`).

    Examples
    --------
    >>> import numpy as np
    >>> from incidentstats.hawkes.discrete import DiscreteHawkes, simulate_discrete
    >>> counts = simulate_discrete(2.0, 0.5, 0.3, n_bins=600, rng=1)
    >>> res = DiscreteHawkes().fit(counts)
    >>> bool(0.3 < res.branching_ratio < 0.7)
    True
    """

    def __init__(
        self,
        kernel: str = "exponential",
        *,
        max_lag: int = 14,
        baseline: str = "constant",
        family: str = "poisson",
        estimator: str = "mle",
        burn_in: int = 0,
        n_starts: int = 3,
    ) -> None:
        self.kernel = kernel
        self.estimator = estimator
        self.max_lag = max_lag
        self.baseline = baseline
        self.family = family
        self.burn_in = burn_in
        self.n_starts = n_starts

    def __repr__(self) -> str:
        return (
            f"DiscreteHawkes(kernel={self.kernel!r}, baseline={self.baseline!r}, "
            f"family={self.family!r}, estimator={self.estimator!r})"
        )

    def fit(
        self, data: Any, *, freq: str = "D", receivers: Any = None, rng: Any = None
    ) -> DiscreteHawkesResult:
        """Fit to counts.

        Parameters
        ----------
        data : CountSeries, pandas Series, EventSeries, array, or dict of these
            One stream, or ``{name: series}`` for several streams on the same bins (e.g.
            ``{"attacks": ..., "airstrikes": ...}``). EventSeries are binned with ``freq``.
        freq : str, default "D"
            Bin frequency for EventSeries input.
        receivers : str or list of str, optional
            Model only these streams' counts (the others enter as lagged covariates only),
            e.g. ``receivers="attacks"`` for airstrikes → attacks. Default: every stream.
        rng : ignored
            Accepted for interface symmetry with stochastic models (the fit is deterministic).

        Returns
        -------
        DiscreteHawkesResult
        """
        kernel, baseline, family, estimator, max_lag = self._options()
        burn = int(check_positive("burn_in", self.burn_in, strict=False, integer=True))
        n_starts = int(check_positive("n_starts", self.n_starts, integer=True))
        if rng is not None:
            check_rng(rng)
        c = _prepare(data, freq)
        n_bins = c.x.shape[1]
        if burn >= n_bins - 5:
            raise error(
                "The `burn_in` parameter of DiscreteHawkes",
                f"must leave at least 5 modelled bins (of {n_bins})",
                burn,
            )
        if kernel == "lags" and max_lag >= n_bins // 2:
            raise error(
                "The `max_lag` parameter of DiscreteHawkes",
                f"must be below half the number of bins ({n_bins // 2})",
                max_lag,
            )
        if receivers is None:
            recv = list(c.names)
        else:
            recv = [receivers] if isinstance(receivers, str) else list(receivers)
            for r in recv:
                check_choice("receivers", r, c.names, "DiscreteHawkes.fit")
        from ._multivariate_numba import blas_single_thread

        with blas_single_thread():
            rows = self._fit_rows(
                c, recv, kernel, max_lag, baseline, family, estimator, burn, n_starts
            )
        return DiscreteHawkesResult(self, c, rows, burn)

    def _options(self) -> tuple[str, str, str, str, int]:
        """Validated (kernel, baseline, family, estimator, max_lag)."""
        kernel = check_choice("kernel", self.kernel, _KERNELS, "DiscreteHawkes")
        baseline = check_choice("baseline", self.baseline, _BASELINES, "DiscreteHawkes")
        family = check_choice("family", self.family, _FAMILIES, "DiscreteHawkes")
        estimator = check_choice("estimator", self.estimator, _ESTIMATORS, "DiscreteHawkes")
        if estimator == "cls" and (
            kernel != "lags" or baseline == "loglinear" or family != "poisson"
        ):
            raise error(
                "The `estimator` parameter of DiscreteHawkes",
                "can be 'cls' only with kernel='lags', a constant or linear baseline and "
                "family='poisson'",
                f"estimator='cls' with kernel={kernel!r}, baseline={baseline!r}, family={family!r}",
                "Use estimator='mle' for the other settings.",
            )
        max_lag = int(check_positive("max_lag", self.max_lag, integer=True))
        return kernel, baseline, family, estimator, max_lag

    def simulate(
        self,
        params: Any,
        n_bins: int,
        *,
        streams: Any = None,
        rng: Any = None,
        n_paths: int | None = None,
        width: float = 1.0,
    ) -> Any:
        """Simulate counts per bin from given parameter values (the parameterised model).

        Parameters
        ----------
        params : dict or pandas Series
            A value for every parameter of this model, named as in
            :attr:`DiscreteHawkesResult.params` (rates per day): one stream
            ``{"baseline": 2.0, "branching_ratio": 0.5, "decay": 0.3}`` (plus ``"trend"``,
            ``"lag_1"``.., ``"dispersion"`` as the options ask); several streams
            ``"baseline[a]"``, ``"adjacency[a<-b]"``, ``"decay[a<-b]"``, ... A fitted
            ``result.params`` works as is.
        n_bins : int
            Number of bins.
        streams : list of str, optional
            Stream names, needed for several streams (in the order of the adjacency).
        rng : int, Generator or None
            Seed or generator.
        n_paths : int, optional
            Simulate that many independent series at once (vectorised).
        width : float, default 1.0
            Bin width in days.

        Returns
        -------
        numpy.ndarray or dict of numpy.ndarray
            Integer counts: shape ``(n_bins,)``, or ``(n_paths, n_bins)`` with ``n_paths``;
            a dict by stream name for several streams.

        Notes
        -----
        Bin by bin, each stream's count is drawn given the past counts with mean
        :math:`\\lambda_{i,t} = \\Delta\\nu_i(t) + \\sum_j \\eta_{ij} \\sum_{k\\ge1}
        g_{ij}(k) X_{j,t-k}` (the model of :class:`DiscreteHawkes`, with no history before the
        first bin and the trend covariate spanning the ``n_bins`` bins), Poisson or NB2
        (a gamma mixture of Poissons). A mean below 0 (signed lag coefficients) is cut at 0.
        For a constant background and branching ratio :math:`n < 1` the stationary mean count
        per bin is :math:`\\Delta\\nu / (1 - n)` (several streams:
        :math:`(I - A)^{-1}\\Delta\\nu`), reached after a few multiples of the kernel's
        memory.

        Examples
        --------
        >>> from incidentstats.hawkes.discrete import DiscreteHawkes
        >>> p = {"baseline": 2.0, "branching_ratio": 0.5, "decay": 0.3}
        >>> x = DiscreteHawkes().simulate(p, 5000, rng=1)
        >>> x.shape, bool(abs(x[500:].mean() / (2.0 / (1 - 0.5)) - 1) < 0.1)
        ((5000,), True)
        """
        kernel, baseline, family, estimator, max_lag = self._options()
        n_bins = int(check_positive("n_bins", n_bins, integer=True))
        width = float(check_positive("width", width))
        n = None if n_paths is None else _check_n_paths(n_paths)
        gen = check_rng(rng)
        if streams is None:
            names: tuple[str, ...] = ("events",)
        else:
            listed = [streams] if isinstance(streams, str) else list(streams)
            names = tuple(str(x) for x in listed)
            if not names or len(set(names)) != len(names):
                raise error(
                    "The `streams` argument",
                    "must list distinct stream names",
                    streams,
                )
        layouts = [
            _RowLayout(names, r, kernel, max_lag, baseline, family, signed=estimator == "cls")
            for r in names
        ]
        thetas = _theta_from_params(params, layouts)
        paths = _propagate(
            layouts,
            thetas,
            np.zeros((len(names), 0)),
            n_bins,
            0,
            n_bins,
            width,
            1 if n is None else n,
            gen,
        )
        return _package(paths, list(names), n)

    def _fit_rows(
        self,
        c: _Counts,
        recv: list[str],
        kernel: str,
        max_lag: int,
        baseline: str,
        family: str,
        estimator: str,
        burn: int,
        n_starts: int,
        want_cov: bool = True,
    ) -> dict:
        rows = {}
        for r in recv:
            i = c.names.index(r)
            lay = _RowLayout(
                c.names, r, kernel, max_lag, baseline, family, signed=estimator == "cls"
            )
            if estimator == "cls":
                rows[r] = (lay, *_fit_row_cls(lay, c.x[i], c, burn))
            else:
                rows[r] = (lay, *_fit_row(lay, c.x[i], c, burn, n_starts, want_cov=want_cov))
        return rows


def simulate_discrete(
    baseline: float,
    branching_ratio: float,
    decay: float,
    *,
    n_bins: int,
    rng: Any = None,
    width: float = 1.0,
    trend: float = 0.0,
) -> np.ndarray:
    """Simulate the univariate discrete (geometric-kernel) model: Poisson counts per bin.

    ``lambda_t = width·baseline·(1 + trend·s_t) + branching_ratio·sum_k (1-p) p^{k-1} X_{t-k}``
    with ``p = exp(-decay·width)``. Returns an integer array of length ``n_bins``.

    Examples
    --------
    >>> simulate_discrete(1.0, 0.4, 0.5, n_bins=5, rng=0).shape
    (5,)
    """
    n_bins = int(check_positive("n_bins", n_bins, integer=True))
    check_positive("baseline", baseline)
    check_positive("branching_ratio", branching_ratio, strict=False)
    check_positive("decay", decay)
    if branching_ratio >= 1:
        raise error("The `branching_ratio` argument", "must be < 1 to simulate", branching_ratio)
    gen = check_rng(rng)
    p = math.exp(-decay * width)
    s = _trend_covariate(n_bins)
    x = np.zeros(n_bins, dtype=np.int64)
    e = 0.0
    for t in range(n_bins):
        if t:
            e = p * e + (1 - p) * x[t - 1]
        lam = width * baseline * max(1.0 + trend * s[t], 0.0) + branching_ratio * e
        x[t] = gen.poisson(lam)
    return x


# --------------------------------------------------------------------------------------------
# simulation and forecasting of a parameterised model
# --------------------------------------------------------------------------------------------
#: Largest expected count per bin a simulation accepts (beyond it the process has exploded).
_MAX_MEAN = 1e9


def _background_counts(
    lay: _RowLayout, theta: np.ndarray, positions: np.ndarray, n_ref: int, width: float
) -> np.ndarray:
    """Expected background count of full bins at bin ``positions`` (0 = first fitted bin).

    The trend covariate ``s_t = (t + 0.5) / n_ref - 1/2`` continues past the window it was
    fitted on; a linear background is cut at 0.
    """
    s = (positions + 0.5) / n_ref - 0.5
    nu = float(theta[0])
    if lay.baseline == "constant":
        factor = np.ones(len(positions))
    elif lay.baseline == "linear":
        factor = np.maximum(1.0 + float(theta[1]) * s, 0.0)
    else:
        factor = np.exp(float(theta[1]) * s)
    return nu * width * factor


def _draw(
    lam: np.ndarray,
    layouts: list[_RowLayout],
    thetas: list[np.ndarray],
    gen: np.random.Generator | None,
) -> np.ndarray:
    """Counts (n_paths, D) given conditional means; the means themselves when gen is None."""
    lam = np.maximum(lam, 0.0)  # signed (CLS) lag coefficients can give a negative mean
    if not np.all(lam <= _MAX_MEAN):
        raise error(
            "The simulated process",
            f"must stay below {_MAX_MEAN:.0e} expected events per bin (it explodes when the "
            "branching ratio or spectral radius is >= 1)",
            f"a mean of {float(np.nanmax(lam)):.3g}",
            "Simulate fewer bins, or use parameters with branching ratio < 1.",
        )
    if gen is None:
        return lam
    out = np.empty_like(lam)
    for i, (lay, th) in enumerate(zip(layouts, thetas)):
        if lay.family == "negbin":
            alpha = float(th[-1])
            out[:, i] = gen.poisson(gen.gamma(1.0 / alpha, alpha * lam[:, i]))
        else:
            out[:, i] = gen.poisson(lam[:, i])
    return out


def _propagate(
    layouts: list[_RowLayout],
    thetas: list[np.ndarray],
    history: np.ndarray,
    n_bins: int,
    t0: int,
    n_ref: int,
    width: float,
    n_paths: int,
    gen: np.random.Generator | None,
) -> np.ndarray:
    """Run the model forward ``n_bins`` full bins after ``history`` ((D, H) observed counts).

    Bin ``t`` of the output sits at position ``t0 + t`` of the trend covariate. With ``gen``
    the counts are drawn (Poisson, or NB2 as a gamma mixture of Poissons) on ``n_paths``
    independent paths; with ``gen=None`` every draw is replaced by its conditional mean,
    which is the exact conditional expectation because the mean is linear in the past counts
    (as long as no mean is cut at 0). Returns an (n_paths, n_bins, D) float array.
    """
    d = len(layouts)
    positions = t0 + np.arange(n_bins, dtype=float)
    base = np.stack(
        [_background_counts(lay, th, positions, n_ref, width) for lay, th in zip(layouts, thetas)]
    )
    h = history.shape[1]
    out = np.zeros((n_paths, n_bins, d))
    if layouts[0].kernel == "exponential":
        # state[i, j] = sum_{k>=1} (1 - p_ij) p_ij^(k-1) X_j(t - k), updated by one recursion
        p = np.zeros((d, d))
        eta = np.zeros((d, d))
        state = np.zeros((d, d))
        for i, (lay, th) in enumerate(zip(layouts, thetas)):
            for j, sl in enumerate(lay.exc_slices):
                eta[i, j] = th[sl.start]
                p[i, j] = math.exp(-th[sl.start + 1] * width)
                if h:
                    e, _ = _exp_filter(history[j], p[i, j])
                    state[i, j] = p[i, j] * e[-1] + (1.0 - p[i, j]) * history[j, -1]
        states = np.broadcast_to(state, (n_paths, d, d)).copy()
        for t in range(n_bins):
            lam = base[:, t][None, :] + np.sum(eta[None] * states, axis=2)
            x = _draw(lam, layouts, thetas, gen)
            out[:, t, :] = x
            states = p[None] * states + (1.0 - p[None]) * x[:, None, :]
        return out
    lags = layouts[0].max_lag
    coef = np.zeros((d, d, lags))
    for i, (lay, th) in enumerate(zip(layouts, thetas)):
        for j, sl in enumerate(lay.exc_slices):
            coef[i, j] = th[sl]
    buf = np.zeros((d, lags))  # buf[j, k - 1] = X_j(t - k)
    take = min(h, lags)
    if take:
        buf[:, :take] = history[:, ::-1][:, :take]
    bufs = np.broadcast_to(buf, (n_paths, d, lags)).copy()
    for t in range(n_bins):
        lam = base[:, t][None, :] + np.einsum("ijk,pjk->pi", coef, bufs)
        x = _draw(lam, layouts, thetas, gen)
        out[:, t, :] = x
        bufs = np.concatenate([x[:, :, None], bufs[:, :, :-1]], axis=2)
    return out


def _package(paths: np.ndarray, names: list[str], n_paths: int | None) -> Any:
    """(P, N, D) simulated counts -> array (N,) / (P, N), or a dict of them for D > 1."""
    x = paths.astype(np.int64)
    if n_paths is None:
        x = x[0]
        parts = [x[:, j] for j in range(x.shape[1])]
    else:
        parts = [x[:, :, j] for j in range(x.shape[2])]
    if len(names) == 1:
        return parts[0]
    return dict(zip(names, parts))


def _theta_from_params(params: Any, layouts: list[_RowLayout]) -> list[np.ndarray]:
    """Parameter vectors of every row from a mapping by name, validated."""
    if isinstance(params, pd.Series):
        params = params.to_dict()
    if not isinstance(params, Mapping):
        raise error(
            "The `params` argument",
            "must be a dict or pandas Series of parameter values by name",
            type(params).__name__,
        )
    wanted = [label for lay in layouts for label in lay.labels]
    missing = [k for k in wanted if k not in params]
    extra = [str(k) for k in params if k not in wanted]
    if missing or extra:
        raise error(
            "The `params` argument",
            f"must give exactly the parameters {wanted}",
            f"missing {missing}, unknown {extra}",
            "Name them as in result.params of a fit with the same options (pass streams= for "
            "several streams).",
        )
    thetas = []
    for lay in layouts:
        th = np.empty(lay.size)
        for k, (label, kind) in enumerate(zip(lay.labels, lay.kinds)):
            v = params[label]
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise error(f"The parameter `{label}`", "must be a number", v)
            v = float(v)
            ok = math.isfinite(v) and (
                v > 0 if kind == "log" else v >= 0 if kind == "nonneg" else True
            )
            if not ok:
                rule = {"log": "must be > 0", "nonneg": "must be >= 0"}.get(kind, "must be finite")
                raise error(f"The parameter `{label}`", rule, v)
            th[k] = v
        thetas.append(th)
    return thetas


def _check_n_paths(n_paths: Any, minimum: int = 1) -> int:
    n = int(check_positive("n_paths", n_paths, integer=True))
    if n < minimum:
        raise error("The `n_paths` parameter", f"must be at least {minimum}", n_paths)
    return n


# --------------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------------
class DiscreteHawkesResult(Result):
    """Fitted discrete-time Hawkes model (immutable).

    Attributes
    ----------
    params : pd.Series
        Every parameter by name (per-day rates). One stream: ``baseline``, (``trend``),
        ``branching_ratio``, ``decay`` (or ``lag_1``..), (``dispersion``). Several streams:
        ``baseline[r]``, ``adjacency[r<-c]``, ``decay[r<-c]``, ...
    bse : pd.Series
    branching_ratio : float
        Univariate fits: the branching ratio (sum of lag coefficients for ``kernel="lags"``).
    adjacency : pd.DataFrame
        Rows = receiving stream, columns = source stream (NaN rows for streams not modelled).
    spectral_radius : float
    loglik, aic, bic : float
    converged : bool
    bin_width : float
        Bin width in days.

    Methods :meth:`simulate` (new counts from the fitted model) and :meth:`forecast` (the
    next bins given the observed counts: exact expected counts and simulated prediction
    intervals) need every stream modelled (``receivers=None``).
    """

    def __init__(self, model: DiscreteHawkes, counts: _Counts, rows: dict, burn_in: int) -> None:
        self.model = model
        self.streams = list(counts.names)
        self.receivers = list(rows)
        self.bin_width = counts.width
        self.n_bins = counts.x.shape[1]
        self.burn_in = burn_in
        self._counts = counts
        self._rows = rows
        self._profile_cache: dict[tuple[str, float], ConfidenceInterval] = {}
        labels: list[str] = []
        est: list[float] = []
        ses: list[float] = []
        kinds: list[str] = []
        self.loglik = 0.0
        k_total = 0
        conv = True
        gmax = 0.0
        for _r, (lay, theta, ll, c_ok, gnorm, cov) in rows.items():
            labels += lay.labels
            est += list(theta)
            ses += list(np.sqrt(np.where(np.diag(cov) >= 0, np.diag(cov), np.nan)))
            kinds += lay.kinds
            self.loglik += ll
            k_total += lay.size
            conv = conv and c_ok
            gmax = max(gmax, gnorm)
        self.params = pd.Series(est, index=labels, name="estimate")
        self.bse = pd.Series(ses, index=labels, name="std_err")
        self._kinds = kinds
        d = len(self.streams)
        adj = np.full((d, d), np.nan)
        for r, (lay, theta, *_rest) in rows.items():
            i = self.streams.index(r)
            for j, sl in enumerate(lay.exc_slices):
                adj[i, j] = theta[sl.start] if lay.kernel == "exponential" else theta[sl].sum()
        self.adjacency = pd.DataFrame(
            adj,
            index=pd.Index(self.streams, name="receiving"),
            columns=pd.Index(self.streams, name="source"),
        )
        full = np.nan_to_num(adj)
        self.spectral_radius = float(np.max(np.abs(np.linalg.eigvals(full))))
        self.n_params = k_total
        n_obs = (self.n_bins - burn_in) * len(rows)
        self.n_obs = n_obs
        self.aic = -2 * self.loglik + 2 * k_total
        self.bic = -2 * self.loglik + k_total * math.log(n_obs)
        self.converged = conv
        self.grad_norm = gmax
        self.n_events = pd.Series(
            counts.x.sum(axis=1).astype(np.int64), index=self.streams, name="events"
        )
        if d == 1:
            self.branching_ratio = float(adj[0, 0])
        else:
            self.branching_ratio = float("nan")
        if not conv:
            warnings.warn(
                f"The discrete Hawkes fit did not converge (largest gradient component "
                f"{gmax:.2g}).",
                ConvergenceWarning,
                stacklevel=3,
            )
        if self.spectral_radius >= 0.99:
            warnings.warn(
                f"The branching ratio / spectral radius is {self.spectral_radius:.3f} (>= 0.99): "
                "near-critical, often a trend in the background mistaken for contagion. Try "
                "baseline='linear' or 'loglinear'.",
                ConvergenceWarning,
                stacklevel=3,
            )
        if int(self.n_events.min()) < 30:
            warnings.warn(
                "Fewer than 30 events in a stream: Wald intervals are unreliable.",
                SmallSampleWarning,
                stacklevel=3,
            )

    def confidence_interval(self, confidence_level: float = 0.95) -> pd.DataFrame:
        """Wald intervals (log scale for positive rates, truncated at 0 for excitation)."""
        cl = check_confidence_level(confidence_level)
        z = stats.norm.ppf(0.5 + cl / 2)
        rows = []
        for name, est, se, kind in zip(
            self.params.index, self.params.values, self.bse.values, self._kinds
        ):
            if not np.isfinite(se):
                if kind == "nonneg" and est <= 1e-8 and self.model.estimator == "mle":
                    # on the boundary: no Wald interval; the profile gives [0, upper]
                    ci = self.profile_interval(name, cl)
                    rows.append((ci.low, ci.high))
                else:
                    rows.append((np.nan, np.nan))
            elif kind == "log":
                f = math.exp(min(z * se / est, 700.0))
                rows.append((est / f, est * f))
            elif kind == "nonneg":
                rows.append((max(est - z * se, 0.0), est + z * se))
            else:
                rows.append((est - z * se, est + z * se))
        return pd.DataFrame(rows, index=self.params.index, columns=["low", "high"])

    def profile_interval(self, name: str, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Profile-likelihood interval for one parameter of a maximum-likelihood fit.

        Values whose profile log-likelihood is within ``chi2_1(level)/2`` of the maximum; an
        excitation entry whose profile at 0 is inside gets the lower end 0.
        """
        cl = check_confidence_level(confidence_level)
        if (name, cl) in self._profile_cache:
            return self._profile_cache[(name, cl)]
        if self.model.estimator != "mle":
            raise error(
                "profile_interval()",
                "needs a maximum-likelihood fit",
                f"estimator={self.model.estimator!r}",
                "Use confidence_interval().",
            )
        found = [(r, row) for r, row in self._rows.items() if name in row[0].labels]
        if not found:
            from .._validation import suggest

            raise error(
                "The `name` argument",
                "must be a parameter name",
                name,
                suggest(name, list(self.params.index)).strip() or None,
            )
        r, (lay, theta, ll_max, *_rest) = found[0]
        k = lay.labels.index(name)
        y = self._counts.x[self.streams.index(r)]
        crit = stats.chi2.ppf(cl, 1) / 2.0
        est = float(theta[k])
        kind = lay.kinds[k]

        def drop(v: float) -> float:
            out = _fit_row(lay, y, self._counts, self.burn_in, 1, fixed={k: v}, want_cov=False)
            return ll_max - out[1] - crit

        floor = 0.0 if kind in ("nonneg", "log") else -math.inf
        se = float(self.bse[name]) if np.isfinite(self.bse[name]) else 0.1 * max(abs(est), 1.0)

        def side(sign: int) -> float:
            step = max(se, 1e-3 * max(abs(est), 1e-3))
            prev = est
            for _ in range(40):
                v = est + sign * step
                if v <= floor:
                    if kind == "nonneg":
                        if drop(0.0) <= 0:
                            return 0.0
                        return float(optimize.brentq(drop, 0.0, prev, xtol=1e-6))
                    v = 0.5 * (prev + floor) if np.isfinite(floor) else v
                if drop(v) > 0:
                    lo, hi = (prev, v) if sign > 0 else (v, prev)
                    return float(optimize.brentq(drop, lo, hi, xtol=1e-6 * (1 + abs(v))))
                prev = v
                step *= 1.6
            return sign * math.inf

        from ._multivariate_numba import blas_single_thread

        with blas_single_thread():
            low = 0.0 if (kind == "nonneg" and est <= 1e-8) else side(-1)
            high = side(+1)
        out = ConfidenceInterval(low, high, cl, "profile likelihood")
        self._profile_cache[(name, cl)] = out
        return out

    def branching_table(self, confidence_level: float = 0.95) -> pd.DataFrame:
        """Adjacency entries (branching ratios) with standard errors and Wald intervals.

        For ``kernel="lags"`` the entry is the sum of lag coefficients, its standard error from
        the covariance of the coefficients (delta method).
        """
        cl = check_confidence_level(confidence_level)
        z = stats.norm.ppf(0.5 + cl / 2)
        out = []
        for r, (lay, theta, _ll, _c, _g, cov) in self._rows.items():
            for j, sl in enumerate(lay.exc_slices):
                if lay.kernel == "exponential":
                    est, var = theta[sl.start], cov[sl.start, sl.start]
                else:
                    est = float(theta[sl].sum())
                    var = float(np.sum(cov[sl, sl]))
                se = math.sqrt(var) if np.isfinite(var) and var >= 0 else float("nan")
                low, high = est - z * se, est + z * se
                if lay.kinds[sl.start] == "nonneg":
                    low = max(low, 0.0)
                if (
                    not np.isfinite(se)
                    and lay.kernel == "exponential"
                    and self.model.estimator == "mle"
                ):
                    ci = self.profile_interval(lay.labels[sl.start], cl)
                    low, high = ci.low, ci.high
                out.append(
                    {
                        "receiving": r,
                        "source": self.streams[j],
                        "estimate": float(est),
                        "std_err": se,
                        "ci_low": low,
                        "ci_high": high,
                    }
                )
        return pd.DataFrame(out)

    def _model_rows(self, what: str) -> tuple[list[_RowLayout], list[np.ndarray]]:
        """Layouts and parameter vectors of every stream (all must be modelled)."""
        missing = [x for x in self.streams if x not in self._rows]
        if missing:
            raise error(
                f"{what}()",
                "needs every stream modelled (streams that only enter as lagged covariates "
                "cannot be continued)",
                f"streams {missing} not modelled (receivers={self.receivers})",
                "Fit with receivers=None.",
            )
        layouts = [self._rows[x][0] for x in self.streams]
        thetas = [np.asarray(self._rows[x][1], dtype=float) for x in self.streams]
        return layouts, thetas

    def simulate(
        self, n_bins: int | None = None, rng: Any = None, *, n_paths: int | None = None
    ) -> Any:
        """Simulate new counts from the fitted model.

        Parameters
        ----------
        n_bins : int, optional
            Number of bins (default: as many as were fitted). The series starts at the first
            fitted bin with no history; a trend continues past the fitted window.
        rng : int, Generator or None
            Seed or generator.
        n_paths : int, optional
            Simulate that many independent series at once.

        Returns
        -------
        numpy.ndarray or dict of numpy.ndarray
            Integer counts of full bins: ``(n_bins,)`` or ``(n_paths, n_bins)``; a dict by
            stream for several streams (fit with ``receivers=None``). See
            :meth:`DiscreteHawkes.simulate` for the model.

        Examples
        --------
        >>> from incidentstats.hawkes.discrete import DiscreteHawkes, simulate_discrete
        >>> res = DiscreteHawkes().fit(simulate_discrete(2.0, 0.5, 0.3, n_bins=600, rng=1))
        >>> res.simulate(rng=2).shape, res.simulate(100, rng=2, n_paths=3).shape
        ((600,), (3, 100))
        """
        layouts, thetas = self._model_rows("simulate")
        n = self.n_bins if n_bins is None else int(check_positive("n_bins", n_bins, integer=True))
        k = None if n_paths is None else _check_n_paths(n_paths)
        gen = check_rng(rng)
        paths = _propagate(
            layouts,
            thetas,
            np.zeros((len(self.streams), 0)),
            n,
            0,
            self.n_bins,
            self.bin_width,
            1 if k is None else k,
            gen,
        )
        return _package(paths, self.streams, k)

    def forecast(
        self,
        horizon: Any = 30,
        n_paths: int = 1000,
        rng: Any = None,
        *,
        stream: str | None = None,
        max_k: int | None = None,
        quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95),
        parameter_uncertainty: str = "none",
        n_draws: int = 100,
    ) -> DiscreteForecastResult:
        """Expected counts of the next bins and simulation prediction intervals (see
        :func:`forecast_discrete`; ``parameter_uncertainty="bootstrap"`` includes the
        uncertainty of the estimates)."""
        return forecast_discrete(
            self,
            horizon,
            n_paths,
            rng,
            stream=stream,
            max_k=max_k,
            quantiles=quantiles,
            parameter_uncertainty=parameter_uncertainty,
            n_draws=n_draws,
        )

    def fitted(self) -> pd.DataFrame:
        """Fitted conditional means per bin for the modelled streams."""
        c = self._counts
        out = {}
        for r, (lay, theta, *_rest) in self._rows.items():
            lagmats = [_lag_matrix(xj, lay.max_lag) for xj in c.x] if lay.kernel == "lags" else None
            th = theta.copy()
            lam = _row_mean(th, lay, c, lagmats)
            out[r] = lam
        return pd.DataFrame(out, index=c.index)

    def pearson_residuals(self) -> pd.DataFrame:
        """Pearson residuals ``(X - lambda) / sqrt(Var)`` per modelled stream and bin."""
        fit = self.fitted()
        out = {}
        for r, (lay, theta, *_rest) in self._rows.items():
            y = self._counts.x[self.streams.index(r)]
            lam = fit[r].to_numpy()
            var = lam if lay.family == "poisson" else lam + theta[-1] * lam**2
            out[r] = (y - lam) / np.sqrt(var)
        return pd.DataFrame(out, index=self._counts.index)

    def counts_frame(self) -> pd.DataFrame:
        """The counts per bin of every stream (as fitted)."""
        c = self._counts
        return pd.DataFrame(c.x.T.astype(np.int64), index=c.index, columns=self.streams)

    def plot_fitted(self, stream: str | None = None, ax: Any = None) -> Any:
        """Observed counts against the fitted conditional mean (one modelled stream)."""
        from ..plotting.multivariate import plot_discrete_fit

        if stream is not None:
            check_choice("stream", stream, self.receivers, "plot_fitted")
        return plot_discrete_fit(self, stream=stream, ax=ax)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Adjacency heat map (several streams)."""
        from ..plotting.multivariate import plot_adjacency

        return plot_adjacency(self, ax=ax, **kwargs)

    def summary(self) -> Summary:
        ci = self.confidence_interval()
        s = Summary("Discrete-time Hawkes model (counts per bin)")
        s.add_fact("kernel", self.model.kernel)
        s.add_fact("baseline", self.model.baseline)
        s.add_fact("family", self.model.family)
        s.add_fact("estimator", self.model.estimator)
        s.add_fact("streams", ", ".join(self.streams))
        s.add_fact("modelled", ", ".join(self.receivers))
        s.add_fact("bins", self.n_bins)
        s.add_fact("bin width (days)", self.bin_width)
        s.add_fact("events", int(self.n_events.sum()))
        s.add_fact("log-likelihood", self.loglik)
        s.add_fact("AIC", self.aic)
        s.add_fact("BIC", self.bic)
        if len(self.streams) == 1:
            s.add_fact("branching ratio", self.branching_ratio)
        else:
            s.add_fact("spectral radius", self.spectral_radius)
        s.add_fact("converged", self.converged)
        tab = pd.DataFrame(
            {
                "estimate": self.params,
                "std_err": self.bse,
                "ci_low": ci["low"],
                "ci_high": ci["high"],
            }
        )
        tab.index.name = "parameter"
        s.add_table("Parameters (rates per day)", tab)
        s.add_note(
            "Triggering within one bin is not seen by a model of lagged counts: for a "
            "continuous branching ratio n and decay b, the discrete estimate is about "
            "n f / (1 - n (1 - f)) with f = (1 - exp(-b*width))/(b*width)."
        )
        if self.model.estimator == "cls":
            s.add_note(
                "Conditional least squares (Kirchner 2017): coefficients unconstrained in "
                "sign, HC0 covariance; the log-likelihood is the Poisson one at the CLS "
                f"estimates over bins after the first {self.model.max_lag}."
            )
        s.add_note("Intervals: Wald from the observed information.")
        return s

    def to_dict(self) -> dict[str, Any]:
        ci = self.confidence_interval()
        return jsonable(
            {
                "model": "discrete_hawkes",
                "kernel": self.model.kernel,
                "baseline_type": self.model.baseline,
                "family": self.model.family,
                "estimator": self.model.estimator,
                "streams": self.streams,
                "receivers": self.receivers,
                "params": self.params,
                "bse": self.bse,
                "ci_low": ci["low"],
                "ci_high": ci["high"],
                "adjacency": self.adjacency.values,
                "branching_ratio": self.branching_ratio,
                "spectral_radius": self.spectral_radius,
                "loglik": self.loglik,
                "aic": self.aic,
                "bic": self.bic,
                "converged": self.converged,
                "n_bins": self.n_bins,
                "bin_width": self.bin_width,
                "n_events": self.n_events,
            }
        )


def _row_mean(
    theta: np.ndarray, lay: _RowLayout, c: _Counts, lagmats: list[np.ndarray] | None
) -> np.ndarray:
    s = _trend_covariate(c.x.shape[1])
    nu = theta[0]
    if lay.baseline == "constant":
        lam = nu * c.width * c.weight
    elif lay.baseline == "linear":
        lam = nu * (1 + theta[1] * s) * c.width * c.weight
    else:
        lam = nu * np.exp(theta[1] * s) * c.width * c.weight
    for j, sl in enumerate(lay.exc_slices):
        if lay.kernel == "exponential":
            e, _ = _exp_filter(c.x[j], math.exp(-theta[sl.start + 1] * c.width))
            lam = lam + theta[sl.start] * e * c.weight
        else:
            assert lagmats is not None
            lam = lam + (theta[sl] @ lagmats[j]) * c.weight
    return lam


# --------------------------------------------------------------------------------------------
# forecast
# --------------------------------------------------------------------------------------------
class DiscreteForecastResult(Result):
    """Forecast of a fitted discrete-time Hawkes model over the next bins (immutable).

    The counterpart of :class:`~incidentstats.hawkes.forecast.ForecastResult` for counts per
    bin: the same names where the quantity is the same.

    Attributes
    ----------
    start, end : pandas.Timestamp or int
        The forecast window ``[start, end)``, from the end of the observed bins (bin numbers
        when the fitted counts had no dates).
    horizon : int
        Number of forecast bins.
    horizon_days : float
        Its length in days (``horizon`` times the bin width).
    stream : str
        The stream the count summaries describe (every stream is simulated).
    n_paths : int
        Number of simulated paths.
    counts : numpy.ndarray
        Total count of ``stream`` in the window on each path.
    expected_count : float
        Mean of ``counts`` (simulation); ``expected_count_se`` its Monte Carlo standard error.
    expected_count_exact : float
        The exact conditional expectation of the total (closed form; sum of
        ``per_bin["expected"]``). The simulated mean should agree within its Monte Carlo
        error; a difference is a bug.
    prob_any : float
        Monte Carlo P(N ≥ 1) in the window.
    prob_at_least : pandas.DataFrame
        Index ``k`` = 1..K; columns ``probability`` (P(N ≥ k)) and ``mc_se``.
    per_bin : pandas.DataFrame
        Index: bin start; columns ``expected`` (exact conditional expectation), ``mean``
        (simulated) and ``mc_se``, ``p_any`` (P(at least one event in the bin)) and the
        quantiles ``q5``, ... of the bin's count.
    fan : pandas.DataFrame
        Index: bin end; columns ``mean`` and quantiles of the cumulative count since
        ``start``.
    expected : pandas.DataFrame
        Exact conditional expectation per bin (rows) for every stream (columns).
    paths : numpy.ndarray
        Simulated counts, shape ``(n_paths, horizon, n_streams)`` (read-only).
    history : pandas.DatetimeIndex or None
        The observed events of ``stream`` as bin starts (for plots; None without dates).
    quantiles : tuple of float
    parameter_uncertainty, n_param_draws : str, int
        ``"bootstrap"`` and the number of parameter draws, or ``"none"`` and 0. With the
        bootstrap, ``expected``, ``per_bin["expected"]`` and ``expected_count_exact`` are the
        exact conditional expectations averaged over the draws (weighted by their paths).
    n_failed_draws : int
        Simulated series that could not be refitted (a stream with fewer than 2 events) and
        were drawn again.
    degenerate_fit : str or None
        Why the fitted model is not stationary (spectral radius ≥ 1), or None; the summary
        then warns that the forecast extrapolates a trend.
    """

    def __init__(
        self,
        *,
        paths: np.ndarray,
        expected: pd.DataFrame,
        stream: str,
        labels: pd.Index,
        start: Any,
        end: Any,
        bin_width: float,
        quantiles: tuple[float, ...],
        max_k: int | None,
        name: str | None,
        history: pd.DatetimeIndex | None = None,
        parameter_uncertainty: str = "none",
        n_param_draws: int = 0,
        n_failed_draws: int = 0,
        degenerate_fit: str | None = None,
    ) -> None:
        streams = list(expected.columns)
        j = streams.index(stream)
        self.paths = paths.astype(np.int64)
        self.paths.setflags(write=False)
        self.expected = expected
        self.stream = stream
        self.streams = streams
        self.start = start
        self.end = end
        self.n_paths, self.horizon = int(paths.shape[0]), int(paths.shape[1])
        self.bin_width = float(bin_width)
        self.horizon_days = self.horizon * self.bin_width
        self.quantiles = tuple(quantiles)
        self.name = name
        self.history = history
        self.method = "simulation"
        self.parameter_uncertainty = parameter_uncertainty
        self.n_param_draws = int(n_param_draws)
        self.n_failed_draws = int(n_failed_draws)
        self.degenerate_fit = degenerate_fit
        x = self.paths[:, :, j]
        counts = x.sum(axis=1)
        counts.setflags(write=False)
        self.counts = counts
        n = self.n_paths
        self.expected_count = float(np.mean(counts))
        self.expected_count_se = float(np.std(counts, ddof=1) / math.sqrt(n))
        self.expected_count_exact = float(expected[stream].sum())
        self.prob_any = float(np.mean(counts >= 1))
        if max_k is None:
            max_k = max(5, int(np.ceil(np.quantile(counts, 0.99))))
        ks = np.arange(1, max_k + 1)
        probs = np.array([np.mean(counts >= k) for k in ks])
        self.prob_at_least = pd.DataFrame(
            {"probability": probs, "mc_se": np.sqrt(probs * (1 - probs) / n)},
            index=pd.Index(ks, name="k"),
        )
        p_any = (x > 0).mean(axis=0)
        per_bin = pd.DataFrame(
            {
                "expected": expected[stream].to_numpy(),
                "mean": x.mean(axis=0),
                "mc_se": x.std(axis=0, ddof=1) / math.sqrt(n),
                "p_any": p_any,
            },
            index=labels,
        )
        qv = np.quantile(x, self.quantiles, axis=0, method="inverted_cdf")
        for q, row in zip(self.quantiles, qv):
            per_bin[_qname(q)] = row
        self.per_bin = per_bin
        cum = np.cumsum(x, axis=1)
        ends = _shift_labels(labels, 1, start, end)
        fan = pd.DataFrame({"mean": cum.mean(axis=0)}, index=ends)
        qc = np.quantile(cum, self.quantiles, axis=0, method="inverted_cdf")
        for q, row in zip(self.quantiles, qc):
            fan[_qname(q)] = row
        self.fan = fan

    def count_quantiles(self) -> pd.Series:
        """Quantiles of the total count in the window (the fan's last row)."""
        qs = np.quantile(self.counts, self.quantiles, method="inverted_cdf")
        return pd.Series(qs, index=[_qname(q) for q in self.quantiles], name="count")

    def prediction_interval(
        self, confidence_level: float = 0.9, *, cumulative: bool = False
    ) -> pd.DataFrame:
        """Equal-tailed simulation prediction interval of each bin's count.

        With ``cumulative=True``, of the cumulative count from ``start`` to the end of each
        bin (the last row is the total). Columns ``expected`` (exact), ``low``, ``high``.
        """
        cl = check_confidence_level(confidence_level)
        x = self.paths[:, :, self.streams.index(self.stream)]
        expected = self.expected[self.stream].to_numpy()
        index = self.per_bin.index
        if cumulative:
            x = np.cumsum(x, axis=1)
            expected = np.cumsum(expected)
            index = self.fan.index
        lo, hi = np.quantile(x, [(1 - cl) / 2, (1 + cl) / 2], axis=0, method="inverted_cdf")
        return pd.DataFrame({"expected": expected, "low": lo, "high": hi}, index=index)

    def summary(self) -> Summary:
        title = "Discrete Hawkes forecast"
        if self.name:
            title += f": {self.name}"
        s = Summary(title)
        s.add_fact("Forecast window", f"{_fmt_label(self.start)} to {_fmt_label(self.end)}")
        s.add_fact("Bins (width in days)", f"{self.horizon} ({self.bin_width:g})")
        if len(self.streams) > 1:
            s.add_fact("Stream", self.stream)
        s.add_fact("Simulated paths", self.n_paths)
        s.add_fact("Expected events, exact", self.expected_count_exact)
        s.add_fact("Expected events, simulated", self.expected_count)
        s.add_fact("Monte Carlo s.e. of expected events", self.expected_count_se)
        lo, hi = min(self.quantiles), max(self.quantiles)
        cq = np.quantile(self.counts, [lo, hi], method="inverted_cdf")
        s.add_fact(
            f"{100 * (hi - lo):g}% prediction interval of the count",
            f"[{int(cq[0])}, {int(cq[1])}]",
        )
        s.add_fact("P(at least one event), simulated", self.prob_any)
        s.add_table("P(N >= k)", self.prob_at_least)
        shown = self.per_bin
        if len(shown) > 60:
            s.add_note(f"The per-bin table shows the first 60 of {len(shown)} bins.")
            shown = shown.iloc[:60]
        shown = shown.copy()
        shown.index = [_fmt_label(t) for t in shown.index]
        shown.index.name = "bin"
        s.add_table("Per bin: expected events and simulated quantiles", shown)
        tail = (
            "Future bins are full bins of the fitted width; a trend in the background is "
            "extrapolated."
        )
        if self.degenerate_fit:
            s.add_note(
                f"The fitted model is not stationary ({self.degenerate_fit}): the excitation "
                "imitates a trend in the background, and the forecast extrapolates it and can "
                "grow without bound. Prefer a background that may change (baseline='linear' or "
                "'loglinear'), or a longer window."
            )
        if self.parameter_uncertainty == "bootstrap":
            s.add_fact("Parameter draws (parametric bootstrap refits)", self.n_param_draws)
            s.add_note(
                "Paths are simulated given the observed counts, each block from the parameters "
                "refitted to a series simulated from the fit (parametric bootstrap), so the "
                "bands include the uncertainty of the estimates; the exact expected counts are "
                "averages over the parameter draws. "
                + (
                    f"{self.n_failed_draws} simulated series could not be refitted (a stream "
                    "with fewer than 2 events) and were drawn again. "
                    if self.n_failed_draws
                    else ""
                )
                + tail
            )
        else:
            s.add_note(
                "Paths are simulated from the fitted parameters given the observed counts; "
                "parameter uncertainty is not included, so the bands are too narrow when the "
                "fit is uncertain (parameter_uncertainty='bootstrap' includes it). " + tail
            )
        return s

    def plot(self, ax: Any = None, *, history: str | None = "90D") -> Any:
        """Fan plot of the cumulative count, as for the continuous forecast (dated bins only)."""
        if not isinstance(self.start, pd.Timestamp):
            raise error(
                "plot()",
                "needs bins with dates",
                f"bin numbers ({self.start} to {self.end})",
                "Fit a CountSeries, an EventSeries or a date-indexed pandas Series.",
            )
        from ..plotting.hawkes_gof import plot_forecast

        return plot_forecast(self, ax=ax, history=history)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "model": "discrete_hawkes",
                "stream": self.stream,
                "start": self.start,
                "end": self.end,
                "horizon": self.horizon,
                "horizon_days": self.horizon_days,
                "n_paths": self.n_paths,
                "method": self.method,
                "parameter_uncertainty": self.parameter_uncertainty,
                "n_param_draws": self.n_param_draws,
                "degenerate_fit": self.degenerate_fit,
                "expected_count": self.expected_count,
                "expected_count_se": self.expected_count_se,
                "expected_count_exact": self.expected_count_exact,
                "prob_any": self.prob_any,
                "prob_at_least": {
                    int(k): float(v) for k, v in self.prob_at_least["probability"].items()
                },
                "count_quantiles": self.count_quantiles(),
                "per_bin": self.per_bin.reset_index(),
            }
        )


def _qname(q: float) -> str:
    return f"q{100 * q:g}"


def _fmt_label(x: Any) -> str:
    if isinstance(x, pd.Timestamp):
        return str(x.date()) if x == x.normalize() else str(x)
    return str(x)


def _shift_labels(labels: pd.Index, k: int, start: Any, end: Any) -> pd.Index:
    """Labels moved ``k`` bins on (bin ends from bin starts)."""
    if isinstance(labels, pd.DatetimeIndex):
        step = labels[1] - labels[0] if len(labels) > 1 else end - start
        return pd.DatetimeIndex(labels + k * step, name="end")
    return pd.Index(np.asarray(labels) + k, name="end")


def _future_labels(counts: _Counts, horizon: int) -> tuple[pd.Index, Any, Any]:
    """Labels of the next ``horizon`` full bins, and the window's start and end."""
    idx = counts.index
    n = len(idx)
    if isinstance(idx, pd.DatetimeIndex):
        step = pd.Timedelta(days=counts.width)
        start = idx[-1] + pd.Timedelta(days=float(counts.exposure[-1]))
        labels = pd.DatetimeIndex([start + k * step for k in range(horizon)], name="bin")
        return labels, start, start + horizon * step
    return pd.RangeIndex(n, n + horizon, name="bin"), n, n + horizon


def forecast_discrete(
    result: DiscreteHawkesResult,
    horizon: Any = 30,
    n_paths: int = 1000,
    rng: Any = None,
    *,
    stream: str | None = None,
    max_k: int | None = None,
    quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95),
    parameter_uncertainty: str = "none",
    n_draws: int = 100,
) -> DiscreteForecastResult:
    r"""Forecast the next bins of a fitted discrete Hawkes model, given the observed counts.

    Parameters
    ----------
    result : DiscreteHawkesResult
        A fit in which every stream is modelled (``receivers=None``).
    horizon : int, str, Timedelta or float, default 30
        An integer is a number of future bins; a duration (``"30D"``, a Timedelta, or a float
        number of days as in the continuous forecast) must be a whole number of bins.
    n_paths : int, default 1000
        Number of simulated future paths (at least 2).
    rng : int, numpy.random.Generator or None
        Seed or generator; the same seed gives the same forecast.
    stream : str, optional
        Stream whose counts the summaries describe (needed with several streams).
    max_k : int, optional
        Largest k in the P(N ≥ k) table; default max(5, 99th percentile of the counts).
    quantiles : tuple of float, default (0.05, 0.25, 0.5, 0.75, 0.95)
        Quantiles of the per-bin and cumulative counts.
    parameter_uncertainty : {"none", "bootstrap"}, default "none"
        ``"none"`` simulates every path from the point estimates. ``"bootstrap"`` draws
        ``n_draws`` parameter sets by parametric bootstrap (simulate a series of the fitted
        length from the fit with :meth:`DiscreteHawkesResult.simulate`, refit the same model
        with the same options) and simulates ``n_paths / n_draws`` future paths from each,
        always continuing the *observed* counts: a bootstrap predictive distribution that
        includes the uncertainty of the estimates (as in
        :func:`incidentstats.hawkes.forecast.forecast`).
    n_draws : int, default 100
        Number of bootstrap parameter draws (with ``parameter_uncertainty="bootstrap"``);
        at most ``n_paths``.

    Returns
    -------
    DiscreteForecastResult

    Notes
    -----
    The conditional mean is linear in the past counts, so the expected count of a future
    bin given the observed bins :math:`\mathcal F_N` follows by replacing every future count
    by its own conditional expectation:

    .. math:: E[X_{i,N+h} \mid \mathcal F_N] = \Delta\nu_i(N+h) + \sum_j \eta_{ij}
              \sum_{k \ge 1} g_{ij}(k)\, \tilde X_{j,N+h-k},

    with :math:`\tilde X_{j,t}` the observed count for :math:`t < N` and
    :math:`E[X_{j,t} \mid \mathcal F_N]` for :math:`t \ge N` (for the exponential kernel the
    inner sum is one linear recursion per bin). This is ``expected``; prediction intervals
    come from ``n_paths`` paths simulated bin by bin from the same model (Poisson or NB2
    counts), continuing the observed history. A trend in the background is extrapolated;
    future bins are full bins of the fitted width.

    By default the paths use the point estimates, so with few events the bands are too
    narrow. With ``parameter_uncertainty="bootstrap"`` the ``n_paths`` paths are split into
    ``n_draws`` blocks (sizes differing by at most one); block ``b`` uses the estimates
    refitted to the ``b``-th series simulated from the fit (full bins, the fitted number of
    bins, no history before the first; same options, ``burn_in`` and starts), a parametric
    bootstrap predictive distribution (Harris 1989). A simulated series in which a stream
    has fewer than 2 events cannot be fitted and is drawn again.
    ``expected`` (and ``per_bin["expected"]``, ``expected_count_exact``) is then the mean
    of the predictive mixture: the exact conditional expectation under each draw, averaged
    with the blocks' shares of the paths. This helps but does not fully calibrate small
    samples: fitting 150 daily bins (about 30 events; baseline 0.1/day, branching ratio 0.5,
    decay 0.2/day) and forecasting the next 30 bins, the realised count fell in the outer 10%
    of the predictive distribution in 22.1% of 1,000 simulations with the point estimates and
    in 13.7% with the bootstrap (50 draws; ``INCIDENTSTATS_FULL=1 pytest
    tests/hawkes/test_discrete.py``). In a separate run of 300 such fits, 27 (9%) were
    degenerate, with a branching ratio of 1 or more or a decay below 0.001/day: the kernel
    then acts as a trend, which no resampling around the fit undoes.

    With signed lag coefficients (``estimator="cls"``) a conditional mean below 0 is cut at 0
    in both the recursion and the simulation; ``expected`` is then approximate.

    References
    ----------
    Kirchner, M. (2016). Hawkes and INAR(∞) processes. *Stochastic Processes and their
    Applications* 126(8), 2494–2525.
    Fokianos, K., Rahbek, A. & Tjøstheim, D. (2009). Poisson autoregression. *JASA* 104(488),
    1430–1439.
    Harris, I. R. (1989). Predictive fit for natural exponential families. *Biometrika* 76(4),
    675–684.

    Examples
    --------
    >>> from incidentstats.hawkes.discrete import DiscreteHawkes, simulate_discrete
    >>> res = DiscreteHawkes().fit(simulate_discrete(2.0, 0.5, 0.3, n_bins=600, rng=1))
    >>> fc = res.forecast(14, n_paths=2000, rng=1)
    >>> fc.per_bin.shape, fc.start, fc.end
    ((14, 9), 600, 614)
    >>> bool(abs(fc.expected_count - fc.expected_count_exact) < 4 * fc.expected_count_se)
    True
    >>> fb = res.forecast(14, n_paths=200, rng=1, parameter_uncertainty="bootstrap", n_draws=10)
    >>> fb.n_param_draws, fb.n_paths
    (10, 200)
    """
    from .._validation import to_timedelta

    if not isinstance(result, DiscreteHawkesResult):
        raise error(
            "The `result` argument",
            "must be a DiscreteHawkesResult (from DiscreteHawkes().fit(counts))",
            type(result).__name__,
        )
    layouts, thetas = result._model_rows("forecast")
    c = result._counts
    if isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool):
        h = int(check_positive("horizon", horizon, integer=True))
    else:
        td = to_timedelta("horizon", horizon)
        bins = (td / pd.Timedelta(days=1)) / c.width
        if abs(bins - round(bins)) > 1e-9 or round(bins) < 1:
            raise error(
                "The `horizon` argument",
                f"must be a whole number of bins of {c.width:g} days",
                horizon,
                "Pass the number of bins as an integer.",
            )
        h = int(round(bins))
    n = _check_n_paths(n_paths, 2)
    if max_k is not None:
        check_positive("max_k", max_k, integer=True)
    qs = tuple(float(q) for q in quantiles) if isinstance(quantiles, (tuple, list)) else ()
    if not qs or any(not 0 < q < 1 for q in qs):
        raise error(
            "The `quantiles` parameter",
            "must be a non-empty tuple of numbers strictly between 0 and 1",
            quantiles,
        )
    if stream is None:
        if len(result.streams) > 1:
            raise error(
                "The `stream` argument",
                "must name the stream to forecast when there are several",
                None,
                f"Pass one of {result.streams}.",
            )
        stream = result.streams[0]
    check_choice("stream", stream, result.streams, "forecast")
    from .forecast import check_parameter_uncertainty

    check_parameter_uncertainty(parameter_uncertainty, n_draws, n)
    gen = check_rng(rng)
    labels, start, end = _future_labels(c, h)
    n_fit = c.x.shape[1]
    n_failed = 0
    if parameter_uncertainty == "none":
        draws = [(thetas, n)]
    else:
        draws, n_failed = _bootstrap_draws(result, int(n_draws), n, gen)
    mean = np.zeros((h, len(result.streams)))
    blocks = []
    for th_b, m in draws:
        # the exact conditional expectation, averaged over the draws with their paths' share
        mean += m / n * _propagate(layouts, th_b, c.x, h, n_fit, n_fit, c.width, 1, None)[0]
        blocks.append(_propagate(layouts, th_b, c.x, h, n_fit, n_fit, c.width, m, gen))
    expected = pd.DataFrame(mean, index=labels, columns=result.streams)
    paths = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    history = None
    if isinstance(c.index, pd.DatetimeIndex):
        j = result.streams.index(stream)
        history = pd.DatetimeIndex(c.index.repeat(c.x[j].astype(np.int64)), name="time")
    return DiscreteForecastResult(
        paths=paths,
        expected=expected,
        stream=stream,
        labels=labels,
        start=start,
        end=end,
        bin_width=c.width,
        quantiles=qs,
        max_k=max_k,
        name=stream if len(result.streams) > 1 else None,
        history=history,
        parameter_uncertainty=parameter_uncertainty,
        n_param_draws=len(draws) if parameter_uncertainty == "bootstrap" else 0,
        n_failed_draws=n_failed,
        degenerate_fit=(
            f"spectral radius {result.spectral_radius:.3g} >= 1"
            if result.spectral_radius >= 1.0
            else None
        ),
    )


def _bootstrap_draws(
    result: DiscreteHawkesResult, n_draws: int, n_paths: int, gen: np.random.Generator
) -> tuple[list[tuple[list[np.ndarray], int]], int]:
    """Parametric-bootstrap parameter vectors (one per stream), each with its number of paths.

    Each draw simulates a series of the fitted length from the fit (full bins) and refits the
    same model with the same options; the split of the paths is that of the continuous
    forecast (:func:`incidentstats.hawkes.forecast._bootstrap_draws`).
    """
    from ._multivariate_numba import blas_single_thread

    model = result.model
    kernel, baseline, family, estimator, max_lag = model._options()
    n_starts = int(check_positive("n_starts", model.n_starts, integer=True))
    c = result._counts
    n_bins = result.n_bins
    from .forecast import paths_per_draw

    sizes = paths_per_draw(n_paths, n_draws)
    draws: list[tuple[list[np.ndarray], int]] = []
    failed = 0
    while len(draws) < n_draws:
        try:
            sim = result.simulate(rng=gen)
        except IncidentStatsError as err:
            raise error(
                "The `result` argument",
                "must be a fit that can be simulated over its own window for "
                "parameter_uncertainty='bootstrap'",
                f"a fit with spectral radius {result.spectral_radius:.3g} whose simulation "
                "explodes",
                "Use parameter_uncertainty='none', or a background with a trend.",
            ) from err
        x = np.vstack([sim[k] for k in result.streams] if isinstance(sim, dict) else [sim])
        if np.any(x.sum(axis=1) < 2):
            failed += 1
            if failed > 10 * n_draws:
                raise error(
                    "The `result` argument",
                    "must be a fit whose simulated series have at least 2 events in every "
                    "stream for parameter_uncertainty='bootstrap'",
                    f"{failed} simulated series with a stream of fewer than 2 events",
                    "Use parameter_uncertainty='none'.",
                )
            continue
        counts = _Counts(
            x.astype(float), np.ones(n_bins), c.width, c.index, c.names, np.full(n_bins, c.width)
        )
        with warnings.catch_warnings(), blas_single_thread():
            # boundary and convergence notes of the refits are expected and not the user's
            warnings.simplefilter("ignore")
            rows = model._fit_rows(
                counts,
                list(c.names),
                kernel,
                max_lag,
                baseline,
                family,
                estimator,
                result.burn_in,
                n_starts,
                want_cov=False,
            )
        draws.append(
            ([np.asarray(rows[k][1], float) for k in result.streams], int(sizes[len(draws)]))
        )
    return draws, failed


# --------------------------------------------------------------------------------------------
# ties strategy comparison
# --------------------------------------------------------------------------------------------
def compare_ties(
    streams: Any,
    *,
    baseline: str = "constant",
    receivers: Any = None,
    n_imputations: int = 5,
    rng: Any = 0,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Fit day-level data two ways and show the excitation estimates side by side.

    The continuous multivariate Hawkes model with the times spread uniformly within their day
    (``n_imputations`` seeded imputations, Rubin's rules) and the discrete model of daily
    counts (:class:`DiscreteHawkes`). If the two disagree, the conclusion depends on how the
    unknown within-day order is handled — report both.

    Parameters
    ----------
    streams : EventSeries or dict of EventSeries
        Day-resolution events on one window.
    baseline : {"constant", "trend"}, default "constant"
        ``"trend"`` uses a log-linear background in both models.
    receivers : str or list, optional
        Rows of the adjacency to report (default all).
    n_imputations : int, default 5
        Jittered data sets for the continuous fit.
    rng : int, Generator or None, default 0
        Seed of the jittering (the default makes the table reproducible).
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per (strategy, receiving, source): ``estimate``, ``std_err``, ``ci_low``,
        ``ci_high``, ``decay`` and, for the jittered fit, ``sd_imputations`` (spread of the
        estimate across imputations).

    Notes
    -----
    On the bundled Iraq 2007–08 national series (attacks receiving; 5 imputations, rng=1):
    with a constant background, self-excitation 0.954 [0.938, 0.970] (jittered continuous)
    vs 0.888 [0.874, 0.901] (daily discrete), airstrikes → attacks 0.082 [0, 0.20] vs
    0 [0, 0.049]; with a log-linear trend, 0.809 [0.754, 0.864] vs 0.689 [0.660, 0.718] and
    0.107 [0, 0.229] vs 0.030 [0, 0.142]. Both strategies agree that the trend, not contagion,
    explains much of the clustering and that the airstrike effect is small and not
    distinguishable from 0; they differ in the level of self-excitation (the discrete model
    misses same-day triggering).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from incidentstats.events import EventSeries
    >>> gen = np.random.default_rng(1)
    >>> days = pd.Timestamp("2020-01-01") + pd.to_timedelta(gen.integers(0, 200, 600), unit="D")
    >>> ev = EventSeries(days, start="2020-01-01", end="2020-07-19", resolution="day")
    >>> table = compare_ties(ev, n_imputations=2, rng=1)
    >>> table["strategy"].tolist()
    ['continuous, jittered', 'discrete, daily counts']
    """
    from ..events import EventSeries
    from .multivariate import MultivariateHawkes

    check_choice("baseline", baseline, ("constant", "trend"), "compare_ties")
    cl = check_confidence_level(confidence_level)
    if isinstance(streams, EventSeries):
        streams = {str(streams.name or "events"): streams}
    cont = MultivariateHawkes(
        baseline="loglinear" if baseline == "trend" else "constant", n_imputations=n_imputations
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cres = cont.fit(streams, rng=rng)
        dres = DiscreteHawkes(baseline="loglinear" if baseline == "trend" else "constant").fit(
            streams, receivers=receivers
        )
    names = list(cres.streams)
    multi = len(names) > 1
    cci = cres.confidence_interval(cl)
    dci = dres.confidence_interval(cl)
    rows = []
    recv = dres.receivers
    for r in recv:
        for c in names:
            key_c = f"adjacency[{r}<-{c}]"
            sd = (
                float(cres.imputations[key_c].std(ddof=1))
                if cres.imputations is not None
                else float("nan")
            )
            rows.append(
                {
                    "strategy": "continuous, jittered",
                    "receiving": r,
                    "source": c,
                    "estimate": cres.params[key_c],
                    "std_err": cres.bse[key_c],
                    "ci_low": cci.loc[key_c, "low"],
                    "ci_high": cci.loc[key_c, "high"],
                    "decay": float(cres.decays[0]),
                    "sd_imputations": sd,
                }
            )
            key_d = f"adjacency[{r}<-{c}]" if multi else "branching_ratio"
            dec_d = f"decay[{r}<-{c}]" if multi else "decay"
            rows.append(
                {
                    "strategy": "discrete, daily counts",
                    "receiving": r,
                    "source": c,
                    "estimate": dres.params[key_d],
                    "std_err": dres.bse[key_d],
                    "ci_low": dci.loc[key_d, "low"],
                    "ci_high": dci.loc[key_d, "high"],
                    "decay": dres.params[dec_d],
                    "sd_imputations": float("nan"),
                }
            )
    return pd.DataFrame(rows)
