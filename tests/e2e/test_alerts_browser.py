"""A real browser follows a theme, confirms from the mail that a real SMTP server (aiosmtpd) received,
gets the mail about a new gathering and stops with its unsubscribe link; axe-core checks each page,
in Dutch and in English."""
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from gatherings.alerts.services import queue_due_alerts
from gatherings.catalogue.models import Gathering, Theme
from gatherings.extensions import db
from gatherings.mail.sender import send_due
from gatherings.organise.services import publish_gathering
from gatherings.timeutil import utcnow
from tests.factories import locked_call
from tests.mail.conftest import SMTPServer, free_port

from .browser import axe_violations, live_app, run_command, serving

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


@pytest.fixture(scope="module")
def smtp():
    server = SMTPServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory, smtp):
    app = live_app(tmp_path_factory.mktemp("alerts-live"), MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                   MAIL_DEFAULT_SENDER="Gatherings <noreply@gatherings.test>")
    run_command(app, "demo")
    with serving(app) as base:
        app.config["BASE_URL"] = base  # the links in mail lead here
        yield app, base



def _deliver(app, smtp, subject_part: str):
    with app.app_context():
        send_due()
        db.session.remove()
    return [m for m in smtp.messages if subject_part in m["Subject"]][-1]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_follow_a_theme_confirm_from_the_mail_and_unsubscribe(live, smtp, page):
    app, base = live
    page.goto(base + "/gatherings/thuis-in-de-wijk-groningen")
    page.get_by_role("link", name="Houd me op de hoogte").click()
    page.wait_for_url(re.compile(r"/alerts\?theme=thuis-voelen$"))
    assert page.get_by_label("Je thuis voelen, in de wijk of elders").is_checked()
    assert axe_violations(page) == []

    page.get_by_label("Sociale inclusie").check()
    page.get_by_label("E-mailadres").fill("volger@voorbeeld.nl")
    page.get_by_label("Ja, stuur mij deze e-mails").check()
    page.get_by_role("button", name="Houd me op de hoogte").click()
    page.wait_for_url(re.compile(r"/alerts/sent(#volgen)?$"))  # the form's #volgen stays through the redirect
    assert "Kijk in uw e-mail" in page.get_by_role("heading", level=1).inner_text()
    assert axe_violations(page) == []

    confirm = re.search(r"http://\S+/confirm", _text(_deliver(app, smtp, "Bevestig"))).group(0)
    page.goto(confirm)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ja, stuur mij deze berichten").click()
    page.wait_for_url(re.compile(r"/alerts/[A-Za-z0-9_-]{43}$"))
    assert "Gelukt" in page.get_by_role("status").inner_text()
    assert page.get_by_label("Sociale inclusie").is_checked()
    assert axe_violations(page) == []

    with app.app_context():  # an organiser publishes a gathering on a followed theme; the worker queues
        theme = db.session.query(Theme).filter_by(slug="inclusie").one()
        start = utcnow().replace(microsecond=0) + timedelta(days=20)
        gathering = Gathering(slug="inclusie-nieuw", kind="theme", title="Meedoen in de buurt", theme_id=theme.id,
                              starts_at=start, ends_at=start + timedelta(hours=2), venue_name="Wijkcentrum",
                              venue_city="Zwolle", capacity=25, status="draft")
        db.session.add(gathering)
        db.session.commit()
        locked_call(publish_gathering, gathering)
        assert queue_due_alerts() == 1
        db.session.remove()
    alert = _deliver(app, smtp, "Nieuwe bijeenkomst")
    assert "Meedoen in de buurt" in _text(alert) and "Wijkcentrum, Zwolle" in _text(alert)
    assert str(alert["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    unsubscribe = str(alert["List-Unsubscribe"])[1:-1]
    assert urlsplit(unsubscribe).path in _text(alert)

    page.goto(unsubscribe)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Stop met deze berichten").click()
    assert "U bent gestopt" in page.get_by_role("heading", level=1).inner_text()
    assert axe_violations(page) == []


def test_english_pages_and_the_form_with_mistakes_pass_the_accessibility_check(live, page):
    app, base = live
    with app.app_context():
        from gatherings.alerts import services

        follow = services.request_follow("english@example.org", theme_slugs=["inclusie"], kinds=["national"],
                                         locale="en", consent_version="test")
        db.session.commit()
        token = services.link_token(follow.nonce)
        db.session.remove()
    found = {}
    page.goto(base + "/alerts")
    page.get_by_role("button", name="Houd me op de hoogte").click()
    summary = page.get_by_role("alert")
    summary.get_by_role("link", name=re.compile("Kies minstens")).click()
    assert page.evaluate("document.activeElement.id") == "theme"
    found["/alerts (mistakes, nl)"] = axe_violations(page)
    page.goto(base + "/taal/en?next=/alerts")
    assert page.get_by_role("heading", level=1).inner_text() == "Keep me informed"
    found["/alerts (en)"] = axe_violations(page)
    page.get_by_role("button", name="Keep me informed").click()
    assert "Choose at least one theme or one kind of gathering." in page.get_by_role("alert").inner_text()
    found["/alerts (mistakes, en)"] = axe_violations(page)
    for path in ("/alerts/sent", "/calendar", "/alerts/" + "x" * 43 + "/unsubscribe", f"/alerts/{token}/confirm"):
        page.goto(base + path)
        found[path + " (en)"] = axe_violations(page)
    page.get_by_role("button", name="Yes, send me these messages").click()
    assert page.get_by_label("Sociale inclusie").is_checked() and page.get_by_label("National day").is_checked()
    found["manage (en)"] = axe_violations(page)
    page.goto(base + f"/alerts/{token}/unsubscribe")
    found["unsubscribe (en)"] = axe_violations(page)
    page.get_by_role("button", name="Stop these messages").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You have stopped"
    found["unsubscribed (en)"] = axe_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
