"""The wheel carries the bundled data and works outside the repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # no build isolation: hatchling comes from the dev environment, so no network is used
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("incidentstats-*.whl")
    return path


def test_wheel_contains_data_and_cards(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in (
        "iraq_attacks_2019_2022",
        "coal_mining",
        "sicily_smoking_ban",
        "iraq_2007_2008_geocausal",
    ):
        assert f"incidentstats/datasets/data/{folder}/README.md" in names
    assert "incidentstats/datasets/data/iraq_attacks_2019_2022/attacks.csv" in names


def test_installed_wheel_loads_data_from_another_folder(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r}); import incidentstats as ist; "
        f"assert ist.__file__.startswith({str(site)!r}), ist.__file__; "
        "print(ist.datasets.load_iraq_attacks().n)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, check=True, capture_output=True, text=True
    )
    assert done.stdout.strip() == "99"
