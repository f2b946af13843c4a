"""Fixtures: an app per test on SQLite (a fresh file) or PostgreSQL (TEST_DATABASE_URL).

The suite runs once per database: ``make test`` runs it on SQLite and, when
TEST_DATABASE_URL points at a PostgreSQL server, again on a database of its own
there (created and dropped by this file).
"""
import os
import uuid

import flask
import pytest
import sqlalchemy as sa

from gatherings import create_app
from gatherings.extensions import db

from .factories import make_gathering, make_registration  # noqa: F401  (re-exported for tests)

PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "")


def _pg_url(admin_url: str, name: str) -> str:
    url = sa.engine.make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database of the suite's own; None means a fresh SQLite file per test."""
    if not PG_ADMIN_URL:
        yield None
        return
    name = f"gatherings_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    # No pool: a test restarts PostgreSQL, and a pooled connection would be dead at teardown.
    admin = sa.create_engine(_pg_url(PG_ADMIN_URL, "postgres"), isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = _pg_url(PG_ADMIN_URL, name)
    marker = os.environ.get("GATHERINGS_PG_MARKER")
    if marker:
        with open(marker, "w") as fh:
            fh.write(name)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()


@pytest.fixture(scope="session")
def _pg_schema(database_url):
    if database_url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
        with app.app_context():
            db.drop_all()
            db.create_all()
            db.engine.dispose()
    return database_url


def _empty_all_tables():
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def app_config(tmp_path, _pg_schema):
    return {
        "TESTING": True,
        "GATHERINGS_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _pg_schema or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "BASE_URL": "http://gatherings.test",
        "SERVER_NAME": None,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "MAIL_OUTBOX_DIR": str(tmp_path / "mail"),
    }


def _fresh_g(sender, **extra):
    flask.g.__dict__.clear()


def _end_read_transaction(sender, **extra):
    # In production a request's session ends with the request. Here requests share the test's session:
    # end the transaction a request left open for reading, as teardown would, so that the test does not
    # go on in an old snapshot (on SQLite a write from there fails: another connection wrote meanwhile).
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted
                                         or session.info.get("unit_of_work.wrote")):
        session.rollback()


@pytest.fixture
def app(app_config, tmp_path):
    app = create_app(app_config)
    app.instance_path = str(tmp_path / "instance")
    # Requests made while this fixture's app context is pushed reuse it, and with it `g`
    # (where Flask-Babel caches the locale and Flask-Login the user). In production every
    # request has a fresh `g`; give each test request one too.
    flask.request_started.connect(_fresh_g, app)
    flask.request_finished.connect(_end_read_transaction, app)
    with app.app_context():
        if app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            db.create_all()
        yield app
        db.session.remove()
        if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def is_postgres(app):
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def make_app(app, app_config):
    """Another app on the same database with some settings changed (CSRF on, production ...); closed after the test."""
    made = []

    def _make(**changes):
        other = create_app({**app_config, **changes})
        made.append(other)
        return other

    yield _make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
