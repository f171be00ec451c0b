"""Bundled real datasets, each with a data card (provenance, licence, known gaps).

The CSV files and their cards live in the repository's ``data/`` folder and are shipped inside
the wheel (``incidentstats/datasets/data``). :func:`list_datasets` lists them;
:func:`data_card` returns a card's text.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import check_choice, error, suggest
from ..events import EventSeries

__all__ = [
    "data_card",
    "data_path",
    "list_datasets",
    "load_coal_mining",
    "load_coal_mining_annual",
    "load_iraq_2007_2008",
    "load_iraq_attacks",
    "load_iraq_triggers",
    "load_sicily",
]

# name -> (folder, one-line description, loader name)
_DATASETS: dict[str, tuple[str, str, str]] = {
    "iraq_attacks": (
        "iraq_attacks_2019_2022",
        "Attacks on US-linked sites in Iraq, Oct 2019 - Jan 2022 (sourced, day resolution)",
        "load_iraq_attacks",
    ),
    "iraq_triggers": (
        "iraq_attacks_2019_2022",
        "Dated candidate trigger events for the Iraq attacks (28 rows, 2019-12-27 ... 2022-01-03)",
        "load_iraq_triggers",
    ),
    "coal_mining": (
        "coal_mining",
        "British coal-mining disasters 1851-1962 (191 dates): the classic Poisson change point",
        "load_coal_mining",
    ),
    "coal_mining_annual": (
        "coal_mining",
        "Annual counts of the coal-mining disasters, 1851-1962 (112 years)",
        "load_coal_mining_annual",
    ),
    "sicily": (
        "sicily_smoking_ban",
        "Monthly acute coronary events in Sicily around the 2005 smoking ban (59 months)",
        "load_sicily",
    ),
    "iraq_2007_2008": (
        "iraq_2007_2008_geocausal",
        "68,573 insurgent attacks and 3,938 US airstrikes in Iraq, Feb 2007 - Jul 2008 (days)",
        "load_iraq_2007_2008",
    ),
}

_TAGS = (
    "PRE_WINDOW",
    "POST_2021",
    "NOT_MILITIA",
    "CONVOY_UNDERSAMPLED",
    "DATE_UNCERTAIN",
    "COUNT_DISPUTED",
    "CASUALTIES_DISPUTED",
    "SOURCE_PARTISAN",
    "SOURCE_AGGREGATOR",
    "AGGREGATED_LIST",
    "MULTI_EVENT",
    "TARGET_UNCLEAR",
    "TARGET_NON_US",
    "ATTRIBUTION_DISPUTED",
)


def _data_root() -> Path:
    """The bundled data folder: inside the wheel, or the repository's ``data/``."""
    packaged = resources.files("incidentstats.datasets") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    repo = Path(__file__).resolve().parents[2] / "data"
    if repo.is_dir():
        return repo
    raise error(  # pragma: no cover - only on a broken installation
        "The bundled data folder",
        "must be installed with the package",
        str(packaged),
        "Reinstall incidentstats (pip install --force-reinstall incidentstats).",
    )


def data_path(folder: str, filename: str | None = None) -> Path:
    """Path of a bundled data folder (or a file in it)."""
    path = _data_root() / folder
    return path / filename if filename else path


def _check_name(name: str) -> str:
    if name not in _DATASETS:
        raise error(
            "The dataset name",
            "must be one of " + ", ".join(repr(k) for k in _DATASETS),
            name,
            suggest(name, list(_DATASETS)).strip() or "See ist.datasets.list_datasets().",
        )
    return name


def list_datasets() -> pd.DataFrame:
    """The bundled datasets: name, description, folder and loader function.

    Examples
    --------
    >>> import incidentstats as ist
    >>> "iraq_attacks" in ist.datasets.list_datasets().index
    True
    """
    rows = [
        {"name": k, "description": d, "folder": f, "loader": f"ist.datasets.{loader}()"}
        for k, (f, d, loader) in _DATASETS.items()
    ]
    return pd.DataFrame(rows).set_index("name")


def data_card(name: str) -> str:
    """The data card (README.md) of a bundled dataset, as Markdown text."""
    folder = _DATASETS[_check_name(name)][0]
    return data_path(folder, "README.md").read_text(encoding="utf-8")


def _tags(notes: pd.Series) -> pd.DataFrame:
    text = notes.fillna("").astype(str)
    return pd.DataFrame({f"tag_{t.lower()}": text.str.contains(t, regex=False) for t in _TAGS})


@cache
def _attacks_frame() -> pd.DataFrame:
    frame = pd.read_csv(
        data_path("iraq_attacks_2019_2022", "attacks.csv"),
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )
    for col in ("projectiles", "killed", "wounded"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Float64")
    return pd.concat([frame, _tags(frame["notes"])], axis=1)


def load_iraq_attacks(series: str = "core") -> EventSeries:
    """Attacks on US- and coalition-linked sites in Iraq, October 2019 - January 2022.

    Parameters
    ----------
    series : {"core", "all", "convoy"}
        ``"core"`` (default): the fixed-site series recommended by the data card for rate
        modelling — target type not convoy, without the ``PRE_WINDOW``, ``POST_2021`` and
        ``NOT_MILITIA`` rows: 99 events, 2019-10-28 ... 2021-12-19, observed on the window
        [2019-10-28, 2022-01-01). ``"all"``: all 153 rows on [2019-05-19, 2022-01-29).
        ``"convoy"``: convoy attacks (a convenience sample: do not fit rates to it) on the
        core window.

    Returns
    -------
    EventSeries
        Day resolution. Marks: every column of ``attacks.csv`` (time_local, location,
        governorate, target, target_type, weapon, projectiles, killed, wounded, claimed_by,
        source_title, source_url, notes) plus one boolean ``tag_*`` column per data-card tag
        (``tag_date_uncertain``, ``tag_source_partisan``, ...).

    Notes
    -----
    The core window starts on the day of the first event of the late-2019 series, as the
    running counts in the press do ("since the end of October"); it ends at the end of 2021,
    the last month the compilation covers for fixed sites.

    References
    ----------
    incidentstats Iraq attacks compilation, 2019-2022 (CC BY 4.0); see
    ``ist.datasets.data_card("iraq_attacks")`` for every row's source and the known gaps.

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.datasets.load_iraq_attacks()
    >>> ev.n, str(ev.start.date()), ev.resolution
    (99, '2019-10-28', 'day')
    """
    check_choice("series", series, ["core", "all", "convoy"], "load_iraq_attacks")
    frame = _attacks_frame()
    excluded = frame["tag_pre_window"] | frame["tag_post_2021"] | frame["tag_not_militia"]
    if series == "core":
        sel = (frame["target_type"] != "convoy") & ~excluded
        start, end, name = "2019-10-28", "2022-01-01", "Iraq attacks (core fixed-site series)"
    elif series == "convoy":
        sel = (frame["target_type"] == "convoy") & ~excluded
        start, end, name = "2019-10-28", "2022-01-01", "Iraq attacks (convoys, undersampled)"
    else:
        sel = pd.Series(True, index=frame.index)
        start, end, name = "2019-05-19", "2022-01-29", "Iraq attacks (all rows)"
    sub = frame.loc[sel].reset_index(drop=True)
    times = pd.to_datetime(sub["date"], format="%Y-%m-%d")
    return EventSeries(
        pd.DatetimeIndex(times),
        start=start,
        end=end,
        resolution="day",
        marks=sub.drop(columns=["date"]),
        name=name,
    )


def load_iraq_triggers() -> pd.DataFrame:
    """Dated candidate trigger events for the Iraq attacks (28 rows).

    Columns: ``date`` (Timestamp), ``event``, ``source_title``, ``source_url``.
    Source: the incidentstats Iraq attacks compilation (CC BY 4.0).

    Examples
    --------
    >>> import incidentstats as ist
    >>> trig = ist.datasets.load_iraq_triggers()
    >>> str(trig.loc[3, "date"].date())
    '2020-01-03'
    """
    frame = pd.read_csv(data_path("iraq_attacks_2019_2022", "triggers.csv"))
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame


def load_coal_mining() -> EventSeries:
    """Dates of 191 British coal-mining disasters (ten or more killed), 1851-1962.

    R's ``boot::coal`` stores each date as ``1851 + d / 365.25``, where ``d`` counts days from
    31 December 1850 (so 1 January 1851 is day 1): every value is a whole number of such days
    (checked to 1e-10), and this reproduces the data card's first and last dates, 15 March
    1851 and 22 March 1962. Observation window: [1851-01-01, 1963-01-01). Two disasters
    share a date (tied events).

    References
    ----------
    Jarrett, R. G. (1979). A note on the intervals between coal-mining disasters.
    Biometrika 66, 191-193. Data from R package ``boot`` 1.3-31 (licence "Unlimited").

    Examples
    --------
    >>> import incidentstats as ist
    >>> ev = ist.datasets.load_coal_mining()
    >>> ev.n, str(ev.timestamps[0].date()), str(ev.timestamps[-1].date())
    (191, '1851-03-15', '1962-03-22')
    """
    x = pd.read_csv(data_path("coal_mining", "coal_disaster_dates.csv"))["date"].to_numpy(float)
    days = np.round((x - 1851.0) * 365.25).astype(np.int64)
    times = pd.Timestamp("1850-12-31") + pd.to_timedelta(days, unit="D")
    return EventSeries(
        pd.DatetimeIndex(times),
        start="1851-01-01",
        end="1963-01-01",
        resolution="day",
        marks=pd.DataFrame({"decimal_year": x}),
        name="British coal-mining disasters",
    )


def load_coal_mining_annual() -> pd.DataFrame:
    """Annual counts of the coal-mining disasters, 1851-1962.

    Columns: ``year``, ``disasters`` (counted from the dates of :func:`load_coal_mining`) and
    ``disasters_carlin`` (the 112-value vector circulating with Carlin, Gelfand & Smith 1992
    and MCMCpack, which differs in five years).

    Examples
    --------
    >>> import incidentstats as ist
    >>> int(ist.datasets.load_coal_mining_annual()["disasters"].sum())
    191
    """
    frame = pd.read_csv(data_path("coal_mining", "coal_annual_counts.csv"))
    return frame.rename(
        columns={
            "disasters_from_boot_dates": "disasters",
            "disasters_MCMCpack_CarlinEtAl_vector": "disasters_carlin",
        }
    )


def load_sicily() -> pd.DataFrame:
    """Monthly acute coronary events in Sicily, 2002-2006, around the January 2005 smoking ban.

    Columns: year, month, aces (count), time (1..59), smokban (0/1), pop, stdpop, and
    ``period`` (a monthly Period). Use ``ist.CountSeries(frame.set_index("period")["aces"],
    offset=frame["stdpop"])`` for ITS models.

    References
    ----------
    Lopez Bernal, J., Cummins, S., Gasparrini, A. (2017). Interrupted time series regression
    for the evaluation of public health interventions: a tutorial. International Journal of
    Epidemiology 46(1), 348-355.

    Examples
    --------
    >>> import incidentstats as ist
    >>> len(ist.datasets.load_sicily())
    59
    """
    frame = pd.read_csv(data_path("sicily_smoking_ban", "sicily_acute_coronary_events.csv"))
    frame["period"] = pd.PeriodIndex.from_fields(year=frame["year"], month=frame["month"], freq="M")
    return frame


def load_iraq_2007_2008() -> tuple[EventSeries, EventSeries]:
    """Insurgent attacks and US airstrikes in Iraq, February 2007 - July 2008 (dates only).

    Returns
    -------
    (insurgencies, airstrikes) : tuple of EventSeries
        Day resolution on the common window [2007-02-23, 2008-07-06); marks ``longitude``,
        ``latitude``, ``type`` (IED / SAF / other; Airstrike / SOF).

    References
    ----------
    Papadogeorgou, G., Imai, K., Lyall, J., Li, F. (2022). Causal inference with
    spatio-temporal data: estimating the effects of airstrikes on insurgent violence in Iraq.
    JRSS B 84(5), 1969-1999. Data: R package ``geocausal`` (MIT licence).

    Examples
    --------
    >>> import incidentstats as ist
    >>> ins, air = ist.datasets.load_iraq_2007_2008()
    >>> ins.n, air.n
    (68573, 3938)
    """
    out = []
    for fname, label in (
        ("insurgencies.csv", "insurgent attacks"),
        ("airstrikes.csv", "airstrikes"),
    ):
        frame = pd.read_csv(data_path("iraq_2007_2008_geocausal", fname))
        times = pd.DatetimeIndex(pd.to_datetime(frame["date"], format="%Y-%m-%d"))
        out.append(
            EventSeries(
                times,
                start="2007-02-23",
                end="2008-07-06",
                resolution="day",
                marks=frame.drop(columns=["date"]),
                name=f"Iraq 2007-08 {label}",
            )
        )
    return out[0], out[1]
