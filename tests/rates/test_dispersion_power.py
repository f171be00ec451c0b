"""dispersion_test, power and detectable_ratio."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError
from incidentstats.rates._dispersion import negbin_loglik
from incidentstats.rates._power import exact_conditional_power


# ---------------------------------------------------------------------------------------------
# dispersion
# ---------------------------------------------------------------------------------------------
def test_pearson_and_cameron_trivedi_by_hand():
    y = np.array([0, 0, 1, 9, 0, 0, 7, 0, 1, 0, 3, 2], dtype=float)
    res = ist.dispersion_test(y)
    mu = np.full_like(y, y.mean())
    x2 = np.sum((y - mu) ** 2 / mu)
    assert res.statistic == pytest.approx(x2)
    assert res.dispersion == pytest.approx(x2 / (len(y) - 1))
    assert res.pvalue == pytest.approx(stats.chi2.sf(x2, len(y) - 1))
    # Cameron-Trivedi NB1 form (AER::dispersiontest default): sqrt(n) mean(aux) / sd(aux)
    aux = ((y - mu) ** 2 - y) / mu
    z1 = np.sqrt(len(y)) * aux.mean() / aux.std(ddof=1)
    assert res.table.loc["cameron-trivedi-nb1", "statistic"] == pytest.approx(z1)
    # NB2 form: t-ratio of aux ~ 0 + mu, via statsmodels OLS (second implementation)
    import statsmodels.api as sm

    ols = sm.OLS(aux, mu).fit()
    assert res.table.loc["cameron-trivedi-nb2", "statistic"] == pytest.approx(ols.tvalues[0])
    assert res.table.loc["cameron-trivedi-nb2", "estimate"] == pytest.approx(ols.params[0])


def test_lr_test_matches_statsmodels_negative_binomial():
    # second implementation: statsmodels' NB2 intercept-only fit with exposure
    from statsmodels.discrete.discrete_model import NegativeBinomial

    rng = np.random.default_rng(4)
    e = rng.uniform(3, 7, 60)
    y = rng.poisson(rng.gamma(1 / 0.8, 0.8, 60) * 0.9 * e).astype(float)
    res = ist.dispersion_test(y, exposure=e)
    ref = NegativeBinomial(y, np.ones((60, 1)), exposure=e).fit(disp=0, method="bfgs", maxiter=500)
    assert res.alpha == pytest.approx(ref.params[-1], rel=2e-3)
    assert res.loglik_negbin == pytest.approx(ref.llf, abs=1e-5)
    lr = 2 * (ref.llf - res.loglik_poisson)
    assert res.table.loc["lr-negbin", "statistic"] == pytest.approx(lr, abs=1e-4)
    assert res.table.loc["lr-negbin", "pvalue"] == pytest.approx(
        0.5 * stats.chi2.sf(lr, 1), rel=1e-3
    )


def test_negbin_loglik_matches_scipy():
    y = np.array([0, 3, 1, 7])
    mu = np.array([1.0, 2.0, 0.5, 4.0])
    alpha = 0.7
    n = 1 / alpha
    ref = stats.nbinom.logpmf(y, n, n / (n + mu)).sum()
    assert negbin_loglik(y, mu, alpha) == pytest.approx(ref)


def _rejection_rates(n_rep, seed, alpha):
    rng = np.random.default_rng(seed)
    rej = np.zeros(3)
    for _ in range(n_rep):
        if alpha == 0:
            y = rng.poisson(2.0, 80)
        else:
            y = rng.poisson(rng.gamma(1 / alpha, 2.0 * alpha, 80))
        t = ist.dispersion_test(y).table["pvalue"]
        rej += np.array(
            [t["pearson"] <= 0.05, t["cameron-trivedi-nb2"] <= 0.05, t["lr-negbin"] <= 0.05]
        )
    return rej / n_rep


def test_dispersion_tests_level_and_power():
    # Poisson counts: each test rejects about 5% of the time (300 series, SE 1.3%)
    level = _rejection_rates(300, seed=8, alpha=0)
    assert (level <= 0.09).all()
    # NB2 counts with alpha = 0.5 (variance 2 mu at mu = 2): all tests detect it
    power = _rejection_rates(60, seed=9, alpha=0.5)
    assert (power >= 0.9).all()


def test_dispersion_inputs(data_dir):
    ev = ist.datasets.load_iraq_attacks()
    weekly = ev.counts("W")
    a = ist.dispersion_test(weekly)
    b = ist.dispersion_test(ev, freq="W")
    assert a.dispersion == pytest.approx(b.dispersion)
    # partial first/last weeks are weighted by their length
    assert a.rate == pytest.approx(ev.n / ev.duration())
    s = pd.Series([3, 1, 4, 1, 5], index=pd.period_range("2020-01", periods=5, freq="M"))
    c = ist.dispersion_test(s)
    assert c.n_bins == 5
    json.dumps(a.to_dict())
    assert "Dispersion index" in str(a.summary())


@pytest.mark.parametrize(
    ("counts", "kwargs", "match"),
    [
        ([1, 2], {}, "at least 3 bins"),
        ([0, 0, 0, 0], {}, "at least one event"),
        ([1, -2, 3], {}, "whole numbers"),
        ([1, 2.5, 3], {}, "whole numbers"),
        ([1, 2, 3], {"exposure": [1, 0, 1]}, "`exposure`"),
        ([1, 2, 3], {"alternative": "bigger"}, "`alternative`"),
        ("abc", {}, "`counts`"),
    ],
)
def test_dispersion_bad_input(counts, kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        ist.dispersion_test(counts, **kwargs)


def test_dispersion_exposure_with_count_series():
    cs = ist.datasets.load_iraq_attacks().counts("W")
    with pytest.raises(IncidentStatsError, match="`exposure`.*omitted"):
        ist.dispersion_test(cs, exposure=np.ones(cs.n_bins))


# ---------------------------------------------------------------------------------------------
# power
# ---------------------------------------------------------------------------------------------
def test_exact_power_matches_monte_carlo():
    # exact summation vs 4000 simulated pairs of windows tested with scipy's binomtest
    rate, tb, ta, ratio = 13 / 67, 67.0, 67.0, 2.0
    exact = ist.power(ratio, rate, tb, ta)
    rng = np.random.default_rng(2)
    cb = rng.poisson(rate * tb, 4000)
    ca = rng.poisson(rate * ratio * ta, 4000)
    rej = [
        (b + a) > 0 and stats.binomtest(int(a), int(a + b), ta / (ta + tb)).pvalue <= 0.05
        for b, a in zip(cb, ca)
    ]
    mc = np.mean(rej)
    se = np.sqrt(exact * (1 - exact) / 4000)
    assert abs(mc - exact) < 3 * se


def test_exact_power_at_null_is_at_most_level():
    for tb, ta in [(67, 67), (30, 90), (10, 10)]:
        assert exact_conditional_power(1.0, 0.3, tb, ta) <= 0.05


def test_score_power_is_statsmodels_with_value_one():
    from statsmodels.stats.rates import power_poisson_ratio_2indep

    got = ist.power(2.0, 0.2, 60.0, 40.0, method="score")
    ref = power_poisson_ratio_2indep(
        0.4,
        0.2,
        40.0,
        nobs_ratio=1.5,
        exposure=1,
        value=1,
        alpha=0.05,
        alternative="two-sided",
        return_results=False,
    )
    assert got == pytest.approx(float(np.asarray(ref).ravel()[0]))
    # PEERS.md pitfall: with statsmodels' default value=0 the same call reports power 1
    with np.errstate(divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        default = power_poisson_ratio_2indep(
            0.4, 0.2, 40.0, nobs_ratio=1.5, alternative="two-sided", return_results=False
        )
    assert float(np.asarray(default).ravel()[0]) == pytest.approx(1.0)
    assert got < 0.6
    assert ist.power(1.0, 0.2, 60.0, 40.0, method="score") == pytest.approx(0.05, abs=0.01)


def test_score_power_matches_simulated_score_test():
    # the score statistic (shown equal to statsmodels' in test_placebo_multiple) on 4000 draws
    from incidentstats.rates._placebo import window_statistic

    rate, tb, ta, ratio = 0.5, 60.0, 60.0, 1.5
    approx = ist.power(ratio, rate, tb, ta, method="score")
    rng = np.random.default_rng(5)
    cb = rng.poisson(rate * tb, 4000)
    ca = rng.poisson(rate * ratio * ta, 4000)
    z = window_statistic(cb, np.full(4000, tb), ca, np.full(4000, ta), "score")
    mc = np.mean(np.abs(z) >= stats.norm.ppf(0.975))
    assert abs(mc - approx) < 0.03  # 3 SE of 4000 draws is 0.023


def test_power_vectorised_and_one_sided():
    p = ist.power([1.5, 2.0, 3.0], 0.2, 67)
    assert p.shape == (3,) and np.all(np.diff(p) > 0)
    assert ist.power(2.0, 0.2, 67, alternative="greater") > ist.power(2.0, 0.2, 67)


def test_detectable_ratio_solves_power_equation():
    for method in ("exact-cond", "score"):
        r = ist.detectable_ratio(13 / 67, 67, 67, method=method)
        assert ist.power(r, 13 / 67, 67, 67, method=method) == pytest.approx(0.8, abs=1e-6)
        assert 2 < r < 3.2
    d = ist.detectable_ratio(13 / 67, 67, 67, direction="decrease")
    assert ist.power(d, 13 / 67, 67, 67) == pytest.approx(0.8, abs=1e-6)
    assert 0 < d < 0.5
    # the score approximation never reaches 80% for a decrease from 13 expected events (its
    # power is not even monotone there): an honest error instead of a number
    with pytest.raises(IncidentStatsError, match="enough events"):
        ist.detectable_ratio(13 / 67, 67, 67, method="score", direction="decrease")
    # more data, smaller detectable change
    assert ist.detectable_ratio(1.0, 67, 67) < ist.detectable_ratio(0.1, 67, 67)


@pytest.mark.parametrize(
    ("func", "args", "kwargs", "match"),
    [
        ("power", (0.0, 0.2, 67), {}, "`ratio`"),
        ("power", (2.0, -0.2, 67), {}, "`rate_before`"),
        ("power", (2.0, 0.2, 0), {}, "`exposure_before`"),
        ("power", (2.0, 0.2, 67), {"method": "wald"}, "`method`"),
        ("power", (2.0, 0.2, 67), {"confidence_level": 1.0}, "`confidence_level`"),
        ("detectable_ratio", (0.2, 67), {"power": 1.2}, "`power`"),
        ("detectable_ratio", (0.2, 67), {"power": 0.01}, "`power`.*level"),
        ("detectable_ratio", (0.2, 67), {"direction": "up"}, "`direction`"),
        ("detectable_ratio", (0.2, 67), {"alternative": "less"}, "`alternative`"),
        ("detectable_ratio", (1e-7, 1), {}, "enough events"),
    ],
)
def test_power_bad_input(func, args, kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        getattr(ist, func)(*args, **kwargs)
