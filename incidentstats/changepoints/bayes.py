"""Exact Bayesian posterior for Poisson change points with conjugate Gamma rate priors."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from .._validation import error
from ._bayes_numba import forward, sample
from .pelt import cumsums

__all__ = [
    "DEFAULT_EXPECTED_CHANGES",
    "BayesFit",
    "NChangesPrior",
    "bayes_posterior",
    "fit_bayes",
    "n_changes_prior",
]

#: Expected number of changes over the whole series under the default prior (geometric segment
#: lengths with hazard ``p = DEFAULT_EXPECTED_CHANGES / (n - 1)`` per bin edge). Chosen so that
#: the most probable number of changes is >= 1 in at most ~3% of homogeneous Poisson series
#: (measured on 20 to 1000 bins, 0.05 to 5 events per bin: tests/changepoints/test_bayes_prior.py).
DEFAULT_EXPECTED_CHANGES = 0.25
#: The recursions are extended to more changes until the posterior of the largest number
#: computed falls below this (the truncated prior then changes nothing that is reported).
POSTERIOR_TAIL = 1e-6
#: Computing budget of the automatic extension: kmax * n^2 at most this (10 changes at 5000 bins).
WORK_LIMIT = 10 * 5000**2


@dataclass(frozen=True)
class BayesFit:
    """Arrays of the exact posterior (indices refer to bin edges 1..n-1).

    ``n_changes_posterior[k]`` is P(K = k | y); ``location[j]`` (for the MAP number of changes
    ``k_map``) is the exact posterior distribution of the ``j``-th change over edges; ``map``
    holds the most probable positions given ``k_map``; ``change_probability[i]`` is the
    posterior probability (over all K) that a change sits at edge ``i``.
    """

    log_evidence: np.ndarray  # log p(y | K = k), k = 0..kmax, without the y-only constant
    n_changes_prior: np.ndarray
    n_changes_posterior: np.ndarray
    k_map: int
    map_changes: np.ndarray
    location: np.ndarray  # (k_map, n + 1)
    change_probability: np.ndarray  # (n + 1,)
    shape: float
    rate: float
    Q: np.ndarray
    Y: np.ndarray
    E: np.ndarray

    def draw(self, rng: np.random.Generator, size: int) -> list[np.ndarray]:
        """Segmentations drawn from the exact joint posterior (over K and positions)."""
        ks = rng.choice(len(self.n_changes_posterior), size=size, p=self.n_changes_posterior)
        u = rng.random((size, max(int(ks.max()), 1)))
        out = sample(self.Y, self.E, self.shape, self.rate, self.Q, ks.astype(np.int64) + 1, u)
        return [row[row >= 0] for row in out]


_NAMED = ("geometric", "poisson", "negbin", "uniform")
_USAGE = (
    "Pass an integer (exactly that many changes), prior weights for 0, 1, ... changes, or a "
    "named prior: 'geometric' or ('geometric', p), ('poisson', mean), ('negbin', mean, size), "
    "'uniform' or ('uniform', kmax)."
)


@dataclass(frozen=True)
class NChangesPrior:
    """Prior on the number ``K`` of changes among the ``n_edges = n - 1`` inner bin edges.

    Given ``K`` the positions are uniform over the ``C(n - 1, K)`` sets of edges. ``kind`` is
    ``"geometric"`` (a change at each edge independently with probability ``p``: geometric
    segment lengths, ``K ~ Binomial(n - 1, p)``), ``"poisson"`` (``K ~ Poisson(mean)``),
    ``"negbin"`` (``K ~ NegativeBinomial(mean, size)``; variance ``mean + mean^2 / size``), both
    restricted to ``0..n - 1``, or ``"uniform"``, ``"fixed"``, ``"weights"``: a prior with a
    finite list of weights (``weights``) that is used as given.
    """

    kind: str
    params: dict[str, float]
    n_edges: int
    weights: np.ndarray | None = None

    @property
    def bounded(self) -> bool:
        """True when the prior is a finite list of weights (no automatic extension)."""
        return self.weights is not None

    def log_pmf(self, kmax: int) -> np.ndarray:
        """Unnormalised log prior of K = 0..kmax (-inf where the prior is 0)."""
        k = np.arange(kmax + 1)
        if self.weights is not None:
            w = np.zeros(kmax + 1)
            top = min(kmax + 1, len(self.weights))
            w[:top] = self.weights[:top]
            with np.errstate(divide="ignore"):
                return np.asarray(np.log(w), float)
        p = self.params
        if self.kind == "geometric":
            return np.asarray(stats.binom.logpmf(k, self.n_edges, p["p"]), float)
        if self.kind == "poisson":
            return np.asarray(stats.poisson.logpmf(k, p["mean"]), float)
        size = p["size"]
        return np.asarray(stats.nbinom.logpmf(k, size, size / (size + p["mean"])), float)

    def tail(self, k: int) -> float:
        """Prior probability of more than ``k`` changes (of the prior on 0..n - 1)."""
        if k >= self.n_edges:
            return 0.0
        lp = self.log_pmf(self.n_edges)
        lp = lp - special.logsumexp(lp)
        return float(np.exp(special.logsumexp(lp[k + 1 :]))) if k + 1 < lp.size else 0.0

    def describe(self) -> str:
        """One sentence naming the prior (used in the result's notes)."""
        p = self.params
        if self.kind == "geometric":
            mean = p["p"] * self.n_edges
            p0 = math.exp(self.n_edges * math.log1p(-p["p"]))
            return (
                f"geometric segment lengths: a change at each of the {self.n_edges} bin edges "
                f"with probability p = {p['p']:.4g}, so K ~ Binomial({self.n_edges}, p) "
                f"(E[K] = {mean:.3g}, P(K = 0) = {p0:.3g})"
            )
        if self.kind == "poisson":
            return f"K ~ Poisson(mean {p['mean']:.4g}) on 0..{self.n_edges}"
        if self.kind == "negbin":
            return (
                f"K ~ negative binomial (mean {p['mean']:.4g}, size {p['size']:.4g}) "
                f"on 0..{self.n_edges}"
            )
        assert self.weights is not None
        if self.kind == "fixed":
            return f"exactly {len(self.weights) - 1} change(s)"
        if self.kind == "uniform":
            return f"K uniform on 0..{len(self.weights) - 1}"
        return f"K with the given prior weights on 0..{len(self.weights) - 1}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, **self.params}
        if self.weights is not None:
            out["weights"] = (self.weights / self.weights.sum()).tolist()
        return out


def _prior_error(rule: str, given: Any) -> Exception:
    return error("The `prior['n_changes']` entry", rule, given, _USAGE)


def _positive(value: Any, name: str, upper: float = math.inf) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
        or not 0 < float(value) < upper
    ):
        bound = "in (0, 1)" if upper == 1 else "> 0 (finite)"
        raise _prior_error(f"needs {name} {bound}", value)
    return float(value)


def n_changes_prior(spec: Any, n: int, max_changes: int | None = None) -> NChangesPrior:
    """Validate ``prior['n_changes']`` for a series of ``n`` bins.

    ``None`` and ``"geometric"`` give the default: geometric segment lengths with hazard
    ``p = DEFAULT_EXPECTED_CHANGES / (n - 1)`` per edge (``E[K] = 0.25`` whatever ``n``).

    Examples
    --------
    >>> prior = n_changes_prior(None, 101)
    >>> prior.kind, prior.params["p"], round(prior.tail(0), 3)  # P(K >= 1) = 1 - 0.9975**100
    ('geometric', 0.0025, 0.221)
    >>> n_changes_prior(("poisson", 1.0), 50).kind
    'poisson'
    """
    edges = n - 1
    if spec is None:
        spec = "geometric"
    if isinstance(spec, bool):
        raise _prior_error("must not be a boolean", spec)
    if isinstance(spec, numbers.Integral):
        k = int(spec)
        if not 0 <= k <= edges:
            raise _prior_error(f"must lie in [0, {edges}] (the number of inner bin edges)", spec)
        if max_changes is not None and k > max_changes:
            raise error(
                "The `max_changes` parameter",
                f"must be at least prior['n_changes'] = {k}",
                max_changes,
            )
        w = np.zeros(k + 1)
        w[k] = 1.0
        return NChangesPrior("fixed", {}, edges, w)
    if isinstance(spec, str) or (
        isinstance(spec, tuple | list) and len(spec) > 0 and isinstance(spec[0], str)
    ):
        name, *args = (spec,) if isinstance(spec, str) else tuple(spec)
        if name not in _NAMED:
            raise _prior_error(f"must name one of {', '.join(map(repr, _NAMED))}", name)
        forms = {
            "geometric": ((0, 1), "'geometric' or ('geometric', p)"),
            "poisson": ((0, 1), "'poisson' or ('poisson', mean)"),
            "negbin": ((2,), "('negbin', mean, size)"),
            "uniform": ((0, 1), "'uniform' or ('uniform', kmax)"),
        }
        if len(args) not in forms[name][0]:
            raise _prior_error(f"must be {forms[name][1]} for the {name} prior", spec)
        if name == "geometric":
            default = min(DEFAULT_EXPECTED_CHANGES / edges, 0.5)
            p = _positive(args[0], "a hazard p", 1.0) if args else default
            return NChangesPrior("geometric", {"p": p}, edges)
        if name == "poisson":
            mean = _positive(args[0], "a mean") if args else DEFAULT_EXPECTED_CHANGES
            return NChangesPrior("poisson", {"mean": mean}, edges)
        if name == "negbin":
            mean = _positive(args[0], "a mean")
            size = _positive(args[1], "a size")
            return NChangesPrior("negbin", {"mean": mean, "size": size}, edges)
        if args:
            top = args[0]
            if isinstance(top, bool) or not isinstance(top, numbers.Integral) or int(top) < 0:
                raise _prior_error("needs ('uniform', kmax) with an integer kmax >= 0", spec)
            top = int(top)
        else:
            top = 10 if max_changes is None else max_changes
        top = min(top, edges)
        return NChangesPrior("uniform", {"kmax": float(top)}, edges, np.ones(top + 1))
    try:
        w = np.asarray(spec, float)
    except (TypeError, ValueError):
        raise _prior_error("must be an integer, a named prior or prior weights", spec) from None
    if (
        w.ndim != 1
        or w.size == 0
        or not np.all(np.isfinite(w))
        or np.any(w < 0)
        or w[: edges + 1].sum() <= 0
    ):
        raise _prior_error(
            "must be non-negative prior weights for 0, 1, ... changes (some positive)", spec
        )
    return NChangesPrior("weights", {}, edges, w[: edges + 1].copy())


def fit_bayes(
    y: np.ndarray,
    e: np.ndarray,
    *,
    shape: float,
    rate: float,
    prior: NChangesPrior,
    max_changes: int | None = None,
) -> tuple[BayesFit, bool]:
    """Exact posterior under ``prior``, computed over K = 0..kmax.

    A finite prior (``prior.bounded``) is used as given, cut at ``max_changes``. Otherwise, if
    ``max_changes`` is given, the prior is truncated there (and renormalised). If not, kmax
    starts where the prior's tail above it is below 1e-9 (at least 10) and is doubled while
    the posterior of K = kmax exceeds :data:`POSTERIOR_TAIL`, within :data:`WORK_LIMIT`.
    Returns the fit and whether that budget stopped the extension with posterior mass left
    at kmax.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.r_[np.full(30, 1.0), np.full(30, 5.0)]
    >>> fit, capped = fit_bayes(y, np.ones(60), shape=1.0, rate=1.0,
    ...                         prior=n_changes_prior(None, 60))
    >>> fit.k_map, fit.map_changes.tolist(), capped
    (1, [30], False)
    """
    n = len(y)
    cap = n - 1 if max_changes is None else min(n - 1, max_changes)
    if prior.bounded:
        assert prior.weights is not None
        kmax = min(len(prior.weights) - 1, cap)
        fit = bayes_posterior(y, e, shape=shape, rate=rate, log_n_changes_prior=prior.log_pmf(kmax))
        return fit, False
    if max_changes is not None:
        fit = bayes_posterior(y, e, shape=shape, rate=rate, log_n_changes_prior=prior.log_pmf(cap))
        return fit, False
    kmax = 10
    while kmax < cap and prior.tail(kmax) > 1e-9:
        kmax *= 2
    kmax = min(kmax, cap)
    limit = max(10, WORK_LIMIT // (n * n))
    while True:
        fit = bayes_posterior(y, e, shape=shape, rate=rate, log_n_changes_prior=prior.log_pmf(kmax))
        if kmax >= cap or fit.n_changes_posterior[-1] <= POSTERIOR_TAIL:
            return fit, False
        if kmax >= limit:
            return fit, True
        kmax = min(cap, 2 * kmax, limit)


def _log_binom(n: int, k: np.ndarray) -> np.ndarray:
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)


def bayes_posterior(
    y: np.ndarray,
    e: np.ndarray,
    *,
    shape: float,
    rate: float,
    n_changes_prior: np.ndarray | None = None,
    log_n_changes_prior: np.ndarray | None = None,
) -> BayesFit:
    """Exact posterior of change points in Poisson counts with independent Gamma(shape, rate)
    priors on the segment rates, a prior on the number of changes K (``n_changes_prior[k]``,
    k = 0..kmax, or its logarithm ``log_n_changes_prior``, unnormalised) and, given K, a
    uniform prior over the C(n-1, K) sets of positions.

    Forward recursions over the number of segments (Fearnhead 2006) give the evidence for
    every K in O(kmax n^2); running them on the reversed series gives the exact marginal
    distribution of each ordered change. With ``kmax = 1`` and a prior putting all mass on
    K = 1 this is the single-change analysis of Raftery & Akman (1986).

    References
    ----------
    Raftery, A. E. & Akman, V. E. (1986). Bayesian analysis of a Poisson process with a
    change-point. Biometrika 73, 85-89.
    Fearnhead, P. (2006). Exact and efficient Bayesian inference for multiple changepoint
    problems. Statistics and Computing 16, 203-213.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.r_[np.full(20, 1.0), np.full(20, 6.0)]
    >>> fit = bayes_posterior(y, np.ones(40), shape=1.0, rate=1.0, n_changes_prior=np.ones(4))
    >>> fit.k_map, fit.map_changes.tolist()
    (1, [20])
    """
    y = np.asarray(y, float)
    e = np.asarray(e, float)
    n = len(y)
    if (n_changes_prior is None) == (log_n_changes_prior is None):
        raise TypeError("pass exactly one of n_changes_prior and log_n_changes_prior")
    if log_n_changes_prior is None:
        with np.errstate(divide="ignore"):
            log_prior = np.log(np.asarray(n_changes_prior, float))
    else:
        log_prior = np.asarray(log_n_changes_prior, float)
    kmax = min(len(log_prior) - 1, n - 1)
    log_prior = log_prior[: kmax + 1] - special.logsumexp(log_prior[: kmax + 1])
    prior = np.exp(log_prior)
    Y, E = cumsums(y, e)
    Q, _V, P = forward(Y, E, float(shape), float(rate), kmax + 1)
    Yr, Er = cumsums(y[::-1], e[::-1])
    R, _, _ = forward(Yr, Er, float(shape), float(rate), kmax + 1)
    ks = np.arange(kmax + 1)
    # log p(y | K) = log sum over position sets / C(n - 1, K)
    log_ev = Q[1 : kmax + 2, n] - _log_binom(n - 1, ks)
    lp = log_prior + log_ev
    lp = lp - special.logsumexp(lp)
    post = np.exp(lp)
    post = post / post.sum()
    k_map = int(np.argmax(post))
    # MAP positions given k_map (Viterbi back-pointers)
    changes = []
    t, k = n, k_map + 1
    while k > 1:
        s = int(P[k, t])
        changes.append(s)
        t, k = s, k - 1
    map_changes = np.array(sorted(changes), np.int64)
    # exact marginal of the j-th change given K: Q[j, s] + R[K + 1 - j, n - s] - Q[K + 1, n]
    idx = np.arange(n + 1)
    loc = np.zeros((k_map, n + 1))
    for j in range(1, k_map + 1):
        with np.errstate(invalid="ignore"):
            lj = Q[j, idx] + R[k_map + 1 - j, n - idx] - Q[k_map + 1, n]
        lj[0] = lj[n] = -np.inf
        loc[j - 1] = np.exp(lj)
    # probability of a change at each edge, over all K
    cp = np.zeros(n + 1)
    for kk in range(1, kmax + 1):
        if post[kk] < 1e-12:
            continue
        for j in range(1, kk + 1):
            lj = Q[j, idx] + R[kk + 1 - j, n - idx] - Q[kk + 1, n]
            lj[0] = lj[n] = -np.inf
            cp += post[kk] * np.exp(lj)
    return BayesFit(
        log_evidence=log_ev,
        n_changes_prior=prior,
        n_changes_posterior=post,
        k_map=k_map,
        map_changes=map_changes,
        location=loc,
        change_probability=cp,
        shape=float(shape),
        rate=float(rate),
        Q=Q,
        Y=Y,
        E=E,
    )


def single_change_posterior(y: np.ndarray, e: np.ndarray, shape: float, rate: float) -> np.ndarray:
    """Closed form (Raftery & Akman 1986) of P(change at edge s | y), s = 1..n-1, for one change
    with a uniform prior on its position: prod of the two Gamma-Poisson marginals.

    Examples
    --------
    >>> import numpy as np
    >>> p = single_change_posterior(np.r_[np.zeros(10), np.full(10, 4.0)], np.ones(20), 1.0, 1.0)
    >>> int(np.argmax(p))
    10
    """
    Y, E = cumsums(y, e)
    n = len(y)
    s = np.arange(1, n)

    def lm(n_: np.ndarray, L: np.ndarray) -> np.ndarray:
        return special.gammaln(shape + n_) - (shape + n_) * np.log(rate + L)

    lp = lm(Y[s], E[s]) + lm(Y[n] - Y[s], E[n] - E[s])
    p = np.exp(lp - special.logsumexp(lp))
    return np.concatenate([[0.0], p, [0.0]])
