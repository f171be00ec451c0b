"""Change points: Poisson PELT on long daily series; Bayesian blocks against astropy.

Run from the repository root (astropy and ruptures are optional peers)::

    python benchmarks/bench_changepoints.py --out benchmarks/results/raw/changepoints.json

Tasks: PELT with the Poisson cost on 10^4 and 10^5 daily counts (piecewise-constant rates,
a change every ~100 or ~1000 days, or none; default MBIC penalty); Bayesian blocks (p0 = 0.05)
on 10^3 to 10^6 events in 1, 5 or 25 blocks, against ``astropy.stats.bayesian_blocks`` (10^3
and 10^4 events; it is quadratic) with an edge-equality check. Both searches run with
functional pruning (the default) and with inequality pruning only. Also ruptures' PELT (l2
cost, jump=1: it has no Poisson cost) on 2000 bins for scale, and the exact Bayesian
posterior on 1000 daily bins.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import library_version, median_time, parse_args, record, write_records

from incidentstats.changepoints.bayes import bayes_posterior
from incidentstats.changepoints.bayesian_blocks import bayesian_blocks, blocks_evaluations
from incidentstats.changepoints.pelt import pelt_search


def piecewise_counts(n: int, every: int, rng: np.random.Generator) -> np.ndarray:
    k = max(n // every, 1)
    cuts = np.sort(rng.choice(np.arange(1, n), size=k - 1, replace=False))
    rates = rng.uniform(0.5, 8.0, k)
    return rng.poisson(np.repeat(rates, np.diff(np.r_[0, cuts, n]))).astype(float)


def piecewise_events(n: int, blocks: int, rng: np.random.Generator) -> np.ndarray:
    """About ``n`` events in ``blocks`` blocks of equal length with rates between 0.5 and 6."""
    rates = rng.uniform(0.5, 6.0, blocks)
    length = n / rates.sum()
    bounds = np.arange(blocks + 1) * length
    t = [
        rng.uniform(a, b, rng.poisson(r * length))
        for a, b, r in zip(bounds[:-1], bounds[1:], rates)
    ]
    return np.sort(np.concatenate(t))


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    repeat = getattr(args, "repeat", None) or 3
    rng = np.random.default_rng(2024)
    recs = []
    ours = "incidentstats"

    # -- PELT Poisson on daily counts -----------------------------------------------------
    def pelt_run(y: np.ndarray, functional: bool = True) -> tuple[np.ndarray, float]:
        n = len(y)
        return pelt_search(y, np.ones(n), beta=3 * math.log(n), mbic=True, functional=functional)

    for every in (100, 1000, None):
        task = (
            f"PELT Poisson, daily counts, change every ~{every} days"
            if every
            else "PELT Poisson, daily counts, no change (rate 0.3/day)"
        )
        for n in [10_000] if args.quick else [10_000, 100_000]:
            y = piecewise_counts(n, every, rng) if every else rng.poisson(0.3, n).astype(float)
            truth = n // every - 1 if every else 0
            sec, (cps, _) = median_time(lambda y=y: pelt_run(y), repeat)
            recs.append(record(task, ours, n, sec, accuracy=len(cps),
                               notes=f"accuracy = changes found (truth {truth}); MBIC; "
                                     "functional pruning"))  # fmt: skip
            if every is None and n > 10_000:
                continue  # inequality pruning alone is quadratic here: ~15 s at 10^5 days
            sec_i, (cps_i, _) = median_time(lambda y=y: pelt_run(y, False), repeat)
            recs.append(record(task, f"{ours}, inequality pruning only", n, sec_i,
                               accuracy=len(cps_i),
                               notes="same changes: " + str(np.array_equal(cps, cps_i))))  # fmt: skip

    # -- exact posterior ----------------------------------------------------------------------
    y = piecewise_counts(1000, 250, rng)
    sec, fit = median_time(
        lambda: bayes_posterior(y, np.ones(1000), shape=1.0, rate=1.0, n_changes_prior=np.ones(11)),
        1 if args.quick else repeat,
    )
    recs.append(record("exact Bayesian posterior, K <= 10", ours, 1000, sec, accuracy=fit.k_map,
                       notes="accuracy = MAP number of changes (truth 3)"))  # fmt: skip

    # -- Bayesian blocks vs astropy -----------------------------------------------------------
    astropy = library_version("astropy")
    for blocks in (1, 5, 25):
        task = f"Bayesian blocks, events in {blocks} block{'s' if blocks > 1 else ''}, p0=0.05"
        sizes = [1000] if args.quick else [1000, 10_000, 100_000, 1_000_000]
        for n in sizes:
            t = piecewise_events(n, blocks, rng)
            reps = repeat if n <= 10_000 else 1
            sec, edges = median_time(lambda t=t: bayesian_blocks(t, p0=0.05), reps)
            evals = blocks_evaluations(t, p0=0.05)
            recs.append(record(task, ours, len(t), sec, accuracy=len(edges) - 2,
                               notes=f"accuracy = interior edges; functional pruning, "
                                     f"{evals / len(t):.1f} fitness evaluations per event"))  # fmt: skip
            if n <= 100_000:
                sec_i, edges_i = median_time(
                    lambda t=t: bayesian_blocks(t, p0=0.05, prune="inequality"), reps
                )
                evals_i = blocks_evaluations(t, p0=0.05, prune="inequality")
                recs.append(record(task, f"{ours}, inequality pruning only", len(t), sec_i,
                                   accuracy=len(edges_i) - 2,
                                   notes=f"{evals_i / len(t):.0f} evaluations per event; edges "
                                         f"identical: {np.array_equal(edges, edges_i)}"))  # fmt: skip
            if n > 10_000:
                continue  # astropy is quadratic: 10^5 events would take minutes
            if astropy is None:
                recs.append(record(task, "astropy", len(t), None, notes="astropy not installed"))
                continue
            from astropy.stats import bayesian_blocks as abb

            sec_a, ref = median_time(
                lambda t=t: abb(t, fitness="events", p0=0.05), 1 if n > 5000 else repeat
            )
            same = bool(np.array_equal(ref, edges))
            recs.append(record(task, astropy, len(t), sec_a, accuracy=len(ref) - 2,
                               notes=f"edges identical to incidentstats: {same}"))  # fmt: skip

    # -- ruptures PELT (l2) for scale -----------------------------------------------------------
    rup = library_version("ruptures")
    n = 2000
    y = piecewise_counts(n, 1000, rng)
    sec, (cps, _) = median_time(
        lambda: pelt_search(y, np.ones(n), beta=3 * math.log(n), mbic=True), repeat
    )
    recs.append(record("PELT one change, 2000 bins", ours, n, sec, accuracy=len(cps),
                       notes="Poisson cost, MBIC"))  # fmt: skip
    if rup is None or args.quick:
        recs.append(record("PELT one change, 2000 bins", rup or "ruptures", n, None,
                           notes="skipped (--quick)" if rup else "ruptures not installed"))  # fmt: skip
    else:
        import ruptures

        pen = 3 * math.log(n) * np.var(y)
        sec_r, bk = median_time(
            lambda: ruptures.Pelt(model="l2", jump=1, min_size=1).fit(y).predict(pen=pen), 1, 0
        )
        recs.append(record("PELT one change, 2000 bins", rup, n, sec_r, accuracy=len(bk) - 1,
                           notes="l2 cost (no Poisson cost in ruptures), jump=1"))  # fmt: skip
    write_records(recs, args.out)


if __name__ == "__main__":
    main()
