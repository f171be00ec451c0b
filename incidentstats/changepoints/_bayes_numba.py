"""Numba kernels for the exact Poisson-Gamma change-point posterior (Fearnhead 2006)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def log_marginal(Y, E, s, t, a, b):
    """log of int prod_{i in [s,t)} lam^y_i exp(-lam e_i) Gamma(lam; a, b) dlam (no y! terms)."""
    n = Y[t] - Y[s]
    L = E[t] - E[s]
    return a * math.log(b) - math.lgamma(a) + math.lgamma(a + n) - (a + n) * math.log(b + L)


@njit(cache=True)
def _lse(x, y):
    if x == -math.inf:
        return y
    if y == -math.inf:
        return x
    if x > y:
        return x + math.log1p(math.exp(y - x))
    return y + math.log1p(math.exp(x - y))


@njit(cache=True)
def forward(Y, E, a, b, kmax):
    """Q[k, t] = log sum over splits of bins [0, t) into k segments of prod marginals.

    Also V[k, t] (max instead of sum) and the argmax back-pointers for the MAP split.
    """
    n = Y.shape[0] - 1
    Q = np.full((kmax + 1, n + 1), -math.inf)
    V = np.full((kmax + 1, n + 1), -math.inf)
    P = np.full((kmax + 1, n + 1), -1, np.int64)
    Q[0, 0] = 0.0
    V[0, 0] = 0.0
    lm = np.empty(n + 1)
    for t in range(1, n + 1):
        for s in range(t):
            lm[s] = log_marginal(Y, E, s, t, a, b)
        for k in range(1, min(kmax, t) + 1):
            acc = -math.inf
            best = -math.inf
            arg = -1
            for s in range(k - 1, t):
                q = Q[k - 1, s]
                if q == -math.inf:
                    continue
                v = q + lm[s]
                acc = _lse(acc, v)
                w = V[k - 1, s] + lm[s]
                if w > best:
                    best = w
                    arg = s
            Q[k, t] = acc
            V[k, t] = best
            P[k, t] = arg
    return Q, V, P


@njit(cache=True)
def sample(Y, E, a, b, Q, ks, u):
    """Draw segmentations from the exact posterior given the numbers of segments ``ks``.

    ``u`` holds uniforms, one row per draw (at least max(ks) columns). Returns a (draws x
    max(ks) - 1) array of change indices, padded with -1.
    """
    n = Y.shape[0] - 1
    ndraw = ks.shape[0]
    kk = 0
    for i in range(ndraw):
        kk = max(kk, ks[i])
    out = np.full((ndraw, max(kk - 1, 1)), -1, np.int64)
    w = np.empty(n + 1)
    for i in range(ndraw):
        t = n
        k = ks[i]
        j = 0
        while k > 1:
            # P(previous change at s) ∝ exp(Q[k-1, s] + log_marginal(s, t))
            m = -math.inf
            for s in range(k - 1, t):
                w[s] = Q[k - 1, s] + log_marginal(Y, E, s, t, a, b)
                if w[s] > m:
                    m = w[s]
            tot = 0.0
            for s in range(k - 1, t):
                w[s] = math.exp(w[s] - m)
                tot += w[s]
            target = u[i, j] * tot
            cum = 0.0
            chosen = t - 1
            for s in range(k - 1, t):
                cum += w[s]
                if cum >= target:
                    chosen = s
                    break
            out[i, k - 2] = chosen
            t = chosen
            k -= 1
            j += 1
    return out
