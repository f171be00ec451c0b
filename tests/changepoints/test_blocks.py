"""Bayesian blocks: astropy's edges (stored and live), pruning is exact, coal-mining edge."""

from __future__ import annotations

import numpy as np
import pytest

import incidentstats as ist
from incidentstats.changepoints import bayesian_blocks
from incidentstats.changepoints.bayesian_blocks import blocks_evaluations, ncp_prior_from_p0
from incidentstats.exceptions import IncidentStatsError


def _sets() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    t1 = np.sort(
        np.concatenate(
            [rng.uniform(0, 50, 100), rng.uniform(50, 80, 150), rng.uniform(80, 200, 60)]
        )
    )
    t2 = np.floor(np.sort(np.concatenate([rng.uniform(0, 300, 120), rng.uniform(120, 160, 80)])))
    t3 = np.sort(rng.uniform(0, 100, 200))
    t4 = np.cumsum(np.r_[np.full(30, 1.0), np.full(30, 0.2), np.full(30, 2.0)])
    return {"piecewise": t1, "ties": t2, "homogeneous": t3, "steps": t4}


# Generated with astropy 8.0.2 (numpy 2.4.6) in /tmp/bench-venv:
#   astropy.stats.bayesian_blocks(t, fitness="events", p0=p0).tolist()
# for the event sets of _sets() above (same generator code, same seed).
ASTROPY_EDGES = {
    ("piecewise", 0.05): [0.18671210260379767, 50.29175083250064, 79.27933189013254, 199.61253980375764],
    ("piecewise", 0.01): [0.18671210260379767, 50.29175083250064, 79.27933189013254, 199.61253980375764],
    ("ties", 0.05): [4.0, 121.5, 157.5, 298.0],
    ("ties", 0.01): [4.0, 121.5, 157.5, 298.0],
    ("homogeneous", 0.05): [0.32767419136451315, 98.98092513759018],
    ("homogeneous", 0.01): [0.32767419136451315, 98.98092513759018],
    ("steps", 0.05): [1.0, 30.1, 35.90000000000005, 96.00000000000006],
    ("steps", 0.01): [1.0, 30.1, 35.90000000000005, 96.00000000000006],
}  # fmt: skip


@pytest.mark.parametrize("key", sorted(ASTROPY_EDGES))
def test_stored_astropy_edges(key: tuple[str, float]) -> None:
    name, p0 = key
    t = _sets()[name]
    got = bayesian_blocks(t, p0=p0)
    np.testing.assert_array_equal(got, np.array(ASTROPY_EDGES[key]))


def test_live_astropy_equality() -> None:
    astropy_stats = pytest.importorskip("astropy.stats")
    rng = np.random.default_rng(11)
    for i in range(15):
        n = int(rng.integers(5, 400))
        k = int(rng.integers(1, 4))
        cuts = np.sort(rng.uniform(0, 100, k))
        rates = rng.uniform(0.2, 8.0, k + 1)
        bounds = np.r_[0, cuts, 100]
        t = np.concatenate(
            [
                rng.uniform(a, b, rng.poisson(r * (b - a) / 4) + 1)
                for a, b, r in zip(bounds[:-1], bounds[1:], rates)
            ]
        )[:n]
        if i % 3 == 0:
            t = np.floor(t)  # ties
        if np.unique(t).size < 2:
            continue
        for p0 in (0.05, 0.2):
            ref = astropy_stats.bayesian_blocks(t, fitness="events", p0=p0)
            np.testing.assert_array_equal(bayesian_blocks(t, p0=p0), ref)


def test_pruning_is_exact_and_saves_work() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        rates = rng.uniform(0.5, 10, 6)
        t = np.concatenate(
            [rng.uniform(i * 50, (i + 1) * 50, rng.poisson(r * 50)) for i, r in enumerate(rates)]
        )
        for ncp in (0.5, 3.0, 10.0):
            np.testing.assert_array_equal(
                bayesian_blocks(t, ncp_prior=ncp, prune=True),
                bayesian_blocks(t, ncp_prior=ncp, prune=False),
            )
    t = np.sort(
        np.concatenate(
            [
                rng.uniform(i * 10, (i + 1) * 10, rng.poisson(r * 10))
                for i, r in enumerate(rng.uniform(1, 20, 100))
            ]
        )
    )
    n = np.unique(t).size
    assert blocks_evaluations(t, prune=False) == n * (n + 1) // 2
    assert blocks_evaluations(t, prune="inequality") < 0.2 * n * (n + 1) // 2
    assert blocks_evaluations(t, prune=True) < blocks_evaluations(t, prune="inequality")


def _stress_sets(
    rng: np.random.Generator, count: int
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Piecewise-constant event sets with rate contrasts up to e^6, on scales from 1e-6 to
    1e9, with epoch offsets, rounding ties, piles of duplicates and integer weights."""
    out: list[tuple[np.ndarray, np.ndarray | None]] = []
    for it in range(count):
        n = int(rng.integers(2, 400))
        k = int(rng.integers(0, 6))
        b = np.r_[0.0, np.sort(rng.uniform(0, 1, k)), 1.0]
        rates = np.exp(rng.uniform(-3, 3, k + 1))
        w = rates * np.diff(b)
        ns = rng.multinomial(n, w / w.sum())
        t = np.concatenate([rng.uniform(b[i], b[i + 1], ns[i]) for i in range(k + 1)])
        scale = [1.0, 1e-6, 1e6, 1e9][it % 4]
        t = t * scale + [0.0, 1.6e9, -50.0, 1e4][(it // 4) % 4]
        kind = it % 5
        x = None
        if kind == 1:
            t = np.round(t, 2 - int(np.log10(scale)))
        elif kind == 2:
            x = rng.integers(1, 5, t.size).astype(float)
        elif kind == 3:
            t = np.r_[t, np.full(int(rng.integers(1, 30)), t[0])]
        u = np.unique(t)
        # keep sets whose Voronoi cells all have a positive length in floating point (the
        # others are refused with an error, tested in test_blocks_bad_input)
        if u.size >= 2 and np.all(np.diff(np.r_[u[0], 0.5 * (u[1:] + u[:-1]), u[-1]]) > 0):
            out.append((t, x))
    return out


def test_functional_pruning_is_exact() -> None:
    # the functional pruning must never drop a start the quadratic algorithm would pick:
    # same edges, bit for bit, as prune=False (checked on 9,000 such sets and on 1,200
    # sets against astropy 8.0.2 while developing; a reduced set runs here)
    rng = np.random.default_rng(2026)
    for t, x in _stress_sets(rng, 300):
        for p0 in (0.05, 0.3, 0.001):
            ref = bayesian_blocks(t, x, p0=p0, prune=False)
            np.testing.assert_array_equal(bayesian_blocks(t, x, p0=p0, prune=True), ref)
            np.testing.assert_array_equal(bayesian_blocks(t, x, p0=p0, prune="inequality"), ref)
    for ncp in (-2.0, 0.0, 0.5, 30.0):
        t, x = _stress_sets(rng, 1)[0]
        np.testing.assert_array_equal(
            bayesian_blocks(t, x, ncp_prior=ncp), bayesian_blocks(t, x, ncp_prior=ncp, prune=False)
        )


def test_functional_pruning_is_near_linear_in_a_long_block() -> None:
    # one homogeneous block of 4,000 events: inequality pruning keeps every start of the
    # block (about n^2 / 2 evaluations); functional pruning keeps a few dozen per step
    t = np.sort(np.random.default_rng(9).uniform(0, 1000, 4000))
    n = t.size
    ineq = blocks_evaluations(t, prune="inequality")
    func = blocks_evaluations(t, prune=True)
    assert ineq > 0.3 * n * (n + 1) // 2
    assert func < 40 * n
    np.testing.assert_array_equal(bayesian_blocks(t), bayesian_blocks(t, prune=False))


def test_ncp_prior_formula() -> None:
    # Scargle et al. (2013) eq. 21: 4 - log(73.53 p0 N^-0.478)
    assert ncp_prior_from_p0(0.05, 100) == pytest.approx(4 - np.log(73.53 * 0.05 * 100**-0.478))


def test_coal_mining_edge() -> None:
    # data card: astropy 8.0.2 bayesian_blocks(fitness="events", p0=0.05) on the decimal
    # years gives one change at 1890.146 (124 events before, 67 after).
    import pandas as pd

    from incidentstats.datasets import data_path

    x = pd.read_csv(data_path("coal_mining", "coal_disaster_dates.csv"))["date"].to_numpy(float)
    edges = bayesian_blocks(x, p0=0.05)
    assert len(edges) == 3
    assert edges[1] == pytest.approx(1890.146, abs=5e-4)
    assert int(np.sum(x < edges[1])) == 124
    cp = ist.changepoints(ist.datasets.load_coal_mining(), method="bayesian_blocks", n_boot=0)
    assert len(cp.changepoints) == 1
    assert cp.segments["events"].tolist() == [124, 67]
    year = cp.changepoints[0]
    assert 1890.13 < year.year + (year.day_of_year - 1) / 365.25 < 1890.16


def test_blocks_bad_input() -> None:
    with pytest.raises(IncidentStatsError, match="`t` argument"):
        bayesian_blocks([1.0])
    with pytest.raises(IncidentStatsError, match="distinct"):
        bayesian_blocks([1.0, 1.0, 1.0])
    with pytest.raises(IncidentStatsError, match="`p0` parameter"):
        bayesian_blocks([1.0, 2.0, 3.0], p0=1.5)
    with pytest.raises(IncidentStatsError, match="`prune` parameter"):
        bayesian_blocks([1.0, 2.0, 3.0], prune="fast")
    with pytest.raises(IncidentStatsError, match="Subtract a reference time"):
        bayesian_blocks(1.6e9 + np.array([0.0, 1e-7, 2e-7, 5.0, 6.0]))
    with pytest.raises(IncidentStatsError, match="positive, finite count"):
        bayesian_blocks([1.0, 2.0, 3.0], [1.0, 0.0, 2.0])
