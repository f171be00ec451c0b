"""The documentation builds with warnings as errors (what ``make docs`` runs).

A fresh Sphinx build of ``docs/`` into a temporary folder: it imports every public object
(autosummary + numpydoc), renders the notebooks without executing them, and includes the data
cards, the report schema and the benchmark table. A broken docstring, a dangling reference or a
missing page fails here, in CI, not later.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("numpydoc")


@pytest.mark.skipif(
    os.environ.get("INCIDENTSTATS_SKIP_DOCS") == "1", reason="INCIDENTSTATS_SKIP_DOCS=1"
)
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-E",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(ROOT / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stderr[-6000:]}"
    for page in [
        "index.html",
        "api/index.html",
        "comparison.html",
        "examples.html",
        "notebooks/02_coal_mining_changepoint.html",
        "data/coal_mining.html",
    ]:
        assert (out / page).is_file(), f"{page} was not built"
    # maths renders offline: MathJax is served from _static, never from a CDN
    page = (out / "background" / "changepoints.html").read_text(encoding="utf-8")
    assert "_static/mathjax/tex-chtml.js" in page
    assert "cdn.jsdelivr.net" not in page
    assert (out / "_static" / "mathjax" / "tex-chtml.js").is_file()
    api = (out / "api" / "index.html").read_text(encoding="utf-8")
    for name in ["EventSeries", "rate_change", "HawkesProcess", "changepoints"]:
        assert name in api, f"{name} missing from the API reference"
