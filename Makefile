# E-room: `make run` serves the API, `make test` runs the whole suite on both back ends.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install assets web run test test-clients test-sqlite test-postgres lint schema seed bench migrations clean cluster cluster-restart

# GraphiQL's browser assets, served from /static/vendor/ so the playground needs no CDN.
# Installed from the npm registry (pinned by the lock file), never committed. The Dockerfile runs
# the same commands as this and the install recipe (tests/deploy/test_dockerfile.py).
GRAPHIQL := clients/graphiql
VENDOR := static/vendor
VENDOR_STAMP := $(VENDOR)/.installed-$(shell cksum $(GRAPHIQL)/package-lock.json | cut -d' ' -f1)

# The reference web app (clients/web), served at /app/ from clients/web/dist/ (git-ignored; not
# under static/, so its page is never served without its policy). npm ci from the lock file
# into clients/web/node_modules/, then the codegen (typed operations from
# schema.graphql: an operation the schema no longer has fails here), the type check and the
# Vite build. Rebuilt only when the lock file, a source file or the schema changes.
WEB := clients/web
WEB_BUILD := $(WEB)/dist
WEB_SOURCES := $(sort $(shell find $(WEB)/src $(WEB)/public -type f -not -path '$(WEB)/src/gql/*' 2>/dev/null)) \
	$(addprefix $(WEB)/,index.html package.json package-lock.json vite.config.ts codegen.yml tsconfig.json) schema.graphql
WEB_MODULES := $(WEB)/node_modules/.installed-$(shell cksum $(WEB)/package-lock.json | cut -d' ' -f1)
WEB_STAMP := $(WEB_BUILD)/.built-$(shell cat $(WEB_SOURCES) | cksum | cut -d' ' -f1)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

$(VENDOR_STAMP): $(GRAPHIQL)/package.json $(GRAPHIQL)/package-lock.json
	npm ci --prefix $(GRAPHIQL) --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/graphiql $(VENDOR)/react $(VENDOR)/react-dom
	cp $(GRAPHIQL)/node_modules/graphiql/graphiql.min.js $(GRAPHIQL)/node_modules/graphiql/graphiql.min.css $(VENDOR)/graphiql/
	cp $(GRAPHIQL)/node_modules/react/umd/react.production.min.js $(VENDOR)/react/
	cp $(GRAPHIQL)/node_modules/react-dom/umd/react-dom.production.min.js $(VENDOR)/react-dom/
	touch $(VENDOR_STAMP)

assets: $(VENDOR_STAMP)

APOLLO := tests/clients/apollo
APOLLO_STAMP := $(APOLLO)/node_modules/.installed-$(shell cksum $(APOLLO)/package-lock.json | cut -d' ' -f1)

$(APOLLO_STAMP): $(APOLLO)/package.json $(APOLLO)/package-lock.json
	npm ci --prefix $(APOLLO) --no-audit --no-fund --loglevel=error
	touch $(APOLLO_STAMP)

$(WEB_MODULES): $(WEB)/package.json $(WEB)/package-lock.json
	npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error
	touch $(WEB_MODULES)

$(WEB_STAMP): $(WEB_MODULES) $(WEB_SOURCES)
	npm run --prefix $(WEB) --silent build
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

install: $(STAMP) assets

run: install
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory web; \
	else echo "npm is not installed: the web app at /app/ is not built (install Node.js 20.19+ and npm, then make web)."; fi
	$(PY) main.py migrate
	$(PY) main.py serve

# The two back ends run side by side (each with its own servers on free ports; most of a test's
# time is spent waiting on them); what both need from npm is installed once, before.
test: install test-clients
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# The Node packages of the client tests and the built web app.
test-clients: $(APOLLO_STAMP) web

test-sqlite: install
	EROOM_TEST_BACKEND=sqlite $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	EROOM_TEST_BACKEND=postgres $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff format --check .
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

# nginx on 127.0.0.1:8080 in front of INSTANCES app instances on PostgreSQL + Redis (files under
# var/cluster/); Ctrl-C stops it. `make cluster-restart` (another shell) drains and restarts the
# instances one at a time.
INSTANCES ?= 2
cluster: install
	$(PY) -m deploy.cluster up --instances $(INSTANCES)

cluster-restart:
	$(PY) -m deploy.cluster restart

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache $(VENDOR) $(GRAPHIQL)/node_modules tests/clients/apollo/node_modules \
		$(WEB_BUILD) $(WEB)/node_modules $(WEB)/src/gql
