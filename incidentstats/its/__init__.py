"""Interrupted time series: segmented Poisson, quasi-Poisson and negative-binomial regression
of counts per bin, with a step (and optional slope change) at each trigger."""

from __future__ import annotations

from ._model import AutocorrelationWarning, Effect, ITSResult, interrupted_time_series

__all__ = ["AutocorrelationWarning", "Effect", "ITSResult", "interrupted_time_series"]
