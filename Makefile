# Two commands matter: `make run` (set up everything and serve http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Development unless told otherwise: `make run` and `make test` need no secret key. `make serve` is production.
DJANGO_DEBUG ?= 1
export DJANGO_DEBUG

.PHONY: help venv setup run serve test test-fast lint typecheck format check clean fuzz-api generated-client loadtest bench messages

help:
	@echo "make run     set up (venv, dependencies, migrations, data, demo users) and serve http://127.0.0.1:8000 with a worker"
	@echo "make setup   the same without serving"
	@echo "make serve   production settings under gunicorn on http://127.0.0.1:8000 (SQLite or DATABASE_URL)"
	@echo "make test    run the whole test suite on both cores (DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make test-fast  the same without the hostile-input suite (tests/test_bad_input.py), for the everyday loop"
	@echo "make messages  extract the strings to translate into locale/ja/LC_MESSAGES/django.po and compile it"
	@echo "               (needs GNU gettext: apt-get install gettext); translate what is new, then run it again"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make typecheck  mypy, strict, with the Django and DRF stubs"
	@echo "make format  apply ruff's fixes and formatting"
	@echo "make bench   the benchmark at 1,000 / 10,000 / 100,000 recommendations (SIZE=small: 200 / 1,000; DATABASE_URL)"
	@echo "make fuzz-api  schemathesis against the API schema on a throwaway database (fixed seed, bounded)"
	@echo "make generated-client  generate a Python client from the live schema and run a short sync with it"
	@echo "make loadtest  mixed API reads and writes by USERS users for DURATION seconds (8, 30) against gunicorn on"
	@echo "               a fresh database (SQLite, or next to DATABASE_URL's); fails on any 5xx"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# A development .env, so that manage.py commands typed by hand (changepassword, create_api_token, ...) find
# development settings too; never written for production (DJANGO_DEBUG=0) and never overwritten.
.env:
	@if [ "$(DJANGO_DEBUG)" = "1" ]; then \
		printf '%s\n' "# Development settings for manage.py commands, written by make setup (git-ignored)." \
			"# Production sets its environment itself: see docs/deploying.md." "DJANGO_DEBUG=1" > .env; \
	fi

setup: venv .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_bundle fixtures/*.json
	@if [ "$(DJANGO_DEBUG)" = "1" ]; then $(PY) manage.py create_demo_users; fi

# The web server and, beside it, a background worker (jobs, periodic reminders, webhook deliveries): both stop together.
run: setup
	@$(PY) manage.py worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:8000

# Production settings (DEBUG off, hashed and compressed static files by whitenoise) under gunicorn. Plain HTTP on
# loopback, so the TLS-only settings are off; a real deployment sits behind a TLS proxy (docs/deploying.md).
serve: venv
	@mkdir -p var
	@test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	DJANGO_DEBUG=0 \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_HSTS_SECONDS=0 \
	sh -c '$(PY) manage.py migrate --no-input && $(PY) manage.py load_bundle fixtures/*.json \
		&& $(PY) manage.py collectstatic --no-input -v0 && exec $(BIN)/gunicorn -c config/gunicorn.py config.wsgi'

# Both cores by default (each test worker has its own database); PYTEST_WORKERS=0 runs in one process. Worksteal: a
# worker that runs out of tests takes some of the other's, so the longest ones (browser, concurrency) do not leave
# one core idle at the end (the whole suite: 8.2 min -> 6.8 min on two cores).
PYTEST_WORKERS ?= auto
PYTEST_DIST = --dist worksteal
test: venv .env
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_DIST)

test-fast: venv .env
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_DIST) -m "not bad_input"

# The Japanese catalogue: the strings the app's code marks (not the tests'), merged into django.po, and the .mo
# compiled from it (committed, so that running the app needs nothing but Python). tests/test_catalogue.py checks both.
messages: venv
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l ja --no-location --no-obsolete \
		-i tests -i loadtest -i bench -i docs -i staticfiles -i var
	msgfmt --check -o locale/ja/LC_MESSAGES/django.mo locale/ja/LC_MESSAGES/django.po
	msgfmt --check -o locale/third_party/ja/LC_MESSAGES/django.mo locale/third_party/ja/LC_MESSAGES/django.po

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# A database of its own (var/bench.sqlite3, or DATABASE_URL), rebuilt at every size; writes bench/results.json.
SIZE ?= full
bench: venv
	$(PY) -m bench.run --size $(SIZE)
	$(PY) -m bench.proposer

fuzz-api: venv
	.ci/fuzz-api

generated-client: venv
	.ci/generated-client

# Timed, so not part of `make test`: starts its own gunicorn on a free loopback port and stops it afterwards.
DURATION ?= 30
USERS ?= 8
loadtest: venv
	$(PY) -m loadtest.run --duration $(DURATION) --users $(USERS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles test-db.sqlite3*
