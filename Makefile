PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_STAMP := $(VENV)/.installed-demo
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs
# The torch extra's tests run in CI; 2.13.0 is the CPU build these machines hold.
TORCH ?= torch==2.13.0

.PHONY: test demo docs lint bench coverage warmup clean

# The demo needs the package and matplotlib only; the tests add their tools,
# torch and dask.
$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[plot]"
	touch $(DEMO_STAMP)

$(STAMP): $(DEMO_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,plot,torch,dask]" "$(TORCH)"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

demo: $(DEMO_STAMP)
	$(BIN)/python -m softdtw_learn demo

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $(DOCS_STAMP)

# Warnings are errors. The gallery runs the plot_* examples on bundled data
# only, so a clean clone (no ../shared) builds it.
docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html
	@echo "docs built: docs/_build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check softdtw_learn tests

# The kernel, metric and barycenter tests with the JIT off: the kernels run as
# Python, so their lines are covered (and can be stepped through).
# Five barycenter studies (ECG200 twice; 50 random walks; GunPoint in two
# units and to convergence) are left out: as Python they take minutes to
# hours and reach no kernel line the others miss.
COVERAGE_TESTS := tests/test_kernels.py tests/test_metrics.py tests/test_barycenter.py tests/test_differential.py
COVERAGE_SLOW := --deselect tests/test_barycenter.py::test_ecg200_barycenter_has_lower_dtw_loss_than_the_mean \
	--deselect tests/test_barycenter.py::test_barycenter_beats_euclidean_mean_in_dtw_loss \
	--deselect tests/test_barycenter.py::test_continuation_finds_a_lower_objective_from_a_random_start \
	--deselect tests/test_barycenter.py::test_barycenter_does_not_depend_on_the_units_of_the_data \
	--deselect tests/test_barycenter.py::test_a_small_objective_is_not_stopped_by_an_absolute_test
coverage: $(STAMP)
	NUMBA_DISABLE_JIT=1 $(BIN)/python -m pytest -q -p no:cacheprovider \
		--cov=softdtw_learn --cov-report=term-missing:skip-covered \
		$(COVERAGE_TESTS) $(COVERAGE_SLOW)

warmup: $(DEMO_STAMP)
	$(BIN)/softdtw-learn warmup

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_table.py

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/generated docs/auto_examples
