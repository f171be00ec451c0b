"""Analysis sections of the report: each calls the public API of another subpackage."""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .._results import Summary, jsonable
from ..exceptions import ConvergenceWarning, IncidentStatsError
from ..its import interrupted_time_series
from ..rates import detectable_ratio, multiple_triggers, placebo_test, rate_change
from ._model import SECTION_TITLES, Figure, Section
from ._sections import Context, Trigger, _fmt, _ts

__all__ = [
    "build_changepoints",
    "build_forecast",
    "build_interpretation",
    "build_its",
    "build_models",
    "build_rate_change",
]

#: Methods compared at each trigger (see :func:`incidentstats.rate_change`).
RATE_METHODS = ("exact-cond", "score", "etest", "wald-log")

#: The E-test sums over a grid of both counts (memory and time grow as the product), so it is
#: run only when the two windows hold at most this many events together.
ETEST_MAX_EVENTS = 2000

#: Minimum detectable ratios are computed for at most this many triggers (each is a search).
MAX_DETECTABLE = 10

#: At most this many per-trigger figures (a long trigger list gets its table only).
MAX_TRIGGER_FIGURES = 3


def _fp(p: Any) -> str:
    """``"= 0.0123"`` for a sentence such as "p = 0.0123"; a p-value that underflowed to 0
    gives ``"< 1e-300"`` rather than "= 0"."""
    v = _num(p)
    if v is not None and v == 0:
        return "< 1e-300"
    return f"= {_fmt(p)}"


def _num(x: Any) -> float | None:
    """A float, or None for missing / non-finite values."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _ci(obj: Any, *args: Any, **kwargs: Any) -> tuple[float | None, float | None]:
    """(low, high) from a ConfidenceInterval, a pair, or a result's confidence_interval()."""
    if callable(obj):
        obj = obj(*args, **kwargs)
    if obj is None:
        return None, None
    low, high = obj
    return _num(low), _num(high)


def _windows(ctx: Context, i: int) -> tuple[Any, Any]:
    """``before`` / ``after`` arguments for trigger ``i``.

    One trigger: the window length (or None: all data). Several: each window stops at the
    neighbouring trigger, and is no longer than the window length when one is given.
    """
    trig = ctx.triggers
    if len(trig) == 1:
        return ctx.window, ctx.window
    t = trig[i].date
    lo = trig[i - 1].date if i > 0 else ctx.events.start
    hi = trig[i + 1].date if i + 1 < len(trig) else ctx.events.end
    if ctx.window is not None:
        lo = max(lo, t - ctx.window)
        hi = min(hi, t + ctx.window)
    return lo, hi


def _no_triggers(key: str) -> Section:
    return Section(
        key, SECTION_TITLES[key], status="not_applicable", reason="no trigger dates were given"
    )


def _no_breaks(key: str, ctx: Context) -> Section:
    return Section(
        key,
        SECTION_TITLES[key],
        status="not_applicable",
        reason=(
            f"{len(ctx.triggers)} triggers are too many for one break at each; choose the "
            "break dates with breaks= (or --trigger beside --triggers-file)"
        ),
    )


# =============================================================================================
# rate change at each trigger
# =============================================================================================
def build_rate_change(ctx: Context) -> Section:
    if not ctx.triggers:
        return _no_triggers("rate_change")
    ev = ctx.events
    dates = ctx.trigger_dates
    per_trigger: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    figures: list[Figure] = []
    objects: dict[str, Any] = {}
    notes: list[str] = []
    for i, trig in enumerate(ctx.triggers):
        before, after = _windows(ctx, i)
        day = _ts(trig.date)
        try:
            rc = rate_change(ev, trig.date, before, after, method=RATE_METHODS[0])
            total = int(rc.counts.sum())
            wanted = [m for m in RATE_METHODS if m != "etest" or total <= ETEST_MAX_EVENTS]
            if len(wanted) > 1:
                rc = rate_change(
                    ev, trig.date, before, after, method=RATE_METHODS[0], methods=wanted
                )
        except IncidentStatsError as exc:
            notes.append(f"{day}: not computed ({_short(exc)})")
            continue
        if len(wanted) < len(RATE_METHODS):
            notes.append(
                f"{day}: E-test left out ({total} events; its exact sum grows with the square "
                f"of the counts, so it is run up to {ETEST_MAX_EVENTS} events)"
            )
        objects[day] = rc
        methods: dict[str, Any] = {}
        for m, row in rc.table.iterrows():
            methods[str(m)] = {
                "ratio": _num(row["estimate"]),
                "ci_low": _num(row["ci_low"]),
                "ci_high": _num(row["ci_high"]),
                "pvalue": _num(row["pvalue"]),
                "statistic": _num(row["statistic"]),
            }
            rows.append(
                {
                    "trigger": day,
                    "method": str(m),
                    "ratio": _num(row["estimate"]),
                    "CI low": _num(row["ci_low"]),
                    "CI high": _num(row["ci_high"]),
                    "p": _num(row["pvalue"]),
                }
            )
        c, x = rc.counts, rc.exposures
        entry: dict[str, Any] = {
            "date": day,
            "label": trig.label,
            "before": {
                "events": int(c["before"]),
                "exposure_days": _num(x["before"]),
                "rate_per_day": _num(rc.rates["before"]),
            },
            "after": {
                "events": int(c["after"]),
                "exposure_days": _num(x["after"]),
                "rate_per_day": _num(rc.rates["after"]),
            },
            "methods": methods,
            "placebo": None,
        }
        others = [d for d in dates if d != trig.date]
        try:
            pl = placebo_test(
                ev,
                trig.date,
                before,
                after,
                n_placebo=ctx.n_placebo,
                rng=ctx.seed,
                triggers=others or None,
            )
        except IncidentStatsError as exc:
            notes.append(f"{day}: placebo test not computed ({_short(exc)})")
        else:
            entry["placebo"] = {
                "pvalue": _num(pl.pvalue),
                "n_placebo": int(pl.n_placebo),
                "n_admissible": int(pl.n_admissible),
                "statistic": str(pl.statistic),
                "observed": _num(pl.observed),
            }
            objects[f"placebo {day}"] = pl
        entry["detectable_ratio"] = (
            _detectable(entry) if len(per_trigger) < MAX_DETECTABLE else None
        )
        per_trigger.append(entry)
        if len(figures) < MAX_TRIGGER_FIGURES:
            figures.append(
                Figure(
                    f"rate-change-{i + 1}",
                    f"Events around the trigger of {day}: the two windows and their rates with "
                    "exact 95% intervals.",
                    _plotter(rc),
                )
            )
    if not per_trigger:
        raise IncidentStatsError("no trigger admits a rate comparison: " + "; ".join(notes))
    results: dict[str, Any] = {
        "methods": list(RATE_METHODS),
        "n_placebo": ctx.n_placebo,
        "window": None if ctx.window is None else f"{ctx.window / pd.Timedelta(days=1):g}D",
        "triggers": per_trigger,
    }
    summ = Summary("Rate ratio after / before each trigger")
    counts_table = pd.DataFrame(
        [
            {
                "trigger": e["date"],
                "events before": e["before"]["events"],
                "days before": e["before"]["exposure_days"],
                "events after": e["after"]["events"],
                "days after": e["after"]["exposure_days"],
                "placebo p": e["placebo"]["pvalue"] if e["placebo"] else None,
                "detectable rise (x)": (e["detectable_ratio"] or {}).get("increase"),
                "detectable fall (x)": (e["detectable_ratio"] or {}).get("decrease"),
            }
            for e in per_trigger
        ]
    ).astype(object)
    counts_table = counts_table.where(counts_table.notna(), None)
    summ.add_table(
        "Counts, exposures, placebo p-value, and the smallest rise / largest fall the exact "
        "test detects with 80% power",
        counts_table,
    )
    summ.add_table(
        "Rate ratio (after / before), 95% interval and p-value, by method", pd.DataFrame(rows)
    )
    summ.notes.extend(notes)
    summaries = [summ]
    if len(per_trigger) > 1:
        multiple = _multiple(ctx, [pd.Timestamp(e["date"]) for e in per_trigger])
        if multiple is not None:
            results["holm"] = multiple[0]
            summaries.append(multiple[1])
    paragraphs = [_RATE_INTRO.format(n=ctx.n_placebo)]
    paragraphs += [_rate_change_sentence(e) for e in per_trigger[:MAX_TRIGGER_FIGURES]]
    if len(per_trigger) > MAX_TRIGGER_FIGURES:
        paragraphs.append(f"The tables give all {len(per_trigger)} triggers.")
    return Section(
        "rate_change",
        SECTION_TITLES["rate_change"],
        paragraphs=tuple(paragraphs),
        summaries=tuple(summaries),
        figures=tuple(figures),
        results=results,
        objects=objects,
    )


_RATE_INTRO = (
    "Each trigger splits the events into a window before and one after it (events on the "
    "trigger's own day count after). The exact conditional test treats the events as Poisson "
    "and compares the two counts given their total; score, E-test and Wald (log) versions are "
    "shown beside it because analysts compare them. The placebo test lays the same windows "
    "at {n} other dates and ranks the real change among them: it is the honest test when the "
    "trigger was chosen after looking at the data."
)


def _multiple(
    ctx: Context, dates: list[pd.Timestamp]
) -> tuple[list[dict[str, Any]], Summary] | None:
    w = ctx.window
    try:
        res = multiple_triggers(ctx.events, dates, w, w, method=RATE_METHODS[0], adjust="holm")
    except IncidentStatsError:
        return None
    table = res.table.reset_index()
    rows = [
        {
            "trigger": _ts(r["trigger"]),
            "pvalue": _num(r["pvalue"]),
            "pvalue_holm": _num(r["pvalue_adjusted"]),
        }
        for _, r in table.iterrows()
    ]
    summ = Summary("Several triggers: Holm-adjusted p-values")
    summ.add_table(
        "Exact conditional p-value at each trigger and its Holm adjustment",
        pd.DataFrame(rows).rename(columns={"pvalue_holm": "Holm-adjusted p"}),
    )
    summ.add_note(
        "With several triggers, some p-values are small by chance; the Holm "
        "adjustment controls the chance of any false rejection."
    )
    return rows, summ


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _plotter(result: Any, method: str = "plot") -> Any:
    """``draw(ax)`` calling ``result.<method>(ax=ax)`` (binds the result now, not later)."""

    def draw(ax: Any) -> Any:
        return getattr(result, method)(ax=ax)

    return draw


def _detectable(entry: dict[str, Any]) -> dict[str, Any] | None:
    """Smallest increase and decrease the exact test detects with 80% power in these windows,
    at the rate seen before the trigger (``ist.detectable_ratio``)."""
    b, a = entry["before"], entry["after"]
    if not b["events"] or not b["exposure_days"] or not a["exposure_days"]:
        return None
    # the exact power sums over every possible total (quadratic in the counts), so large
    # windows use the score test's power (normal approximation, accurate there)
    expected = b["rate_per_day"] * (b["exposure_days"] + a["exposure_days"])
    method = "exact-cond" if expected <= ETEST_MAX_EVENTS else "score"
    out: dict[str, Any] = {"power": 0.8, "method": method}
    for direction in ("increase", "decrease"):
        try:
            out[direction] = _num(
                detectable_ratio(
                    b["rate_per_day"],
                    b["exposure_days"],
                    a["exposure_days"],
                    power=0.8,
                    direction=direction,
                    method=method,
                )
            )
        except IncidentStatsError:
            out[direction] = None
    return out


def _rate_change_sentence(e: dict[str, Any]) -> str:
    b, a = e["before"], e["after"]
    exact = e["methods"].get("exact-cond") or next(iter(e["methods"].values()))
    text = (
        f"At {e['date']}: {b['events']} event{'' if b['events'] == 1 else 's'} in "
        f"{_fmt(b['exposure_days'])} days before and "
        f"{a['events']} in {_fmt(a['exposure_days'])} days after; the rate ratio is "
        f"{_fmt(exact['ratio'])} (95% CI {_fmt(exact['ci_low'])} to {_fmt(exact['ci_high'])}, "
        f"exact conditional p {_fp(exact['pvalue'])})."
    )
    if e.get("placebo"):
        text += (
            f" Among {e['placebo']['n_placebo']} placebo dates the observed change ranks "
            f"with p {_fp(e['placebo']['pvalue'])}."
        )
    return text


# =============================================================================================
# interrupted time series
# =============================================================================================
def build_its(ctx: Context) -> Section:
    if not ctx.triggers:
        return _no_triggers("its")
    if not ctx.breaks:
        return _no_breaks("its", ctx)
    counts = ctx.events.counts("W")
    dates = list(ctx.breaks)
    trig = dates if len(dates) > 1 else dates[0]
    family, fallback = "negbin", None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = interrupted_time_series(counts, trig, family="negbin", trend=True)
        except Exception as exc:  # e.g. no overdispersion: the NB dispersion at its bound
            fallback = f"{type(exc).__name__}: {_short(exc)}"
    not_converged = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    if fallback is None and not_converged:
        fallback = f"it did not converge ({_short(Exception(not_converged[0].message))})"
    if fallback is not None:
        family = "quasipoisson"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = interrupted_time_series(counts, trig, family=family, trend=True)
    hac = False
    lb = getattr(res, "ljung_box", None) or {}
    lb_p = _num(lb.get("pvalue")) if isinstance(lb, dict) else None
    if lb_p is not None and lb_p < 0.05:
        # autocorrelated residuals: Newey-West (HAC) standard errors, as the its module advises
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = interrupted_time_series(counts, trig, family=family, trend=True, hac=True)
        hac = True
    for w in caught:  # hand the kept fit's warnings on to the section (HAC answers autocorrelation)
        if not (hac and "autocorrelat" in str(w.message).lower()):
            warnings.warn(w.message, w.category, stacklevel=2)
    changes = []
    for eff in getattr(res, "level_changes", None) or [res.level_change]:
        low, high = _ci(eff.confidence_interval)
        changes.append(
            {
                "trigger": _ts(eff.trigger) if eff.trigger is not None else None,
                "ratio": _num(eff.ratio),
                "ci_low": low,
                "ci_high": high,
                "pvalue": _num(eff.pvalue),
            }
        )
    results = {
        "family": family,
        "negbin_failed": fallback,
        "hac": hac,
        "freq": "W",
        "n_bins": int(counts.n_bins),
        "breaks": [_ts(d) for d in dates],
        "level_change": changes[0],
        "level_changes": changes,
        "params": {str(k): _num(v) for k, v in res.params.items()},
        "dispersion": _num(getattr(res, "dispersion", None)),
        "ljung_box_pvalue": lb_p,
    }
    first = changes[0]
    family_text = "negative-binomial" if family == "negbin" else "quasi-Poisson"
    paragraphs = [
        f"A segmented {family_text} regression of the {counts.n_bins} weekly counts (log "
        "link, the days observed in each week as exposure, a linear trend and a step at "
        f"{'each break' if len(dates) > 1 else 'the trigger'}) puts the rate ratio at "
        f"{first['trigger']} at {_fmt(first['ratio'])} (95% CI {_fmt(first['ci_low'])} to "
        f"{_fmt(first['ci_high'])}, p {_fp(first['pvalue'])}). Unlike the window "
        "comparison above, it allows for a trend and for counts more variable than Poisson."
    ]
    if fallback is not None:
        paragraphs.append(
            "The negative-binomial fit failed on these counts, so the quasi-Poisson model "
            f"(Pearson dispersion) is used instead; the negative-binomial fit: {fallback}."
        )
    if hac:
        paragraphs.append(
            f"The residuals of the first fit were autocorrelated (Ljung-Box p {_fp(lb_p)}), "
            "so the intervals and p-values use Newey-West (HAC) standard errors."
        )
    figs = (
        Figure(
            "its",
            "Weekly counts, the fitted segmented model and the counterfactual without the step.",
            _plotter(res),
        ),
    )
    return Section(
        "its",
        SECTION_TITLES["its"],
        paragraphs=tuple(paragraphs),
        summaries=(res.summary(),),
        figures=figs,
        results=results,
        objects={"its": res},
    )


# =============================================================================================
# change points
# =============================================================================================
#: Half-width of the window around a trigger in which an estimated change "coincides" with it.
COINCIDENCE_DAYS = 14


def build_changepoints(ctx: Context) -> Section:
    from ..changepoints import changepoints  # numba: loaded when the section runs

    counts = ctx.events.counts("D")
    cp = changepoints(counts, method="pelt", penalty="mbic", n_boot=ctx.n_boot, rng=ctx.seed)
    cps = [pd.Timestamp(c) for c in cp.changepoints]
    results: dict[str, Any] = {
        "method": "pelt",
        "penalty": "mbic",
        "freq": "D",
        "n_boot": ctx.n_boot,
        "changepoints": [_ts(c) for c in cps],
        "segments": _records(cp.segments),
        "location_intervals": _records(cp.location_uncertainty),
        "coincides_with_triggers": None,
    }
    summ = Summary("Change points (PELT, Poisson cost, MBIC penalty, daily counts)")
    summ.add_table("Segments: events, days and rate per day with 95% interval", cp.segments)
    if len(cp.location_uncertainty):
        summ.add_table("When: 95% bootstrap interval for each change date", cp.location_uncertainty)
    if cps:
        text = (
            f"Without assuming any date, PELT (Poisson likelihood of the daily counts, MBIC "
            f"penalty) finds {len(cps)} change{'s' if len(cps) != 1 else ''} in the rate: "
            + "; ".join(_cp_phrase(r) for r in results["location_intervals"])
            + "."
        )
    else:
        text = (
            "Without assuming any date, PELT (Poisson likelihood of the daily counts, MBIC "
            "penalty) finds no change in the rate: a constant rate fits the daily counts "
            "as well as any segmentation once the penalty for extra changes is paid."
        )
    paragraphs = [text]
    if ctx.triggers:
        co = cp.coincides_with(ctx.trigger_dates, tolerance=f"{COINCIDENCE_DAYS}D")
        table = _records(co)
        results["coincides_with_triggers"] = {"tolerance_days": COINCIDENCE_DAYS, "table": table}
        summ.add_table(f"Does a change lie within {COINCIDENCE_DAYS} days of each trigger?", co)
        near = [r for r in table if (_num(r.get("probability")) or 0) >= 0.5]
        paragraphs.append(
            f"In {ctx.n_boot} bootstrap replicates of the fitted segments, a change fell within "
            f"{COINCIDENCE_DAYS} days of "
            + (
                "; ".join(f"{r['trigger']} in {_pct(r['probability'])} of them" for r in table[:5])
                + ("; ..." if len(table) > 5 else "")
            )
            + "."
            + (" No trigger is singled out by the data." if not near else "")
        )
    figs: tuple[Figure, ...] = (
        Figure(
            "changepoints",
            "Daily counts with the segment rates and the change-date intervals.",
            _plotter(cp),
        ),
    )
    return Section(
        "changepoints",
        SECTION_TITLES["changepoints"],
        paragraphs=tuple(paragraphs),
        summaries=(summ,),
        figures=figs,
        results=results,
        objects={"changepoints": cp},
    )


def _pct(p: Any) -> str:
    v = _num(p)
    return "?" if v is None else f"{100 * v:.0f}%"


def _cp_phrase(row: dict[str, Any]) -> str:
    return f"{row.get('changepoint')} (95% interval {row.get('low')} to {row.get('high')})"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a result table as JSON-able dicts (dates as ISO strings, NaT/NaN as None)."""
    shown = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    out = []
    for rec in shown.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for k, v in rec.items():
            if isinstance(v, pd.Timestamp):
                row[str(k)] = _ts(v)
            elif v is pd.NaT or (isinstance(v, float) and not math.isfinite(v)):
                row[str(k)] = None
            else:
                row[str(k)] = jsonable(v)
        out.append(row)
    return out


# =============================================================================================
# model comparison
# =============================================================================================
MODEL_LABELS = {
    "poisson": "Poisson (constant rate)",
    "piecewise_poisson": "Piecewise Poisson (rate changes at the breaks)",
    "hawkes": "Hawkes (exponential kernel, constant baseline)",
    "hawkes_break": "Hawkes with the baseline changing at the breaks",
}


#: The models' names inside sentences.
MODEL_NAMES = {
    "poisson": "constant-rate Poisson model",
    "piecewise_poisson": "piecewise Poisson model",
    "hawkes": "Hawkes model",
    "hawkes_break": "Hawkes model with a baseline break",
}


def build_models(ctx: Context) -> Section:
    # numba and scipy's optimisers: loaded when the section runs, not on import
    from ..compare import compare_models
    from ..hawkes import HawkesProcess, PiecewiseBaseline, PoissonProcess

    ev = ctx.events
    breaks = [_ts(d) for d in ctx.breaks]
    fits: dict[str, Any] = {"poisson": PoissonProcess().fit(ev)}
    if breaks:
        fits["piecewise_poisson"] = PoissonProcess(breaks=breaks).fit(ev)
    fits["hawkes"] = HawkesProcess(kernel="exponential").fit(ev, rng=ctx.seed)
    if breaks:
        fits["hawkes_break"] = HawkesProcess(
            kernel="exponential", baseline=PiecewiseBaseline(breaks=breaks)
        ).fit(ev, rng=ctx.seed)
    ctx.store["fits"] = fits
    models: dict[str, Any] = {}
    rows = []
    for key, res in fits.items():
        gof = res.gof()
        models[key] = {
            "params": {str(k): _num(v) for k, v in res.params.items()},
            "n_params": int(len(res.params)),
            "loglik": _num(res.loglik),
            "aic": _num(res.aic),
            "bic": _num(res.bic),
            "converged": bool(getattr(res, "converged", True)),
            "gof_ks_statistic": _num(gof.statistic),
            "gof_ks_pvalue": _num(gof.pvalue),
            "gof_ljung_box_pvalue": _num(getattr(gof, "ljung_box_pvalue", None)),
        }
        rows.append(
            {
                "model": MODEL_LABELS[key],
                "parameters": len(res.params),
                "log-likelihood": _num(res.loglik),
                "AIC": _num(res.aic),
                "BIC": _num(res.bic),
                "KS p (GOF)": _num(gof.pvalue),
            }
        )
    best = min(models, key=lambda k: models[k]["aic"] if models[k]["aic"] is not None else 1e300)
    for row, key in zip(rows, models):
        aic = models[key]["aic"]
        row["delta AIC"] = None if aic is None else aic - models[best]["aic"]
    results: dict[str, Any] = {"breaks": breaks, "models": models, "best_by_aic": best}
    summ = Summary("Models compared")
    summ.add_table("Log-likelihood, information criteria and goodness of fit", pd.DataFrame(rows))
    params = pd.DataFrame(
        [{"model": MODEL_LABELS[k], **m["params"]} for k, m in models.items()]
    ).astype(object)
    params = params.where(params.notna(), None)  # blank where a model has no such parameter
    summ.add_table("Estimates", params)
    summaries = [summ]
    comparison = compare_models(list(fits.values()))
    tests = getattr(comparison, "tests", None)
    if isinstance(tests, pd.DataFrame):
        results["lr_tests"] = _records(tests)
    full = comparison.summary()
    lr = Summary("Likelihood-ratio tests between nested models")
    lr.tables.extend(t for t in full.tables if not t[0].lower().startswith("fit statistics"))
    lr.notes.extend(full.notes)
    summaries.append(lr)
    duration = float(ev.duration("D"))
    for v in models.values():
        v["excitation_identified"] = _identified(v["params"], duration)
    n_h = models["hawkes"]["params"].get("branching_ratio")
    paragraphs = [f"By AIC the best of the {len(models)} models is the {MODEL_NAMES[best]}."]
    if n_h is not None and models["hawkes"]["excitation_identified"] is False:
        paragraphs.append(
            "In the Hawkes model the fitted excitation decays more slowly than the window is "
            f"long (mean delay {_fmt(1 / models['hawkes']['params']['decay'])} days against "
            f"{_fmt(duration)} days observed): contagion is not identified from these data; "
            "the excitation term only mimics a slow drift of the background rate."
        )
    elif n_h is not None:
        paragraphs.append(
            f"The Hawkes model's branching ratio (the mean number of further events each "
            f"event triggers) is {_fmt(n_h)}"
            + (": little sign of contagion." if n_h < 0.1 else ".")
        )
    figs: tuple[Figure, ...] = (
        Figure(
            "models-gof",
            "Time-rescaling QQ plot of the constant-baseline Hawkes model.",
            _plotter(fits["hawkes"], "plot_gof"),
        ),
    )
    if "hawkes_break" in fits:
        figs += (
            Figure(
                "models-intensity",
                "Fitted intensity of the Hawkes model with the baseline break.",
                _plotter(fits["hawkes_break"], "plot_intensity"),
            ),
        )
    return Section(
        "models",
        SECTION_TITLES["models"],
        paragraphs=tuple(paragraphs),
        summaries=tuple(summaries),
        figures=figs,
        results=results,
        objects=dict(fits),
    )


# =============================================================================================
# forecast
# =============================================================================================
def build_forecast(ctx: Context) -> Section:
    fits = ctx.store.get("fits")
    if not fits:
        models = ctx.store.get("models")
        reason = "needs the fitted models of the model-comparison section"
        if models is not None and models.reason:
            reason += f" ({models.status}: {models.reason})"
        return Section(
            "forecast", SECTION_TITLES["forecast"], status="not_applicable", reason=reason
        )
    hawkes = [k for k in ("hawkes", "hawkes_break") if k in fits]
    key = min(hawkes, key=lambda k: fits[k].aic)
    # parametric-bootstrap parameter draws, so the fan includes the estimates' uncertainty
    n_draws = max(1, min(100, ctx.n_paths // 10))
    fc = fits[key].forecast(
        horizon=ctx.horizon,
        n_paths=ctx.n_paths,
        rng=ctx.seed,
        parameter_uncertainty="bootstrap",
        n_draws=n_draws,
    )
    quant = fc.count_quantiles()
    results = {
        "model": key,
        "horizon": ctx.horizon,
        "n_paths": int(fc.n_paths),
        "parameter_uncertainty": fc.parameter_uncertainty,
        "n_param_draws": int(fc.n_param_draws),
        "degenerate_fit": fc.degenerate_fit,
        "start": _ts(fc.start),
        "end": _ts(fc.end),
        "expected_count": _num(fc.expected_count),
        "expected_count_se": _num(fc.expected_count_se),
        "prob_any": _num(fc.prob_any),
        "prob_any_exact": _num(fc.prob_any_exact),
        "prob_at_least": {str(int(k)): _num(v) for k, v in fc.prob_at_least["probability"].items()},
        "count_quantiles": {str(k): _num(v) for k, v in quant.items()},
    }
    lo, hi = quant.iloc[0], quant.iloc[-1]
    paragraphs = [
        f"From the {MODEL_NAMES[key]} (the better Hawkes model by AIC), {ctx.n_paths} "
        "simulated continuations of the history give "
        f"{_fmt(fc.expected_count)} events expected from {_ts(fc.start)} to {_ts(fc.end)} "
        f"({quant.index[0]}–{quant.index[-1]} range {int(lo)} to {int(hi)}), and a "
        f"probability of {_fmt(fc.prob_any_exact)} of at least one event. Each block of "
        f"paths uses parameters refitted to a series simulated from the fit ({n_draws} "
        "parametric-bootstrap draws), so the range includes the uncertainty of the "
        "estimates (with few events it can still be somewhat too narrow)."
    ]
    figs = (
        Figure(
            "forecast", "Observed cumulative events and the simulated forecast fan.", _plotter(fc)
        ),
    )
    return Section(
        "forecast",
        SECTION_TITLES["forecast"],
        paragraphs=tuple(paragraphs),
        summaries=(fc.summary(),),
        figures=figs,
        results=results,
        objects={"forecast": fc},
    )


# =============================================================================================
# interpretation
# =============================================================================================
def build_interpretation(ctx: Context) -> Section:
    """Findings generated from the numbers of the earlier sections.

    Each finding has a stable ``code``, a ``kind`` (``"shows"``: what the numbers support;
    ``"caveat"``: what they cannot show) and the sentence shown.
    """
    findings: list[dict[str, str]] = []

    def add(kind: str, code: str, text: str) -> None:
        findings.append({"code": code, "kind": kind, "text": text})

    ev = ctx.events
    rc = _ok(ctx, "rate_change")
    if rc is not None:
        _rate_findings(rc.results["triggers"], rc.results.get("holm"), add)
    elif ev.n < 50:
        add(
            "caveat",
            "small_counts",
            f"The series holds only {ev.n} events: every estimate below is uncertain.",
        )
    models = _ok(ctx, "models")
    if models is not None:
        _model_findings(models.results, add)
    cps = _ok(ctx, "changepoints")
    if cps is not None and ctx.triggers:
        table = cps.results.get("coincides_with_triggers", {}).get("table", [])
        probs = [_num(r.get("probability")) for r in table]
        near = [r["trigger"] for r, p in zip(table, probs) if p is not None and p >= 0.5]
        if not cps.results.get("changepoints"):
            add(
                "shows",
                "no_changepoint",
                "Searched without assuming a date, the daily counts show no change in rate "
                "that outweighs the penalty for adding one.",
            )
        elif table and not near:
            add(
                "shows",
                "changepoint_elsewhere",
                "The change points estimated without assuming a date do not sit on the "
                "triggers (each probability below one half): the rate moved at other times.",
            )
        elif near:
            add(
                "shows",
                "changepoint_at_trigger",
                "A change point estimated without assuming a date lies near "
                + ", ".join(near)
                + " (probability at least one half).",
            )
    data_sec = _ok(ctx, "data")
    wd = data_sec.results.get("weekly_dispersion") if data_sec is not None else None
    if wd is not None and wd["pvalue"] < 0.05:
        add(
            "caveat",
            "overdispersion",
            f"Weekly counts vary more than a Poisson process with one rate allows (dispersion "
            f"index {_fmt(wd['dispersion'])}, p {_fp(wd['pvalue'])}): part of it may be "
            "trend or rate changes, the rest is clustering; Poisson intervals that ignore it "
            "are too narrow, which is why the time-series model is negative binomial and the "
            "placebo test is shown.",
        )
    if ctx.triggers:
        add(
            "caveat",
            "data_chosen_trigger",
            "If a trigger date was chosen after looking at these data, the exact p-values are "
            "too small; the placebo p-value, which ranks the trigger among other dates, is the "
            "honest test in that case.",
        )
        close = _close_triggers(ctx.triggers)
        if close:
            add(
                "caveat",
                "confounded_triggers",
                "Several triggers lie within 14 days of each other ("
                + "; ".join(close[:6])
                + ("; ..." if len(close) > 6 else "")
                + "): a change between them cannot be "
                "attributed to one of them.",
            )
        add(
            "caveat",
            "association",
            "A change in rate at a date is an association in time, not proof that the "
            "trigger caused it: other events of the same weeks may explain it.",
        )
    if ev.resolution == "day" and ev.n_ties:
        add(
            "caveat",
            "ties",
            f"Times are dates only ({ev.n_ties} "
            + ("event shares" if ev.n_ties == 1 else "events share")
            + " a day with an earlier one): continuous-time results depend on how events "
            "are spread within their day; the Hawkes fits average seeded imputations.",
        )
    data = ctx.store.get("data")
    if data is not None and data.results.get("data_card", {}).get("caveats"):
        add(
            "caveat",
            "data_card",
            "The data card of this data set lists known gaps (quoted in the data summary); "
            "rates describe the recorded events, which are a sample, not a census.",
        )
    missing = [
        s.title
        for s in ctx.store.values()
        if isinstance(s, Section) and s.status in ("failed", "not_applicable")
    ]
    if missing:
        add(
            "caveat",
            "missing_sections",
            "Not computed in this report: "
            + "; ".join(missing)
            + " (see each section for the reason).",
        )
    shows = Summary("What the numbers show")
    shows.notes.extend(f["text"] for f in findings if f["kind"] == "shows")
    if not shows.notes:
        shows.notes.append("No section produced a finding that could be stated here.")
    cannot = Summary("What they cannot show")
    cannot.notes.extend(f["text"] for f in findings if f["kind"] == "caveat")
    return Section(
        "interpretation",
        SECTION_TITLES["interpretation"],
        summaries=(shows, cannot),
        results={"findings": findings},
    )


def _ok(ctx: Context, key: str) -> Section | None:
    sec = ctx.store.get(key)
    return sec if isinstance(sec, Section) and sec.status == "ok" else None


def _rate_findings(
    triggers: list[dict[str, Any]], holm: list[dict[str, Any]] | None, add: Any
) -> None:
    small = [e for e in triggers if min(e["before"]["events"], e["after"]["events"]) < 20]
    if small:
        worst = min(small, key=lambda e: min(e["before"]["events"], e["after"]["events"]))
        k = min(worst["before"]["events"], worst["after"]["events"])
        where = (
            "the trigger" if len(triggers) == 1 else f"{len(small)} of the {len(triggers)} triggers"
        )
        mdr = worst.get("detectable_ratio") or {}
        if mdr.get("increase") and mdr.get("decrease"):
            unnoticed = (
                f"with these windows the exact test detects (80% of the time) only a rate at "
                f"least {_fmt(mdr['increase'], 3)} times or at most {_fmt(mdr['decrease'], 3)} "
                "times the rate before"
            )
        else:
            unnoticed = "a change of less than about a factor of two could go unnoticed"
        add(
            "caveat",
            "small_counts",
            f"Around {where} a window holds fewer than 20 events (as few as {k}, at "
            f"{worst['date']}): the exact conditional test is used and intervals are wide; "
            f"{unnoticed}.",
        )
    adjusted = {r["trigger"]: r["pvalue_holm"] for r in holm or []}
    flagged = False
    uninformative: list[str] = []
    for e in triggers:
        exact = e["methods"].get("exact-cond") or {}
        pl = e.get("placebo") or {}
        p, pp, ratio = exact.get("pvalue"), pl.get("pvalue"), exact.get("ratio")
        if p is None or ratio is None:
            continue
        if pp is not None and 1.0 / (1 + pl["n_placebo"]) > 0.05:
            # too few placebo dates for the rank test ever to reach 5%: it cannot disagree
            uninformative.append(f"{e['date']} ({pl['n_placebo']} dates)")
            pp = None
        label = "exact p"
        if e["date"] in adjusted and adjusted[e["date"]] is not None:
            p, label = adjusted[e["date"]], "Holm-adjusted exact p"
        flagged = flagged or p < 0.05
        if p < 0.05 and (pp is None or pp < 0.05):
            add(
                "shows",
                "rate_changed",
                f"After {e['date']} the rate was {_fmt(ratio)} times the rate before "
                f"({label} {_fp(p)}" + (f", placebo p {_fp(pp)}" if pp is not None else "") + ").",
            )
        elif p < 0.05:
            add(
                "caveat",
                "placebo_disagrees",
                f"At {e['date']} the exact test rejects equal rates ({label} {_fp(p)}) but "
                f"the placebo test does not (p {_fp(pp)}): changes this large happen at "
                "many dates in these data, so the trigger is not singled out.",
            )
        elif len(triggers) <= MAX_TRIGGER_FIGURES:
            add(
                "shows",
                "no_rate_change",
                f"At {e['date']} the data are consistent with no change in rate (ratio "
                f"{_fmt(ratio)}, 95% CI {_fmt(exact.get('ci_low'))} to "
                f"{_fmt(exact.get('ci_high'))}, {label} {_fp(p)}); the interval shows how "
                "large a change the data cannot exclude.",
            )
    if uninformative:
        add(
            "caveat",
            "placebo_uninformative",
            "Too few placebo dates fit in the series for the placebo test to reach 5% at "
            + ", ".join(uninformative[:6])
            + ("; ..." if len(uninformative) > 6 else "")
            + "; there only the exact test speaks, and a data-chosen trigger cannot be checked.",
        )
    if len(triggers) > MAX_TRIGGER_FIGURES and not flagged:
        add(
            "shows",
            "no_rate_change",
            f"At none of the {len(triggers)} triggers does the rate change beyond what chance "
            "allows once the number of triggers is accounted for (Holm).",
        )


def _model_findings(res: Mapping[str, Any], add: Any) -> None:
    m = res["models"]
    best = res["best_by_aic"]
    add(
        "shows",
        f"best_model_{best}",
        {
            "poisson": "Neither a shift in the background rate at the breaks nor contagion "
            "between events improves on a constant rate by AIC.",
            "piecewise_poisson": "A shift in the background rate at the breaks describes the "
            "data better (by AIC) than contagion between events or a constant rate.",
            "hawkes": "Contagion between events (a Hawkes model with a constant background) "
            "describes the data better (by AIC) than a shift in rate at the breaks.",
            "hawkes_break": "Both contagion between events and a shift in the background rate "
            "at the breaks are needed to describe the data (best by AIC).",
        }[best],
    )
    for key, v in m.items():
        p = v.get("gof_ks_pvalue")
        if p is not None and p < 0.05:
            add(
                "caveat",
                "gof_failure",
                f"The {MODEL_NAMES[key]} fails the time-rescaling goodness-of-fit test "
                f"(KS p {_fp(p)}): its numbers describe the data poorly.",
            )
        n = v["params"].get("branching_ratio")
        if n is None:
            continue
        if v.get("excitation_identified") is False:
            if n > 0.1:
                add(
                    "caveat",
                    "excitation_not_identified",
                    f"In the {MODEL_NAMES[key]} the excitation decays more slowly than the "
                    f"window is long, so its branching ratio ({_fmt(n)}) is not identified by "
                    "these data and should not be read as contagion.",
                )
        elif n > 0.9:
            add(
                "caveat",
                "near_critical",
                f"The {MODEL_NAMES[key]} has a branching ratio of {_fmt(n)}, close to 1: "
                "self-excitation this strong often stands in for an unmodelled trend.",
            )


def _identified(params: Mapping[str, Any], duration_days: float) -> bool | None:
    """Whether a Hawkes excitation can be told apart from the baseline in the window.

    With an exponential kernel of decay beta, an event's offspring arrive after a mean delay
    of 1 / beta. When that delay exceeds the window (beta * T < 1) the kernel is nearly flat
    over the data, so excitation and baseline trade off and the branching ratio is not
    identified. None for models without excitation.
    """
    decay = _num(params.get("decay"))
    if params.get("branching_ratio") is None or decay is None:
        return None
    # the Hawkes fit holds the decay at exactly 1/T when the data push it lower
    return bool(decay * duration_days > 1.0 + 1e-6)


def _close_triggers(triggers: list[Trigger], days: int = 14) -> list[str]:
    out = []
    for a, b in itertools.pairwise(triggers):
        if (b.date - a.date) <= pd.Timedelta(days=days):
            out.append(f"{_ts(a.date)} and {_ts(b.date)}")
    return out
