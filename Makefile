# govhall: `make run` serves the embedded default; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

.PHONY: run test lint types bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（找不到 $(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(TESTSTAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

run: $(STAMP)
	$(BIN)/govhall migrate --no-input -v 0
	$(BIN)/govhall loaddemo
	$(BIN)/govhall serve

test: $(TESTSTAMP)
	bash scripts/test.sh

lint: $(TESTSTAMP)
	$(BIN)/ruff check govhall tests bench
	$(BIN)/ruff format --check govhall tests bench

types: $(TESTSTAMP)
	$(BIN)/mypy govhall

clean:
	rm -rf $(VENV) build *.egg-info
