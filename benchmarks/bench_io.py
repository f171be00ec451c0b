"""read_events on large CSV files: 10^5 ... 10^7 rows, compared with a bare pandas.read_csv.

The ratio to pandas shows what validation costs (parsing, sorting, window checks, marks);
it must stay roughly constant as n grows (no quadratic step). Run from the repository root::

    python benchmarks/bench_io.py --out benchmarks/results/raw/io.json [--quick]
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _common import median_time, parse_args, record, write_records

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import incidentstats as ist
from incidentstats.exceptions import DataWarning

TASK = "read CSV of dated events (time + 1 mark column)"


def make_csv(path: Path, n: int) -> None:
    rng = np.random.default_rng(n)
    secs = rng.integers(0, 2 * 365 * 86400, size=n)
    times = pd.Timestamp("2020-01-01") + pd.to_timedelta(secs, unit="s")
    frame = pd.DataFrame(
        {"time": times.strftime("%Y-%m-%d %H:%M:%S"), "kind": rng.choice(["a", "b", "c"], size=n)}
    )
    frame.to_csv(path, index=False)


def main() -> None:
    args = parse_args(__doc__ or "")
    sizes = [10**5, 10**6] if args.quick else [10**5, 10**6, 10**7]
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"events_{n}.csv"
            make_csv(path, n)
            repeat = 1 if n >= 10**7 else args.repeat

            def ours(path: Path = path) -> int:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DataWarning)  # random seconds collide
                    return ist.read_events(
                        path, time="time", start="2020-01-01", end="2022-01-01"
                    ).n

            def bare(path: Path = path) -> int:
                frame = pd.read_csv(path)
                return len(pd.to_datetime(frame["time"]))

            t_ours, n_ours = median_time(ours, repeat=repeat, warmup=0)
            t_bare, _ = median_time(bare, repeat=repeat, warmup=0)
            records.append(
                record(
                    TASK,
                    "incidentstats",
                    n,
                    t_ours,
                    notes=f"read_events with window and marks; {n_ours} events",
                )
            )
            records.append(
                record(
                    TASK,
                    f"pandas {pd.__version__}",
                    n,
                    t_bare,
                    notes="read_csv + to_datetime only (no validation)",
                )
            )
            print(f"n={n:>9}: read_events {t_ours:.2f} s, bare pandas {t_bare:.2f} s")
    write_records(records, args.out)


if __name__ == "__main__":
    main()
