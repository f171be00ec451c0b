"""Exact Bayesian posterior for Poisson change points with conjugate Gamma rate priors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from ._bayes_numba import forward, sample
from .pelt import cumsums

__all__ = ["BayesFit", "bayes_posterior"]


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


def _log_binom(n: int, k: np.ndarray) -> np.ndarray:
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)


def bayes_posterior(
    y: np.ndarray,
    e: np.ndarray,
    *,
    shape: float,
    rate: float,
    n_changes_prior: np.ndarray,
) -> BayesFit:
    """Exact posterior of change points in Poisson counts with independent Gamma(shape, rate)
    priors on the segment rates, a prior on the number of changes K (``n_changes_prior[k]``,
    k = 0..kmax) and, given K, a uniform prior over the C(n-1, K) sets of positions.

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
    prior = np.asarray(n_changes_prior, float)
    kmax = min(len(prior) - 1, n - 1)
    prior = prior[: kmax + 1]
    Y, E = cumsums(y, e)
    Q, _V, P = forward(Y, E, float(shape), float(rate), kmax + 1)
    Yr, Er = cumsums(y[::-1], e[::-1])
    R, _, _ = forward(Yr, Er, float(shape), float(rate), kmax + 1)
    ks = np.arange(kmax + 1)
    # log p(y | K) = log sum over position sets / C(n - 1, K)
    log_ev = Q[1 : kmax + 2, n] - _log_binom(n - 1, ks)
    with np.errstate(divide="ignore"):
        lp = np.log(prior) + log_ev
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
