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


def _restricted_inv(A: np.ndarray, drop: list[int]) -> np.ndarray:
    """:func:`_safe_inv` of ``A`` without the rows/columns ``drop`` (NaN there)."""
    if not drop:
        return _safe_inv(A)
    keep = np.setdiff1d(np.arange(A.shape[0]), drop)
    out = np.full_like(A, np.nan)
    if keep.size:
        out[np.ix_(keep, keep)] = _safe_inv(A[np.ix_(keep, keep)])
    return out


#: a branching ratio below this is on the boundary 0 (the kernel is then not identified)
BRANCHING_TOL = 1e-3


def _boundary_names(spec: Any, theta: np.ndarray) -> tuple[str, ...]:
    """Free parameters estimated on the lower boundary 0 of their parameter space.

    Shock sizes (bounded at 0 in the fit) at 0, and a branching ratio below 10⁻³ (fitted on
    the log scale, so "0" is approached rather than reached).
    """
    from .fit import NONNEG, ZERO_TOL

    out = []
    for i in spec.free_scalar:
        nm, kind = spec.names[i], spec.kinds[i]
        if (kind == NONNEG and theta[i] <= ZERO_TOL) or (
            nm == "branching_ratio" and theta[i] < BRANCHING_TOL
        ):
            out.append(nm)
    return tuple(out)


def _unidentified_names(spec: Any, theta: np.ndarray, boundary: tuple[str, ...]) -> tuple[str, ...]:
    """Free parameters that are not identified at the estimate: the shock decay when every
    shock size is 0, the kernel parameters when the branching ratio is on the boundary."""
    from .fit import shocks_all_zero

    out: list[str] = []
    if (
        "shock_decay" in spec.names
        and "shock_decay" not in spec.fixed
        and shocks_all_zero(spec, theta)
    ):
        out.append("shock_decay")
    if "branching_ratio" in boundary and spec.kernel is not None:
        out += [spec.names[i] for i in spec.free_scalar if spec.names[i] in spec.kernel.param_names]
    return tuple(out)


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

    Shock sizes of a :class:`~incidentstats.hawkes.ShockBaseline` are bounded at 0. An
    estimate on the boundary (:attr:`boundary_params`: a shock size at 0, a branching ratio
    below 10⁻³) has no standard error; its default interval is the profile-likelihood
    interval [0, upper] (two-sided χ²₁ cut-off; see :meth:`confidence_interval` for the
    one-sided bound), Wald and bootstrap give NaN with a note, and the summary says which
    method each row used. Parameters left unidentified there (the shock decay when every
    size is 0, the kernel when n is 0) are in :attr:`unidentified_params`.

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
        self._boundary = _boundary_names(spec, self._theta)
        self._unidentified = _unidentified_names(spec, self._theta, self._boundary)
        # estimates on the boundary (and the parameters they leave unidentified) get no Wald
        # standard error: the information of the others is taken with them held there
        drop = [
            spec.free_scalar.index(spec.names.index(nm))
            for nm in (*self._boundary, *self._unidentified)
        ]
        cov_u = _restricted_inv(-hess_free, drop) if hess_free.size else hess_free
        m = len(prepared.replicates)
        self._per_imputation = per_imputation
        if per_imputation is not None and m > 1:
            U = np.array([spec.to_free(row[:-1]) for row in per_imputation])
            B = np.atleast_2d(np.cov(U, rowvar=False, ddof=1)) if U.shape[1] else np.zeros((0, 0))
            cov_u = cov_u + (1.0 + 1.0 / m) * B
        self._cov_free = cov_u
        J = spec.jacobian(self._theta)
        if cov_u.size:
            # delta method; a parameter resting on a coordinate without a finite variance
            # (boundary, unidentified, flat) gets NaN, the others keep theirs (0 · NaN would
            # otherwise spread the NaN to every parameter)
            bad_u = ~np.isfinite(np.diag(cov_u))
            cov = J @ np.where(np.isfinite(cov_u), cov_u, 0.0) @ J.T
            bad = np.any(J[:, bad_u] != 0, axis=1)
            cov[bad, :] = np.nan
            cov[:, bad] = np.nan
        else:
            cov = np.zeros((len(spec.names),) * 2)
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
        base = self.process.baseline
        bname = "seasonal + trend" if getattr(base, "trend", False) is True else base.name
        return f"{kname}, {bname} baseline"

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
        """Whether the estimate sits on the boundary of the parameter space.

        True when a shock size is estimated at 0 (see :attr:`boundary_params`), or where the
        kernel is not identified: branching ratio below 10⁻³, a triggering half-life beyond
        10 window lengths, or a decay held at its lower bound 1/T (then n and the decay trade
        off and only their product is estimated)."""
        if self._boundary:
            return True
        if self.process.kernel is None:
            return False
        return bool(
            self.branching_ratio < 1e-3 or self.half_life > 10 * self.T or bool(self.decay_at_bound)
        )

    @property
    def boundary_params(self) -> tuple[str, ...]:
        """Parameters estimated on their lower bound 0: shock sizes at 0 and a branching ratio
        below 10⁻³. They have no Wald standard error; their default interval is the profile
        likelihood interval [0, upper] (:meth:`confidence_interval`)."""
        return self._boundary

    @property
    def unidentified_params(self) -> tuple[str, ...]:
        """Parameters the likelihood does not pin down at the estimate: the shock decay when
        every shock size is 0, the kernel parameters when the branching ratio is on the
        boundary. They have no Wald standard error or interval."""
        return self._unidentified

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
            Default "profile" below 30 events, else "wald" except for the parameters in
            :attr:`boundary_params` (estimated at 0), which get their profile-likelihood
            interval [0, upper], and shock sizes whose Wald interval reaches 0 (estimate
            within z standard errors of the bound), which get their profile interval.
        n_boot, rng, n_jobs, progress
            Parametric bootstrap settings (``method="bootstrap"``).

        Returns
        -------
        ConfidenceInterval or pandas.DataFrame
            The table's ``attrs["methods"]`` names the method of each row ("wald",
            "profile", "bootstrap", "fixed" or "none") and ``attrs["notes"]`` explains every
            row without a usual interval.

        Notes
        -----
        A parameter estimated on its lower bound 0 (a shock size at 0, a branching ratio
        below 10⁻³) has no Wald standard error, and the bootstrap is not valid there
        (Andrews 2000): with ``method="wald"`` or ``"bootstrap"`` its row is NaN with a note.
        Its default interval is the profile-likelihood set {θ ≥ 0 : 2(ℓ̂ − ℓ_p(θ)) ≤
        χ²₁(level)}, which starts at 0. The cut-off is the two-sided one, so the upper end
        is read like that of any two-sided interval. A one-sided upper bound at ``level``
        is the upper end of the interval at ``2·level − 1`` (e.g. 0.90 for a one-sided 95%
        bound). Were the other parameters identified at 0, the statistic there would be
        ½χ²₀ + ½χ²₁ (Self and Liang 1987) and the interval would cover 0 with probability
        (1 + level)/2; but the shock decay (or the kernel) drops out at 0, the statistic
        is a supremum over it (Davies 1987): with the χ²₁ cut-off alone the 95% interval
        of a shock size contained a true 0 in 89% of simulated series. So when that cut-off
        excludes 0, "size = 0" is tested with Davies' bound over the shock decay
        (:func:`incidentstats.hawkes.inference.shock_zero_test`) and the lower end becomes 0
        unless it rejects; a true 0 is then covered in 97.8% of series (1,000 simulations;
        sizes 3 and 10: 0.971 and 0.950). Parameters the data do not identify
        (:attr:`unidentified_params`) get NaN with a note under Wald.

        Shock sizes away from the bound get the Wald interval on their natural scale
        (truncated at 0). Coverage of the default 95% interval for a shock size, by
        simulation (exponential kernel, μ = 0.3/day, n = 0.3, β = 1/day, one shock at day
        100 of a 200-day window with decay 0.3/day, ~90-100 events, exact times;
        ``tests/hawkes/test_shock.py``): see :mod:`incidentstats.hawkes.inference`.
        """
        from .fit import SMALL_SAMPLE

        level = check_confidence_level(confidence_level)
        default = method is None
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
        near = self._profile_by_default(level) if default and method == "wald" else ()
        key = (
            "wald+profile" if near else method,
            level,
            n_boot,
            repr(rng),
            param if method == "profile" else None,
        )
        if key not in self._ci_cache:
            from . import inference

            if method == "wald":
                table = inference.wald_intervals(self, level)
                if near:  # on or near the bound 0: the profile interval instead
                    prof = inference.profile_intervals(self, level, params=list(near))
                    methods = dict(table.attrs["methods"])
                    notes = [
                        n
                        for n in table.attrs["notes"]
                        if not any(n.startswith(f"{nm} is estimated at 0") for nm in near)
                    ]
                    for nm in near:
                        table.loc[nm] = prof.loc[nm]
                        methods[nm] = prof.attrs.get("methods", {}).get(nm, "profile")
                        if nm not in self._boundary:
                            notes.append(inference.near_boundary_note(nm, level))
                    table.attrs["notes"] = notes + list(prof.attrs["notes"])
                    table.attrs["methods"] = methods
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
            used = table.attrs.get("methods", {}).get(param, method)
            return ConfidenceInterval(float(row["low"]), float(row["high"]), level, used)
        return table

    def _profile_by_default(self, level: float) -> tuple[str, ...]:
        """Parameters whose default interval (above 30 events) is the profile likelihood:
        those on the boundary 0 and shock sizes whose Wald interval reaches 0."""
        if self.n_events < 30:
            return ()
        z = float(stats.norm.ppf(0.5 + level / 2))
        out = list(self._boundary)
        for i, (nm, kind) in enumerate(zip(self._spec.names, self._spec.kinds)):
            if kind == "nonneg" and nm not in out and nm not in self._spec.fixed:
                se = float(self.bse.iloc[i])
                if not (np.isfinite(se) and self._theta[i] - z * se > 0):
                    out.append(nm)
        return tuple(out)

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

    def forecast(
        self, horizon: Any = "30D", n_paths: int = 1000, rng: Any = None, **kwargs: Any
    ) -> Any:
        """Forecast conditioned on the observed history (see ``hawkes.forecast``; keyword
        arguments such as ``parameter_uncertainty="bootstrap"`` are passed on)."""
        from .forecast import forecast

        return forecast(self, horizon, n_paths, rng, **kwargs)

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
            used: dict[str, str] = ci.attrs.get("methods", {})
            for other in ("profile", "profile; lower end by Davies' bound"):
                which = [nm for nm, m in used.items() if m == other and m != method]
                if which:
                    method += f"; {other} for " + ", ".join(which)
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
        try:
            ci_notes = list(self.confidence_interval().attrs.get("notes", []))
        except Exception:  # pragma: no cover - never let the summary fail
            ci_notes = []
        for note in dict.fromkeys(ci_notes):  # boundary estimates, unbounded Wald intervals
            s.add_note(note)
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
            "boundary_params": list(self.boundary_params),
            "unidentified_params": list(self.unidentified_params),
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
