"""HawkesResult: the fitted univariate Hawkes (or Poisson) model."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._results import ConfidenceInterval, Result, Summary, format_number, jsonable
from .._validation import check_choice, check_confidence_level, error

__all__ = ["HawkesResult"]

CI_METHODS = ("wald", "profile", "bootstrap")


def _safe_inv(A: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive-definite matrix, NaN rows where it is singular."""
    if A.size == 0:
        return A.copy()
    w, V = np.linalg.eigh(0.5 * (A + A.T))
    if np.all(w > 1e-10 * max(1.0, float(np.max(np.abs(w))))):
        return (V / w) @ V.T
    out = np.full_like(A, np.nan)
    good = w > 1e-10 * max(1.0, float(np.max(np.abs(w))))
    inv = (V[:, good] / w[good]) @ V[:, good].T
    # parameters with a weight on a flat direction get NaN
    flat = np.any(np.abs(V[:, ~good]) > 1e-6, axis=1)
    keep = ~flat
    out[np.ix_(keep, keep)] = inv[np.ix_(keep, keep)]
    return out


class HawkesResult(Result):
    """A fitted univariate Hawkes process (``HawkesProcess(...).fit(events)``).

    Attributes
    ----------
    params : pandas.Series
        Estimates: baseline parameters, ``branching_ratio`` and kernel parameters (rates per
        ``process.unit``, days by default).
    bse : pandas.Series
        Standard errors from the observed information (delta method from log-parameters;
        with tie imputations, Rubin's rules add the between-imputation variance).
    loglik, aic, bic : float
        Maximised log-likelihood (the average over tie imputations), AIC and BIC (log N).
    n_events, n_params, converged : int, int, bool
    process : HawkesProcess
        The model, with its kernel and bound baseline objects.
    events : EventSeries
    T : float
        Window length in ``unit``.
    times : numpy.ndarray
        Event times used in the fit (the first imputation if ties were spread).

    Notes
    -----
    Intervals (:meth:`confidence_interval`): ``"wald"`` on the log scale (back-transformed,
    so positive parameters keep positive intervals), ``"profile"`` (likelihood ratio, the
    default below 30 events) and ``"bootstrap"`` (parametric; symmetric
    bootstrap-t on the log scale, Hall 1988: coverage tables in ``hawkes.inference``).

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.datasets.load_iraq_attacks()          # 99 events dated to the day
    >>> res = ist.HawkesProcess().fit(ev, rng=1)       # ties spread over 10 imputations
    >>> round(res.branching_ratio, 1), res.converged
    (0.6, True)
    >>> ci = res.confidence_interval("branching_ratio", method="profile")
    >>> ci.low < res.branching_ratio < ci.high
    True
    """

    def __init__(
        self,
        *,
        process: Any,
        spec: Any,
        events: Any,
        prepared: Any,
        theta: np.ndarray,
        loglik: float,
        hess_free: np.ndarray,
        converged: bool,
        n_iter: int,
        message: str,
        per_imputation: np.ndarray | None = None,
    ) -> None:
        self.process = process
        self._spec = spec
        self.events = events
        self._prepared = prepared
        self._theta = np.asarray(theta, dtype=float)
        self.loglik = float(loglik)
        self.converged = bool(converged)
        self.n_iter = int(n_iter)
        self.message = message
        self.T = float(prepared.T)
        self.times = prepared.replicates[0]
        self.unit = getattr(process, "unit", "D")
        self.n_events = int(events.n)
        self.params = pd.Series(self._theta, index=list(spec.names), name="estimate")
        self._hess_free = hess_free
        cov_u = _safe_inv(-hess_free) if hess_free.size else hess_free
        m = len(prepared.replicates)
        self._per_imputation = per_imputation
        if per_imputation is not None and m > 1:
            U = np.array([spec.to_free(row[:-1]) for row in per_imputation])
            B = np.atleast_2d(np.cov(U, rowvar=False, ddof=1)) if U.shape[1] else np.zeros((0, 0))
            cov_u = cov_u + (1.0 + 1.0 / m) * B
        self._cov_free = cov_u
        J = spec.jacobian(self._theta)
        cov = J @ cov_u @ J.T if cov_u.size else np.zeros((len(spec.names),) * 2)
        for i, nm in enumerate(spec.names):
            if nm in spec.fixed:
                cov[i, :] = 0.0
                cov[:, i] = 0.0
        self.cov_params = pd.DataFrame(cov, index=list(spec.names), columns=list(spec.names))
        self.bse = pd.Series(
            np.sqrt(np.clip(np.diag(cov), 0, None)), index=list(spec.names), name="bse"
        )
        self.bse[np.isnan(np.diag(cov))] = np.nan
        self.n_params = int(spec.n_free)
        self.aic = -2 * self.loglik + 2 * self.n_params
        self.bic = -2 * self.loglik + math.log(max(self.n_events, 1)) * self.n_params
        self._ci_cache: dict[tuple[Any, ...], pd.DataFrame] = {}

    # -- basic quantities ----------------------------------------------------------------------
    @property
    def kernel(self) -> Any:
        return self.process.kernel

    @property
    def baseline(self) -> Any:
        return self.process.baseline

    @property
    def model_name(self) -> str:
        k = self.process.kernel
        kname = "Poisson" if k is None else f"Hawkes ({k.name})"
        return f"{kname}, {self.process.baseline.name} baseline"

    @property
    def branching_ratio(self) -> float:
        """Mean number of events directly triggered by one event (0 for Poisson)."""
        return float(self.params.get("branching_ratio", 0.0))

    def _kp(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.params.items()}

    @property
    def mean_delay(self) -> float:
        """Mean delay between a parent and a triggered event (in ``unit``)."""
        if self.process.kernel is None:
            return float("nan")
        return float(self.process.kernel.mean_delay(self._kp()))

    @property
    def half_life(self) -> float:
        """Median delay of a triggered event: half of the offspring arrive by then."""
        if self.process.kernel is None:
            return float("nan")
        return float(self.process.kernel.median_delay(self._kp()))

    @property
    def at_boundary(self) -> bool:
        """Whether the estimate sits where the kernel is not identified: branching ratio
        below 10⁻³, a triggering half-life beyond 10 window lengths, or a decay held at its
        lower bound 1/T (then n and the decay trade off and only their product is estimated)."""
        if self.process.kernel is None:
            return False
        return bool(
            self.branching_ratio < 1e-3 or self.half_life > 10 * self.T or bool(self.decay_at_bound)
        )

    @property
    def decay_at_bound(self) -> tuple[str, ...]:
        """Decay parameters held at their lower bound 1/T (mean delay = window length).

        Empty unless the unconstrained maximum had a triggering kernel longer than the
        observation window, where the branching ratio is not identified.
        """
        return tuple(getattr(self._spec, "decay_bound_hit", ()))

    @property
    def n_imputations(self) -> int:
        return len(self._prepared.replicates)

    @property
    def jittered(self) -> bool:
        """Whether tied (coarse) times were spread within their resolution cell."""
        return bool(self._prepared.jittered)

    @property
    def imputations(self) -> pd.DataFrame | None:
        """Estimates and log-likelihood of each tie imputation fitted alone (or None)."""
        if self._per_imputation is None:
            return None
        return pd.DataFrame(self._per_imputation, columns=[*self._spec.names, "loglik"])

    def imputation_spread(self) -> pd.DataFrame | None:
        """Mean, standard deviation, min and max of each estimate across imputations."""
        imp = self.imputations
        if imp is None:
            return None
        return pd.DataFrame(
            {"mean": imp.mean(), "std": imp.std(ddof=1), "min": imp.min(), "max": imp.max()}
        )

    # -- intensity / compensator ---------------------------------------------------------------
    def _query(self, t: Any) -> np.ndarray:
        if isinstance(t, (pd.DatetimeIndex, pd.Timestamp)) or (
            isinstance(t, (list, tuple, np.ndarray, pd.Series))
            and len(t) > 0
            and isinstance(np.asarray(t).flat[0], (str, pd.Timestamp, np.datetime64))
        ):
            idx = pd.DatetimeIndex(np.atleast_1d(pd.to_datetime(t)))
            return np.array([self.events.to_offset(x, unit=self.unit) for x in idx])
        s = np.atleast_1d(np.asarray(t, dtype=float))
        if not np.all(np.isfinite(s)):
            raise error("The `t` argument", "must hold finite times", "non-finite values")
        return s

    def intensity(self, t: Any) -> np.ndarray:
        """Conditional intensity λ(t) (left limit) at times ``t`` (offsets in ``unit`` or dates).

        Uses the event times of the fit (:attr:`times`).
        """
        s = self._query(t)
        order = np.argsort(s, kind="stable")
        out = np.empty(s.size)
        out[order] = self._spec.intensity_at(self._theta, self.times, s[order])
        return out

    def compensator(self, t: Any = None) -> np.ndarray:
        """Λ(t) = ∫_0^t λ: at each event (default) or at times ``t``.

        Under the model, the increments of Λ between events are Exp(1) (time rescaling).
        """
        s = self.times if t is None else self._query(t)
        order = np.argsort(s, kind="stable")
        out = np.empty(s.size)
        out[order] = self._spec.compensator_at(self._theta, self.times, s[order])
        return out

    def expected_count(self) -> float:
        """Λ(T): the expected number of events in the window given the history."""
        return float(self.compensator(np.array([self.T]))[0])

    # -- inference -----------------------------------------------------------------------------
    def confidence_interval(
        self,
        param: str | None = None,
        confidence_level: float = 0.95,
        method: str | None = None,
        *,
        n_boot: int = 200,
        rng: Any = 0,
        n_jobs: int = 1,
        progress: bool = False,
    ) -> Any:
        """Confidence intervals of the parameters.

        Parameters
        ----------
        param : str, optional
            One parameter (returns a :class:`ConfidenceInterval`); default all (a DataFrame
            with ``low``, ``high``).
        confidence_level : float, default 0.95
        method : {"wald", "profile", "bootstrap"}, optional
            Default "profile" below 30 events, else "wald".
        n_boot, rng, n_jobs, progress
            Parametric bootstrap settings (``method="bootstrap"``).
        """
        from .fit import SMALL_SAMPLE

        level = check_confidence_level(confidence_level)
        if method is None:
            method = "profile" if self.n_events < SMALL_SAMPLE else "wald"
        check_choice("method", method, CI_METHODS)
        names = list(self._spec.names)
        if param is not None and param not in names:
            from .._validation import suggest

            raise error(
                "The `param` argument",
                "must be one of " + ", ".join(names),
                param,
                suggest(str(param), names).strip() or None,
            )
        key = (method, level, n_boot, repr(rng), param if method == "profile" else None)
        if key not in self._ci_cache:
            from . import inference

            if method == "wald":
                table = inference.wald_intervals(self, level)
            elif method == "profile":
                table = inference.profile_intervals(self, level, params=[param] if param else None)
            else:
                table = inference.bootstrap_intervals(
                    self, level, n_boot=n_boot, rng=rng, n_jobs=n_jobs, progress=progress
                )
            self._ci_cache[key] = table
        table = self._ci_cache[key]
        if param is not None:
            row = table.loc[param]
            return ConfidenceInterval(float(row["low"]), float(row["high"]), level, method)
        return table

    def conf_int(self, confidence_level: float = 0.95, method: str | None = None) -> pd.DataFrame:
        """Alias of :meth:`confidence_interval` for all parameters (statsmodels naming)."""
        return self.confidence_interval(None, confidence_level, method)

    # -- delegations (implemented in sibling modules) ------------------------------------------
    def gof(self) -> Any:
        """Time-rescaling goodness of fit (KS against Exp(1), Ljung–Box)."""
        from .gof import time_rescaling_test

        return time_rescaling_test(self)

    def plot_gof(self, ax: Any = None) -> Any:
        """QQ plot of the rescaled inter-event times with a confidence band."""
        from ..plotting.hawkes_gof import plot_gof

        return plot_gof(self.gof(), ax=ax)

    def forecast(self, horizon: Any = "30D", n_paths: int = 1000, rng: Any = None) -> Any:
        """Forecast conditioned on the observed history (see ``hawkes.forecast``)."""
        from .forecast import forecast

        return forecast(self, horizon, n_paths, rng)

    def simulate(self, rng: Any = None) -> Any:
        """Simulate a new series from the fitted model on the same window."""
        from .simulate import simulate_result

        return simulate_result(self, rng)

    def branching_probabilities(self) -> Any:
        """Stochastic declustering: P(background) and likely parent of each event."""
        from .declustering import branching_probabilities

        return branching_probabilities(self)

    def plot_intensity(self, ax: Any = None, n_points: int = 2000) -> Any:
        """Plot λ(t) over the window with the events as a rug; returns the Axes."""
        from ..plotting.hawkes import plot_intensity

        return plot_intensity(self, ax=ax, n_points=n_points)

    def plot(self, ax: Any = None) -> Any:
        """Same as :meth:`plot_intensity`."""
        return self.plot_intensity(ax=ax)

    # -- reporting -----------------------------------------------------------------------------
    def _param_table(self, confidence_level: float = 0.95) -> pd.DataFrame:
        try:
            ci = self.confidence_interval(confidence_level=confidence_level)
            method = "profile" if self.n_events < 30 else "wald"
        except Exception:  # pragma: no cover - never let the summary fail
            ci = pd.DataFrame({"low": np.nan, "high": np.nan}, index=self.params.index)
            method = "unavailable"
        tab = pd.DataFrame(
            {
                "estimate": self.params,
                "std err": self.bse,
                "low": ci["low"],
                "high": ci["high"],
            }
        )
        tab.index.name = f"parameter ({int(round(confidence_level * 100))}% CI, {method})"
        return tab

    def summary(self) -> Summary:
        s = Summary(title=self.model_name)
        name = self.events.name
        if name:
            s.add_fact("Series", name)
        start, end = format_number(self.events.start), format_number(self.events.end)
        s.add_fact("Window", f"{start} to {end} ({self.T:g} {self.unit})")
        s.add_fact("Events", self.n_events)
        s.add_fact("Log-likelihood", self.loglik)
        s.add_fact("AIC", self.aic)
        s.add_fact("BIC", self.bic)
        s.add_fact("Converged", self.converged)
        if self.process.kernel is not None:
            s.add_fact("Branching ratio", self.branching_ratio)
            s.add_fact(f"Half-life of triggering ({self.unit})", self.half_life)
            s.add_fact(f"Mean delay ({self.unit})", self.mean_delay)
        s.add_table("Parameters", self._param_table())
        spread = self.imputation_spread()
        if spread is not None:
            s.add_table(f"Spread across {self.n_imputations} tie imputations", spread)
        if self.jittered:
            s.add_note(
                f"Times are {self.events.resolution}-resolution: each event was spread "
                f"uniformly within its {self.events.resolution} in {self.n_imputations} seeded "
                "imputations; the estimate maximises their average log-likelihood and the "
                "standard errors include the between-imputation variance (Rubin's rules)."
            )
        if self.n_events < 30:
            s.add_note(
                f"Only {self.n_events} events: intervals are profile-likelihood; the "
                "parametric bootstrap (method='bootstrap') is the other honest choice."
            )
        if not self.converged:
            s.add_note(f"The optimiser did not converge: {self.message}.")
        k = self.process.kernel
        if k is not None and k.name == "power_law" and self.params["exponent"] > 100:
            s.add_note(
                "The power-law exponent ran off to a very large value with the cutoff: "
                "(1 + t/c)^-p tends to an exponential kernel with decay p/c = "
                f"{self.params['exponent'] / self.params['cutoff']:.4g} per {self.unit}, "
                "so the data show no heavy tail; prefer kernel='exponential'."
            )
        if self.decay_at_bound:
            s.add_note(
                f"The likelihood pushed a decay below 1/T (a mean triggering delay or shock "
                f"duration longer than the {self.T:.4g}-{self.unit} window), where the size of "
                "the effect is not identified; the fit holds "
                + ", ".join(self.decay_at_bound)
                + " at 1/T. "
                "The excitation then mimics a slow drift of the background rate: compare "
                "with a trend baseline and with PoissonProcess() in ist.compare_models."
            )
        if self.branching_ratio < 1e-3 or self.half_life > 10 * self.T:
            s.add_note(
                "The estimate is on the boundary of the parameter space (branching ratio ~0 "
                "or a triggering half-life far beyond the window): no self-excitation is "
                "detectable, the kernel parameters are not identified, Wald errors are "
                "undefined and bootstrap intervals are not valid. Compare with "
                "PoissonProcess() using ist.compare_models."
            )
        return s

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model_name,
            "kernel": None if self.process.kernel is None else self.process.kernel.to_dict(),
            "baseline": self.process.baseline.to_dict(),
            "unit": self.unit,
            "decay_at_bound": list(self.decay_at_bound),
            "n_events": self.n_events,
            "window": [self.events.start, self.events.end],
            "T": self.T,
            "params": self.params,
            "bse": self.bse,
            "loglik": self.loglik,
            "aic": self.aic,
            "bic": self.bic,
            "n_params": self.n_params,
            "converged": self.converged,
            "at_boundary": self.at_boundary,
            "jittered": self.jittered,
            "n_imputations": self.n_imputations,
        }
        if self.process.kernel is not None:
            out["branching_ratio"] = self.branching_ratio
            out["half_life"] = self.half_life
            out["mean_delay"] = self.mean_delay
        return jsonable(out)


def chi2_quantile(level: float, df: int = 1) -> float:
    return float(stats.chi2.ppf(level, df))
