"""Fixtures for the report tests: small, fast reports on the bundled Iraq series."""

from __future__ import annotations

import pytest

import incidentstats as ist


@pytest.fixture(scope="module")
def iraq_core():
    # the core fixed-site series of the data card (99 events, 2019-10-28 ... 2021-12-19)
    return ist.datasets.load_iraq_attacks("core")


@pytest.fixture(scope="module")
def iraq_window(iraq_core):
    # the window of the motivating question: end of October 2019 to the end of March 2020
    return iraq_core.window("2019-10-28", "2020-03-31")
