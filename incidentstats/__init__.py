"""incidentstats: statistics of incident frequencies.

When did attacks, crimes, outages or cases become more or less frequent; is their clustering
contagion or a shift in the background rate; and what comes next?

>>> import incidentstats as ist
>>> ev = ist.datasets.load_iraq_attacks()
>>> ev.n
99
"""

from __future__ import annotations

from . import datasets, exceptions
from .counts import CountSeries, as_count_series
from .events import EventSeries
from .exceptions import IncidentStatsError, IncidentStatsWarning
from .io import read_events

__version__ = "0.1.0"

__all__ = [
    "CountSeries",
    "EventSeries",
    "IncidentStatsError",
    "IncidentStatsWarning",
    "__version__",
    "as_count_series",
    "datasets",
    "exceptions",
    "read_events",
]
