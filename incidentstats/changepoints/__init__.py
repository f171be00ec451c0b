"""Change points in the rate of events or counts, with uncertainty about when.

:func:`changepoints` is the entry point: PELT and binary segmentation with a Poisson (or
negative-binomial) cost and penalties BIC / MBIC / AIC, the exact Bayesian posterior for
Poisson-Gamma segments, and Bayesian blocks for event times. :func:`penalty_path` shows how
the segmentation depends on the penalty. Array-level searches live in :mod:`.pelt`,
:mod:`.binseg`, :mod:`.bayes` and :mod:`.bayesian_blocks`.
"""

from __future__ import annotations

from ._api import changepoints, penalty_path
from ._result import ChangePointResult, PenaltyPath
from .bayesian_blocks import bayesian_blocks

__all__ = [
    "ChangePointResult",
    "PenaltyPath",
    "bayesian_blocks",
    "changepoints",
    "penalty_path",
]
