"""Result building blocks shared by every model: Summary, ConfidenceInterval, Result.

A :class:`Summary` is a title, a block of key/value facts, zero or more tables and notes.
It renders as plain text (``str``), HTML (``_repr_html_``, used by Jupyter) and Markdown
(``as_markdown``). Nothing in a summary depends on the wall clock, so reports built from it
are byte-stable.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ConfidenceInterval", "Result", "Summary", "format_number", "jsonable"]


def format_number(value: Any, digits: int = 4) -> str:
    """Format a number for summaries: ``digits`` significant figures, no spurious noise."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v == 0:
            return "0"
        if 1e-4 <= abs(v) < 1e6:
            text = f"{v:.{digits}g}"
            if "e" in text:  # e.g. 1e+05 for digits < magnitude
                text = f"{v:.0f}"
            return text
        return f"{v:.{max(digits - 1, 1)}e}"
    if isinstance(value, pd.Timestamp):
        if value.tz is None and value == value.normalize():
            return str(value.date())
        return str(value)
    return str(value)


def jsonable(value: Any) -> Any:
    """Convert numpy / pandas objects into plain JSON-serialisable Python values."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, pd.Series):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.total_seconds() / 86400.0
    if isinstance(value, ConfidenceInterval):
        return value.to_dict()
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict())
    if value is pd.NaT:
        return None
    return value


@dataclass(frozen=True)
class ConfidenceInterval:
    """A confidence interval ``[low, high]`` at ``confidence_level``, with the method used.

    Unpacks like a tuple: ``low, high = ci``.
    """

    low: float
    high: float
    confidence_level: float = 0.95
    method: str = ""

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield self.low
        yield self.high

    def __getitem__(self, i: int) -> float:
        return (self.low, self.high)[i]

    def __len__(self) -> int:
        return 2

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the closed interval."""
        return bool(self.low <= value <= self.high)

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": jsonable(self.low),
            "high": jsonable(self.high),
            "confidence_level": self.confidence_level,
            "method": self.method,
        }

    def __str__(self) -> str:
        pct = format_number(100 * self.confidence_level, 3)
        meth = f", {self.method}" if self.method else ""
        return f"{pct}% CI [{format_number(self.low)}, {format_number(self.high)}]{meth}"


@dataclass
class Summary:
    """Printable summary of a result: title, facts, tables and notes.

    Render with ``str(summary)``, ``summary.as_html()`` (also shown by Jupyter) or
    ``summary.as_markdown()``. Tables keep their pandas form in ``summary.tables``.
    """

    title: str
    facts: list[tuple[str, Any]] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    digits: int = 4

    def add_fact(self, name: str, value: Any) -> Summary:
        self.facts.append((name, value))
        return self

    def add_table(self, title: str, table: pd.DataFrame) -> Summary:
        self.tables.append((title, table))
        return self

    def add_note(self, note: str) -> Summary:
        self.notes.append(note)
        return self

    # -- rendering ---------------------------------------------------------------------------
    def _cell(self, value: Any) -> str:
        if isinstance(value, ConfidenceInterval):
            low = format_number(value.low, self.digits)
            return f"[{low}, {format_number(value.high, self.digits)}]"
        return format_number(value, self.digits)

    def _table_strings(self, table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
        show_index = not isinstance(table.index, pd.RangeIndex)
        header = ([str(table.index.name or "")] if show_index else []) + [
            str(c) for c in table.columns
        ]
        rows = []
        for idx, row in zip(table.index, table.itertuples(index=False)):
            cells = [self._cell(v) for v in row]
            rows.append(([self._cell(idx)] if show_index else []) + cells)
        return header, rows

    def __str__(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        if self.facts:
            width = max(len(k) for k, _ in self.facts)
            lines += [f"{k:<{width}}  {self._cell(v)}" for k, v in self.facts]
        for title, table in self.tables:
            header, rows = self._table_strings(table)
            widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
            lines += ["", title, "-" * len(title)]
            lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths)).rstrip())
            lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        if self.notes:
            lines += ["", "Notes:"]
            lines += [f"[{i}] {n}" for i, n in enumerate(self.notes, 1)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def as_text(self) -> str:
        return str(self)

    def as_markdown(self, level: int = 3) -> str:
        h = "#" * level
        out = [f"{h} {self.title}", ""]
        if self.facts:
            out += ["| | |", "|---|---|"]
            out += [f"| {_md(k)} | {_md(self._cell(v))} |" for k, v in self.facts]
            out.append("")
        for title, table in self.tables:
            header, rows = self._table_strings(table)
            out += [f"**{_md(title)}**", ""]
            out.append("| " + " | ".join(_md(c) for c in header) + " |")
            out.append("|" + "|".join("---" for _ in header) + "|")
            out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
            out.append("")
        if self.notes:
            out += [f"{i}. {_md(n)}" for i, n in enumerate(self.notes, 1)]
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def as_html(self) -> str:
        e = html.escape
        out = ['<div class="ist-summary">', f"<h4>{e(self.title)}</h4>"]
        if self.facts:
            out.append('<table class="ist-facts">')
            out += [f"<tr><th>{e(k)}</th><td>{e(self._cell(v))}</td></tr>" for k, v in self.facts]
            out.append("</table>")
        for title, table in self.tables:
            header, rows = self._table_strings(table)
            out.append(f'<table class="ist-table"><caption>{e(title)}</caption><thead><tr>')
            out += [f"<th>{e(h)}</th>" for h in header]
            out.append("</tr></thead><tbody>")
            for r in rows:
                out.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>")
            out.append("</tbody></table>")
        if self.notes:
            out.append('<ol class="ist-notes">')
            out += [f"<li>{e(n)}</li>" for n in self.notes]
            out.append("</ol>")
        out.append("</div>")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.as_html()


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


class Result:
    """Base class of result objects: ``summary()``, ``to_dict()`` and Jupyter display.

    Subclasses implement :meth:`summary` and :meth:`to_dict`; display and JSON come free.
    Results are immutable by convention: attributes are set in ``__init__`` only.
    """

    def summary(self) -> Summary:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def print_summary(self) -> None:
        """Print the text summary (the library itself never prints; this is on request)."""
        print(self.summary())

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __repr__(self) -> str:
        try:
            return str(self.summary())
        except Exception:  # pragma: no cover - never let repr fail
            return f"<{type(self).__name__}>"


def table(
    rows: Iterable[Mapping[str, Any]],
    index: str | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Build a DataFrame from row dicts (helper for summaries)."""
    frame = pd.DataFrame(list(rows), columns=list(columns) if columns else None)
    return frame.set_index(index) if index else frame
