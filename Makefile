# Voqo — two commands: `make run` (the product, with demo data) and `make test` (every test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint format venv env chromium nginx migrate demo clean test-postgres

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# A local .env with generated secrets, made once; never committed.
env: venv
	@test -f .env || $(PY) manage.py init_env

migrate: venv env
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo_data
	$(PY) manage.py ensure_staff_user --host $(HOST) --port $(PORT)

run: demo
	$(PY) manage.py run_voqo --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# nginx for the test of the production front (deploy/nginx/voqo.conf before gunicorn).
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
		echo "Installing Debian's nginx-light for the production-front test…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light >/dev/null; }

test: venv chromium nginx
	$(PY) -m pytest -q $(PYTEST_ARGS)

# The scale path: the whole suite on PostgreSQL + Redis started on loopback, then stopped.
test-postgres: venv chromium
	bash .ci/test-postgres

# The figures on SQLite (the default) or, with DB=postgres, on PostgreSQL + Redis started on
# loopback as test-postgres starts them (PG_PORT and REDIS_PORT override the ports).
DB ?= sqlite
bench: venv
ifeq ($(DB),postgres)
	bash .ci/with-postgres $(PY) bench/run.py --db postgres $(BENCH_ARGS)
else
	$(PY) bench/run.py --db $(DB) $(BENCH_ARGS)
endif

lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
