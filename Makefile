# Two commands for a newcomer: `make run` (demo data, server on 127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export IKU_DATABASE ?= var/iku.sqlite3
# The demo's log key, beside (not in) the database's folder: a key signs one log, and
# `make clean` forgets both. A server uses ~/.config/iku/ unless told (docs/OPERATIONS.md).
export IKU_SIGNING_KEY ?= $(CURDIR)/.iku-keys/log-signing-key.pem

.PHONY: run test test-fast screenshots bench translations clean

$(BIN)/iku: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/iku
	$(BIN)/iku demo --if-empty
	$(BIN)/iku users ensure-admin
	$(BIN)/iku users demo-logins
	$(BIN)/iku serve --host $(HOST) --port $(PORT)

test: $(BIN)/iku
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fast layers while working: unit and API tests on SQLite, without the `slow` ones
# (fuzzing, property tests, real servers). `make test` runs everything on both stores.
test-fast: $(BIN)/iku
	$(BIN)/python -m pytest tests/unit tests/api -m "not slow" -k "not postgres" $(PYTEST_ARGS)

# The screenshots of docs/screenshots/, taken in Chromium from the demo (not by `make test`).
screenshots: $(BIN)/iku
	IKU_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -k "screenshots or test_ucapan_in_chromium" $(PYTEST_ARGS)

# Both stores (PostgreSQL: the machine's, at 127.0.0.1:5432). The 10M-event run is long:
# see docs/PERFORMANCE.md for its command.
bench: $(BIN)/iku
	$(BIN)/python -m bench.append --store sqlite
	$(BIN)/python -m bench.append --store postgres
	$(BIN)/python -m bench.http_append --store sqlite
	$(BIN)/python -m bench.http_append --store postgres
	$(BIN)/python -m bench.as_of --store sqlite --sizes 100000 1000000 --queries 500
	$(BIN)/python -m bench.as_of --store postgres --sizes 100000 1000000 --queries 500
	$(BIN)/python -m bench.proofs --store sqlite --sizes 1000000 --export
	$(BIN)/python -m bench.proofs --store postgres --sizes 1000000
	$(BIN)/python -m bench.pages --store sqlite --sizes 100000 1000000
	$(BIN)/python -m bench.pages --store postgres --sizes 100000
	$(BIN)/python -m bench.field --store sqlite --sizes 50000 1000000
	$(BIN)/python -m bench.field --store postgres --sizes 50000 1000000
	$(BIN)/python -m bench.diff --store sqlite
	$(BIN)/python -m bench.diff --store postgres
	$(BIN)/python -m bench.slow_clients
	$(BIN)/python -m bench.audit_checks --store sqlite --sizes 100000
	$(BIN)/python -m bench.audit_checks --store postgres --sizes 100000

# After changing texts of the pages: extract, merge into the English catalog, compile.
translations: $(BIN)/iku
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k _ -k _l -k gettext -o var/messages.pot .
	$(BIN)/pybabel update -i var/messages.pot -d api/translations
	$(BIN)/pybabel compile -d api/translations
	$(BIN)/pybabel extract -k _ -o var/inspector.pot inspector projections/audit projections/view_check.py domain/store
	$(BIN)/pybabel update -D inspector -i var/inspector.pot -d inspector/locale
	$(BIN)/pybabel compile -D inspector -d inspector/locale
	$(BIN)/pybabel compile -D libraries -d inspector/locale
	$(BIN)/pybabel compile -D libraries -d api/translations

clean:
	rm -rf $(VENV) var .iku-keys *.egg-info
