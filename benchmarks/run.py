"""Run every ``benchmarks/bench_*.py`` script and collect one table (Markdown + JSON).

Usage (from the repository root)::

    bash benchmarks/setup_env.sh              # once: benchmarks/.env with the peer libraries
    python benchmarks/run.py                  # all scripts, full sizes
    python benchmarks/run.py --quick          # reduced sizes (smoke run)
    python benchmarks/run.py --only import changepoints   # the others' last results are kept

Each script is run with the benchmark environment's interpreter (``benchmarks/.env`` when it
exists, else the interpreter running this file) as ``SCRIPT --out RAW.json [--quick]``, and must
write a JSON list of records ``{task, library, n, seconds, loglik, accuracy, notes}`` (see
``_common.py``). A script that fails or times out is reported in the table, never hidden.

Outputs: ``benchmarks/results/benchmarks.json`` (machine details, every record, per-script run
status) and ``benchmarks/results/benchmarks.md`` (the same as tables, with the ratio
``peer seconds / incidentstats seconds`` for every task and size measured by both).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
RAW = RESULTS / "raw"
OURS = "incidentstats"

VERSION_PROBE = r"""
import importlib.metadata as md, json, platform
out = {"python": platform.python_version()}
try:
    out["incidentstats"] = __import__("incidentstats").__version__
except Exception:
    pass
for dist in ["numpy", "scipy", "pandas", "numba", "statsmodels", "tick",
             "hawkeslib", "hawkesbook", "hawkes", "astropy", "ruptures"]:
    try:
        out[dist] = md.version(dist)
    except md.PackageNotFoundError:
        pass
print(json.dumps(out))
"""


def default_python() -> str:
    env_python = HERE / ".env" / "bin" / "python"
    return str(env_python) if env_python.exists() else sys.executable


def machine_details(python: str) -> dict[str, Any]:
    """Hardware, OS, interpreter, library versions, git commit and load at the start."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    try:
        versions = json.loads(
            subprocess.run(
                [python, "-c", VERSION_PROBE],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            ).stdout
        )
    except Exception:
        versions = {}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except OSError:
        commit = ""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (math.nan,) * 3
    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "os": platform.platform(),
        "python_executable": python,
        "versions": versions,
        "git_commit": commit,
        "load_average_at_start": [round(x, 2) for x in load],
    }


def run_script(script: Path, python: str, quick: bool, timeout: float) -> dict[str, Any]:
    """Run one bench script; return its run status and its records."""
    RAW.mkdir(parents=True, exist_ok=True)
    out = RAW / f"{script.stem}.json"
    if out.exists():
        out.unlink()
    cmd = [python, str(script), "--out", str(out)] + (["--quick"] if quick else [])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), env.get("PYTHONPATH", "")])
    t0 = time.perf_counter()
    status = "ok"
    stderr_tail = ""
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        if proc.returncode != 0:
            status = f"failed (exit {proc.returncode})"
            stderr_tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
    except subprocess.TimeoutExpired:
        status = f"timed out after {timeout:.0f} s"
    elapsed = time.perf_counter() - t0
    records: list[dict[str, Any]] = []
    if out.exists():
        try:
            loaded = json.loads(out.read_text(encoding="utf-8"))
            records = [dict(r, script=script.name) for r in loaded]
        except (json.JSONDecodeError, TypeError) as exc:
            status = f"bad output ({exc})"
    elif status == "ok":
        status = "wrote no records"
    return {
        "script": script.name,
        "status": status,
        "seconds": round(elapsed, 1),
        "stderr_tail": stderr_tail,
        "records": records,
    }


def _is_ours(library: str) -> bool:
    return library.split()[0] == OURS if library else False


def add_ratios(records: list[dict[str, Any]]) -> None:
    """Add ``ratio_to_incidentstats`` (peer s / ours s) and ``loglik_gap`` (ours − peer)."""
    ours: dict[tuple[str, Any], dict[str, Any]] = {}
    for rec in records:
        if _is_ours(rec.get("library", "")) and rec.get("seconds") is not None:
            # several incidentstats variants for one task: compare with the first (primary) one
            ours.setdefault((rec["task"], rec.get("n")), rec)
    for rec in records:
        base = ours.get((rec["task"], rec.get("n")))
        rec["ratio_to_incidentstats"] = None
        rec["loglik_gap"] = None
        if base is None or _is_ours(rec.get("library", "")):
            continue
        if rec.get("seconds") is not None and base["seconds"] > 0:
            rec["ratio_to_incidentstats"] = rec["seconds"] / base["seconds"]
        if rec.get("loglik") is not None and base.get("loglik") is not None:
            rec["loglik_gap"] = base["loglik"] - rec["loglik"]


def _fmt(x: Any, kind: str = "g") -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        if kind == "s":
            if x < 1e-3:
                return f"{x * 1e6:.1f} µs"
            if x < 1:
                return f"{x * 1e3:.1f} ms"
            return f"{x:.2f} s"
        if kind == "ratio":
            return f"{x:.2f}×"
        if kind == "gap":
            return f"{x:+.2f}"
        return f"{x:.6g}"
    if isinstance(x, int) and kind == "n":
        return f"{x:,}"
    return str(x).replace("|", "\\|")


def to_markdown(payload: dict[str, Any]) -> str:
    m = payload["machine"]
    v = m.get("versions", {})
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `python benchmarks/run.py{' --quick' if payload['quick'] else ''}` "
        f"on {m['date_utc']} UTC at commit `{m['git_commit']}`; whole run "
        f"{payload['total_seconds']:.0f} s.",
        "",
        "| machine | |",
        "|---|---|",
        f"| CPU | {m['cpu']} ({m['cores']} cores) |",
        f"| memory | {m['memory_gib']} GiB |",
        f"| OS | {m['os']} |",
        f"| load average at start (1, 5, 15 min) | {', '.join(map(str, m['load_average_at_start']))} |",
        "| versions | " + ", ".join(f"{k} {val}" for k, val in sorted(v.items())) + " |",
        "",
        "Seconds are wall-clock medians on a shared 2-core machine: compare ratios measured in one "
        "run, not absolute times across runs. **ratio** = peer seconds / incidentstats seconds "
        "for the same task and size (> 1: incidentstats is faster). **Δℓ** = incidentstats "
        "log-likelihood − peer log-likelihood at the optimum each reached (> 0: the peer stopped "
        "short of the maximum).",
        "",
    ]
    records = payload["records"]
    ratios = [r for r in records if r.get("ratio_to_incidentstats") is not None]
    if ratios:
        lines += [
            "## Ratios to each peer",
            "",
            "| peer | task | n | ratio | Δℓ |",
            "|---|---|---:|---:|---:|",
        ]
        for r in sorted(ratios, key=lambda r: (r["library"], r["task"], r.get("n") or 0)):
            lines.append(
                f"| {_fmt(r['library'])} | {_fmt(r['task'])} | {_fmt(r.get('n'), 'n')} | "
                f"{_fmt(r['ratio_to_incidentstats'], 'ratio')} | {_fmt(r.get('loglik_gap'), 'gap')} |"
            )
        lines.append("")
    tasks: list[str] = []
    for rec in records:
        if rec["task"] not in tasks:
            tasks.append(rec["task"])
    for task in tasks:
        lines += [f"## {task}", ""]
        lines += [
            "| library | n | seconds | ratio | log-likelihood | Δℓ | accuracy | notes |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        rows = [r for r in records if r["task"] == task]
        rows.sort(key=lambda r: (r.get("n") or 0, not _is_ours(r["library"])))
        for r in rows:
            lines.append(
                "| "
                + " | ".join(
                    [
                        _fmt(r["library"]),
                        _fmt(r.get("n"), "n"),
                        _fmt(r.get("seconds"), "s"),
                        _fmt(r.get("ratio_to_incidentstats"), "ratio"),
                        _fmt(r.get("loglik")),
                        _fmt(r.get("loglik_gap"), "gap"),
                        _fmt(r.get("accuracy")),
                        _fmt(r.get("notes")),
                    ]
                )
                + " |"
            )
        lines.append("")
    lines += ["## Scripts", "", "| script | status | seconds |", "|---|---|---:|"]
    for run in payload["runs"]:
        lines.append(f"| `{run['script']}` | {_fmt(run['status'])} | {run['seconds']:.1f} |")
    lines.append("")
    for run in payload["runs"]:
        if run["stderr_tail"]:
            lines += [
                f"`{run['script']}` stderr (last lines):",
                "",
                "```",
                run["stderr_tail"],
                "```",
                "",
            ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=default_python(), help="interpreter for the scripts")
    parser.add_argument("--quick", action="store_true", help="reduced sizes")
    parser.add_argument("--only", nargs="*", default=None, help="script names, e.g. import hawkes")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per script")
    parser.add_argument("--results", type=Path, default=RESULTS, help="output folder")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a script fails (default: report it)"
    )
    args = parser.parse_args(argv)

    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        wanted = {name.removeprefix("bench_").removesuffix(".py") for name in args.only}
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    if not scripts:
        print("run.py: no benchmark scripts selected", file=sys.stderr)
        return 2

    machine = machine_details(args.python)
    t0 = time.perf_counter()
    runs = []
    for script in scripts:
        print(f"run.py: {script.name} ...", file=sys.stderr, flush=True)
        run = run_script(script, args.python, args.quick, args.timeout)
        print(f"run.py: {script.name}: {run['status']} in {run['seconds']} s", file=sys.stderr)
        runs.append(run)
    records = [rec for run in runs for rec in run.pop("records")]
    previous = args.results / "benchmarks.json"
    if args.only and previous.exists():
        # a partial run keeps the other scripts' last results, marked as carried over
        done = {run["script"] for run in runs}
        old = json.loads(previous.read_text(encoding="utf-8"))
        for run in old.get("runs", []):
            if run["script"] not in done:
                run["status"] = run["status"].removesuffix(" (carried over)") + " (carried over)"
                runs.append(run)
        records += [r for r in old.get("records", []) if r.get("script") not in done]
    add_ratios(records)
    payload = {
        "machine": machine,
        "quick": args.quick,
        "total_seconds": round(time.perf_counter() - t0, 1),
        "runs": runs,
        "records": records,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "benchmarks.json").write_text(json.dumps(payload, indent=1) + "\n")
    (args.results / "benchmarks.md").write_text(to_markdown(payload))
    print(f"run.py: wrote {args.results / 'benchmarks.md'} and benchmarks.json", file=sys.stderr)
    failed = [r["script"] for r in runs if r["status"] not in ("ok", "ok (carried over)")]
    if failed:
        print(f"run.py: not ok (see the Scripts table): {', '.join(failed)}", file=sys.stderr)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
