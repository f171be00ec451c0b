"""PELT search and CROPS penalty paths on arrays of counts and exposures."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._pelt_fpop_numba import pelt_poisson_fp
from ._pelt_numba import NEGBIN, POISSON, pelt, pelt_poisson

__all__ = ["compress", "crops", "cumsums", "pelt_search"]


def cumsums(y: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative sums with a leading zero (float64), as the numba kernels read them."""
    Y = np.concatenate([[0.0], np.cumsum(np.asarray(y, float))])
    E = np.concatenate([[0.0], np.cumsum(np.asarray(e, float))])
    return Y, E


def compress(
    y: np.ndarray, e: np.ndarray, min_size: int = 1, mbic: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge runs of empty bins into single cells (only when ``min_size == 1``).

    For fixed segment counts the cost is concave in the position of a change inside a run
    of empty bins (``n log L`` is concave in ``L``; so are the NB1 cost and the MBIC
    ``log m`` term), so optimal changes sit at the ends of such runs, and merging each run
    into one cell leaves the optimum unchanged. With the MBIC length terms a one-bin empty
    segment at either end of a run can also be optimal, so for ``mbic`` runs keep their
    first and last bins as separate cells (exact when the penalty exceeds ``log(2 n)``,
    which ``3 log n`` does; :func:`pelt_search` does not merge otherwise).

    Returns cumulative ``Y``, ``E``, ``M`` (original bins) and the original index of each
    cell boundary.
    """
    y = np.asarray(y, float)
    e = np.asarray(e, float)
    n = len(y)
    if min_size == 1 and n > 2:
        zero = y == 0
        prev_zero = np.concatenate([[False], zero[:-1]])
        cont = zero & prev_zero  # bin continues a run of empty bins
        if mbic:
            # keep the second bin of a run and the last bin of a run as cell starts
            prev2 = np.concatenate([[False, False], zero[:-2]])
            next_zero = np.concatenate([zero[1:], [False]])
            cont = cont & prev2 & next_zero
        starts = np.flatnonzero(~cont)
    else:
        starts = np.arange(n)
    bounds = np.concatenate([starts, [n]]).astype(np.int64)
    yc = np.add.reduceat(y, starts)
    ec = np.add.reduceat(e, starts)
    Y, E = cumsums(yc, ec)
    M = bounds.astype(float)
    return Y, E, M, bounds


def _kind(cost: str) -> int:
    return POISSON if cost == "poisson" else NEGBIN


def pelt_search(
    y: np.ndarray,
    e: np.ndarray,
    *,
    beta: float,
    cost: str = "poisson",
    dispersion: float = math.inf,
    min_size: int = 1,
    mbic: bool = False,
    functional: bool = True,
) -> tuple[np.ndarray, float]:
    """Exact penalised segmentation of counts ``y`` with exposures ``e`` by PELT.

    Minimises ``sum_k C(segment_k) + beta * K`` where ``C`` is the deviance-scale segment cost
    (plus ``log(m_k / n)`` per segment when ``mbic``). Returns the change indices (a change at
    ``i`` starts a new segment at bin ``i``) and the unpenalised total cost.

    With the Poisson cost and ``min_size=1``, ``functional=True`` adds exact functional
    pruning (Maidstone et al. 2017) to PELT's inequality pruning: the same result, but long
    stretches without a change no longer make the search quadratic.

    References
    ----------
    Killick, R., Fearnhead, P. & Eckley, I. A. (2012). Optimal detection of changepoints with
    a linear computational cost. JASA 107, 1590-1598.
    Maidstone, R., Hocking, T., Rigaill, G. & Fearnhead, P. (2017). On optimal multiple
    changepoint algorithms for large data. Statistics and Computing 27, 519-533.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.r_[np.full(30, 1.0), np.full(30, 5.0)]
    >>> pelt_search(y, np.ones(60), beta=10.0)[0].tolist()
    [30]
    """
    merge = min_size if (not mbic or beta > math.log(2 * len(y))) else 0
    Y, E, M, bounds = compress(y, e, merge, mbic)
    kind = _kind(cost) if math.isfinite(dispersion) else POISSON
    disp = float(dispersion) if math.isfinite(dispersion) else 1.0
    mbic_n = float(len(y)) if mbic else 0.0
    if kind == POISSON and min_size == 1 and functional:
        cps, total, _ = pelt_poisson_fp(Y, E, M, float(beta), mbic_n)
    elif kind == POISSON and min_size == 1:
        cps, total = pelt_poisson(Y, E, M, float(beta), mbic_n)
    else:
        cps, total = pelt(Y, E, M, kind, disp, float(beta), int(min_size), mbic_n)
    return bounds[np.asarray(cps, np.int64)], float(total - beta * len(cps))


@dataclass(frozen=True)
class PathEntry:
    """One segmentation on the penalty path: optimal for penalties in [low, high]."""

    low: float
    high: float
    changes: np.ndarray
    cost: float


def crops(
    y: np.ndarray,
    e: np.ndarray,
    *,
    beta_min: float,
    beta_max: float,
    cost: str = "poisson",
    dispersion: float = math.inf,
    min_size: int = 1,
) -> list[PathEntry]:
    """All optimal segmentations for penalties in ``[beta_min, beta_max]`` (CROPS).

    Runs PELT at the ends, then at the penalty where the two neighbouring solutions tie,
    recursively, so that each distinct segmentation costs one PELT run.

    References
    ----------
    Haynes, K., Eckley, I. A. & Fearnhead, P. (2017). Computationally efficient changepoint
    detection for a range of penalties. J. Comput. Graph. Stat. 26, 134-143.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.r_[np.full(30, 1.0), np.full(30, 5.0), np.full(30, 2.0)]
    >>> [len(p.changes) for p in crops(y, np.ones(90), beta_min=1.0, beta_max=500.0)]
    [2, 1, 0]
    """
    found: dict[int, tuple[np.ndarray, float]] = {}

    def run(beta: float) -> tuple[int, float]:
        cps, q = pelt_search(y, e, beta=beta, cost=cost, dispersion=dispersion, min_size=min_size)
        k = len(cps)
        if k not in found or q < found[k][1] - 1e-9:
            found[k] = (cps, q)
        return k, found[k][1]

    k_lo, q_lo = run(beta_min)
    k_hi, q_hi = run(beta_max)
    stack = [((k_lo, q_lo), (k_hi, q_hi))]
    seen: set[tuple[int, int]] = set()
    while stack:
        (k0, q0), (k1, q1) = stack.pop()
        if k0 <= k1 + 1 or (k0, k1) in seen:
            continue
        seen.add((k0, k1))
        b = (q1 - q0) / (k0 - k1)
        k, q = run(b)
        if k not in (k0, k1):
            stack.append(((k0, q0), (k, q)))
            stack.append(((k, q), (k1, q1)))
    # keep the lower convex hull of (K, cost): the segmentations optimal for some penalty
    ks = sorted(found, reverse=True)
    hull: list[int] = []
    for k in ks:
        while len(hull) >= 2:
            k1, k2 = hull[-2], hull[-1]
            b12 = (found[k2][1] - found[k1][1]) / (k1 - k2)
            b2k = (found[k][1] - found[k2][1]) / (k2 - k)
            if b2k <= b12:
                hull.pop()
            else:
                break
        hull.append(k)
    out = []
    for i, k in enumerate(hull):
        low = beta_min if i == 0 else (found[k][1] - found[hull[i - 1]][1]) / (hull[i - 1] - k)
        high = (
            beta_max
            if i == len(hull) - 1
            else (found[hull[i + 1]][1] - found[k][1]) / (k - hull[i + 1])
        )
        low, high = max(low, beta_min), min(high, beta_max)
        if high >= low:
            out.append(PathEntry(float(low), float(high), found[k][0], float(found[k][1])))
    return out
