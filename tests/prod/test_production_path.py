"""The production path, as docs/production.md describes it, run for real.

The wheel (tests/installed_wheel.py) in a venv outside the repository; `flask --app gatherings db upgrade` on a
PostgreSQL database of the test's own; two gunicorn servers from the wheel sharing that database and Redis;
Debian's nginx in front of them with the shipped deploy/nginx/gatherings.conf (TLS, X-Forwarded-*), the
app with TRUSTED_PROXIES=1; a mail sender (`mail send --loop`) delivering to aiosmtpd on loopback.

Visitors come from addresses of their own in 127/8 (all loopback), nginx listens on 127.0.0.1 and proxies
from 127.0.0.1, so the logs and rate limits can tell a visitor's address from nginx's.
"""
import http.client
import os
import random
import re
import shutil
import signal
import ssl
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from ..installed_wheel import ROOT, build_and_install, clean_environment
from .conftest import CSRF_FIELD, PG_ADMIN_URL, Response, _free_port, _pg_url, make_national_day, registrations, said

pytestmark = pytest.mark.postgres
REDIS = "redis://127.0.0.1:6379/0"
HOST = "aanmelden.example.nl"  # server_name in the shipped config, and the app's BASE_URL
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def _missing(what: str) -> None:
    """Skip where a developer lacks a tool; in CI (.ci/run installs it) a missing tool is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must have {what} (.ci/run installs it)")
    pytest.skip(f"needs {what}")


@pytest.fixture(scope="module")
def production_tools():
    if not PG_ADMIN_URL:
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
    if NGINX is None:
        _missing("Debian's nginx (apt-get install nginx)")
    if shutil.which("openssl") is None:
        _missing("openssl (apt-get install openssl), for the test's TLS certificate")
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError:
        _missing("Redis on 127.0.0.1:6379")


@pytest.fixture(scope="module")
def installed(production_tools, tmp_path_factory):
    return build_and_install(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def database(production_tools, installed):
    """A database of its own, its schema made by the wheel's migrations."""
    name = f"gatherings_path_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = _pg_url(name)
    installed.run(installed.bin("flask"), "--app", "gatherings", "db", "upgrade", env={"DATABASE_URL": url})
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


class Process:
    """A command from the wheel's venv in a process group of its own, its output in a file."""

    def __init__(self, installed, args: list, env: dict, log: Path):
        self.log = log
        with open(log, "w") as out:
            self.process = subprocess.Popen([str(a) for a in args], cwd=installed.workdir, stdout=out,
                                            stderr=subprocess.STDOUT, env=clean_environment(**env),
                                            start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _wait_for(check, what: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not after {timeout} s: {what}"
        time.sleep(0.2)


def _answers(port: int, path: str = "/healthz") -> int | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    except OSError:
        return None
    finally:
        conn.close()


def render_nginx_site(ports: list[int], http_port: int, https_port: int, cert: Path, key: Path, logs: Path) -> str:
    """deploy/nginx/gatherings.conf with this test's addresses; every replaced line must be there."""
    site = (ROOT / "deploy" / "nginx" / "gatherings.conf").read_text()
    replacements = [
        ("server 10.0.0.11:8000 ", f"server 127.0.0.1:{ports[0]} "),
        ("server 10.0.0.12:8000 ", f"server 127.0.0.1:{ports[1]} "),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl;\n", f"    listen 127.0.0.1:{https_port} ssl;\n"),
        ("    listen [::]:443 ssl;\n", ""),
        (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert)),
        (f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key)),
        ("/var/log/nginx/gatherings.access.log", str(logs / "nginx-access.log")),
        ("/var/log/nginx/gatherings.error.log", str(logs / "nginx-error.log")),
    ]
    for old, new in replacements:
        assert site.count(old) == 1, f"deploy/nginx/gatherings.conf no longer has {old!r}"
        site = site.replace(old, new)
    settings = "\n".join(line.split("#")[0] for line in site.splitlines())
    assert "10.0.0." not in settings and "/var/" not in settings and "/etc/" not in settings
    return site


def render_nginx_main(base: Path, site: Path) -> str:
    """The top of an nginx.conf for an unprivileged nginx with its own pid, logs and temporary files."""
    user = ""
    if os.geteuid() == 0:  # as root nginx would hand its workers to `nobody`, who cannot enter base
        user = "user root root;\n"
    temp = "\n".join(f"    {kind}_temp_path {base / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                             "uwsgi", "scgi"))
    return (f"{user}worker_processes 1;\npid {base / 'nginx.pid'};\nerror_log {base / 'nginx-main-error.log'};\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{\n{temp}\n    access_log off;\n    include {site};\n}}\n")


class Visitor:
    """A browser on a loopback address of its own, talking HTTPS to nginx: cookies, form token, 303."""

    def __init__(self, port: int, address: str, context: ssl.SSLContext, forwarded_for: str | None = None):
        self.port, self.address, self.context = port, address, context
        self.forwarded_for = forwarded_for  # a header the visitor makes up; nginx must not pass it on as truth
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, referer: str | None = None) -> Response:
        headers = {"Host": HOST, "Accept-Language": "nl", "User-Agent": "production-path-test"}
        if referer:
            headers["Referer"] = referer
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=self.context,
                                           source_address=(self.address, 0))
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

    def post_form(self, slug: str, email: str) -> Response:
        page = self.request("GET", f"/gatherings/{slug}")
        assert page.status == 200, (page.status, page.text[:300])
        form = {"csrf_token": CSRF_FIELD.search(page.text).group(1), "name": "Deelnemer", "email": email,
                "consent": "y"}
        # Over HTTPS Flask-WTF wants the Referer of the form's own site, as a browser sends it.
        return self.request("POST", f"/gatherings/{slug}/register", form,
                            referer=f"https://{HOST}/gatherings/{slug}")

    def result(self, answer: Response) -> Response:
        location = urlsplit(answer.headers["Location"])
        assert location.netloc in ("", HOST) and location.scheme in ("", "https"), answer.headers["Location"]
        return self.request("GET", location.path)


class Mailbox:
    def __init__(self):
        self.recipients: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture
def platform(installed, database, tmp_path):
    """Two app servers, nginx, a mail sender and an SMTP server; everything stopped after the test."""
    started: list[Process] = []
    mailbox = Mailbox()
    smtp_port = _free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    common = {"DATABASE_URL": database, "SECRET_KEY": "production-path-test", "GATHERINGS_ENV": "production",
              "BASE_URL": f"https://{HOST}", "RATELIMIT_STORAGE_URI": REDIS, "TRUSTED_PROXIES": "1",
              "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
              "MAIL_DEFAULT_SENDER": "Gatherings <noreply@example.nl>", "CONTACT_EMAIL": "info@example.nl"}
    try:
        ports = [_free_port(), _free_port()]
        servers = []
        for number, port in enumerate(ports):
            servers.append(Process(installed, [installed.bin("gunicorn"), "-c", "python:gatherings.ops.gunicorn_config",
                                               "gatherings.wsgi:app"],
                                   {**common, "WEB_CONCURRENCY": "2", "GUNICORN_BIND": f"127.0.0.1:{port}",
                                    "GUNICORN_TIMEOUT": "20", "GUNICORN_GRACEFUL_TIMEOUT": "5"},
                                   tmp_path / f"app-{number + 1}.log"))
            started.append(servers[-1])
        sender = Process(installed, [installed.bin("flask"), "--app", "gatherings", "mail", "send", "--loop",
                                     "--interval", "0.5"], {**common, "MAIL_REMIND_INTERVAL": "0"},
                         tmp_path / "mail-sender.log")
        started.append(sender)

        cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1", "-subj", f"/CN={HOST}", "-keyout", key, "-out", cert],
                       check=True, capture_output=True, timeout=30)
        http_port, https_port = _free_port(), _free_port()
        site = tmp_path / "gatherings.conf"
        site.write_text(render_nginx_site(ports, http_port, https_port, cert, key, tmp_path))
        (tmp_path / "nginx.conf").write_text(render_nginx_main(tmp_path, site))
        nginx = Process(installed, [NGINX, "-p", tmp_path, "-c", tmp_path / "nginx.conf",
                                    "-e", tmp_path / "nginx-main-error.log", "-g", "daemon off;"], {},
                        tmp_path / "nginx.out")
        started.append(nginx)

        for number, (server, port) in enumerate(zip(servers, ports)):
            _wait_for(lambda: server.process.poll() is not None or _answers(port) == 200,
                      f"app server {number + 1} healthy")
            assert server.process.poll() is None, server.text()[-3000:]
        _wait_for(lambda: nginx.process.poll() is not None or _answers(http_port, "/") == 301, "nginx answering")
        assert nginx.process.poll() is None, nginx.text() + (tmp_path / "nginx-main-error.log").read_text()

        context = ssl.create_default_context(cafile=cert)
        context.check_hostname = False  # the certificate is for HOST; we connect to 127.0.0.1
        yield {"servers": servers, "sender": sender, "nginx": nginx, "https_port": https_port,
               "http_port": http_port, "mailbox": mailbox, "context": context, "logs": tmp_path,
               "database": database}
    finally:
        for process in reversed(started):
            process.kill(signal.SIGTERM)
        smtp.stop()


def _client_addresses(count: int) -> list[str]:
    """Loopback addresses none of which is nginx's 127.0.0.1 (random, so runs at once do not share limits)."""
    second, third = random.randrange(1, 255), random.randrange(0, 256)
    return [f"127.{second}.{third}.{host}" for host in range(2, 2 + count)]


def _access_lines(platform) -> list[tuple[int, str]]:
    """(app server number, line) for every access line of both app servers."""
    return [(number, line) for number, server in enumerate(platform["servers"], 1)
            for line in server.text().splitlines() if " access: " in line]


def test_behind_nginx_two_servers_share_limits_log_the_visitor_and_survive_one_dying(platform):
    port, context = platform["https_port"], platform["context"]
    capacity, people, clients = 40, 120, 12
    slug = make_national_day(platform["database"], capacity)
    addresses = _client_addresses(clients + 2)
    limited_address, spoofing_address = addresses[-2:]
    addresses = addresses[:-2]

    # Plain HTTP is sent to https; pages come in Dutch over TLS.
    conn = http.client.HTTPConnection("127.0.0.1", platform["http_port"], timeout=10)
    try:
        conn.request("GET", f"/gatherings/{slug}", headers={"Host": HOST})
        assert conn.getresponse().getheader("Location") == f"https://{HOST}/gatherings/{slug}"
    finally:
        conn.close()
    assert Visitor(port, addresses[0], context).request("GET", "/").status == 200

    # Rate limits are shared: one address may register 10 times an hour, wherever nginx sends the request.
    limited_email = f"limiet-{uuid.uuid4().hex[:8]}@voorbeeld.nl"
    tries = []
    for attempt in range(11):
        visitor = Visitor(port, limited_address, context)
        if attempt % 2:  # nginx takes turns per request: an extra page makes the POSTs alternate too
            visitor.request("GET", "/")
        tries.append(visitor.post_form(slug, limited_email))
    statuses = [answer.status for answer in tries]
    assert all(status in (200, 303) for status in statuses[:10]) and statuses[10] == 429, (statuses, tries[0].text)
    assert "Even rustig aan" in tries[10].text
    posts = [number for number, line in _access_lines(platform)
             if line.split("access: ")[1].startswith(limited_address + ' "POST ')]
    # Neither server saw ten of them: the 11th was refused because they count together, in Redis.
    assert len(posts) == 11 and 0 < posts.count(1) < 10 and 0 < posts.count(2) < 10, posts
    keys = [key.decode() for key in redis.Redis.from_url(REDIS).keys(f"*{limited_address}*")]
    assert keys, "the per-client limit is not kept under the visitor's address"

    # A visitor who makes up an X-Forwarded-For does not get to choose their address.
    spoofer = Visitor(port, spoofing_address, context, forwarded_for="203.0.113.7")
    assert spoofer.request("GET", f"/gatherings/{slug}").status == 200

    # The rush: 120 people through nginx; one app server dies (SIGKILL, master and workers) a third of the way.
    answers: dict[str, int] = {}
    told: dict[str, str | None] = {}
    done = threading.Semaphore(0)

    def person(i: int) -> None:
        email = f"pad{i}-{uuid.uuid4().hex[:6]}@voorbeeld.nl"
        visitor = Visitor(port, addresses[i % clients], context)
        try:
            for _ in range(2):  # a 502 (the server died with the form): the person sends it again
                answer = visitor.post_form(slug, email)
                answers[email] = answer.status
                if answer.status != 502:
                    break
            if answer.status == 303:
                told[email] = said(visitor.result(answer))
        finally:
            done.release()

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(person, i) for i in range(people)]
        for _ in range(people // 3):
            done.acquire(timeout=30)
        platform["servers"][0].kill(signal.SIGKILL)
        for future in futures:
            future.result(timeout=60)
    rush_seconds = time.monotonic() - started
    print(f"rush through nginx: {people} people in {rush_seconds:.1f} s, answers "
          f"{ {status: list(answers.values()).count(status) for status in set(answers.values())} }")

    stored = registrations(platform["database"], slug)
    acknowledged = [email for email, status in answers.items() if status == 303]
    assert all(status in (303, 502) for status in answers.values()), sorted(set(answers.values()))
    assert len(acknowledged) >= people - clients, answers  # only forms in flight on the dead server failed twice
    assert all(email in stored for email in acknowledged)  # every acknowledged registration is stored
    assert {email: stored[email] for email in told} == told  # and is what the person was told
    confirmed = [email for email, status in stored.items() if status == "confirmed"]
    assert len(confirmed) == capacity  # nothing oversold, no seat lost
    assert rush_seconds < 60

    # The access log has each visitor's own address, never nginx's and never a made-up one.
    lines = _access_lines(platform)
    visitor_lines = [line for _, line in lines if f'"GET /gatherings/{slug} ' in line or '"POST /gatherings/' in line]
    logged = {line.split("access: ")[1].split(" ", 1)[0] for line in visitor_lines}
    assert logged == {*addresses, limited_address, spoofing_address}, logged
    assert not any("203.0.113.7" in line for _, line in lines)
    # Both servers took part in the rush; the first one died on the way (it answered a part, then nothing).
    rush_posts = [number for number, line in lines if f'"POST /gatherings/{slug}/register' in line
                  and line.split("access: ")[1].split(" ", 1)[0] in addresses]
    assert platform["servers"][0].process.poll() is not None
    assert 0 < rush_posts.count(1) < len(rush_posts) and rush_posts.count(2) > people // 3, rush_posts.count(1)

    # The mail sender delivered a message to everyone who was told they are registered.
    mailbox = platform["mailbox"]
    _wait_for(lambda: set(acknowledged) <= set(mailbox.recipients),
              "mail for every acknowledged registration at the SMTP server", timeout=60)
    assert platform["sender"].process.poll() is None, platform["sender"].text()[-2000:]
