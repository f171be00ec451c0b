"""Numba kernel for Bayesian blocks (Scargle et al. 2013) with exact pruning.

Two pruning rules, both exact (they never drop a candidate that could still win):

* **inequality pruning** (PELT, Killick et al. 2012): start ``k`` is dropped once
  ``best[k-1] + fitness(k..r) < best[r]``;
* **functional pruning** (FPOP, Maidstone et al. 2017), specialised here to the Poisson
  fitness. Write the score of start ``k`` at step ``s`` as ``S_s + max_u W_k(u; s)`` with
  ``u`` the log rate of the last block and
  ``W_k(u; s) = best[k-1] - S_{k-1} - ncp + N u - T e^u`` (``S`` the cumulative events,
  ``N`` and ``T`` the events and length of cells ``k..s``). The difference ``W_k - W_j``
  does not depend on ``s``, so if at some step every log rate ``u`` has a candidate whose
  ``W`` exceeds ``W_k(u)`` by more than a margin ``delta``, start ``k`` can never be the
  optimum again. Each candidate keeps an interval ``[L, R]`` of log rates where no later
  start beats it (intersection of ``{N u - T e^u >= threshold}`` sets, all intervals) and
  an interval ``(XL, XR)`` of log rates where earlier starts beat it (from when it
  entered); it is dropped when ``[L, R]`` lies inside ``(XL, XR)``. The interval ends
  are the roots of ``e^v - 1 - v = D`` around ``log(N / T)``, bounded from outside (for
  ``[L, R]``) and from inside (for ``(XL, XR)``) by Newton and chord steps on that convex
  function, so every approximation errs on the side of keeping candidates.

The scores themselves are computed exactly as astropy computes them, in the same floating-
point order, and ties go to the earliest start, so the edges are astropy's.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _roots_outer(d):
    """``lo <= v- < 0 < v+ <= hi`` for the two roots of ``e^v - 1 - v = d`` (``d > 0``)."""
    s = math.sqrt(2.0 * d)
    if s > 2.0:
        # v+ = log(1 + d + v+) with 0 < v+ <= s; v- = e^v- - 1 - d >= -1 - d
        return -(1.0 + d), math.log1p(d + s)
    # v+ <= s because e^v - 1 - v >= v^2 / 2 for v >= 0; a Newton step from s on the convex
    # increasing branch stays above the root
    g = math.expm1(s) - s
    hi = s - (g - d) / math.expm1(s) if g > d else s
    # -s lies between v- and 0 because e^v - 1 - v <= v^2 / 2 for v <= 0; the tangent there
    # lies below the convex function, so where it reaches d is beyond v-
    gm = math.expm1(-s) + s
    lo = -s + (d - gm) / math.expm1(-s) if d > gm else -s
    return lo, hi


@njit(cache=True)
def _chord(v, d):
    """From an outer point ``v`` (``g(v) >= d``), the point where the chord from 0 to ``v``
    reaches ``d``: an inner point, because the chord lies above the convex ``g``."""
    g = math.expm1(v) - v
    return v * (d / g) if g > d else v


@njit(cache=True)
def _union_around(lo_, hi_, ncand, j0):
    """The union of the intervals ``[lo_[j], hi_[j]]`` (j < ncand; empty when lo >= hi)
    connected to interval ``j0``, as (low, high); (inf, -inf) when that one is empty."""
    if j0 < 0 or not lo_[j0] < hi_[j0]:
        return math.inf, -math.inf
    low = lo_[j0]
    high = hi_[j0]
    changed = True
    while changed:
        changed = False
        for j in range(ncand):
            overlaps = lo_[j] < hi_[j] and lo_[j] <= high and hi_[j] >= low
            if overlaps and (lo_[j] < low or hi_[j] > high):
                low = min(low, lo_[j])
                high = max(high, hi_[j])
                changed = True
    return low, high


@njit(cache=True)
def blocks(edges, x, ncp_prior, prune):
    """Optimal partition of the cells between ``edges`` (len N + 1) holding ``x`` events.

    Fitness of a block: ``N_k log(N_k / T_k)``; each block costs ``ncp_prior``. ``prune``:
    0 none (the paper's quadratic algorithm), 1 inequality pruning, 2 inequality and
    functional pruning. Returns the indices of the first cell of each block (0 first), the
    number of fitness evaluations and the largest number of live candidates. Ties go to the
    earliest start, as in the unpruned algorithm.
    """
    n = x.shape[0]
    last_t = edges[n]
    block_length = np.empty(n + 1)
    for i in range(n + 1):
        block_length[i] = last_t - edges[i]
    csum = np.zeros(n + 1)
    for i in range(n):
        csum[i + 1] = csum[i] + x[i]
    # margin of the functional pruning: far above the rounding error of any score, whose
    # size is bounded by the events times (1 + the largest |log rate| of a cell) plus the
    # block penalties
    lmax = 0.0
    for i in range(n):
        ln = edges[i + 1] - edges[i]
        if x[i] > 0 and ln > 0:
            lmax = max(lmax, abs(math.log(x[i] / ln)))
    delta = 1e-10 * (1.0 + csum[n] * (1.0 + lmax) + n * abs(ncp_prior))
    functional = prune == 2
    best = np.empty(n)
    last = np.empty(n, np.int64)
    # live candidates, packed contiguously: start index, block_length at the start, events
    # before the start, best score before the start (0 for the first cell), and for the
    # functional pruning the log-rate intervals [L, R] and (XL, XR)
    ck = np.empty(n, np.int64)
    cb = np.empty(n)
    cc = np.empty(n)
    cf = np.empty(n)
    cl = np.empty(n)
    cr = np.empty(n)
    cxl = np.empty(n)
    cxr = np.empty(n)
    vals = np.empty(n)
    lg = np.empty(n)
    lo_ = np.empty(n)
    hi_ = np.empty(n)
    ncand = 0
    evals = 0
    maxc = 0
    pxl = math.inf
    pxr = -math.inf
    for r in range(n):
        ck[ncand] = r
        cb[ncand] = block_length[r]
        cc[ncand] = csum[r]
        cf[ncand] = best[r - 1] if r > 0 else 0.0
        cl[ncand] = -math.inf
        cr[ncand] = math.inf
        cxl[ncand] = pxl
        cxr[ncand] = pxr
        ncand += 1
        maxc = max(maxc, ncand)
        blr = block_length[r + 1]
        csr = csum[r + 1]
        bmax = -math.inf
        imax = -1
        jmax = -1
        for j in range(ncand):
            t_k = cb[j] - blr
            n_k = csr - cc[j]
            # (fitness - ncp_prior) + best[k - 1], in that order (cf = 0.0 for k = 0 adds
            # exactly nothing), so the scores are bit-for-bit those of the unpruned algorithm
            q = math.log(n_k / t_k)
            lg[j] = q
            a = (n_k * q - ncp_prior) + cf[j]
            vals[j] = a
            # candidates are in increasing order, so '>' keeps the earliest maximum
            if a > bmax:
                bmax = a
                imax = ck[j]
                jmax = j
        evals += ncand
        best[r] = bmax
        last[r] = imax
        if prune == 0:
            continue
        # k can never win again when best[k-1] + fit(k..r) < best[r] (fitness is
        # subadditive under merging); a small margin keeps float ties.
        lim = bmax - 1e-9 * (1.0 + abs(bmax)) - ncp_prior
        if functional:
            # [L, R] of every live candidate, and its interval where it beats the next start
            # by more than delta (inner bounds); the union of the latter that overlaps the
            # best candidate's is the excluded interval of the start entering next
            for j in range(ncand):
                lo_[j] = math.inf
                hi_[j] = -math.inf
                if vals[j] < lim:
                    continue
                n_k = csr - cc[j]
                t_k = cb[j] - blr
                q = lg[j]
                if not (n_k > 0 and t_k > 0 and math.isfinite(q)):
                    continue
                # slack of the candidate: max_u of its W minus the next start's W
                slack = vals[j] + ncp_prior - bmax
                d_r = (slack + delta) / n_k
                if d_r <= 0:
                    continue
                a_, b_ = _roots_outer(d_r)
                cl[j] = max(cl[j], q + a_)
                cr[j] = min(cr[j], q + b_)
                d_x = (slack - 2.0 * delta) / n_k
                if d_x > 0:
                    if math.sqrt(2.0 * d_r) > 2.0:
                        ia, ib = -d_x, math.log1p(d_x)
                    else:
                        ia, ib = _chord(a_, d_x), _chord(b_, d_x)
                    if ia < 0.0 < ib:
                        lo_[j] = q + ia
                        hi_[j] = q + ib
            pxl, pxr = _union_around(lo_, hi_, ncand, jmax)
        m = 0
        for j in range(ncand):
            if vals[j] < lim:
                continue
            if functional and (cl[j] > cr[j] or (cxl[j] < cl[j] and cr[j] < cxr[j])):
                continue
            ck[m] = ck[j]
            cb[m] = cb[j]
            cc[m] = cc[j]
            cf[m] = cf[j]
            cl[m] = cl[j]
            cr[m] = cr[j]
            cxl[m] = cxl[j]
            cxr[m] = cxr[j]
            m += 1
        ncand = m
    # backtrack
    cps = np.empty(n + 1, np.int64)
    m = 0
    ind = n
    while ind > 0:
        cps[m] = ind
        m += 1
        ind = last[ind - 1]
    cps[m] = 0
    m += 1
    res = np.empty(m, np.int64)
    for i in range(m):
        res[i] = cps[m - 1 - i]
    return res, evals, maxc
