"""incidentstats: statistics of incident frequencies.

When did attacks, crimes, outages or cases become more or less frequent; is their clustering
contagion or a shift in the background rate; and what comes next?

>>> import incidentstats as ist
>>> ev = ist.datasets.load_iraq_attacks()
>>> ev.n
99
"""

from __future__ import annotations

from . import datasets, exceptions, hawkes
from .batch import fit_many
from .changepoints import ChangePointResult, changepoints, penalty_path
from .compare import compare_models
from .counts import CountSeries, as_count_series
from .events import EventSeries
from .exceptions import IncidentStatsError, IncidentStatsWarning
from .hawkes import HawkesProcess, PoissonProcess
from .hawkes.discrete import DiscreteHawkes
from .hawkes.multivariate import MultivariateHawkes
from .io import read_events
from .its import interrupted_time_series
from .rates import (
    detectable_ratio,
    dispersion_test,
    multiple_triggers,
    placebo_test,
    poisson_rate,
    power,
    rate_change,
    rate_change_counts,
)
from .report import Report, report

__version__ = "0.1.0"

__all__ = [
    "ChangePointResult",
    "CountSeries",
    "DiscreteHawkes",
    "EventSeries",
    "HawkesProcess",
    "IncidentStatsError",
    "IncidentStatsWarning",
    "MultivariateHawkes",
    "PoissonProcess",
    "Report",
    "__version__",
    "as_count_series",
    "changepoints",
    "compare_models",
    "datasets",
    "detectable_ratio",
    "dispersion_test",
    "exceptions",
    "fit_many",
    "hawkes",
    "interrupted_time_series",
    "multiple_triggers",
    "penalty_path",
    "placebo_test",
    "poisson_rate",
    "power",
    "rate_change",
    "rate_change_counts",
    "read_events",
    "report",
]
