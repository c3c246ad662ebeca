# One toolchain, declared once: people, pre-commit and CI all call these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WK := $(BIN)/watchkeeper
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: install lint format typecheck schemas engine images test test-unit demo check clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy

schemas: install
	$(WK) contract export-schemas contracts/schemas

# Make sure a Docker engine answers (installs and starts one on Debian as root).
engine: install
	$(WK) engine ensure

images: engine
	$(WK) images build

test: images
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: install
	$(BIN)/pytest tests/unit containers $(PYTEST_ARGS)

demo: images
	$(WK) demo $(DEMO_ARGS)

check: lint typecheck test

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
