"""Change points in the rate of events or counts, with uncertainty about when.

:func:`changepoints` is the entry point: PELT and binary segmentation with a Poisson (or
negative-binomial) cost and penalties BIC / MBIC / AIC, the exact Bayesian posterior for
Poisson-Gamma segments, and Bayesian blocks for event times. :func:`penalty_path` shows how
the segmentation depends on the penalty. Array-level searches live in :mod:`.pelt`,
:mod:`.binseg`, :mod:`.bayes` and :mod:`.bayesian_blocks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "ChangePointResult",
    "PenaltyPath",
    "bayesian_blocks",
    "changepoints",
    "penalty_path",
]

if TYPE_CHECKING:  # the same names, for type checkers (kept equal by tests/test_imports.py)
    from ._api import changepoints, penalty_path
    from ._result import ChangePointResult, PenaltyPath
    from .bayesian_blocks import bayesian_blocks
else:
    from .._lazy import lazy_package

    # name -> the submodule defining it, imported on first use (PEP 562)
    __getattr__, __dir__ = lazy_package(
        __name__,
        {
            "changepoints": "_api",
            "penalty_path": "_api",
            "ChangePointResult": "_result",
            "PenaltyPath": "_result",
            "bayesian_blocks": "bayesian_blocks",
        },
    )
    del lazy_package
