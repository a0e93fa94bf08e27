# Two commands do all the set-up on a fresh machine with Python 3.11, pip and make:
#   make demo   - the product end to end, no Slack workspace needed
#   make test   - the test suite (SQLite; set TEST_DATABASE_URL for PostgreSQL)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test bench lint typecheck clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/supportbot demo

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# Every benchmark, one after the other; each prints its figures and targets (see bench/README.md).
bench: $(STAMP)
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/run.py
	$(BIN)/python bench/calendar_bench.py
	$(BIN)/python bench/sla_due_bench.py
	$(BIN)/python bench/sweep_bench.py
	$(BIN)/python bench/digest_bench.py
	$(BIN)/python bench/rota_bench.py
	$(BIN)/python bench/teams_bench.py

lint: $(STAMP)
	$(BIN)/ruff check bot core handlers services rota triage storage tests bench
	$(BIN)/ruff format --check bot core handlers services rota triage storage tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
