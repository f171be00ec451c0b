"""Compare fitted point-process models: one table of fit statistics and likelihood-ratio tests.

``compare_models([...])`` takes fitted results of the same events (Poisson and Hawkes, any
baseline) and returns a :class:`ModelComparison` with AIC/BIC per model and likelihood-ratio
tests for every nested pair. Testing "no contagion" (branching ratio = 0) puts the parameter
on the boundary of its space, so the LR statistic follows the chi-bar-square mixture
½χ²_r + ½χ²_{r+1} (Self & Liang 1987) instead of χ²_{r+1}, where r counts the other extra
parameters that are identified under the null.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result, Summary, jsonable
from ._validation import error, type_error

__all__ = ["ModelComparison", "chi_bar_square_sf", "compare_models"]


def chi_bar_square_sf(x: float, r: int, n_boundary: int = 1) -> float:
    """Survival function of the chi-bar-square law Σ_k C(b, k) 2^-b χ²_{r+k}, k = 0..b.

    With one boundary parameter (b = 1) this is ½χ²_r + ½χ²_{r+1}; χ²_0 is a point mass at
    0. The binomial weights hold when the boundary parameters' estimates are asymptotically
    independent (Self & Liang 1987).

    Examples
    --------
    >>> round(chi_bar_square_sf(2.705543, 0), 4)  # half of P(χ²_1 ≥ 2.7055) = 0.05
    0.05
    """
    from math import comb

    x = float(x)
    if x <= 0:
        return 1.0
    b = int(n_boundary)
    total = 0.0
    for k in range(b + 1):
        df = r + k
        sf = 0.0 if df == 0 else float(stats.chi2.sf(x, df))
        total += comb(b, k) / 2**b * sf
    return total


def _boundary_counts(a: Any, b: Any) -> tuple[int, int]:
    """(parameters of b on their boundary under a, parameters of b unidentified under a).

    No kernel in a: the branching ratio sits at 0 and the kernel parameters are unidentified.
    A shock baseline in b but not in a: each shock size sits at 0 and the shock decay is
    unidentified.
    """
    bound = 0
    unident = 0
    ka, kb = a.process.kernel, b.process.kernel
    if ka is None and kb is not None:
        bound += 1
        unident += b._spec.n_free - sum(1 for i in b._spec.free_scalar if i <= b._spec.nb)
    if b.process.baseline.name == "shock" and a.process.baseline.name != "shock":
        bound += len(b.process.baseline.dates)
        unident += 1
    return bound, unident


def _baseline_nested(a: Any, b: Any) -> bool:
    """Whether baseline a is a special case of baseline b (same window)."""
    if a == b:
        return True
    if a.name == "constant":
        return b.name in ("piecewise", "trend", "seasonal", "shock")
    if a.name == "shock" and b.name == "shock":
        return bool(a == b)
    if a.name == "piecewise" and b.name == "piecewise":
        return set(np.round(a.offsets, 9)).issubset(set(np.round(b.offsets, 9)))
    return False


def _nested(a: Any, b: Any) -> tuple[bool, bool]:
    """(a nested in b, boundary test) for two results."""
    ka, kb = a.process.kernel, b.process.kernel
    if not _baseline_nested(a.process.baseline, b.process.baseline):
        return False, False
    if ka is None and kb is None:
        return a.n_params < b.n_params, False
    if ka is None and kb is not None:
        return True, True
    if ka is not None and kb is not None and ka == kb:
        return a.n_params < b.n_params, False
    return False, False


class ModelComparison(Result):
    """Fit statistics of several models of the same events, with LR tests of nested pairs.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model: events, free parameters, log-likelihood, AIC, BIC, ΔAIC, the
        branching ratio, the time-rescaling KS p-value (``gof_ks_pvalue``) and the estimates.
    tests : pandas.DataFrame
        One row per nested pair: null and alternative model, extra parameters, LR statistic,
        p-value and the reference distribution.
    """

    def __init__(self, results: list[Any], table: pd.DataFrame, tests: pd.DataFrame) -> None:
        self.results = results
        self.table = table
        self.tests = tests

    @property
    def best(self) -> str:
        """Name of the model with the smallest AIC."""
        return str(self.table["AIC"].idxmin())

    def summary(self) -> Summary:
        s = Summary(title="Model comparison")
        s.add_fact("Models", len(self.results))
        s.add_fact("Events", int(self.table["events"].iloc[0]))
        s.add_fact("Lowest AIC", self.best)
        cols = ["params", "loglik", "AIC", "BIC", "dAIC", "branching_ratio", "gof_ks_pvalue"]
        s.add_table("Fit statistics", self.table[cols])
        if len(self.tests):
            s.add_table("Likelihood-ratio tests", self.tests.set_index("null"))
        s.add_note(
            "Models are fitted to the same events and window; AIC = -2 loglik + 2 k, "
            "BIC = -2 loglik + k log N. gof_ks_pvalue: time-rescaling KS test of each "
            "model (small = the model misses structure in the event times)."
        )
        if len(self.tests) and self.tests["distribution"].str.contains("chi-bar").any():
            s.add_note(
                "Poisson against Hawkes tests the branching ratio at its boundary 0: the "
                "p-value uses the chi-bar-square mixture 1/2 chi2_r + 1/2 chi2_(r+1). The "
                "kernel parameters are not identified under the null, so this p-value is "
                "approximate; a parametric bootstrap of the LR statistic is the exact check."
            )
        if any(getattr(r, "jittered", False) for r in self.results):
            s.add_note(
                "Day-resolution times: Hawkes log-likelihoods are averages over the seeded "
                "tie imputations (Poisson rates depend on the counts only)."
            )
        return s

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "models": self.table.reset_index().to_dict(orient="records"),
                "tests": self.tests.to_dict(orient="records"),
                "best_aic": self.best,
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Bar chart of ΔAIC per model."""
        from .plotting.hawkes import plot_comparison

        return plot_comparison(self, ax=ax)


def compare_models(results: Sequence[Any], names: Sequence[str] | None = None) -> ModelComparison:
    """Compare fitted Poisson / Hawkes models of the same events.

    Parameters
    ----------
    results : sequence of HawkesResult / PoissonResult
        At least two fits of the same events (same window and number of events).
    names : sequence of str, optional
        Row labels; default the model descriptions.

    Returns
    -------
    ModelComparison

    Notes
    -----
    For nested models A ⊂ B the statistic is LR = 2 (ℓ_B − ℓ_A) (negative values from
    imperfect optimisation are reported as 0). The reference law is χ²_d with d the
    difference in free parameters, except when the null puts parameters of B on their
    boundary: the branching ratio (A has no kernel) and shock sizes (A has no shock
    baseline) are then 0, and the kernel parameters and shock decay are unidentified. The
    chi-bar-square mixture Σ_k C(b, k) 2^-b χ²_{r+k} [1]_ is used with b boundary parameters
    and r the remaining identified extra parameters (½χ²_r + ½χ²_{r+1} for b = 1); the
    unidentified parameters are not counted, so the p-value is approximate.

    References
    ----------
    .. [1] Self, S. G. and Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood
       estimators and likelihood ratio tests under nonstandard conditions. JASA 82, 605-610.

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.EventSeries.from_offsets([1.0, 2.0, 6.0, 7.0, 8.0, 9.0], end=10.0)
    >>> cmp = ist.compare_models([ist.PoissonProcess().fit(ev),
    ...                           ist.PoissonProcess(breaks=[5.0]).fit(ev)])
    >>> cmp.tests[["df", "distribution"]].values.tolist()
    [[1, 'chi2(1)']]
    """
    if isinstance(results, (str, bytes)) or not isinstance(results, Sequence):
        raise type_error(
            "The `results` argument",
            "must be a list of fitted models",
            type(results).__name__,
            "Pass e.g. [ist.PoissonProcess().fit(ev), ist.HawkesProcess().fit(ev)].",
        )
    results = list(results)
    if len(results) < 2:
        raise error("The `results` argument", "must hold at least 2 fitted models", len(results))
    for r in results:
        if not all(hasattr(r, a) for a in ("loglik", "n_params", "events", "process")):
            raise type_error(
                "Each entry of `results`",
                "must be a fitted HawkesResult or PoissonResult",
                type(r).__name__,
            )
    first = results[0]
    for r in results[1:]:
        same = (
            r.n_events == first.n_events
            and r.events.start == first.events.start
            and r.events.end == first.events.end
            and r.unit == first.unit
        )
        if not same:
            raise error(
                "The `results` argument",
                "must hold fits of the same events in the same window and unit",
                f"{first.n_events} events in [{first.events.start}, {first.events.end}) vs "
                f"{r.n_events} in [{r.events.start}, {r.events.end})",
            )
    if names is None:
        labels = [r.model_name for r in results]
        seen: dict[str, int] = {}
        uniq = []
        for lab in labels:
            seen[lab] = seen.get(lab, 0) + 1
            uniq.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
        names = uniq
    else:
        names = [str(x) for x in names]
        if len(names) != len(results) or len(set(names)) != len(names):
            raise error("The `names` argument", "must give one distinct name per model", names)
    rows = []
    for nm, r in zip(names, results):
        rows.append(
            {
                "model": nm,
                "events": r.n_events,
                "params": r.n_params,
                "loglik": r.loglik,
                "AIC": r.aic,
                "BIC": r.bic,
                "branching_ratio": float(r.params.get("branching_ratio", 0.0)),
                "gof_ks_pvalue": float(r.gof().pvalue),
                "estimates": ", ".join(f"{k}={v:.4g}" for k, v in r.params.items()),
            }
        )
    table = pd.DataFrame(rows).set_index("model")
    table.insert(5, "dAIC", table["AIC"] - table["AIC"].min())
    tests = []
    for i, a in enumerate(results):
        for j, b in enumerate(results):
            if i == j:
                continue
            nested, _ = _nested(a, b)
            if not nested:
                continue
            d = b.n_params - a.n_params
            lr = max(0.0, 2.0 * (b.loglik - a.loglik))
            n_bound, n_unident = _boundary_counts(a, b)
            if n_bound:
                r_other = max(d - n_bound - n_unident, 0)
                p = chi_bar_square_sf(lr, r_other, n_bound)
                if n_bound == 1:
                    dist = f"chi-bar-square(1/2 chi2({r_other}) + 1/2 chi2({r_other + 1}))"
                else:
                    dist = (
                        f"chi-bar-square(binomial mix of chi2({r_other})"
                        f"..chi2({r_other + n_bound}))"
                    )
            else:
                p = float(stats.chi2.sf(lr, d)) if d > 0 else float("nan")
                dist = f"chi2({d})"
            tests.append(
                {
                    "null": names[i],
                    "alternative": names[j],
                    "df": int(d),
                    "LR": lr,
                    "pvalue": p,
                    "distribution": dist,
                }
            )
    tests_df = pd.DataFrame(
        tests, columns=["null", "alternative", "df", "LR", "pvalue", "distribution"]
    )
    return ModelComparison(results, table, tests_df)
