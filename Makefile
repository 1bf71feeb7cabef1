# Telecenter: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
export TELECENTER_INSTANCE ?= $(CURDIR)/instance
PYTEST_ARGS ?=

.PHONY: install install-test translations run serve test test-fast lint extract-messages clean \
	bench-sync bench-central bench-site

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Compiled catalogs are build products, not committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d telecenter/translations

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o telecenter/translations/messages.pot .
	$(BIN)/pybabel update -i telecenter/translations/messages.pot -d telecenter/translations --no-fuzzy-matching

# Migrates, seeds the demo once, then serves with gunicorn and the scheduler beside it.
run: install
	$(BIN)/telecenter init --no-admin
	@if [ ! -f "$(TELECENTER_INSTANCE)/.demo-seeded" ]; then \
		$(BIN)/telecenter seed-demo && touch "$(TELECENTER_INSTANCE)/.demo-seeded"; fi
	PORT=$(PORT) WORKERS=$(WORKERS) VENV=$(VENV) scripts/serve.sh

test: install-test
	TEST_POSTGRES_URL="$${TEST_POSTGRES_URL:-$$(scripts/test-postgres.sh | tail -1)}" \
		$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# SQLite only, no browser: a quick loop while editing.
test-fast: install-test
	$(BIN)/pytest -n 2 --backend sqlite -m "not browser and not postgres" $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check telecenter tests || true

bench-sync: install-test
	$(BIN)/python bench/sync_bench.py

bench-site: install-test
	$(BIN)/python bench/site_load.py

bench-central: install-test
	$(BIN)/python bench/central_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
