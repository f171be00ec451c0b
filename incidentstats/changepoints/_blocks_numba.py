"""Numba kernel for Bayesian blocks (Scargle et al. 2013) with PELT-style pruning."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def blocks(edges, x, ncp_prior, prune):
    """Optimal partition of the cells between ``edges`` (len N + 1) holding ``x`` events.

    Fitness of a block: ``N_k log(N_k / T_k)``; each block costs ``ncp_prior``. Returns
    the indices of the first cell of each block (0 first) and the number of fitness
    evaluations. Ties go to the earliest start, as in the unpruned algorithm of the paper.
    """
    n = x.shape[0]
    last_t = edges[n]
    block_length = np.empty(n + 1)
    for i in range(n + 1):
        block_length[i] = last_t - edges[i]
    csum = np.zeros(n + 1)
    for i in range(n):
        csum[i + 1] = csum[i] + x[i]
    best = np.empty(n)
    last = np.empty(n, np.int64)
    # live candidates, packed contiguously: start index, block_length at the start,
    # events before the start, best score before the start (0 for the first cell)
    ck = np.empty(n, np.int64)
    cb = np.empty(n)
    cc = np.empty(n)
    cf = np.empty(n)
    vals = np.empty(n)
    ncand = 0
    evals = 0
    for r in range(n):
        ck[ncand] = r
        cb[ncand] = block_length[r]
        cc[ncand] = csum[r]
        cf[ncand] = best[r - 1] if r > 0 else 0.0
        ncand += 1
        blr = block_length[r + 1]
        csr = csum[r + 1]
        bmax = -math.inf
        imax = -1
        for j in range(ncand):
            t_k = cb[j] - blr
            n_k = csr - cc[j]
            # (fitness - ncp_prior) + best[k - 1], in that order (cf = 0.0 for k = 0 adds
            # exactly nothing), so the scores are bit-for-bit those of the unpruned algorithm
            a = (n_k * math.log(n_k / t_k) - ncp_prior) + cf[j]
            vals[j] = a
            # candidates are in increasing order, so '>' keeps the earliest maximum
            if a > bmax:
                bmax = a
                imax = ck[j]
        evals += ncand
        best[r] = bmax
        last[r] = imax
        if prune:
            # k can never win again when best[k-1] + fit(k..r) < best[r] (fitness is
            # subadditive under merging); a small margin keeps float ties.
            lim = bmax - 1e-9 * (1.0 + abs(bmax)) - ncp_prior
            m = 0
            for j in range(ncand):
                if vals[j] >= lim:
                    ck[m] = ck[j]
                    cb[m] = cb[j]
                    cc[m] = cc[j]
                    cf[m] = cf[j]
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
    return res, evals
