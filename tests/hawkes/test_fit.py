"""HawkesProcess.fit: optimum checks, simulation recovery, Iraq data, warnings and bad input."""

from __future__ import annotations

import os

import numpy as np
import pytest
from scipy import optimize

import incidentstats as ist
from incidentstats.events import EventSeries
from incidentstats.exceptions import (
    ConvergenceWarning,
    IncidentStatsError,
    IncidentStatsTypeError,
    SmallSampleWarning,
)
from incidentstats.hawkes import (
    HawkesProcess,
    PiecewiseBaseline,
    PoissonProcess,
    ShockBaseline,
)
from incidentstats.hawkes.likelihood import ModelSpec

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"


def branching_sim(mu, n, beta, T, rng):
    """Independent test simulator (cluster representation, exponential kernel)."""
    imm = rng.uniform(0, T, rng.poisson(mu * T))
    out = [imm]
    gen = imm
    while gen.size:
        kids = rng.poisson(n, gen.size)
        par = np.repeat(gen, kids)
        child = par + rng.exponential(1 / beta, par.size)
        child = child[child < T]
        out.append(child)
        gen = child
    return np.sort(np.concatenate(out))


def events_from(t, T):
    return EventSeries.from_offsets(t, end=T)


def test_fused_newton_reaches_the_maximum_found_by_nelder_mead():
    rng = np.random.default_rng(11)
    t = branching_sim(0.5, 0.6, 2.0, 600.0, rng)
    res = HawkesProcess().fit(events_from(t, 600.0))
    assert res.converged
    spec = ModelSpec(res.process.baseline, res.process.kernel)

    def negll(u):
        return -spec.loglik_grad(np.exp(u), [res.times], res.T, grad=False)[0]

    nm = optimize.minimize(
        negll,
        np.log([0.3, 0.3, 1.0]),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000},
    )
    assert -nm.fun <= res.loglik + 1e-7
    np.testing.assert_allclose(res.params.to_numpy(), np.exp(nm.x), rtol=1e-4)
    # the gradient at the optimum is ~0
    _, g = spec.loglik_grad(res.params.to_numpy(), [res.times], res.T)
    assert np.max(np.abs(g * res.params.to_numpy())) < 1e-3 * np.sqrt(t.size)


def test_generic_path_agrees_with_fused_path():
    rng = np.random.default_rng(5)
    t = branching_sim(0.5, 0.5, 1.0, 500.0, rng)
    ev = events_from(t, 500.0)
    a = HawkesProcess().fit(ev)
    # a piecewise baseline with a break whose two levels are tied would equal the constant
    # model; instead compare the constant model solved by L-BFGS (decay fixed at the optimum)
    b = HawkesProcess(fixed={"decay": float(a.params["decay"])}).fit(ev)
    np.testing.assert_allclose(b.params.to_numpy(), a.params.to_numpy(), rtol=2e-4)
    assert b.loglik == pytest.approx(a.loglik, abs=1e-6)


def test_hessian_errors_match_finite_difference_information():
    rng = np.random.default_rng(8)
    t = branching_sim(0.6, 0.4, 1.5, 800.0, rng)
    res = HawkesProcess().fit(events_from(t, 800.0))
    spec = ModelSpec(res.process.baseline, res.process.kernel)
    th = res.params.to_numpy()
    H = np.zeros((3, 3))
    for i in range(3):
        h = 1e-5 * th[i]
        up, dn = th.copy(), th.copy()
        up[i] += h
        dn[i] -= h
        H[:, i] = (
            spec.loglik_grad(up, [res.times], res.T)[1]
            - spec.loglik_grad(dn, [res.times], res.T)[1]
        ) / (2 * h)
    se = np.sqrt(np.diag(np.linalg.inv(-H)))
    np.testing.assert_allclose(res.bse.to_numpy(), se, rtol=1e-3)


@pytest.mark.parametrize("seed", [1, 2])
def test_recovery_exponential(seed):
    mu, n, beta = 0.5, 0.5, 1.0
    rng = np.random.default_rng(seed)
    T = 4000.0  # ~4000 events
    t = branching_sim(mu, n, beta, T, rng)
    res = HawkesProcess().fit(events_from(t, T))
    truth = np.array([mu, n, beta])
    z = (res.params.to_numpy() - truth) / res.bse.to_numpy()
    assert np.all(np.abs(z) < 3.5), (res.params, res.bse)
    assert res.bse["branching_ratio"] < 0.03


def test_estimates_converge_with_sample_size():
    # mean absolute error of the branching ratio shrinks roughly like 1/sqrt(N)
    mu, n, beta = 0.5, 0.5, 1.0
    errs = {}
    for T in (400.0, 6400.0):
        e = []
        for seed in range(8):
            t = branching_sim(mu, n, beta, T, np.random.default_rng(100 + seed))
            e.append(
                abs(HawkesProcess(n_starts=1).fit(events_from(t, T)).params["branching_ratio"] - n)
            )
        errs[T] = np.mean(e)
    assert errs[6400.0] < errs[400.0] / 2


def test_recovery_with_piecewise_baseline():
    rng = np.random.default_rng(21)
    T = 3000.0
    a = branching_sim(0.3, 0.5, 2.0, 1500.0, rng)
    b = 1500.0 + branching_sim(0.9, 0.5, 2.0, 1500.0, rng)
    t = np.concatenate([a, b])
    res = HawkesProcess(baseline=PiecewiseBaseline(breaks=[1500.0])).fit(events_from(t, T))
    assert res.converged
    for name, truth in [
        ("baseline", 0.3),
        ("baseline_2", 0.9),
        ("branching_ratio", 0.5),
        ("decay", 2.0),
    ]:
        assert abs(res.params[name] - truth) < 3.5 * res.bse[name], name


def test_sum_exponential_and_nonparametric_fit():
    rng = np.random.default_rng(4)
    T = 1000.0
    t = branching_sim(0.5, 0.5, 1.0, T, rng)
    ev = events_from(t, T)
    exp_fit = HawkesProcess().fit(ev)
    for kernel in ("sum_exponential", "nonparametric"):
        res = HawkesProcess(kernel=kernel, n_starts=2).fit(ev)
        assert res.converged, kernel
        if kernel == "sum_exponential":
            # nests the exponential kernel: never a lower maximum (a slow second component
            # may absorb background fluctuations, so n is not compared)
            assert res.loglik >= exp_fit.loglik - 1e-6
        else:
            assert abs(res.branching_ratio - exp_fit.branching_ratio) < 0.1, kernel


def test_power_law_recovery():
    from incidentstats.hawkes.simulate import simulate

    kernel = ist.hawkes.PowerLawKernel()
    p = {"baseline": 0.5, "branching_ratio": 0.5, "cutoff": 0.5, "exponent": 2.5}
    T = 1200.0
    t = simulate(kernel, ist.hawkes.ConstantBaseline(), p, T, np.random.default_rng(12))
    res = HawkesProcess(kernel="power_law", n_starts=1).fit(events_from(np.sort(t), T))
    assert res.converged
    for name in ("baseline", "branching_ratio", "exponent"):
        assert abs(res.params[name] - p[name]) < 3.5 * res.bse[name], name
    # the half-life c (2^(1/(p-1)) - 1) is identified better than c and p separately
    true_half = 0.5 * (2 ** (1 / 1.5) - 1)
    assert abs(np.log(res.half_life / true_half)) < 1.0


def test_fixed_decay_is_respected():
    rng = np.random.default_rng(2)
    t = branching_sim(0.5, 0.5, 1.0, 300.0, rng)
    res = HawkesProcess(fixed={"decay": 1.0}).fit(events_from(t, 300.0))
    assert res.params["decay"] == 1.0
    assert res.bse["decay"] == 0.0
    assert res.n_params == 2


def test_unit_hours_scales_rates():
    rng = np.random.default_rng(9)
    t = branching_sim(0.5, 0.5, 1.0, 500.0, rng)
    ev = events_from(t, 500.0)
    d = HawkesProcess().fit(ev)
    h = HawkesProcess(unit="h").fit(ev)
    assert h.params["baseline"] * 24 == pytest.approx(d.params["baseline"], rel=1e-4)
    assert h.params["decay"] * 24 == pytest.approx(d.params["decay"], rel=1e-4)
    assert h.params["branching_ratio"] == pytest.approx(d.params["branching_ratio"], rel=1e-4)


def test_result_interface():
    rng = np.random.default_rng(3)
    t = branching_sim(0.5, 0.5, 1.0, 400.0, rng)
    ev = events_from(t, 400.0)
    res = HawkesProcess().fit(ev)
    assert list(res.params.index) == ["baseline", "branching_ratio", "decay"]
    assert res.half_life == pytest.approx(np.log(2) / res.params["decay"])
    assert res.mean_delay == pytest.approx(1 / res.params["decay"])
    assert res.aic == pytest.approx(-2 * res.loglik + 6)
    assert res.bic == pytest.approx(-2 * res.loglik + 3 * np.log(ev.n))
    lam = res.intensity([0.0, 100.0])
    assert lam[0] == pytest.approx(res.params["baseline"])
    comp = res.compensator()
    assert comp.shape == (ev.n,) and np.all(np.diff(comp) > 0)
    # E[Λ(T)] = N at the MLE: the scale score equation (closed form of the first-order
    # conditions for a constant baseline)
    assert res.expected_count() == pytest.approx(ev.n, rel=1e-5)
    d = res.to_dict()
    import json

    json.dumps(d)
    text = str(res.summary())
    assert "branching_ratio" in text and "Half-life" in text
    ax = res.plot_intensity()
    assert ax.get_title().startswith("Hawkes")


def test_iraq_core_models_compared():
    ev = ist.datasets.load_iraq_attacks()
    assert ev.n == 99 and ev.resolution == "day"  # data card: 99 core events
    const = HawkesProcess().fit(ev)
    piece = HawkesProcess(baseline=PiecewiseBaseline(breaks=["2020-01-03"])).fit(ev)
    pois = PoissonProcess().fit(ev)
    pois2 = PoissonProcess(breaks=["2020-01-03"]).fit(ev)
    assert const.jittered and const.n_imputations == 10
    # Poisson closed form: 99 events over the window length
    assert pois.params["baseline"] == pytest.approx(99 / ev.duration())
    cmp = ist.compare_models([pois, pois2, const, piece])
    assert len(cmp.table) == 4
    assert set(cmp.tests["null"]) >= {"Poisson, constant baseline"}
    # the data are clustered (the monthly counts in the data card swing 0..12): contagion is
    # detected against the homogeneous Poisson model
    row = cmp.tests[
        (cmp.tests["null"] == "Poisson, constant baseline")
        & (cmp.tests["alternative"] == "Hawkes (exponential), constant baseline")
    ]
    assert float(row["pvalue"].iloc[0]) < 1e-3
    assert 0.2 < const.branching_ratio < 0.95
    for r in (const, piece, pois, pois2):
        g = r.gof()
        assert 0 <= g.pvalue <= 1
    spread = const.imputation_spread()
    assert spread.loc["branching_ratio", "std"] > 0


def test_small_sample_warns_and_uses_profile():
    ev = EventSeries.from_offsets(
        [0.5, 0.9, 1.1, 4.0, 4.2, 7.5, 7.6, 9.0, 12.0, 12.1, 12.3, 20.0], end=25.0
    )
    with pytest.warns(SmallSampleWarning, match="Only 12 events"):
        res = HawkesProcess().fit(ev)
    ci = res.confidence_interval("branching_ratio")
    assert ci.method == "profile"
    assert ci.low <= res.branching_ratio <= ci.high
    assert "profile" in str(res.summary())


def test_explosive_fit_warns():
    # a window that ends in the middle of a huge burst after long quiet: n near or above 1
    rng = np.random.default_rng(0)
    t = branching_sim(0.02, 1.0, 5.0, 200.0, rng)
    t = np.concatenate([t, 199.0 + np.sort(rng.uniform(0, 0.9, 200))])
    with pytest.warns(ConvergenceWarning, match="branching ratio"):
        HawkesProcess(n_starts=2).fit(events_from(np.sort(t), 200.0))


def test_fewer_than_two_events():
    ev = EventSeries.from_offsets([1.0], end=5.0)
    with pytest.raises(
        IncidentStatsError, match="at least 2 events.*Got '1 events'|at least 2 events"
    ):
        HawkesProcess().fit(ev)


def test_break_outside_window():
    ev = EventSeries.from_offsets([1.0, 2.0, 3.0], start="2020-01-01", end=5.0)
    with pytest.raises(
        IncidentStatsError, match="`breaks` parameter of PiecewiseBaseline must lie strictly inside"
    ):
        HawkesProcess(baseline=PiecewiseBaseline(breaks=["2021-01-01"])).fit(ev)
    with pytest.raises(IncidentStatsError, match="`dates` parameter of ShockBaseline must lie"):
        HawkesProcess(baseline=ShockBaseline(dates=["2019-01-01"])).fit(ev)


def test_not_events_and_bad_options():
    with pytest.raises(IncidentStatsTypeError, match="must be an EventSeries"):
        HawkesProcess().fit([1.0, 2.0])
    with pytest.raises(IncidentStatsError, match="`fixed` parameter must name parameters"):
        HawkesProcess(fixed={"beta": 1.0})
    with pytest.raises(IncidentStatsError, match="`ties` parameter"):
        HawkesProcess(ties="ignore")
    with pytest.raises(IncidentStatsError, match="`n_starts` parameter must be > 0"):
        HawkesProcess(n_starts=0)


def test_dict_of_streams_dispatches_to_multivariate():
    pytest.importorskip("incidentstats.hawkes.multivariate")
    rng = np.random.default_rng(1)
    a = events_from(branching_sim(0.3, 0.3, 1.0, 300.0, rng), 300.0)
    b = events_from(branching_sim(0.3, 0.3, 1.0, 300.0, rng), 300.0)
    out = HawkesProcess().fit({"a": a, "b": b})
    assert type(out).__name__ == "MultivariateHawkesResult"


@pytest.mark.skipif(not FULL, reason="full-size recovery grid: INCIDENTSTATS_FULL=1")
def test_recovery_grid_full():
    for mu, n, beta in [(0.2, 0.3, 0.5), (0.5, 0.7, 2.0), (1.0, 0.5, 10.0)]:
        for N_target in (100, 1000, 10_000, 100_000):
            T = N_target * (1 - n) / mu
            t = branching_sim(mu, n, beta, T, np.random.default_rng(int(N_target + 10 * n)))
            # long windows: offsets in minutes keep the timestamps inside pandas' range
            ev = EventSeries.from_offsets(t, end=T, unit="min")
            res = HawkesProcess(unit="min").fit(ev)
            z = (res.params.to_numpy() - np.array([mu, n, beta])) / res.bse.to_numpy()
            assert np.all(np.abs(z) < 4), (mu, n, beta, N_target, res.params)


def test_shock_baseline_recovery():
    # exogenous impulse at day 300 on top of contagion: the shock size and both decays are
    # recovered (simulated by the simulation module's thinning algorithm)
    from incidentstats.hawkes.simulate import simulate

    b = ShockBaseline(dates=[300.0])
    p = {"baseline": 0.4, "shock_1": 60.0, "shock_decay": 0.1, "branching_ratio": 0.4, "decay": 2.0}
    T = 1500.0
    t = simulate(ist.hawkes.ExponentialKernel(), b, p, T, np.random.default_rng(3))
    res = HawkesProcess(baseline=b).fit(events_from(np.sort(t), T))
    assert res.converged
    for name, truth in p.items():
        assert abs(res.params[name] - truth) < 3.5 * res.bse[name], name


def test_kernel_option_errors():
    with pytest.raises(
        IncidentStatsError,
        match="`n_components` parameter of SumExponentialKernel must be at least 2",
    ):
        ist.hawkes.SumExponentialKernel(1)
    with pytest.raises(IncidentStatsError, match="`edges` parameter of NonparametricKernel"):
        ist.hawkes.NonparametricKernel(edges=[1, 2, 3])
    ev = events_from(np.sort(np.random.default_rng(0).uniform(0, 50, 60)), 50.0)
    with pytest.raises(
        IncidentStatsError, match="nonparametric kernel is fitted by EM with a constant baseline"
    ):
        HawkesProcess("nonparametric", baseline="trend").fit(ev)
    with pytest.raises(
        IncidentStatsTypeError, match="`kernel` parameter of HawkesProcess must be a kernel name"
    ):
        HawkesProcess(kernel=3)


def test_iraq_first_13_events_sit_on_the_boundary():
    # the AFP "thirteen attacks since the end of October" window (data card): too few events
    # to detect contagion; the fit works, warns, and says the kernel is not identified
    ev = ist.datasets.load_iraq_attacks().window("2019-10-28", "2020-01-05")
    assert ev.n == 13
    with pytest.warns(SmallSampleWarning):
        res = HawkesProcess().fit(ev)
    assert res.converged and res.at_boundary
    p = PoissonProcess().fit(ev)
    # the Hawkes maximum is never below the nested Poisson one
    assert res.loglik >= p.loglik - 1e-6
    assert "boundary of the parameter space" in str(res.summary())
    ci = res.confidence_interval("branching_ratio")
    assert ci.low == 0.0


def test_sum_exponential_components_in_decay_order():
    rng = np.random.default_rng(6)
    T = 800.0
    t = branching_sim(0.5, 0.5, 1.0, T, rng)
    res = HawkesProcess("sum_exponential", n_starts=3).fit(events_from(t, T))
    assert res.params["decay_1"] <= res.params["decay_2"]
    k = res.process.kernel
    p = res.params.to_dict()
    q = k.canonical(
        {
            **p,
            "decay_1": p["decay_2"],
            "decay_2": p["decay_1"],
            "weight_1": p["weight_2"],
            "weight_2": p["weight_1"],
        }
    )
    assert q == pytest.approx(p)


def test_power_law_on_exponential_data_degenerates_with_a_note():
    rng = np.random.default_rng(4)
    T = 600.0
    t = branching_sim(0.5, 0.5, 1.0, T, rng)
    ev = events_from(t, T)
    pl = HawkesProcess("power_law", n_starts=1).fit(ev)
    ex = HawkesProcess().fit(ev)
    assert pl.params["exponent"] > 100
    # (1 + t/c)^-p -> exp(-p t / c): same maximum and decay p/c as the exponential fit
    assert pl.params["exponent"] / pl.params["cutoff"] == pytest.approx(
        ex.params["decay"], rel=0.02
    )
    assert "no heavy tail" in str(pl.summary())
    assert pl.loglik == pytest.approx(ex.loglik, abs=1e-3)


def test_zero_branching_ratio_reduces_to_poisson():
    ev = events_from(np.sort(np.random.default_rng(0).uniform(0, 100, 80)), 100.0)
    h = HawkesProcess(fixed={"branching_ratio": 0.0, "decay": 1.0}).fit(ev)
    p = PoissonProcess().fit(ev)
    # closed form: mu = N / T, loglik = N log(N/T) - N
    assert h.params["baseline"] == pytest.approx(0.8, rel=1e-5)
    assert h.loglik == pytest.approx(p.loglik, abs=1e-8)
    assert p.loglik == pytest.approx(80 * np.log(0.8) - 80)


def test_piecewise_break_dates_follow_the_unit():
    rng = np.random.default_rng(10)
    t = branching_sim(0.5, 0.4, 2.0, 300.0, rng)
    ev = EventSeries.from_offsets(t, start="2020-01-01", end=300.0)
    b = PiecewiseBaseline(breaks=["2020-05-01"])
    d = HawkesProcess(baseline=b).fit(ev)
    h = HawkesProcess(baseline=b, unit="h").fit(ev)
    assert h.process.baseline.offsets[0] == pytest.approx(24 * d.process.baseline.offsets[0])
    assert h.params["baseline_2"] * 24 == pytest.approx(d.params["baseline_2"], rel=1e-4)
    assert h.loglik == pytest.approx(d.loglik - ev.n * np.log(24), rel=1e-6)


def test_decay_held_at_window_bound_on_homogeneous_data():
    # Regression: on homogeneous Poisson data the unconstrained MLE can put the decay at ~0,
    # where only n·β is identified and n ran to 10^2 - 10^5 while "converged". The fit now
    # holds the decay at 1/T (mean delay = window) and says so.
    import warnings

    import numpy as np

    import incidentstats as ist

    hit = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        x = np.sort(rng.uniform(0, 500, rng.poisson(100)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ist.HawkesProcess().fit(ist.EventSeries.from_offsets(x, end=500.0))
        assert res.params["decay"] >= 1 / 500 - 1e-12
        assert res.params["branching_ratio"] < 1.0
        if res.decay_at_bound:
            hit += 1
            assert res.at_boundary
            assert res.params["decay"] == 1 / 500
            assert "holds decay at 1/T" in str(res.summary())
            assert res.to_dict()["decay_at_bound"] == ["decay"]
    assert hit >= 2  # seeds 0 and 3 hit the bound (measured)


def test_shock_decay_held_at_window_bound():
    # Regression: a ShockBaseline fitted to homogeneous data ran to shock_1 = 4.6e11 with
    # shock_decay = 0 ("converged"; seed 6, measured). With shock sizes bounded at 0 the
    # size is now estimated at exactly 0 and the shock decay is reported as unidentified.
    import warnings

    import numpy as np

    import incidentstats as ist
    from incidentstats.hawkes import ShockBaseline

    rng = np.random.default_rng(6)
    x = np.sort(rng.uniform(0, 400, rng.poisson(120)))
    ev = ist.EventSeries.from_offsets(x, start="2020-01-01", end=400.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ist.HawkesProcess(baseline=ShockBaseline(dates=["2020-06-01"])).fit(ev)
    assert res.params["shock_1"] == 0.0
    assert res.params["shock_decay"] >= 1 / 400
    assert res.boundary_params == ("shock_1",)
    assert res.unidentified_params == ("shock_decay",)
    assert res.confidence_interval("shock_decay").method == "none"
    assert "shock_decay is not identified" in str(res.summary())


def test_decay_bounds_hold_after_a_constrained_refit():
    # Regression: a step change at the shock date (0.2/day, then 0.5/day) made the shock
    # decay run below 1/T; in the refit holding it at 1/T the kernel decay ran to 0 with
    # n = 4.7e7 (seed 3, measured before the bound check was repeated). Every decay is now
    # held at 1/T or above and the shock is a slow impulse of ~100 events.
    import warnings

    from incidentstats.hawkes import ShockBaseline

    rng = np.random.default_rng(3)
    x = np.sort(
        np.concatenate(
            [rng.uniform(0, 200, rng.poisson(40)), rng.uniform(200, 400, rng.poisson(100))]
        )
    )
    ev = ist.EventSeries.from_offsets(x, start="2020-01-01", end=400.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ist.HawkesProcess(baseline=ShockBaseline(dates=[200.0])).fit(ev)
    assert res.decay_at_bound == ("decay", "shock_decay")
    assert res.params["decay"] == res.params["shock_decay"] == 1 / 400
    assert res.params["branching_ratio"] < 1.0
    assert 50 < res.params["shock_1"] < 200
    assert "holds decay, shock_decay at 1/T" in str(res.summary())
