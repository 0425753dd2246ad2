# Two commands on a fresh machine with only Python 3.11:
#   make run    set up .venv with what running needs, and open the interview (decider)
#   make test   set up .venv with the test tools too, and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test setup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# what running needs (make run)
$(BIN)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# plus the test tools (make test)
$(BIN)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(BIN)/.installed-run

setup: $(BIN)/.installed-test

run: $(BIN)/.installed-run
	$(BIN)/decider

test: $(BIN)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/decider lint
	$(BIN)/python -m pytest -q -n auto --dist worksteal

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info
