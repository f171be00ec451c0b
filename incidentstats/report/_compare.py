"""Compare two report summaries (``summary.json``) key by key, for CI."""

from __future__ import annotations

import json
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._validation import check_positive, error

__all__ = ["DEFAULT_IGNORE", "Difference", "compare_summaries", "flatten", "load_summary"]

#: Keys left out of comparisons by default: the generator's version and prose (paragraphs,
#: notes, findings' text, reasons, the wording of warnings), which may change without any
#: number moving.
DEFAULT_IGNORE: tuple[str, ...] = (
    "generator.*",
    "*.text",
    "*.text[*]",
    "*.notes",
    "*.notes[*]",
    "*.reason",
    "*.warnings",
    "*.warnings[*]",
)


@dataclass(frozen=True)
class Difference:
    """One difference between two summaries.

    ``kind`` is ``"schema"`` (the schema versions differ), ``"changed"`` (a number moved beyond
    the tolerance, or another value changed), ``"missing"`` (in the old summary only) or
    ``"added"`` (in the new summary only).
    """

    key: str
    old: Any
    new: Any
    kind: str

    def __str__(self) -> str:
        return f"{self.key}: {_show(self.old)} -> {_show(self.new)} ({self.kind})"


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:76] + '..."'


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT: Any = _Absent()


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts and lists into ``{"a.b[0].c": leaf}``.

    Empty dicts and lists are kept as leaves so that their disappearance is noticed.
    """
    out: dict[str, Any] = {}
    if isinstance(obj, Mapping) and obj:
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj:
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = obj
    return out


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _same(old: Any, new: Any, rtol: float, atol: float) -> bool:
    if _is_number(old) and _is_number(new):
        a, b = float(old), float(new)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= atol + rtol * abs(a)
    return type(old) is type(new) and bool(old == new)


def _pattern(glob: str) -> re.Pattern[str]:
    """A key pattern where ``*`` matches anything and every other character is literal."""
    return re.compile(".*".join(re.escape(part) for part in glob.split("*")))


def compare_summaries(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    ignore: Iterable[str] = DEFAULT_IGNORE,
) -> list[Difference]:
    """Differences between two report summaries (the dicts of ``summary.json``).

    Numbers agree when ``|new - old| <= atol + rtol * |old|``; any other value must be equal.
    A key present in one summary only is a difference, and so is a change of
    ``schema_version`` (listed first).

    Parameters
    ----------
    old, new : dict
        Parsed summaries (see :func:`load_summary`).
    rtol, atol : float
        Relative and absolute tolerance for numbers (both >= 0).
    ignore : iterable of str
        Patterns of flattened keys to skip, where ``*`` matches any text and everything else
        is literal (default :data:`DEFAULT_IGNORE`).

    Returns
    -------
    list of Difference
        Empty when the summaries agree.

    Examples
    --------
    >>> from incidentstats.report import compare_summaries
    >>> old = {"schema_version": "1.0", "sections": {"data": {"results": {"n": 99}}}}
    >>> new = {"schema_version": "1.0", "sections": {"data": {"results": {"n": 98}}}}
    >>> [str(d) for d in compare_summaries(old, new)]
    ['sections.data.results.n: 99 -> 98 (changed)']
    """
    check_positive("rtol", rtol, strict=False)
    check_positive("atol", atol, strict=False)
    patterns = [_pattern(p) for p in ignore]
    diffs: list[Difference] = []
    if old.get("schema_version") != new.get("schema_version"):
        diffs.append(
            Difference(
                "schema_version",
                old.get("schema_version", _ABSENT),
                new.get("schema_version", _ABSENT),
                "schema",
            )
        )
    flat_old, flat_new = flatten(dict(old)), flatten(dict(new))
    keys = list(flat_old) + [k for k in flat_new if k not in flat_old]
    for key in keys:
        if key == "schema_version" or any(p.fullmatch(key) for p in patterns):
            continue
        a = flat_old.get(key, _ABSENT)
        b = flat_new.get(key, _ABSENT)
        if a is _ABSENT:
            diffs.append(Difference(key, a, b, "added"))
        elif b is _ABSENT:
            diffs.append(Difference(key, a, b, "missing"))
        elif not _same(a, b, rtol, atol):
            diffs.append(Difference(key, a, b, "changed"))
    return diffs


def load_summary(path: Any, name: str = "compare") -> dict[str, Any]:
    """Read a ``summary.json`` written by :meth:`Report.to_json`; refuse anything else."""
    p = Path(path)
    if not p.is_file():
        raise error(
            f"The `{name}` file",
            "must be an existing summary.json written by a report",
            str(p),
            "Check the path (it does not exist or is a folder).",
        )
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(
            f"The `{name}` file",
            "must be valid JSON",
            str(p),
            f"It could not be parsed ({exc}). Pass the summary.json of an earlier report.",
        ) from exc
    if not isinstance(data, dict) or "schema_version" not in data or "sections" not in data:
        raise error(
            f"The `{name}` file",
            "must be a report summary with `schema_version` and `sections` keys",
            str(p),
            "Pass the summary.json of an earlier report.",
        )
    return data
