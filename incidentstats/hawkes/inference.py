"""Interval estimation for Hawkes (and Poisson) fits: Wald, profile likelihood, bootstrap.

Coverage of nominal 95% intervals, measured by simulation (exponential kernel, constant
baseline, exact times, each replicate fitted with ``n_starts=2``; scripts as in
``tests/hawkes/test_inference.py``, whose ``test_coverage_full`` reruns the 400-event row
with ``INCIDENTSTATS_FULL=1``). Figures are μ / n / β:

Scenario A: μ = 0.5/day, n = 0.5, β = 1/day.

======  ====  =====================  =====================  =====================
events  reps  Wald, log scale        profile likelihood     bootstrap, basic log
======  ====  =====================  =====================  =====================
~100    400   0.945 / 0.963 / 0.943  0.980 / 0.968 / 0.975
~200    400   0.940 / 0.978 / 0.938  0.968 / 0.965 / 0.943  0.913 / 0.940 / 0.960 (150)
~400    400   0.953 / 0.955 / 0.948  0.955 / 0.945 / 0.945
~1000   200   0.950 / 0.955 / 0.970  0.960 / 0.940 / 0.970
======  ====  =====================  =====================  =====================

Scenario B (strong, slow clustering): μ = 0.2/day, n = 0.8, β = 0.5/day.

======  ====  =====================  =====================  =====================
events  reps  Wald, log scale        profile likelihood     bootstrap, basic log
======  ====  =====================  =====================  =====================
~40     299   0.819 / 0.953 / 0.886  0.893 / 0.920 / 0.903
~200    300   0.917 / 0.967 / 0.927  0.947 / 0.957 / 0.927  0.900 / 0.953 / 0.967 (150)
======  ====  =====================  =====================  =====================

Binomial standard errors: 0.011 (400 replicates), 0.013 (300), 0.018 (150). Wald
intervals are computed on the log scale (positive parameters keep positive bounds), which
keeps them close to nominal from a few hundred events; with ~40 events they under-cover
(82% for the background rate), hence profile likelihood as the default below 30 events.
The bootstrap uses 200 draws; its background-rate interval runs slightly short (~0.90).

References
----------
.. [1] Venzon, D. J. and Moolgavkar, S. H. (1988). A method for computing
   profile-likelihood-based confidence intervals. Applied Statistics 37, 87-94.
.. [2] Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
.. [3] Marsan, D. and Lengliné, O. (2008). Extending earthquakes' reach through cascading.
   Science 319, 1076-1079.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._validation import check_positive, check_rng, error
from .likelihood import ModelSpec

__all__ = ["bootstrap_intervals", "em_nonparametric", "profile_intervals", "wald_intervals"]


def wald_intervals(res: Any, level: float) -> pd.DataFrame:
    """Wald intervals on the optimiser's scale (log for positive parameters), back-transformed."""
    spec: ModelSpec = res._spec
    z = float(stats.norm.ppf(0.5 + level / 2))
    theta = res._theta
    cov_u = res._cov_free
    low = np.empty(theta.size)
    high = np.empty(theta.size)
    for i, (nm, kind) in enumerate(zip(spec.names, spec.kinds)):
        if nm in spec.fixed:
            low[i] = high[i] = theta[i]
            continue
        if i in spec.free_scalar:
            j = spec.free_scalar.index(i)
            se = (
                float(np.sqrt(cov_u[j, j]))
                if np.isfinite(cov_u[j, j]) and cov_u[j, j] >= 0
                else np.nan
            )
            if kind == "log":
                low[i], high[i] = theta[i] * np.exp(-z * se), theta[i] * np.exp(z * se)
            elif kind == "log1":
                a = theta[i] - 1.0
                low[i], high[i] = 1 + a * np.exp(-z * se), 1 + a * np.exp(z * se)
            else:  # real parameters: natural scale (bse already undoes any time scaling)
                se = float(res.bse.iloc[i])
                low[i], high[i] = theta[i] - z * se, theta[i] + z * se
        else:  # simplex weight: natural scale, clipped
            se = float(res.bse.iloc[i])
            low[i] = max(0.0, theta[i] - z * se)
            high[i] = min(1.0, theta[i] + z * se)
    return pd.DataFrame({"low": low, "high": high}, index=list(spec.names))


def _profile_fit(res: Any, name: str, value: float, start: np.ndarray) -> tuple[float, np.ndarray]:
    from .fit import maximize

    spec: ModelSpec = res._spec
    fixed = dict(spec.fixed)
    fixed[name] = float(value)
    sub = ModelSpec(spec.baseline, spec.kernel, fixed, time_scale=spec.time_scale)
    th0 = start.copy()
    th0[spec.names.index(name)] = value
    if sub.n_free == 0:
        ll, _ = sub.loglik_grad(th0, res._prepared.replicates, res.T, grad=False)
        return float(ll), th0
    opt = maximize(sub, res._prepared.replicates, res.T, [th0], max_iter=300)
    return opt.loglik, opt.theta


def profile_intervals(res: Any, level: float, params: Sequence[str] | None = None) -> pd.DataFrame:
    """Profile-likelihood intervals: {θ_j : 2 (ℓ̂ − max_{θ_-j} ℓ) ≤ χ²₁(level)}.

    Each bound is bracketed by stepping outward on the log scale (warm-started refits of the
    other parameters) and refined by Brent's method. A lower bound of a branching ratio whose
    profile stays above the cut-off down to 10⁻⁸ is reported as 0. Simplex weights (sum to
    one) and fixed parameters get their Wald interval / point value.
    """
    spec: ModelSpec = res._spec
    wald = wald_intervals(res, level)
    cut = res.loglik - 0.5 * float(stats.chi2.ppf(level, 1))
    theta = res._theta
    names = list(spec.names) if params is None else list(params)
    out = wald.copy()
    for nm in names:
        i = spec.names.index(nm)
        kind = spec.kinds[i]
        if nm in spec.fixed or kind == "simplex":
            continue
        j = spec.free_scalar.index(i)
        se_u = float(np.sqrt(res._cov_free[j, j])) if np.isfinite(res._cov_free[j, j]) else 0.5
        if kind not in ("log", "log1"):
            se_u = float(res.bse.iloc[i]) if np.isfinite(res.bse.iloc[i]) else 1.0
        else:
            se_u = min(max(se_u, 0.05), 2.0)

        def to_val(v: float, kind: str = kind) -> float:
            return (
                float(np.exp(v)) if kind == "log" else 1 + float(np.exp(v)) if kind == "log1" else v
            )

        def to_v(x: float, kind: str = kind) -> float:
            return (
                float(np.log(x)) if kind == "log" else float(np.log(x - 1)) if kind == "log1" else x
            )

        v_hat = to_v(theta[i])
        for side, sign in (("low", -1.0), ("high", 1.0)):
            start = theta.copy()
            inside_v = v_hat
            step = se_u
            outside_v = None
            for _ in range(40):
                v = inside_v + sign * step
                if kind in ("log", "log1") and abs(v) > 30:
                    break
                ll, th = _profile_fit(res, nm, to_val(v), start)
                if ll < cut:
                    outside_v = v
                    break
                inside_v = v
                start = th
                step *= 1.6
            if outside_v is None:
                if side == "low" and kind == "log":
                    out.loc[nm, "low"] = 0.0
                else:
                    out.loc[nm, side] = -np.inf if side == "low" else np.inf
                continue
            s0 = start.copy()

            def f(v: float, s0: np.ndarray = s0, nm: str = nm) -> float:
                return _profile_fit(res, nm, to_val(v), s0)[0] - cut

            try:
                root = optimize.brentq(
                    f, min(inside_v, outside_v), max(inside_v, outside_v), xtol=1e-4
                )
                out.loc[nm, side] = to_val(root)
            except ValueError:  # pragma: no cover - bracket lost by a failed refit
                out.loc[nm, side] = to_val(outside_v)
    return out


def _simulate_times(res: Any, gen: np.random.Generator) -> np.ndarray:
    spec: ModelSpec = res._spec
    p = spec.as_dict(res._theta)
    T = res.T
    if spec.kernel is None:
        # inhomogeneous Poisson by thinning against the baseline's upper bound
        lam_max = spec.baseline.max_rate(0.0, T, p)
        n = gen.poisson(lam_max * T)
        cand = np.sort(gen.random(n) * T)
        keep = gen.random(n) * lam_max < spec.baseline.rate(cand, p)
        return cand[keep]
    from .simulate import simulate

    return np.sort(np.asarray(simulate(spec.kernel, spec.baseline, p, T, gen), dtype=float))


def _boot_one(args: tuple[Any, np.random.SeedSequence]) -> np.ndarray:
    from .fit import maximize

    res, seed = args
    gen = np.random.default_rng(seed)
    spec: ModelSpec = res._spec
    t = _simulate_times(res, gen)
    if t.size < 2:
        return np.full(res._theta.size, np.nan)
    if spec.kernel is None and spec.baseline.name in ("constant", "piecewise"):
        from .poisson import closed_form_theta

        return closed_form_theta(spec, t, res.T)
    opt = maximize(spec, [t], res.T, [res._theta], max_iter=300)
    return opt.theta


def bootstrap_intervals(
    res: Any,
    level: float,
    *,
    n_boot: int = 200,
    rng: Any = 0,
    n_jobs: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Parametric bootstrap intervals (basic bootstrap on the optimiser's scale).

    ``n_boot`` series are simulated from the fitted model on the same window (seeded from
    ``rng`` through ``SeedSequence.spawn``, so results do not depend on ``n_jobs``) and
    refitted from the estimate. Failed or degenerate refits (fewer than 2 events) are
    dropped; the number used is in ``table.attrs["n_boot_used"]``.

    The interval is the basic (reverse-percentile) bootstrap on the log scale for positive
    parameters, ``[θ̂² / q_hi, θ̂² / q_lo]`` with q the quantiles of the refitted values, and
    on the natural scale for real ones. It corrects the downward bias of the branching ratio
    in short windows, which the plain percentile interval doubles: with μ = 0.2, n = 0.8,
    β = 0.5 and ~200 events (150 replicates, 200 draws) the percentile interval covered n in
    77% of replicates, the basic log-scale interval in 95%. The percentile intervals are kept
    in ``table.attrs["percentile"]`` and the draws in ``table.attrs["draws"]``.
    """
    check_positive("n_boot", n_boot, integer=True)
    check_positive("n_jobs", n_jobs, integer=True)
    gen = check_rng(rng)
    seeds = np.random.SeedSequence(int(gen.integers(0, 2**63 - 1))).spawn(int(n_boot))
    jobs = [(res, s) for s in seeds]
    if n_jobs == 1:
        it: Any = map(_boot_one, jobs)
        if progress:
            from tqdm.auto import tqdm

            it = tqdm(it, total=n_boot, desc="bootstrap")
        draws = list(it)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=int(n_jobs)) as pool:
            it = pool.map(_boot_one, jobs, chunksize=max(1, n_boot // (4 * n_jobs)))
            if progress:
                from tqdm.auto import tqdm

                it = tqdm(it, total=n_boot, desc="bootstrap")
            draws = list(it)
    D = np.array(draws)
    ok = np.all(np.isfinite(D), axis=1)
    D = D[ok]
    if D.shape[0] < 10:
        raise error(
            "The parametric bootstrap",
            "needs at least 10 successful refits",
            f"{D.shape[0]} of {n_boot}",
            "Increase n_boot or use method='profile'.",
        )
    a = (1 - level) / 2
    spec: ModelSpec = res._spec
    theta = res._theta
    low = np.empty(theta.size)
    high = np.empty(theta.size)
    for i, kind in enumerate(spec.kinds):
        d = D[:, i]
        if kind in ("log", "log1"):
            shift = 1.0 if kind == "log1" else 0.0
            v_hat = np.log(max(theta[i] - shift, 1e-300))
            v = np.log(np.clip(d - shift, 1e-300, None))
            q_lo, q_hi = np.quantile(v, [a, 1 - a])
            low[i] = shift + np.exp(2 * v_hat - q_hi)
            high[i] = shift + np.exp(2 * v_hat - q_lo)
        else:
            q_lo, q_hi = np.quantile(d, [a, 1 - a])
            low[i], high[i] = 2 * theta[i] - q_hi, 2 * theta[i] - q_lo
            if kind == "simplex":
                low[i], high[i] = max(low[i], 0.0), min(high[i], 1.0)
    table = pd.DataFrame({"low": low, "high": high}, index=list(spec.names))
    table.attrs["n_boot_used"] = int(D.shape[0])
    table.attrs["draws"] = D
    table.attrs["percentile"] = pd.DataFrame(
        {"low": np.quantile(D, a, axis=0), "high": np.quantile(D, 1 - a, axis=0)},
        index=list(spec.names),
    )
    return table


def em_nonparametric(
    spec: ModelSpec, data: Sequence[np.ndarray], T: float, max_iter: int = 2000, tol: float = 1e-9
) -> Any:
    """Expectation–maximisation for the piecewise-constant kernel with a constant baseline.

    With h_k the kernel height on bin k (φ = h_k there) and D_ik the number of earlier
    events at a lag in bin k, the E-step gives the expected number of background events
    Σ_i μ/λ_i and of offspring in bin k Σ_i h_k D_ik/λ_i; the M-step divides them by the
    exposure T and Σ_j |bin k ∩ [0, T − t_j)|. Marsan and Lengliné (2008).
    """
    from .fit import Optimum

    kernel: Any = spec.kernel
    if not spec.baseline.is_constant or spec.fixed:
        raise error(
            "The nonparametric kernel",
            "is fitted by EM with a constant baseline and no fixed parameters",
            f"baseline {spec.baseline.name!r}, fixed {sorted(spec.fixed)}",
            "Use baseline='constant' without fixed= for kernel='nonparametric'.",
        )
    widths = kernel.widths
    edges = kernel.edges
    Ds = [kernel._bin_counts(t) for t in data]
    expo = [(np.clip((T - t)[:, None] - edges[:-1], 0.0, widths)).sum(axis=0) for t in data]
    N = float(np.mean([t.size for t in data]))
    mu = 0.5 * N / T
    h = np.full(widths.size, 0.5 / widths.sum())
    ll_old = -np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        bg = 0.0
        off = np.zeros(widths.size)
        ex = np.zeros(widths.size)
        for D, e in zip(Ds, expo):
            lam = mu + D @ h
            bg += float(np.sum(mu / lam))
            off += h * (D.T @ (1.0 / lam))
            ex += e
        m = len(Ds)
        mu = bg / m / T
        h = np.where(ex > 0, off / np.maximum(ex, 1e-300), 0.0)
        n = float(h @ widths)
        w = h * widths / n if n > 0 else np.full(widths.size, 1.0 / widths.size)
        theta = np.concatenate([[mu, max(n, 1e-12)], w])
        ll, _ = spec.loglik_grad(theta, data, T, grad=False)
        if abs(ll - ll_old) < tol * max(1.0, abs(ll)):
            break
        ll_old = ll
    ll, g = spec.loglik_grad(theta, data, T)
    gu = spec.jacobian(theta).T @ g
    conv = bool(it < max_iter)
    return Optimum(theta, float(ll), gu, None, conv, it, "EM relative change below tolerance")
