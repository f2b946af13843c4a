"""The Alembic migrations build exactly the schema the models describe, and can be undone.

Runs on the database of the pass: an empty SQLite file in the SQLite pass, an
empty PostgreSQL database of its own (dropped afterwards) in the PostgreSQL pass.
Tests elsewhere use db.create_all(), so this is what keeps migrations and models
from drifting apart.
"""
import logging
import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gatherings import create_app
from gatherings.extensions import db

from .conftest import PG_ADMIN_URL, _pg_url


@pytest.fixture
def keep_logging():
    """env.py runs logging.fileConfig, which disables loggers that exist; other tests rely on them."""
    manager = logging.root.manager
    before = {name: getattr(logger, "disabled", False) for name, logger in manager.loggerDict.items()}
    root = (logging.root.level, list(logging.root.handlers))
    yield
    for name, logger in manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled = before.get(name, False)
    logging.root.setLevel(root[0])
    logging.root.handlers[:] = root[1]


@pytest.fixture
def empty_database(tmp_path):
    if not PG_ADMIN_URL:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    name = f"gatherings_migrations_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(_pg_url(PG_ADMIN_URL, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(PG_ADMIN_URL, name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


@pytest.fixture
def migrated_app(empty_database, tmp_path, keep_logging):
    app = create_app({
        "TESTING": True, "GATHERINGS_ENV": "testing", "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": empty_database, "RATELIMIT_ENABLED": False,
    })
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _differences(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(context, db.metadata)


def _tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_builds_what_the_models_describe_and_downgrade_removes_it(migrated_app):
    runner = migrated_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)

    assert _tables(migrated_app) == {t.name for t in db.metadata.sorted_tables} | {"alembic_version"}
    assert _differences(migrated_app) == []

    # The partial unique index (one active registration per address) is really there and partial.
    with migrated_app.app_context():
        indexes = {ix["name"]: ix for ix in sa.inspect(db.engine).get_indexes("registration")}
    assert indexes["uq_registration_active_email"]["unique"]

    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert _tables(migrated_app) <= {"alembic_version"}

    # And up again: downgrade left nothing behind that gets in the way.
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert _differences(migrated_app) == []


def test_there_is_exactly_one_head():
    """Two helpers landing a migration on the same parent would leave two heads; `db upgrade` then refuses."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(os.path.join(os.path.dirname(__file__), "..", "gatherings", "migrations"))
    assert len(scripts.get_heads()) == 1, scripts.get_heads()


def test_one_active_follow_per_address_merges_rows_doubled_before_it(migrated_app):
    """0023 adds a unique index on active follows; an address that got two active rows keeps one, following all."""
    runner = migrated_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade", "0018_programme"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with migrated_app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO theme (id, slug, name, description) VALUES (1, 'a', 'A', ''), (2, 'b', 'B', '')"))
        for row_id, kinds in ((1, "theme"), (2, "national"), (3, "")):
            conn.execute(sa.text(
                "INSERT INTO alert_follow (id, email, email_key, status, kinds, locale, nonce, token_hash, consent_at,"
                " consent_version, created_at) VALUES (:id, 'a@b.nl', 'a@b.nl', :status, :kinds, 'nl', :nonce, :hash,"
                " CURRENT_TIMESTAMP, 'v', CURRENT_TIMESTAMP)"),
                {"id": row_id, "status": "pending" if row_id == 3 else "active", "kinds": kinds,
                 "nonce": f"n{row_id}", "hash": f"h{row_id}"})
        conn.execute(sa.text("INSERT INTO alert_follow_theme (follow_id, theme_id) VALUES (1, 1), (2, 1), (2, 2)"))
    result = runner.invoke(args=["db", "upgrade", "0023_alert_follow_once"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with migrated_app.app_context(), db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, status, kinds FROM alert_follow ORDER BY id")).all()
        themes = conn.execute(sa.text("SELECT theme_id FROM alert_follow_theme WHERE follow_id = 1 ORDER BY 1")).all()
    assert [tuple(r) for r in rows] == [(1, "active", "national,theme"), (3, "pending", "")]
    assert [t[0] for t in themes] == [1, 2]
