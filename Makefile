# The two commands a newcomer needs:  `make run`  and  `make test`.
# Django 6 needs Python 3.12+: take the first one found.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12 $(HOME)/.pyenv/versions/3.13*/bin/python3.13 /usr/bin/python3.13 /usr/bin/python3.12 /usr/local/bin/python3.12))
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test setup lint bench clean-var

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

setup: $(VENV)/.installed node_modules/.installed

## Set up and run the console: web, RQ worker and scheduler (Ctrl-C stops all).
run: setup
	$(PY) manage.py serve

## Run the test suite (real PostgreSQL and Redis: the embedded ones unless
## DATABASE_URL / REDIS_URL are set).
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

## Lint: ruff, and the dependency rules of docs/ARCHITECTURE.md (.importlinter).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

bench: setup
	$(PY) bench/import_bench.py --points 1000000
