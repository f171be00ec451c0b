"""Log-likelihood of univariate Hawkes and Poisson processes, with analytic gradients.

For event times :math:`0 \\le t_1 \\le \\dots \\le t_N < T` (float days from the window start)
and intensity :math:`\\lambda(t) = \\mu(t) + n \\sum_{t_j < t} g(t - t_j)`,

.. math::

    \\ell = \\sum_i \\log \\lambda(t_i) - \\int_0^T \\mu(s)\\,ds - n \\sum_i G(T - t_i).

The constant-baseline exponential model runs one fused O(n) numba pass that returns the
log-likelihood, gradient and Hessian; every other combination combines the kernel's
excitation sums (and their parameter derivatives) with the baseline's rate and Jacobian.
Several "replicates" of the same window (the tie imputations) are averaged.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._validation import error
from . import _likelihood_numba as _nb
from .baselines import Baseline
from .kernels import Kernel

__all__ = ["ModelSpec", "loglikelihood"]


class ModelSpec:
    """Parameter bookkeeping and likelihood of one (baseline, kernel) model.

    ``names`` is baseline parameters, then ``branching_ratio`` and the kernel parameters
    (no kernel: a Poisson process). The optimiser works on free, unconstrained coordinates
    ``u``: log for positive parameters, log(p − 1) for exponents, identity for real ones and a
    softmax (last weight as reference) for weights on the simplex; ``fixed`` parameters are
    removed from ``u``.
    """

    def __init__(
        self,
        baseline: Baseline,
        kernel: Kernel | None,
        fixed: Mapping[str, float] | None = None,
        time_scale: float = 1.0,
    ) -> None:
        self.baseline = baseline
        # "real_t" parameters are rates of change per unit time: the optimiser sees θ·T
        self.time_scale = float(time_scale)
        self.kernel = kernel
        names = list(baseline.param_names)
        kinds = list(baseline.transforms)
        if kernel is not None:
            names += ["branching_ratio", *kernel.param_names]
            kinds += ["log", *kernel.transforms]
        self.names = tuple(names)
        self.kinds = tuple(kinds)
        self.nb = len(baseline.param_names)
        fixed = dict(fixed or {})
        for k in fixed:
            if k not in self.names:
                from .._validation import suggest

                raise error(
                    "The `fixed` parameter",
                    "must name parameters of the model (" + ", ".join(self.names) + ")",
                    k,
                    suggest(k, self.names).strip() or None,
                )
        self.fixed = {k: float(v) for k, v in fixed.items()}
        simplex = [i for i, k in enumerate(self.kinds) if k == "simplex"]
        nfix = sum(self.names[i] in self.fixed for i in simplex)
        if simplex and 0 < nfix < len(simplex):
            raise error(
                "The `fixed` parameter",
                "must fix either all or none of the kernel weights (they sum to one)",
                sorted(self.fixed),
            )
        if simplex and nfix == len(simplex):
            w = np.array([self.fixed[self.names[i]] for i in simplex])
            if abs(w.sum() - 1) > 1e-9 or np.any(w < 0):
                raise error("The fixed kernel weights", "must be >= 0 and sum to 1", w.tolist())
        self.simplex = simplex if nfix == 0 else []
        self.free_scalar = [
            i
            for i, (nm, k) in enumerate(zip(self.names, self.kinds))
            if nm not in self.fixed and k != "simplex"
        ]
        self.n_free = len(self.free_scalar) + max(len(self.simplex) - 1, 0)
        self.fused = (
            kernel is not None
            and kernel.name == "exponential"
            and (baseline.is_constant or baseline.name == "piecewise")
        )
        self._seg_cache: list[tuple[np.ndarray, np.ndarray]] = []

    # -- coordinates ---------------------------------------------------------------------------
    def to_theta(self, u: np.ndarray) -> np.ndarray:
        theta = np.empty(len(self.names))
        for i, nm in enumerate(self.names):
            if nm in self.fixed:
                theta[i] = self.fixed[nm]
        for j, i in enumerate(self.free_scalar):
            k = self.kinds[i]
            if k == "log":
                theta[i] = np.exp(u[j])
            elif k == "log1":
                theta[i] = 1.0 + np.exp(u[j])
            elif k == "real_t":
                theta[i] = u[j] / self.time_scale
            else:
                theta[i] = u[j]
        if self.simplex:
            z = np.concatenate([u[len(self.free_scalar) :], [0.0]])
            z = np.exp(z - z.max())
            theta[self.simplex] = z / z.sum()
        return theta

    def to_free(self, theta: np.ndarray) -> np.ndarray:
        u = np.empty(self.n_free)
        for j, i in enumerate(self.free_scalar):
            k = self.kinds[i]
            x = theta[i]
            if k == "log":
                u[j] = np.log(x)
            elif k == "log1":
                u[j] = np.log(x - 1.0)
            elif k == "real_t":
                u[j] = x * self.time_scale
            else:
                u[j] = x
        if self.simplex:
            w = np.clip(theta[self.simplex], 1e-12, None)
            u[len(self.free_scalar) :] = np.log(w[:-1] / w[-1])
        return u

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """dθ/du (len(names) × n_free), evaluated at ``theta``."""
        J = np.zeros((len(self.names), self.n_free))
        for j, i in enumerate(self.free_scalar):
            k = self.kinds[i]
            if k == "log":
                J[i, j] = theta[i]
            elif k == "log1":
                J[i, j] = theta[i] - 1.0
            elif k == "real_t":
                J[i, j] = 1.0 / self.time_scale
            else:
                J[i, j] = 1.0
        if self.simplex:
            w = theta[self.simplex]
            off = len(self.free_scalar)
            for a, ia in enumerate(self.simplex):
                for b in range(len(self.simplex) - 1):
                    J[ia, off + b] = w[a] * ((a == b) - w[b])
        return J

    def as_dict(self, theta: np.ndarray) -> dict[str, float]:
        return {nm: float(v) for nm, v in zip(self.names, theta)}

    def from_dict(self, p: Mapping[str, float]) -> np.ndarray:
        return np.array([float(p[nm]) for nm in self.names])

    # -- likelihood ----------------------------------------------------------------------------
    def loglik_grad(
        self, theta: np.ndarray, data: Sequence[np.ndarray], T: float, grad: bool = True
    ) -> tuple[float, np.ndarray]:
        """Average over replicates of ℓ(θ) and its gradient in θ."""
        total = 0.0
        g_total = np.zeros(len(self.names))
        for t in data:
            # optimiser trial points may overflow a rate: they score -inf, never warn
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                ll, g = self._one(theta, t, T, grad)
            if not np.isfinite(ll) or not np.all(np.isfinite(g)):
                return -np.inf, np.full(len(self.names), np.nan)
            total += ll
            g_total += g
        m = len(data)
        return total / m, g_total / m

    def loglik_grad_hess(
        self, theta: np.ndarray, data: Sequence[np.ndarray], T: float
    ) -> tuple[float, np.ndarray, np.ndarray]:
        """Fused exponential path: ℓ, gradient and Hessian in θ (replicate average).

        θ is (μ, n, β) for a constant baseline or (μ_1, …, μ_K, n, β) for a piecewise one.
        """
        assert self.fused
        k = theta.size
        total = 0.0
        g = np.zeros(k)
        H = np.zeros((k, k))
        g1 = np.empty(k)
        H1 = np.empty((k, k))
        for t in data:
            ll = self._fused_one(theta, t, T, g1, H1)
            if not np.isfinite(ll):
                return -np.inf, np.full(k, np.nan), np.full((k, k), np.nan)
            total += ll
            g += g1
            H += H1
        m = len(data)
        return total / m, g / m, H / m

    def _segments(self, t: np.ndarray, T: float) -> tuple[np.ndarray, np.ndarray]:
        offsets = self.baseline.offsets  # type: ignore[attr-defined]
        for arr, cached in self._seg_cache:
            if arr is t:
                seg = cached
                break
        else:
            seg = np.searchsorted(offsets, t, side="right").astype(np.int64)
            self._seg_cache.append((t, seg))
            if len(self._seg_cache) > 64:
                self._seg_cache.pop(0)
        lengths = np.diff(np.concatenate([[0.0], offsets, [T]]))
        return seg, lengths

    def _fused_one(
        self, theta: np.ndarray, t: np.ndarray, T: float, g: np.ndarray, H: np.ndarray
    ) -> float:
        if self.baseline.is_constant:
            mu, n, b = (float(x) for x in theta)
            return float(_nb.exp_loglik_grad_hess(t, T, mu, n, b, g, H))
        seg, lengths = self._segments(t, T)
        K = lengths.size
        mus = np.ascontiguousarray(theta[:K], dtype=float)
        return float(
            _nb.exp_pw_loglik_grad_hess(
                t, T, seg, lengths, mus, float(theta[K]), float(theta[K + 1]), g, H
            )
        )

    def _one(
        self, theta: np.ndarray, t: np.ndarray, T: float, grad: bool
    ) -> tuple[float, np.ndarray]:
        if (
            self.kernel is not None
            and self.kernel.name == "exponential"
            and self.baseline.is_constant
        ):
            m0, n0, b0 = (float(x) for x in theta)
            if not grad:
                return float(_nb.exp_loglik(t, T, m0, n0, b0)), np.zeros(3)
            g = np.empty(3)
            ll0 = _nb.exp_loglik_grad(t, T, m0, n0, b0, g)
            return float(ll0), g
        if self.fused and self.baseline.name == "piecewise":
            k = theta.size
            g = np.empty(k)
            ll = self._fused_one(theta, t, T, g, np.empty((k, k)))
            return ll, g
        p = self.as_dict(theta)
        nb = self.nb
        mu, Jmu = self.baseline._rate_jac(t, p)
        M, dM = self.baseline._integral_grad(T, p)
        out = np.zeros(len(self.names))
        if self.kernel is None:
            lam = mu
            if t.size and not np.all(lam > 0):
                return -np.inf, out
            w = 1.0 / lam
            out[:nb] = Jmu.T @ w - dM
            return float(np.sum(np.log(lam)) - M), out
        n = p["branching_ratio"]
        E, dE = self.kernel._excitation(t, p)
        SG, dSG = self.kernel._tail(t, T, p)
        lam = mu + n * E
        if t.size and not np.all(lam > 0):
            return -np.inf, out
        ll = float(np.sum(np.log(lam)) - M - n * SG)
        if grad:
            w = 1.0 / lam
            out[:nb] = Jmu.T @ w - dM
            out[nb] = float(E @ w) - SG
            out[nb + 1 :] = n * (dE.T @ w - dSG)
        return ll, out

    # -- derived quantities --------------------------------------------------------------------
    def intensity_at(self, theta: np.ndarray, t: np.ndarray, s: np.ndarray) -> np.ndarray:
        """λ(s) for sorted query times ``s`` given the history ``t`` (left limits)."""
        p = self.as_dict(theta)
        mu = self.baseline.rate(s, p)
        if self.kernel is None:
            return mu
        g, _ = self.kernel._sums_at(t, s, p)
        return mu + p["branching_ratio"] * g

    def compensator_at(self, theta: np.ndarray, t: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Λ(s) = ∫_0^s λ for sorted query times ``s``."""
        p = self.as_dict(theta)
        if self.baseline.is_constant:
            base = float(p[self.baseline.param_names[0]]) * s
        else:
            base = np.array([self.baseline.integral(0.0, float(x), p) for x in s])
        if self.kernel is None:
            return base
        _, G = self.kernel._sums_at(t, s, p)
        return base + p["branching_ratio"] * G


def check_params(spec: ModelSpec, params: Mapping[str, Any]) -> np.ndarray:
    """Validate a parameter dict for ``spec`` and return θ in ``spec.names`` order."""
    if not isinstance(params, Mapping):
        raise error(
            "The `params` argument",
            "must be a dict of parameter values (" + ", ".join(spec.names) + ")",
            type(params).__name__,
        )
    missing = [k for k in spec.names if k not in params]
    extra = [k for k in params if k not in spec.names]
    if missing or extra:
        raise error(
            "The `params` argument",
            "must give exactly the parameters " + ", ".join(spec.names),
            f"missing {missing}, unknown {extra}",
        )
    theta = np.empty(len(spec.names))
    for i, (nm, kind) in enumerate(zip(spec.names, spec.kinds)):
        v = params[nm]
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(float(v)):
            raise error(f"The `{nm}` parameter", "must be a finite number", v)
        v = float(v)
        if kind == "log" and nm == "branching_ratio" and v < 0:
            raise error(f"The `{nm}` parameter", "must be >= 0", v)
        if kind == "log" and nm != "branching_ratio" and v <= 0:
            raise error(f"The `{nm}` parameter", "must be > 0", v)
        if kind == "log1" and v <= 1:
            raise error(f"The `{nm}` parameter", "must be > 1", v)
        if kind == "simplex" and v < 0:
            raise error(f"The `{nm}` parameter", "must be >= 0 (a kernel weight)", v)
        theta[i] = v
    if spec.kernel is not None:
        simplex = [i for i, k in enumerate(spec.kinds) if k == "simplex"]
        if simplex and abs(theta[simplex].sum() - 1.0) > 1e-6:
            raise error(
                "The kernel weights",
                "must sum to 1",
                float(theta[simplex].sum()),
                "Divide them by their sum.",
            )
    return theta


def loglikelihood(
    times: Any,
    T: float,
    params: Mapping[str, float],
    *,
    kernel: Any = "exponential",
    baseline: Any = None,
) -> float:
    """Log-likelihood of a univariate Hawkes process at given parameters (array level).

    Parameters
    ----------
    times : array-like of float
        Sorted event times in ``[0, T)`` (days from the window start).
    T : float
        Window length.
    params : dict
        Parameter values: the baseline's (``baseline`` …), ``branching_ratio`` and the
        kernel's (``decay`` for the exponential kernel).
    kernel : str or Kernel, default "exponential"
        ``None`` gives the Poisson process with the baseline alone.
    baseline : Baseline, optional
        Default constant. Date-based baselines must be given as day offsets here.

    Returns
    -------
    float

    Notes
    -----
    :math:`\\ell = \\sum_i \\log \\lambda(t_i) - \\int_0^T \\mu - n \\sum_i G(T - t_i)`.

    Examples
    --------
    >>> # hawkeslib's test case: times [3, 4, 6, 8.2, 9, 12], T = 15, mu = 5, n = 0.2, beta = 10
    >>> round(loglikelihood([3, 4, 6, 8.2, 9, 12], 15.0,
    ...       {"baseline": 5.0, "branching_ratio": 0.2, "decay": 10.0}), 8)
    -66.54322019
    """
    from .baselines import make_baseline
    from .kernels import make_kernel

    k = None if kernel is None else make_kernel(kernel)
    b = make_baseline(baseline)
    spec = ModelSpec(b, k)
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or not np.all(np.isfinite(t)):
        raise error("The `times` argument", "must be a 1-d array of finite numbers", t.shape)
    if not (isinstance(T, numbers.Real) and np.isfinite(T) and T > 0):
        raise error("The `T` argument", "must be a positive finite window length", T)
    if t.size and (np.any(np.diff(t) < 0) or t[0] < 0 or t[-1] >= T):
        raise error(
            "The `times` argument",
            "must be sorted and lie in the window [0, T)",
            f"range [{t.min():g}, {t.max():g}] with T = {T:g}",
            "Sort the times and choose T beyond the last event.",
        )
    theta = check_params(spec, params)
    ll, _ = spec.loglik_grad(theta, [t], float(T), grad=False)
    return float(ll)
