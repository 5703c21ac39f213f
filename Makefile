# Mødearkiv: `make run` serves the archive on the sample documents; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint db-stop bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py ingest samples/
	@echo "Mødearkiv: http://$(HOST):$(PORT)/"
	DEBUG=true $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

test: install
	DATABASE_URL="$$($(BIN)/python bin/test-database-url)" $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

db-stop:
	$(BIN)/python manage.py embedded_db stop

bench: install
	$(BIN)/python bench/parse_bench.py

clean:
	rm -rf $(VENV) staticfiles
