# Telecenter: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?=
export TELECENTER_INSTANCE ?= $(CURDIR)/instance
PYTEST_ARGS ?=

.PHONY: install install-test translations run demo serve test test-calendar test-fast lint typecheck \
	extract-messages clean lock \
	bench-sync bench-central bench-site bench-lesson bench-kolibri bench-downloads

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Every package comes at the exact version in requirements.lock (the app's and the tests'
# dependencies, resolved together), so that an upstream release cannot change what runs (or
# turn the suite red) between two runs of the same commit; the app itself then comes without
# resolving anything. Python below 3.11.8 that is not a distribution build gets a warning.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python telecenter/python_version.py
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

# The lock holds the test tools too: installing it installed them.
$(VENV)/.installed-test: pyproject.toml requirements.lock $(VENV)/.installed
	touch $@

# Re-resolve the dependencies of pyproject.toml (with the test extras) in a clean environment
# and pin them all, name==version; tests/test_dependency_lock.py checks the result.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q --upgrade pip && .lock-venv/bin/pip install -q '.[test]'
	{ sed -n '1,2p' requirements.lock; .lock-venv/bin/pip freeze | grep -v '^telecenter'; } \
		> requirements.lock.new && mv requirements.lock.new requirements.lock
	rm -rf .lock-venv

# Compiled catalogs are build products, not committed; each is compiled again only when its
# .po changed.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard telecenter/translations/*/LC_MESSAGES/messages.po))
translations: $(CATALOGS)

%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o telecenter/translations/messages.pot .
	$(BIN)/pybabel update -i telecenter/translations/messages.pot -d telecenter/translations --no-fuzzy-matching

# The demo telecenter (code and name; a real one sets its own in instance/telecenter.cfg).
DEMO_SITE := TELECENTER_CODE="$${TELECENTER_CODE:-SM-PUCAYACU-01}" \
	TELECENTER_NAME="$${TELECENTER_NAME:-Telecentro Pucayacu}"

# `telecenter init` (migrate, backup key) runs on the first `make run` of an instance and again
# when a migration is newer than its stamp; gunicorn's master also checks the schema at every
# start and migrates if it is behind (telecenter/web_process.py). So a second run starts
# gunicorn at once. (A shell test, not a make target: the instance path may hold spaces.)
INIT_STAMP = "$(TELECENTER_INSTANCE)/.initialised"

# Migrates, seeds the demo once, then serves with gunicorn (the scheduler runs in a worker).
run: install
	@if [ ! -f $(INIT_STAMP) ] || [ -n "$$(find migrations/versions -name '*.py' -newer $(INIT_STAMP))" ]; \
		then $(BIN)/telecenter init --no-admin && touch $(INIT_STAMP); fi
	@if [ ! -f "$(TELECENTER_INSTANCE)/.demo-seeded" ]; then \
		$(DEMO_SITE) $(BIN)/telecenter seed-demo && touch "$(TELECENTER_INSTANCE)/.demo-seeded"; fi
	$(DEMO_SITE) PORT=$(PORT) WORKERS=$(WORKERS) VENV=$(VENV) scripts/serve.sh

# A site (port 8000) and a central (8001) on this machine, connected and synced once; each in
# its own folder under instance-demo/. Ctrl+C stops both.
demo: install
	VENV=$(VENV) scripts/demo.sh

test: install-test
	set -o pipefail; url="$${TEST_POSTGRES_URL:-}"; \
	if [ -z "$$url" ]; then url="$$(scripts/test-postgres.sh | tail -1)" || exit 1; fi; \
	TEST_POSTGRES_URL="$$url" $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The whole suite with the clock faked (libfaketime, for the processes the tests start too) to
# dates where a test that read today's date would break: no test may depend on the calendar.
CALENDAR_DATES ?= 2027-01-01T02:30:00 2031-06-15T12:00:00 2027-03-01T06:00:00
test-calendar: install-test
	set -e; for when in $(CALENDAR_DATES); do \
		echo "== suite at $$when (UTC)"; \
		faketime -f "@$${when/T/ }" $(MAKE) --no-print-directory test; \
	done

# SQLite only, no browser: a quick loop while editing.
test-fast: install-test
	$(BIN)/pytest -n 2 --backend sqlite -m "not browser and not postgres" $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .

# mypy over telecenter/ ([tool.mypy] in pyproject.toml); zero errors is the bar.
typecheck: install-test
	$(BIN)/mypy

bench-sync: install-test
	$(BIN)/python bench/sync_bench.py

bench-site: install-test
	$(BIN)/python bench/site_load.py

bench-lesson: install-test
	$(BIN)/python bench/lesson_weight.py

bench-central: install-test
	$(BIN)/python bench/central_bench.py

# Telecenter beside Kolibri 0.19.5 (installed from PyPI once, into a venv of its own under
# ~/.cache/telecenter-bench; never by `make test`).
bench-kolibri: install-test
	$(BIN)/python bench/versus_kolibri.py

bench-downloads: install-test
	$(BIN)/python bench/downloads.py

clean:
	rm -rf $(VENV) .pytest_cache

# Mutation testing (issue 12), not part of `make test`: mutmut over the counting and sync-contract
# modules with their fast SQLite tests ([tool.mutmut] in pyproject.toml), from a fresh mutants/
# every time; then per-file scores and every mutant not killed. Fails under 90% on any file.
MUTMUT_VERSION := 3.8.1
MUTATION_JOBS ?= 2
.PHONY: mutation
mutation: install-test
	$(BIN)/pip install -q -c requirements.lock mutmut==$(MUTMUT_VERSION)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS)
	$(BIN)/python scripts/mutation_report.py
