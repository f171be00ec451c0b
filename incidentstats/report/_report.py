"""The :func:`report` entry point."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validation import (
    check_choice,
    check_positive,
    error,
    to_timedelta,
    to_timestamp,
    type_error,
)
from ._model import SECTION_KEYS, SECTION_TITLES, Report, Section
from ._sections import Context, Trigger, build_data, run_section

__all__ = ["MAX_BREAKS", "report"]

#: Most triggers that become model breaks by default (see ``breaks=`` of :func:`report`).
MAX_BREAKS = 4


def _builders() -> dict[str, Callable[[Context], Section]]:
    from . import _analyses

    return {
        "data": build_data,
        "rate_change": _analyses.build_rate_change,
        "its": _analyses.build_its,
        "changepoints": _analyses.build_changepoints,
        "models": _analyses.build_models,
        "forecast": _analyses.build_forecast,
        "interpretation": _analyses.build_interpretation,
    }


def _parse_triggers(triggers: Any) -> list[Trigger]:
    if triggers is None:
        return []
    if isinstance(triggers, pd.DataFrame):
        cols = [str(c) for c in triggers.columns]
        if "date" not in cols:
            raise error(
                "The `triggers` table",
                "must have a `date` column (and optionally `event` or `label`)",
                f"columns {cols}",
            )
        label_col = next((c for c in ("label", "event", "name") if c in cols), None)
        labels = (
            ["" if pd.isna(x) else str(x) for x in triggers[label_col]]
            if label_col
            else [""] * len(triggers)
        )
        values: list[Any] = triggers["date"].tolist()
    elif isinstance(triggers, (str, pd.Timestamp)) or not isinstance(
        triggers, Sequence | pd.Index | pd.Series | np.ndarray
    ):
        values, labels = [triggers], [""]
    else:
        values = list(triggers)
        labels = [""] * len(values)
    by_date: dict[pd.Timestamp, str] = {}
    for value, label in zip(values, labels):
        ts = to_timestamp("triggers", value)
        text = str(label)
        if not by_date.get(ts):  # a repeated date keeps the first non-empty label
            by_date[ts] = text
    return [Trigger(ts, by_date[ts]) for ts in sorted(by_date)]


def report(
    events: Any,
    triggers: Any = None,
    *,
    window: Any = None,
    filter: Any = None,
    sections: Any = "all",
    seed: int = 0,
    title: str | None = None,
    dataset: str | None = None,
    breaks: Any = None,
    triggers_outside: str = "error",
    n_placebo: int = 199,
    n_paths: int = 400,
    n_boot: int = 200,
    horizon: str = "30D",
    progress: bool = False,
) -> Report:
    """Build a rate-change report for a series of events and candidate trigger dates.

    Parameters
    ----------
    events : EventSeries
        The events, with their observation window.
    triggers : date-like, sequence of date-likes or DataFrame, optional
        Candidate trigger dates. A DataFrame needs a ``date`` column and may have an ``event``
        or ``label`` column (e.g. :func:`incidentstats.datasets.load_iraq_triggers`).
    window : duration, optional
        Length of the windows before and after each trigger for the rate comparison (e.g.
        ``"67D"``); default all data up to / from the trigger (each window stops at the
        neighbouring trigger when there are several).
    filter : str, optional
        A query over the marks applied first (``"target_type != 'convoy'"``).
    sections : "all" or sequence of str
        Which sections to run, from :data:`SECTION_KEYS`; the data summary always runs.
    seed : int
        Seed of every random step (placebo dates, tie imputation, bootstrap, forecast paths):
        the same data, options and seed give byte-identical output files.
    title : str, optional
        Report title; default names the series and the first trigger.
    dataset : str, optional
        Name of the bundled data set the events came from; its data card's caveats are quoted.
    breaks : sequence of date-likes, optional
        The triggers at which the interrupted time series and the piecewise Poisson and Hawkes
        models put a break (each must be one of ``triggers``). Default: every trigger when
        there are at most :data:`MAX_BREAKS`, else none (a model with a break at each of many
        triggers is not identifiable from a few events; the report says so).
    triggers_outside : {"error", "skip"}
        What to do with a trigger outside the observation window: raise, or leave it out and
        say so in the data summary.
    n_placebo : int
        Number of placebo dates for each placebo test.
    n_paths : int
        Number of simulated paths for the forecast.
    n_boot : int
        Parametric-bootstrap replicates for the change-date intervals.
    horizon : str
        Forecast horizon.
    progress : bool
        Show a progress bar on standard error.

    Returns
    -------
    Report

    Notes
    -----
    Sections call only the public API: :func:`incidentstats.rate_change`,
    :func:`incidentstats.placebo_test`, :func:`incidentstats.interrupted_time_series`,
    :func:`incidentstats.changepoints`, :class:`incidentstats.PoissonProcess`,
    :class:`incidentstats.HawkesProcess`, :func:`incidentstats.compare_models` and the
    results' own ``forecast``, ``gof`` and ``plot`` methods. A section the library refuses
    for these data, or whose method fails, is kept with its status and reason;
    the warnings the methods raise are listed in their section.

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.datasets.load_iraq_attacks().window("2019-10-28", "2020-03-31")
    >>> rep = ist.report(ev, triggers=["2020-01-03"], dataset="iraq_attacks")
    >>> rep["data"].results["n"], rep["rate_change"].results["triggers"][0]["after"]["events"]
    (28, 17)
    >>> rep.status["rate_change"]
    'ok'
    >>> text = rep.to_json()  # or rep.write("out/") for index.html, report.md and summary.json
    """
    from ..events import EventSeries

    if not isinstance(events, EventSeries):
        raise type_error(
            "The `events` argument of report()",
            "must be an EventSeries",
            type(events).__name__,
            "Read your data with ist.read_events(...) first.",
        )
    check_choice("triggers_outside", triggers_outside, ["error", "skip"], "report()")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise error("The `seed` argument of report()", "must be a non-negative integer", seed)
    check_positive("n_placebo", n_placebo, integer=True)
    check_positive("n_paths", n_paths, integer=True)
    check_positive("n_boot", n_boot, integer=True)
    horizon_td = to_timedelta("horizon", horizon)
    window_td = None if window is None else to_timedelta("window", window)
    if sections == "all":
        wanted = list(SECTION_KEYS)
    else:
        if isinstance(sections, str):
            sections = [sections]
        wanted = []
        for s in sections:
            check_choice("sections", s, list(SECTION_KEYS), "report()")
            wanted.append(s)
        if "data" not in wanted:
            wanted.insert(0, "data")
    ev = events
    if filter is not None:
        if not isinstance(filter, str):
            raise type_error(
                "The `filter` argument of report()",
                "must be a query string",
                type(filter).__name__,
                "Pass e.g. \"target_type != 'convoy'\".",
            )
        ev = ev.filter(filter)
    parsed = _parse_triggers(triggers)
    inside = [t for t in parsed if ev.start <= t.date < ev.end]
    outside = [t for t in parsed if t not in inside]
    if outside and triggers_outside == "error":
        t = outside[0]
        raise error(
            "The `triggers` argument",
            f"must lie inside the observation window [{_d(ev.start)}, {_d(ev.end)})",
            _d(t.date),
            "Pass a date inside the window, widen the window (start=/end=), or pass "
            "triggers_outside='skip' to leave such triggers out.",
        )
    if breaks is None:
        chosen = [t.date for t in inside] if len(inside) <= MAX_BREAKS else []
    else:
        if isinstance(breaks, (str, pd.Timestamp)):
            breaks = [breaks]
        chosen = []
        for b in breaks:
            ts = to_timestamp("breaks", b)
            if ts not in [t.date for t in inside]:
                raise error(
                    "The `breaks` argument",
                    "must list dates among the triggers inside the window",
                    _d(ts),
                    "Add the date to `triggers`, or leave `breaks` out.",
                )
            if ts not in chosen:
                chosen.append(ts)
        chosen.sort()
    ctx = Context(
        events=ev,
        triggers=inside,
        skipped_triggers=outside,
        window=window_td,
        seed=int(seed),
        dataset=dataset,
        n_placebo=int(n_placebo),
        n_paths=int(n_paths),
        n_boot=int(n_boot),
        horizon=_duration_text(horizon_td),
        breaks=chosen,
    )
    options = {
        "data": ev.name or dataset or "events",
        "dataset": dataset,
        "triggers": [{"date": _d(t.date), "label": t.label} for t in inside],
        "breaks": [_d(b) for b in chosen],
        "window": None if window_td is None else _duration_text(window_td),
        "filter": filter,
        "sections": wanted,
        "seed": int(seed),
        "n_placebo": int(n_placebo),
        "n_paths": int(n_paths),
        "n_boot": int(n_boot),
        "horizon": ctx.horizon,
    }
    builders = _builders()
    keys = [k for k in SECTION_KEYS if k in wanted]
    done: list[Section] = []
    bar = _progress(len(SECTION_KEYS), progress)
    for key in SECTION_KEYS:
        if bar is not None:
            bar.set_description(SECTION_TITLES[key][:30])
        if key in keys:
            section = run_section(key, builders[key], ctx)
            ctx.store[key] = section
        else:
            section = Section(
                key, SECTION_TITLES[key], status="skipped", reason="not requested (sections=)"
            )
        done.append(section)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if title is None:
        name = ev.name or dataset or "Events"
        title = f"Rate-change report: {name}"
        if inside:
            title += f", trigger {_d(inside[0].date)}"
            if len(inside) > 1:
                title += f" and {len(inside) - 1} more"
    return Report(title, tuple(done), options)


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="section", leave=False)


def _d(ts: pd.Timestamp) -> str:
    if ts == ts.normalize() and ts.tz is None:
        return str(ts.date())
    return ts.isoformat()


def _duration_text(td: pd.Timedelta) -> str:
    days = td / pd.Timedelta(days=1)
    if float(days).is_integer():
        return f"{int(days)}D"
    return f"{td.total_seconds() / 3600:g}h"
