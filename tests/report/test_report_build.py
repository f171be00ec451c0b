"""Building reports: the data summary against the data card, options, determinism, errors."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError
from incidentstats.report import (
    SCHEMA_VERSION,
    SECTION_KEYS,
    Report,
    ReportWarning,
    _analyses,
    report,
)

# Core events per month, copied from data/iraq_attacks_2019_2022/README.md ("Core events per
# month"), 2019-10 ... 2021-12.
CARD_MONTHS = {
    "2019-10": 2, "2019-11": 3, "2019-12": 6, "2020-01": 8, "2020-02": 2, "2020-03": 7,
    "2020-04": 1, "2020-05": 2, "2020-06": 6, "2020-07": 6, "2020-08": 12, "2020-09": 7,
    "2020-10": 2, "2020-11": 1, "2020-12": 1, "2021-01": 0, "2021-02": 3, "2021-03": 2,
    "2021-04": 4, "2021-05": 5, "2021-06": 9, "2021-07": 7, "2021-08": 0, "2021-09": 1,
    "2021-10": 1, "2021-11": 0, "2021-12": 1,
}  # fmt: skip


def data_only(ev, **kw):
    return report(ev, sections=["data"], **kw)


def test_data_summary_matches_the_data_card(iraq_core):
    rep = data_only(iraq_core, dataset="iraq_attacks")
    res = rep["data"].results
    assert res["n"] == 99  # data card: "99 events, 2019-10-28 ... 2021-12-19"
    assert res["start"] == "2019-10-28"
    months = {r["month"]: r["events"] for r in res["events_per_month"]}
    assert {m: months[m] for m in CARD_MONTHS} == CARD_MONTHS
    assert sum(months.values()) == 99
    # partial first month: 28-31 October 2019 are 4 days
    assert res["events_per_month"][0]["exposure_days"] == 4.0
    exposure = sum(r["exposure_days"] for r in res["events_per_month"])
    assert exposure == pytest.approx(res["duration_days"])
    assert res["rate_per_day"] == pytest.approx(99 / res["duration_days"])
    assert res["resolution"] == "day"
    card = res["data_card"]
    assert card["dataset"] == "iraq_attacks"
    assert any("not a census" in c for c in card["caveats"])
    assert any("convoy" in c.lower() for c in card["caveats"])


def test_afp_thirteen_attacks(iraq_core):
    # data card, "The motivating report": exactly 13 dated attacks from 28 October 2019 to
    # 4 January 2020 (window end 5 January excluded)
    ev = iraq_core.window("2019-10-28", "2020-01-05")
    assert data_only(ev)["data"].results["n"] == 13


def test_triggers_parsed_sorted_and_labelled(iraq_core):
    trig = ist.datasets.load_iraq_triggers()
    rep = report(iraq_core, triggers=trig, sections=["data"], triggers_outside="skip")
    res = rep["data"].results
    dates = [t["date"] for t in res["triggers"]]
    assert dates == sorted(dates)
    assert "2020-01-03" in dates
    # the 2022-01-03 anniversary lies after the core window's end: left out and listed
    assert [t["date"] for t in res["triggers_skipped"]] == ["2022-01-03"]
    assert len(dates) + 1 == len(trig)
    assert any("Soleimani" in t["label"] for t in res["triggers"])
    offsets = {t["date"]: t["offset_days"] for t in res["triggers"]}
    assert offsets["2020-01-03"] == 67.0  # 28 Oct 2019 + 67 days = 3 Jan 2020


def test_trigger_outside_window_is_an_error(iraq_window):
    with pytest.raises(IncidentStatsError, match=r"`triggers`.*inside the observation window"):
        report(iraq_window, triggers=["2021-01-01"])


def test_trigger_not_a_date_is_an_error(iraq_window):
    with pytest.raises(IncidentStatsError, match="`triggers`"):
        report(iraq_window, triggers=["soon"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seed": -1}, "`seed`"),
        ({"seed": 1.5}, "`seed`"),
        ({"sections": ["data", "nope"]}, "`sections`"),
        ({"triggers_outside": "drop"}, "`triggers_outside`"),
        ({"window": "-3D"}, "`window`"),
        ({"horizon": "soon"}, "`horizon`"),
        ({"n_placebo": 0}, "`n_placebo`"),
        ({"triggers": pd.DataFrame({"when": ["2020-01-03"]})}, "`date` column"),
        ({"filter": "no_such_column == 1"}, "filter"),
    ],
)
def test_bad_arguments(iraq_window, kwargs, match):
    with pytest.raises(IncidentStatsError, match=match):
        report(iraq_window, **kwargs)


def test_events_must_be_an_event_series():
    with pytest.raises(IncidentStatsError, match="`events`.*EventSeries"):
        report(pd.Series([1, 2, 3]))


def test_filter_is_applied(iraq_core):
    rockets = report(iraq_core, sections=["data"], filter="weapon == 'rocket'")
    n = int((iraq_core.marks["weapon"] == "rocket").sum())
    assert rockets["data"].results["n"] == n < 99
    assert rockets.options["filter"] == "weapon == 'rocket'"


def test_unrequested_sections_are_marked_skipped(iraq_window):
    rep = data_only(iraq_window)
    assert [s.key for s in rep.sections] == list(SECTION_KEYS)
    assert rep.status["data"] == "ok"
    assert all(rep.status[k] == "skipped" for k in SECTION_KEYS if k != "data")


def test_json_layout(iraq_window, tmp_path):
    rep = report(iraq_window, triggers=["2020-01-03"], sections=["data", "interpretation"])
    text = rep.to_json(tmp_path / "summary.json")
    assert (tmp_path / "summary.json").read_text(encoding="utf-8") == text
    data = json.loads(text)
    assert data["schema_version"] == SCHEMA_VERSION
    assert set(data["sections"]) == set(SECTION_KEYS)
    for sec in data["sections"].values():
        assert set(sec) == {
            "title",
            "status",
            "reason",
            "warnings",
            "text",
            "figures",
            "results",
            "displayed",
        }
    shown = data["sections"]["data"]["displayed"][0]
    assert shown["facts"]["Events"] == 28
    assert shown["tables"]["Triggers"] == [{"trigger": "2020-01-03", "label": ""}]
    assert data["options"]["triggers"] == [{"date": "2020-01-03", "label": ""}]
    codes = [f["code"] for f in data["sections"]["interpretation"]["results"]["findings"]]
    assert "data_chosen_trigger" in codes and "ties" in codes


def _all_files(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_inputs_give_byte_identical_files(iraq_window, tmp_path):
    def build():
        return report(
            iraq_window, triggers=["2020-01-03"], window="67D", seed=3, dataset="iraq_attacks"
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReportWarning)
        build().write(tmp_path / "a")
        build().write(tmp_path / "b")
    a, b = _all_files(tmp_path / "a"), _all_files(tmp_path / "b")
    assert set(a) >= {"index.html", "report.md", "summary.json", "figures/data-overview.png"}
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
    # no temporary files are left behind by the atomic writes
    assert not [n for n in a if n.split("/")[-1].startswith(".")]


def test_png_has_no_software_or_time_metadata(iraq_window):
    png = data_only(iraq_window)["data"].figures[0].png()
    assert png.startswith(b"\x89PNG")
    assert b"Software" not in png and b"matplotlib" not in png
    assert b"tIME" not in png and b"Creation Time" not in png


def test_html_is_self_contained(iraq_window):
    html = report(iraq_window, triggers=["2020-01-03"]).to_html()
    assert "Content-Security-Policy" in html
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html
    for key in SECTION_KEYS:
        assert f'<section id="{key}"' in html
    assert "data:image/png;base64," in html


def test_markdown_links_its_figures(iraq_window, tmp_path):
    rep = report(iraq_window, triggers=["2020-01-03"], sections=["data"])
    text = rep.to_markdown(tmp_path / "report.md")
    assert "![" in text and "(figures/data-overview.png)" in text
    assert (tmp_path / "figures" / "data-overview.png").is_file()
    for s in rep.sections:
        assert f"## {s.title}" in text


def test_repr_html_and_summary(iraq_window):
    rep = data_only(iraq_window)
    assert isinstance(rep, Report)
    assert rep._repr_html_().startswith('<div class="ist-report">')
    assert "Data summary" in str(rep.summary())
    assert "data: ok" in repr(rep)


def test_failing_section_is_kept_with_a_warning(iraq_window, monkeypatch):
    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(_analyses, "build_its", broken)
    with pytest.warns(ReportWarning, match="'its' failed: RuntimeError: boom"):
        rep = report(iraq_window, triggers=["2020-01-03"], sections=["data", "its"])
    assert rep["its"].status == "failed"
    assert rep["its"].reason == "RuntimeError: boom"


def test_library_warnings_are_collected_into_the_section(iraq_window, monkeypatch):
    from incidentstats.exceptions import SmallSampleWarning
    from incidentstats.report._model import Section

    def noisy(ctx):
        warnings.warn("only 13 events", SmallSampleWarning, stacklevel=2)
        warnings.warn("only 13 events", SmallSampleWarning, stacklevel=2)
        return Section("its", "ITS", results={"x": 1})

    monkeypatch.setattr(_analyses, "build_its", noisy)
    rep = report(iraq_window, triggers=["2020-01-03"], sections=["its"])
    assert rep["its"].warnings == ("SmallSampleWarning: only 13 events",)


def test_model_breaks_default_and_choice(iraq_core):
    trig = ist.datasets.load_iraq_triggers()
    many = report(iraq_core, triggers=trig, sections=["data"], triggers_outside="skip")
    assert many.options["breaks"] == []  # 27 triggers in the window: more than MAX_BREAKS
    few = report(iraq_core, triggers=["2020-01-03", "2020-03-11"], sections=["data"])
    assert few.options["breaks"] == ["2020-01-03", "2020-03-11"]
    chosen = report(
        iraq_core, triggers=trig, breaks=["2020-01-03"], sections=["data"], triggers_outside="skip"
    )
    assert chosen.options["breaks"] == ["2020-01-03"]
    with pytest.raises(IncidentStatsError, match="`breaks`"):
        report(iraq_core, triggers=["2020-01-03"], breaks=["2020-02-01"])


def test_progress_bar_only_on_request(iraq_window, capsys):
    report(iraq_window, sections=["data"])
    assert capsys.readouterr().err == ""
    report(iraq_window, sections=["data"], progress=True)
    err = capsys.readouterr().err
    assert "section/s" in err and "/7 " in err


def test_broken_figure_is_dropped_with_a_warning(iraq_window, monkeypatch):
    from incidentstats.report._model import Figure, Section

    def draw_fails(ax):
        raise ValueError("no ink")

    def builder(ctx):
        return Section("its", "ITS", figures=(Figure("bad", "bad", draw_fails),), results={"x": 1})

    monkeypatch.setattr(_analyses, "build_its", builder)
    with pytest.warns(ReportWarning, match="could not draw figure 'bad': ValueError: no ink"):
        rep = report(iraq_window, triggers=["2020-01-03"], sections=["its"])
    assert rep["its"].status == "ok"
    assert rep["its"].figures == ()
    assert any("no ink" in w for w in rep["its"].warnings)
    assert "bad.png" not in rep.to_markdown()


def test_overview_figure_draws_the_cumulative_count_inside_the_window(iraq_window):
    from incidentstats.plotting.report import plot_event_overview, render_png

    seen = {}

    def draw(ax):
        plot_event_overview(iraq_window.timestamps, iraq_window.start, iraq_window.end, ax=ax)
        (twin,) = [a for a in ax.figure.axes if a is not ax]
        seen["xy"] = twin.lines[0].get_xydata()
        seen["xlim"] = ax.get_xlim()
        seen["bars"] = [p.get_height() for p in ax.patches]

    render_png(draw)
    x, y = seen["xy"][:, 0], seen["xy"][:, 1]
    lo, hi = seen["xlim"]
    assert x.min() == pytest.approx(lo) and x.max() == pytest.approx(hi)
    assert y[-1] == 28 and list(y) == sorted(y)
    # data card months 2019-10 ... 2020-03
    assert seen["bars"] == [2, 3, 6, 8, 2, 7]


def test_markdown_removes_only_its_own_stale_figures(iraq_window, tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "its.png").write_bytes(b"old")  # left by an earlier report with an ITS section
    (figures / "notes.png").write_bytes(b"mine")  # not a report figure name: kept
    report(iraq_window, sections=["data"]).to_markdown(tmp_path / "report.md")
    assert sorted(p.name for p in figures.iterdir()) == ["data-overview.png", "notes.png"]


def test_trigger_inputs_of_several_kinds(iraq_core):
    import numpy as np

    from incidentstats.report._report import _parse_triggers

    a = _parse_triggers(np.array(["2020-10-10", "2020-01-03"], dtype="datetime64[D]"))
    b = _parse_triggers(pd.Series(["2020-01-03", "2020-10-10"]))
    c = _parse_triggers(
        pd.DataFrame({"date": ["2020-01-03", "2020-10-10"], "event": [None, "truce"]})
    )
    assert [t.date for t in a] == [t.date for t in b] == [t.date for t in c]
    assert [t.label for t in c] == ["", "truce"]  # a missing label is blank, not "nan"
    assert _parse_triggers("2020-01-03")[0].date == pd.Timestamp("2020-01-03")
    assert _parse_triggers(None) == []
