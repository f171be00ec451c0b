"""Bayesian blocks for event times (Scargle et al. 2013), pruned, astropy-compatible."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .._validation import error
from ._blocks_numba import blocks

__all__ = ["bayesian_blocks", "ncp_prior_from_p0"]


def ncp_prior_from_p0(p0: float, n: int) -> float:
    """Prior on the number of blocks from the false-alarm probability ``p0``.

    Scargle et al. (2013), eq. 21 (the calibration for event data): ``4 - log(73.53 p0
    N^-0.478)``, with ``N`` the number of distinct event times (as astropy).
    """
    return 4.0 - math.log(73.53 * p0 * n**-0.478)


def bayesian_blocks(
    t: Any,
    x: Any = None,
    *,
    p0: float = 0.05,
    ncp_prior: float | None = None,
    prune: bool | str = True,
) -> np.ndarray:
    """Edges of the optimal Bayesian-blocks partition of event times ``t``.

    Parameters
    ----------
    t : array-like of float
        Event times (any order; duplicates allowed).
    x : array-like of int, optional
        Events at each time (default one each; each must be positive). Duplicate times
        are merged and their events counted, as :func:`astropy.stats.bayesian_blocks`
        does for ``fitness="events"``.
    p0 : float
        False-alarm probability that calibrates the prior on the number of blocks.
    ncp_prior : float, optional
        The per-block prior penalty itself (overrides ``p0``).
    prune : bool or {"functional", "inequality"}
        Skip candidate block starts that can never be optimal again. Both rules are exact
        (the edges do not change). ``True`` (the default) is ``"functional"``: inequality
        pruning plus functional pruning, which keeps a few dozen candidates even inside
        long blocks; ``"inequality"`` is PELT-style pruning alone (its work grows with the
        square of the longest block); ``False`` is the paper's quadratic algorithm.

    Returns
    -------
    numpy.ndarray
        Block edges, from the first to the last distinct time (as astropy).

    Notes
    -----
    Cells are the Voronoi intervals of the distinct times: edges at the first time, the
    midpoints between neighbours and the last time. A block of cells with ``N_k`` events and
    length ``T_k`` has fitness ``N_k log(N_k / T_k)`` (the maximised Poisson log-likelihood
    plus ``N_k``); the optimal partition maximises the total fitness minus ``ncp_prior`` per
    block by dynamic programming. Because merging two blocks never increases the fitness,
    a candidate start ``k`` with ``best[k-1] + fitness(k..r) < best[r]`` can be dropped for
    every later ``r`` (Killick et al. 2012). That alone still keeps every start inside the
    current block, so the work grows with the square of the block length. Functional
    pruning (Maidstone et al. 2017) also drops a start once, for every possible rate of
    the last block, another start does better by a margin; for the Poisson fitness the
    set of rates where a start can still win is an interval in log rate, bounded through
    the roots of ``e^v - 1 - v = D``. Few starts survive (about 10-40 at 10^4-10^6
    events), so the search is near-linear. The scores are computed in astropy's
    floating-point order and ties go to the earliest start, so the edges are astropy's.

    References
    ----------
    Scargle, J. D., Norris, J. P., Jackson, B. & Chiang, J. (2013). Studies in astronomical
    time series analysis. VI. Bayesian block representations. ApJ 764, 167.
    Killick, R., Fearnhead, P. & Eckley, I. A. (2012). Optimal detection of changepoints with
    a linear computational cost. JASA 107, 1590-1598.
    Maidstone, R., Hocking, T., Rigaill, G. & Fearnhead, P. (2017). On optimal multiple
    changepoint algorithms for large data. Statistics and Computing 27, 519-533.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.concatenate([np.linspace(0, 10, 50), np.linspace(10.5, 30, 10)])
    >>> bayesian_blocks(t).round(2).tolist()
    [0.0, 10.25, 30.0]
    """
    arr = np.asarray(t, dtype=float).ravel()
    if arr.size < 2 or not np.all(np.isfinite(arr)):
        raise error(
            "The `t` argument",
            "must hold at least two finite event times",
            f"{arr.size} values",
        )
    uniq, inv = np.unique(arr, return_inverse=True)
    if x is None:
        counts = np.bincount(inv).astype(float)
    else:
        xa = np.asarray(x, dtype=float).ravel()
        if xa.shape != arr.shape or not np.all(np.isfinite(xa)) or np.any(xa <= 0):
            raise error(
                "The `x` argument",
                "must hold one positive, finite count per time (a block without events "
                "has an undefined fitness N log(N / T))",
                f"{xa.size} values for {arr.size} times, smallest {np.min(xa, initial=np.inf)}",
                "Leave out the times with no events.",
            )
        counts = np.bincount(inv, weights=xa)
    if uniq.size < 2:
        raise error("The `t` argument", "must hold at least two distinct times", f"{uniq.size}")
    if ncp_prior is None:
        if isinstance(p0, bool) or not isinstance(p0, numbers.Real) or not 0 < p0 < 1:
            raise error("The `p0` parameter", "must lie strictly between 0 and 1", p0)
        ncp = ncp_prior_from_p0(float(p0), uniq.size)
    else:
        if isinstance(ncp_prior, bool) or not isinstance(ncp_prior, numbers.Real):
            raise error("The `ncp_prior` parameter", "must be a finite number", ncp_prior)
        ncp = float(ncp_prior)
    edges = np.concatenate([uniq[:1], 0.5 * (uniq[1:] + uniq[:-1]), uniq[-1:]])
    if np.any(np.diff(edges) <= 0):
        i = int(np.argmin(np.diff(edges)))
        raise error(
            "The `t` argument",
            "must have distinct times far enough apart, relative to their size, for the cell "
            "between neighbours to have a positive length in floating point",
            f"the times from {float(uniq[max(i - 1, 0)])!r} to "
            f"{float(uniq[min(i + 1, uniq.size - 1)])!r}",
            "Subtract a reference time first (for example t - t.min()).",
        )
    starts, _, _ = blocks(edges, counts, ncp, _prune_mode(prune))
    return edges[starts]


_PRUNE_MODES = {False: 0, "inequality": 1, True: 2, "functional": 2}


def _prune_mode(prune: Any) -> int:
    if isinstance(prune, (bool, np.bool_, str)) and prune in _PRUNE_MODES:
        return _PRUNE_MODES[bool(prune) if isinstance(prune, np.bool_) else prune]
    raise error(
        "The `prune` parameter",
        "must be True, False, 'functional' or 'inequality'",
        repr(prune),
        "Use prune=True (exact functional pruning, the fastest).",
    )


def blocks_evaluations(t: np.ndarray, p0: float = 0.05, prune: bool | str = True) -> int:
    """Number of fitness evaluations the search needs (for benchmarks and tests)."""
    uniq, inv = np.unique(np.asarray(t, float), return_inverse=True)
    counts = np.bincount(inv).astype(float)
    edges = np.concatenate([uniq[:1], 0.5 * (uniq[1:] + uniq[:-1]), uniq[-1:]])
    _, ev, _ = blocks(edges, counts, ncp_prior_from_p0(p0, uniq.size), _prune_mode(prune))
    return int(ev)
