"""In chromium: answer a reflection from the captured mail; axe-core on the reflection pages and the reports.

The app is filled by ``flask demo`` (a gathering that ended yesterday, six checked in), the
invitations are queued and "sent" to .eml files as ``make run`` does, and the link is read
from the file, as a participant would find it.
"""
import email
import re
from email.policy import default as default_policy
from urllib.parse import urlsplit

import pytest

from .browser import PASSWORD, axe_violations, live_app, log_in, run_command, serving

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reflect")
    app = live_app(folder)
    run_command(app, "demo")
    run_command(app, "mail", "remind")
    app.test_cli_runner().invoke(args=["mail", "send"])
    with app.app_context():
        from tests.factories import make_organiser

        make_organiser("beheer@voorbeeld.nl", admin=True, password=PASSWORD)
    with serving(app) as base:
        yield {"base": base, "mail": folder / "mail"}



def reflection_link(mail_dir) -> str:
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        if message["Subject"].startswith("Hoe was het?"):
            text = message.get_body(preferencelist=("plain",)).get_content()
            return re.search(r"https?://\S+/reflect/[A-Za-z0-9_-]+", text).group(0)
    raise AssertionError("no reflection invitation among the captured mail")


def test_answer_a_reflection_from_the_mail(served, page):
    path = urlsplit(reflection_link(served["mail"])).path
    page.goto(served["base"] + path)
    assert page.get_by_role("heading", level=1).inner_text() == "Hoe was het?"
    assert page.locator("script").count() == 0
    assert axe_violations(page) == []

    group = page.get_by_role("group", name=re.compile("Hoe waardevol was deze bijeenkomst"))
    group.get_by_label("4: waardevol").check()
    page.get_by_label("Wat neemt u mee van deze bijeenkomst?").fill("Dat naasten ook gehoord willen worden.")
    page.get_by_role("button", name="Antwoord versturen").click()
    assert "Uw antwoord is binnen." in page.get_by_role("status").inner_text()
    assert axe_violations(page) == []

    page.goto(served["base"] + path)  # the link again: the same thanks, no form
    assert "Uw antwoord is binnen." in page.get_by_role("status").inner_text()
    assert page.locator("form textarea").count() == 0


def test_the_organisers_reflection_page_and_the_reports_pass_axe(served, page):
    log_in(page, served["base"], "beheer@voorbeeld.nl")
    for address in ("/organise/gatherings/terugblik-samen-herstellen/reflection", "/organise/reflection",
                    "/organise/reports", "/organise/reports/attendance"):
        page.goto(served["base"] + address)
        assert page.get_by_role("heading", level=1).count() == 1, address
        assert axe_violations(page) == [], address
    page.goto(served["base"] + "/organise/reports/attendance")
    assert "Samen herstellen: een terugblik" in page.locator("main").inner_text()
