"""Bundled datasets: loaders reproduce the facts stated in each data card."""

from __future__ import annotations

import pandas as pd
import pytest

import incidentstats as ist
from incidentstats.exceptions import IncidentStatsError


def test_iraq_core_series_matches_card():
    # data card: core series = 99 events, 2019-10-28 ... 2021-12-19
    ev = ist.datasets.load_iraq_attacks()
    assert ev.n == 99 and ev.resolution == "day"
    assert ev.timestamps[0] == pd.Timestamp("2019-10-28")
    assert ev.timestamps[-1] == pd.Timestamp("2021-12-19")
    assert not ev.marks["target_type"].eq("convoy").any()
    # AFP, 4 Jan 2020: thirteen attacks since the end of October; the card holds exactly 13
    assert ev.window("2019-10-28", "2020-01-05").n == 13


def test_iraq_all_and_convoy():
    allrows = ist.datasets.load_iraq_attacks("all")
    assert allrows.n == 153  # card: 153 attack events
    assert int(allrows.marks["tag_pre_window"].sum()) == 2  # card: PRE_WINDOW 2 rows
    assert int(allrows.marks["tag_not_militia"].sum()) == 2
    assert int(allrows.marks["tag_date_uncertain"].sum()) == 14
    convoy = ist.datasets.load_iraq_attacks("convoy")
    assert convoy.marks["target_type"].eq("convoy").all()
    with pytest.raises(IncidentStatsError, match="Did you mean 'core'"):
        ist.datasets.load_iraq_attacks("cores")


def test_triggers():
    trig = ist.datasets.load_iraq_triggers()
    assert len(trig) == 28  # card: 28 dated candidate trigger events
    assert pd.Timestamp("2020-01-03") in set(trig["date"])


def test_coal_mining():
    ev = ist.datasets.load_coal_mining()
    # card: 191 explosions from 15 March 1851 to 22 March 1962
    assert ev.n == 191
    assert ev.timestamps[0] == pd.Timestamp("1851-03-15")
    assert ev.timestamps[-1] == pd.Timestamp("1962-03-22")
    annual = ist.datasets.load_coal_mining_annual()
    assert len(annual) == 112 and annual["disasters"].sum() == 191
    # the annual counts in the file agree with the dates, year by year
    by_year = ev.counts("YS").values
    assert by_year.tolist() == annual["disasters"].tolist()
    # card: 127 events in 1851-1891 (41 years) and 64 after
    assert annual.loc[annual["year"] <= 1891, "disasters"].sum() == 127


def test_sicily():
    frame = ist.datasets.load_sicily()
    assert len(frame) == 59 and frame["smokban"].sum() == 23
    assert str(frame["period"].iloc[36]) == "2005-01"  # card: ban from January 2005 (month 37)


def test_iraq_2007_2008():
    ins, air = ist.datasets.load_iraq_2007_2008()
    assert (ins.n, air.n) == (68573, 3938)  # card row counts
    assert ins.start == air.start and ins.end == air.end
    assert set(ins.marks["type"]) == {"IED", "SAF", "other"}


def test_list_and_cards():
    table = ist.datasets.list_datasets()
    assert {"iraq_attacks", "coal_mining", "sicily", "iraq_2007_2008"} <= set(table.index)
    assert "Known gaps" in ist.datasets.data_card("iraq_attacks")
    with pytest.raises(IncidentStatsError, match="dataset name"):
        ist.datasets.data_card("nope")
