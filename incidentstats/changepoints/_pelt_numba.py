"""Numba kernels for the Poisson / negative-binomial segment costs and PELT.

Costs are on the deviance scale (-2 x profile log-likelihood, constants dropped) for the
bins ``[s, t)`` and are read from cumulative sums ``Y`` (counts) and ``E`` (exposure),
both of length ``n + 1`` with ``Y[0] = E[0] = 0``; ``M`` counts the original bins (runs of
empty bins may be merged into one cell, which leaves the optimum unchanged).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

POISSON = 0
NEGBIN = 1


@njit(cache=True)
def seg_cost(Y, E, M, s, t, kind, dispersion, mbic_n):
    """-2 x maximised log-likelihood of bins [s, t) (+ the MBIC length term when mbic_n > 0)."""
    n = Y[t] - Y[s]
    L = E[t] - E[s]
    c = 0.0
    if n > 0.0:
        if L <= 0.0:
            return math.inf
        lam = n / L
        if kind == POISSON:
            c = -2.0 * (n * math.log(lam) - n)
        else:
            phi = dispersion
            c = -2.0 * (phi * L * math.log(phi / (phi + lam)) + n * math.log(lam / (phi + lam)))
    if mbic_n > 0:
        c += math.log((M[t] - M[s]) / mbic_n)
    return c


@njit(cache=True)
def pelt(Y, E, M, kind, dispersion, beta, min_size, mbic_n):
    """PELT (Killick, Fearnhead & Eckley 2012): exact minimiser of sum(costs) + beta * K.

    Returns (change indices in increasing order, minimised penalised cost F[n]).
    """
    n = Y.shape[0] - 1
    F = np.full(n + 1, math.inf)
    F[0] = -beta
    last = np.full(n + 1, -1, np.int64)
    cand = np.empty(n + 1, np.int64)
    vals = np.empty(n + 1)
    # with min_size > 1 a candidate found prunable at t stays usable until t + min_size
    # (the argument needs a feasible split at t), so pruning is delayed by that much
    dead_from = np.full(n + 1, n + 1, np.int64)
    ncand = 0
    for t in range(min_size, n + 1):
        s_new = t - min_size
        if s_new == 0 or math.isfinite(F[s_new]):
            cand[ncand] = s_new
            ncand += 1
        k = 0
        for j in range(ncand):
            if dead_from[cand[j]] > t:
                cand[k] = cand[j]
                k += 1
        ncand = k
        best = math.inf
        best_s = -1
        for j in range(ncand):
            s = cand[j]
            v = F[s] + seg_cost(Y, E, M, s, t, kind, dispersion, mbic_n) + beta
            vals[j] = v
            if v < best:
                best = v
                best_s = s
        F[t] = best
        last[t] = best_s
        # prune: s can never be optimal again when F[s] + C(s, t) > F[t] (K = 0 for these
        # costs: merging two segments never lowers the cost)
        for j in range(ncand):
            v = vals[j] - beta
            if math.isfinite(v) and v > F[t] + 1e-10 * (1.0 + abs(F[t])):
                dead_from[cand[j]] = min(dead_from[cand[j]], t + min_size)
    # backtrack
    out = np.empty(n, np.int64)
    m = 0
    t = n
    while t > 0:
        s = last[t]
        if s < 0:
            return np.empty(0, np.int64), math.inf
        if s > 0:
            out[m] = s
            m += 1
        t = s
    res = np.empty(m, np.int64)
    for i in range(m):
        res[i] = out[m - 1 - i]
    return res, F[n]


@njit(cache=True)
def backtrack(last, n):
    """Change indices, in increasing order, from the back-pointers ``last`` (0 = no change)."""
    out = np.empty(n, np.int64)
    m = 0
    t = n
    while t > 0:
        s = last[t]
        if s > 0:
            out[m] = s
            m += 1
        t = s
    res = np.empty(m, np.int64)
    for i in range(m):
        res[i] = out[m - 1 - i]
    return res


@njit(cache=True)
def pelt_poisson(Y, E, M, beta, mbic_n):
    """:func:`pelt` specialised to the Poisson cost with ``min_size = 1`` (the common case):
    the cost is inlined and pruned candidates are dropped in the same pass."""
    n = Y.shape[0] - 1
    F = np.full(n + 1, math.inf)
    F[0] = -beta
    last = np.full(n + 1, -1, np.int64)
    cand = np.empty(n + 1, np.int64)
    vals = np.empty(n + 1)
    use_mbic = mbic_n > 0
    log_mbic_n = math.log(mbic_n) if use_mbic else 0.0
    # log of segment lengths (integers, read in order as s moves): a table, not a log call
    mmax = int(M[n] + 0.5) + 1 if use_mbic else 1
    logm = np.empty(mmax)
    logm[0] = -math.inf
    for i in range(1, mmax):
        logm[i] = math.log(i) - log_mbic_n
    ncand = 0
    for t in range(1, n + 1):
        cand[ncand] = t - 1
        ncand += 1
        yt = Y[t]
        et = E[t]
        mt = M[t]
        best = math.inf
        best_s = -1
        for j in range(ncand):
            s = cand[j]
            cnt = yt - Y[s]
            c = 0.0
            if cnt > 0.0:
                ln = et - E[s]
                c = math.inf if ln <= 0.0 else -2.0 * (cnt * math.log(cnt / ln) - cnt)
            if use_mbic:
                c += logm[int(mt - M[s] + 0.5)]
            v = F[s] + c
            vals[j] = v
            if v < best:
                best = v
                best_s = s
        F[t] = best + beta
        last[t] = best_s
        lim = best + beta + 1e-10 * (1.0 + abs(best + beta))
        k = 0
        for j in range(ncand):
            v = vals[j]
            if not (v > lim and v < math.inf):
                cand[k] = cand[j]
                k += 1
        ncand = k
    return backtrack(last, n), F[n]


@njit(cache=True)
def best_split(Y, E, M, a, b, kind, dispersion, min_size, mbic_n):
    """Best single split s of bins [a, b): (s, cost(a, s) + cost(s, b)); s = -1 if none."""
    best = math.inf
    best_s = -1
    for s in range(a + min_size, b - min_size + 1):
        v = seg_cost(Y, E, M, a, s, kind, dispersion, mbic_n) + seg_cost(
            Y, E, M, s, b, kind, dispersion, mbic_n
        )
        if v < best:
            best = v
            best_s = s
    return best_s, best
