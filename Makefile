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

# Three pytest workers (pytest-xdist) on this 2-core machine: a worker waiting on a server, a
# subprocess or a browser leaves its core to another (with two, a fifth of the CPU sat idle and
# the tests took 5:20 against three's 4:55); each worker also brings its own start-up,
# collection, fork server, templates and browsers, and four took longer than three (clean
# clones of 2026-12-06's code: 6:55 and 6:35 of tests; of today's: 4:59 and 5:05). Tests are
# handed out a few at a time in collected order, the slow and browser ones first
# (tests/conftest.py), so no worker ends up with all the slow ones; `loadgroup` sends a browser
# module's tests to one worker, which launches its Chromium once.
#
# The project's bytecode is compiled first: when PYTHONDONTWRITEBYTECODE is set (this machine
# sets it) no process writes it, and each of the suite's hundreds of CLI and crawl processes
# compiled the modules it imports from source again (a tenth of a second each).
test: $(STAMP)
	$(BIN)/python -m compileall -q -j 0 aggregator spiders pipelines bench tests
	$(BIN)/pytest -q -n 3 --dist loadgroup --no-loadscope-reorder

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m bench

goldens: $(STAMP)
	$(BIN)/python -m tests.regenerate_goldens

# The docs' screenshots (docs/screenshots/), from the browser tests; `make test` takes none.
screenshots: $(STAMP)
	$(BIN)/pytest -q -m browser --update-screenshots tests

clean:
	rm -rf $(VENV) aggregator.db bulletin.html bulletin.md
