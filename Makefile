# Two set-up commands: `make drill` and `make test`. Both create .venv on first use.
VENV   ?= .venv
PY     := $(VENV)/bin/python
# A bare `torch` resolves to a multi-GB CUDA build; lossquiz needs only the CPU wheel: asked for
# from PyTorch's CPU index when it answers, else the plain pin (which a local wheel or PyPI serves).
TORCH  ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
BIN    ?= $(HOME)/.local/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install venv install-user drill test lint format check bench clean

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory venv
	$(PY) -m pip install -q --timeout 10 --retries 0 --index-url $(TORCH_INDEX) $(TORCH) 2>/dev/null \
		&& echo "torch: CPU build from $(TORCH_INDEX)" \
		|| { echo "torch: no CPU build from $(TORCH_INDEX) (not reachable); installing the plain pin $(TORCH)"; \
		     $(PY) -m pip install -q $(TORCH); }
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# A venv is whole once its pip runs: an interrupted `python3 -m venv` leaves python without pip.
venv:
	@$(PY) -m pip --version >/dev/null 2>&1 || { test ! -e $(VENV) || echo "$(VENV) is incomplete (an interrupted set-up?): making it again"; \
		rm -rf $(VENV) && python3 -m venv $(VENV); }

# Puts `lossquiz` on PATH without activating the venv: a link in $(BIN) (usually on PATH already).
install-user: $(STAMP)
	mkdir -p $(BIN)
	ln -sf $(abspath $(VENV))/bin/lossquiz $(BIN)/lossquiz
	@echo "linked $(BIN)/lossquiz -> $(abspath $(VENV))/bin/lossquiz"

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
