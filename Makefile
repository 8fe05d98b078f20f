# MotCua: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run serve worker demo test test-sqlite test-postgres lint format bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

run: demo serve

demo: $(VENV)/.run-deps
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py demo

# The worker (outbox delivery, deadline watch) runs beside the web server and
# stops with it.
serve: $(VENV)/.run-deps
	@$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: $(VENV)/.run-deps
	$(BIN)/python manage.py worker

# In CI the whole suite runs twice: on SQLite, then on PostgreSQL.
test: $(VENV)/.dev-deps
	$(MAKE) --no-print-directory test-sqlite
ifeq ($(CI),true)
	$(MAKE) --no-print-directory test-postgres
endif

test-sqlite: $(VENV)/.dev-deps
	env -u DATABASE_URL $(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-postgres: $(VENV)/.dev-deps
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(VENV)/.dev-deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Figures go to docs/benchmarks.md, one section per script in bench/; every
# script takes --markdown and --postgres. BENCH=intake runs one script only;
# set BENCH_POSTGRES=postgres://... to add PostgreSQL.
BENCH ?= [a-z]*
bench: $(VENV)/.dev-deps
	@set -e; for script in bench/$(BENCH).py; do \
	  echo "== $$script"; \
	  $(BIN)/python $$script --markdown docs/benchmarks.md $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES)); \
	done

messages: $(VENV)/.dev-deps
	$(BIN)/python manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
