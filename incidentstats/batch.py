"""Fit one model to many event series at once: serial, a process pool, or a Dask cluster.

:func:`fit_many` splits a DataFrame of events by group columns (district, country, grid
cell), fits a model to each group's :class:`~incidentstats.events.EventSeries` and returns one
row per group with parameters, standard errors, intervals, convergence and an error message
when that group failed. Every group gets its own random stream from
``np.random.SeedSequence(seed).spawn(n_groups)`` in group order, so results are identical
whatever the backend and the number of workers.
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_choice, check_positive, error, suggest, type_error
from .hawkes._multivariate_numba import blas_single_thread, openblas_libs

__all__ = ["add_grid_cell", "fit_many"]

_BACKENDS = ("serial", "processes", "dask")
_RESOLUTIONS = ("exact", "second", "minute", "hour", "day")


def add_grid_cell(
    frame: pd.DataFrame,
    *,
    lon: str = "longitude",
    lat: str = "latitude",
    size: float = 1.0,
    column: str = "cell",
) -> pd.DataFrame:
    """Return a copy of ``frame`` with a spatial grid-cell label (``size``-degree squares).

    The label is ``"<lon0>_<lat0>"``, the south-west corner of the cell, e.g. ``"44_33"`` or
    ``"44.5_33"``.

    Examples
    --------
    >>> import pandas as pd
    >>> add_grid_cell(pd.DataFrame({"longitude": [44.3], "latitude": [33.9]}))["cell"].tolist()
    ['44_33']
    """
    if not isinstance(frame, pd.DataFrame):
        raise type_error("The `frame` argument", "must be a pandas DataFrame", type(frame).__name__)
    for name in (lon, lat):
        if name not in frame.columns:
            raise error(
                "The coordinate column",
                f"must be a column of the frame ({list(frame.columns)})",
                name,
                suggest(name, frame.columns).strip() or None,
            )
    size = float(check_positive("size", size))
    x = np.floor(pd.to_numeric(frame[lon], errors="coerce").to_numpy(float) / size) * size
    y = np.floor(pd.to_numeric(frame[lat], errors="coerce").to_numpy(float) / size) * size
    out = frame.copy()
    labels = [
        f"{a:.6g}_{b:.6g}" if np.isfinite(a) and np.isfinite(b) else None
        for a, b in zip(x.round(6), y.round(6))
    ]
    out[column] = labels
    return out


# --------------------------------------------------------------------------------------------
# worker side
# --------------------------------------------------------------------------------------------
def _accepts_rng(model: Any) -> bool:
    try:
        sig = inspect.signature(model.fit)
    except (TypeError, ValueError):
        return False
    return "rng" in sig.parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values()
    )


def _ci_table(result: Any) -> pd.DataFrame | None:
    """Intervals as a DataFrame (low, high) indexed by parameter, from whatever shape."""
    ci_fn = getattr(result, "confidence_interval", None)
    if ci_fn is None:
        return None
    ci = ci_fn()
    if isinstance(ci, pd.DataFrame) and ci.shape[1] >= 2:
        frame = ci.iloc[:, :2].copy()
        frame.columns = ["low", "high"]
        return frame
    if isinstance(ci, dict):
        rows = {k: (float(v[0]), float(v[1])) for k, v in ci.items()}
        return pd.DataFrame.from_dict(rows, orient="index", columns=["low", "high"])
    return None


def _gof_pvalue(result: Any) -> float:
    gof = getattr(result, "gof", None)
    if gof is None:
        return float("nan")
    out = gof()
    p = getattr(out, "pvalue", None)
    if p is not None and isinstance(p, numbers.Real):
        return float(p)
    if isinstance(out, pd.DataFrame) and "pvalue" in out.columns:
        return float(out["pvalue"].min())
    if isinstance(out, dict) and "pvalue" in out:
        return float(out["pvalue"])
    return float("nan")


def _fit_group(task: tuple) -> dict[str, Any]:
    """Fit one group. Never raises: failures become a row with ``status='error'``."""
    import warnings

    key, ns, start, end, resolution, model, seed_seq, want_gof, use_rng = task
    row: dict[str, Any] = {"_key": key, "n_events": len(ns), "status": "ok", "error": ""}
    with warnings.catch_warnings(record=True) as caught:
        # warnings inside a group are per-group facts: recorded in the row, not raised
        warnings.simplefilter("always")
        _fit_into(row, ns, start, end, resolution, model, seed_seq, want_gof, use_rng, key)
    row["warnings"] = ", ".join(sorted({type(w.message).__name__ for w in caught}))
    return row


def _fit_into(
    row: dict,
    ns: Any,
    start: Any,
    end: Any,
    resolution: Any,
    model: Any,
    seed_seq: Any,
    want_gof: bool,
    use_rng: bool,
    key: Any,
) -> None:
    from .events import EventSeries

    try:
        ev = EventSeries(
            pd.DatetimeIndex(np.asarray(ns, dtype="datetime64[ns]")),
            start=start,
            end=end,
            resolution=resolution,
            name=str(key),
        )
        kwargs = {"rng": np.random.default_rng(seed_seq)} if use_rng else {}
        res = model.fit(ev, **kwargs)
        params = getattr(res, "params", None)
        if not isinstance(params, pd.Series):
            params = pd.Series(params, dtype=float)
        bse = getattr(res, "bse", None)
        ci = _ci_table(res)
        for name, value in params.items():
            row[str(name)] = float(value)
            if isinstance(bse, pd.Series) and name in bse.index:
                row[f"{name}_se"] = float(bse[name])
            if ci is not None and name in ci.index:
                row[f"{name}_low"] = float(ci.loc[name, "low"])
                row[f"{name}_high"] = float(ci.loc[name, "high"])
        for attr in ("converged", "loglik", "aic", "bic", "spectral_radius"):
            v = getattr(res, attr, None)
            if isinstance(v, (bool, np.bool_)):
                row[attr] = bool(v)
            elif isinstance(v, numbers.Real):
                row[attr] = float(v)
        if want_gof:
            row["gof_pvalue"] = _gof_pvalue(res)
    except Exception as exc:  # a failing group must not abort the batch
        row["status"] = "error"
        row["error"] = f"{type(exc).__name__}: {exc}"


def _fit_chunk(tasks: list[tuple]) -> list[dict[str, Any]]:
    return [_fit_group(t) for t in tasks]


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------
def _seed_sequence(rng: Any) -> np.random.SeedSequence:
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int(rng.integers(0, 2**63 - 1)))
    if rng is None:
        return np.random.SeedSequence()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and int(rng) >= 0:
        return np.random.SeedSequence(int(rng))
    raise error(
        "The `rng` parameter",
        "must be None, a non-negative integer seed, a SeedSequence or a numpy Generator",
        rng,
        "Pass e.g. rng=1.",
    )


def _chunks(tasks: list[tuple], size: int) -> list[list[tuple]]:
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def fit_many(
    frame: pd.DataFrame,
    by: str | Sequence[str],
    *,
    model: Any,
    time: str = "date",
    start: Any = None,
    end: Any = None,
    resolution: str | None = None,
    backend: str = "serial",
    client: Any = None,
    n_jobs: int | None = None,
    chunksize: int | None = None,
    progress: bool = True,
    gof: bool = False,
    rng: Any = None,
) -> pd.DataFrame:
    """Fit ``model`` to the events of every group of ``frame``; one row per group.

    Parameters
    ----------
    frame : DataFrame
        One row per event, with a time column and the group columns.
    by : str or list of str
        Group columns (e.g. ``["district"]`` or a grid cell from :func:`add_grid_cell`).
    model : object with ``.fit(EventSeries)``
        E.g. ``ist.HawkesProcess()``, ``DiscreteHawkes()``. Its result must have ``params``
        (a pd.Series); ``bse``, ``confidence_interval()``, ``converged``, ``loglik``, ``aic``,
        ``bic`` and ``gof()`` are used when present. If ``fit`` accepts ``rng=``, each group
        gets its own Generator.
    time : str, default "date"
        The time column.
    start, end : date-like, optional
        The common observation window of every group. Defaults: midnight of the first event's
        day, and midnight after the last event's day, over the whole frame (all groups share
        one window, so a group quiet at first is not given a shorter window).
    resolution : str, optional
        Time resolution of the events ("day", ...); inferred when omitted.
    backend : {"serial", "processes", "dask"}, default "serial"
        ``"processes"`` uses a local process pool of ``n_jobs`` workers; ``"dask"`` submits to
        ``client`` (a ``distributed.Client``) or, without one, runs dask's multiprocessing
        scheduler. Dask is an optional extra: ``pip install "incidentstats[dask]"``.
    client : distributed.Client, optional
        The Dask cluster to use with ``backend="dask"``.
    n_jobs : int, optional
        Workers for "processes" (default: the number of CPUs) and client-less "dask".
    chunksize : int, optional
        Groups per task (default: about four tasks per worker).
    progress : bool, default True
        Show a tqdm progress bar.
    gof : bool, default False
        Add ``gof_pvalue`` (the result's goodness-of-fit p-value, minimum over streams).
    rng : int, SeedSequence or Generator, optional
        Master seed; group ``i`` (in sorted group order) uses child ``i`` of
        ``SeedSequence(rng).spawn(n_groups)``.

    Returns
    -------
    DataFrame
        Group columns, ``n_events``, ``status`` ("ok" / "error"), ``error`` (the message for
        failed groups), ``warnings`` (names of the warnings the fit issued), then per
        parameter ``name``, ``name_se``, ``name_low``, ``name_high``, and ``converged``,
        ``loglik``, ``aic``, ``bic`` when the result has them. Rows are in sorted group
        order. A group whose fit raised (too few events, no convergence, ...) is a row with
        ``status="error"``; the batch always completes.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from incidentstats.hawkes.discrete import DiscreteHawkes
    >>> gen = np.random.default_rng(0)
    >>> days = pd.Timestamp("2020-01-01") + pd.to_timedelta(gen.integers(0, 90, 400), unit="D")
    >>> frame = pd.DataFrame({"date": days, "region": gen.choice(["a", "b"], 400)})
    >>> table = fit_many(frame, "region", model=DiscreteHawkes(), progress=False, rng=1)
    >>> table[["region", "n_events", "status"]].to_dict("list")["status"]
    ['ok', 'ok']
    """
    if not isinstance(frame, pd.DataFrame):
        raise type_error(
            "The `frame` argument", "must be a pandas DataFrame of events", type(frame).__name__
        )
    by_cols = [by] if isinstance(by, str) else list(by)
    if not by_cols:
        raise error("The `by` argument", "must name at least one group column", by)
    for col in [*by_cols, time]:
        if col not in frame.columns:
            raise error(
                f"The column {col!r}",
                f"must be a column of the frame ({list(frame.columns)})",
                col,
                suggest(col, [str(c) for c in frame.columns]).strip() or None,
            )
    backend = check_choice("backend", backend, _BACKENDS, "fit_many")
    if not hasattr(model, "fit") or not callable(model.fit):
        raise type_error(
            "The `model` argument",
            "must have a .fit(EventSeries) method",
            type(model).__name__,
            "Pass e.g. model=ist.HawkesProcess().",
        )
    if resolution is not None:
        check_choice("resolution", resolution, _RESOLUTIONS, "fit_many")
    workers = (
        int(check_positive("n_jobs", n_jobs, integer=True))
        if n_jobs is not None
        else (os.cpu_count() or 1)
    )
    if chunksize is not None:
        check_positive("chunksize", chunksize, integer=True)
    if backend == "dask":
        try:
            import dask  # noqa: F401
        except ImportError as exc:
            raise error(
                "The `backend` parameter",
                "can be 'dask' only when the optional dask extra is installed",
                "backend='dask' without dask",
                'Install it with pip install "incidentstats[dask]" (dask[distributed]), or '
                "use backend='processes'.",
            ) from exc
    elif client is not None:
        raise error(
            "The `client` parameter",
            "is used only with backend='dask'",
            f"a client with backend={backend!r}",
            "Pass backend='dask'.",
        )

    times = pd.to_datetime(frame[time], errors="coerce")
    bad = np.flatnonzero(times.isna().to_numpy())
    if len(bad):
        from ._validation import format_rows

        raise error(
            f"The `time` column {time!r}",
            "must hold dates in every row",
            format_rows((bad + 1).tolist(), frame[time].iloc[bad].tolist()),
            "Fix or drop those rows.",
        )
    times = pd.DatetimeIndex(times)
    if times.tz is not None:
        times = times.tz_convert("UTC").tz_localize(None)
    win_start = pd.Timestamp(start) if start is not None else times.min().normalize()
    win_end = (
        pd.Timestamp(end) if end is not None else (times.max().normalize() + pd.Timedelta(days=1))
    )
    if not win_end > win_start:
        raise error("The window", "must have end > start", f"[{win_start}, {win_end})")
    inside = (times >= win_start) & (times < win_end)
    ns = times.as_unit("ns").asi8
    keys = frame[by_cols]
    grouper: Any = by_cols[0] if len(by_cols) == 1 else by_cols
    groups = keys.assign(_ns=ns)[np.asarray(inside)].groupby(grouper, sort=True, dropna=False)
    n_groups = groups.ngroups
    if n_groups == 0:
        raise error(
            "The `frame` argument",
            "must hold at least one event inside the window",
            f"0 events in [{win_start}, {win_end})",
        )
    children = _seed_sequence(rng).spawn(n_groups)
    use_rng = _accepts_rng(model)
    tasks = []
    for i, (key, sub) in enumerate(groups):
        ns_sorted = np.sort(sub["_ns"].to_numpy())
        tasks.append(
            (key, ns_sorted, win_start, win_end, resolution, model, children[i], gof, use_rng)
        )

    size = chunksize or max(1, math.ceil(n_groups / (4 * workers)))
    chunks = _chunks(tasks, size)
    rows: list[dict[str, Any]] = []
    bar = _progress_bar(n_groups, progress)
    try:
        if backend == "serial" or (backend == "processes" and workers == 1):
            with blas_single_thread():
                for ch in chunks:
                    rows += _fit_chunk(ch)
                    bar.update(len(ch))
        elif backend == "processes":
            from concurrent.futures import ProcessPoolExecutor

            # one BLAS thread per worker: with several BLAS threads in each worker process the
            # cores are oversubscribed (measured 35x slower on 2 cores)
            with (
                _single_thread_env(),
                ProcessPoolExecutor(max_workers=workers, initializer=_limit_blas_threads) as pool,
            ):
                for out in pool.map(_fit_chunk, chunks):
                    rows += out
                    bar.update(len(out))
        else:
            rows = _run_dask(chunks, client, workers, bar)
    finally:
        bar.close()
    return _assemble(rows, by_cols)


class _NoBar:
    """Stands in for the tqdm bar when ``progress=False``."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, progress: bool) -> Any:
    """A tqdm bar when ``progress`` is true, else a bar that does nothing.

    ``tqdm.auto`` is imported only for a real bar: importing it inside a Jupyter kernel without
    ipywidgets warns "IProgress not found" (a TqdmWarning) even for a disabled bar.
    """
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="fit_many", unit="group")


_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


class _single_thread_env:
    """Set one-thread BLAS/OpenMP variables while worker processes start (then restore)."""

    def __enter__(self) -> None:
        self.saved = {k: os.environ.get(k) for k in _THREAD_VARS}
        for k in _THREAD_VARS:
            os.environ[k] = "1"

    def __exit__(self, *exc: Any) -> None:
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _limit_blas_threads() -> None:
    """Worker initializer: one BLAS thread in this process."""
    for _, setter in openblas_libs():
        setter(1)


def _run_dask(chunks: list[list[tuple]], client: Any, workers: int, bar: Any) -> list[dict]:
    if client is not None:
        futures = client.map(_fit_chunk, chunks, pure=False)
        rows: list[dict] = []
        for fut in futures:  # gather in submission order: deterministic row order
            out = fut.result()
            rows += out
            bar.update(len(out))
        return rows
    import dask

    delayed = [dask.delayed(_fit_chunk)(ch) for ch in chunks]
    with _single_thread_env():
        results = dask.compute(*delayed, scheduler="processes", num_workers=workers)
    rows = [r for out in results for r in out]
    bar.update(len(rows))
    return rows


def _assemble(rows: list[dict], by_cols: list[str]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    keys = table.pop("_key").tolist()
    if len(by_cols) == 1:
        key_frame = pd.DataFrame({by_cols[0]: [k[0] if isinstance(k, tuple) else k for k in keys]})
    else:
        key_frame = pd.DataFrame([tuple(k) for k in keys], columns=by_cols)
    out = pd.concat([key_frame, table], axis=1)
    return out.reset_index(drop=True)
