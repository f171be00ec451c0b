"""Exact Bayesian posterior: brute-force enumeration, closed form, coal mining, sampling."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import special

from incidentstats.changepoints.bayes import (
    bayes_posterior,
    fit_bayes,
    n_changes_prior,
    single_change_posterior,
)


def _log_marg(n: float, L: float, a: float, b: float) -> float:
    return a * math.log(b) - math.lgamma(a) + math.lgamma(a + n) - (a + n) * math.log(b + L)


def enumerate_posterior(y, e, a, b, prior):
    """Sum over every set of change positions (independent of the recursions)."""
    n = len(y)
    kmax = len(prior) - 1
    logp = {}
    for k in range(kmax + 1):
        for pos in itertools.combinations(range(1, n), k):
            bounds = (0, *pos, n)
            lm = sum(
                _log_marg(y[s:t].sum(), e[s:t].sum(), a, b) for s, t in itertools.pairwise(bounds)
            )
            with np.errstate(divide="ignore"):
                logp[pos] = (
                    math.log(prior[k]) - math.log(math.comb(n - 1, k)) + lm
                    if prior[k] > 0
                    else -np.inf
                )
    z = special.logsumexp(list(logp.values()))
    return {k: math.exp(v - z) for k, v in logp.items()}


def test_recursions_equal_enumeration() -> None:
    rng = np.random.default_rng(1)
    for trial in range(6):
        n = int(rng.integers(3, 10))
        y = rng.poisson(np.r_[np.full(n // 2, 1.0), np.full(n - n // 2, 5.0)]).astype(float)
        e = rng.uniform(0.5, 1.5, n)
        a, b = 1.5, 0.7
        prior = np.array([0.4, 0.3, 0.2, 0.1])[: min(4, n)]
        prior = prior / prior.sum()
        fit = bayes_posterior(y, e, shape=a, rate=b, n_changes_prior=prior)
        post = enumerate_posterior(y, e, a, b, prior)
        pk = np.zeros(len(prior))
        change_at = np.zeros(n + 1)
        for pos, p in post.items():
            pk[len(pos)] += p
            for s in pos:
                change_at[s] += p
        np.testing.assert_allclose(fit.n_changes_posterior, pk, atol=1e-12)
        np.testing.assert_allclose(fit.change_probability, change_at, atol=1e-12)
        # marginal of the j-th change given K = k_map, and the MAP positions
        k = fit.k_map
        cond = {pos: p for pos, p in post.items() if len(pos) == k}
        tot = sum(cond.values())
        for j in range(k):
            ref = np.zeros(n + 1)
            for pos, p in cond.items():
                ref[pos[j]] += p / tot
            np.testing.assert_allclose(fit.location[j], ref, atol=1e-12)
        if k:
            assert tuple(fit.map_changes) == max(cond, key=cond.get), trial


def test_single_change_closed_form_equals_recursion() -> None:
    rng = np.random.default_rng(2)
    y = rng.poisson(np.r_[np.full(30, 2.0), np.full(40, 0.7)]).astype(float)
    e = np.ones(70)
    fit = bayes_posterior(y, e, shape=1.0, rate=1.0, n_changes_prior=np.array([0.0, 1.0]))
    np.testing.assert_allclose(fit.location[0], single_change_posterior(y, e, 1.0, 1.0), atol=1e-12)


def test_coal_mining_posterior_matches_data_card() -> None:
    import incidentstats as ist

    annual = ist.datasets.load_coal_mining_annual()
    y = annual["disasters"].to_numpy(float)
    e = np.ones(len(y))
    p = single_change_posterior(y, e, 1.0, 1.0)
    years = annual["year"].to_numpy()
    # change at edge s: bins [0, s) high, so the last high-rate year is years[s - 1]
    by_year = dict(zip(years[np.arange(1, len(y)) - 1], p[1:-1]))
    # data card: Gamma(1, 1) priors, uniform change year: 1891 (0.245), 1890 (0.185), 1889 (0.143)
    assert by_year[1891] == pytest.approx(0.245, abs=5e-4)
    assert by_year[1890] == pytest.approx(0.185, abs=5e-4)
    assert by_year[1889] == pytest.approx(0.143, abs=5e-4)
    assert max(by_year, key=by_year.get) == 1891
    # data card: posterior means 3.064 and 0.922 (averaged over the change year)
    cy, ce = np.r_[0, np.cumsum(y)], np.r_[0, np.cumsum(e)]
    s = np.arange(len(y) + 1)
    m1 = np.sum(p * (1 + cy[s]) / (1 + ce[s]))
    m2 = np.sum(p * (1 + cy[-1] - cy[s]) / (1 + ce[-1] - ce[s]))
    assert m1 == pytest.approx(3.064, abs=5e-4)
    assert m2 == pytest.approx(0.922, abs=5e-4)


def test_posterior_draws_follow_the_exact_marginals() -> None:
    rng = np.random.default_rng(3)
    y = rng.poisson(np.r_[np.full(25, 1.0), np.full(25, 4.0), np.full(25, 1.5)]).astype(float)
    e = np.ones(75)
    fit = bayes_posterior(y, e, shape=1.0, rate=0.5, n_changes_prior=np.ones(5))
    draws = fit.draw(np.random.default_rng(4), 4000)
    freq = np.zeros(76)
    ks = np.zeros(5)
    for d in draws:
        freq[d] += 1
        ks[len(d)] += 1
    freq /= len(draws)
    ks /= len(draws)
    # Monte Carlo error of 4000 draws: about 0.008 at p = 0.3
    np.testing.assert_allclose(ks, fit.n_changes_posterior, atol=0.03)
    np.testing.assert_allclose(freq, fit.change_probability, atol=0.03)


def test_null_series_prefers_no_change() -> None:
    # homogeneous Poisson counts: the posterior of K favours 0 under the uniform prior on
    # 0..10 (the old default) and more so under the default geometric prior (E[K] = 0.25)
    rng = np.random.default_rng(5)
    zero_uniform, zero_default = [], []
    default = n_changes_prior(None, 150)
    for _ in range(20):
        y = rng.poisson(2.0, 150).astype(float)
        e = np.ones(150)
        rate = e.sum() / y.sum()
        fit = bayes_posterior(y, e, shape=1.0, rate=rate, n_changes_prior=np.ones(11))
        zero_uniform.append(fit.n_changes_posterior[0])
        fit, _ = fit_bayes(y, e, shape=1.0, rate=rate, prior=default)
        zero_default.append(fit.n_changes_posterior[0])
    assert np.median(zero_uniform) > 0.5
    # measured: medians 0.64 (uniform) and 0.94 (default)
    assert np.median(zero_default) > 0.85
    assert np.median(zero_default) > np.median(zero_uniform)
