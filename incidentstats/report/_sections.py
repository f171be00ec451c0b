"""Report sections: each one calls the public API and turns its results into text, tables,
figures and JSON-able numbers. Nothing here fits a model of its own."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._results import Summary, format_number
from ..exceptions import IncidentStatsError, IncidentStatsWarning
from ..rates import dispersion_test
from ._model import SECTION_TITLES, Figure, Section

__all__ = ["Context", "ReportWarning", "Trigger", "run_section"]


class ReportWarning(IncidentStatsWarning):
    """A report section failed unexpectedly; the report was still written without it."""


@dataclass(frozen=True)
class Trigger:
    date: pd.Timestamp
    label: str = ""


@dataclass
class Context:
    """Everything sections share: the data, the options and earlier sections' results."""

    events: Any
    triggers: list[Trigger]
    skipped_triggers: list[Trigger]
    window: pd.Timedelta | None
    seed: int
    dataset: str | None
    n_placebo: int
    n_paths: int
    horizon: str
    n_boot: int = 200
    breaks: list[pd.Timestamp] = field(default_factory=list)
    store: dict[str, Any] = field(default_factory=dict)

    @property
    def trigger_dates(self) -> list[pd.Timestamp]:
        return [t.date for t in self.triggers]


def run_section(key: str, builder: Callable[[Context], Section], ctx: Context) -> Section:
    """Run one section builder, collecting the library's warnings into the section.

    A builder the library refuses for these data (an :class:`IncidentStatsError`) gives
    ``"not_applicable"`` with the library's message; any other exception gives ``"failed"`` and a
    :class:`ReportWarning`, so one broken method never loses the whole report.
    """
    title = SECTION_TITLES[key]
    failure: str | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures: list[Figure] = []
        broken: list[str] = []
        try:
            section = builder(ctx)
            for fig in section.figures:  # draw now, so a broken figure never stops a write
                try:
                    fig.png()
                except Exception as exc:
                    broken.append(f"figure {fig.name!r}: {type(exc).__name__}: {exc}")
                else:
                    figures.append(fig)
        except IncidentStatsError as exc:
            section = Section(key, title, status="not_applicable", reason=_one_line(str(exc)))
        except Exception as exc:
            failure = f"{type(exc).__name__}: {_one_line(str(exc))}"
            section = Section(key, title, status="failed", reason=failure)
    messages: list[str] = list(section.warnings)
    for w in caught:
        text = f"{w.category.__name__}: {_one_line(str(w.message))}"
        if text not in messages:
            messages.append(text)
    for text in broken:
        messages.append(f"ReportWarning: could not draw {_one_line(text)}")
        warnings.warn(
            f"In the report section {key!r}, could not draw {_one_line(text)}",
            ReportWarning,
            stacklevel=3,
        )
    if failure is not None:
        warnings.warn(f"The report section {key!r} failed: {failure}", ReportWarning, stacklevel=3)
    return Section(
        key=section.key,
        title=section.title,
        status=section.status,
        reason=section.reason,
        paragraphs=section.paragraphs,
        summaries=section.summaries,
        figures=tuple(figures) if section.status == "ok" else section.figures,
        results=section.results,
        warnings=tuple(messages),
        objects=section.objects,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _ts(value: Any) -> str:
    ts = pd.Timestamp(value)
    if ts == ts.normalize() and ts.tz is None:
        return str(ts.date())
    return ts.isoformat()


def _fmt(x: Any, digits: int = 3) -> str:
    return format_number(x, digits)


# =============================================================================================
# data summary
# =============================================================================================
def events_per_month(ev: Any) -> pd.DataFrame:
    """Events and exposure (days inside the window) per calendar month of the window."""
    start, end = ev.start, ev.end
    months = pd.period_range(start.to_period("M"), (end - pd.Timedelta(1, "ns")).to_period("M"))
    counts = ev.timestamps.to_period("M").value_counts().reindex(months, fill_value=0)
    lo = np.maximum(months.to_timestamp(how="start").to_numpy(), start.to_datetime64())
    hi_edges = (months + 1).to_timestamp(how="start").to_numpy()
    hi = np.minimum(hi_edges, end.to_datetime64())
    exposure = (hi - lo) / np.timedelta64(1, "D")
    return pd.DataFrame(
        {
            "month": [str(m) for m in months],
            "events": counts.to_numpy().astype(np.int64),
            "exposure_days": exposure.astype(float),
        }
    )


def data_card_caveats(dataset: str | None) -> tuple[str | None, list[str]]:
    """The data card of a bundled dataset: its title and the caveats it lists.

    The caveats are the items under a "Known gaps" or "Properties that matter" heading,
    plus any bold warning in the card's opening paragraph.
    """
    if dataset is None:
        return None, []
    from .. import datasets

    try:
        text = datasets.data_card(dataset)
    except IncidentStatsError:
        return None, []
    title_match = re.search(r"^# (.+)$", text, flags=re.M)
    title = title_match.group(1).strip() if title_match else None
    caveats: list[str] = []
    intro = text.split("\n## ", 1)[0]
    caveats += [
        " ".join(f"{b.strip().rstrip(':')}.".split())
        for b in re.findall(r"\*\*([^*]+)\*\*", intro)
        if "not" in b.lower()
    ]
    for block in re.split(r"\n## ", text)[1:]:
        heading, _, body = block.partition("\n")
        if not re.search(r"known gaps|properties that matter", heading, flags=re.I):
            continue
        items = re.split(r"\n\s*\d+\.\s+", "\n" + body.strip())
        items = [i for i in items if i.strip()]
        if len(items) <= 1:  # a paragraph, not a numbered list
            items = [s for s in re.split(r"(?<=\.)\s+(?=[A-Z])", body.strip()) if s]
        caveats += [" ".join(i.split()) for i in items]
    return title, caveats


def _weekly_dispersion(ev: Any) -> dict[str, Any] | None:
    """Pearson dispersion index and overdispersion p-value of the weekly counts against one
    constant rate (``ist.dispersion_test``), or None when that function refuses these counts."""
    try:
        res = dispersion_test(ev.counts("W"))
    except IncidentStatsError:
        return None
    return {
        "freq": "W",
        "n_bins": int(res.n_bins),
        "dispersion": float(res.dispersion),
        "pvalue": float(res.pvalue),
    }


def build_data(ctx: Context) -> Section:
    ev = ctx.events
    desc = ev.describe()
    months = events_per_month(ev)
    ties = ev.ties()
    card_title, caveats = data_card_caveats(ctx.dataset)
    triggers = [
        {"date": _ts(t.date), "label": t.label, "offset_days": float(ev.to_offset(t.date))}
        for t in ctx.triggers
    ]
    skipped = [{"date": _ts(t.date), "label": t.label} for t in ctx.skipped_triggers]
    results: dict[str, Any] = {
        "name": desc.get("name"),
        "n": int(ev.n),
        "start": _ts(ev.start),
        "end": _ts(ev.end),
        "duration_days": float(ev.duration("D")),
        "resolution": ev.resolution,
        "n_ties": int(ev.n_ties),
        "tied_times": len(ties),
        "rate_per_day": float(ev.n / ev.duration("D")),
        "events_per_month": months.to_dict(orient="records"),
        "triggers": triggers,
        "triggers_skipped": skipped,
        "data_card": {"dataset": ctx.dataset, "title": card_title, "caveats": caveats},
        "weekly_dispersion": _weekly_dispersion(ev),
    }
    facts = Summary("The events")
    facts.add_fact("Series", desc.get("name") or "(unnamed)")
    facts.add_fact("Events", ev.n)
    facts.add_fact("Observation window", f"[{_ts(ev.start)}, {_ts(ev.end)})")
    facts.add_fact("Length (days)", float(ev.duration("D")))
    facts.add_fact("Time resolution", ev.resolution)
    facts.add_fact("Events sharing a time with an earlier one", ev.n_ties)
    facts.add_fact("Mean rate per day", results["rate_per_day"])
    wd = results["weekly_dispersion"]
    if wd is not None:
        facts.add_fact("Weekly counts: dispersion index (Poisson = 1)", wd["dispersion"])
        facts.add_fact("Weekly counts: overdispersion test p (Pearson)", wd["pvalue"])
    if ctx.triggers:
        trig = pd.DataFrame(
            {
                "trigger": [_ts(t.date) for t in ctx.triggers],
                "label": [t.label for t in ctx.triggers],
            }
        )
        facts.add_table("Triggers", trig)
    month_table = months.rename(columns={"exposure_days": "days observed"})
    per_month = Summary("Events per month")
    per_month.add_table(
        "Events per calendar month (partial months show their days observed)", month_table
    )
    paragraphs = [
        f"{ev.n} events between {_ts(ev.start)} and {_ts(ev.end)} (end excluded), "
        f"{_fmt(ev.duration('D'), 4)} days: on average {_fmt(results['rate_per_day'])} a day, "
        f"or {_fmt(30.4375 * results['rate_per_day'])} a month."
    ]
    if ev.resolution == "day" and ev.n_ties:
        verb = "shares its day" if ev.n_ties == 1 else "share their day"
        noun = "event" if ev.n_ties == 1 else "events"
        paragraphs.append(
            f"Times are known to the day only, and {ev.n_ties} {noun} {verb} with an earlier "
            "one. Continuous-time models below spread tied events within their day over "
            "several seeded imputations rather than treating them as simultaneous."
        )
    if skipped:
        paragraphs.append(
            "Triggers outside the observation window were left out: "
            + ", ".join(f"{s['date']}" for s in skipped)
            + "."
        )
    if caveats:
        paragraphs.append(
            f"The data come from the bundled data set \u201c{card_title}\u201d. "
            "Its data card lists the caveats quoted below."
        )
        caveat_summary = Summary("Data-card caveats")
        caveat_summary.notes.extend(caveats)
        summaries: tuple[Summary, ...] = (facts, per_month, caveat_summary)
    else:
        summaries = (facts, per_month)
    ts = ev.timestamps
    trig_dates = ctx.trigger_dates
    start, end = ev.start, ev.end

    def draw(ax: Any) -> Any:
        from ..plotting.report import plot_event_overview

        return plot_event_overview(ts, start, end, triggers=trig_dates, ax=ax)

    fig = Figure(
        "data-overview",
        "Events per month (bars) and cumulative events (line); dashed lines mark the triggers.",
        draw,
    )
    return Section(
        "data",
        SECTION_TITLES["data"],
        paragraphs=tuple(paragraphs),
        summaries=summaries,
        figures=(fig,),
        results=results,
    )
