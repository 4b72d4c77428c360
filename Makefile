# The two commands of README.md: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo demo-ddp test lint bench methods clean

$(BIN)/python:
	@echo "==> Creating the virtual environment $(VENV) (bricks installs nothing outside it)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	@echo "==> Installing bricks with its test tools into $(VENV): pytest, hypothesis, scipy,"
	@echo "    ruff, mypy, and PyTorch 2.13.0 (CPU build, ~750 MB) as the reference every result"
	@echo "    is compared with. This takes a few minutes, once; later runs reuse it."
	$(BIN)/python -m pip install --quiet -e ".[test,examples]"
	# the textbook's library (tests/book read its torch.py); none of its dependencies
	$(BIN)/python -m pip install --quiet --no-deps d2l==1.0.3
	touch $@

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	@echo "==> Installing bricks into $(VENV) with the demo's extras: matplotlib (plots), tqdm"
	@echo "    (progress bar) and scikit-learn (its bundled digits data set). Once; about a minute."
	$(BIN)/python -m pip install --quiet -e ".[examples]"
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/python examples/demo.py $(ARGS)

# The demo's model trained on 2 MPI processes (NPROC=4 for more), checked against one process.
NPROC ?= 2
$(VENV)/.demo-ddp-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[examples,distributed]"
	touch $@

demo-ddp: $(VENV)/.demo-ddp-installed
	$(BIN)/python -m bricks.distributed.run -n $(NPROC) examples/demo_ddp.py $(ARGS)

lint: $(VENV)/.test-installed
	@echo "==> ruff check (style and errors)"
	$(BIN)/ruff check src tests benchmarks examples

# pytest exits 5 when it collects no tests: that is a failure, a suite must exist.
test: lint
	@echo "==> Running the test suite (bricks against PyTorch; docstring examples included)"
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

bench: $(VENV)/.test-installed
	OPENBLAS_THREAD_TIMEOUT=4 $(BIN)/python benchmarks/run.py

# The typing declarations of Tensor's methods, generated from the one table (bricks.ops._METHODS).
methods: $(VENV)/.test-installed
	PYTHONPATH=src $(BIN)/python tools/gen_tensor_methods.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .hypothesis
