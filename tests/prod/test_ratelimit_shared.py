"""Rate limits are shared by all server processes when RATELIMIT_STORAGE_URI points at Redis."""
import uuid

import pytest
import redis

from .conftest import Browser, make_national_day

pytestmark = pytest.mark.postgres
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_server():
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip("needs Redis on 127.0.0.1:6379")


def test_two_servers_count_one_address_together(redis_server, pg_database, serve):
    slug = make_national_day(pg_database, 50)
    limited = {"RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": REDIS}
    servers = [serve(pg_database, workers=1, **limited), serve(pg_database, workers=1, **limited)]
    email = f"limiet-{uuid.uuid4().hex[:8]}@voorbeeld.nl"
    statuses = []
    for attempt in range(11):  # the address may be used 10 times an hour, wherever the requests land
        browser = Browser(servers[attempt % 2].base)
        answer = browser.request("POST", f"/gatherings/{slug}/register", browser.form(slug, email))
        statuses.append(answer.status)
    assert all(status in (200, 303) for status in statuses[:10]), statuses
    assert statuses[10] == 429, statuses
    assert "Even rustig aan" in answer.text
    # Each server on its own had seen only five or six: the count lives in Redis.
    keys = redis.Redis.from_url(REDIS).keys(f"*{email}*")
    assert keys
