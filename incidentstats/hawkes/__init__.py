"""Univariate Hawkes processes: kernels, baselines, likelihood, fitting and inference.

>>> import incidentstats as ist
>>> proc = ist.hawkes.HawkesProcess(kernel="exponential")
>>> proc.param_names
('baseline', 'branching_ratio', 'decay')
"""

from __future__ import annotations

from .baselines import (
    Baseline,
    ConstantBaseline,
    PiecewiseBaseline,
    SeasonalBaseline,
    ShockBaseline,
    TrendBaseline,
)
from .fit import HawkesProcess
from .kernels import (
    ExponentialKernel,
    Kernel,
    NonparametricKernel,
    PowerLawKernel,
    SumExponentialKernel,
)
from .likelihood import loglikelihood
from .poisson import PoissonProcess, PoissonResult
from .result import HawkesResult

__all__ = [
    "Baseline",
    "ConstantBaseline",
    "ExponentialKernel",
    "HawkesProcess",
    "HawkesResult",
    "Kernel",
    "NonparametricKernel",
    "PiecewiseBaseline",
    "PoissonProcess",
    "PoissonResult",
    "PowerLawKernel",
    "SeasonalBaseline",
    "ShockBaseline",
    "SumExponentialKernel",
    "TrendBaseline",
    "loglikelihood",
]
