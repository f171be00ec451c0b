#!/usr/bin/env bash
# Create benchmarks/.env: a virtual environment with incidentstats (editable) and the peer
# libraries of requirements-peers.txt, for `python benchmarks/run.py`. Needs PyPI only.
# Usage: bash benchmarks/setup_env.sh [PYTHON]   (default: python3)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${1:-python3}"
ENV="$HERE/.env"

if [ ! -x "$ENV/bin/python" ]; then
  "$PY" -m venv "$ENV"
fi
PIP=("$ENV/bin/python" -m pip install --disable-pip-version-check --quiet)
"${PIP[@]}" --upgrade pip
# the project's runtime dependencies (read from pyproject.toml); run.py puts the working tree
# on PYTHONPATH, so the benchmarks always measure the checked-out code, not an installed copy
mapfile -t DEPS < <("$ENV/bin/python" -c "import tomllib, sys; [print(d) for d in tomllib.load(open(sys.argv[1], 'rb'))['project']['dependencies']]" "$ROOT/pyproject.toml")
"${PIP[@]}" "${DEPS[@]}" pyarrow
# peers that install from wheels or plain sdists
"${PIP[@]}" -r "$HERE/requirements-peers.txt"
# hawkeslib: sdist that needs build tools present and no build isolation (PEERS.md)
"${PIP[@]}" cython wheel setuptools numpy
if ! "${PIP[@]}" --no-build-isolation hawkeslib==0.2.2; then
  echo "setup_env.sh: hawkeslib did not build; its benchmarks will be recorded as not installed" >&2
fi
# Omi's `hawkes` compiles Cython at its first import (~7 s): do it now, not inside a timing
"$ENV/bin/python" -c "import Hawkes" >/dev/null 2>&1 || true
(cd "$ROOT" && "$ENV/bin/python" - <<'PY'
import importlib, importlib.metadata as md
import sys; sys.path.insert(0, ".")
for mod, dist in [("tick.hawkes", "tick"),
                  ("hawkeslib", "hawkeslib"), ("hawkesbook", "hawkesbook"), ("Hawkes", "hawkes"),
                  ("astropy.stats", "astropy"), ("ruptures", "ruptures"), ("numpy", "numpy"),
                  ("numba", "numba")]:
    try:
        importlib.import_module(mod)
        print(f"  ok   {dist} {md.version(dist)}")
    except Exception as exc:  # report, do not fail: run.py records missing peers
        print(f"  MISSING {dist}: {type(exc).__name__}: {exc}")
PY
)
echo "benchmarks/.env ready: $ENV/bin/python benchmarks/run.py"
