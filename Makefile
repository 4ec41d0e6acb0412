# Procession: two commands do all set-up on a fresh machine.
#   make run   - virtualenv, install, migrate, demo data, web app + Celery worker + scheduler
#   make test  - install and run the whole suite (SQLite, then PostgreSQL/Redis/RabbitMQ)
#   make clean - remove caches (keeps var/: your database); make wipe deletes var/ after asking
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install migrate demo run test test-sqlite test-services lint bench clean wipe

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

NODE_STAMP := node_modules/.package-lock.json

# Browser libraries (bpmn-js, form-js, htmx) from the npm registry; never vendored into git.
$(NODE_STAMP): package.json package-lock.json
	IBM_TELEMETRY_DISABLED=true npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) scripts/run_stack.sh

test: install
	PY=$(PY) scripts/run_tests.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check bpmn_engine tasklist api console auditor config tests bench scripts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: install
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	PY=$(PY) scripts/run_bench.sh

# Caches only: the database, the broker's queued messages and uploads under var/ stay.
clean:
	rm -rf .pytest_cache .ruff_cache .mypy_cache var/staticfiles var/test-procession.sqlite3*
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +

# Deletes var/: the SQLite database with every deployment and instance, queued messages.
wipe:
	@printf 'This deletes var/ (database, deployments, instances, queued messages). Type "wipe" to go on: '; \
	read answer; [ "$$answer" = wipe ] || { echo "nothing deleted"; exit 1; }
	rm -rf var
