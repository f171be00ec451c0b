"""Deterministic figures for reports.

Reports must be byte-identical for the same data, options and seed, so every figure is drawn
on a private :class:`matplotlib.figure.Figure` (no pyplot state), under one fixed style (the
matplotlib defaults plus the bundled DejaVu Sans font, a fixed DPI and size) and saved as PNG
with the ``Software`` metadata removed. Nothing here reads the clock or the user's
``matplotlibrc``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["REPORT_DPI", "REPORT_STYLE", "plot_event_overview", "render_png"]

#: Resolution of every report figure (dots per inch).
REPORT_DPI = 100

#: rcParams applied on top of matplotlib's defaults while a report figure is drawn and saved.
REPORT_STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "legend.fontsize": 8.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "figure.dpi": REPORT_DPI,
    "savefig.dpi": REPORT_DPI,
    "savefig.bbox": "standard",
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "svg.hashsalt": "incidentstats",
    "svg.fonttype": "path",
    "path.simplify": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "date.autoformatter.day": "%Y-%m-%d",
    "date.autoformatter.month": "%Y-%m",
}

#: PNG metadata written into every figure: no software version, no creation time.
PNG_METADATA: dict[str, Any] = {"Software": None}


def render_png(
    draw: Callable[[Any], Any],
    *,
    figsize: tuple[float, float] = (8.0, 3.6),
    dpi: int = REPORT_DPI,
) -> bytes:
    """Draw a figure with ``draw(ax)`` and return its PNG bytes, deterministically.

    Parameters
    ----------
    draw : callable
        Called with a fresh Axes; it draws on it (for example a result's ``plot(ax=ax)``).
    figsize : (float, float)
        Figure size in inches.
    dpi : int
        Resolution; the default :data:`REPORT_DPI` keeps file sizes small.

    Returns
    -------
    bytes
        The PNG file. The same drawing gives the same bytes on every run: the style is fixed,
        matplotlib's ``Software`` text chunk is dropped and no timestamp is written.

    Examples
    --------
    >>> from incidentstats.plotting.report import render_png
    >>> png = render_png(lambda ax: ax.plot([0, 1], [0, 1]))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    style: Any = _defaults_with_style()
    with mpl.rc_context(rc=style):
        fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
    return buf.getvalue()


def _defaults_with_style() -> dict[str, Any]:
    import matplotlib as mpl

    rc: dict[str, Any] = {
        str(k): v for k, v in mpl.rcParamsDefault.items() if k not in _UNSAFE_DEFAULT_KEYS
    }
    rc.update(dict(REPORT_STYLE))
    return rc


# rcParams that must not be reset inside a context (backend switching, interactive state).
_UNSAFE_DEFAULT_KEYS = frozenset({"backend", "backend_fallback", "interactive", "webagg.port"})


def plot_event_overview(
    timestamps: pd.DatetimeIndex,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    triggers: Sequence[pd.Timestamp] = (),
    ax: Any = None,
) -> Any:
    """Events per month (bars, left axis) and cumulative events (line, right axis).

    Parameters
    ----------
    timestamps : DatetimeIndex
        Event times.
    start, end : Timestamp
        Observation window ``[start, end)``.
    triggers : sequence of Timestamp
        Dates drawn as dashed vertical lines.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.ticker import MaxNLocator

    from . import get_ax

    ax = get_ax(ax)
    ts = pd.DatetimeIndex(timestamps).sort_values()
    months = pd.period_range(start.to_period("M"), (end - pd.Timedelta(1, "ns")).to_period("M"))
    per_month = ts.to_period("M").value_counts().reindex(months, fill_value=0)
    left = months.to_timestamp(how="start")
    widths = (months.to_timestamp(how="end") - left) * 0.9
    ax.bar(
        left,
        per_month.to_numpy(),
        width=widths,
        align="edge",
        color="#9ecae1",
        edgecolor="#3182bd",
        linewidth=0.5,
        label="events per month",
    )
    ax.set_ylabel("events per month")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(start, end)
    twin = ax.twinx()
    steps_x = pd.DatetimeIndex([start, *ts, end])
    steps_y = np.concatenate([[0], np.arange(1, len(ts) + 1), [len(ts)]])
    twin.step(
        steps_x, steps_y, where="post", color="#08306b", linewidth=1.2, label="cumulative events"
    )
    twin.set_ylabel("cumulative events")
    twin.spines["right"].set_visible(True)
    twin.grid(False)
    twin.set_ylim(bottom=0)
    for i, trig in enumerate(triggers):
        ax.axvline(
            trig,
            color="#d62728",
            linestyle="--",
            linewidth=1.0,
            label="trigger" if i == 0 else None,
        )
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax.legend(handles + h2, labels + l2, loc="upper left", frameon=False)
    return ax
