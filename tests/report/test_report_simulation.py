"""Simulation checks of the report's verdicts: a real change is reported, and under no change
the report claims one no more often than the tests' 5% level allows.

The reduced runs always execute; the full-size runs need INCIDENTSTATS_FULL=1."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import incidentstats as ist
from incidentstats.report import report

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"
START = pd.Timestamp("2020-01-01")


def simulate(rate_before: float, rate_after: float, days: int, seed: int):
    """Poisson events at ``rate_before`` per day for ``days`` days, then ``rate_after``."""
    rng = np.random.default_rng(seed)
    t = np.concatenate(
        [
            rng.uniform(0, days, rng.poisson(rate_before * days)),
            rng.uniform(days, 2 * days, rng.poisson(rate_after * days)),
        ]
    )
    times = START + pd.to_timedelta(np.sort(t), unit="D")
    return ist.EventSeries(
        times, start=START, end=START + pd.Timedelta(days=2 * days), resolution="exact"
    )


def verdicts(rate_before: float, rate_after: float, seeds: range) -> list[set[str]]:
    out = []
    for seed in seeds:
        ev = simulate(rate_before, rate_after, 60, seed)
        rep = report(
            ev,
            triggers=[START + pd.Timedelta(days=60)],
            window="30D",
            sections=["rate_change", "interpretation"],
            n_placebo=49,
            seed=seed,
        )
        assert rep["rate_change"].status == "ok", rep["rate_change"].reason
        out.append({f["code"] for f in rep["interpretation"].results["findings"]})
    return out


def test_a_tripled_rate_is_reported():
    # 0.5/day then 1.5/day in 30-day windows of a 300-day series: about 15 vs 45 events,
    # power ~ 1 for the exact test; the placebo test ranks the change among ~200 dates
    found = verdicts(0.5, 1.5, range(5))
    assert all("rate_changed" in v for v in found)


def _false_claims(n_seeds: int) -> float:
    found = verdicts(0.5, 0.5, range(100, 100 + n_seeds))
    return float(np.mean(["rate_changed" in v for v in found]))


def test_no_change_is_rarely_called_a_change():
    # Both the exact and the placebo test must reject, each at 5%: with 20 seeds, more than 3
    # false claims would have probability < 2% even at a 5% rate.
    assert _false_claims(20) <= 3 / 20


@pytest.mark.slow
@pytest.mark.skipif(not FULL, reason="full-size simulation: set INCIDENTSTATS_FULL=1")
def test_no_change_false_claim_rate_full():
    rate = _false_claims(400)
    # at most the 5% level plus two binomial standard errors (0.011 at n = 400)
    assert rate <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 400)


def test_too_few_placebo_dates_is_said_not_read_as_disagreement():
    # a 120-day series with 30-day windows leaves only a couple of placebo dates: the rank
    # test cannot reach 5%, so the report must not say the placebo test "disagrees"
    ev = simulate(0.5, 1.5, 60, 0)
    rep = report(
        ev,
        triggers=[START + pd.Timedelta(days=60)],
        window="30D",
        sections=["rate_change", "interpretation"],
        n_placebo=49,
    )
    assert rep["rate_change"].status == "ok", rep["rate_change"].reason
    pl = rep["rate_change"].results["triggers"][0]["placebo"]
    assert 1 / (1 + pl["n_placebo"]) > 0.05
    codes = {f["code"] for f in rep["interpretation"].results["findings"]}
    assert "placebo_uninformative" in codes and "placebo_disagrees" not in codes
    assert "rate_changed" in codes  # the exact test alone, said so
