# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-later browser lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/copbot run $(ARGS)

test: $(VENV)/.installed-test browser
	$(BIN)/python -m pytest

# The "what's on" page is checked in a real headless browser: Debian's Chromium, installed
# the first time it is missing (as root, or through sudo).
browser:
	@[ -x /usr/bin/chromium ] || { \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
		$$sudo apt-get update -q && $$sudo apt-get install -y -q chromium; }

# The whole suite again with the wall clock 540 days ahead: no test may depend on today's date.
test-later: $(VENV)/.installed-test browser
	COPBOT_TEST_SHIFT_DAYS=540 $(BIN)/python -m pytest -p no:cacheprovider

lint: $(VENV)/.installed-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python bench/commands.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
