# Two commands on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export LEDGER_INSECURE_COOKIES ?= 1

.PHONY: run test test-sqlite test-postgres browser oidc-provider bench lint translations translations-update clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d ledger/translations >/dev/null

translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project telephony-ledger --width 120 -o ledger/translations/messages.pot .
	$(BIN)/pybabel update -i ledger/translations/messages.pot -d ledger/translations --no-fuzzy-matching --width 120 --ignore-obsolete

run: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# The whole suite twice: on a temporary SQLite file, then on PostgreSQL.
test: $(VENV)/.installed-dev translations browser oidc-provider
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== tests on SQLite =="
	TEST_DATABASE_URL=sqlite $(BIN)/pytest -n 2 -q $(PYTEST_ARGS)

test-postgres:
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== tests on PostgreSQL ($(TEST_DATABASE_URL)) =="; \
		TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n 2 -q $(PYTEST_ARGS); \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "!! PostgreSQL at $(TEST_DATABASE_URL) is not reachable, and REQUIRE_POSTGRES is set" >&2; exit 1; \
	else \
		echo ""; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2; \
		echo "!! PostgreSQL at $(TEST_DATABASE_URL) is NOT reachable: ran SQLite only.       " >&2; \
		echo "!! Set TEST_DATABASE_URL or start PostgreSQL to run the suite on both engines.  " >&2; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2; \
	fi

# Debian's Chromium for the browser tests (playwright drives it; it downloads no browser).
browser:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else echo "!! chromium is missing: sudo apt-get install chromium (browser tests will be skipped)" >&2; fi; }

# A real OpenID Connect provider for the single sign-on tests (npm's oidc-provider, run with Node.js).
OIDC := tests/oidc
oidc-provider: $(OIDC)/node_modules/.installed
$(OIDC)/node_modules/.installed: $(OIDC)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(OIDC) && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	else echo "!! Node.js/npm is missing: the single sign-on browser tests will be skipped" >&2; fi

# Each benchmark prints its result as one JSON line last (INTERFACE.md); sizes with LINES=N.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/import_bench.py --format csv --engine sqlite $(if $(LINES),--lines $(LINES))
	$(BIN)/python bench/import_bench.py --format csv --engine postgresql $(if $(LINES),--lines $(LINES))
	$(BIN)/python bench/import_bench.py --format peppol --engine sqlite
	$(BIN)/python bench/import_bench.py --format peppol --engine postgresql
	$(BIN)/python bench/allocate_bench.py --engine sqlite $(if $(LINES),--lines $(LINES))
	$(BIN)/python bench/allocate_bench.py --engine postgresql $(if $(LINES),--lines $(LINES))
	$(BIN)/python bench/report_bench.py
	$(BIN)/python bench/pages_bench.py --engine sqlite $(if $(LINES),--lines $(LINES))
	$(BIN)/python bench/pages_bench.py --engine postgresql $(if $(LINES),--lines $(LINES))
	$(BIN)/python bench/load_bench.py

# ruff (style, imports, security, complexity), mypy (pyproject.toml), and the length of functions.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python scripts/function_size.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
