"""Benchmark fit_many: 10^4 synthetic Hawkes series of ~100 events each, 1 vs 2 workers.

Issue 6 target: 10^4 series fitted on the 2-core machine in <= 60 s; report the speed-up
from 1 to 2 workers. Each series: exponential Hawkes with baseline 0.5/day, branching ratio
0.5, decay 1/day on a 100-day window (about 100 events), simulated by branching with a fixed
seed. The model is ``ist.HawkesProcess()`` (exponential kernel, decay estimated) unless
``--model`` says otherwise.

Run::

    .venv/bin/python benchmarks/bench_batch.py                 # 10^4 series, serial + 2 procs
    .venv/bin/python benchmarks/bench_batch.py --n-series 2000 --backends serial processes dask
    python benchmarks/bench_batch.py --out results/raw/batch.json [--quick]   # run.py convention
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np
import pandas as pd

from incidentstats.batch import fit_many
from incidentstats.hawkes.multivariate import simulate_multivariate


def make_frame(n_series: int, seed: int = 0) -> pd.DataFrame:
    start = pd.Timestamp("2020-01-01")
    seeds = np.random.SeedSequence(seed).spawn(n_series)
    parts = []
    for g, ss in enumerate(seeds):
        t = simulate_multivariate([0.5], [[0.5]], 1.0, end=100.0, rng=np.random.default_rng(ss))[
            "0"
        ]
        ns = np.floor(t * 86400e9).astype(np.int64)
        parts.append(pd.DataFrame({"time": start + pd.to_timedelta(ns, unit="ns"), "series": g}))
    return pd.concat(parts, ignore_index=True)


def make_model(name: str):  # type: ignore[no-untyped-def]
    if name == "core":
        import incidentstats as ist

        return ist.HawkesProcess()
    if name == "multivariate":
        from incidentstats.hawkes.multivariate import MultivariateHawkes

        return MultivariateHawkes(n_starts=1)
    from incidentstats.hawkes.discrete import DiscreteHawkes

    return DiscreteHawkes()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-series", type=int, default=10_000)
    ap.add_argument("--model", choices=["core", "multivariate", "discrete"], default="core")
    ap.add_argument("--backends", nargs="+", default=["serial", "processes"])
    ap.add_argument("--out", type=Path, default=None, help="JSON records (benchmarks/run.py)")
    ap.add_argument("--quick", action="store_true", help="1000 series instead of 10^4")
    ap.add_argument("--repeat", type=int, default=1, help="accepted for run.py; one run each")
    args = ap.parse_args()
    if args.quick:
        args.n_series = min(args.n_series, 1000)

    t0 = time.perf_counter()
    frame = make_frame(args.n_series)
    print(
        f"{args.n_series} series, {len(frame)} events "
        f"({len(frame) / args.n_series:.1f} per series); simulated in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    model = make_model(args.model)
    start = pd.Timestamp("2020-01-01")
    window = {"start": start, "end": start + pd.Timedelta(days=100), "resolution": "exact"}
    tables = {}
    times = {}
    for backend in args.backends:
        kwargs = {"backend": backend, "n_jobs": 2 if backend != "serial" else 1}
        client = None
        if backend == "dask":
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
            client = Client(cluster)
            kwargs["client"] = client
        t = time.perf_counter()
        tables[backend] = fit_many(
            frame, "series", time="time", model=model, progress=False, rng=1, **window, **kwargs
        )
        times[backend] = time.perf_counter() - t
        if client is not None:
            client.close()
            cluster.close()
        ok = (tables[backend]["status"] == "ok").mean()
        print(
            f"{backend:>10}: {times[backend]:7.1f} s  "
            f"({1e3 * times[backend] / args.n_series:.2f} ms/series, {ok:.1%} ok)"
        )
    base = args.backends[0]
    records = []
    for b in args.backends:
        ok = float((tables[b]["status"] == "ok").mean())
        note = f"fit_many({b}, n_jobs={2 if b != 'serial' else 1}), model={args.model}; "
        note += f"{len(frame) / args.n_series:.0f} events per series; {ok:.1%} ok"
        if b != base:
            note += f"; speed-up vs {base} {times[base] / times[b]:.2f}x; identical table: "
            note += str(bool(tables[b].equals(tables[base])))
        records.append(
            {
                "task": f"batch: {args.n_series} Hawkes series fitted ({b})",
                "library": "incidentstats",
                "n": args.n_series,
                "seconds": times[b],
                "loglik": None,
                "accuracy": ok,
                "notes": note,
            }
        )
    for rec in records:
        print(json.dumps(rec))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    for b in args.backends[1:]:
        same = tables[b].equals(tables[base])
        print(f"{b} vs {base}: speed-up {times[base] / times[b]:.2f}x, identical tables: {same}")
    tab = tables[base]
    good = tab[tab.status == "ok"]
    if "branching_ratio" in good:
        print(
            "median estimates: "
            + ", ".join(
                f"{c}={good[c].median():.3f}"
                for c in ("baseline", "branching_ratio", "decay")
                if c in good
            )
        )


if __name__ == "__main__":
    main()
