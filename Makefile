# One entry point for a fresh machine: `make demo` (set up + run on the seeds), `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup system demo test lint bench-quick clean

$(BIN)/provenance: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/provenance

# Graphviz (graph layout for the report) and Chromium (browser test); needs root or sudo, skipped otherwise.
system:
	bash scripts/install-system-packages.sh

demo: setup
	$(BIN)/provenance cluster seeds/
	$(BIN)/provenance lineage seeds/
	$(BIN)/provenance report seeds/ -o seeds-report.html
	@echo
	@echo "provenance is installed in $(VENV), not on your PATH: run $(BIN)/provenance,"
	@echo "or 'source $(BIN)/activate' first to run it as 'provenance'."

lint: setup
	$(BIN)/ruff check provenance tests benchmarks
	$(BIN)/mypy

test: setup system lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) build *.egg-info
