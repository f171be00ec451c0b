"""PoissonProcess: the no-contagion reference model, with the HawkesResult interface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._validation import check_positive, check_rng, error, type_error
from .baselines import Baseline, PiecewiseBaseline, make_baseline
from .likelihood import ModelSpec, check_params
from .result import HawkesResult
from .ties import TIES, prepare_times

__all__ = ["PoissonProcess", "PoissonResult", "closed_form_theta"]


def closed_form_theta(spec: ModelSpec, t: np.ndarray, T: float) -> np.ndarray:
    """Maximum-likelihood rates of a constant or piecewise-constant Poisson model."""
    if spec.baseline.is_constant:
        return np.array([t.size / T])
    edges = np.concatenate([[0.0], spec.baseline.offsets, [T]])  # type: ignore[attr-defined]
    counts = np.histogram(t, bins=edges)[0]
    return counts / np.diff(edges)


class PoissonResult(HawkesResult):
    """A fitted (possibly inhomogeneous) Poisson process; same interface as HawkesResult."""


class PoissonProcess:
    """Poisson process with a constant, piecewise-constant or other background rate.

    Parameters
    ----------
    baseline : Baseline or str, optional
        Default constant; ``PiecewiseBaseline(breaks=[dates])`` gives one rate per segment.
    breaks : sequence of dates, optional
        Shortcut for ``baseline=PiecewiseBaseline(breaks)``.
    ties : {"jitter", "error"}, default "jitter"
        Only the time-rescaling residuals use spread times; the likelihood of a
        piecewise-constant rate depends on the counts per segment alone.
    n_imputations : int, default 1
    unit : str, default "D"

    Notes
    -----
    λ(t) = μ(t); ℓ = Σ log μ(t_i) − ∫_0^T μ. For constant and piecewise-constant rates the
    estimate is the closed form μ_k = N_k / L_k (count over segment length), with observed
    information N_k on the log scale; other baselines are maximised numerically.

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.EventSeries.from_offsets([1.0, 2.0, 6.0, 7.0, 8.0, 9.0], end=10.0)
    >>> res = PoissonProcess(breaks=[5.0]).fit(ev)
    >>> res.params.round(3).tolist()
    [0.4, 0.8]
    """

    kernel = None

    def __init__(
        self,
        baseline: Any = None,
        *,
        breaks: Any = None,
        ties: str = "jitter",
        n_imputations: int = 1,
        unit: str = "D",
        max_iter: int = 500,
    ) -> None:
        if breaks is not None:
            if baseline is not None:
                raise error(
                    "The `breaks` parameter of PoissonProcess",
                    "cannot be combined with baseline=",
                    breaks,
                    "Pass one of them.",
                )
            baseline = PiecewiseBaseline(breaks=breaks)
        self.baseline: Baseline = make_baseline(baseline)
        if ties not in TIES:
            from .._validation import check_choice

            check_choice("ties", ties, TIES, owner="PoissonProcess")
        self.ties = ties
        check_positive("n_imputations", n_imputations, integer=True)
        self.n_imputations = int(n_imputations)
        self.unit = unit
        self.fixed: dict[str, float] = {}
        self.n_starts = 1
        check_positive("max_iter", max_iter, integer=True)
        self.max_iter = int(max_iter)

    def __repr__(self) -> str:
        return f"PoissonProcess(baseline={self.baseline!r})"

    def _with_baseline(self, baseline: Baseline) -> PoissonProcess:
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.baseline = baseline
        return new

    def loglikelihood(self, events: Any, params: Mapping[str, float]) -> float:
        """Log-likelihood at ``params`` (the baseline's parameters)."""
        self._check(events)
        spec = ModelSpec(self.baseline.bind(events, self.unit), None)
        theta = check_params(spec, params)
        t = events.times(self.unit)
        ll, _ = spec.loglik_grad(theta, [t], events.duration(self.unit), grad=False)
        return float(ll)

    def _check(self, events: Any) -> None:
        from ..events import EventSeries

        if not isinstance(events, EventSeries):
            raise type_error(
                "The `events` argument",
                "must be an EventSeries",
                type(events).__name__,
                "Build one with ist.read_events(...) or ist.EventSeries(times, start=, end=).",
            )

    def fit(self, events: Any, *, rng: Any = 0) -> PoissonResult:
        """Fit by maximum likelihood; returns a :class:`PoissonResult`."""
        from .fit import free_hessian, make_starts, maximize

        self._check(events)
        if events.n < 1:
            raise error(
                "The `events` argument",
                "must hold at least 1 event to fit a Poisson rate",
                "0 events",
                "Use ist.rate_change or an exact one-sample Poisson interval instead.",
            )
        gen = check_rng(rng)
        baseline = self.baseline.bind(events, self.unit)
        process = self._with_baseline(baseline)
        spec = ModelSpec(baseline, None, time_scale=events.duration(self.unit))
        pt = prepare_times(
            events, ties=self.ties, n_imputations=self.n_imputations, rng=gen, unit=self.unit
        )
        if baseline.name in ("constant", "piecewise"):
            t = events.times(self.unit)
            theta = closed_form_theta(spec, t, pt.T)
            if baseline.is_constant:
                counts = np.array([t.size], dtype=float)
            else:
                edges = np.concatenate([[0.0], baseline.offsets, [pt.T]])  # type: ignore[attr-defined]
                counts = np.histogram(t, bins=edges)[0].astype(float)
            safe = np.where(theta > 0, theta, np.nan)
            ll = float(
                np.nansum(counts * np.log(safe))
                - np.sum(
                    theta
                    * np.diff(
                        np.concatenate([[0.0], getattr(baseline, "offsets", np.zeros(0)), [pt.T]])
                    )
                )
            )
            H = -np.diag(counts)
            converged, n_iter, msg = True, 0, "closed form"
        else:
            starts = make_starts(spec, pt.replicates, pt.T, 1, gen)
            opt = maximize(spec, pt.replicates, pt.T, starts, self.max_iter)
            theta, ll, converged, n_iter, msg = (
                opt.theta,
                opt.loglik,
                opt.converged,
                opt.n_iter,
                opt.message,
            )
            H = free_hessian(spec, pt.replicates, pt.T, theta)
        return PoissonResult(
            process=process,
            spec=spec,
            events=events,
            prepared=pt,
            theta=theta,
            loglik=ll,
            hess_free=H,
            converged=converged,
            n_iter=n_iter,
            message=msg,
            per_imputation=None,
        )
