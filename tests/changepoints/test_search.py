"""PELT, binary segmentation and CROPS against independent brute-force implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from incidentstats.changepoints._costs import (
    estimate_dispersion,
    garwood_interval,
    penalty_value,
    segment_cost,
    segment_loglik,
)
from incidentstats.changepoints._pelt_numba import pelt, seg_cost
from incidentstats.changepoints.binseg import binseg_search
from incidentstats.changepoints.pelt import crops, cumsums, pelt_search


def brute_force(y, e, beta, min_size=1, mbic=False, cost="poisson", disp=math.inf):
    """Optimal partitioning (Jackson et al. 2005): O(n^2) DP with every cost from numpy."""
    n = len(y)
    cy = np.r_[0, np.cumsum(y)]
    ce = np.r_[0, np.cumsum(e)]
    best = np.full(n + 1, np.inf)
    best[0] = -beta
    arg = np.zeros(n + 1, int)
    for t in range(1, n + 1):
        s = np.arange(0, t - min_size + 1)
        if s.size == 0:
            continue
        c = segment_cost(cy[t] - cy[s], ce[t] - ce[s], cost, disp, t - s, n if mbic else 0)
        v = best[s] + c + beta
        j = int(np.argmin(v))
        best[t], arg[t] = v[j], s[j]
    cps, t = [], n
    while t > 0:
        if arg[t] > 0:
            cps.append(arg[t])
        t = arg[t]
    return np.array(sorted(cps)), best[n]


def _series(
    rng: np.random.Generator, n: int, sparse: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    k = rng.integers(0, 4)
    cuts = np.sort(rng.choice(np.arange(1, n), size=min(k, n - 1), replace=False))
    rates = rng.uniform(0.05 if sparse else 0.5, 1.0 if sparse else 12.0, len(cuts) + 1)
    mu = np.repeat(rates, np.diff(np.r_[0, cuts, n]))
    e = np.ones(n)
    e[0] = rng.uniform(0.2, 1)  # a partial first bin
    return rng.poisson(mu * e).astype(float), e


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("mbic", [False, True])
def test_pelt_equals_optimal_partitioning(sparse: bool, mbic: bool) -> None:
    rng = np.random.default_rng(1 + sparse + 2 * mbic)
    for _ in range(25):
        n = int(rng.integers(2, 60))
        y, e = _series(rng, n, sparse)
        if y.sum() == 0:
            continue
        for beta in (1.0, 2 * math.log(n + 1), 15.0):
            for min_size in (1, 3):
                got, q = pelt_search(y, e, beta=beta, min_size=min_size, mbic=mbic)
                ref, f = brute_force(y, e, beta, min_size, mbic)
                # compare penalised costs (ties between equal-cost segmentations are allowed)
                assert q + beta * len(got) == pytest.approx(f, abs=1e-8), (
                    n,
                    beta,
                    min_size,
                    got,
                    ref,
                    y.tolist(),
                )
                if not mbic:
                    np.testing.assert_array_equal(got, ref)


def test_pelt_negbin_equals_optimal_partitioning() -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        n = int(rng.integers(2, 50))
        y, e = _series(rng, n)
        if y.sum() == 0:
            continue
        got, q = pelt_search(y, e, beta=8.0, cost="negbin", dispersion=3.0)
        _ref, f = brute_force(y, e, 8.0, cost="negbin", disp=3.0)
        assert q + 8.0 * len(got) == pytest.approx(f, abs=1e-8)


def test_compression_of_empty_runs_keeps_the_optimum() -> None:
    # the kernel on the raw bins (M = 0..n, no merging) against pelt_search (merged runs)
    rng = np.random.default_rng(8)
    for _ in range(30):
        n = int(rng.integers(5, 300))
        y, e = _series(rng, n, sparse=True)
        if y.sum() == 0:
            continue
        Y, E = cumsums(y, e)
        M = np.arange(n + 1, dtype=float)
        for mbic, beta in ((False, 6.0), (False, 1.0), (True, 3 * math.log(n))):
            _raw, f_raw = pelt(Y, E, M, 0, 1.0, beta, 1, float(n) if mbic else 0.0)
            got, q = pelt_search(y, e, beta=beta, mbic=mbic)
            assert q + beta * len(got) == pytest.approx(f_raw, abs=1e-8)


def test_segment_cost_kernel_matches_numpy() -> None:
    rng = np.random.default_rng(2)
    y = rng.poisson(3, 40).astype(float)
    e = rng.uniform(0.5, 2, 40)
    Y, E = cumsums(y, e)
    M = np.arange(41, dtype=float)
    for s, t in [(0, 40), (3, 9), (10, 11)]:
        for kind, cost, disp in [(0, "poisson", math.inf), (1, "negbin", 2.5)]:
            ref = segment_cost(Y[t] - Y[s], E[t] - E[s], cost, disp, t - s, 40)
            got = seg_cost(Y, E, M, s, t, kind, disp if kind else 1.0, 40.0)
            assert got == pytest.approx(float(ref), rel=1e-12)


def test_poisson_segment_loglik_closed_form() -> None:
    # maximised sum of log Poisson pmf = n log(n/L) - n + sum(y log e - log y!)
    rng = np.random.default_rng(4)
    y = rng.poisson(2.5, 30)
    e = rng.uniform(0.5, 1.5, 30)
    lam = y.sum() / e.sum()
    full = stats.poisson.logpmf(y, lam * e).sum()
    const = np.sum(y * np.log(e)) - np.sum([math.lgamma(v + 1) for v in y])
    assert float(segment_loglik(y.sum(), e.sum())) + const == pytest.approx(full, rel=1e-12)


def test_nb1_segment_loglik_closed_form() -> None:
    # NB1: y_i ~ NB(size = phi e_i, p = phi / (phi + lam)), lam profiled at n / L
    rng = np.random.default_rng(6)
    y = rng.poisson(4, 25)
    e = rng.uniform(0.5, 1.5, 25)
    phi = 1.7
    lam = y.sum() / e.sum()
    full = stats.nbinom.logpmf(y, phi * e, phi / (phi + lam)).sum()
    rest = full - float(segment_loglik(y.sum(), e.sum(), "negbin", phi))
    # the remainder must not depend on lam: recompute it at another rate
    lam2 = 2 * lam
    full2 = stats.nbinom.logpmf(y, phi * e, phi / (phi + lam2)).sum()
    own2 = phi * e.sum() * np.log(phi / (phi + lam2)) + y.sum() * np.log(lam2 / (phi + lam2))
    assert full2 - own2 == pytest.approx(rest, rel=1e-10)
    # and lam = n / L maximises the NB1 likelihood
    grid = lam * np.linspace(0.8, 1.2, 41)
    vals = [stats.nbinom.logpmf(y, phi * e, phi / (phi + g)).sum() for g in grid]
    assert int(np.argmax(vals)) == 20


def test_dispersion_estimate_recovers_phi() -> None:
    rng = np.random.default_rng(9)
    phi, lam = 2.0, 4.0
    e = np.ones(20000)
    g = rng.gamma(phi * e, lam / phi)
    y = rng.poisson(g)
    assert estimate_dispersion(y, e) == pytest.approx(phi, rel=0.1)
    assert estimate_dispersion(rng.poisson(3.0, 5000), np.ones(5000)) > 20 or math.isinf(
        estimate_dispersion(rng.poisson(3.0, 5000), np.ones(5000))
    )


def test_binseg_first_split_is_the_best_single_split() -> None:
    rng = np.random.default_rng(10)
    for _ in range(20):
        n = int(rng.integers(4, 80))
        y, e = _series(rng, n)
        if y.sum() == 0:
            continue
        cps, _ = binseg_search(y, e, beta=0.0, max_changes=1)
        cy, ce = np.r_[0, np.cumsum(y)], np.r_[0, np.cumsum(e)]
        s = np.arange(1, n)
        tot = segment_cost(cy[s], ce[s]) + segment_cost(cy[n] - cy[s], ce[n] - ce[s])
        best = tot.min()
        if len(cps):
            k = cps[0]
            assert tot[k - 1] == pytest.approx(best, abs=1e-9)


def test_binseg_equals_pelt_for_one_strong_change() -> None:
    rng = np.random.default_rng(12)
    y = np.r_[rng.poisson(2, 100), rng.poisson(8, 100)].astype(float)
    e = np.ones(200)
    a, _ = binseg_search(y, e, beta=3 * math.log(200))
    b, _ = pelt_search(y, e, beta=3 * math.log(200))
    np.testing.assert_array_equal(a, b)
    assert abs(int(a[0]) - 100) <= 3


def test_crops_path_matches_pelt_inside_each_interval() -> None:
    rng = np.random.default_rng(13)
    y = np.concatenate([rng.poisson(r, 60) for r in (1, 4, 2, 6, 3)]).astype(float)
    e = np.ones(len(y))
    path = crops(y, e, beta_min=1.0, beta_max=200.0)
    ks = [len(p.changes) for p in path]
    assert ks == sorted(ks, reverse=True) and len(set(ks)) == len(ks)
    for p in path:
        mid = 0.5 * (p.low + p.high)
        cps, q = pelt_search(y, e, beta=mid)
        assert len(cps) == len(p.changes)
        assert q == pytest.approx(p.cost, abs=1e-8)
    assert path[0].low == 1.0 and path[-1].high == 200.0


def test_penalties_and_garwood() -> None:
    assert penalty_value("bic", 100)[0] == pytest.approx(2 * math.log(100))
    assert penalty_value("aic", 100)[0] == 4.0
    assert penalty_value("mbic", 100)[:2] == (pytest.approx(3 * math.log(100)), True)
    # Garwood: 0 events in 10 days -> upper 95% limit -log(0.025)/10 (closed form)
    lo, hi = garwood_interval(np.array([0.0, 5.0]), np.array([10.0, 10.0]))
    assert lo[0] == 0 and hi[0] == pytest.approx(-math.log(0.025) / 10)
    # R: poisson.test(5, 10)$conf.int -> 0.1623486 1.1668332
    assert lo[1] == pytest.approx(0.1623486, rel=1e-6) and hi[1] == pytest.approx(
        1.1668332, rel=1e-6
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=2, max_size=40), st.floats(0.5, 30))
def test_pelt_invariants(counts: list[int], beta: float) -> None:
    y = np.array(counts, float)
    e = np.ones(len(y))
    if y.sum() == 0:
        return
    cps, q = pelt_search(y, e, beta=beta)
    assert np.all(np.diff(cps) > 0) and (len(cps) == 0 or (cps[0] > 0 and cps[-1] < len(y)))
    # the optimum is never worse than no change
    assert q + beta * len(cps) <= float(segment_cost(y.sum(), e.sum())) + 1e-9


def test_functional_pruning_gives_the_same_segmentation() -> None:
    # Poisson PELT with functional pruning against inequality pruning alone (itself checked
    # against optimal partitioning above): same changes and bit-identical cost, with and
    # without MBIC, with exposures and long empty runs (11,968 cases while developing)
    rng = np.random.default_rng(5)
    for it in range(150):
        n = int(rng.integers(2, 600))
        k = int(rng.integers(0, 6))
        b = np.r_[0, np.sort(rng.integers(1, n, k)), n]
        lam = np.exp(rng.uniform(-5, 3, k + 1))
        e = rng.uniform(0.2, 3, n) if it % 3 == 1 else np.ones(n)
        y = np.concatenate([rng.poisson(lam[i] * e[b[i] : b[i + 1]]) for i in range(k + 1)])
        if y.sum() == 0:
            continue
        for mbic in (False, True):
            for beta in (1.0, 3 * math.log(n), 25.0):
                a = pelt_search(y.astype(float), e, beta=beta, mbic=mbic)
                c = pelt_search(y.astype(float), e, beta=beta, mbic=mbic, functional=False)
                np.testing.assert_array_equal(a[0], c[0])
                assert a[1] == c[1]


def test_functional_pruning_keeps_few_candidates_without_a_change() -> None:
    # no change in 20,000 daily counts: inequality pruning keeps every start (quadratic);
    # the functional rule keeps a few dozen
    from incidentstats.changepoints._pelt_fpop_numba import pelt_poisson_fp

    y = np.random.default_rng(8).poisson(2.0, 20_000).astype(float)
    Y, E = cumsums(y, np.ones(y.size))
    M = np.arange(y.size + 1, dtype=float)
    for mbic_n in (0.0, float(y.size)):
        cps, _, max_candidates = pelt_poisson_fp(Y, E, M, 3 * math.log(y.size), mbic_n)
        assert cps.size == 0
        assert max_candidates < 200
