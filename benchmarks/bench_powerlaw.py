"""Power-law (Omori) Hawkes: fit time and log-likelihood reached, incidentstats vs hawkesbook.

Run from the repository root (hawkesbook from ``setup_env.sh``)::

    python benchmarks/bench_powerlaw.py --out benchmarks/results/raw/powerlaw.json [--quick]

Both fit the same simulated events (μ = 0.5, n = 0.5, cutoff c = 1, exponent p = 2.5 per day;
window [0, T)). Kernels: ours is n·(p−1)/c·(1 + t/c)^(−p); hawkesbook's is k/(c + t)^p, so
k = n (p − 1) c^(p − 1) with the same c and p. hawkesbook's ``power_mle`` (numerical gradient,
O(n²) likelihood) starts from its default point; ours uses its defaults (exact O(n²) likelihood
up to 1,000 events, the O(169 n) exponential-mixture representation above). The
log-likelihood of each optimum is evaluated with incidentstats on the same window, so both
numbers are in the same (standard) convention. Omi's ``hawkes`` package is not run: its
power-law fit may not terminate (shared/PEERS.md).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import library_version, median_time, parse_args, record, write_records

TRUE = {"baseline": 0.5, "branching_ratio": 0.5, "cutoff": 1.0, "exponent": 2.5}
TASK = "power-law Hawkes fit (baseline, n, cutoff, exponent)"


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    sizes = [1_000] if args.quick else [1_000, 10_000]
    import incidentstats as ist
    from incidentstats.exceptions import IncidentStatsWarning

    hb_version = library_version("hawkesbook")
    process = ist.HawkesProcess(kernel="power_law")
    recs = []
    for size in sizes:
        T = size * (1 - TRUE["branching_ratio"]) / TRUE["baseline"]
        times = ist.hawkes.simulate("power_law", None, TRUE, T, rng=size)
        ev = ist.EventSeries.from_offsets(times, end=T)

        def ours(ev=ev):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", IncidentStatsWarning)
                return process.fit(ev)

        seconds, res = median_time(ours, repeat=args.repeat if size <= 1_000 else 1)
        p = res.params
        recs.append(
            record(
                TASK,
                "incidentstats",
                len(times),
                seconds,
                loglik=res.loglik,
                notes=f"converged={res.converged}; n={p['branching_ratio']:.3f}, "
                f"c={p['cutoff']:.3f}, p={p['exponent']:.3f}",
            )
        )
        if hb_version is None:
            recs.append(record(TASK, "hawkesbook", len(times), None, notes="not installed"))
            continue
        import hawkesbook as hb

        hb.power_log_likelihood(times[:10], T, np.array([0.5, 0.1, 1.0, 2.5]))  # compile
        t0 = time.perf_counter()
        theta = hb.power_mle(times, T)
        hb_seconds = time.perf_counter() - t0
        lam, k, c, pw = (float(v) for v in theta)
        n_hb = k / ((pw - 1) * c ** (pw - 1))
        try:
            ll = process.loglikelihood(
                ev, {"baseline": lam, "branching_ratio": n_hb, "cutoff": c, "exponent": pw}
            )
        except Exception as exc:  # a point outside our parameter space
            ll, note = None, f"optimum not evaluable ({type(exc).__name__})"
        else:
            note = f"n={n_hb:.3f}, c={c:.3f}, p={pw:.3f}"
        recs.append(
            record(
                TASK,
                hb_version,
                len(times),
                hb_seconds,
                loglik=ll,
                notes=f"power_mle from its default start, one run; {note}",
            )
        )
    write_records(recs, args.out)


if __name__ == "__main__":
    main()
