# Two set-up commands: `make drill` and `make test`. Both create .venv on first use.
VENV   ?= .venv
PY     := $(VENV)/bin/python
# A bare `torch` resolves to a multi-GB CUDA build; lossquiz needs only the CPU wheel.
TORCH  ?= torch==2.13.0
STAMP  := $(VENV)/.installed-stamp

.PHONY: install drill test lint format check bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

drill: $(STAMP)
	$(VENV)/bin/lossquiz drill

test: lint
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check lossquiz tests
	$(PY) -m ruff format --check lossquiz tests
	$(PY) -m mypy lossquiz
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(PY) -m ruff format lossquiz tests
	$(PY) -m ruff check --fix lossquiz tests

check: $(STAMP)
	$(VENV)/bin/lossquiz check

bench: $(STAMP)
	$(PY) -m lossquiz.bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
