"""Exceptions and warnings raised by incidentstats.

Every error the library raises on bad input is an :class:`IncidentStatsError`, a subclass
of :class:`ValueError` (or :class:`IncidentStatsTypeError`, a :class:`TypeError`), so generic
handlers keep working. Every warning is an :class:`IncidentStatsWarning`; filter them all with
``warnings.simplefilter("ignore", ist.exceptions.IncidentStatsWarning)``.
"""

from __future__ import annotations

__all__ = [
    "ConvergenceWarning",
    "DataWarning",
    "IncidentStatsError",
    "IncidentStatsTypeError",
    "IncidentStatsWarning",
    "SmallSampleWarning",
    "TiesWarning",
    "WindowWarning",
]


class IncidentStatsError(ValueError):
    """Bad input or an impossible request: the message names the argument, rule, value and fix."""


class IncidentStatsTypeError(IncidentStatsError, TypeError):
    """An argument of the wrong type."""


class IncidentStatsWarning(UserWarning):
    """Base class of every warning issued by incidentstats."""


class DataWarning(IncidentStatsWarning):
    """Something about the data deserves attention (dropped rows, duplicates, gaps)."""


class TiesWarning(DataWarning):
    """Tied event times (day-resolution data) met a method that needs distinct times."""


class WindowWarning(DataWarning):
    """The observation window was inferred from the data rather than given."""


class SmallSampleWarning(IncidentStatsWarning):
    """Few events: asymptotic results are unreliable; exact or profile methods are used."""


class ConvergenceWarning(IncidentStatsWarning):
    """An optimiser did not converge, or stopped at a boundary."""
