"""Log-likelihood: published/peer values, a brute-force O(n^2) implementation, derivatives."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import incidentstats as ist
from incidentstats.events import EventSeries
from incidentstats.exceptions import IncidentStatsError
from incidentstats.hawkes import (
    ConstantBaseline,
    ExponentialKernel,
    HawkesProcess,
    NonparametricKernel,
    PiecewiseBaseline,
    PowerLawKernel,
    SeasonalBaseline,
    ShockBaseline,
    SumExponentialKernel,
    TrendBaseline,
    loglikelihood,
)
from incidentstats.hawkes.likelihood import ModelSpec

EXP = {"baseline": 5.0, "branching_ratio": 0.2, "decay": 10.0}


def test_hawkeslib_fixture():
    # hawkeslib 0.2.2 test suite (issue 5 text): times [3, 4, 6, 8.2, 9, 12], T = 15,
    # mu = 5, alpha = n = 0.2, theta = beta = 10 -> -66.54322018860306
    ll = loglikelihood([3, 4, 6, 8.2, 9, 12], 15.0, EXP)
    assert ll == pytest.approx(-66.54322018860306, rel=1e-13)


def test_hawkeslib_empty_series():
    # hawkeslib: no events, T = 2, mu = 5 -> -mu T = -10
    assert loglikelihood([], 2.0, EXP) == pytest.approx(-10.0, rel=1e-15)


def test_hawkesbow_closed_form_and_gradient():
    # hawkesbow's closed-form test (issue 5 text): times 1..4, T = 5, mu = 1, n = 0.5,
    # beta = log 2 -> -5.875522050227458, gradient (-1.586687, -1.889125, -0.754510)
    spec = ModelSpec(ConstantBaseline(), ExponentialKernel())
    theta = np.array([1.0, 0.5, math.log(2)])
    t = np.array([1.0, 2.0, 3.0, 4.0])
    ll, g = spec.loglik_grad(theta, [t], 5.0)
    assert ll == pytest.approx(-5.875522050227458, rel=1e-13)
    np.testing.assert_allclose(g, [-1.586687, -1.889125, -0.754510], atol=5e-7)
    ll2, g2, _ = spec.loglik_grad_hess(theta, [t], 5.0)
    assert ll2 == pytest.approx(ll, rel=1e-14)
    np.testing.assert_allclose(g2, g, rtol=1e-12)


def test_public_loglikelihood_method_on_events():
    ev = EventSeries.from_offsets([1, 2, 3, 4], end=5.0)
    p = {"baseline": 1.0, "branching_ratio": 0.5, "decay": math.log(2)}
    # hawkesbow closed form, as above, through the public method
    assert ist.hawkes.HawkesProcess().loglikelihood(ev, p) == pytest.approx(
        -5.875522050227458, rel=1e-12
    )


# -- brute force ---------------------------------------------------------------------------------
def brute_loglik(t, T, p, kernel, baseline):
    """Independent O(n^2) log-likelihood: densities summed pair by pair, the baseline integral
    by adaptive quadrature, the kernel compensator by integrating the density."""
    ll = 0.0
    for i, ti in enumerate(t):
        lam = float(baseline.rate(np.array([ti]), p)[0])
        if kernel is not None:
            lam += p["branching_ratio"] * sum(
                float(kernel.density(np.array([ti - t[j]]), p)[0]) for j in range(i)
            )
        ll += math.log(lam)
    pts = list(
        getattr(baseline, "_offsets", None)
        if getattr(baseline, "_offsets", None) is not None
        else []
    )
    comp = integrate.quad(
        lambda s: float(baseline.rate(np.array([s]), p)[0]),
        0,
        T,
        points=pts or None,
        limit=400,
        epsabs=1e-13,
        epsrel=1e-12,
    )[0]
    if kernel is not None:
        for ti in t:
            brk = list(getattr(kernel, "edges", []))
            G = integrate.quad(
                lambda s: float(kernel.density(np.array([s]), p)[0]),
                0,
                T - ti,
                points=[b for b in brk if 0 < b < T - ti] or None,
                limit=400,
                epsabs=1e-13,
                epsrel=1e-12,
            )[0]
            comp += p["branching_ratio"] * G
    return ll - comp


T_WIN = 20.0
TIMES = np.array([0.3, 1.1, 1.15, 2.0, 4.5, 4.52, 4.6, 7.0, 9.9, 10.5, 13.0, 13.01, 16.0, 19.2])

CASES = [
    (
        "exp-const",
        ExponentialKernel(),
        ConstantBaseline(),
        {"baseline": 0.4, "branching_ratio": 0.6, "decay": 1.7},
    ),
    (
        "exp-piecewise",
        ExponentialKernel(),
        PiecewiseBaseline([6.0, 12.5]),
        {
            "baseline": 0.4,
            "baseline_2": 0.9,
            "baseline_3": 0.2,
            "branching_ratio": 0.5,
            "decay": 2.0,
        },
    ),
    (
        "exp-trend",
        ExponentialKernel(),
        TrendBaseline(),
        {"baseline": 0.3, "trend": 0.03, "branching_ratio": 0.4, "decay": 0.8},
    ),
    (
        "exp-seasonal",
        ExponentialKernel(),
        SeasonalBaseline(period=7.0),
        {"baseline": 0.4, "cos_1": 0.3, "sin_1": -0.2, "branching_ratio": 0.4, "decay": 0.8},
    ),
    (
        "exp-shock",
        ExponentialKernel(),
        ShockBaseline([4.4, 12.9]),
        {
            "baseline": 0.3,
            "shock_1": 1.5,
            "shock_2": 0.7,
            "shock_decay": 0.9,
            "branching_ratio": 0.3,
            "decay": 3.0,
        },
    ),
    (
        "sumexp",
        SumExponentialKernel(2),
        ConstantBaseline(),
        {
            "baseline": 0.4,
            "branching_ratio": 0.6,
            "decay_1": 0.3,
            "decay_2": 4.0,
            "weight_1": 0.35,
            "weight_2": 0.65,
        },
    ),
    (
        "powerlaw",
        PowerLawKernel(),
        ConstantBaseline(),
        {"baseline": 0.4, "branching_ratio": 0.6, "cutoff": 0.5, "exponent": 2.3},
    ),
    (
        "powerlaw-piecewise",
        PowerLawKernel(),
        PiecewiseBaseline([10.0]),
        {
            "baseline": 0.4,
            "baseline_2": 0.7,
            "branching_ratio": 0.6,
            "cutoff": 0.5,
            "exponent": 1.6,
        },
    ),
    (
        "nonparametric",
        NonparametricKernel(edges=[0, 0.5, 1.5, 4.0]),
        ConstantBaseline(),
        {
            "baseline": 0.4,
            "branching_ratio": 0.6,
            "weight_1": 0.5,
            "weight_2": 0.3,
            "weight_3": 0.2,
        },
    ),
    ("poisson-piecewise", None, PiecewiseBaseline([6.0]), {"baseline": 0.4, "baseline_2": 0.9}),
    ("poisson-trend", None, TrendBaseline(), {"baseline": 0.4, "trend": -0.02}),
]


@pytest.mark.parametrize(("name", "kernel", "baseline", "p"), CASES, ids=[c[0] for c in CASES])
def test_loglik_matches_brute_force(name, kernel, baseline, p):
    spec = ModelSpec(baseline, kernel)
    theta = spec.from_dict(p)
    ll, _ = spec.loglik_grad(theta, [TIMES], T_WIN)
    assert ll == pytest.approx(brute_loglik(TIMES, T_WIN, p, kernel, baseline), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(("name", "kernel", "baseline", "p"), CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(name, kernel, baseline, p):
    spec = ModelSpec(baseline, kernel)
    theta = spec.from_dict(p)
    _, g = spec.loglik_grad(theta, [TIMES], T_WIN)
    for i in range(theta.size):
        h = 1e-6 * max(1.0, abs(theta[i]))
        up, dn = theta.copy(), theta.copy()
        up[i] += h
        dn[i] -= h
        fd = (
            spec.loglik_grad(up, [TIMES], T_WIN, grad=False)[0]
            - spec.loglik_grad(dn, [TIMES], T_WIN, grad=False)[0]
        ) / (2 * h)
        assert g[i] == pytest.approx(fd, rel=1e-5, abs=1e-6), spec.names[i]


@pytest.mark.parametrize(("name", "kernel", "baseline", "p"), CASES, ids=[c[0] for c in CASES])
def test_compensator_and_intensity_match_brute_force(name, kernel, baseline, p):
    spec = ModelSpec(baseline, kernel)
    theta = spec.from_dict(p)
    s = np.array([0.0, 1.1, 3.3, 4.52, 10.0, 19.9])
    lam = spec.intensity_at(theta, TIMES, s)
    comp = spec.compensator_at(theta, TIMES, s)
    for k, sk in enumerate(s):
        before = TIMES[sk > TIMES]
        want = float(baseline.rate(np.array([sk]), p)[0])
        wantc = baseline.integral(0.0, sk, p)
        if kernel is not None:
            want += p["branching_ratio"] * float(np.sum(kernel.density(sk - before, p)))
            wantc += p["branching_ratio"] * float(np.sum(kernel.cdf(sk - before, p)))
        assert lam[k] == pytest.approx(want, rel=1e-10)
        assert comp[k] == pytest.approx(wantc, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("baseline", "theta"),
    [
        (ConstantBaseline(), [0.4, 0.6, 1.7]),
        (PiecewiseBaseline([6.0, 12.5]), [0.4, 0.9, 0.2, 0.5, 2.0]),
    ],
    ids=["constant", "piecewise"],
)
def test_hessian_matches_finite_differences(baseline, theta):
    spec = ModelSpec(baseline, ExponentialKernel())
    assert spec.fused
    theta = np.array(theta)
    _, g, H = spec.loglik_grad_hess(theta, [TIMES], T_WIN)
    np.testing.assert_allclose(g, spec.loglik_grad(theta, [TIMES], T_WIN)[1], rtol=1e-12)
    for i in range(theta.size):
        h = 1e-6
        up, dn = theta.copy(), theta.copy()
        up[i] += h
        dn[i] -= h
        fd = (spec.loglik_grad(up, [TIMES], T_WIN)[1] - spec.loglik_grad(dn, [TIMES], T_WIN)[1]) / (
            2 * h
        )
        np.testing.assert_allclose(H[:, i], fd, rtol=1e-5, atol=1e-6)


def test_reorigin_epoch_scale_times_keep_precision():
    # the same pattern placed 50 years after the epoch in seconds: times() re-origins
    base = EventSeries.from_offsets(TIMES, start="2000-01-01", end=T_WIN)
    late = EventSeries.from_offsets(TIMES, start="2049-06-01 13:00", end=T_WIN)
    p = CASES[0][3]
    a = HawkesProcess().loglikelihood(base, p)
    b = HawkesProcess().loglikelihood(late, p)
    assert a == pytest.approx(b, rel=1e-12)


def test_kernels_are_densities_and_samplers():
    rng = np.random.default_rng(3)
    for kernel, p in [
        (ExponentialKernel(), {"decay": 1.3}),
        (
            SumExponentialKernel(2),
            {"decay_1": 0.2, "decay_2": 3.0, "weight_1": 0.3, "weight_2": 0.7},
        ),
        (PowerLawKernel(), {"cutoff": 0.7, "exponent": 2.5}),
        (
            NonparametricKernel(edges=[0, 1, 2, 5]),
            {"weight_1": 0.5, "weight_2": 0.2, "weight_3": 0.3},
        ),
    ]:
        edges = list(getattr(kernel, "edges", []))
        total = (
            integrate.quad(
                lambda s, k=kernel, p=p: float(k.density(np.array([s]), p)[0]), 0, np.inf, limit=400
            )[0]
            if not edges
            else sum(
                integrate.quad(
                    lambda s, k=kernel, p=p: float(k.density(np.array([s]), p)[0]), a, b
                )[0]
                for a, b in itertools.pairwise(edges)
            )
        )
        assert total == pytest.approx(1.0, abs=1e-7), kernel.name
        for x in (0.3, 1.5, 4.0):
            cdf = integrate.quad(
                lambda s, k=kernel, p=p: float(k.density(np.array([s]), p)[0]),
                0,
                x,
                points=[e for e in edges if 0 < e < x] or None,
            )[0]
            assert float(kernel.cdf(np.array([x]), p)[0]) == pytest.approx(cdf, abs=1e-9)
        draws = kernel.sample(rng, 4000, p)
        ks = stats.kstest(draws, lambda x, k=kernel, p=p: k.cdf(np.asarray(x), p))
        assert ks.pvalue > 1e-3, kernel.name
        assert kernel.median_delay(p) == pytest.approx(Kernel_median(kernel, p), rel=1e-6)


def Kernel_median(kernel, p):
    from scipy.optimize import brentq

    return brentq(lambda x: float(kernel.cdf(np.array([x]), p)[0]) - 0.5, 1e-12, 1e6, xtol=1e-14)


def test_mean_delay_closed_forms():
    # exponential: 1/beta; power law: c / (p - 2) (Lomax mean)
    assert ExponentialKernel().mean_delay({"decay": 4.0}) == 0.25
    assert PowerLawKernel().mean_delay({"cutoff": 2.0, "exponent": 3.0}) == pytest.approx(2.0)
    assert PowerLawKernel().mean_delay({"cutoff": 2.0, "exponent": 1.5}) == math.inf


# -- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"baseline": -1.0, "branching_ratio": 0.2, "decay": 1.0},
            "`baseline` parameter must be > 0",
        ),
        (
            {"baseline": 1.0, "branching_ratio": -0.2, "decay": 1.0},
            "`branching_ratio` parameter must be >= 0",
        ),
        (
            {"baseline": 1.0, "branching_ratio": 0.2, "decay": float("nan")},
            "`decay` parameter must be a finite",
        ),
        (
            {"baseline": 1.0, "branching_ratio": 0.2, "decay": float("inf")},
            "`decay` parameter must be a finite",
        ),
        ({"baseline": 1.0, "branching_ratio": 0.2}, "missing \\['decay'\\]"),
        (
            {"baseline": 1.0, "branching_ratio": 0.2, "decay": 1.0, "alpha": 1},
            "unknown \\['alpha'\\]",
        ),
    ],
)
def test_bad_params_raise(params, match):
    ev = EventSeries.from_offsets([1, 2, 3], end=5.0)
    with pytest.raises(IncidentStatsError, match=match):
        HawkesProcess().loglikelihood(ev, params)


def test_unknown_kernel_name():
    with pytest.raises(
        IncidentStatsError,
        match="`kernel` parameter of HawkesProcess must be one of.*Got 'exponentail'.*Did you mean 'exponential'",
    ):
        HawkesProcess(kernel="exponentail")


def test_bad_times_for_array_loglik():
    with pytest.raises(IncidentStatsError, match="must be sorted and lie in the window"):
        loglikelihood([3.0, 1.0], 5.0, EXP)
    with pytest.raises(IncidentStatsError, match="`T` argument"):
        loglikelihood([1.0], -5.0, EXP)


def test_power_law_exponent_must_exceed_one():
    ev = EventSeries.from_offsets([1, 2, 3], end=5.0)
    p = {"baseline": 1.0, "branching_ratio": 0.2, "cutoff": 1.0, "exponent": 1.0}
    with pytest.raises(IncidentStatsError, match="`exponent` parameter must be > 1"):
        HawkesProcess("power_law").loglikelihood(ev, p)


def test_weights_must_sum_to_one():
    ev = EventSeries.from_offsets([1, 2, 3], end=5.0)
    p = {
        "baseline": 1.0,
        "branching_ratio": 0.2,
        "decay_1": 1.0,
        "decay_2": 2.0,
        "weight_1": 0.5,
        "weight_2": 0.6,
    }
    with pytest.raises(IncidentStatsError, match="kernel weights must sum to 1"):
        HawkesProcess("sum_exponential").loglikelihood(ev, p)


@pytest.mark.parametrize(("c", "q"), [(0.1, 1.2), (1.0, 2.0), (10.0, 3.5), (0.5, 1.05)])
def test_power_law_mixture_matches_exact_double_sum(c, q):
    from incidentstats.hawkes.simulate import simulate

    p = {"baseline": 0.5, "branching_ratio": 0.6, "cutoff": c, "exponent": q}
    exact = PowerLawKernel(method="exact")
    mix = PowerLawKernel(method="mixture")
    t = np.sort(simulate(exact, ConstantBaseline(), p, 800.0, np.random.default_rng(1)))
    th = np.array([0.5, 0.6, c, q])
    a = ModelSpec(ConstantBaseline(), exact).loglik_grad(th, [t], 800.0)
    b = ModelSpec(ConstantBaseline(), mix).loglik_grad(th, [t], 800.0)
    # stated accuracy (PowerLawKernel docstring): relative 1e-14 on l, 1e-11 on the gradient
    assert b[0] == pytest.approx(a[0], rel=1e-12)
    np.testing.assert_allclose(b[1], a[1], rtol=1e-9)
    s = np.array([0.0, 3.3, 100.0, 799.0])
    for x, y in zip(mix._sums_at(t, s, p), exact._sums_at(t, s, p)):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)


def test_power_law_method_option():
    assert PowerLawKernel()._use_mixture(5000) and not PowerLawKernel()._use_mixture(500)
    with pytest.raises(IncidentStatsError, match="`method` parameter of PowerLawKernel"):
        PowerLawKernel(method="fast")


@settings(max_examples=40, deadline=None)
@given(
    gaps=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=40),
    mu=st.floats(0.01, 5.0),
    n=st.floats(0.0, 2.0),
    beta=st.floats(0.01, 50.0),
    w=st.floats(0.05, 0.95),
)
def test_exponential_equals_two_equal_component_mixture(gaps, mu, n, beta, w):
    # invariant: a sum of two exponentials with the same decay is the exponential kernel,
    # computed by a different code path (per-component recursions, generic combination)
    t = np.cumsum(gaps)
    T = float(t[-1]) + 1.0
    a = ModelSpec(ConstantBaseline(), ExponentialKernel()).loglik_grad(
        np.array([mu, n, beta]), [t], T, grad=False
    )[0]
    b = ModelSpec(ConstantBaseline(), SumExponentialKernel(2)).loglik_grad(
        np.array([mu, n, beta, beta, w, 1 - w]), [t], T, grad=False
    )[0]
    assert b == pytest.approx(a, rel=1e-10, abs=1e-10)
