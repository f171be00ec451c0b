"""Poisson PELT with functional pruning (min_size = 1), exact.

The same search as :func:`._pelt_numba.pelt_poisson` (same scores, same floating-point
order, same tie rule), with the functional pruning of Maidstone et al. (2017) added on top of
inequality pruning, as in :mod:`._blocks_numba` for Bayesian blocks. On the deviance scale a
candidate start ``s`` has, at a later end ``t'``, the value
``W_s(u) = F[s] + 2 (T e^u - N u) (+ the MBIC length term)`` minimised over the log rate
``u``; without the length term ``W_s - W_j`` does not depend on ``t'``. The MBIC term
``log((M[t'] - M[s]) / n)`` only makes older starts relatively worse as ``t'`` grows, and
by at most its value at ``t' = t + 1``: it is left out where that is conservative (the
interval where a start can still win) and added at its largest where it is not (the
interval where an older start beats a new one). Without a change the search then keeps a few
dozen candidates instead of every start since the beginning.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._blocks_numba import _chord, _roots_outer, _union_around
from ._pelt_numba import backtrack


@njit(cache=True)
def pelt_poisson_fp(Y, E, M, beta, mbic_n):
    """Return (change indices, minimised penalised cost F[n], largest number of candidates)."""
    n = Y.shape[0] - 1
    F = np.full(n + 1, math.inf)
    F[0] = -beta
    last = np.full(n + 1, -1, np.int64)
    cand = np.empty(n + 1, np.int64)
    vals = np.empty(n + 1)
    lg = np.empty(n + 1)
    mbv = np.empty(n + 1)
    lo_ = np.empty(n + 1)
    hi_ = np.empty(n + 1)
    # per candidate start s: [L, R] of log rates where it can still win; (XL, XR) where an
    # older start beats it (from its entry)
    cl = np.full(n + 1, -math.inf)
    cr = np.full(n + 1, math.inf)
    cxl = np.full(n + 1, math.inf)
    cxr = np.full(n + 1, -math.inf)
    use_mbic = mbic_n > 0
    log_mbic_n = math.log(mbic_n) if use_mbic else 0.0
    mmax = int(M[n] + 0.5) + 1 if use_mbic else 1
    logm = np.empty(mmax)
    logm[0] = -math.inf
    for i in range(1, mmax):
        logm[i] = math.log(i) - log_mbic_n
    # margin: far above the rounding error of any cost (bounded by 2 x counts x (1 + the
    # largest |log rate| of a bin) + the penalties)
    lmax = 0.0
    for i in range(n):
        c = Y[i + 1] - Y[i]
        ln = E[i + 1] - E[i]
        if c > 0 and ln > 0:
            lmax = max(lmax, abs(math.log(c / ln)))
    delta = 1e-10 * (1.0 + 2.0 * Y[n] * (1.0 + lmax) + n * (abs(beta) + 1.0 + log_mbic_n))
    ncand = 0
    maxc = 0
    pxl = math.inf
    pxr = -math.inf
    for t in range(1, n + 1):
        s_new = t - 1
        cand[ncand] = s_new
        cl[s_new] = -math.inf
        cr[s_new] = math.inf
        cxl[s_new] = pxl
        cxr[s_new] = pxr
        ncand += 1
        maxc = max(maxc, ncand)
        yt = Y[t]
        et = E[t]
        mt = M[t]
        best = math.inf
        best_s = -1
        jbest = -1
        for j in range(ncand):
            s = cand[j]
            cnt = yt - Y[s]
            c = 0.0
            q = -math.inf
            if cnt > 0.0:
                ln = et - E[s]
                if ln <= 0.0:
                    c = math.inf
                else:
                    q = math.log(cnt / ln)
                    c = -2.0 * (cnt * q - cnt)
            lg[j] = q
            mb = 0.0
            if use_mbic:
                mb = logm[int(mt - M[s] + 0.5)]
                c += mb
            mbv[j] = mb
            v = F[s] + c
            vals[j] = v
            if v < best:
                best = v
                best_s = s
                jbest = j
        F[t] = best + beta
        last[t] = best_s
        lim = best + beta + 1e-10 * (1.0 + abs(best + beta))
        # functional pruning: update [L, R] of every live start; inner intervals where each
        # beats the start t that enters next; their union around the best one is its (XL, XR)
        ft = F[t]
        for j in range(ncand):
            lo_[j] = math.inf
            hi_[j] = -math.inf
            v = vals[j]
            if not (v <= lim) or t == n:
                continue
            s = cand[j]
            cnt = yt - Y[s]
            q = lg[j]
            if not (cnt > 0.0 and math.isfinite(q)):
                continue
            # half the gap between the start's best value and the next start's, per event
            slack = 0.5 * (ft + mbv[j] - v)
            d_r = (slack + delta) / cnt
            if d_r <= 0.0:
                continue
            a_, b_ = _roots_outer(d_r)
            if q + a_ > cl[s]:
                cl[s] = q + a_
            if q + b_ < cr[s]:
                cr[s] = q + b_
            # an older start's MBIC term against the new one is largest at t + 1
            lx = 0.0
            if use_mbic:
                lx = math.log((M[t + 1] - M[s]) / (M[t + 1] - M[t]))
            d_x = (slack - 0.5 * lx - 2.0 * delta) / cnt
            if d_x > 0.0:
                if math.sqrt(2.0 * d_r) > 2.0:
                    ia, ib = -d_x, math.log1p(d_x)
                else:
                    ia, ib = _chord(a_, d_x), _chord(b_, d_x)
                if ia < 0.0 < ib:
                    lo_[j] = q + ia
                    hi_[j] = q + ib
        pxl, pxr = _union_around(lo_, hi_, ncand, jbest)
        k = 0
        for j in range(ncand):
            v = vals[j]
            if v > lim and v < math.inf:
                continue
            s = cand[j]
            if cl[s] > cr[s] or (cxl[s] < cl[s] and cr[s] < cxr[s]):
                continue
            cand[k] = s
            k += 1
        ncand = k
    return backtrack(last, n), F[n], maxc
