# The two commands of README.md: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench methods clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,examples]"
	touch $@

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[examples]"
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/python examples/demo.py $(ARGS)

# pytest exits 5 when it collects no tests: that is a failure, a suite must exist.
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

bench: $(VENV)/.test-installed
	OPENBLAS_THREAD_TIMEOUT=4 $(BIN)/python benchmarks/run.py

# The typing declarations of Tensor's methods, generated from the one table (bricks.ops._METHODS).
methods: $(VENV)/.test-installed
	PYTHONPATH=src $(BIN)/python tools/gen_tensor_methods.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .hypothesis
