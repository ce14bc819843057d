# The two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app commentsvc
DB ?= sqlite
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: run test lint bench bench-import loadtest clean messages language

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when pyproject.toml changes; the stamp files record the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_QUIET) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_QUIET) -e '.[dev]'
	touch $@ $(VENV)/.installed

# make run serves plain http on loopback, and a demo article page on a second port
# (another origin) that embeds the widget from the first. Each can be overridden.
run: export COMMENTSVC_SECURE_COOKIES ?= false
run: export COMMENTSVC_BIND ?= 127.0.0.1:8000,127.0.0.1:8001
run: export COMMENTSVC_PUBLIC_URL ?= http://127.0.0.1:8000
run: export COMMENTSVC_ALLOWED_ORIGINS ?= http://127.0.0.1:8001
# The worker (mail, webhooks) runs beside gunicorn; Ctrl-C stops both. Without
# COMMENTSVC_MAIL_SERVER it writes mails as .eml files under instance/mail/.
run: $(VENV)/.installed
	$(FLASK) instance init
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(FLASK) worker & worker=$$!; \
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/pytest --db=sqlite
	TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(BIN)/pytest --db=postgresql

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

bench: $(VENV)/.installed-dev
	BENCH_DB=$(DB) $(BIN)/python bench/bench.py

# Generated 100,000-comment WordPress, Disqus and Isso inputs imported: rate and peak memory.
bench-import: $(VENV)/.installed-dev
	BENCH_DB=$(DB) $(BIN)/python bench/import_bench.py
	BENCH_DB=$(DB) $(BIN)/python bench/import_formats_bench.py

# Two gunicorn instances on a throwaway PostgreSQL and Redis, mixed traffic, a worker
# killed, Redis and the database stopped and started: 0 lost, 0 duplicated, no 500.
LOADTEST_SECONDS ?= 60
loadtest: $(VENV)/.installed-dev
	LOADTEST_SECONDS=$(LOADTEST_SECONDS) $(BIN)/python -m loadtest

# Translations: extract every marked string, merge it into each catalogue, compile the .mo
# files (committed, so `make run` and a built wheel need no extra step). A new language:
# `make language CODE=xx`, translate commentsvc/translations/xx/LC_MESSAGES/messages.po,
# add xx to commentsvc/locales.py, then `make messages`.
POT := commentsvc/translations/messages.pot
PYBABEL := $(BIN)/pybabel

messages: $(VENV)/.installed-dev
	$(PYBABEL) extract -F babel.cfg -k lazy_gettext -k _l -k plural:1,2 -k N_ --no-location \
		--sort-output --omit-header -o $(POT) .
	$(PYBABEL) update -i $(POT) -d commentsvc/translations --no-fuzzy-matching --ignore-obsolete
	$(PYBABEL) compile -d commentsvc/translations --statistics

language: $(VENV)/.installed-dev
	@test -n "$(CODE)" || { echo "usage: make language CODE=xx"; exit 2; }
	$(PYBABEL) init -i $(POT) -d commentsvc/translations -l $(CODE)
