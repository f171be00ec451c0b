"""Shared helpers for the benchmark scripts in this folder.

The convention every ``bench_*.py`` script follows (so that ``run.py`` can collect them):

* it is run as ``python benchmarks/bench_NAME.py --out PATH [--quick]``;
* it writes to ``PATH`` a JSON list of records, one per measurement::

      {"task": "exponential Hawkes fit, decay estimated",  # what was done (same text for all libraries)
       "library": "incidentstats",                          # or "tick 0.8.0.2", "astropy 8.0.2", ...
       "n": 100000,                                         # problem size (events, bins, series, ...)
       "seconds": 0.081,                                    # median wall time (null if it failed)
       "loglik": -12345.6,                                  # log-likelihood reached (or null)
       "accuracy": null,                                    # any other accuracy figure (or null)
       "notes": "median of 3; beta fixed at truth"}         # free text: settings, failures, caveats

* ``--quick`` selects reduced sizes (used by ``run.py --quick`` and smoke tests);
* a peer that is not installed is recorded with ``seconds: null`` and a note, never a crash;
* scripts never use the network and seed every random draw.

``run.py`` compares records with the same ``task`` and ``n``: the ratio
``peer seconds / incidentstats seconds`` (> 1 means incidentstats is faster).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

RECORD_KEYS = ("task", "library", "n", "seconds", "loglik", "accuracy", "notes")


def parse_args(description: str) -> argparse.Namespace:
    """The command line every bench script accepts: ``--out PATH`` and ``--quick``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON records here")
    parser.add_argument("--quick", action="store_true", help="reduced sizes (smoke run)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (median)")
    return parser.parse_args()


def median_time(fn: Callable[[], Any], repeat: int = 3, warmup: int = 1) -> tuple[float, Any]:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` untimed runs.

    Returns ``(seconds, last_return_value)``.
    """
    value = None
    for _ in range(warmup):
        value = fn()
    times = []
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def record(
    task: str,
    library: str,
    n: int | None,
    seconds: float | None,
    *,
    loglik: float | None = None,
    accuracy: float | None = None,
    notes: str = "",
) -> dict[str, Any]:
    """One benchmark record in the shared format (non-finite numbers become ``None``)."""

    def clean(x: float | None) -> float | None:
        if x is None:
            return None
        x = float(x)
        return x if math.isfinite(x) else None

    return {
        "task": str(task),
        "library": str(library),
        "n": None if n is None else int(n),
        "seconds": clean(seconds),
        "loglik": clean(loglik),
        "accuracy": clean(accuracy),
        "notes": str(notes),
    }


def write_records(records: Iterable[dict[str, Any]], out: Path | None) -> None:
    """Write records as JSON to ``out`` (and always print them, one per line, to stdout)."""
    records = list(records)
    for rec in records:
        missing = [k for k in RECORD_KEYS if k not in rec]
        if missing:
            raise ValueError(f"benchmark record {rec!r} lacks the keys {missing}")
        print(json.dumps(rec), flush=True)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")


def library_version(module_name: str, label: str | None = None) -> str | None:
    """``"label version"`` when ``module_name`` imports, else ``None`` (peer not installed)."""
    import importlib
    import importlib.metadata

    try:
        importlib.import_module(module_name)
    except Exception:
        return None
    dist = label or module_name
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    return f"{label or module_name} {version}"
