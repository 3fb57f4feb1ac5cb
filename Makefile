PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The torch extra's tests run in CI; 2.13.0 is the CPU build these machines hold.
TORCH ?= torch==2.13.0

.PHONY: test demo lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,plot,torch]" "$(TORCH)"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

demo: $(STAMP)
	$(BIN)/python -m softdtw_learn demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check softdtw_learn tests

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_kernels.py

clean:
	rm -rf $(VENV) build *.egg-info
