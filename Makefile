# One interface for people and CI. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv migrate seed worker beat lint fmt typecheck messages bench up down check-compose check-lock lock clean

# Installs exactly what requirements-dev.lock names, every file checked against its SHA-256.
$(STAMP): requirements.txt requirements-dev.txt requirements.lock requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) bin/check-lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --sample 150

## Set everything up and serve the app on http://$(HOST):$(PORT) (SQLite, tasks in-process, e-mail to the console).
run: seed
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops)"
	$(PY) manage.py runserver $(HOST):$(PORT)

OIDC_TEST_IDP := test-tools/oidc-provider/node_modules/.package-lock.json

# The real OpenID Connect provider the SSO browser tests start (pinned by its lock file).
$(OIDC_TEST_IDP): test-tools/oidc-provider/package-lock.json
	cd test-tools/oidc-provider && npm ci --no-audit --no-fund --silent

AXE := test-tools/axe/node_modules/.package-lock.json

# axe-core, which the accessibility browser walk injects into every page (pinned by its lock file).
$(AXE): test-tools/axe/package-lock.json
	cd test-tools/axe && npm ci --no-audit --no-fund --silent

## The whole test suite. REQUIRE_SERVICES=1 turns skips for missing PostgreSQL/Redis/Chromium into failures.
## It runs in TEST_PROCESSES processes (pytest-xdist; each has its own test database, files and
## broker database, udhaengning/settings/test.py); TEST_PROCESSES=0 runs it in one.
TEST_PROCESSES ?= 2
test: $(STAMP) $(OIDC_TEST_IDP) $(AXE)
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist worksteal $(PYTEST_ARGS)

## Celery worker and beat against CELERY_BROKER_URL (Redis).
worker: $(STAMP)
	$(VENV)/bin/celery -A udhaengning worker --loglevel=INFO --concurrency=2 -Q celery,capture

beat: $(STAMP)
	$(VENV)/bin/celery -A udhaengning beat --loglevel=INFO --schedule=var/celerybeat-schedule

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) bin/import_matrix --check
	$(PYTHON) bin/check-lock
	$(VENV)/bin/mypy

## Format the code (ruff format; the settings are in pyproject.toml).
fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix --select I .

## Type-check the rules engine, the services and the selectors (mypy with django-stubs, pyproject.toml).
typecheck: $(STAMP)
	$(VENV)/bin/mypy

## Update the English catalogue (locale/en/LC_MESSAGES/django.po) from the code and templates.
## New entries come in empty: write their English, then `compilemessages` makes the .mo.
messages: $(STAMP)
	$(PY) manage.py makemessages --locale=en --no-obsolete --ignore=.venv --ignore=tests --ignore=bench \
		--ignore=test-tools --ignore=staticfiles
	$(PY) manage.py compilemessages --locale=en

## Benchmarks (bench/README.md); the page benchmark needs DATABASE_URL pointing at PostgreSQL.
bench: $(STAMP)
	$(PY) -m bench

## Production stack (needs a Docker engine).
up:
	docker compose up --build

down:
	docker compose down

check-compose: $(STAMP)
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

## Are requirements.lock and requirements-dev.lock up to date with requirements*.txt?
check-lock:
	$(PYTHON) bin/check-lock

## Rewrite the lock files (pip-compile --generate-hashes) after a change to requirements*.txt.
## Keeps every pin it can (no upgrades); PyPI, or pip's cache and configured indexes, must answer.
## `make lock LOCK_ARGS=--upgrade-package=django` moves one package on.
PIP_TOOLS_PIN = $(shell grep -i '^pip-tools==' requirements-dev.txt)
LOCK_FLAGS = --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip-compile --version 2>/dev/null | grep -q "$(subst pip-tools==,,$(PIP_TOOLS_PIN))" \
		|| $(PY) -m pip install --quiet --disable-pip-version-check "$(PIP_TOOLS_PIN)"
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) $(LOCK_ARGS) --output-file=requirements.lock requirements.txt
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) $(LOCK_ARGS) --constraint=requirements.lock \
		--output-file=requirements-dev.lock requirements-dev.txt
	$(PYTHON) bin/check-lock

clean:
	rm -rf $(VENV) staticfiles var/test-private var/test-private-gw* var/test-audit-anchors*.jsonl .pytest_cache
