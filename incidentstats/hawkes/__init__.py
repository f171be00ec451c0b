"""Univariate Hawkes processes: kernels, baselines, likelihood, fitting and inference.

>>> import incidentstats as ist
>>> proc = ist.hawkes.HawkesProcess(kernel="exponential")
>>> proc.param_names
('baseline', 'branching_ratio', 'decay')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:  # the same names, for type checkers (kept equal by tests/test_imports.py)
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
else:
    from .._lazy import lazy_package

    # name -> the submodule defining it, imported on first use (PEP 562)
    __getattr__, __dir__ = lazy_package(
        __name__,
        {
            "Baseline": "baselines",
            "ConstantBaseline": "baselines",
            "PiecewiseBaseline": "baselines",
            "SeasonalBaseline": "baselines",
            "ShockBaseline": "baselines",
            "TrendBaseline": "baselines",
            "branching_probabilities": "declustering",
            "decluster": "declustering",
            "HawkesProcess": "fit",
            "ForecastResult": "forecast",
            "forecast": "forecast",
            "prob_no_event": "forecast",
            "GofResult": "gof",
            "time_rescaling_test": "gof",
            "ExponentialKernel": "kernels",
            "Kernel": "kernels",
            "NonparametricKernel": "kernels",
            "PowerLawKernel": "kernels",
            "SumExponentialKernel": "kernels",
            "loglikelihood": "likelihood",
            "PoissonProcess": "poisson",
            "PoissonResult": "poisson",
            "HawkesResult": "result",
            "simulate": "simulate",
            "simulate_events": "simulate",
            "simulate_paths": "simulate",
            "simulate_result": "simulate",
        },
    )
    del lazy_package
