"""The public entry points: :func:`changepoints` and :func:`penalty_path`."""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validation import (
    check_choice,
    check_confidence_level,
    check_rng,
    error,
    type_error,
)
from ..exceptions import DataWarning
from ._costs import (
    count_constant,
    estimate_dispersion,
    garwood_interval,
    penalty_value,
    segment_cost,
    segment_loglik,
)
from ._result import ChangePointResult, PenaltyPath
from .bayes import fit_bayes, n_changes_prior
from .bayesian_blocks import bayesian_blocks, ncp_prior_from_p0
from .binseg import binseg_search
from .pelt import crops, pelt_search

__all__ = ["changepoints", "penalty_path"]

METHODS = ("pelt", "binseg", "bayes", "bayesian_blocks")
_RES_FREQ = {"day": "D", "hour": "h", "minute": "min", "second": "s", "exact": "D"}
_BAYES_MAX_BINS = 5000
_DAY_NS = 86_400_000_000_000


@dataclass(frozen=True)
class _Data:
    """Counts and exposures on cells whose edges are dates (the arrays every search uses)."""

    y: np.ndarray
    e: np.ndarray
    pos: np.ndarray  # edge positions in days from origin (len m + 1)
    origin: pd.Timestamp
    kind: str  # "counts" | "cells"
    n_pen: int
    label: str
    constant: float  # rate-free part of the log-likelihood
    events: Any = None  # EventSeries for cells / blocks
    times: np.ndarray | None = None  # event offsets in days (cells / blocks)
    duration: float = 0.0

    def to_ts(self, offsets: Any) -> pd.DatetimeIndex:
        ns = np.round(np.asarray(offsets, float) * _DAY_NS).astype(np.int64)
        return pd.DatetimeIndex(self.origin + pd.to_timedelta(ns, unit="ns"))


def _event_series_type() -> Any:
    from ..events import EventSeries

    return EventSeries


def _counts_data(cs: Any, label: str) -> _Data:
    y = np.asarray(cs.values, float)
    e = np.asarray(cs.exposure, float)
    edges = pd.DatetimeIndex(cs.edges)
    origin = edges[0]
    pos = (edges.asi8 - origin.value) / _DAY_NS
    return _Data(y, e, pos, origin, "counts", len(y), label, count_constant(y, e))


def _cells(times: np.ndarray, duration: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gap and point cells of event times in [0, duration): changes may fall just before or
    just after any event, which is where the continuous-time maximum lies."""
    uniq, cnt = np.unique(times, return_counts=True)
    ys: list[float] = []
    es: list[float] = []
    pos: list[float] = [0.0]
    prev = 0.0
    for u, c in zip(uniq, cnt):
        if u > prev:
            ys.append(0.0)
            es.append(u - prev)
            pos.append(u)
        ys.append(float(c))
        es.append(0.0)
        pos.append(u)
        prev = u
    if duration > prev:
        ys.append(0.0)
        es.append(duration - prev)
        pos.append(duration)
    return np.array(ys), np.array(es), np.array(pos)


def _prepare(data: Any, method: str, freq: str | None) -> _Data:
    from ..counts import CountSeries

    event_series = _event_series_type()
    if isinstance(data, event_series):
        if data.n == 0:
            raise error(
                "The `data` argument",
                "must contain at least one event",
                "an empty EventSeries",
                "Widen the window or check the filter.",
            )
        times = data.times("D")
        dur = data.duration("D")
        if method == "bayesian_blocks":
            return _Data(
                np.zeros(0),
                np.zeros(0),
                np.zeros(0),
                data.start,
                "blocks",
                data.n,
                "event times",
                0.0,
                data,
                times,
                dur,
            )
        if freq == "exact":
            if method not in ("pelt", "binseg"):
                raise error(
                    "The `freq` parameter",
                    "may be 'exact' only with method='pelt' or 'binseg'",
                    freq,
                    "Pass a bin frequency such as 'D' or 'W' for method='bayes'.",
                )
            if data.resolution != "exact":
                raise error(
                    "The `freq` parameter",
                    "may be 'exact' only for events at exact resolution",
                    f"{freq!r} for {data.resolution}-resolution events",
                    f"Use freq={_RES_FREQ.get(data.resolution, 'D')!r}: the data only know the "
                    f"{data.resolution}.",
                )
            y, e, pos = _cells(times, dur)
            return _Data(
                y, e, pos, data.start, "cells", data.n, "event times", 0.0, data, times, dur
            )
        f = freq or _RES_FREQ.get(data.resolution, "D")
        cs = data.counts(f)
        d = _counts_data(cs, f"counts per {f!r} bin")
        return _Data(
            d.y, d.e, d.pos, d.origin, d.kind, d.n_pen, d.label, d.constant, data, times, dur
        )
    if isinstance(data, CountSeries):
        cs = data
    elif isinstance(data, pd.Series):
        cs = CountSeries(data)
    else:
        raise type_error(
            "The `data` argument",
            "must be an EventSeries, a CountSeries or a pandas Series of counts",
            type(data).__name__,
            "Use ist.read_events(...) for dated events, or pd.Series(counts, index=dates).",
        )
    if method == "bayesian_blocks":
        raise error(
            "The `method` parameter",
            "must not be 'bayesian_blocks' for counts (it needs event times)",
            method,
            "Pass the EventSeries, or use method='pelt' or 'bayes' for counts.",
        )
    return _counts_data(cs, f"counts per {cs.freq!r} bin")


def _check_int(name: str, value: Any, low: int, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < low:
        raise error(f"The `{name}` parameter", f"must be an integer >= {low}", value)
    return int(value)


def _segments(
    d: _Data, bounds: np.ndarray, confidence_level: float, idx: np.ndarray | None = None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Segment table from change positions ``bounds`` (offsets in days, incl. both ends);
    for counts and cells, ``idx`` (the change indices) decides which cell each change
    follows (a change just after an event and one just before it share a date)."""
    if d.kind in ("counts", "cells"):
        cuts = np.concatenate([[0], np.asarray(idx, np.int64), [len(d.y)]])
        cy = np.concatenate([[0.0], np.cumsum(d.y)])
        ce = np.concatenate([[0.0], np.cumsum(d.e)])
        n = np.diff(cy[cuts])
        L = np.diff(ce[cuts])
    else:
        t = d.times if d.times is not None else np.zeros(0)
        cnt = np.searchsorted(t, bounds, side="left")
        n = np.diff(cnt).astype(float)
        L = np.diff(bounds)
    low, high = garwood_interval(n, L, confidence_level)
    ts = d.to_ts(bounds)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(L > 0, n / L, np.nan)
    frame = pd.DataFrame(
        {
            "start": ts[:-1],
            "end": ts[1:],
            "events": n.astype(np.int64),
            "exposure": L,
            "rate": rate,
            "ci_low": low,
            "ci_high": high,
        }
    )
    return frame, n, L


def _search(
    method: str,
    y: np.ndarray,
    e: np.ndarray,
    *,
    beta: float,
    cost: str,
    dispersion: float,
    min_size: int,
    mbic: bool,
    max_changes: int | None,
) -> np.ndarray:
    if method == "binseg":
        cps, _ = binseg_search(
            y,
            e,
            beta=beta,
            cost=cost,
            dispersion=dispersion,
            min_size=min_size,
            mbic=mbic,
            max_changes=max_changes,
        )
        return cps
    cps, _ = pelt_search(
        y, e, beta=beta, cost=cost, dispersion=dispersion, min_size=min_size, mbic=mbic
    )
    if max_changes is not None and len(cps) > max_changes:
        q_top = pelt_search(y, e, beta=1e-9, cost=cost, dispersion=dispersion, min_size=min_size)[1]
        q0 = float(
            segment_cost(
                np.sum(y), np.sum(e), cost, dispersion if math.isfinite(dispersion) else math.inf
            )
        )
        path = crops(
            y,
            e,
            beta_min=beta,
            beta_max=max(beta, q0 - q_top) + 1.0,
            cost=cost,
            dispersion=dispersion,
            min_size=min_size,
        )
        ok = [p for p in path if len(p.changes) <= max_changes]
        cps = max(ok, key=lambda p: len(p.changes)).changes
    return cps


def _zones(est: np.ndarray, lo: float, hi: float) -> np.ndarray:
    mids = (est[1:] + est[:-1]) / 2.0
    return np.concatenate([[lo], mids, [hi]])


def _location_table(
    d: _Data,
    est: np.ndarray,
    reps: list[np.ndarray],
    confidence_level: float,
    lo: float,
    hi: float,
) -> pd.DataFrame:
    """Percentile intervals of the bootstrap change nearest each estimate (in its zone)."""
    rows = []
    zones = _zones(est, lo, hi)
    a = 1.0 - confidence_level
    for j, c in enumerate(est):
        got = []
        for r in reps:
            inside = r[(r >= zones[j]) & (r < zones[j + 1])]
            if inside.size:
                got.append(inside[np.argmin(np.abs(inside - c))])
        if got:
            g = np.asarray(got)
            low = float(np.quantile(g, a / 2, method="lower"))
            high = float(np.quantile(g, 1 - a / 2, method="higher"))
        else:
            low = high = float("nan")
        rows.append(
            {
                "changepoint": d.to_ts([c])[0],
                "low": d.to_ts([low])[0] if math.isfinite(low) else pd.NaT,
                "high": d.to_ts([high])[0] if math.isfinite(high) else pd.NaT,
                "method": "parametric bootstrap",
                "support": len(got) / max(len(reps), 1),
            }
        )
    return pd.DataFrame(rows, columns=["changepoint", "low", "high", "method", "support"])


def changepoints(
    data: Any,
    *,
    method: str = "pelt",
    cost: str = "poisson",
    penalty: Any = "mbic",
    min_size: int = 1,
    max_changes: int | None = None,
    prior: dict[str, Any] | None = None,
    p0: float = 0.05,
    freq: str | None = None,
    dispersion: float | None = None,
    n_boot: int = 200,
    n_draws: int = 4000,
    confidence_level: float = 0.95,
    rng: Any = None,
) -> ChangePointResult:
    """Find where the rate of events changed, with uncertainty about when.

    Parameters
    ----------
    data : EventSeries, CountSeries or pandas Series of counts
        Event times (with their observation window) or counts per bin (with exposure).
    method : {"pelt", "binseg", "bayes", "bayesian_blocks"}
        ``"pelt"``: exact penalised maximum likelihood (Killick et al. 2012);
        ``"binseg"``: binary segmentation; ``"bayes"``: exact posterior for Poisson-Gamma
        segments (Fearnhead 2006; Raftery & Akman 1986 for one change);
        ``"bayesian_blocks"``: Scargle et al. (2013) on event times.
    cost : {"poisson", "negbin"}
        Segment likelihood. ``"negbin"`` is an NB1 model (variance = mean x (1 + rate/phi))
        whose dispersion ``phi`` is shared by all segments (``dispersion=``, or estimated
        from first differences).
    penalty : {"mbic", "bic", "aic"} or float
        Penalty per change on the deviance (-2 log-likelihood) scale for ``pelt``/``binseg``:
        BIC ``2 log n``, AIC ``4``, MBIC (Zhang & Siegmund 2007) ``3 log n`` plus
        ``sum_k log(n_k / n)``; ``n`` is the number of bins (events for event times).
    min_size : int
        Minimum number of bins per segment (``pelt``/``binseg``). For event times at
        "exact" resolution, the cells are the events and the gaps between them.
    max_changes : int, optional
        At most this many changes (``pelt``: the best segmentation on the penalty path with
        at most that many; ``binseg``: stop; ``bayes``: the prior on the number of changes
        is truncated there and renormalised; by default it is not truncated, see ``prior``).
    prior : dict, optional
        For ``bayes``. ``shape`` and ``rate`` of the Gamma prior on every segment rate
        (default shape 1, rate = total exposure / total events, so the prior mean is the
        overall rate). ``n_changes``, the prior on the number of changes ``K`` (positions are
        uniform given ``K``), one of:

        - ``"geometric"`` or ``("geometric", p)``: a change at each of the ``n - 1`` bin
          edges independently with probability ``p`` (geometric segment lengths, mean
          ``1 / p`` bins; ``K ~ Binomial(n - 1, p)``). **Default**: ``p = 0.25 / (n - 1)``,
          i.e. ``E[K] = 0.25`` and ``P(K = 0) ~ 0.78`` whatever the number of bins; each
          change then costs about ``log(4 n)`` on the log-posterior scale, so the number of
          changes needs evidence that grows slowly with ``n`` (like BIC).
        - ``("poisson", mean)``: ``K ~ Poisson(mean)``, restricted to ``0..n - 1``.
        - ``("negbin", mean, size)``: negative binomial ``K`` with variance
          ``mean + mean**2 / size`` (heavier tail than Poisson), restricted to ``0..n - 1``.
        - ``"uniform"`` or ``("uniform", kmax)``: uniform on ``0..kmax`` (default
          ``max_changes`` or 10): the default before version 0.2; it favours many changes
          (given ``K`` each set of positions has prior ``1 / C(n - 1, K)``).
        - an integer: exactly that many changes; or prior weights for 0, 1, 2, ... changes.

        The recursions are exact for the prior over ``K = 0..kmax``. For the open-ended
        priors (geometric, Poisson, negative binomial) without ``max_changes``, ``kmax``
        starts at 10 (or where the prior's tail is below 1e-9) and is doubled until the
        posterior of ``K = kmax`` is below 1e-6, so the truncation changes nothing reported;
        a :class:`DataWarning` says so if the computing budget (``kmax n^2 <= 2.5e8``) stops
        it first.
    p0 : float
        False-alarm probability that calibrates the Bayesian-blocks prior.
    freq : str, optional
        For an EventSeries with ``pelt``/``binseg``/``bayes``: count per bins of ``freq``.
        Default: the resolution of the events ("day" -> "D"; "exact" -> "D").
        ``freq="exact"`` (events at exact resolution, ``pelt``/``binseg``) uses the
        continuous-time likelihood of the event times themselves. That likelihood rewards
        very short segments around close events (a false change in most homogeneous series
        at the default penalty), so use it with ``max_changes`` (e.g. the single-change MLE)
        or a larger penalty.
    dispersion : float, optional
        NB1 dispersion ``phi`` (events per day) for ``cost="negbin"``.
    n_boot : int
        Parametric-bootstrap replicates for the change-date intervals and
        :meth:`~ChangePointResult.coincides_with` (``pelt``, ``binseg``,
        ``bayesian_blocks``); 0 skips them.
    n_draws : int
        Exact posterior draws used by ``coincides_with`` for ``bayes``.
    confidence_level : float
        Level of the rate and change-date intervals.
    rng : int, Generator or None
        Seed or generator for the bootstrap / posterior draws.

    Returns
    -------
    ChangePointResult

    Notes
    -----
    Within a segment the events form a Poisson process of constant rate ``lam_k``. For counts
    ``y_i`` with exposure ``e_i``, ``y_i ~ Poisson(lam_k e_i)``; for exact event times the
    likelihood is ``prod lam_k^{n_k} exp(-lam_k L_k)``. Either way the maximised
    log-likelihood of a segment with ``n_k`` events and exposure ``L_k`` is
    ``n_k log(n_k / L_k) - n_k`` (plus terms free of the rates), and changes are found by
    minimising ``-2 log L + penalty x K``. For event times the maximum over a change inside
    a gap between events is at one of its ends (the profile is concave in the position),
    so candidate positions are just before or just after each event.

    Change-date intervals for ``pelt``/``binseg``/``bayesian_blocks`` are percentile
    intervals of the parametric bootstrap: counts (or event times) are simulated from the
    fitted segments, the same search is re-run, and for each estimated change the nearest
    replicated change between the midpoints to its neighbours is kept. For ``bayes`` they
    are equal-tailed intervals of the exact posterior of each ordered change given the most
    probable number of changes; the reported positions are the most probable ones (MAP)
    given that number. The ``bayes`` model: ``K ~ pi(K)`` changes (``prior['n_changes']``),
    positions uniform over the ``C(n - 1, K)`` sets of bin edges given ``K``, independent
    segment rates ``lam_k ~ Gamma(shape, rate)``, ``y_i ~ Poisson(lam_k e_i)``.

    Bayesian blocks follow astropy's conventions exactly (cells between midpoints of
    distinct times, first and last edges at the first and last event, tied times merged);
    the ``edges`` attribute holds those edges, while ``segments`` report rates over the
    observation window split at the interior edges.

    References
    ----------
    Killick, R., Fearnhead, P. & Eckley, I. A. (2012). Optimal detection of changepoints with
    a linear computational cost. JASA 107, 1590-1598.
    Zhang, N. R. & Siegmund, D. O. (2007). A modified Bayes information criterion with
    applications to the analysis of comparative genomic hybridization data. Biometrics 63,
    22-32.
    Raftery, A. E. & Akman, V. E. (1986). Bayesian analysis of a Poisson process with a
    change-point. Biometrika 73, 85-89.
    Fearnhead, P. (2006). Exact and efficient Bayesian inference for multiple changepoint
    problems. Statistics and Computing 16, 203-213.
    Adams, R. P. & MacKay, D. J. C. (2007). Bayesian online changepoint detection.
    arXiv:0710.3742 (the constant-hazard, geometric segment-length prior).
    Green, P. J. (1995). Reversible jump Markov chain Monte Carlo computation and Bayesian
    model determination. Biometrika 82, 711-732 (a Poisson prior on the number of changes).
    Scargle, J. D. et al. (2013). Studies in astronomical time series analysis. VI. Bayesian
    block representations. ApJ 764, 167.
    Haynes, K., Eckley, I. A. & Fearnhead, P. (2017). Computationally efficient changepoint
    detection for a range of penalties. JCGS 26, 134-143.

    Examples
    --------
    >>> import incidentstats as ist
    >>> coal = ist.datasets.load_coal_mining()
    >>> cp = ist.changepoints(coal, method="bayesian_blocks", n_boot=0)
    >>> [str(c.date()) for c in cp.changepoints]
    ['1890-02-22']
    >>> annual = ist.datasets.load_coal_mining_annual()
    >>> import pandas as pd
    >>> s = pd.Series(annual["disasters"].to_numpy(),
    ...               index=pd.period_range("1851", periods=112, freq="Y"))
    >>> cs = ist.CountSeries(s, exposure=[1.0] * 112)  # rates per year
    >>> cp = ist.changepoints(cs, method="pelt", max_changes=1, rng=1, n_boot=50)
    >>> cp.segments["events"].tolist(), cp.segments["exposure"].tolist()
    ([127, 64], [41.0, 71.0])
    >>> cp.changepoints[0].year  # the first low-rate year: 1891 is the last high-rate one
    1892
    """
    check_choice("method", method, METHODS, "changepoints")
    check_choice("cost", cost, ("poisson", "negbin"), "changepoints")
    confidence_level = check_confidence_level(confidence_level)
    min_size = int(_check_int("min_size", min_size, 1))  # type: ignore[arg-type]
    max_changes = _check_int("max_changes", max_changes, 0, allow_none=True)
    n_boot = int(_check_int("n_boot", n_boot, 0))  # type: ignore[arg-type]
    n_draws = int(_check_int("n_draws", n_draws, 1))  # type: ignore[arg-type]
    gen = check_rng(rng)
    if freq is not None and not isinstance(freq, str):
        raise type_error("The `freq` parameter", "must be a frequency string such as 'D'", freq)
    d = _prepare(data, method, freq)
    if method == "bayesian_blocks":
        return _blocks_result(d, p0, n_boot, confidence_level, gen)
    if d.y.size < 2:
        raise error(
            "The `data` argument",
            "must have at least 2 bins to look for a change",
            f"{d.y.size} bin",
            "Use a finer frequency or a longer window.",
        )
    if d.y.sum() == 0:
        raise error(
            "The `data` argument",
            "must contain at least one event (all counts are zero)",
            f"{d.y.size} bins of zeros",
            "There is no rate to segment; check the window or the filter.",
        )
    if min_size > d.y.size:
        raise error(
            "The `min_size` parameter",
            f"must not exceed the number of bins ({d.y.size})",
            min_size,
            "Lower min_size or use a finer frequency.",
        )
    if method == "bayes":
        return _bayes_result(d, prior, max_changes, n_draws, confidence_level, gen)
    if penalty is None:
        raise error("The `penalty` parameter", "must be 'bic', 'mbic', 'aic' or a number", None)
    beta, mbic, pen_name = penalty_value(penalty, d.n_pen)
    disp = math.inf
    if cost == "negbin":
        if d.kind == "cells":
            raise error(
                "The `cost` parameter",
                "must be 'poisson' for exact event times (overdispersion needs counts)",
                cost,
                "Pass freq='D' to count events per day.",
            )
        if dispersion is None:
            disp = estimate_dispersion(d.y, d.e)
        else:
            disp = float(_check_positive_float("dispersion", dispersion))
    settings: dict[str, Any] = {
        "beta": beta,
        "cost": cost,
        "dispersion": disp,
        "min_size": min_size,
        "mbic": mbic,
        "max_changes": max_changes,
    }
    idx = _search(method, d.y, d.e, **settings)
    est = d.pos[idx]
    reps: list[np.ndarray] = []
    if n_boot > 0:
        reps = _bootstrap(d, method, idx, settings, n_boot, gen)
    bounds = np.concatenate([[d.pos[0]], est, [d.pos[-1]]])
    seg, n, L = _segments(d, bounds, confidence_level, idx)
    ll = float(np.sum(segment_loglik(n, L, cost, disp))) + d.constant
    if cost == "negbin" and math.isfinite(disp):
        ll = _nb_loglik(d, idx, disp)
    loc = _location_table(d, est, reps, confidence_level, d.pos[0], d.pos[-1])
    notes = _notes(d, method, cost, disp, n_boot)
    extra: dict[str, Any] = {"dispersion": disp} if cost == "negbin" else {}

    def path_fn(rng_: tuple[float, float] | None) -> PenaltyPath:
        return _path(d, cost, disp, min_size, rng_)

    return ChangePointResult(
        changepoints=d.to_ts(est),
        change_index=idx,
        segments=seg,
        loglik=ll,
        penalty=beta,
        penalty_name=pen_name,
        method=method,
        cost=cost,
        data_kind=d.label,
        location_uncertainty=loc,
        confidence_level=confidence_level,
        replicates=reps or None,
        replicate_kind="parametric bootstrap frequency" if reps else "none",
        origin=d.origin,
        notes=notes,
        extra=extra,
        path_fn=path_fn,
        plot_data=_plot_data(d),
    )


def _check_positive_float(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(float(value))
        or float(value) <= 0
    ):
        raise error(f"The `{name}` parameter", "must be a finite number > 0", value)
    return float(value)


def _nb_loglik(d: _Data, idx: np.ndarray, phi: float) -> float:
    from scipy import special

    bounds = np.concatenate([[0], idx, [len(d.y)]])
    ll = 0.0
    for a, b in itertools.pairwise(bounds):
        y, e = d.y[a:b], d.e[a:b]
        lam = y.sum() / e.sum()
        size = phi * e
        p = phi / (phi + lam)
        ll += float(
            np.sum(
                special.gammaln(y + size)
                - special.gammaln(size)
                - special.gammaln(y + 1)
                + size * np.log(p)
                + (y * np.log1p(-p) if lam > 0 else 0.0)
            )
        )
    return ll


def _notes(d: _Data, method: str, cost: str, disp: float, n_boot: int) -> list[str]:
    notes = []
    if d.kind == "counts":
        notes.append(
            f"Poisson segments fitted to {d.label}; rates are events per unit of exposure."
        )
    else:
        notes.append("Continuous-time Poisson segments on exact event times; rates per day.")
    if cost == "negbin":
        notes.append(
            f"Negative-binomial (NB1) segments with shared dispersion phi = {disp:.4g} per day"
            if math.isfinite(disp)
            else "No overdispersion was found: the negative-binomial cost reduces to Poisson."
        )
    if n_boot:
        notes.append(
            f"Change-date intervals: parametric bootstrap ({n_boot} replicates) of the "
            f"fitted segments, re-running {method}."
        )
    return notes


def _plot_data(d: _Data) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "y": d.y,
        "e": d.e,
        "edges": d.to_ts(d.pos) if d.pos.size else None,
        "times": d.to_ts(d.times) if d.times is not None else None,
        "start": d.origin,
        "end": d.to_ts([d.duration])[0] if d.times is not None else None,
    }


# -- bootstrap ---------------------------------------------------------------------------------
def _bootstrap(
    d: _Data,
    method: str,
    idx: np.ndarray,
    settings: dict[str, Any],
    n_boot: int,
    gen: np.random.Generator,
) -> list[np.ndarray]:
    m = len(d.y)
    bounds = np.concatenate([[0], idx, [m]])
    reps = []
    if d.kind == "counts":
        mu = np.empty(m)
        for a, b in itertools.pairwise(bounds):
            lam = d.y[a:b].sum() / d.e[a:b].sum()
            mu[a:b] = lam * d.e[a:b]
        phi = settings["dispersion"]
        for _ in range(n_boot):
            if settings["cost"] == "negbin" and math.isfinite(phi):
                lam_i = gen.gamma(phi * d.e, np.where(d.e > 0, mu / (phi * d.e), 0.0))
                ys = gen.poisson(lam_i).astype(float)
            else:
                ys = gen.poisson(mu).astype(float)
            if ys.sum() == 0:
                reps.append(np.zeros(0))
                continue
            r = _search(method, ys, d.e, **settings)
            reps.append(d.pos[r])
    else:
        t_bounds = d.pos[bounds]
        for _ in range(n_boot):
            times = _simulate_times(d, t_bounds, gen)
            if times.size == 0:
                reps.append(np.zeros(0))
                continue
            y, e, pos = _cells(times, d.duration)
            r = _search(method, y, e, **settings)
            reps.append(pos[r])
    return reps


def _simulate_times(d: _Data, t_bounds: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    assert d.times is not None
    out = []
    for a, b in itertools.pairwise(t_bounds):
        n_obs = np.searchsorted(d.times, b, "left") - np.searchsorted(d.times, a, "left")
        k = gen.poisson(n_obs)  # rate n_obs / (b - a) over length b - a
        out.append(gen.uniform(a, b, k))
    times = np.sort(np.concatenate(out)) if out else np.zeros(0)
    if d.events is not None and d.events.resolution == "day":
        times = np.floor(times)
    return times


# -- Bayesian posterior ------------------------------------------------------------------------
def _bayes_result(
    d: _Data,
    prior: dict[str, Any] | None,
    max_changes: int | None,
    n_draws: int,
    confidence_level: float,
    gen: np.random.Generator,
) -> ChangePointResult:
    if d.kind != "counts":
        raise error("The `method` parameter", "'bayes' needs counts", "event cells")
    m = len(d.y)
    if m > _BAYES_MAX_BINS:
        raise error(
            "The `data` argument",
            f"must have at most {_BAYES_MAX_BINS} bins for method='bayes' (the exact "
            "recursions take time quadratic in the number of bins)",
            f"{m} bins",
            "Count per week or month (freq='W' / 'MS'), or use method='pelt'.",
        )
    prior = dict(prior or {})
    unknown = set(prior) - {"shape", "rate", "n_changes"}
    if unknown:
        raise error(
            "The `prior` parameter",
            "may only have the keys 'shape', 'rate' and 'n_changes'",
            sorted(unknown),
        )
    shape = _check_positive_float("prior['shape']", prior.get("shape", 1.0))
    rate = prior.get("rate")
    rate = d.e.sum() / d.y.sum() if rate is None else _check_positive_float("prior['rate']", rate)
    nc_prior = n_changes_prior(prior.get("n_changes"), m, max_changes)
    fit, capped = fit_bayes(
        d.y, d.e, shape=shape, rate=rate, prior=nc_prior, max_changes=max_changes
    )
    kmax = len(fit.n_changes_posterior) - 1
    p_top = float(fit.n_changes_posterior[-1])
    if capped:
        warnings.warn(
            f"The posterior puts {p_top:.2g} on the largest number of changes computed "
            f"({kmax}; more would take too long at {m} bins): the data want more changes "
            "(or are overdispersed). Use coarser bins, pass max_changes to cap the prior "
            "knowingly, or use cost='negbin' with PELT.",
            DataWarning,
            stacklevel=3,
        )
    elif nc_prior.kind != "fixed" and 1 < kmax < m - 1 and p_top > 0.05:
        warnings.warn(
            f"The posterior puts {p_top:.2f} on the largest number of "
            f"changes the prior allows ({kmax}): the data want more changes (or are "
            "overdispersed). Raise max_changes, or use coarser bins or cost='negbin' with PELT.",
            DataWarning,
            stacklevel=3,
        )
    idx = fit.map_changes
    est = d.pos[idx]
    bounds = np.concatenate([[d.pos[0]], est, [d.pos[-1]]])
    seg, n, L = _segments(d, bounds, confidence_level, idx)
    seg["posterior_mean"] = (shape + n) / (rate + L)
    ll = float(np.sum(segment_loglik(n, L))) + d.constant
    a = 1.0 - confidence_level
    rows = []
    for j in range(fit.k_map):
        p = fit.location[j]
        c = np.cumsum(p)
        lo = int(np.searchsorted(c, a / 2 - 1e-12, side="left"))
        hi = int(np.searchsorted(c, 1 - a / 2 - 1e-12, side="left"))
        rows.append(
            {
                "changepoint": d.to_ts([est[j]])[0],
                "low": d.to_ts([d.pos[lo]])[0],
                "high": d.to_ts([d.pos[min(hi, m)]])[0],
                "method": "exact posterior",
                "support": float(p[idx[j]]),
            }
        )
    loc = pd.DataFrame(rows, columns=["changepoint", "low", "high", "method", "support"])
    draws = [d.pos[r] for r in fit.draw(gen, n_draws)]
    post = pd.Series(fit.n_changes_posterior, index=pd.RangeIndex(kmax + 1, name="n_changes"))
    edges_ts = d.to_ts(d.pos)
    location_posterior = pd.DataFrame(
        {f"change_{j + 1}": fit.location[j] for j in range(fit.k_map)}, index=edges_ts
    )
    location_posterior["any"] = fit.change_probability
    location_posterior.index.name = "edge"
    extra = {
        "n_changes_posterior": post,
        "location_posterior": location_posterior,
        "prior": {
            "shape": shape,
            "rate": rate,
            "n_changes": fit.n_changes_prior,
            "n_changes_family": nc_prior.to_dict(),
        },
        "log_evidence": pd.Series(fit.log_evidence + d.constant, index=post.index),
    }
    if nc_prior.bounded or max_changes is not None:
        span = f"computed over K = 0..{kmax}" + (
            f" (the prior cut at max_changes = {max_changes})"
            if max_changes is not None and not nc_prior.bounded
            else ""
        )
    else:
        span = f"computed over K = 0..{kmax}, where the posterior of K = {kmax} is {p_top:.2g}" + (
            " (limit of computing time)" if capped else ""
        )
    notes = [
        f"Exact posterior (Fearnhead 2006): Gamma(shape={shape:.4g}, rate={rate:.4g}) prior "
        f"on each segment rate; prior on the number of changes K: {nc_prior.describe()}; "
        f"positions uniform given K; {span}.",
        f"Reported: the most probable number of changes ({fit.k_map}) and, given it, the most "
        "probable positions; intervals are equal-tailed posterior intervals of each change.",
    ]
    return ChangePointResult(
        changepoints=d.to_ts(est),
        change_index=idx,
        segments=seg,
        loglik=ll,
        penalty=float("nan"),
        penalty_name="none (posterior)",
        method="bayes",
        cost="poisson",
        data_kind=d.label,
        location_uncertainty=loc,
        confidence_level=confidence_level,
        replicates=draws,
        replicate_kind="posterior probability",
        origin=d.origin,
        notes=notes,
        extra=extra,
        plot_data=_plot_data(d),
    )


# -- Bayesian blocks ---------------------------------------------------------------------------
def _blocks_result(
    d: _Data,
    p0: float,
    n_boot: int,
    confidence_level: float,
    gen: np.random.Generator,
) -> ChangePointResult:
    assert d.times is not None
    times = d.times
    if np.unique(times).size < 2:
        raise error(
            "The `data` argument",
            "must have events at 2 or more distinct times for Bayesian blocks",
            f"{np.unique(times).size} distinct time",
        )
    edges = bayesian_blocks(times, p0=p0)
    ncp = ncp_prior_from_p0(p0, np.unique(times).size)
    est = edges[1:-1]
    reps: list[np.ndarray] = []
    bounds = np.concatenate([[0.0], est, [d.duration]])
    for _ in range(n_boot):
        sim = _simulate_times(d, bounds, gen)
        if np.unique(sim).size < 2:
            reps.append(np.zeros(0))
            continue
        reps.append(bayesian_blocks(sim, p0=p0)[1:-1])
    seg, n, L = _segments(d, bounds, confidence_level)
    ll = float(np.sum(segment_loglik(n, L)))
    loc = _location_table(d, est, reps, confidence_level, 0.0, d.duration)
    notes = [
        f"Bayesian blocks (Scargle et al. 2013) with p0 = {p0:g} (ncp_prior = {ncp:.4g}); "
        "edges as astropy: cells between midpoints of distinct times, tied times merged.",
        "Segment rates use the observation window, split at the interior block edges.",
    ]
    if d.events is not None and d.events.n_ties:
        notes.append(f"{d.events.n_ties} tied event times were merged into their cells.")
    if n_boot:
        notes.append(f"Change-date intervals: parametric bootstrap ({n_boot} replicates).")
    return ChangePointResult(
        changepoints=d.to_ts(est),
        change_index=np.searchsorted(times, est),
        segments=seg,
        loglik=ll,
        penalty=ncp,
        penalty_name=f"ncp_prior from p0={p0:g}",
        method="bayesian_blocks",
        cost="poisson",
        data_kind=d.label,
        location_uncertainty=loc,
        confidence_level=confidence_level,
        replicates=reps or None,
        replicate_kind="parametric bootstrap frequency" if reps else "none",
        origin=d.origin,
        notes=notes,
        extra={"edges": d.to_ts(edges), "ncp_prior": ncp},
        plot_data=_plot_data(d),
    )


# -- penalty path -----------------------------------------------------------------------------
def _path(
    d: _Data, cost: str, disp: float, min_size: int, penalty_range: tuple[float, float] | None
) -> PenaltyPath:
    if penalty_range is None:
        ln = math.log(max(d.n_pen, 2))
        lo, hi = ln, 10.0 * ln
    else:
        try:
            lo, hi = (float(v) for v in penalty_range)
        except (TypeError, ValueError) as exc:
            raise error(
                "The `penalty_range` parameter", "must be a pair (low, high)", penalty_range
            ) from exc
        if not (0 < lo < hi and math.isfinite(hi)):
            raise error(
                "The `penalty_range` parameter",
                "must satisfy 0 < low < high < inf",
                penalty_range,
            )
    path = crops(d.y, d.e, beta_min=lo, beta_max=hi, cost=cost, dispersion=disp, min_size=min_size)
    sets = [d.to_ts(d.pos[p.changes]) for p in path]
    table = pd.DataFrame(
        {
            "penalty_low": [p.low for p in path],
            "penalty_high": [p.high for p in path],
            "n_changes": [len(p.changes) for p in path],
            "cost": [p.cost for p in path],
            "changepoints": [
                " ".join(str(t.date()) if t == t.normalize() else str(t) for t in s) for s in sets
            ],
        }
    )
    return PenaltyPath(table, sets)


def penalty_path(
    data: Any,
    *,
    cost: str = "poisson",
    penalty_range: tuple[float, float] | None = None,
    min_size: int = 1,
    freq: str | None = None,
    dispersion: float | None = None,
) -> PenaltyPath:
    """Optimal segmentations for every penalty in a range (CROPS; Haynes et al. 2017).

    Parameters
    ----------
    data : EventSeries, CountSeries or pandas Series of counts
    cost : {"poisson", "negbin"}
    penalty_range : (float, float), optional
        Penalties per change on the deviance scale; default ``(log n, 10 log n)``.
    min_size, freq, dispersion
        As for :func:`changepoints`.

    Returns
    -------
    PenaltyPath
        ``table``: one row per segmentation with the penalties for which it is optimal.

    Notes
    -----
    Without the MBIC length terms, the optimal number of changes is a step function of the
    penalty; CROPS finds every step with one PELT run per distinct segmentation.

    References
    ----------
    Haynes, K., Eckley, I. A. & Fearnhead, P. (2017). Computationally efficient changepoint
    detection for a range of penalties. JCGS 26, 134-143.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import incidentstats as ist
    >>> s = pd.Series(np.r_[np.full(50, 1), np.full(50, 6)],
    ...               index=pd.date_range("2020-01-01", periods=100, freq="D"))
    >>> ist.penalty_path(s).table["n_changes"].tolist()
    [1]
    """
    check_choice("cost", cost, ("poisson", "negbin"), "penalty_path")
    min_size = int(_check_int("min_size", min_size, 1))  # type: ignore[arg-type]
    d = _prepare(data, "pelt", freq)
    if d.y.size < 2 or d.y.sum() == 0:
        raise error(
            "The `data` argument",
            "must have at least 2 bins and one event",
            f"{d.y.size} bins, {int(d.y.sum())} events",
        )
    disp = math.inf
    if cost == "negbin":
        disp = (
            estimate_dispersion(d.y, d.e)
            if dispersion is None
            else _check_positive_float("dispersion", dispersion)
        )
    return _path(d, cost, disp, min_size, penalty_range)
