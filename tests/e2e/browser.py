"""What the browser tests share: Debian's chromium, axe-core, the app served over HTTP, an organiser's login.

Each test module seeds its own database; this module only starts the app as in production
(a werkzeug server in a thread on 127.0.0.1, CSRF on) on a temporary SQLite file.
"""
import os
import threading
from contextlib import contextmanager
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from gatherings import create_app
from gatherings.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = os.path.join(os.path.dirname(__file__), "..", "js", "node_modules", "axe-core", "axe.min.js")
PASSWORD = "een goed wachtwoord"

sync_api = pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM):
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)


def live_app(folder, **config) -> Flask:
    """An app on a fresh SQLite file in ``folder``, its tables made; ``config`` adds to or overrides the defaults."""
    app = create_app({
        "TESTING": False, "GATHERINGS_ENV": "testing", "SECRET_KEY": "browser-test",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite'}",
        "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": True, "MAIL_OUTBOX_DIR": str(folder / "mail"),
        **config,
    })
    app.instance_path = str(folder / "instance")
    with app.app_context():
        db.create_all()
    return app


def run_command(app: Flask, *args: str) -> None:
    """``flask <args>`` on the app, as make demo does; a failure shows the command's output."""
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` over HTTP until the block ends; gives the base URL (http://127.0.0.1:<port>)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def log_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Log in on /organise/login (by the fields' ids: the same in either language) and land on /organise/."""
    page.goto(base + "/organise/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form#inloggen button[type=submit]").click()
    assert urlsplit(page.url).path == "/organise/", "not logged in"


def axe_violations(page) -> list[str]:
    if not os.path.exists(AXE):  # never a silent "no violations"
        if os.environ.get("CI"):
            pytest.fail("axe-core is missing: .ci/run installs tests/js (npm install)")
        pytest.skip("axe-core not installed: cd tests/js && npm install")
    page.add_script_tag(path=AXE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
        return r.violations.map(v => v.id + ': ' + v.help + ' -> ' + v.nodes.map(n => n.target.join(' ')).join(', '));
    }""")
    return result


def focus_is_visible(page) -> bool:
    return page.evaluate("""() => {
        const el = document.activeElement, s = getComputedStyle(el);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
        return outline || (s.boxShadow && s.boxShadow !== 'none');
    }""")
