"""incidentstats: statistics of incident frequencies.

When did attacks, crimes, outages or cases become more or less frequent; is their clustering
contagion or a shift in the background rate; and what comes next?

>>> import incidentstats as ist
>>> ev = ist.datasets.load_iraq_attacks()
>>> ev.n
99
"""

from __future__ import annotations

from . import exceptions
from .exceptions import IncidentStatsError, IncidentStatsWarning

__version__ = "0.1.0"

__all__ = [
    "IncidentStatsError",
    "IncidentStatsWarning",
    "__version__",
    "exceptions",
]
