"""One wording for every input error.

Messages follow one template: *what* (the argument or column), the *rule*, what was *given*,
and the *fix*::

    The `trigger` argument must lie inside the observation window [2019-10-28, 2020-03-31).
    Got 2021-01-01 instead. Pass a date inside the window or widen it with start=/end=.

Helpers here build such messages and check the common rules; every public function validates
its arguments through them, so errors read the same across the package.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import IncidentStatsError, IncidentStatsTypeError

__all__ = [
    "check_choice",
    "check_confidence_level",
    "check_in_range",
    "check_positive",
    "check_rng",
    "error",
    "format_examples",
    "format_rows",
    "suggest",
    "to_timedelta",
    "to_timestamp",
]


def error(what: str, rule: str, given: Any, fix: str | None = None) -> IncidentStatsError:
    """Build an :class:`IncidentStatsError` with the project's message template.

    Parameters
    ----------
    what : str
        The argument or column, e.g. ``"The `trigger` argument"``.
    rule : str
        What it must satisfy, e.g. ``"must lie inside the observation window"``.
    given : object
        What was given (already formatted if a string).
    fix : str, optional
        How to fix it.
    """
    msg = f"{what} {rule}. Got {_fmt(given)} instead."
    if fix:
        msg += f" {fix}"
    return IncidentStatsError(msg)


def type_error(what: str, rule: str, given: Any, fix: str | None = None) -> IncidentStatsTypeError:
    """Like :func:`error` but a :class:`TypeError` subclass."""
    msg = f"{what} {rule}. Got {_fmt(given)} instead."
    if fix:
        msg += f" {fix}"
    return IncidentStatsTypeError(msg)


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return value if value.startswith(("'", '"', "<")) or " " in value else repr(value)
    if isinstance(value, pd.Timestamp):
        return str(value.date()) if value == value.normalize() and value.tz is None else str(value)
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def format_rows(rows: Sequence[int], values: Sequence[Any] | None = None, limit: int = 3) -> str:
    """Format row numbers (1-based data rows) with their values: ``rows 17, 42: 'n/a', ''``."""
    rows = list(rows)
    shown = rows[:limit]
    head = "row" if len(rows) == 1 else "rows"
    text = f"{head} " + ", ".join(str(r) for r in shown)
    if len(rows) > limit:
        text += f", ... ({len(rows) - limit} more)"
    if values is not None:
        vals = list(values)[:limit]
        text += ": " + ", ".join(repr(v) for v in vals)
    return text


def format_examples(values: Iterable[Any], limit: int = 3) -> str:
    """Format the first few of many values: ``2020-01-01, 2020-01-02, ... (5 more)``."""
    vals = list(values)
    text = ", ".join(str(v) for v in vals[:limit])
    if len(vals) > limit:
        text += f", ... ({len(vals) - limit} more)"
    return text


def suggest(name: str, options: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` when a close option exists, else ``""``."""
    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=2, cutoff=0.6)
    if not close:
        lowered = {str(o).lower(): str(o) for o in options}
        if str(name).lower() in lowered:
            close = [lowered[str(name).lower()]]
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


def check_choice(name: str, value: Any, options: Sequence[str], owner: str = "") -> str:
    """Check that ``value`` is one of ``options`` (strings); return it."""
    where = f" of {owner}" if owner else ""
    if not isinstance(value, str) or value not in options:
        hint = suggest(str(value), options) if isinstance(value, str) else ""
        raise error(
            f"The `{name}` parameter{where}",
            "must be one of " + ", ".join(repr(o) for o in options),
            value,
            hint.strip() or None,
        )
    return value


def check_confidence_level(value: Any, name: str = "confidence_level") -> float:
    """Check a confidence level is a float strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) < 1:
        raise error(
            f"The `{name}` parameter",
            "must be a number strictly between 0 and 1 (e.g. 0.95)",
            value,
            "Note that it is the confidence level, not the significance level alpha.",
        )
    return float(value)


def check_positive(name: str, value: Any, *, strict: bool = True, integer: bool = False) -> Any:
    """Check a finite positive (or non-negative) number, optionally an integer."""
    ok_type = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, ok_type) or not np.isfinite(float(value)):
        kind = "an integer" if integer else "a finite number"
        raise error(f"The `{name}` parameter", f"must be {kind}", value)
    if (strict and value <= 0) or (not strict and value < 0):
        rule = "must be > 0" if strict else "must be >= 0"
        raise error(f"The `{name}` parameter", rule, value)
    return value


def check_in_range(name: str, value: Any, low: float, high: float) -> float:
    """Check ``low <= value <= high`` for a finite number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise error(f"The `{name}` parameter", "must be a finite number", value)
    if not np.isfinite(float(value)):
        raise error(f"The `{name}` parameter", "must be a finite number", value)
    if not low <= float(value) <= high:
        raise error(f"The `{name}` parameter", f"must lie in [{low}, {high}]", value)
    return float(value)


def check_rng(rng: Any) -> np.random.Generator:
    """Turn ``rng`` (None, int, SeedSequence or Generator) into a Generator (SPEC 7).

    ``None`` gives fresh OS entropy; pass an int for reproducible results. Global random
    state is never touched.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and int(rng) < 0:
            raise error("The `rng` parameter", "must be a non-negative integer seed", rng)
        return np.random.default_rng(rng)  # type: ignore[arg-type]
    raise type_error(
        "The `rng` parameter",
        "must be None, an integer seed or a numpy Generator",
        type(rng).__name__,
        "Pass e.g. rng=1 for reproducible results.",
    )


def to_timestamp(name: str, value: Any, tz: Any = None, *, keep_tz: bool = False) -> pd.Timestamp:
    """Parse a date-like argument into a Timestamp (localised to ``tz`` when naive).

    With ``keep_tz=True`` an aware value keeps its own zone and a naive one stays naive.
    """
    if isinstance(value, bool) or value is None:
        raise error(f"The `{name}` argument", "must be a date", value, "Pass e.g. '2020-01-03'.")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise error(
            f"The `{name}` argument",
            "must be a date or date-time that pandas can parse",
            value,
            "Pass e.g. '2020-01-03' or '2020-01-03 14:00'.",
        ) from exc
    if ts is pd.NaT or pd.isna(ts):
        raise error(f"The `{name}` argument", "must be a date, not missing", value)
    if keep_tz:
        return ts
    if tz is not None:
        if ts.tz is None:
            ts = ts.tz_localize(tz)
        else:
            ts = ts.tz_convert(tz)
    elif ts.tz is not None:
        raise error(
            f"The `{name}` argument",
            "must be time-zone naive because the events are naive",
            value,
            "Drop the time zone, or read the events with tz=.",
        )
    return ts


def to_timedelta(name: str, value: Any) -> pd.Timedelta:
    """Parse a duration such as ``"67D"``, ``"2W"``, a Timedelta or a number of days (> 0)."""
    if isinstance(value, bool):
        raise error(f"The `{name}` argument", "must be a duration", value)
    try:
        if isinstance(value, numbers.Real):
            td = pd.Timedelta(days=float(value))
        elif isinstance(value, str) and value.strip().upper().endswith("W"):
            td = pd.Timedelta(weeks=float(value.strip()[:-1] or 1))
        else:
            td = pd.Timedelta(value)
    except (ValueError, TypeError) as exc:
        raise error(
            f"The `{name}` argument",
            "must be a duration such as '67D', '4W' or '12h', or a number of days",
            value,
        ) from exc
    if td is pd.NaT or pd.isna(td) or td <= pd.Timedelta(0):
        raise error(f"The `{name}` argument", "must be a positive duration", value)
    return td
