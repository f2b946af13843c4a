"""Fault tests against the real thing: gunicorn on 127.0.0.1 and a PostgreSQL database of the test's own.

They need PostgreSQL (TEST_DATABASE_URL, as in tests/conftest.py) and are
skipped without it. Each test starts its own gunicorn with the repository's
gunicorn.conf.py on a free port, and stops it at the end.
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _pg_url(name: str) -> str:
    url = sa.engine.make_url(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_database():
    """A PostgreSQL database of these tests' own, with the schema; its URL.

    One for the session (each test makes a gathering of its own): dropping a database makes PostgreSQL
    write a checkpoint, which on a busy machine takes seconds.
    """
    if not PG_ADMIN_URL:
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
    name = f"gatherings_prod_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = _pg_url(name)
    from gatherings import create_app
    from gatherings.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    for _ in range(30):  # PostgreSQL may be coming back from a restart
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            break
        except sa.exc.OperationalError:
            time.sleep(1)
    admin.dispose()


def make_national_day(url: str, capacity: int) -> str:
    slug = f"landelijke-dag-{uuid.uuid4().hex[:8]}"
    from gatherings import create_app
    from gatherings.catalogue.models import Gathering
    from gatherings.extensions import db
    from gatherings.timeutil import utcnow

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        start = utcnow().replace(microsecond=0) + timedelta(days=20)
        db.session.add(Gathering(
            slug=slug, kind="national", title="Landelijke dag", starts_at=start, ends_at=start + timedelta(hours=6),
            venue_name="Jaarbeurs", venue_address="Jaarbeursplein 6", venue_city="Utrecht", capacity=capacity,
            status="published"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return slug


def registrations(url: str, slug: str) -> dict[str, str]:
    """email -> status of the active registrations for ``slug``."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT r.email, r.status FROM registration r JOIN gathering g ON g.id = r.gathering_id"
                " WHERE g.slug = :slug AND r.status != 'cancelled'"), {"slug": slug}).all()
    finally:
        engine.dispose()
    return dict(rows)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn -c gunicorn.conf.py wsgi:app on 127.0.0.1, in a process group of its own."""

    def __init__(self, database_url: str, log_path: Path, workers: int = 2, **env):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = dict(
            os.environ, DATABASE_URL=database_url, SECRET_KEY="fault-tests", GATHERINGS_ENV="production",
            CONTACT_EMAIL="contact@voorbeeld.nl",
            RATELIMIT_ENABLED="false", WEB_CONCURRENCY=str(workers), GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_TIMEOUT="20", GUNICORN_GRACEFUL_TIMEOUT="5")
        environment.update(env)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.log = open(log_path, "w")
        self.process = subprocess.Popen([gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"], cwd=ROOT,
                                        env=environment, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.wait_until_healthy()

    def wait_until_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn stopped: " + Path(self.log.name).read_text()[-2000:]
            try:
                if Browser(self.base).get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn not healthy after {timeout} s")

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def stop(self) -> None:
        started = time.monotonic()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        print(f"gunicorn stopped in {time.monotonic() - started:.1f} s")


@pytest.fixture
def serve(tmp_path):
    """serve(database_url, workers=2, **env) -> a running Server, stopped after the test."""
    servers = []

    def start(database_url, workers=2, **env):
        server = Server(database_url, tmp_path / f"gunicorn-{len(servers)}.log", workers=workers, **env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


class Browser:
    """What a browser does, and no more: cookies, a form with its token, following a 303.

    Cookies are sent back as a browser behind the https load balancer would, also the secure ones.
    """

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, timeout: float = 30) -> Response:
        headers = {"Accept-Language": "nl", "User-Agent": "fault-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def form(self, slug: str, email: str, name: str = "Deelnemer") -> dict:
        page = self.get(f"/gatherings/{slug}")
        assert page.status == 200, page.status
        return {"csrf_token": CSRF_FIELD.search(page.text).group(1), "name": name, "email": email, "consent": "y"}

    def submit(self, slug: str, form: dict) -> Response:
        answer = self.request("POST", f"/gatherings/{slug}/register", form)
        if answer.status == 303:
            return self.get(urlsplit(answer.headers["Location"]).path)
        return answer

    def register(self, slug: str, email: str) -> Response:
        return self.submit(slug, self.form(slug, email))


def said(response: Response) -> str | None:
    """What the result page told the person: confirmed, waitlisted, or None."""
    if response.status != 200:
        return None
    if "U staat op de wachtlijst" in response.text:
        return "waitlisted"
    if "U bent aangemeld" in response.text:
        return "confirmed"
    return None
