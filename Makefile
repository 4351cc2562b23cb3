# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench goldens screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/aggregator demo

# One pytest worker per core (pytest-xdist), handed one test at a time, the slow ones first
# (tests/conftest.py): no core ends up with all the slow ones.
test: $(STAMP)
	$(BIN)/pytest -q -n auto --maxschedchunk 1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m bench

goldens: $(STAMP)
	$(BIN)/python -m tests.regenerate_goldens

# The docs' screenshots (docs/screenshots/), from the browser tests; `make test` writes them
# to a temporary folder only.
screenshots: $(STAMP)
	$(BIN)/pytest -q -m browser --update-screenshots tests

clean:
	rm -rf $(VENV) aggregator.db bulletin.html bulletin.md
