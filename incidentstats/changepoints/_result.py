"""Result objects of change-point analyses."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._results import Result, Summary, format_number, jsonable
from .._validation import error, to_timedelta, to_timestamp

__all__ = ["ChangePointResult", "PenaltyPath"]

_METHOD_NAMES = {
    "pelt": "PELT",
    "binseg": "binary segmentation",
    "bayes": "exact Bayesian posterior",
    "bayesian_blocks": "Bayesian blocks",
}


class ChangePointResult(Result):
    """Change points in the rate of events or counts, with segment rates and uncertainty.

    Attributes
    ----------
    changepoints : pandas.DatetimeIndex
        Estimated change dates (the first instant of each new segment).
    segments : pandas.DataFrame
        One row per segment: ``start``, ``end`` (exclusive), ``events``, ``exposure``,
        ``rate`` (events per unit of exposure: per day unless the counts carry their own
        exposure), ``ci_low``, ``ci_high`` (exact Garwood interval at ``confidence_level``);
        for ``method="bayes"`` also ``posterior_mean``.
    loglik : float
        Maximised log-likelihood of the segmented model (Poisson counts, or the
        continuous-time Poisson process for event times).
    penalty : float
        Penalty per change on the deviance scale (-2 log-likelihood); ``nan`` for the
        Bayesian posterior; the block prior ``ncp_prior`` (log scale) for Bayesian blocks.
    method, cost : str
        Search method and segment cost.
    location_uncertainty : pandas.DataFrame
        One row per change: ``changepoint``, ``low``, ``high`` (an interval for the date at
        ``confidence_level``), ``method`` and ``support`` (share of bootstrap replicates
        with a matching change, or posterior mass given the number of changes).
    params : pandas.Series
        Segment rates, indexed ``rate_1``, ``rate_2``, ...
    """

    def __init__(
        self,
        *,
        changepoints: pd.DatetimeIndex,
        change_index: np.ndarray,
        segments: pd.DataFrame,
        loglik: float,
        penalty: float,
        penalty_name: str,
        method: str,
        cost: str,
        data_kind: str,
        location_uncertainty: pd.DataFrame,
        confidence_level: float,
        replicates: list[np.ndarray] | None,
        replicate_kind: str,
        origin: pd.Timestamp,
        notes: list[str],
        extra: dict[str, Any],
        path_fn: Any = None,
        plot_data: dict[str, Any] | None = None,
    ) -> None:
        self.changepoints = changepoints
        self.change_index = change_index
        self.segments = segments
        self.loglik = float(loglik)
        self.penalty = float(penalty)
        self.penalty_name = penalty_name
        self.method = method
        self.cost = cost
        self.data_kind = data_kind
        self.location_uncertainty = location_uncertainty
        self.confidence_level = confidence_level
        self.n_changes = len(changepoints)
        self.params = pd.Series(
            segments["rate"].to_numpy(float),
            index=[f"rate_{i + 1}" for i in range(len(segments))],
            name="rate",
        )
        self._replicates = replicates
        self._replicate_kind = replicate_kind
        self._origin = origin
        self._notes = list(notes)
        self._extra = dict(extra)
        self._path_fn = path_fn
        self._plot_data = plot_data or {}
        for key, value in extra.items():
            setattr(self, key, value)

    # -- questions ----------------------------------------------------------------------------
    def coincides_with(self, dates: Any, tolerance: Any = "7D") -> pd.DataFrame:
        """For each date, how likely a change lies within ``tolerance`` of it.

        Parameters
        ----------
        dates : date-like or list of date-likes
            Trigger dates, e.g. ``["2020-01-03"]``.
        tolerance : str, Timedelta or number of days
            Half-width of the window around each date (``"0D"`` allowed for counts:
            the change must then start exactly at that date).

        Returns
        -------
        pandas.DataFrame
            One row per date: ``trigger``, ``tolerance_days``, ``nearest_change`` (the
            estimated change closest to it), ``distance_days``, ``within`` (whether that
            estimate is within tolerance) and ``probability``: the posterior probability
            (``method="bayes"``, Monte Carlo from exact posterior draws) or the parametric
            bootstrap frequency that some change lies within the tolerance; ``method``
            says which.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import incidentstats as ist
        >>> s = pd.Series(np.r_[np.full(40, 1), np.full(40, 6)],
        ...               index=pd.date_range("2020-01-01", periods=80, freq="D"))
        >>> cp = ist.changepoints(s, rng=1, n_boot=50)
        >>> co = cp.coincides_with(["2020-02-10", "2020-01-05"], tolerance="3D")
        >>> co["within"].tolist(), [round(p, 1) for p in co["probability"]]
        ([True, False], [1.0, 0.0])
        """
        if isinstance(dates, (str, pd.Timestamp)) or not hasattr(dates, "__iter__"):
            dates = [dates]
        trig = [to_timestamp("dates", d, tz=self._origin.tz) for d in dates]
        if (isinstance(tolerance, str) and tolerance.strip() in ("0D", "0", "0d")) or (
            isinstance(tolerance, (int, float))
            and not isinstance(tolerance, bool)
            and tolerance == 0
        ):
            tol = 0.0
        else:
            tol = to_timedelta("tolerance", tolerance).total_seconds() / 86400.0
        rows = []
        cps = self.changepoints
        for d in trig:
            off = (d - self._origin).total_seconds() / 86400.0
            if len(cps):
                dist = np.array([(c - d).total_seconds() / 86400.0 for c in cps])
                j = int(np.argmin(np.abs(dist)))
                nearest, dd = cps[j], float(dist[j])
            else:
                nearest, dd = pd.NaT, float("nan")
            if self._replicates:
                hits = [bool(np.any(np.abs(r - off) <= tol + 1e-9)) for r in self._replicates]
                prob = float(np.mean(hits))
            else:
                prob = float("nan")
            rows.append(
                {
                    "trigger": d,
                    "tolerance_days": tol,
                    "nearest_change": nearest,
                    "distance_days": dd,
                    "within": bool(np.isfinite(dd) and abs(dd) <= tol + 1e-9),
                    "probability": prob,
                    "method": self._replicate_kind,
                }
            )
        return pd.DataFrame(rows)

    def penalty_path(self, penalty_range: tuple[float, float] | None = None) -> PenaltyPath:
        """Segmentations over a range of penalties (CROPS), for ``pelt`` and ``binseg`` results.

        See :func:`incidentstats.changepoints.penalty_path`.
        """
        if self._path_fn is None:
            raise error(
                "The `penalty_path` method",
                "needs a penalised search (method='pelt' or 'binseg')",
                self.method,
                "Re-run changepoints(..., method='pelt').",
            )
        return self._path_fn(penalty_range)  # type: ignore[no-any-return]

    # -- rendering ----------------------------------------------------------------------------
    def summary(self) -> Summary:
        title = f"Change points ({_METHOD_NAMES.get(self.method, self.method)}, {self.cost} cost)"
        s = Summary(title)
        s.add_fact("Data", self.data_kind)
        s.add_fact("Method", self.method)
        s.add_fact("Number of changes", self.n_changes)
        if self.method not in ("bayes",):
            s.add_fact("Penalty", f"{self.penalty_name} ({format_number(self.penalty)})")
        s.add_fact("Log-likelihood", self.loglik)
        if "n_changes_posterior" in self._extra:
            post = self._extra["n_changes_posterior"]
            top = post.sort_values(ascending=False).head(3)
            s.add_fact(
                "P(number of changes)",
                ", ".join(f"{k}: {format_number(v, 3)}" for k, v in top.items()),
            )
        seg = self.segments.copy()
        seg["start"] = seg["start"].map(format_number)
        seg["end"] = seg["end"].map(format_number)
        seg.index = pd.RangeIndex(1, len(seg) + 1, name="segment")
        s.add_table("Segments", seg)
        if len(self.location_uncertainty):
            lu = self.location_uncertainty.copy()
            for col in ("changepoint", "low", "high"):
                lu[col] = lu[col].map(format_number)
            lu.index = pd.RangeIndex(1, len(lu) + 1, name="change")
            pct = format_number(100 * self.confidence_level, 3)
            s.add_table(f"Change dates with {pct}% intervals", lu)
        for note in self._notes:
            s.add_note(note)
        return s

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "cost": self.cost,
            "data": self.data_kind,
            "penalty": self.penalty,
            "penalty_name": self.penalty_name,
            "loglik": self.loglik,
            "n_changes": self.n_changes,
            "changepoints": [c.isoformat() for c in self.changepoints],
            "segments": self.segments,
            "location_uncertainty": self.location_uncertainty,
            "confidence_level": self.confidence_level,
            "notes": self._notes,
        }
        if "n_changes_posterior" in self._extra:
            out["n_changes_posterior"] = {
                str(k): float(v) for k, v in self._extra["n_changes_posterior"].items()
            }
        return jsonable(out)  # type: ignore[no-any-return]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Counts (or cumulative events) with segment rates and change-date intervals."""
        from ..plotting.changepoints import plot_changepoints

        return plot_changepoints(self, ax=ax, **kwargs)


class PenaltyPath(Result):
    """Optimal segmentations over a range of penalties (CROPS).

    ``table`` has one row per distinct segmentation: ``penalty_low``, ``penalty_high`` (the
    penalties per change, deviance scale, for which it is optimal), ``n_changes``, ``cost``
    (-2 log-likelihood up to a constant) and ``changepoints`` (ISO dates joined by spaces).
    """

    def __init__(self, table: pd.DataFrame, changepoints: list[pd.DatetimeIndex]) -> None:
        self.table = table
        self.changepoint_sets = changepoints

    def summary(self) -> Summary:
        s = Summary("Penalty path (CROPS)")
        s.add_fact("Segmentations", len(self.table))
        s.add_table("Optimal segmentations by penalty", self.table)
        return s

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"table": self.table})  # type: ignore[no-any-return]

    def plot(self, ax: Any = None) -> Any:
        """Number of changes against the penalty."""
        from ..plotting.changepoints import plot_penalty_path

        return plot_penalty_path(self, ax=ax)
