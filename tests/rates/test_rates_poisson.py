"""Exact one- and two-sample Poisson inference on counts (no event data needed)."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError
from incidentstats.rates._poisson import r_poisson_pvalue, two_sample

FULL = os.environ.get("INCIDENTSTATS_FULL") == "1"


# ---------------------------------------------------------------------------------------------
# R's poisson.test (reference numbers from issue 3, R 4.x)
# ---------------------------------------------------------------------------------------------
def test_one_sample_exact_interval_matches_r():
    # R: poisson.test(13, 67)$conf.int -> 0.1033127 0.3317970 (issue 3: 0.10331-0.33180)
    r = ist.poisson_rate(13, 67)
    low, high = r.confidence_interval()
    assert low == pytest.approx(0.10331, abs=5e-6)
    assert high == pytest.approx(0.33180, abs=5e-6)
    assert r.rate == pytest.approx(13 / 67)


def test_one_sample_exact_pvalue_uses_r_convention():
    # R: poisson.test(13, 67, r = 0.1)$p.value = 0.0294 (PEERS.md: statsmodels gives 0.0398)
    r = ist.poisson_rate(13, 67, value=0.1)
    assert r.pvalue == pytest.approx(0.0294, abs=5e-5)


def test_r_pvalue_equals_brute_force_sum():
    # independent implementation: sum dpois over all counts no more likely than the observed
    for count, expo, rate in [(13, 67, 0.1), (2, 10, 0.8), (40, 100, 0.25), (5, 5, 1.0)]:
        m = rate * expo
        xs = np.arange(0, 2000)
        pmf = stats.poisson.pmf(xs, m)
        d = stats.poisson.pmf(count, m)
        brute = min(1.0, pmf[pmf <= d * (1 + 1e-7)].sum())
        assert r_poisson_pvalue(count, expo, rate, "two-sided") == pytest.approx(brute, rel=1e-9)


def test_two_sample_exact_matches_r_equal_windows():
    # R: poisson.test(c(26, 13), c(67, 67)): rate ratio 2, p-value = 0.05325,
    # 95 percent CI 0.9913485 4.2388667 (issue 3)
    rc = ist.rate_change_counts(13, 67, 26, 67)
    assert rc.ratio == pytest.approx(2.0)
    assert rc.pvalue == pytest.approx(0.05325, abs=5e-6)
    low, high = rc.confidence_interval()
    assert low == pytest.approx(0.9913, abs=5e-5)
    assert high == pytest.approx(4.2389, abs=5e-5)
    assert rc.method == "exact-cond"
    assert rc.statistic is None


def test_two_sample_exact_matches_r_unequal_windows():
    # R: poisson.test(c(30, 13), c(45, 67)): ratio 3.435897, p-value = 1.240e-04,
    # 95 percent CI 1.739031 7.176259 (issue 3)
    rc = ist.rate_change_counts(13, 67, 30, 45)
    assert rc.ratio == pytest.approx(3.4359, abs=5e-5)
    assert rc.pvalue == pytest.approx(1.240e-4, abs=5e-7)
    low, high = rc.confidence_interval()
    assert low == pytest.approx(1.7390, abs=5e-5)
    assert high == pytest.approx(7.1763, abs=5e-5)


def test_score_pvalue_differs_from_exact_as_in_issue():
    # issue 3: "exact conditional p = 0.053 vs score p = 0.037 for 13 vs 26 events"
    rc = ist.rate_change_counts(13, 67, 26, 67, methods=["exact-cond", "score"])
    assert rc.table.loc["exact-cond", "pvalue"] == pytest.approx(0.053, abs=5e-4)
    assert rc.table.loc["score", "pvalue"] == pytest.approx(0.037, abs=5e-4)


# ---------------------------------------------------------------------------------------------
# second implementations
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cb", "tb", "ca", "ta"), [(13, 67, 26, 67), (7, 30, 1, 44), (0, 10, 4, 5)]
)
def test_exact_interval_equals_scipy_binomtest_inversion(cb, tb, ca, ta):
    # scipy's Clopper-Pearson interval of p = ca / (ca + cb), mapped to the ratio scale
    rc = ist.rate_change_counts(cb, tb, ca, ta, confidence_level=0.9)
    bt = stats.binomtest(ca, ca + cb, ta / (ta + tb))
    ci = bt.proportion_ci(confidence_level=0.9, method="exact")

    def to_ratio(p):
        return math.inf if p >= 1 else p / (1 - p) * tb / ta

    low, high = rc.confidence_interval()
    assert low == pytest.approx(to_ratio(ci.low), rel=1e-9)
    if math.isinf(to_ratio(ci.high)):
        assert math.isinf(high)
    else:
        assert high == pytest.approx(to_ratio(ci.high), rel=1e-9)
    assert rc.pvalue == pytest.approx(bt.pvalue, rel=1e-9)


def test_midp_interval_inverts_midp_tails():
    # the mid-p bounds solve P(X > x) + P(X = x)/2 = a/2 (and the lower tail) exactly
    res = two_sample(9, 30.0, 4, 30.0, method="cond-midp", confidence_level=0.95)
    n, x = 13, 9
    lo_p = res.ci_low / (1 + res.ci_low)  # equal exposures: ratio = p / (1 - p)
    hi_p = res.ci_high / (1 + res.ci_high)
    assert stats.binom.sf(x, n, lo_p) + 0.5 * stats.binom.pmf(x, n, lo_p) == pytest.approx(0.025)
    assert stats.binom.cdf(x - 1, n, hi_p) + 0.5 * stats.binom.pmf(x, n, hi_p) == pytest.approx(
        0.025
    )


def test_one_sided_interval_is_two_sided_at_double_alpha():
    two = ist.rate_change_counts(13, 67, 26, 67, method="score", confidence_level=0.90)
    one = ist.rate_change_counts(
        13, 67, 26, 67, method="score", alternative="greater", confidence_level=0.95
    )
    ci = one.confidence_interval()
    assert ci.low == pytest.approx(two.confidence_interval().low, rel=1e-9)
    assert math.isinf(ci.high)
    # exact conditional one-sided p is the binomial upper tail
    g = ist.rate_change_counts(13, 67, 26, 67, alternative="greater")
    assert g.pvalue == pytest.approx(stats.binom.sf(25, 39, 0.5), rel=1e-9)


def test_difference_matches_statsmodels():
    from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

    rc = ist.rate_change_counts(13, 67, 26, 67, compare="diff")
    assert rc.method == "score"  # the default for differences
    assert rc.estimate == pytest.approx(26 / 67 - 13 / 67)
    ref = test_poisson_2indep(26, 67, 13, 67, method="score", compare="diff")
    assert rc.pvalue == pytest.approx(ref.pvalue)
    low, high = confint_poisson_2indep(26, 67, 13, 67, method="score", compare="diff")
    assert tuple(rc.confidence_interval()) == pytest.approx((low, high))


def test_zero_counts_give_honest_limits():
    rc = ist.rate_change_counts(0, 30, 5, 30)
    assert math.isinf(rc.ratio)
    low, high = rc.confidence_interval()
    # closed form: Clopper-Pearson lower bound of p for 5 of 5 is 0.025 ** (1/5)
    p_low = 0.025 ** (1 / 5)
    assert low == pytest.approx(p_low / (1 - p_low), rel=1e-9)
    assert math.isinf(high)
    assert rc.pvalue == pytest.approx(2 * 0.5**5)  # exact two-sided binomial p
    both = ist.rate_change_counts(0, 30, 0, 30, methods=["exact-cond", "score", "wald-log"])
    assert both.pvalue == 1.0
    assert math.isnan(both.ratio)
    assert both.table["pvalue"].tolist() == [1.0, 1.0, 1.0]
    # asymptotic methods fall back to the exact interval at a zero count
    z = ist.rate_change_counts(0, 30, 5, 30, method="score")
    assert math.isinf(z.confidence_interval().high)


def test_coal_mining_fixed_split_matches_data_card(data_dir):
    # data/coal_mining/README.md: window from the first to the last event (the first event
    # marks the start): 124 events in 39.797 years before 1891.0, 66 in 71.220 after; ratio
    # 0.2974, score 95% CI 0.2209-0.4005, exact conditional p = 2.36e-16
    x = pd.read_csv(data_dir / "coal_mining" / "coal_disaster_dates.csv")["date"].to_numpy()
    first, last = x.min(), x.max()
    cb = int(np.sum((x > first) & (x < 1891.0)))
    ca = int(np.sum((x >= 1891.0) & (x <= last)))
    tb, ta = 1891.0 - first, last - 1891.0
    assert (cb, ca) == (124, 66)
    assert tb == pytest.approx(39.797, abs=1e-3)
    rc = ist.rate_change_counts(cb, tb, ca, ta, unit="year", methods=["score", "exact-cond"])
    assert rc.ratio == pytest.approx(0.2974, abs=5e-5)
    score = rc.table.loc["score"]
    assert score["ci_low"] == pytest.approx(0.2209, abs=5e-5)
    assert score["ci_high"] == pytest.approx(0.4005, abs=5e-5)
    assert rc.table.loc["exact-cond", "pvalue"] == pytest.approx(2.36e-16, rel=5e-3)


# ---------------------------------------------------------------------------------------------
# simulation: level and coverage
# ---------------------------------------------------------------------------------------------
def _simulate(n_rep, seed, rate, tb, ta, ratio):
    rng = np.random.default_rng(seed)
    cb = rng.poisson(rate * tb, n_rep)
    ca = rng.poisson(rate * ratio * ta, n_rep)
    return cb, ca


def _level_and_coverage(n_rep, seed):
    tb, ta, rate = 67.0, 67.0, 0.2
    cb, ca = _simulate(n_rep, seed, rate, tb, ta, 1.0)
    reject = 0
    cover = {"exact-cond": 0, "score": 0}
    for b, a in zip(cb, ca):
        ex = two_sample(int(a), ta, int(b), tb, method="exact-cond")
        sc = two_sample(int(a), ta, int(b), tb, method="score")
        reject += ex.pvalue <= 0.05
        cover["exact-cond"] += ex.ci_low <= 1.0 <= ex.ci_high
        cover["score"] += sc.ci_low <= 1.0 <= sc.ci_high
    return reject / n_rep, {k: v / n_rep for k, v in cover.items()}


def test_simulation_type_one_error_and_coverage():
    # issue 3: 1,000 repetitions (seeded) of two equal-rate Poisson windows: exact type-I error
    # <= 5%; exact CIs cover >= 95%; score CIs cover 93-97%.
    level, cover = _level_and_coverage(1000, seed=20240603)
    assert level <= 0.05
    assert cover["exact-cond"] >= 0.95
    assert 0.93 <= cover["score"] <= 0.97


def test_simulation_coverage_at_ratio_two():
    # coverage of the true ratio 2 with unequal windows (exact >= 95%, score within 93-97%)
    rng_seed, n_rep = 7, 600
    tb, ta, rate, ratio = 60.0, 30.0, 0.25, 2.0
    cb, ca = _simulate(n_rep, rng_seed, rate, tb, ta, ratio)
    ex = np.mean(
        [
            (r := two_sample(int(a), ta, int(b), tb)).ci_low <= ratio <= r.ci_high
            for b, a in zip(cb, ca)
        ]
    )
    sc = np.mean(
        [
            (r := two_sample(int(a), ta, int(b), tb, method="score")).ci_low <= ratio <= r.ci_high
            for b, a in zip(cb, ca)
        ]
    )
    assert ex >= 0.95
    assert 0.93 <= sc <= 0.97


@pytest.mark.skipif(not FULL, reason="full-size simulation study (INCIDENTSTATS_FULL=1)")
def test_simulation_full_size():
    level, cover = _level_and_coverage(10_000, seed=1)
    assert level <= 0.05
    assert cover["exact-cond"] >= 0.95
    assert 0.935 <= cover["score"] <= 0.965


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------
def test_result_api_and_json():
    rc = ist.rate_change_counts(
        13, 67, 26, 67, methods=["exact-cond", "score", "etest", "wald-log"]
    )
    assert list(rc.table.index) == ["exact-cond", "score", "etest", "wald-log"]
    assert rc.counts.tolist() == [13, 26]
    assert rc.exposures.tolist() == [67.0, 67.0]
    assert rc.rates["after"] == pytest.approx(26 / 67)
    assert rc.difference == pytest.approx(13 / 67)
    d = rc.to_dict()
    json.dumps(d)
    assert d["pvalue"] == pytest.approx(rc.pvalue)
    assert d["confidence_interval"]["low"] == pytest.approx(rc.confidence_interval().low)
    assert len(d["methods"]) == 4
    ci90 = rc.confidence_interval(0.9)
    assert ci90.low > rc.confidence_interval().low
    text = str(rc.summary())
    assert "exact-cond" in text and "Small counts" in text
    assert "<table" in rc._repr_html_()
    r1 = ist.poisson_rate(13, 67, method="score")
    json.dumps(r1.to_dict())
    assert "Poisson rate" in str(r1.summary())


def test_plot_counts_only():
    import matplotlib

    matplotlib.use("Agg")
    ax = ist.rate_change_counts(13, 67, 26, 67).plot()
    assert ax.get_title().startswith("Rate ratio 2")


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"count_before": -1}, "`count_before`"),
        ({"count_before": 2.5}, "`count_before`"),
        ({"exposure_after": 0}, "`exposure_after`.*zero exposure"),
        ({"exposure_before": float("nan")}, "`exposure_before`"),
        ({"method": "exact"}, "`method`.*exact-cond"),
        ({"method": "negbin"}, "negbin"),
        ({"alternative": "larger"}, "`alternative`"),
        ({"compare": "log"}, "`compare`"),
        ({"confidence_level": 95}, "`confidence_level`"),
        ({"methods": "score"}, "`methods`"),
        ({"methods": ["score", "bogus"]}, "`methods`"),
        ({"compare": "diff", "method": "exact-cond"}, "`method`"),
        ({"compare": "diff", "method": "negbin"}, "`method`"),
    ],
)
def test_bad_input_counts(kwargs, match):
    args = {"count_before": 13, "exposure_before": 67, "count_after": 26, "exposure_after": 67}
    args.update(kwargs)
    with pytest.raises(IncidentStatsError, match=match):
        ist.rate_change_counts(**args)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((13,), {}, "`exposure`.*required"),
        ((13, -1), {}, "`exposure`"),
        ((13, 67), {"method": "garwood"}, "`method`"),
        ((13, 67), {"value": 0}, "`value`"),
        ((13, 67), {"unit": "fortnight"}, "`unit`"),
        (("13", 67), {}, "`events_or_count`"),
    ],
)
def test_bad_input_poisson_rate(args, kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        ist.poisson_rate(*args, **kwargs)


def test_poisson_rate_of_events_and_exposure_clash():
    ev = ist.datasets.load_iraq_attacks()
    r = ist.poisson_rate(ev, unit="W")
    assert r.count == 99
    assert r.exposure == pytest.approx(ev.duration("D") / 7)
    with pytest.raises(IncidentStatsError, match="`exposure`.*omitted"):
        ist.poisson_rate(ev, 10)


def test_exact_interval_solves_garwood_equations():
    # closed form: the exact bounds solve P(X >= 13 | L T) = 0.025 and P(X <= 13 | U T) = 0.025
    low, high = ist.poisson_rate(13, 67).confidence_interval()
    assert stats.poisson.sf(12, low * 67) == pytest.approx(0.025, rel=1e-6)
    assert stats.poisson.cdf(13, high * 67) == pytest.approx(0.025, rel=1e-6)
    # and brentq from scratch agrees
    lo2 = optimize.brentq(lambda r: stats.poisson.sf(12, r * 67) - 0.025, 1e-6, 1)
    assert low == pytest.approx(lo2, rel=1e-6)


# ---------------------------------------------------------------------------------------------
# invariants (hypothesis)
# ---------------------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    cb=st.integers(0, 60),
    ca=st.integers(0, 60),
    tb=st.floats(0.5, 500),
    ta=st.floats(0.5, 500),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_exact_interval_swaps_and_covers_estimate(cb, ca, tb, ta, level):
    fwd = ist.rate_change_counts(cb, tb, ca, ta, confidence_level=level)
    rev = ist.rate_change_counts(ca, ta, cb, tb, confidence_level=level)
    assert fwd.pvalue == pytest.approx(rev.pvalue, rel=1e-9, abs=1e-15)
    lo, hi = fwd.confidence_interval()
    rlo, rhi = rev.confidence_interval()
    # swapping the windows inverts the ratio and its interval
    assert lo == pytest.approx(0.0 if math.isinf(rhi) else 1 / rhi, rel=1e-7, abs=1e-300)
    if rlo > 0:
        assert hi == pytest.approx(1 / rlo, rel=1e-7)
    else:
        assert math.isinf(hi)
    if cb + ca > 0 and cb > 0:
        assert lo <= fwd.ratio <= hi
