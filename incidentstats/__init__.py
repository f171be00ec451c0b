"""incidentstats: statistics of incident frequencies.

When did attacks, crimes, outages or cases become more or less frequent; is their clustering
contagion or a shift in the background rate; and what comes next?

>>> import incidentstats as ist
>>> ev = ist.datasets.load_iraq_attacks()
>>> ev.n
99

The names below are imported on first use (PEP 562, see ``incidentstats._lazy``), so
``import incidentstats`` does not load pandas, scipy or numba until they are needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:  # the same names, for type checkers (kept equal by tests/test_imports.py)
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
else:
    from ._lazy import lazy_package

    # name -> the submodule defining it (subpackages such as `datasets` load on first use too)
    __getattr__, __dir__ = lazy_package(
        __name__,
        {
            "fit_many": "batch",
            "ChangePointResult": "changepoints",
            "changepoints": "changepoints",
            "penalty_path": "changepoints",
            "compare_models": "compare",
            "CountSeries": "counts",
            "as_count_series": "counts",
            "EventSeries": "events",
            "IncidentStatsError": "exceptions",
            "IncidentStatsWarning": "exceptions",
            "HawkesProcess": "hawkes",
            "PoissonProcess": "hawkes",
            "DiscreteHawkes": "hawkes.discrete",
            "MultivariateHawkes": "hawkes.multivariate",
            "read_events": "io",
            "interrupted_time_series": "its",
            "detectable_ratio": "rates",
            "dispersion_test": "rates",
            "multiple_triggers": "rates",
            "placebo_test": "rates",
            "poisson_rate": "rates",
            "power": "rates",
            "rate_change": "rates",
            "rate_change_counts": "rates",
            "Report": "report",
            "report": "report",
        },
    )
    del lazy_package
