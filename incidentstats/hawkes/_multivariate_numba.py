"""Numba kernels of the multivariate exponential / sum-of-exponentials Hawkes likelihood.

Private module: plain Python in :mod:`incidentstats.hawkes.multivariate` validates inputs and
owns randomness; these functions only run the O(n·D·U) recursions.

Notation: events ``k = 0..n-1`` at sorted times ``t_k`` in streams ``i_k``; ``D`` streams,
``U`` exponential components with decays ``beta_u``; kernel from stream ``j`` to stream ``i``
``phi_ij(s) = sum_u alpha[i, j, u] * beta_u * exp(-beta_u s)``. The state kept per source
stream and component is ``E_ju(t) = sum_{t_m < t, i_m = j} exp(-beta_u (t - t_m))`` and
``R_ju(t) = sum (t - t_m) exp(-beta_u (t - t_m))`` (for the derivative in ``beta_u``).
Events at exactly equal times do not excite each other (strictly-earlier rule).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit


@njit(cache=True)
def loglik_grad(times, marks, end, mu_at, alpha, betas, want_grad):  # pragma: no cover - numba
    """Excitation part of the log-likelihood and its gradient.

    Returns ``(sum_log, comp_exc, inv_lam, g_alpha, g_beta)`` where ``sum_log`` is
    ``sum_k log lambda_{i_k}(t_k)`` (``-inf`` if an intensity is not positive), ``comp_exc``
    is the excitation part of the compensator ``sum_ij sum_u alpha_iju C_ju``, ``inv_lam``
    holds ``1 / lambda_{i_k}(t_k)`` (for the baseline gradient computed by the caller),
    ``g_alpha`` / ``g_beta`` the gradient of ``sum_log - comp_exc`` in alpha and beta.
    """
    n = times.shape[0]
    d = alpha.shape[0]
    nu = betas.shape[0]
    e_state = np.zeros((d, nu))
    r_state = np.zeros((d, nu))
    pend = np.zeros(d)
    inv_lam = np.zeros(n)
    g_alpha = np.zeros((d, d, nu))
    g_beta = np.zeros(nu)
    decay = np.zeros(nu)
    sum_log = 0.0
    tcur = times[0] if n > 0 else 0.0
    for k in range(n):
        t = times[k]
        if t > tcur:
            dt = t - tcur
            for u in range(nu):
                decay[u] = np.exp(-betas[u] * dt)
            for j in range(d):
                if pend[j] != 0.0:
                    for u in range(nu):
                        e_state[j, u] += pend[j]
                    pend[j] = 0.0
                for u in range(nu):
                    r_state[j, u] = decay[u] * (r_state[j, u] + dt * e_state[j, u])
                    e_state[j, u] = decay[u] * e_state[j, u]
            tcur = t
        i = marks[k]
        lam = mu_at[k]
        for j in range(d):
            for u in range(nu):
                lam += alpha[i, j, u] * betas[u] * e_state[j, u]
        if not lam > 0.0:
            return -np.inf, 0.0, inv_lam, g_alpha, g_beta
        sum_log += np.log(lam)
        inv = 1.0 / lam
        inv_lam[k] = inv
        if want_grad:
            for j in range(d):
                for u in range(nu):
                    g_alpha[i, j, u] += betas[u] * e_state[j, u] * inv
                    g_beta[u] += alpha[i, j, u] * (e_state[j, u] - betas[u] * r_state[j, u]) * inv
        pend[i] += 1.0
    # compensator of the excitation: C_ju = sum_m (1 - exp(-beta_u (T - t_m)))
    c_state = np.zeros((d, nu))
    dc_state = np.zeros((d, nu))
    for k in range(n):
        j = marks[k]
        s = end - times[k]
        for u in range(nu):
            ex = np.exp(-betas[u] * s)
            c_state[j, u] += 1.0 - ex
            dc_state[j, u] += s * ex
    comp_exc = 0.0
    for i in range(d):
        for j in range(d):
            for u in range(nu):
                comp_exc += alpha[i, j, u] * c_state[j, u]
                if want_grad:
                    g_alpha[i, j, u] -= c_state[j, u]
                    g_beta[u] -= alpha[i, j, u] * dc_state[j, u]
    return sum_log, comp_exc, inv_lam, g_alpha, g_beta


@njit(cache=True)
def excitation_at_events(times, marks, alpha, betas):  # pragma: no cover - numba
    """Per event: excitation intensity and excitation compensator of its own stream.

    Returns ``(exc_lam, exc_comp)``: ``exc_lam[k] = sum_ju alpha[i_k,j,u] beta_u E_ju(t_k)``
    and ``exc_comp[k] = sum_ju alpha[i_k,j,u] (N_j(t_k-) - E_ju(t_k))``, the integral of the
    excitation of stream ``i_k`` from the start up to ``t_k``.
    """
    n = times.shape[0]
    d = alpha.shape[0]
    nu = betas.shape[0]
    e_state = np.zeros((d, nu))
    cnt = np.zeros(d)
    pend = np.zeros(d)
    exc_lam = np.zeros(n)
    exc_comp = np.zeros(n)
    tcur = times[0] if n > 0 else 0.0
    for k in range(n):
        t = times[k]
        if t > tcur:
            dt = t - tcur
            for j in range(d):
                if pend[j] != 0.0:
                    cnt[j] += pend[j]
                    for u in range(nu):
                        e_state[j, u] += pend[j]
                    pend[j] = 0.0
                for u in range(nu):
                    e_state[j, u] *= np.exp(-betas[u] * dt)
            tcur = t
        i = marks[k]
        lam = 0.0
        comp = 0.0
        for j in range(d):
            for u in range(nu):
                lam += alpha[i, j, u] * betas[u] * e_state[j, u]
                comp += alpha[i, j, u] * (cnt[j] - e_state[j, u])
        exc_lam[k] = lam
        exc_comp[k] = comp
        pend[i] += 1.0
    return exc_lam, exc_comp


@njit(cache=True)
def parent_probabilities(times, marks, mu_at, alpha, betas, k):  # pragma: no cover - numba
    """For event ``k``: the background share and the share of each earlier event (declustering)."""
    i = marks[k]
    t = times[k]
    contrib = np.zeros(k)
    total = mu_at[k]
    for m in range(k):
        s = t - times[m]
        if s <= 0.0:
            continue
        j = marks[m]
        c = 0.0
        for u in range(betas.shape[0]):
            c += alpha[i, j, u] * betas[u] * np.exp(-betas[u] * s)
        contrib[m] = c
        total += c
    return mu_at[k] / total, contrib / total


# -- runtime support ----------------------------------------------------------------------
_LIBS_CACHE: dict[str, Any] = {}


def openblas_libs() -> list[tuple[Any, Any]]:
    """(get, set) thread-count functions of every loaded OpenBLAS (Linux; best effort).

    The approach of threadpoolctl: environment variables act only before BLAS loads, so the
    loaded libraries are found in ``/proc/self/maps`` and called through ctypes.
    """
    import ctypes
    import os
    import sys

    key = (os.getpid(), len(sys.modules))  # new imports may load new libraries
    if _LIBS_CACHE.get("key") == key:
        return _LIBS_CACHE["libs"]
    try:
        with open("/proc/self/maps") as fh:
            paths = sorted({line.split()[-1] for line in fh if "openblas" in line.lower()})
    except OSError:
        return []
    out = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (
            ("openblas", ""),
            ("openblas", "64_"),
            ("scipy_openblas", ""),
            ("scipy_openblas", "64_"),
        ):
            setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            if setter is not None and getter is not None:
                out.append((getter, setter))
                break
    _LIBS_CACHE["key"] = key
    _LIBS_CACHE["libs"] = out
    return out


class blas_single_thread:
    """Within the block, loaded OpenBLAS libraries use one thread; restored afterwards.

    The fits use tiny matrices; several BLAS threads per process only spin and, on a busy
    machine, made the serial Iraq grid batch 14x slower in CPU time and L-BFGS-B 25x slower
    (measured on this 2-core machine under load).
    """

    def __enter__(self) -> None:
        self.libs = openblas_libs()
        self.saved = [int(get()) for get, _ in self.libs]
        for _, setter in self.libs:
            setter(1)

    def __exit__(self, *exc: Any) -> None:
        for (_, setter), n in zip(self.libs, self.saved):
            setter(n)
