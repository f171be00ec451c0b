"""Simulation of univariate Hawkes processes: exact branching and Ogata thinning.

Two independent simulators of the process with conditional intensity

    λ(t) = μ(t) + Σ_{t_j < t} n · g(t − t_j)

(``g`` a probability density on [0, ∞), ``n`` the branching ratio):

* ``method="branching"`` (default): the Poisson cluster representation. Background events
  form an inhomogeneous Poisson process with rate μ(t); every event has Poisson(n) direct
  offspring at delays drawn from ``g``. Exact for any kernel that can sample its delays and
  any baseline that can bound its rate, and vectorised over generations and paths.
* ``method="thinning"``: Ogata's modified thinning. Exact for kernels whose density does
  not increase with the lag (exponential, power law, ...). With an exponential kernel and a
  constant baseline the loop is a numba recursion; otherwise it is a plain Python loop
  (O(n²) for non-exponential kernels: meant for checks and small samples).

Both accept a *history*: event times before the simulated window, whose excitation carries
into it (used by :func:`incidentstats.hawkes.forecast.forecast`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_choice, check_positive, check_rng, error, type_error
from ._simulate_numba import ogata_exponential_chunk

__all__ = ["simulate", "simulate_events", "simulate_paths", "simulate_result"]

_METHODS = ("branching", "thinning")


# -- model pieces ----------------------------------------------------------------------------
class _ConstantBaseline:
    """μ(t) = params["baseline"] (used when ``baseline`` is None)."""

    name = "constant"

    def rate(self, t: Any, p: Mapping[str, float]) -> np.ndarray:
        return np.full(np.shape(t), float(p["baseline"]))

    def integral(self, a: float, b: float, p: Mapping[str, float]) -> float:
        return float(p["baseline"]) * (b - a)

    def max_rate(self, a: float, b: float, p: Mapping[str, float]) -> float:
        return float(p["baseline"])


class _FixedRate(_ConstantBaseline):
    """μ(t) = a given number (when ``baseline`` is passed as a number)."""

    def __init__(self, value: float) -> None:
        self.value = float(value)

    def rate(self, t: Any, p: Mapping[str, float]) -> np.ndarray:
        return np.full(np.shape(t), self.value)

    def integral(self, a: float, b: float, p: Mapping[str, float]) -> float:
        return self.value * (b - a)

    def max_rate(self, a: float, b: float, p: Mapping[str, float]) -> float:
        return self.value


def _as_params(params: Any) -> dict[str, float]:
    """Turn a dict / Series of parameters into a dict of floats (validated finite)."""
    if isinstance(params, (pd.Series, Mapping)):
        items = list(params.items())
    else:
        raise type_error(
            "The `params` argument",
            "must be a dict or pandas Series of named parameter values",
            type(params).__name__,
            "Pass e.g. {'baseline': 0.2, 'branching_ratio': 0.5, 'decay': 1.0}.",
        )
    out: dict[str, float] = {}
    for key, value in items:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            continue  # non-numeric entries (labels) are not parameters
        out[str(key)] = float(value)
    return out


def _resolve_kernel(kernel: Any) -> Any:
    if isinstance(kernel, str):
        from .kernels import make_kernel

        return make_kernel(kernel)
    return kernel


def _resolve_baseline(baseline: Any, p: Mapping[str, float]) -> Any:
    if isinstance(baseline, str):
        from .baselines import make_baseline

        baseline = make_baseline(baseline)
    if baseline is None:
        if "baseline" not in p:
            raise error(
                "The `params` argument",
                "must contain 'baseline' when no baseline object is given",
                sorted(p),
                "Add params['baseline'] (events per day) or pass a baseline object.",
            )
        check_positive("params['baseline']", p["baseline"], strict=False)
        return _ConstantBaseline()
    if isinstance(baseline, numbers.Real) and not isinstance(baseline, bool):
        check_positive("baseline", baseline, strict=False)
        return _FixedRate(float(baseline))
    for attr in ("rate", "max_rate"):
        if not callable(getattr(baseline, attr, None)):
            raise type_error(
                "The `baseline` argument",
                "must be None, a number or a baseline object with rate(t, p), "
                "integral(a, b, p) and max_rate(a, b, p)",
                type(baseline).__name__,
            )
    return baseline


def _constant_rate(baseline: Any, p: Mapping[str, float], a: float, b: float) -> float | None:
    """The rate when ``baseline`` is known to be constant, else None."""
    if isinstance(baseline, _FixedRate):
        return baseline.value
    if isinstance(baseline, _ConstantBaseline) or getattr(baseline, "is_constant", False) is True:
        return float(baseline.max_rate(a, b, p))
    return None


def _check_kernel(kernel: Any, p: Mapping[str, float], need: tuple[str, ...]) -> None:
    if kernel is None:
        raise type_error(
            "The `kernel` argument",
            "must be a kernel name or object when the branching ratio is > 0",
            None,
            "Pass e.g. kernel='exponential' or result.process.kernel.",
        )
    for attr in need:
        if not callable(getattr(kernel, attr, None)):
            raise type_error(
                "The `kernel` argument",
                f"must be a kernel object with a {attr}() method",
                type(kernel).__name__,
            )
    for name in getattr(kernel, "param_names", ()):
        if name not in p:
            raise error(
                "The `params` argument",
                f"must contain the kernel parameter {name!r}",
                sorted(p),
                f"Add params[{name!r}].",
            )
        check_positive(f"params[{name!r}]", p[name], strict=False)


def _is_exponential(kernel: Any, p: Mapping[str, float]) -> bool:
    return str(getattr(kernel, "name", "")).lower() == "exponential" and "decay" in p


def _branching_ratio(p: Mapping[str, float]) -> float:
    if "branching_ratio" not in p:
        raise error(
            "The `params` argument",
            "must contain 'branching_ratio'",
            sorted(p),
            "Add params['branching_ratio'] (0 <= n; n < 1 for a stationary process).",
        )
    return float(check_positive("params['branching_ratio']", p["branching_ratio"], strict=False))


def _check_history(history: Any, start: float) -> np.ndarray:
    if history is None:
        return np.zeros(0)
    h = np.asarray(history, dtype=float).ravel()
    if not np.all(np.isfinite(h)):
        raise error("The `history` argument", "must hold finite times", "non-finite values")
    if h.size and h.max() > start:
        raise error(
            "The `history` argument",
            f"must hold times at or before the simulation start ({start:g})",
            f"a time {h.max():g}",
            "Pass only the events observed before `start`.",
        )
    return np.sort(h)


def _check_window(start: Any, T: Any) -> tuple[float, float]:
    for name, value in (("start", start), ("T", T)):
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not np.isfinite(float(value))
        ):
            raise error(f"The `{name}` parameter", "must be a finite number of days", value)
    if not float(T) > float(start):
        raise error(
            "The `T` parameter",
            f"must be greater than `start` ({float(start):g}): the window is [start, T)",
            T,
        )
    return float(start), float(T)


# -- branching ---------------------------------------------------------------------------------
def _background(
    baseline: Any,
    p: Mapping[str, float],
    start: float,
    end: float,
    n_paths: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Inhomogeneous Poisson background on [start, end) for every path (Lewis thinning)."""
    const = _constant_rate(baseline, p, start, end)
    n_chunks = 1 if const is not None else 64
    edges = np.linspace(start, end, n_chunks + 1)
    edges[-1] = end
    bounds = np.empty(n_chunks)
    for k in range(n_chunks):
        bounds[k] = (
            const if const is not None else float(baseline.max_rate(edges[k], edges[k + 1], p))
        )
    if not np.all(np.isfinite(bounds)) or np.any(bounds < 0):
        raise error(
            "The baseline",
            "must have a finite, non-negative rate bound on the window",
            f"max_rate values {bounds[~np.isfinite(bounds) | (bounds < 0)][:3].tolist()}",
            "Check the baseline parameters.",
        )
    counts = rng.poisson(bounds * np.diff(edges), size=(n_paths, n_chunks))
    total = int(counts.sum())
    chunk = np.tile(np.arange(n_chunks), n_paths).repeat(counts.ravel())
    path = np.repeat(np.arange(n_paths), counts.sum(axis=1))
    times = edges[chunk] + (edges[chunk + 1] - edges[chunk]) * rng.random(total)
    if const is None and total:
        rate = np.asarray(baseline.rate(times, p), dtype=float)
        keep = rng.random(total) * bounds[chunk] < rate
        times, path = times[keep], path[keep]
    keep = times < end
    return times[keep], path[keep]


def _tail(kernel: Any, x: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    """Survival function 1 − G(x) of the kernel density (accurate ``sf`` when available)."""
    sf = getattr(kernel, "sf", None)
    if callable(sf):
        return np.asarray(sf(x, p), dtype=float)
    return 1.0 - np.asarray(kernel.cdf(x, p), dtype=float)


def _truncated_delays(
    kernel: Any,
    p: Mapping[str, float],
    a: np.ndarray,
    b: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw delays from g truncated to [a_i, b_i) by inverting the survival function."""
    sa, sb = _tail(kernel, a, p), _tail(kernel, b, p)
    target = sa - (sa - sb) * rng.random(a.size)
    lo, hi = a.copy(), b.copy()
    for _ in range(64):  # bisection: the tail is non-increasing in x
        mid = 0.5 * (lo + hi)
        above = _tail(kernel, mid, p) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.minimum(0.5 * (lo + hi), np.nextafter(b, -np.inf))


def _history_offspring(
    kernel: Any,
    p: Mapping[str, float],
    n: float,
    history: np.ndarray,
    start: float,
    end: float,
    n_paths: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Direct offspring of the history events that fall in [start, end), per path.

    Given the history, these form a Poisson process with intensity Σ_h n g(t − t_h) on
    [start, end) (the offspring before ``start`` are part of the observed history already).
    """
    a = start - history
    b = end - history
    length = end - start
    if _is_exponential(kernel, p):
        beta = p["decay"]
        mass = n * np.exp(-beta * a) * (-np.expm1(-beta * length))
    else:
        mass = n * np.clip(_tail(kernel, a, p) - _tail(kernel, b, p), 0.0, None)
    total_mass = float(mass.sum())
    if not total_mass > 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    counts = rng.poisson(total_mass, size=n_paths)
    k = int(counts.sum())
    path = np.repeat(np.arange(n_paths), counts)
    if _is_exponential(kernel, p):
        # memoryless: the offspring time after `start` is Exp(β) truncated to [0, length)
        beta = p["decay"]
        v = rng.random(k)
        times = start - np.log1p(v * np.expm1(-beta * length)) / beta
    else:
        cum = np.cumsum(mass)
        parent = np.searchsorted(cum, rng.random(k) * cum[-1], side="right")
        parent = np.minimum(parent, history.size - 1)
        times = history[parent] + _truncated_delays(kernel, p, a[parent], b[parent], rng)
    times = np.clip(times, start, np.nextafter(end, -np.inf))
    return times, path


def _branching_paths(
    kernel: Any,
    baseline: Any,
    p: Mapping[str, float],
    start: float,
    end: float,
    history: np.ndarray,
    n_paths: int,
    rng: np.random.Generator,
    max_events: int,
) -> tuple[np.ndarray, np.ndarray]:
    """All paths at once: (times, path index), sorted by path then time."""
    n = _branching_ratio(p)
    gen_t, gen_p = _background(baseline, p, start, end, n_paths, rng)
    if history.size and n > 0:
        ht, hp = _history_offspring(kernel, p, n, history, start, end, n_paths, rng)
        gen_t, gen_p = np.concatenate([gen_t, ht]), np.concatenate([gen_p, hp])
    parts_t, parts_p = [gen_t], [gen_p]
    total = gen_t.size
    while gen_t.size and n > 0:
        k = rng.poisson(n, size=gen_t.size)
        m = int(k.sum())
        if m == 0:
            break
        delays = np.asarray(kernel.sample(rng, m, p), dtype=float)
        child_t = np.repeat(gen_t, k) + delays
        child_p = np.repeat(gen_p, k)
        keep = child_t < end
        gen_t, gen_p = child_t[keep], child_p[keep]
        total += gen_t.size
        if total > max_events:
            raise _too_many(max_events, n)
        parts_t.append(gen_t)
        parts_p.append(gen_p)
    times = np.concatenate(parts_t)
    if n_paths == 1:
        return np.sort(times), np.zeros(times.size, dtype=np.int64)
    path = np.concatenate(parts_p).astype(np.int64)
    order = np.lexsort((times, path))
    return times[order], path[order]


def _too_many(max_events: int, n: float) -> Exception:
    return error(
        "The simulation",
        f"must stay below max_events={max_events} events",
        f"more (branching ratio {n:g})",
        "A branching ratio near or above 1 explodes; shorten the window, lower the "
        "branching ratio, or raise max_events=.",
    )


# -- thinning ----------------------------------------------------------------------------------
def _check_monotone(kernel: Any, p: Mapping[str, float], span: float) -> None:
    flag = getattr(kernel, "monotone", None)
    if flag is True:
        return
    lags = np.unique(np.concatenate([np.linspace(0.0, span, 2001), np.geomspace(1e-9, span, 400)]))
    dens = np.asarray(kernel.density(lags, p), dtype=float)
    if flag is False or np.any(np.diff(dens) > 1e-12 * max(float(np.max(dens)), 1e-300)):
        raise error(
            "The `method` parameter",
            "may be 'thinning' only for kernels whose density does not increase with the lag",
            f"'thinning' with the {getattr(kernel, 'name', type(kernel).__name__)} kernel",
            "Use method='branching' (exact for any kernel).",
        )


def _thinning_exponential(
    mu: float,
    n: float,
    beta: float,
    start: float,
    end: float,
    history: np.ndarray,
    rng: np.random.Generator,
    max_events: int,
) -> np.ndarray:
    s = float(np.sum(np.exp(-beta * (start - history)))) if history.size else 0.0
    t = start
    expected = (mu * (end - start) + n * s) / max(1.0 - n, 0.05)
    size = int(min(max(1024, 2 * expected), 1 << 20))
    out = np.empty(size)
    chunks = []
    total = 0
    while True:
        expo = rng.standard_exponential(size)
        unif = rng.random(size)
        used = 0
        while used < size:
            t, s, m, k, done = ogata_exponential_chunk(
                mu, n, beta, t, s, end, expo[used:], unif[used:], out
            )
            used += k
            if m:
                chunks.append(out[:m].copy())
                total += m
                if total > max_events:
                    raise _too_many(max_events, n)
            if done:
                return np.concatenate(chunks) if chunks else np.zeros(0)


def _thinning_generic(
    kernel: Any,
    baseline: Any,
    p: Mapping[str, float],
    start: float,
    end: float,
    history: np.ndarray,
    rng: np.random.Generator,
    max_events: int,
) -> np.ndarray:
    n = _branching_ratio(p)
    expo = _is_exponential(kernel, p)
    beta = p.get("decay", 1.0)
    s = float(np.sum(np.exp(-beta * (start - history)))) if expo and history.size else 0.0
    s_time = start
    past = list(history.tolist())
    accepted: list[float] = []

    def excitation(x: float) -> float:
        if n == 0:
            return 0.0
        if expo:
            return n * beta * s * math.exp(-beta * (x - s_time))
        if not past:
            return 0.0
        lags = x - np.asarray(past)
        return n * float(np.sum(kernel.density(lags, p)))

    step = (end - start) / 32.0
    t = start
    while t < end:
        hi = min(t + step, end)
        bound = float(baseline.max_rate(t, hi, p)) + excitation(t)
        if not bound > 0:
            t = hi
            continue
        x = t + rng.standard_exponential() / bound
        if x >= hi:
            t = hi
            continue
        lam = float(np.asarray(baseline.rate(np.array([x]), p), dtype=float)[0]) + excitation(x)
        if rng.random() * bound <= lam:
            accepted.append(x)
            if len(accepted) > max_events:
                raise _too_many(max_events, n)
            if expo:
                s = s * math.exp(-beta * (x - s_time)) + 1.0
                s_time = x
            else:
                past.append(x)
        t = x
    return np.asarray(accepted, dtype=float)


# -- public ------------------------------------------------------------------------------------
def simulate_paths(
    kernel: Any,
    baseline: Any,
    params: Any,
    T: float,
    n_paths: int,
    rng: Any = None,
    history: Any = None,
    *,
    start: float = 0.0,
    method: str = "branching",
    max_events: int = 10_000_000,
) -> list[np.ndarray]:
    """Simulate ``n_paths`` independent paths of a Hawkes process on ``[start, T)``.

    Same arguments as :func:`simulate`, plus ``n_paths``; returns a list of sorted arrays.
    The branching method draws all paths at once (vectorised), so this is much faster than
    calling :func:`simulate` in a loop.

    Examples
    --------
    >>> from incidentstats.hawkes.simulate import simulate_paths
    >>> paths = simulate_paths(None, None, {"baseline": 2.0, "branching_ratio": 0.0}, 10.0,
    ...                        n_paths=3, rng=1)
    >>> len(paths)
    3
    """
    check_positive("n_paths", n_paths, integer=True)
    check_positive("max_events", max_events, integer=True)
    check_choice("method", method, _METHODS)
    start, end = _check_window(start, T)
    gen = check_rng(rng)
    p = _as_params(params)
    n = _branching_ratio(p)
    kernel = _resolve_kernel(kernel)
    base = _resolve_baseline(baseline, p)
    hist = _check_history(history, start)
    bound = float(base.max_rate(start, end, p))
    if not np.isfinite(bound) or bound < 0:
        raise error(
            "The baseline",
            "must have a finite, non-negative rate on the window",
            f"a rate bound of {bound!r}",
            "Check the baseline parameters in `params` (missing or NaN values?).",
        )
    if n > 0:
        _check_kernel(kernel, p, ("sample", "cdf") if method == "branching" else ("density",))
    if method == "branching":
        times, path = _branching_paths(kernel, base, p, start, end, hist, n_paths, gen, max_events)
        cuts = np.searchsorted(path, np.arange(1, n_paths))
        return list(np.split(times, cuts))
    # thinning
    const = _constant_rate(base, p, start, end)
    if n > 0 and not _is_exponential(kernel, p):
        span = end - (float(hist.min()) if hist.size else start)
        _check_monotone(kernel, p, span)
    out = []
    for _ in range(n_paths):
        if const is not None and (n == 0 or _is_exponential(kernel, p)):
            beta = p.get("decay", 1.0)
            out.append(_thinning_exponential(const, n, beta, start, end, hist, gen, max_events))
        else:
            out.append(_thinning_generic(kernel, base, p, start, end, hist, gen, max_events))
    return out


def simulate(
    kernel: Any,
    baseline: Any,
    params: Any,
    T: float,
    rng: Any = None,
    history: Any = None,
    *,
    start: float = 0.0,
    method: str = "branching",
    max_events: int = 10_000_000,
) -> np.ndarray:
    r"""Simulate one path of a Hawkes process on the window ``[start, T)``.

    Parameters
    ----------
    kernel : str, kernel object or None
        A kernel name ("exponential", "power_law", ...) or object from
        :mod:`incidentstats.hawkes.kernels`, with ``density(t, p)``, ``cdf(t, p)`` and
        ``sample(rng, size, p)`` (the normalised density ``g``). Ignored when the branching
        ratio is 0.
    baseline : str, baseline object, number or None
        μ(t) with ``rate(t, p)``, ``integral(a, b, p)`` and ``max_rate(a, b, p)`` (a bound
        baseline such as ``result.process.baseline``); a number is a constant rate; None
        means the constant ``params["baseline"]``.
    params : dict or pandas.Series
        Parameter values: ``branching_ratio``, the kernel's parameters (e.g. ``decay``) and
        the baseline's (e.g. ``baseline``). A fitted ``result.params`` works as is.
    T : float
        End of the window (days; exclusive).
    rng : int, numpy.random.Generator or None
        Seed or generator; the same seed gives the same path.
    history : array-like of float, optional
        Event times at or before ``start`` whose excitation carries into the window (they
        are not returned). Their offspring before ``start`` are taken as already observed.
    start : float, default 0.0
        Start of the window.
    method : {"branching", "thinning"}, default "branching"
        Exact cluster simulation, or Ogata thinning (kernels that do not increase with the
        lag only).
    max_events : int, default 10_000_000
        Guard against explosive (branching ratio ≥ 1) processes: error when exceeded.

    Returns
    -------
    numpy.ndarray
        Sorted event times in ``[start, T)``.

    Notes
    -----
    The model is

    .. math:: \lambda(t) = \mu(t) + n \sum_{t_j < t} g(t - t_j),

    with :math:`g` a density, so that each event has on average :math:`n` direct offspring.
    Branching (Hawkes & Oakes 1974; Møller & Rasmussen 2005): background events are a
    Poisson process with rate :math:`\mu(t)` (drawn by Lewis–Shedler thinning against
    ``max_rate`` on 64 sub-intervals unless the baseline is constant); each event begets
    Poisson(:math:`n`) children at delays drawn from :math:`g`, generation by generation,
    until no child falls before ``T``. Children of the history events are the Poisson
    process :math:`n \sum_h g(t - t_h)` on the window, drawn by inverting the kernel's
    survival function (memoryless shortcut for the exponential kernel).

    Thinning (Ogata 1981): candidates from a dominating homogeneous rate — the current
    intensity plus a bound of μ on the next 1/32 of the window — accepted with probability
    λ(x)/bound. With an exponential kernel and constant baseline the loop is a compiled
    O(1)-per-event recursion.

    For a stationary process (constant μ, :math:`n < 1`), E N[0, T) → μT / (1 − n).

    References
    ----------
    .. [1] Hawkes, A. G. and Oakes, D. (1974). A cluster process representation of a
       self-exciting process. Journal of Applied Probability 11(3), 493–503.
    .. [2] Ogata, Y. (1981). On Lewis' simulation method for point processes. IEEE
       Transactions on Information Theory 27(1), 23–31.
    .. [3] Møller, J. and Rasmussen, J. G. (2005). Perfect simulation of Hawkes processes.
       Advances in Applied Probability 37(3), 629–646.

    Examples
    --------
    >>> from incidentstats.hawkes.simulate import simulate
    >>> p = {"baseline": 0.5, "branching_ratio": 0.6, "decay": 1.2}
    >>> t = simulate("exponential", None, p, 100.0, rng=1)
    >>> bool(t.min() >= 0.0 and t.max() < 100.0)
    True
    >>> bool(np.array_equal(t, simulate("exponential", None, p, 100.0, rng=1)))  # same seed
    True
    """
    return simulate_paths(
        kernel,
        baseline,
        params,
        T,
        1,
        rng,
        history,
        start=start,
        method=method,
        max_events=max_events,
    )[0]


def _model(result: Any) -> tuple[Any, Any, dict[str, float], float, np.ndarray]:
    """(kernel, baseline, params, T, times) of a fitted HawkesResult."""
    for attr in ("process", "params", "T", "times"):
        if not hasattr(result, attr):
            raise type_error(
                "The `result` argument",
                "must be a fitted HawkesResult (from HawkesProcess(...).fit(events))",
                type(result).__name__,
            )
    process = result.process
    kernel = getattr(process, "kernel", None)
    baseline = getattr(process, "baseline", None)
    times = result.times
    times = np.asarray(times() if callable(times) else times, dtype=float)
    params = _as_params(result.params)
    if kernel is None:  # a Poisson model: no excitation
        params.setdefault("branching_ratio", 0.0)
    return kernel, baseline, params, float(result.T), times


def simulate_result(
    result: Any,
    rng: Any = None,
    *,
    method: str = "branching",
    n_paths: int | None = None,
) -> Any:
    """Simulate new data from a fitted Hawkes model, on the window of the fitted events.

    Parameters
    ----------
    result : HawkesResult
        A fitted model (``HawkesProcess(...).fit(events)``).
    rng : int, numpy.random.Generator or None
        Seed or generator.
    method : {"branching", "thinning"}, default "branching"
        See :func:`simulate`.
    n_paths : int, optional
        When given, return a list of that many EventSeries.

    Returns
    -------
    EventSeries or list of EventSeries
        Exact-resolution events on ``[result.events.start, result.events.end)``.

    Examples
    --------
    >>> import incidentstats as ist
    >>> from incidentstats.hawkes import HawkesProcess
    >>> from incidentstats.hawkes.simulate import simulate_result
    >>> res = HawkesProcess(kernel="exponential").fit(ist.datasets.load_iraq_attacks())
    >>> sim = simulate_result(res, rng=2)
    >>> sim.start == res.events.start, sim.end == res.events.end, sim.resolution
    (True, True, 'exact')
    """
    from ..events import EventSeries

    kernel, baseline, p, T, _ = _model(result)
    paths = simulate_paths(
        kernel, baseline, p, T, 1 if n_paths is None else n_paths, rng, method=method
    )
    events = result.events
    name = getattr(events, "name", None)
    unit = getattr(result, "unit", "D")
    sims = [
        EventSeries.from_offsets(
            x, start=events.start, end=events.end, unit=unit, resolution="exact", name=name
        )
        for x in paths
    ]
    return sims[0] if n_paths is None else sims


def simulate_events(
    kernel: Any,
    baseline: Any,
    params: Any,
    start: Any,
    end: Any,
    rng: Any = None,
    *,
    method: str = "branching",
    name: str | None = None,
    max_events: int = 10_000_000,
) -> Any:
    """Simulate a Hawkes process on a dated window ``[start, end)`` as an EventSeries.

    Parameters
    ----------
    kernel, baseline, params
        As in :func:`simulate`. A baseline defined by dates (e.g.
        ``PiecewiseBaseline(breaks=["2020-01-03"])``) is bound to the window first.
    start : date-like
        Window start.
    end : date-like or float
        Window end (exclusive), or its length in days.
    rng : int, numpy.random.Generator or None
        Seed or generator.
    method : {"branching", "thinning"}, default "branching"
        See :func:`simulate`.
    name : str, optional
        Label of the returned series.
    max_events : int, default 10_000_000
        See :func:`simulate`.

    Returns
    -------
    EventSeries
        Exact-resolution events (times in days from ``start``).

    Examples
    --------
    >>> from incidentstats.hawkes import PiecewiseBaseline
    >>> from incidentstats.hawkes.simulate import simulate_events
    >>> ev = simulate_events(
    ...     "exponential", PiecewiseBaseline(breaks=["2020-01-03"]),
    ...     {"baseline": 0.1, "baseline_2": 0.4, "branching_ratio": 0.5, "decay": 1.0},
    ...     "2019-10-28", "2020-03-31", rng=1)
    >>> str(ev.start.date()), str(ev.end.date()), ev.resolution
    ('2019-10-28', '2020-03-31', 'exact')
    """
    from .._validation import to_timestamp
    from ..events import EventSeries

    s = to_timestamp("start", start, keep_tz=True)
    if isinstance(end, numbers.Real) and not isinstance(end, bool):
        check_positive("end", end)
        e: Any = s + pd.Timedelta(days=float(end))
    else:
        e = end
    window = EventSeries([], start=s, end=e)
    if isinstance(baseline, str):
        from .baselines import make_baseline

        baseline = make_baseline(baseline)
    bind = getattr(baseline, "bind", None)
    if callable(bind):
        baseline = bind(window)
    x = simulate(
        kernel,
        baseline,
        params,
        window.duration("D"),
        rng,
        method=method,
        max_events=max_events,
    )
    return EventSeries.from_offsets(
        x, start=window.start, end=window.end, resolution="exact", name=name
    )
