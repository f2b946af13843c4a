"""A pooled PostgreSQL connection that the server ended while it was idle is replaced, without a ping per request."""
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from tests.conftest import PG_ADMIN_URL, _pg_url
from tests.factories import make_gathering
from tests.wire import round_trips

pytestmark = pytest.mark.postgres


def test_a_connection_the_server_ended_while_idle_is_replaced_and_the_page_is_served(client, is_postgres):
    if not is_postgres:
        pytest.skip("PostgreSQL's pool")
    slug = make_gathering().slug
    db.session.commit()
    db.engine.dispose()
    assert client.get(f"/gatherings/{slug}").status_code == 200
    pids = set()
    for _ in range(db.engine.pool.checkedin()):
        with db.engine.connect() as connection:
            pids.add(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar())
    admin = sa.create_engine(_pg_url(PG_ADMIN_URL, "postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        for pid in pids:  # as a restart of the server does to every connection
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid}, 5000)")
    admin.dispose()
    answer = client.get(f"/gatherings/{slug}")
    assert answer.status_code == 200, answer.text[:300]
    assert client.get("/healthz").status_code == 200


def test_no_ping_goes_before_a_request(client, is_postgres):
    if not is_postgres:
        pytest.skip("PostgreSQL's pool")
    slug = make_gathering().slug
    db.session.commit()
    client.get(f"/gatherings/{slug}")
    with round_trips() as trips:
        assert client.get(f"/gatherings/{slug}").status_code == 200
    assert trips and trips[0][0].startswith("SELECT gathering.id"), trips
