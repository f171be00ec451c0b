"""Rates and rate changes: exact one- and two-sample Poisson inference around trigger dates.

Wraps :mod:`statsmodels.stats.rates` where it does the job and adds what it lacks (the exact
conditional interval of a rate ratio, R's exact one-sample p-value), event windows around
triggers, placebo dates, several triggers with Holm adjustment, dispersion tests and power.
"""

from __future__ import annotations

from ._change import DispersionCheck, RateChangeResult, rate_change, rate_change_counts
from ._dispersion import DispersionResult, dispersion_test
from ._placebo import MultipleTriggersResult, PlaceboResult, multiple_triggers, placebo_test
from ._poisson import PoissonRateResult, poisson_rate
from ._power import detectable_ratio, power

__all__ = [
    "DispersionCheck",
    "DispersionResult",
    "MultipleTriggersResult",
    "PlaceboResult",
    "PoissonRateResult",
    "RateChangeResult",
    "detectable_ratio",
    "dispersion_test",
    "multiple_triggers",
    "placebo_test",
    "poisson_rate",
    "power",
    "rate_change",
    "rate_change_counts",
]
