"""Time of ``import incidentstats`` (and of the peers' imports) in a fresh interpreter.

Each measurement starts a new Python process that times only the import statement (interpreter
start-up excluded), repeated; the median is reported. ``import incidentstats`` is lazy (PEP 562):
it loads no subpackage, so the primary incidentstats row, the one peers are compared with,
also touches the Hawkes and change-point entry points, which load numba, scipy and pandas as
``import tick.hawkes`` or ``import ruptures`` do; the bare import is the second row. Run from
the repository root::

    python benchmarks/bench_import.py --out benchmarks/results/raw/import.json
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from _common import library_version, parse_args, record, write_records

ROOT = Path(__file__).resolve().parent.parent
TASK = "import time (fresh interpreter)"

# (label for the table, distribution name for the version, import statement)
TARGETS = [
    (
        "incidentstats",
        "incidentstats",
        "import incidentstats as ist; ist.HawkesProcess; ist.changepoints",
    ),
    ("incidentstats", "incidentstats", "import incidentstats"),
    ("tick", "tick", "import tick.hawkes"),
    ("hawkeslib", "hawkeslib", "import hawkeslib"),
    ("hawkesbook", "hawkesbook", "import hawkesbook"),
    ("astropy", "astropy", "from astropy.stats import bayesian_blocks"),
    ("ruptures", "ruptures", "import ruptures"),
    ("statsmodels", "statsmodels", "import statsmodels.api"),
]

PROBE = (
    "import time, sys\n"
    "t0 = time.perf_counter()\n"
    "{stmt}\n"
    "sys.stdout.write(repr(time.perf_counter() - t0))\n"
)


def time_import(stmt: str, repeat: int) -> tuple[float | None, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    times = []
    # one untimed run so that .pyc and numba caches exist, as for any user after the first import
    for i in range(repeat + 1):
        proc = subprocess.run(
            [sys.executable, "-c", PROBE.format(stmt=stmt)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=300,
        )
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            return None, f"import failed: {last[:160]}"
        if i > 0:
            times.append(float(proc.stdout.strip()))
    return statistics.median(times), f"median of {repeat} fresh interpreters, warm .pyc"


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    repeat = 3 if args.quick else max(args.repeat, 5)
    records = []
    for label, dist, stmt in TARGETS:
        if label == "incidentstats":
            sys.path.insert(0, str(ROOT))
            import incidentstats

            version = f"incidentstats {incidentstats.__version__}"
        else:
            version = library_version(stmt.split()[1].split(".")[0], dist)
        if version is None:
            records.append(record(TASK, label, None, None, notes="not installed"))
            continue
        seconds, notes = time_import(stmt, repeat)
        records.append(record(TASK, version, None, seconds, notes=f"`{stmt}`; {notes}"))
    write_records(records, args.out)


if __name__ == "__main__":
    main()
