# make run: set everything up and serve on http://127.0.0.1:5000 (SQLite in instance/);
# PORT=5077 make run serves on 5077, and links in mail and calendars follow (BASE_URL, when not set).
# make test: the whole suite (SQLite, and PostgreSQL when TEST_DATABASE_URL is set).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
# PORT=5077 make run (or make run PORT=5077); not set or empty: 5000.
RUN_PORT := $(or $(PORT),5000)

.PHONY: run serve install translations migrate demo test test-sqlite test-postgres extract clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d gatherings/translations -f 2>/dev/null || $(BIN)/pybabel compile --use-fuzzy -d gatherings/translations -f

extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o gatherings/translations/messages.pot .
	$(BIN)/pybabel update -i gatherings/translations/messages.pot -d gatherings/translations --no-fuzzy-matching --ignore-obsolete

migrate: install
	$(FLASK) db upgrade

# Demo data only into an empty database.
demo: migrate
	$(FLASK) demo --if-empty

# A mail sender runs beside the web server (without MAIL_SERVER it writes instance/mail/*.eml);
# it stops when the server stops. Both get PORT: without BASE_URL, links are built on http://127.0.0.1:PORT.
run: demo
	@PORT=$(RUN_PORT) $(FLASK) mail send --loop & sender=$$!; \
	trap 'kill $$sender 2>/dev/null; wait $$sender' EXIT INT TERM; \
	PORT=$(RUN_PORT) $(FLASK) run --host 127.0.0.1 --port $(RUN_PORT)

# The suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set
# (for example postgresql://postgres@127.0.0.1:5432/postgres; the tests make a database of their own).
test: install
	TEST_DATABASE_URL= $(BIN)/pytest -q $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the suite again, on PostgreSQL =="; \
		$(BIN)/pytest -q -m "not sqlite_only" $(PYTEST_ARGS); \
	else echo "TEST_DATABASE_URL not set: PostgreSQL part skipped"; fi

clean:
	rm -rf $(VENV) instance gatherings/translations/*/LC_MESSAGES/*.mo
