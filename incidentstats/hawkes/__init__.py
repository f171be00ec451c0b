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
from .declustering import branching_probabilities, decluster
from .fit import HawkesProcess
from .forecast import ForecastResult, forecast, prob_no_event
from .gof import GofResult, time_rescaling_test
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
from .simulate import simulate, simulate_events, simulate_paths, simulate_result

__all__ = [
    "Baseline",
    "ConstantBaseline",
    "ExponentialKernel",
    "ForecastResult",
    "GofResult",
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
    "branching_probabilities",
    "decluster",
    "forecast",
    "loglikelihood",
    "prob_no_event",
    "simulate",
    "simulate_events",
    "simulate_paths",
    "simulate_result",
    "time_rescaling_test",
]
