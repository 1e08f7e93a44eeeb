# Every target depends on `install`, which is a no-op while pyproject.toml is unchanged.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SIM_PORT ?= 8069
SIM_SCALE ?= 1
SIM_SEED ?= 42

MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/tests -type f) dbt_project/dbt_project.yml dbt_project/profiles.yml

# Every port can be changed on the command line, e.g. `make dev SIM_PORT=8169 UI_PORT=3100`.
DOCS_PORT ?= 8080
WEBHOOK_PORT ?= 8070
UI_PORT ?= 3000

.PHONY: install lint test test-fast demo dev bench docs clean

install: $(STAMP) $(MANIFEST)

# WeasyPrint (the reports' PDF) needs Pango from the system: installed here when missing and possible.
$(STAMP): pyproject.toml
	@ldconfig -p 2>/dev/null | grep -q libpango-1.0 || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; } \
		|| echo "note: the reports' PDF needs Pango (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The dbt manifest the code location loads: prepared here, never parsed at import. dbt runs through
# `python -m reporting_assets.dbt`, which feeds dbt_project/profiles.yml from the settings.
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	$(BIN)/python -m reporting_assets.dbt parse --quiet

# Python (ruff: lint and format) and the dbt models' SQL (sqlfluff, config in dbt_project/.sqlfluff).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project

test: install
	$(BIN)/pytest -q --durations=15 -n 2 --dist loadfile

# The quick loop: the tests that start nothing (unit tests of the pure modules, definitions, dbt layout).
test-fast: install
	$(BIN)/pytest -q -m "not slow"

demo: install
	$(BIN)/python -m reporting_assets.demo --port $(SIM_PORT) --scale $(SIM_SCALE) --seed $(SIM_SEED) \
		--ui-port $(UI_PORT) --docs-port $(DOCS_PORT)

# The demo Odoo plus `dagster dev` (UI on localhost:$(UI_PORT)) with sensors and schedules running, and the
# webhook receiver the demo Odoo posts to. Ctrl-C stops everything.
dev: install
	$(BIN)/python -m reporting_assets.demo --dev --port $(SIM_PORT) --scale $(SIM_SCALE) --seed $(SIM_SEED) \
		--webhook-port $(WEBHOOK_PORT) --ui-port $(UI_PORT) --docs-port $(DOCS_PORT)

bench: install
	$(BIN)/python benchmarks/server_paging.py --scale 1
	$(BIN)/python benchmarks/server_paging.py --scale 10
	$(BIN)/python benchmarks/ingestion.py
	$(BIN)/python benchmarks/kpis.py
	$(BIN)/python benchmarks/latency.py

# dbt docs of the KPI layer (definitions of every KPI and column, lineage, the metrics), on localhost.
# Run `make demo` first for the catalog (column types) of the demo warehouse.
docs: install
	$(BIN)/python -m reporting_assets.dbt_docs --port $(DOCS_PORT)

clean:
	rm -rf $(VENV) .reporting .pytest_cache
