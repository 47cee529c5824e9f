# One interface for people and CI. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv migrate seed worker beat lint bench up down check-compose clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
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

## The whole test suite. REQUIRE_SERVICES=1 turns skips for missing PostgreSQL/Redis/Chromium into failures.
test: $(STAMP) $(OIDC_TEST_IDP)
	$(PY) -m pytest $(PYTEST_ARGS)

## Celery worker and beat against CELERY_BROKER_URL (Redis).
worker: $(STAMP)
	$(VENV)/bin/celery -A udhaengning worker --loglevel=INFO --concurrency=2

beat: $(STAMP)
	$(VENV)/bin/celery -A udhaengning beat --loglevel=INFO --schedule=var/celerybeat-schedule

lint: $(STAMP)
	$(VENV)/bin/ruff check .

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

clean:
	rm -rf $(VENV) staticfiles var/test-private .pytest_cache
