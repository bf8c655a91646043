# Quick start:  make run   (simulate scenarios/baseline.toml)   |   make ui   (the web app)
#               make test  (lint + tests, browser tests included)
# Each target creates .venv with everything it needs on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: run ui test browser-ready lint format clean

run: $(READY)
	$(BIN)/ecosim run scenarios/baseline.toml --out results/baseline

# Without a CDN (only package registries reachable) the page needs Solara's assets from npm.
ui: $(READY)
	@if command -v npm >/dev/null 2>&1; then \
		$(BIN)/python -m ecosim.ui.assets \
		|| echo "warning: could not fill Solara's asset cache from npm; the app will use its CDN"; \
	fi
	$(BIN)/ecosim ui scenarios/baseline.toml

test: $(READY) browser-ready
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto --dist loadfile --no-loadscope-reorder

# The tests of a file run on one worker (--dist loadfile): the browser tests then share one
# app server and one browser. Files are handed out in collection order
# (--no-loadscope-reorder), which tests/conftest.py starts with the longest files.

# What the browser tests (tests/ui) need besides the Python packages:
# - Solara's front-end assets: from the npm registry when npm is here (machines without a
#   CDN); otherwise Solara fetches them from its CDN at run time.
# - Chromium: Debian's headless shell (/usr/bin/chromium-headless-shell) or full browser
#   (/usr/bin/chromium) if installed, else Playwright's own download (needs internet).
#   Without any of them the browser tests fail and say how to install one.
browser-ready: $(READY)
	@if command -v npm >/dev/null 2>&1; then \
		$(BIN)/python -m ecosim.ui.assets \
		|| echo "warning: could not fill Solara's asset cache from npm; the app will use its CDN"; \
	else \
		echo "npm not found: the app will load Solara's assets from its CDN"; \
	fi
	@if [ -x /usr/bin/chromium-headless-shell ]; then \
		echo "browser tests: /usr/bin/chromium-headless-shell"; \
	elif [ -x /usr/bin/chromium ]; then \
		echo "browser tests: /usr/bin/chromium"; \
	else \
		$(BIN)/python -m playwright install chromium \
		|| echo "warning: no Chromium; install it with: apt-get install -y chromium-headless-shell"; \
	fi

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(READY)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(READY): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ecosim needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(READY)

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache .hypothesis test-artifacts
