"""The ``incidentstats`` command line: thin commands over the public API.

Commands: ``report`` (write a rate-change report, optionally compare it with an earlier
``summary.json``), ``datasets`` (list or describe the bundled data), ``fit`` (a Poisson or
Hawkes model as JSON) and ``changepoints``. ``python -m incidentstats`` is the same program.

Exit codes: 0 success; 1 ``report --compare`` found differences; 2 bad input (a one-line
message on standard error, no traceback unless ``--debug``); 3 an internal error.
"""

from __future__ import annotations

import json
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from . import __version__
from .exceptions import IncidentStatsError

__all__ = ["EXIT_BAD_INPUT", "EXIT_DIFFERENCES", "EXIT_INTERNAL", "EXIT_OK", "main"]

EXIT_OK = 0
EXIT_DIFFERENCES = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


def _event_datasets() -> dict[str, tuple[str, Callable[[], Any]]]:
    """``--dataset`` names that are event series: description and loader of each."""
    from . import datasets

    return {
        "iraq_attacks": (
            "core fixed-site series, 99 events 2019-10-28 ... 2021-12-19",
            lambda: datasets.load_iraq_attacks("core"),
        ),
        "coal_mining": ("191 British coal-mining disasters, 1851-1962", datasets.load_coal_mining),
        "iraq_2007_2008": (
            "insurgent attacks in Iraq, Feb 2007 - Jul 2008 (68,573 events)",
            lambda: datasets.load_iraq_2007_2008()[0],
        ),
    }


class _BadInput(Exception):
    """Raised inside commands for bad command-line input (exit code 2)."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _Main(click.Group):
    """The command group, with the project's exit codes and one-line error messages."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        try:
            rv = super().main(
                argv, prog_name or "incidentstats", complete_var, standalone_mode=False, **extra
            )
            code = rv if isinstance(rv, int) else EXIT_OK
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            code = EXIT_BAD_INPUT
        except click.exceptions.ClickException as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"Error: {_one_line(exc.format_message())}", err=True)
            code = EXIT_BAD_INPUT
        except (IncidentStatsError, _BadInput) as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"Error: {_one_line(str(exc))}", err=True)
            code = EXIT_BAD_INPUT
        except Exception as exc:
            if debug:
                traceback.print_exc()
            click.echo(
                f"Internal error: {type(exc).__name__}: {_one_line(str(exc))} "
                "(rerun with --debug for the traceback, and please report it)",
                err=True,
            )
            code = EXIT_INTERNAL
        return _finish(code, standalone_mode)


def _finish(code: int, standalone_mode: bool) -> int:
    if standalone_mode:
        sys.exit(code)
    return code


_debug_option = click.option("--debug", is_flag=True, help="Show tracebacks on errors.")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="incidentstats", message="%(prog)s %(version)s"
)
@_debug_option
def main(debug: bool) -> None:
    """Statistics of incident frequencies: rate-change reports from dated events.

    \b
    Exit codes: 0 success; 1 `report --compare` found differences;
    2 bad input (one line on standard error); 3 internal error.
    """


# -- shared helpers ---------------------------------------------------------------------------
def _echo_warnings(caught: list[warnings.WarningMessage], quiet: bool) -> None:
    if quiet:
        return
    seen: set[str] = set()
    for w in caught:
        text = f"Warning: {_one_line(str(w.message))}"
        if text not in seen:
            seen.add(text)
            click.echo(text, err=True)


def _load_events(
    data: str | None,
    dataset: str | None,
    time: str | None,
    start: str | None,
    end: str | None,
    quiet: bool,
) -> Any:
    """Read DATA or load --dataset (then restrict to --start/--end)."""
    from . import datasets
    from .io import read_events

    if (data is None) == (dataset is None):
        raise _BadInput(
            "Give exactly one source of events: a DATA file or --dataset NAME "
            "(see `incidentstats datasets`)."
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if data is not None:
            path = Path(data)
            if not path.exists():
                raise _BadInput(
                    f"The DATA file must exist. Got '{data}' instead. Check the path, or use "
                    "--dataset NAME for bundled data."
                )
            ev = read_events(path, time=time, start=start, end=end)
        else:
            assert dataset is not None
            loaders = _event_datasets()
            if dataset not in loaders:
                from ._validation import suggest

                known = set(datasets.list_datasets().index)
                extra = (
                    " It is a table, not an event series."
                    if dataset in known
                    else suggest(dataset, list(loaders))
                )
                raise _BadInput(
                    "The --dataset name must be one of "
                    + ", ".join(repr(k) for k in loaders)
                    + f". Got '{dataset}' instead.{extra}"
                )
            ev = loaders[dataset][1]()
            if start is not None or end is not None:
                ev = ev.window(start, end)
    _echo_warnings(caught, quiet)
    return ev


def _source_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--end", metavar="DATE", help="End of the observation window (excluded).")(f)
    f = click.option("--start", metavar="DATE", help="Start of the observation window.")(f)
    f = click.option(
        "--time",
        "time_col",
        metavar="COL",
        help="Column of DATA holding the event dates or date-times.",
    )(f)
    f = click.option(
        "--dataset",
        metavar="NAME",
        help="Use a bundled event series instead of DATA: "
        "iraq_attacks, coal_mining, iraq_2007_2008.",
    )(f)
    f = click.argument("data", required=False, metavar="[DATA]")(f)
    return f


def _read_triggers_file(path: str) -> Any:
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise _BadInput(f"The --triggers-file must be an existing CSV file. Got '{path}' instead.")
    try:
        frame = pd.read_csv(p)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BadInput(
            f"The --triggers-file must be a CSV file with a `date` column. Got '{path}' instead "
            f"(pandas said: {_one_line(str(exc))})."
        ) from exc
    if "date" not in frame.columns:
        raise _BadInput(
            "The --triggers-file must have a `date` column (and optionally `event` or `label`). "
            f"Got columns {list(map(str, frame.columns))} instead."
        )
    return frame


# -- report -----------------------------------------------------------------------------------
@main.command("report")
@_source_options
@click.option(
    "--trigger",
    "triggers",
    multiple=True,
    metavar="DATE",
    help="A trigger date (repeat for several).",
)
@click.option(
    "--triggers-file",
    metavar="CSV",
    help="CSV of triggers with a `date` column (and `event`/`label`); triggers "
    "outside the window are left out and listed in the report.",
)
@click.option(
    "--filter",
    "filter_expr",
    metavar="EXPR",
    help="Keep events matching a query over the marks, e.g. \"weapon == 'rocket'\".",
)
@click.option(
    "--window",
    metavar="DURATION",
    help="Window before and after each trigger, e.g. 67D (default: all data).",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of every random step (same seed, same files).",
)
@click.option(
    "--format",
    "formats",
    default="html,md,json",
    show_default=True,
    help="Comma-separated outputs among html, md, json.",
)
@click.option(
    "--sections",
    default="all",
    show_default=True,
    help="Comma-separated sections to run (data is always included).",
)
@click.option(
    "--out", "out_dir", required=True, metavar="DIR", help="Output folder (created when missing)."
)
@click.option("--title", help="Report title.")
@click.option(
    "--compare",
    "compare_path",
    metavar="OLD.json",
    help="Compare the new summary.json with an earlier one; exit 1 on differences.",
)
@click.option(
    "--rtol", type=float, default=1e-6, show_default=True, help="Relative tolerance of --compare."
)
@click.option(
    "--atol", type=float, default=1e-9, show_default=True, help="Absolute tolerance of --compare."
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print nothing but errors and --compare differences."
)
@_debug_option
def report_cmd(
    data: str | None,
    dataset: str | None,
    time_col: str | None,
    start: str | None,
    end: str | None,
    triggers: tuple[str, ...],
    triggers_file: str | None,
    filter_expr: str | None,
    window: str | None,
    seed: int,
    formats: str,
    sections: str,
    out_dir: str,
    title: str | None,
    compare_path: str | None,
    rtol: float,
    atol: float,
    quiet: bool,
    debug: bool,
) -> int:
    """Write a rate-change report of DATA (or --dataset NAME) to --out DIR.

    Writes DIR/index.html (self-contained), DIR/report.md with DIR/figures/*.png, and
    DIR/summary.json. With --compare OLD.json, prints every number that moved beyond the
    tolerance and exits with code 1.
    """
    from ._validation import to_timestamp
    from .report import compare_summaries, load_summary
    from .report import report as build_report
    from .report._writers import prepare_out_dir

    fmt = [f.strip().lower() for f in formats.split(",") if f.strip()]
    fmt = ["md" if f == "markdown" else f for f in fmt]
    bad = [f for f in fmt if f not in ("html", "md", "json")]
    if bad or not fmt:
        raise _BadInput(
            f"The --format option must list html, md and/or json. Got '{formats}' instead."
        )
    if compare_path is not None and "json" not in fmt:
        fmt.append("json")
    old = load_summary(compare_path, name="--compare") if compare_path is not None else None
    out = prepare_out_dir(out_dir, create=False)
    ev = _load_events(data, dataset, time_col, start, end, quiet)
    explicit = [to_timestamp("--trigger", t) for t in triggers]
    for t in explicit:
        if not (ev.start <= t < ev.end):
            raise _BadInput(
                f"The --trigger date must lie inside the observation window "
                f"[{ev.start.date()}, {ev.end.date()}). Got {t.date()} instead. Pass a date "
                "inside the window or widen it with --start/--end."
            )
    trig: Any = [str(t.date()) if t == t.normalize() else t.isoformat() for t in explicit]
    if triggers_file is not None:
        import pandas as pd

        frame = _read_triggers_file(triggers_file)
        label_col = next((c for c in ("label", "event", "name") if c in frame.columns), None)
        extra = pd.DataFrame(
            {
                "date": frame["date"],
                "event": frame[label_col] if label_col else "",
            }
        )
        trig = pd.concat([pd.DataFrame({"date": trig, "event": ""}), extra], ignore_index=True)
    trig_breaks = explicit if (triggers_file is not None and explicit) else None
    wanted: Any = "all" if sections == "all" else [s.strip() for s in sections.split(",")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rep = build_report(
            ev,
            triggers=trig,
            window=window,
            filter=filter_expr,
            sections=wanted,
            seed=seed,
            title=title,
            dataset=dataset,
            # with a triggers file, the --trigger dates are the ones the models break at
            breaks=trig_breaks,
            triggers_outside="skip",
            progress=not quiet and sys.stderr.isatty(),
        )
    _echo_warnings([w for w in caught if w.category.__name__ == "ReportWarning"], quiet)
    written = rep.write(out, formats=tuple(fmt))
    if not quiet:
        for kind in ("html", "md", "json"):
            if kind in written:
                click.echo(f"{kind:>4}: {written[kind]}")
        failing = [
            f"{s.key} ({s.status})" for s in rep.sections if s.status not in ("ok", "skipped")
        ]
        if failing:
            click.echo("Sections not computed: " + ", ".join(failing), err=True)
    if old is not None:
        new = json.loads(rep.to_json())
        diffs = compare_summaries(old, new, rtol=rtol, atol=atol)
        if diffs:
            click.echo(
                f"{len(diffs)} difference(s) from {compare_path} (rtol={rtol:g}, atol={atol:g}):"
            )
            for d in diffs:
                click.echo(f"  {d}")
            return EXIT_DIFFERENCES
        if not quiet:
            click.echo(f"No differences from {compare_path} (rtol={rtol:g}, atol={atol:g}).")
    return EXIT_OK


# -- datasets ---------------------------------------------------------------------------------
@main.command("datasets")
@click.argument("name", required=False)
@_debug_option
def datasets_cmd(name: str | None, debug: bool) -> int:
    """List the bundled datasets, or print the data card of NAME."""
    from . import datasets

    if name is None:
        table = datasets.list_datasets().reset_index()
        width = max(len(str(n)) for n in table["name"])
        for _, row in table.iterrows():
            click.echo(f"{row['name']:<{width}}  {row['description']}")
        click.echo("\nEvent series for `report --dataset`: " + ", ".join(_event_datasets()))
        return EXIT_OK
    click.echo(datasets.data_card(name).rstrip("\n"))
    return EXIT_OK


# -- fit / changepoints -----------------------------------------------------------------------
def _emit(result: Any, as_json: bool) -> None:
    from ._results import jsonable

    if as_json:
        click.echo(json.dumps(jsonable(result.to_dict()), indent=2, ensure_ascii=False))
    else:
        click.echo(str(result.summary()))


@main.command("fit")
@click.argument("model", type=click.Choice(["hawkes", "poisson"]))
@_source_options
@click.option("--kernel", default="exponential", show_default=True, help="Hawkes kernel.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of random steps.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Do not print warnings.")
@_debug_option
def fit_cmd(
    model: str,
    data: str | None,
    dataset: str | None,
    time_col: str | None,
    start: str | None,
    end: str | None,
    kernel: str,
    seed: int,
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> int:
    """Fit a homogeneous Poisson or a Hawkes MODEL to DATA (or --dataset NAME)."""
    from .hawkes import HawkesProcess, PoissonProcess

    ev = _load_events(data, dataset, time_col, start, end, quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if model == "poisson":
            result = PoissonProcess().fit(ev)
        else:
            result = HawkesProcess(kernel=kernel).fit(ev, rng=seed)
    _echo_warnings(caught, quiet)
    _emit(result, as_json)
    return EXIT_OK


@main.command("changepoints")
@_source_options
@click.option(
    "--method",
    default="pelt",
    show_default=True,
    type=click.Choice(["pelt", "binseg", "bayes", "bayesian_blocks"]),
)
@click.option(
    "--freq",
    default="D",
    show_default=True,
    help="Bin size of the counts (ignored by bayesian_blocks, which uses the times).",
)
@click.option(
    "--n-boot",
    type=int,
    default=200,
    show_default=True,
    help="Bootstrap replicates for the change-date intervals (0 skips them).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of random steps.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Do not print warnings.")
@_debug_option
def changepoints_cmd(
    data: str | None,
    dataset: str | None,
    time_col: str | None,
    start: str | None,
    end: str | None,
    method: str,
    freq: str,
    n_boot: int,
    seed: int,
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> int:
    """Change points in the rate of DATA (or --dataset NAME)."""
    from .changepoints import changepoints

    ev = _load_events(data, dataset, time_col, start, end, quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target = ev if method == "bayesian_blocks" else ev.counts(freq)
        result = changepoints(target, method=method, n_boot=n_boot, rng=seed)
    _echo_warnings(caught, quiet)
    _emit(result, as_json)
    return EXIT_OK
