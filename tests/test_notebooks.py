"""How the notebooks in ``notebooks/`` are committed.

The notebooks themselves are executed by ``make notebooks`` (part of ``make test``) with nbmake:
``pytest --nbmake notebooks``. Each ends with assertions on its key numbers, so executing it is
the test; all five together must finish within 10 minutes on the 2-core CI machine. These
checks are the cheap part: present under the agreed names, committed without outputs, starting
with their seed and data source, ending with assertions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
EXPECTED = [
    "01_iraq_rocket_attacks_2020",
    "02_coal_mining_changepoint",
    "03_sicily_smoking_ban_its",
    "04_hawkes_simulation_study",
    "05_airstrikes_and_insurgency_iraq_2007",
]


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem[:2] for p in paths]


def test_notebooks_present() -> None:
    """The notebooks of issue 8 exist under their agreed names (others may be added)."""
    present = {p.stem for p in NOTEBOOKS}
    assert present, "no notebooks found"
    missing = sorted(set(EXPECTED) - present)
    assert not missing, f"notebooks missing: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_committed_clean(path: Path) -> None:
    """Committed without outputs; starts with its seed and data source; ends with assertions."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert cell.get("outputs", []) == [], f"{path.name}: a cell has stored outputs"
        assert cell.get("execution_count") is None, f"{path.name}: a cell has an execution count"
    first_md = next(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "seed" in first_md.lower() and "data" in first_md.lower(), path.name
    assert "SEED =" in code[0].source, f"{path.name}: the first code cell must set SEED"
    assert "assert " in code[-1].source, f"{path.name}: the last code cell must assert key numbers"
