PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The torch extra's tests run in CI; 2.13.0 is the CPU build these machines hold.
TORCH ?= torch==2.13.0

.PHONY: test demo docs lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,plot,torch,dask]" "$(TORCH)"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

demo: $(STAMP)
	$(BIN)/python -m softdtw_learn demo

docs: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html
	@echo "docs built: docs/_build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check softdtw_learn tests

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_table.py

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/generated docs/auto_examples
