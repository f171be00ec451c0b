"""Comparing summaries (the engine of `incidentstats report --compare`) and file writing."""

from __future__ import annotations

import copy
import json
import os

import pytest

from incidentstats.exceptions import IncidentStatsError
from incidentstats.report import compare_summaries, flatten, load_summary
from incidentstats.report._writers import prepare_out_dir, write_text

OLD = {
    "schema_version": "1.0",
    "generator": {"name": "incidentstats", "version": "0.1.0"},
    "title": "t",
    "sections": {
        "rate_change": {
            "status": "ok",
            "warnings": ["SmallSampleWarning: only 13 events"],
            "results": {"triggers": [{"date": "2020-01-03", "ratio": 2.0, "pvalue": 0.05325}]},
        },
        "interpretation": {"results": {"findings": [{"code": "small_counts", "text": "a"}]}},
    },
}


def test_flatten_paths():
    flat = flatten(OLD)
    assert flat["sections.rate_change.results.triggers[0].ratio"] == 2.0
    assert flatten({"a": [], "b": {}}) == {"a": [], "b": {}}


def test_identical_summaries_pass():
    assert compare_summaries(OLD, copy.deepcopy(OLD)) == []


def test_drift_within_tolerance_passes_and_beyond_fails():
    new = copy.deepcopy(OLD)
    new["sections"]["rate_change"]["results"]["triggers"][0]["ratio"] = 2.0 * (1 + 1e-9)
    assert compare_summaries(OLD, new) == []
    new["sections"]["rate_change"]["results"]["triggers"][0]["ratio"] = 2.1
    diffs = compare_summaries(OLD, new, rtol=1e-3)
    assert [(d.key, d.old, d.new, d.kind) for d in diffs] == [
        ("sections.rate_change.results.triggers[0].ratio", 2.0, 2.1, "changed")
    ]
    # a loose tolerance accepts it: |2.1 - 2.0| <= 0.06 * 2.0
    assert compare_summaries(OLD, new, rtol=0.06) == []
    assert compare_summaries(OLD, new, atol=0.11) == []


def test_int_and_float_compare_as_numbers_but_strings_must_match():
    a = {"schema_version": "1.0", "x": 1, "s": "2020-01-03", "b": True}
    assert compare_summaries(a, {**a, "x": 1.0}) == []
    assert [d.kind for d in compare_summaries(a, {**a, "s": "2020-01-04"})] == ["changed"]
    assert [d.key for d in compare_summaries(a, {**a, "b": 1})] == ["b"]


def test_missing_and_added_keys():
    new = copy.deepcopy(OLD)
    del new["sections"]["rate_change"]["results"]["triggers"][0]["pvalue"]
    new["sections"]["rate_change"]["results"]["triggers"][0]["statistic"] = 1.9
    diffs = {d.key: d.kind for d in compare_summaries(OLD, new)}
    assert diffs == {
        "sections.rate_change.results.triggers[0].pvalue": "missing",
        "sections.rate_change.results.triggers[0].statistic": "added",
    }
    assert "(absent)" in str(compare_summaries(OLD, new)[0])


def test_schema_version_change_is_reported_first():
    new = copy.deepcopy(OLD)
    new["schema_version"] = "2.0"
    diffs = compare_summaries(OLD, new)
    assert diffs[0].kind == "schema" and (diffs[0].old, diffs[0].new) == ("1.0", "2.0")


def test_prose_warnings_and_generator_are_ignored():
    new = copy.deepcopy(OLD)
    new["generator"]["version"] = "9.9"
    new["sections"]["rate_change"]["warnings"] = ["reworded"]
    new["sections"]["interpretation"]["results"]["findings"][0]["text"] = "b"
    assert compare_summaries(OLD, new) == []
    new["sections"]["interpretation"]["results"]["findings"][0]["code"] = "other"
    assert len(compare_summaries(OLD, new)) == 1


def test_bad_tolerance():
    with pytest.raises(IncidentStatsError, match="`rtol`"):
        compare_summaries(OLD, OLD, rtol=-1)


def test_load_summary(tmp_path):
    good = tmp_path / "s.json"
    good.write_text(json.dumps(OLD))
    assert load_summary(good) == OLD
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(IncidentStatsError, match="must be valid JSON"):
        load_summary(bad)
    other = tmp_path / "other.json"
    other.write_text("[1, 2]")
    with pytest.raises(IncidentStatsError, match="schema_version"):
        load_summary(other)
    with pytest.raises(IncidentStatsError, match="must be an existing"):
        load_summary(tmp_path / "missing.json")


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "sub" / "x.txt"
    write_text(target, "one\n")
    write_text(target, "two\n")
    assert target.read_text() == "two\n"
    assert sorted(os.listdir(target.parent)) == ["x.txt"]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_out_dir_that_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(IncidentStatsError, match="`out` folder.*must be a folder"):
        prepare_out_dir(f)
    with pytest.raises(IncidentStatsError, match="parent folder is a file"):
        prepare_out_dir(f / "below")
    assert prepare_out_dir(tmp_path / "new", create=False) == tmp_path / "new"
    assert not (tmp_path / "new").exists()
    assert prepare_out_dir(tmp_path / "new").is_dir()
