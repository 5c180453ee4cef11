# Two entry points for a fresh machine: `make eval` and `make test`. Each creates .venv if it is
# missing and installs halprobe into it (torch pinned first, so pip takes the CPU build).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.halprobe-installed
PYTEST_ARGS ?=

.PHONY: setup eval test lint clean-venv

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	@$(PY) -c 'import llama_cpp' 2>/dev/null || echo 'halprobe: building llama-cpp-python from source (needs a C/C++ compiler and cmake): about 3-8 minutes the first time, with no output while it compiles' >&2
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

eval: setup
	$(VENV)/bin/halprobe eval

test: setup
	@# pytest exits 5 when it collects nothing: say so instead of a bare make error.
	$(PY) -m pytest $(PYTEST_ARGS) || { s=$$?; [ $$s -ne 5 ] || echo 'pytest collected no tests' >&2; exit $$s; }

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy halprobe
	@# one-way imports between halprobe's packages (pyproject.toml [tool.importlinter])
	$(VENV)/bin/lint-imports

clean-venv:
	rm -rf $(VENV)
