"""Numba kernels for the univariate Hawkes log-likelihood (private).

All functions take event times as a sorted float64 array of offsets from the window start
(re-origined, so epoch-scale timestamps lose no precision) and the window length ``T``.
Notation: ``R_i = sum_{j<i} exp(-beta (t_i - t_j))`` (index order, so tied times count as
earlier events of distance 0), ``S_i = sum_{j<i} (t_i - t_j) exp(...)``,
``U_i = sum_{j<i} (t_i - t_j)^2 exp(...)``; each obeys an O(1) update from ``i - 1``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _decay(x):  # pragma: no cover - compiled
    """exp(-x), flushed to 0 below 1e-304 so that recursions never carry subnormal numbers
    (which cost ~100 cycles per operation when the decay is large)."""
    if x > 700.0:
        return 0.0
    return math.exp(-x)


@njit(cache=True, fastmath=True)
def exp_loglik(t, T, mu, n, beta):  # pragma: no cover - compiled
    """Log-likelihood of the constant-baseline exponential Hawkes model (no derivatives)."""
    N = t.shape[0]
    R = 0.0
    ll = 0.0
    prev = 0.0
    nb = n * beta
    for i in range(N):
        if i > 0:
            R = _decay(beta * (t[i] - prev)) * (R + 1.0)
        prev = t[i]
        lam = mu + nb * R
        if not lam > 0.0:
            return -np.inf
        ll += math.log(lam)
    if N > 0:
        R = _decay(beta * (T - prev)) * (R + 1.0)
    # sum_i (1 - exp(-beta (T - t_i))) = N - R(T)
    return ll - mu * T - n * (N - R)


@njit(cache=True, fastmath=True)
def exp_loglik_grad(t, T, mu, n, beta, grad):  # pragma: no cover - compiled
    """Log-likelihood and gradient in (mu, n, beta), one fused O(n) pass.

    ``grad`` (length 3) is overwritten.
    """
    N = t.shape[0]
    R = 0.0
    S = 0.0
    ll = 0.0
    g_mu = 0.0
    g_n = 0.0
    g_b = 0.0
    c_g = 0.0
    c_b = 0.0
    prev = 0.0
    nb = n * beta
    for i in range(N):
        if i > 0:
            d = t[i] - prev
            e = _decay(beta * d)
            r1 = R + 1.0
            S = e * (S + d * r1)
            R = e * r1
        prev = t[i]
        lam = mu + nb * R
        if not lam > 0.0:
            grad[0] = np.nan
            grad[1] = np.nan
            grad[2] = np.nan
            return -np.inf
        w = 1.0 / lam
        ll += math.log(lam)
        g_mu += w
        g_n += beta * R * w
        g_b += (R - beta * S) * w
    # compensator sums from the recursion continued to T: sum_i exp(-beta (T - t_i)) = R(T),
    # sum_i (T - t_i) exp(...) = S(T)
    if N > 0:
        d = T - prev
        e = _decay(beta * d)
        r1 = R + 1.0
        c_b = e * (S + d * r1)
        c_g = N - e * r1
    grad[0] = g_mu - T
    grad[1] = g_n - c_g
    grad[2] = n * g_b - n * c_b
    return ll - mu * T - n * c_g


@njit(cache=True, fastmath=True)
def exp_loglik_grad_hess(t, T, mu, n, beta, grad, hess):  # pragma: no cover - compiled
    """Log-likelihood, gradient and Hessian in (mu, n, beta), one fused O(n) pass.

    ``lambda_i = mu + n beta R_i``; first derivatives of lambda_i: (1, beta R_i,
    n (R_i - beta S_i)); second: d2/dn dbeta = R_i - beta S_i,
    d2/dbeta2 = n (beta U_i - 2 S_i). The compensator is
    ``mu T + n sum_i (1 - exp(-beta (T - t_i)))``.
    """
    N = t.shape[0]
    R = 0.0
    S = 0.0
    U = 0.0
    ll = 0.0
    g0 = 0.0
    g1 = 0.0
    g2 = 0.0
    h00 = 0.0
    h01 = 0.0
    h02 = 0.0
    h11 = 0.0
    h12 = 0.0
    h22 = 0.0
    c_g = 0.0
    c_b = 0.0
    c_bb = 0.0
    prev = 0.0
    for i in range(N):
        if i > 0:
            d = t[i] - prev
            e = _decay(beta * d)
            r1 = R + 1.0
            U = e * (U + 2.0 * d * S + d * d * r1)
            S = e * (S + d * r1)
            R = e * r1
        prev = t[i]
        lam = mu + n * beta * R
        if not lam > 0.0:
            return -np.inf
        w = 1.0 / lam
        ll += math.log(lam)
        a1 = beta * R
        q = R - beta * S
        a2 = n * q
        g0 += w
        g1 += a1 * w
        g2 += a2 * w
        w2 = w * w
        h00 -= w2
        h01 -= a1 * w2
        h02 -= a2 * w2
        h11 -= a1 * a1 * w2
        h12 += q * w - a1 * a2 * w2
        h22 += n * (beta * U - 2.0 * S) * w - a2 * a2 * w2
    if N > 0:
        d = T - prev
        e = _decay(beta * d)
        r1 = R + 1.0
        c_bb = e * (U + 2.0 * d * S + d * d * r1)
        c_b = e * (S + d * r1)
        c_g = N - e * r1
    grad[0] = g0 - T
    grad[1] = g1 - c_g
    grad[2] = g2 - n * c_b
    hess[0, 0] = h00
    hess[0, 1] = h01
    hess[1, 0] = h01
    hess[0, 2] = h02
    hess[2, 0] = h02
    hess[1, 1] = h11
    hess[1, 2] = h12 - c_b
    hess[2, 1] = h12 - c_b
    hess[2, 2] = h22 + n * c_bb
    return ll - mu * T - n * c_g


@njit(cache=True, fastmath=True)
def exp_excitation(t, beta, E, dE):  # pragma: no cover - compiled
    """``E_i = sum_{j<i} g(t_i - t_j)`` for g = beta e^{-beta t}, and dE_i/dbeta."""
    N = t.shape[0]
    R = 0.0
    S = 0.0
    prev = 0.0
    for i in range(N):
        if i > 0:
            d = t[i] - prev
            e = _decay(beta * d)
            r1 = R + 1.0
            S = e * (S + d * r1)
            R = e * r1
        prev = t[i]
        E[i] = beta * R
        dE[i] = R - beta * S


@njit(cache=True, fastmath=True)
def exp_sums_at(t, s, beta, out_R, out_C):  # pragma: no cover - compiled
    """For sorted query times ``s``: ``sum_{t_j < s_k} e^{-beta (s_k - t_j)}`` and the count.

    Events strictly before each query time are included (the intensity is left-continuous).
    """
    N = t.shape[0]
    j = 0
    R = 0.0  # sum over events before index j, evaluated at t[j-1]
    last = 0.0
    for k in range(s.shape[0]):
        sk = s[k]
        while j < N and t[j] < sk:
            if j > 0:
                R = R * math.exp(-beta * (t[j] - last))
            R += 1.0
            last = t[j]
            j += 1
        if j == 0:
            out_R[k] = 0.0
        else:
            out_R[k] = R * math.exp(-beta * (sk - last))
        out_C[k] = j


@njit(cache=True, fastmath=True)
def powerlaw_excitation(t, c, p, E, dEc, dEp):  # pragma: no cover - compiled
    """Exact O(n^2) sums for g(t) = (p-1)/c (1 + t/c)^(-p) and its derivatives in (c, p)."""
    N = t.shape[0]
    k = (p - 1.0) / c
    for i in range(N):
        e = 0.0
        ec = 0.0
        ep = 0.0
        ti = t[i]
        for j in range(i):
            x = ti - t[j]
            lg = math.log1p(x / c)
            g = k * math.exp(-p * lg)
            e += g
            ec += g * (-1.0 / c + p * x / (c * (c + x)))
            ep += g * (1.0 / (p - 1.0) - lg)
        E[i] = e
        dEc[i] = ec
        dEp[i] = ep


@njit(cache=True)
def powerlaw_sums_at(t, s, c, p, out_g, out_G):  # pragma: no cover - compiled
    """For query times ``s``: sum over events before s_k of g(s_k - t_j) and G(s_k - t_j)."""
    k = (p - 1.0) / c
    for q in range(s.shape[0]):
        sq = s[q]
        a = 0.0
        b = 0.0
        for j in range(t.shape[0]):
            if t[j] >= sq:
                break
            lg = math.log1p((sq - t[j]) / c)
            a += k * math.exp(-p * lg)
            b += 1.0 - math.exp(-(p - 1.0) * lg)
        out_g[q] = a
        out_G[q] = b


@njit(cache=True)
def bin_counts(t, edges, out):  # pragma: no cover - compiled
    """``out[i, k]`` = number of j < i with t_i - t_j in [edges[k], edges[k+1]).

    Pairs beyond the last edge are skipped, so the cost is O(n x events within the support).
    """
    N = t.shape[0]
    m = edges.shape[0] - 1
    top = edges[m]
    lo = 0
    for i in range(N):
        ti = t[i]
        while lo < i and ti - t[lo] >= top:
            lo += 1
        for j in range(lo, i):
            x = ti - t[j]
            for k in range(m):
                if x < edges[k + 1]:
                    if x >= edges[k]:
                        out[i, k] += 1.0
                    break


@njit(cache=True)
def bin_sums_at(t, s, edges, dens, out_g, out_G):  # pragma: no cover - compiled
    """Piecewise-constant kernel: sums of g and G over events before each query time."""
    m = edges.shape[0] - 1
    for q in range(s.shape[0]):
        sq = s[q]
        a = 0.0
        b = 0.0
        for j in range(t.shape[0]):
            if t[j] >= sq:
                break
            x = sq - t[j]
            cum = 0.0
            for k in range(m):
                w = edges[k + 1] - edges[k]
                if x < edges[k + 1]:
                    a += dens[k]
                    cum += dens[k] * (x - edges[k])
                    break
                cum += dens[k] * w
            b += cum
        out_g[q] = a
        out_G[q] = b


@njit(cache=True, fastmath=True)
def exp_pw_loglik_grad_hess(t, T, seg, lengths, mus, n, beta, grad, hess):  # pragma: no cover
    """Piecewise-constant baseline (level ``mus[seg[i]]`` at event i, segment lengths
    ``lengths``) with the exponential kernel: ℓ, gradient and Hessian in
    (mu_1..mu_K, n, beta), one fused O(n) pass. ``grad`` (K+2) and ``hess`` ((K+2)^2) are
    overwritten."""
    K = mus.shape[0]
    N = t.shape[0]
    for a in range(K + 2):
        grad[a] = 0.0
        for b in range(K + 2):
            hess[a, b] = 0.0
    R = 0.0
    S = 0.0
    U = 0.0
    ll = 0.0
    g1 = 0.0
    g2 = 0.0
    h11 = 0.0
    h12 = 0.0
    h22 = 0.0
    prev = 0.0
    for i in range(N):
        if i > 0:
            d = t[i] - prev
            e = _decay(beta * d)
            r1 = R + 1.0
            U = e * (U + 2.0 * d * S + d * d * r1)
            S = e * (S + d * r1)
            R = e * r1
        prev = t[i]
        k = seg[i]
        lam = mus[k] + n * beta * R
        if not lam > 0.0:
            return -np.inf
        w = 1.0 / lam
        ll += math.log(lam)
        a1 = beta * R
        q = R - beta * S
        a2 = n * q
        w2 = w * w
        grad[k] += w
        g1 += a1 * w
        g2 += a2 * w
        hess[k, k] -= w2
        hess[k, K] -= a1 * w2
        hess[k, K + 1] -= a2 * w2
        h11 -= a1 * a1 * w2
        h12 += q * w - a1 * a2 * w2
        h22 += n * (beta * U - 2.0 * S) * w - a2 * a2 * w2
    c_g = 0.0
    c_b = 0.0
    c_bb = 0.0
    if N > 0:
        d = T - prev
        e = _decay(beta * d)
        r1 = R + 1.0
        c_bb = e * (U + 2.0 * d * S + d * d * r1)
        c_b = e * (S + d * r1)
        c_g = N - e * r1
    base = 0.0
    for k in range(K):
        grad[k] -= lengths[k]
        base += mus[k] * lengths[k]
        hess[K, k] = hess[k, K]
        hess[K + 1, k] = hess[k, K + 1]
    grad[K] = g1 - c_g
    grad[K + 1] = g2 - n * c_b
    hess[K, K] = h11
    hess[K, K + 1] = h12 - c_b
    hess[K + 1, K] = h12 - c_b
    hess[K + 1, K + 1] = h22 + n * c_bb
    return ll - base - n * c_g


@njit(cache=True, fastmath=True)
def expmix_excitation(t, T, betas, W, L, E, dEc, dEp, tail):  # pragma: no cover - compiled
    """Mixture of exponential densities sum_k W_k beta_k e^{-beta_k t} (the power-law
    approximation): per event E_i and, for beta_k = s_k / c and dW_k/dp = W_k L_k, the
    derivatives dE_i/dc and dE_i/dp; ``tail`` (length 3) gets sum_i G(T - t_i) and its
    derivatives in (c, p) times c (the caller divides by c). One O(nK) pass."""
    N = t.shape[0]
    K = betas.shape[0]
    R = np.zeros(K)
    S = np.zeros(K)
    prev = 0.0
    for i in range(N):
        e_i = 0.0
        c_i = 0.0
        p_i = 0.0
        if i > 0:
            d = t[i] - prev
            for k in range(K):
                e = _decay(betas[k] * d)
                r1 = R[k] + 1.0
                S[k] = e * (S[k] + d * r1)
                R[k] = e * r1
        for k in range(K):
            bR = betas[k] * R[k]
            e_i += W[k] * bR
            # d/dc (beta R) with dbeta/dc = -beta/c: (R - beta S)(-beta/c); times c here
            c_i -= W[k] * (R[k] - betas[k] * S[k]) * betas[k]
            p_i += W[k] * L[k] * bR
        prev = t[i]
        E[i] = e_i
        dEc[i] = c_i
        dEp[i] = p_i
    g0 = 0.0
    gc = 0.0
    gp = 0.0
    if N > 0:
        d = T - prev
        for k in range(K):
            e = _decay(betas[k] * d)
            r1 = R[k] + 1.0
            RT = e * r1
            ST = e * (S[k] + d * r1)
            G = N - RT
            g0 += W[k] * G
            gc -= W[k] * ST * betas[k]
            gp += W[k] * L[k] * G
    tail[0] = g0
    tail[1] = gc
    tail[2] = gp
