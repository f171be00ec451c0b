"""Rate-change reports: one call from events and trigger dates to a report you can send.

:func:`report` runs, in order, a data summary, the rate change at each trigger (exact and
placebo tests, several methods), an interrupted time series of weekly counts, change points,
a comparison of Poisson, piecewise Poisson and Hawkes models, a 30-day forecast, and a
plain-language account of what the numbers show and what they cannot. The report composes the
library's public functions; it fits nothing of its own.
"""

from __future__ import annotations

from ._compare import DEFAULT_IGNORE, Difference, compare_summaries, flatten, load_summary
from ._model import SCHEMA_VERSION, SECTION_KEYS, Figure, Report, Section
from ._report import report
from ._sections import ReportWarning

__all__ = [
    "DEFAULT_IGNORE",
    "SCHEMA_VERSION",
    "SECTION_KEYS",
    "Difference",
    "Figure",
    "Report",
    "ReportWarning",
    "Section",
    "compare_summaries",
    "flatten",
    "load_summary",
    "report",
]
