"""The Report object, its sections and figures."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._results import Result, Summary, jsonable

__all__ = ["SCHEMA_VERSION", "SECTION_KEYS", "SECTION_TITLES", "Figure", "Report", "Section"]

#: Version of the JSON layout written by :meth:`Report.to_json` (see docs/report_schema.md).
#: Bump the major part when a key is renamed or removed, the minor part when keys are added.
SCHEMA_VERSION = "1.1"

#: Section keys, in report order.
SECTION_KEYS: tuple[str, ...] = (
    "data",
    "rate_change",
    "its",
    "changepoints",
    "models",
    "forecast",
    "interpretation",
)

SECTION_TITLES: dict[str, str] = {
    "data": "Data summary",
    "rate_change": "Rate change at each trigger",
    "its": "Interrupted time series (weekly counts)",
    "changepoints": "Change points",
    "models": "Poisson, piecewise Poisson and Hawkes models compared",
    "forecast": "Forecast for the next 30 days",
    "interpretation": "What this shows and what it cannot",
}

#: Status of a section: computed, not requested, it does not apply to these data (the library
#: refused with a reason), or it failed unexpectedly (the reason names the exception).
STATUSES = ("ok", "skipped", "not_applicable", "failed")


class Figure:
    """A report figure: a drawing function rendered (once, on demand) to deterministic PNG.

    Parameters
    ----------
    name : str
        File stem, unique in the report (``figures/<name>.png`` in Markdown output).
    caption : str
        One-sentence caption.
    draw : callable
        ``draw(ax)`` draws on a fresh matplotlib Axes.
    figsize : (float, float)
        Size in inches.
    """

    __slots__ = ("_png", "caption", "draw", "figsize", "name")

    def __init__(
        self,
        name: str,
        caption: str,
        draw: Callable[[Any], Any],
        figsize: tuple[float, float] = (8.0, 3.6),
    ) -> None:
        self.name = name
        self.caption = caption
        self.draw = draw
        self.figsize = figsize
        self._png: bytes | None = None

    def png(self) -> bytes:
        """PNG bytes of the figure (rendered on first use, then cached)."""
        if self._png is None:
            from ..plotting.report import render_png

            self._png = render_png(self.draw, figsize=self.figsize)
        return self._png

    def __repr__(self) -> str:
        return f"Figure({self.name!r})"


@dataclass(frozen=True)
class Section:
    """One section of a report.

    Attributes
    ----------
    key : str
        Stable key (one of :data:`SECTION_KEYS`); the JSON output nests the section's numbers
        under ``sections.<key>``.
    title : str
        Heading.
    status : str
        ``"ok"``, ``"skipped"``, ``"not_applicable"`` or ``"failed"``.
    reason : str or None
        Why the status is not ``"ok"``.
    paragraphs : tuple of str
        Plain-language text.
    summaries : tuple of Summary
        Tables and facts (the results' own summaries).
    figures : tuple of Figure
    results : dict
        Every number of the section, JSON-able, under documented keys.
    warnings : tuple of str
        Warnings the library issued while computing the section.
    objects : dict
        The result objects themselves (not serialised), for interactive use.
    """

    key: str
    title: str
    status: str = "ok"
    reason: str | None = None
    paragraphs: tuple[str, ...] = ()
    summaries: tuple[Summary, ...] = ()
    figures: tuple[Figure, ...] = ()
    results: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    objects: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able content (status, reason, warnings, figure names, results)."""
        return {
            "title": self.title,
            "status": self.status,
            "reason": self.reason,
            "warnings": list(self.warnings),
            "text": list(self.paragraphs),
            "figures": [f.name for f in self.figures],
            "results": jsonable(dict(self.results)),
            "displayed": [_summary_dict(s) for s in self.summaries],
        }


#: File names a report gives its figures; only such files are ever removed from figures/.
_FIGURE_NAME = re.compile(
    r"(data-overview|rate-change-\d+|its|changepoints|models-gof|models-intensity|forecast)\.png"
)


def _remove_stale_figures(folder: Path, keep: set[str]) -> None:
    """Delete figures an earlier report left in ``folder`` that this report does not have.

    Only names this module gives figures are touched, so other files are never removed.
    """
    if not folder.is_dir():
        return
    for p in folder.iterdir():
        if p.is_file() and p.name not in keep and _FIGURE_NAME.fullmatch(p.name):
            p.unlink()


def _summary_dict(summary: Summary) -> dict[str, Any]:
    """Everything a rendered summary shows: facts, tables (index kept) and notes."""
    tables = {}
    for title, frame in summary.tables:
        shown = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
        tables[str(title)] = jsonable(shown)
    return {
        "title": summary.title,
        "facts": {str(k): jsonable(v) for k, v in summary.facts},
        "tables": tables,
        "notes": list(summary.notes),
    }


class Report(Result):
    """A rate-change report: data summary, tests at each trigger, models and caveats.

    Build one with :func:`incidentstats.report`; write it with :meth:`to_html`,
    :meth:`to_markdown` and :meth:`to_json`. In Jupyter the report displays itself.

    Attributes
    ----------
    title : str
    sections : tuple of Section
        In report order; ``report["rate_change"]`` gets one by key.
    options : dict
        The options the report was built with (JSON-able).
    schema_version : str
        Version of the JSON layout.
    """

    def __init__(
        self, title: str, sections: tuple[Section, ...], options: Mapping[str, Any]
    ) -> None:
        self.title = title
        self.sections = tuple(sections)
        self.options = dict(options)
        self.schema_version = SCHEMA_VERSION

    def __getitem__(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Every figure of the report, in order."""
        return tuple(f for s in self.sections for f in s.figures)

    @property
    def status(self) -> dict[str, str]:
        """Status of each section, by key."""
        return {s.key: s.status for s in self.sections}

    def summary(self) -> Summary:
        out = Summary(self.title)
        for s in self.sections:
            out.add_fact(s.title, s.status if s.reason is None else f"{s.status}: {s.reason}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """Every number of the report under stable keys (the JSON layout, see the docs)."""
        from .. import __version__

        return {
            "schema_version": self.schema_version,
            "generator": {"name": "incidentstats", "version": __version__},
            "title": self.title,
            "options": jsonable(self.options),
            "sections": {s.key: s.to_dict() for s in self.sections},
        }

    # -- writers --------------------------------------------------------------------------
    def to_json(self, path: str | Path | None = None) -> str:
        """Write (or return, when ``path`` is None) the report's numbers as JSON.

        The file is written atomically (temporary file + rename); the same report always gives
        the same bytes.
        """
        from ._writers import write_text

        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        if path is not None:
            write_text(Path(path), text)
        return text

    def to_markdown(self, path: str | Path | None = None, *, figures_dir: str = "figures") -> str:
        """Write (or return) the report as Markdown, with figures as PNG files beside it.

        Figures go to ``<folder of path>/<figures_dir>/<name>.png``; the Markdown links to them
        by relative path.
        """
        from ._writers import render_markdown, write_bytes, write_text

        text = render_markdown(self, figures_dir)
        if path is not None:
            path = Path(path)
            folder = path.parent / figures_dir
            for fig in self.figures:
                write_bytes(folder / f"{fig.name}.png", fig.png())
            _remove_stale_figures(folder, {f"{fig.name}.png" for fig in self.figures})
            write_text(path, text)
        return text

    def to_html(self, path: str | Path | None = None) -> str:
        """Write (or return) the report as one self-contained HTML file.

        Figures are embedded as PNG data URIs and the style sheet is inline, so the file needs
        no other file and no network.
        """
        from ._writers import render_html, write_text

        text = render_html(self)
        if path is not None:
            write_text(Path(path), text)
        return text

    def write(
        self, out_dir: str | Path, formats: tuple[str, ...] = ("html", "md", "json")
    ) -> dict[str, Path]:
        """Write ``index.html``, ``report.md`` (+ ``figures/``) and ``summary.json`` to a folder.

        Returns the paths written, by format.
        """
        from ._writers import prepare_out_dir

        out = prepare_out_dir(out_dir)
        written: dict[str, Path] = {}
        if "json" in formats:
            written["json"] = out / "summary.json"
            self.to_json(written["json"])
        if "md" in formats:
            written["md"] = out / "report.md"
            self.to_markdown(written["md"])
        if "html" in formats:
            written["html"] = out / "index.html"
            self.to_html(written["html"])
        return written

    def _repr_html_(self) -> str:
        from ._writers import render_html_body

        return render_html_body(self)

    def __repr__(self) -> str:
        lines = [f"<Report {self.title!r}>"]
        lines += [
            f"  {s.key}: {s.status}" + (f" ({s.reason})" if s.reason else "") for s in self.sections
        ]
        return "\n".join(lines)
