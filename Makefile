# Set-up, build and test from a fresh clone: `make site` renders the book, `make test` runs the tests.
# Both create the virtual environment .venv from requirements.txt first when it is missing or stale.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?=
EXERCISE ?=
SUBMISSION ?= .
SUBMISSIONS ?=
CLUSTER ?=
OUT ?=
TARGET ?= exercises

.PHONY: help env tools site site-instructor screenshots preview test check grade batch release bench clean

help:
	@echo "make site              render the book into _book/ (needs Quarto on PATH)"
	@echo "make site-instructor   render the instructor edition (worked solutions) into _book-instructor/"
	@echo "make test              run the whole test suite"
	@echo "make tools             install axe-core (npm) for the accessibility tests into .tools/"
	@echo "make screenshots       full-page PNGs of every page of _book/ at 1280 and 390 px -> build/screenshots/"
	@echo "make check [EXERCISE=ex03_aspirin] [TARGET=exercises]   run the exercise checks"
	@echo "make grade SUBMISSION=path            grade one submission with the instructor's checks"
	@echo "make batch SUBMISSIONS=path [OUT=dir] [CLUSTER=local:4|tcp://host:8786]   grade a class into a CSV gradebook"
	@echo "make release OUT=path                 build the repository students receive"
	@echo "make bench [BENCH_ARGS=--no-peer]     time grading, chapters and sampling (PyMC as peer) -> bench/results/"

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

site: $(STAMP)
	@command -v quarto >/dev/null 2>&1 || { \
	  echo "Quarto is not installed, so the site cannot be rendered."; \
	  echo "Install it from https://quarto.org/docs/get-started/ (the official installer),"; \
	  echo "or into this environment with: $(BIN)/pip install quarto-cli"; \
	  echo "then run 'make site' again. Nothing was rendered."; \
	  exit 1; }
	QUARTO_PYTHON=$(BIN)/python quarto render $(if $(PROFILE),--profile $(PROFILE),)

site-instructor:
	@$(MAKE) --no-print-directory site PROFILE=instructor

AXE_CORE := .tools/node_modules/axe-core/axe.min.js
AXE_CORE_VERSION := 4.13.0
tools: $(AXE_CORE)

$(AXE_CORE):
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to install axe-core (apt-get install -y npm)"; exit 1; }
	npm install --silent --no-save --no-package-lock --prefix .tools axe-core@$(AXE_CORE_VERSION)

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py _book --out build/screenshots

preview: $(STAMP)
	QUARTO_PYTHON=$(BIN)/python quarto preview

test: $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/python -m pytest tests/exercises$(if $(EXERCISE),/test_$(EXERCISE).py,) --target $(TARGET)

grade: $(STAMP)
	$(BIN)/python -m autograder grade $(SUBMISSION)

batch: $(STAMP)
	$(BIN)/python -m autograder batch $(SUBMISSIONS) --out $(or $(OUT),build/batch) $(if $(CLUSTER),--cluster $(CLUSTER),)

release: $(STAMP)
	$(BIN)/python -m autograder release $(OUT)

BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf _book _book-instructor _freeze .quarto .jax_cache .pytest_cache .tools build
