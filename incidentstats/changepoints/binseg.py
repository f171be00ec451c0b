"""Binary segmentation on arrays of counts and exposures."""

from __future__ import annotations

import itertools
import math

import numpy as np

from ._pelt_numba import best_split, seg_cost
from .pelt import _kind, compress

__all__ = ["binseg_search"]


def binseg_search(
    y: np.ndarray,
    e: np.ndarray,
    *,
    beta: float,
    cost: str = "poisson",
    dispersion: float = math.inf,
    min_size: int = 1,
    mbic: bool = False,
    max_changes: int | None = None,
) -> tuple[np.ndarray, float]:
    """Greedy binary segmentation: split the segment with the largest cost reduction while
    that reduction exceeds ``beta`` (and fewer than ``max_changes`` changes are found).

    Returns the change indices and the unpenalised total cost (deviance scale).

    References
    ----------
    Scott, A. J. & Knott, M. (1974). A cluster analysis method for grouping means in the
    analysis of variance. Biometrics 30, 507-512.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.r_[np.full(30, 1.0), np.full(30, 5.0), np.full(30, 2.0)]
    >>> binseg_search(y, np.ones(90), beta=10.0)[0].tolist()
    [30, 60]
    """
    merge = min_size if (not mbic or beta > math.log(2 * len(y))) else 0
    Y, E, M, orig = compress(y, e, merge, mbic)
    n = len(orig) - 1
    kind = _kind(cost) if math.isfinite(dispersion) else 0
    disp = float(dispersion) if math.isfinite(dispersion) else 1.0
    mbic_n = float(len(y)) if mbic else 0.0
    limit = n if max_changes is None else int(max_changes)

    def candidate(a: int, b: int) -> tuple[float, int]:
        s, split_cost = best_split(Y, E, M, a, b, kind, disp, min_size, mbic_n)
        if s < 0:
            return -math.inf, -1
        whole = seg_cost(Y, E, M, a, b, kind, disp, mbic_n)
        return whole - split_cost, int(s)

    segments = {(0, n): candidate(0, n)}
    changes: list[int] = []
    while len(changes) < limit and segments:
        (a, b), (gain, s) = max(segments.items(), key=lambda kv: kv[1][0])
        if s < 0 or not gain > beta:
            break
        del segments[(a, b)]
        changes.append(s)
        segments[(a, s)] = candidate(a, s)
        segments[(s, b)] = candidate(s, b)
    cps = np.array(sorted(changes), np.int64)
    bounds = np.concatenate([[0], cps, [n]])
    total = sum(
        seg_cost(Y, E, M, int(a), int(b), kind, disp, mbic_n) for a, b in itertools.pairwise(bounds)
    )
    return orig[cps], float(total)
