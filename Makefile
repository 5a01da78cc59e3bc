# E-room: `make run` serves the API, `make test` runs the whole suite on both back ends.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test test-sqlite test-postgres lint schema seed bench migrations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) main.py migrate
	$(PY) main.py serve

test: install
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: install
	EROOM_TEST_BACKEND=sqlite $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	EROOM_TEST_BACKEND=postgres $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

schema: install
	$(PY) main.py schema > schema.graphql

migrations: install
	$(PY) main.py makemigrations

seed: install
	$(PY) main.py migrate
	$(PY) main.py seed

bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
