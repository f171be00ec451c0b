"""``python -m incidentstats``: the same program as the ``incidentstats`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":  # pragma: no branch
    main(prog_name="incidentstats")
