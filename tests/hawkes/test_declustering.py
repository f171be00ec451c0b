"""Tests of stochastic declustering (branching probabilities)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import incidentstats as ist
from incidentstats import EventSeries
from incidentstats.exceptions import IncidentStatsError, IncidentStatsTypeError
from incidentstats.hawkes import HawkesProcess, PiecewiseBaseline, PoissonProcess
from incidentstats.hawkes.declustering import branching_probabilities, branching_table, decluster
from incidentstats.hawkes.kernels import ExponentialKernel, PowerLawKernel, SumExponentialKernel
from incidentstats.hawkes.simulate import simulate_paths

EXP = {"baseline": 0.4, "branching_ratio": 0.6, "decay": 1.5}
SUMEXP = {
    "baseline": 0.4,
    "branching_ratio": 0.6,
    "decay_1": 0.3,
    "decay_2": 4.0,
    "weight_1": 0.3,
    "weight_2": 0.7,
}
POWER = {"baseline": 0.4, "branching_ratio": 0.6, "cutoff": 0.4, "exponent": 2.5}


class GenericExponential(ExponentialKernel):
    """The same density under another name: forces the general O(n²) block code path."""

    name = "generic_exponential"


class GenericSumExponential(SumExponentialKernel):
    name = "generic_sum_exponential"


def brute_force(kernel, params, mu, times):
    """Direct O(n²) definition: p_ij = n g(t_i − t_j)/λ_i for t_j < t_i, p_i0 = μ_i/λ_i."""
    n = params["branching_ratio"]
    t = np.asarray(times, float)
    lag = t[:, None] - t[None, :]
    phi = np.where(lag > 0, n * kernel.density(np.where(lag > 0, lag, 0.0), params), 0.0)
    lam = mu + phi.sum(axis=1)
    P = phi / lam[:, None]
    parent = np.where(phi.max(axis=1) > 0, phi.argmax(axis=1), -1)
    return lam, mu / lam, parent, P.max(axis=1), P.sum(axis=0)


def assert_tables_equal(a, b, parents=True):
    lam, pb, par, pp, kids = a
    lam2, pb2, par2, pp2, kids2 = b
    assert np.allclose(lam, lam2, rtol=1e-10, atol=1e-14)
    assert np.allclose(pb, pb2, rtol=1e-10, atol=1e-14)
    assert np.allclose(pp, pp2, rtol=1e-10, atol=1e-14)
    assert np.allclose(kids, kids2, rtol=1e-9, atol=1e-12)
    if parents:
        assert np.array_equal(par, par2)


def test_small_example_with_ties_against_brute_force():
    t = np.array([0.0, 1.0, 1.0, 3.0, 3.0, 3.5])
    mu = np.full(t.size, EXP["baseline"])
    ref = brute_force(ExponentialKernel(), EXP, mu, t)
    got = branching_table("exponential", None, EXP, t)
    # among tied equally likely parents the code reports the latest; the reference the first
    assert_tables_equal(got, ref, parents=False)
    assert list(got[2]) == [-1, 0, 0, 2, 2, 4]
    # by hand: event 1 has λ = μ + nβ e^{−β}; P(background) = μ/λ
    lam1 = 0.4 + 0.6 * 1.5 * np.exp(-1.5)
    assert got[1][1] == pytest.approx(0.4 / lam1)
    assert got[1][2] == pytest.approx(0.4 / lam1)  # its tie has the same parents only


@pytest.mark.parametrize(
    "fast,generic,params",
    [
        (ExponentialKernel(), GenericExponential(), EXP),
        (SumExponentialKernel(2), GenericSumExponential(2), SUMEXP),
    ],
)
def test_recursion_matches_block_double_sum(fast, generic, params):
    (t,) = simulate_paths(fast, None, params, 2500.0, 1, rng=3)
    assert t.size > 2000  # several blocks of the O(n²) path
    a = branching_table(fast, None, params, t)
    b = branching_table(generic, None, params, t)
    assert_tables_equal(a, b)
    c = brute_force(fast, params, np.full(400, params["baseline"]), t[:400])
    assert_tables_equal(branching_table(fast, None, params, t[:400]), c)


def test_power_law_against_brute_force_and_conservation():
    (t,) = simulate_paths(PowerLawKernel(), None, POWER, 300.0, 1, rng=4)
    mu = np.full(t.size, POWER["baseline"])
    got = branching_table(PowerLawKernel(), None, POWER, t)
    assert_tables_equal(got, brute_force(PowerLawKernel(), POWER, mu, t))
    # every event is either background or the child of one earlier event
    assert got[1].sum() + got[4].sum() == pytest.approx(t.size)


@pytest.mark.parametrize(
    "kernel,params,baseline",
    [
        (ExponentialKernel(), EXP, None),
        (PowerLawKernel(), POWER, None),
        (
            ExponentialKernel(),
            {"baseline": 0.2, "baseline_2": 0.8, "branching_ratio": 0.6, "decay": 1.5},
            PiecewiseBaseline(breaks=[40.0], _offsets=np.array([40.0])),
        ),
    ],
)
def test_expected_background_equals_integrated_baseline(kernel, params, baseline):
    # E Σ_i μ(t_i)/λ(t_i) = E ∫ μ(t)/λ(t) dN(t) = ∫ μ(t) dt (compensator identity): the
    # declustered background count is unbiased for the background count under the true model
    T = 100.0
    totals = []
    for x in simulate_paths(kernel, baseline, params, T, 300, rng=9):
        totals.append(branching_table(kernel, baseline, params, x)[1].sum())
    totals = np.array(totals)
    expected = (
        params["baseline"] * T
        if baseline is None
        else params["baseline"] * 40.0 + params["baseline_2"] * 60.0
    )
    assert abs(totals.mean() - expected) < 4 * totals.std(ddof=1) / np.sqrt(totals.size)


def test_poisson_and_empty_cases():
    _lam, pb, par, _pp, kids = branching_table(None, 0.5, {"branching_ratio": 0.0}, [1.0, 2.0])
    assert np.all(pb == 1.0) and np.all(par == -1) and np.all(kids == 0.0)
    out = branching_table("exponential", None, EXP, [])
    assert all(len(x) == 0 for x in out)


def test_large_series_runs_in_linear_memory():
    # 2·10^5 events: an n × n matrix would need 320 GB; the recursion needs O(n)
    t = np.sort(np.random.default_rng(1).uniform(0, 1e5, 200_000))
    _lam, pb, par, _pp, _kids = branching_table("exponential", None, EXP, t)
    assert np.all((pb > 0) & (pb <= 1)) and np.all(par[1:] == np.arange(t.size - 1))


@pytest.fixture(scope="module")
def iraq_fit():
    return HawkesProcess(kernel="exponential").fit(ist.datasets.load_iraq_attacks())


def test_branching_probabilities_of_a_fit(iraq_fit):
    res = iraq_fit
    bp = branching_probabilities(res)
    assert list(bp.columns) == [
        "time",
        "offset",
        "intensity",
        "p_background",
        "p_triggered",
        "parent",
        "p_parent",
        "expected_children",
    ]
    assert len(bp) == res.n_events == 99
    assert bp["time"].equals(pd.Series(res.events.timestamps, name="time"))
    assert np.allclose(bp["offset"], res.times)
    assert np.allclose(bp["intensity"], res.intensity(res.times), rtol=1e-9)
    assert pd.isna(bp["parent"].iloc[0]) and str(bp["parent"].dtype) == "Int64"
    valid = bp["parent"].notna()
    assert np.all(bp.loc[valid, "parent"].to_numpy(int) < np.flatnonzero(valid))
    assert np.all((bp["p_background"] > 0) & (bp["p_background"] <= 1))
    assert bp["p_background"].sum() + bp["expected_children"].sum() == pytest.approx(99.0)
    assert res.branching_probabilities().equals(bp)  # the result's method delegates here


def test_poisson_fit_is_all_background():
    res = PoissonProcess().fit(ist.datasets.load_iraq_attacks())
    bp = branching_probabilities(res)
    assert np.all(bp["p_background"] == 1.0) and bp["parent"].isna().all()


def test_decluster_samples_background(iraq_fit):
    bp = branching_probabilities(iraq_fit)
    a = decluster(iraq_fit, rng=1)
    b = decluster(iraq_fit, rng=1)
    assert isinstance(a, EventSeries) and a.timestamps.equals(b.timestamps)
    assert a.start == iraq_fit.events.start and a.end == iraq_fit.events.end
    many = decluster(iraq_fit, rng=2, n_samples=400)
    sizes = np.array([x.n for x in many])
    # E(size) = Σ p_background; Var = Σ p (1 − p) (independent Bernoulli draws)
    pb = bp["p_background"].to_numpy()
    sd = np.sqrt(np.sum(pb * (1 - pb)))
    assert abs(sizes.mean() - pb.sum()) < 4 * sd / np.sqrt(400)
    assert set(many[0].marks.columns) == set(iraq_fit.events.marks.columns)


def test_bad_input():
    with pytest.raises(IncidentStatsError, match="sorted"):
        branching_table("exponential", None, EXP, [2.0, 1.0])
    with pytest.raises(IncidentStatsError, match="finite"):
        branching_table("exponential", None, EXP, [1.0, np.inf])
    with pytest.raises(IncidentStatsError, match="branching_ratio"):
        branching_table("exponential", None, {"baseline": 1.0, "decay": 1.0}, [1.0])
    with pytest.raises(IncidentStatsTypeError, match="fitted HawkesResult"):
        branching_probabilities(np.array([1.0, 2.0]))
    ev = EventSeries.from_offsets([1.0, 2.0, 3.0], end=10.0)
    fake = type(
        "Fake",
        (),
        {
            "process": type("P", (), {"kernel": ExponentialKernel(), "baseline": None})(),
            "params": pd.Series(EXP),
            "T": 10.0,
            "times": np.array([1.0, 2.0, 3.0]),
            "events": ev,
        },
    )()
    with pytest.raises(IncidentStatsError, match="n_samples"):
        decluster(fake, rng=1, n_samples=0)
