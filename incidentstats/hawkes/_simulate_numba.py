"""Numba hot loops for Hawkes simulation and stochastic declustering (private).

Randomness never lives here: callers draw uniforms / exponentials from their own
``numpy.random.Generator`` and pass them in, so results depend on ``rng=`` only.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["decluster_exponential", "ogata_exponential_chunk"]


@njit(cache=True)
def ogata_exponential_chunk(  # pragma: no cover - compiled
    mu: float,
    alpha: float,
    beta: float,
    t: float,
    s: float,
    end: float,
    expo: np.ndarray,
    unif: np.ndarray,
    out: np.ndarray,
) -> tuple[float, float, int, int, bool]:
    """Ogata thinning for λ(t) = μ + α β Σ exp(−β (t − t_j)) with constant μ.

    ``s`` is Σ_j exp(−β (t − t_j)) over all events (history included) at the current time
    ``t``. The loop consumes pairs (expo[k], unif[k]) and writes accepted times into ``out``.
    Returns ``(t, s, n_accepted, n_used, done)``; ``done`` is True once a candidate passes
    ``end`` (or the intensity is zero for good). Between events the intensity only
    decreases, so λ at the current time bounds it until the next candidate.
    """
    m = 0
    k = 0
    while k < expo.size:
        lam_bar = mu + alpha * beta * s
        if lam_bar <= 0.0:
            return t, s, m, k, True
        w = expo[k] / lam_bar
        u = unif[k]
        k += 1
        x = t + w
        if x >= end:
            return x, s, m, k, True
        s *= np.exp(-beta * w)
        t = x
        lam = mu + alpha * beta * s
        if u * lam_bar <= lam:
            out[m] = x
            m += 1
            s += 1.0
            if m == out.size:
                return t, s, m, k, False
    return t, s, m, k, False


@njit(cache=True)
def decluster_exponential(  # pragma: no cover - compiled
    times: np.ndarray, mu_at: np.ndarray, coef: np.ndarray, decays: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Branching probabilities for an exponential-mixture excitation in O(n K).

    The excitation is φ(t) = Σ_k coef[k] exp(−decays[k] t) (for the exponential kernel
    K = 1 and coef = n β). For sorted ``times`` with baseline rates ``mu_at`` at the events,
    returns ``(lam, p_background, parent, p_parent, expected_children)``:

    * ``lam[i]`` = μ(t_i) + Σ_{t_j < t_i} φ(t_i − t_j) (strictly earlier events; events tied
      with t_i are not its parents);
    * ``p_background[i]`` = μ(t_i) / lam[i];
    * ``parent[i]`` = the most likely parent (the latest strictly earlier event, since φ
      decreases), −1 when there is none; ``p_parent[i]`` its probability;
    * ``expected_children[j]`` = Σ_{t_i > t_j} φ(t_i − t_j) / lam[i].
    """
    n = times.size
    K = decays.size
    lam = np.empty(n)
    p_bg = np.empty(n)
    parent = np.full(n, -1, dtype=np.int64)
    p_par = np.zeros(n)
    children = np.zeros(n)
    if n == 0:
        return lam, p_bg, parent, p_par, children
    # forward pass over groups of tied times; s[k] = Σ_{t_j <= tcur} exp(-β_k (tcur - t_j))
    s = np.zeros(K)
    tcur = times[0]
    last_prev = -1  # last index strictly before the current group
    i = 0
    while i < n:
        t = times[i]
        g_end = i
        while g_end < n and times[g_end] == t:
            g_end += 1
        exc = 0.0
        phi_last = 0.0
        if i > 0:
            last_prev = i - 1
            lag = t - times[last_prev]
            for k in range(K):
                s[k] *= np.exp(-decays[k] * (t - tcur))
                exc += coef[k] * s[k]
                phi_last += coef[k] * np.exp(-decays[k] * lag)
        for m in range(i, g_end):
            total = mu_at[m] + exc
            lam[m] = total
            if total > 0.0:
                p_bg[m] = mu_at[m] / total
                if last_prev >= 0:
                    parent[m] = last_prev
                    p_par[m] = phi_last / total
            else:
                p_bg[m] = np.nan
                p_par[m] = np.nan
        for k in range(K):
            s[k] += g_end - i
        tcur = t
        i = g_end
    # backward pass: r[k] = Σ_{t_i >= tcur} exp(-β_k (t_i - tcur)) / lam_i
    r = np.zeros(K)
    j = n - 1
    tcur = times[n - 1]
    while j >= 0:
        t = times[j]
        g_start = j
        while g_start >= 0 and times[g_start] == t:
            g_start -= 1
        val = 0.0
        for k in range(K):
            r[k] *= np.exp(-decays[k] * (tcur - t))
            val += coef[k] * r[k]
        add = 0.0
        for m in range(j, g_start, -1):
            children[m] = val
            if lam[m] > 0.0:
                add += 1.0 / lam[m]
        for k in range(K):
            r[k] += add
        tcur = t
        j = g_start
    return lam, p_bg, parent, p_par, children
