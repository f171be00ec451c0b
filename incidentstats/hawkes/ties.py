"""Tied event times (day-resolution data) for continuous-time models.

A continuous-time point process has no ties, so fitting it to times rounded to the day would
treat same-day events as simultaneous and inflate the apparent contagion. ``ties="jitter"``
spreads every event uniformly within its resolution cell (its day, hour, …) in
``n_imputations`` seeded draws; the model is then fitted to all draws together (the averaged
log-likelihood) and the spread of the per-draw estimates is reported and added to the
standard errors (Rubin's rules). ``ties="error"`` refuses coarse or tied data.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_choice, check_positive, check_rng, error
from ..exceptions import TiesWarning

__all__ = ["TIES", "PreparedTimes", "prepare_times"]

TIES = ("jitter", "error")

_CELL_NS = {
    "second": 1_000_000_000,
    "minute": 60_000_000_000,
    "hour": 3_600_000_000_000,
    "day": 86_400_000_000_000,
}


@dataclass(frozen=True)
class PreparedTimes:
    """Times (float ``unit`` offsets from the window start) ready for a likelihood."""

    replicates: list[np.ndarray]
    T: float
    jittered: bool
    cell: float  # width of the resolution cell in ``unit`` (0 for exact times)
    n_ties: int


def prepare_times(
    events: Any,
    *,
    ties: str = "jitter",
    n_imputations: int = 10,
    rng: Any = 0,
    unit: str = "D",
) -> PreparedTimes:
    """Event times for a continuous-time fit, with ties spread or refused.

    Parameters
    ----------
    events : EventSeries
    ties : {"jitter", "error"}
        ``"jitter"``: for resolution coarser than "exact", draw ``n_imputations`` sets of
        times ``floor(t) + U(0, cell)``, each sorted. ``"error"``: raise on such data.
    n_imputations : int
        Number of jittered draws (ignored for exact times).
    rng : int, Generator or None
        Seed of the draws.
    unit : str
        Time unit of the returned offsets.

    Returns
    -------
    PreparedTimes

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.EventSeries(["2020-01-01", "2020-01-01", "2020-01-03"],
    ...                      start="2020-01-01", end="2020-01-05")
    >>> pt = prepare_times(ev, n_imputations=3, rng=1)
    >>> len(pt.replicates), pt.jittered, bool(np.all(np.diff(pt.replicates[0]) > 0))
    (3, True, True)
    """
    from ..events import unit_nanoseconds

    check_choice("ties", ties, TIES)
    check_positive("n_imputations", n_imputations, integer=True)
    gen = check_rng(rng)
    per = unit_nanoseconds(unit)
    T = events.duration(unit)
    t = events.times(unit)
    res = events.resolution
    n_ties = events.n_ties
    if res == "exact":
        if n_ties and ties == "error":
            raise error(
                "The events",
                "must have distinct times for a continuous-time model with ties='error'",
                f"{n_ties} tied times",
                "Pass ties='jitter' with a resolution, or drop duplicates.",
            )
        if n_ties:
            warnings.warn(
                f"{n_ties} events share an exact timestamp with an earlier event; a "
                "continuous-time model treats them as simultaneous (distance 0). If the times "
                "are rounded, build the EventSeries with resolution='second'/'minute'/... so "
                "ties can be spread.",
                TiesWarning,
                stacklevel=3,
            )
        return PreparedTimes([np.ascontiguousarray(t, dtype=float)], T, False, 0.0, n_ties)
    if ties == "error":
        raise error(
            "The events",
            "must have exact times for a continuous-time model with ties='error'",
            f"resolution {res!r} with {n_ties} tied times",
            "Pass ties='jitter' (spread events within their "
            f"{res} over seeded imputations) or use a discrete-time model of the counts.",
        )
    cell = _CELL_NS[res] / per
    base = np.floor(t / cell + 1e-9) * cell
    reps = []
    for _ in range(int(n_imputations)):
        x = base + gen.random(t.size) * cell
        x = np.minimum(x, np.nextafter(T, 0.0))
        x.sort()
        reps.append(x)
    return PreparedTimes(reps, T, True, cell, n_ties)
