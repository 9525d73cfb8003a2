# Portal SP4N-LAPOR! — two commands: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export FLASK_APP := portal

.PHONY: run test serve lint typecheck deps system-deps browser-deps migrate-check clean bench worker

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

## Serve on http://127.0.0.1:$(PORT) with SQLite at instance/portal.db (demo data on first run).
run: $(VENV)/.installed
	$(BIN)/flask --app portal db upgrade
	$(BIN)/flask --app portal demo-data --if-empty
	PORT=$(PORT) $(BIN)/flask --app portal run --host 127.0.0.1 --port $(PORT)

## Production-style serving under gunicorn (see gunicorn.conf.py and the README).
serve: $(VENV)/.installed
	$(BIN)/flask --app portal db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py "portal:create_app()"

## RQ worker for imports, PDFs and e-mail (needs REDIS_URL).
worker: $(VENV)/.installed
	$(BIN)/rq worker -u "$${REDIS_URL:?set REDIS_URL}" portal

## Debian packages the tests need: Chromium (browser tests), poppler (PDF to PNG), fonts (PDFs),
## nginx (the micro-cache test, tests/deploy), Java (the W3C Nu HTML checker, tests/test_html_checker.py).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null || ! fc-list | grep -qi dejavu \
			|| ! [ -x /usr/sbin/nginx ] || ! command -v java >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
			chromium poppler-utils fonts-dejavu-core fontconfig nginx-light \
			$$(command -v java >/dev/null || echo default-jre-headless) >/dev/null; \
	fi

## axe-core from the npm registry, for accessibility checks in browser tests.
browser-deps: tests/browser/node_modules/axe-core/axe.min.js

tests/browser/node_modules/axe-core/axe.min.js: tests/browser/package.json
	cd tests/browser && npm install --no-audit --no-fund --silent
	touch $@

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check portal tests bench migrations

## Type checks of portal/ ([tool.mypy] in pyproject.toml, docs/TYPING.md).
typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

## Re-pin requirements.txt and requirements-dev.txt (with hashes) from the .in files: docs/DEPENDENCIES.md.
## UPGRADE="--upgrade" moves every pin to the newest allowed; UPGRADE="--upgrade-package flask" just one.
PIP_COMPILE = $(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links
deps: | $(BIN)/python
	$(BIN)/pip install -q "pip-tools==7.6.2"
	$(PIP_COMPILE) $(UPGRADE) -o requirements.txt requirements.in
	$(PIP_COMPILE) $(UPGRADE) -o requirements-dev.txt requirements-dev.in

## Everything: installs what the tests need, lints, runs the suite (PostgreSQL too with TEST_DATABASE_URL).
test: $(VENV)/.installed-dev system-deps browser-deps lint typecheck
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance/portal.db .pytest_cache
