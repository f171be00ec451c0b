# incidentstats — two commands do all the set-up on a fresh machine (Python 3.11+ and make):
#   make report   build the Iraq rate-change report from the bundled data
#   make test     lint, types, tests, notebooks
# Both create .venv in this folder when it is missing and are quick when nothing changed.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
BASE_STAMP := $(VENV)/.installed-base
DEV_STAMP  := $(VENV)/.installed-dev
PYTEST_WORKERS ?= 2
# two pytest workers on two cores: one BLAS thread each (spinning BLAS threads oversubscribe
# the cores and slowed scipy's optimisers ~25x on a loaded machine)
TEST_ENV := MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: report test lint typecheck unit notebooks docs bench clean venv dev

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "incidentstats needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(BASE_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[dev]"
	@touch $(BASE_STAMP) $@

venv: $(BASE_STAMP)
dev: $(DEV_STAMP)

report: $(BASE_STAMP)
	$(VENV)/bin/incidentstats report --dataset iraq_attacks --trigger 2020-01-03 \
	  --start 2019-10-28 --end 2020-03-31 --out reports/iraq-2020
	$(VENV)/bin/incidentstats report --dataset iraq_attacks --trigger 2020-01-03 \
	  --triggers-file data/iraq_attacks_2019_2022/triggers.csv --out reports/iraq-2019-2021
	@echo "Reports written: reports/iraq-2020/index.html (Oct 2019 - Mar 2020, trigger 2020-01-03)"
	@echo "                 reports/iraq-2019-2021/index.html (whole core series, all bundled triggers)"

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check incidentstats tests benchmarks
	$(VENV)/bin/ruff format --check incidentstats tests benchmarks

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy

unit: $(DEV_STAMP)
	$(TEST_ENV) $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -q

notebooks: $(DEV_STAMP)
	@if ls notebooks/*.ipynb >/dev/null 2>&1; then \
	  $(TEST_ENV) $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -q --nbmake --nbmake-timeout=600 notebooks; \
	else echo "no notebooks yet"; fi

test: lint typecheck unit notebooks

docs: $(DEV_STAMP)
	INCIDENTSTATS_DOCS_EXECUTE=1 $(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: $(DEV_STAMP)
	@test -x benchmarks/.env/bin/python || bash benchmarks/setup_env.sh $(PYTHON)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) docs/_build .pytest_cache .mypy_cache .ruff_cache reports
