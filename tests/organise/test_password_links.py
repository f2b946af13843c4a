"""'Wachtwoord vergeten?' and invitations: a link by e-mail to choose a password (password_links.py)."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings import create_app
from gatherings.extensions import db
from gatherings.mail.sender import send_due
from gatherings.organise.models import Organiser
from gatherings.organise.password_links import LinkPurpose, check_token, make_token
from gatherings.timeutil import utcnow
from tests.factories import login_as, make_organiser
from tests.mail.conftest import app_config, outbox, smtp, smtp_port  # noqa: F401  (fixtures)

PASSWORD = "een goed wachtwoord"
NEW_PASSWORD = "paars konijn fietst zacht"
DASHBOARD = "Ingelogd als piet@voorbeeld.nl"
RESET_SUBJECT = "Een nieuw wachtwoord kiezen voor Gatherings"
INVITATION_SUBJECT = "U bent uitgenodigd als organisator bij Gatherings"
LINK = re.compile(r"http://gatherings\.test(/organise/password/reset/[A-Za-z0-9_.\-]{40,})")


def ask(client, address, **kw):
    return client.post("/organise/password/reset", data={"email": address}, **kw)


def delivered(smtp, subject):
    if smtp.controller is None:
        smtp.start()
    send_due()
    return [m for m in smtp.messages if m["Subject"] == subject]


def link_in(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    path = LINK.search(text).group(1)
    assert path in html  # the same link in both parts
    return path


def choose(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"new_password": password, "confirm": confirm or password})


def _opens_dashboard(browser) -> bool:
    return DASHBOARD in browser.get("/organise/", follow_redirects=True).get_data(as_text=True)


def test_the_login_page_links_to_forgotten_password(client):
    page = client.get("/organise/login").get_data(as_text=True)
    assert '<a href="/organise/password/reset">Wachtwoord vergeten?</a>' in page


def test_the_answer_is_the_same_for_organisers_strangers_and_switched_off_accounts(app, client, smtp):
    make_organiser("piet@voorbeeld.nl")
    make_organiser("uit@voorbeeld.nl", active=False)
    answers = [ask(client, address) for address in ("piet@voorbeeld.nl", "niemand@voorbeeld.nl", "uit@voorbeeld.nl")]
    assert {a.status_code for a in answers} == {303}
    assert {a.headers["Location"] for a in answers} == {"/organise/password/reset/sent"}
    page = client.get("/organise/password/reset/sent")
    assert "Als dit e-mailadres bij een organisatorsaccount hoort" in page.get_data(as_text=True)
    # Only the active organiser gets mail; the other requests are dropped by the sender.
    (message,) = delivered(smtp, RESET_SUBJECT)
    assert [a.addr_spec for a in message["To"].addresses] == ["piet@voorbeeld.nl"]
    assert sorted(row.to_address for row in outbox(status="dropped")) == ["niemand@voorbeeld.nl",
                                                                          "uit@voorbeeld.nl"]


def _statements_of(client, address: str) -> list[str]:
    statements = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert ask(client, address).status_code == 303
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_asking_is_the_same_work_for_known_and_unknown_addresses(app, client):
    make_organiser("piet@voorbeeld.nl")
    _statements_of(client, "warm@voorbeeld.nl")  # the app's first request: connection set-up
    known = _statements_of(client, "piet@voorbeeld.nl")
    unknown = _statements_of(client, "niemand@voorbeeld.nl")
    assert known == unknown
    assert not [s for s in known if re.search(r'\bfrom\s+"?organiser\b', s, re.IGNORECASE)]
    assert any("outbox_message" in s for s in known)


def test_the_mail_is_dutch_text_and_html_with_a_link_the_outbox_does_not_keep(app, client, smtp):
    make_organiser("piet@voorbeeld.nl")
    ask(client, " Piet@Voorbeeld.nl ")
    (queued,) = outbox(kind="organiser_password_reset")
    assert queued.body_text is None and "/organise/password/reset/" not in (queued.context or "")
    (message,) = delivered(smtp, RESET_SUBJECT)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Content-Language"] == "nl"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Met deze link kiest u een nieuw wachtwoord" in text and "De link werkt 1 uur" in text
    path = link_in(message)
    (sent,) = outbox(kind="organiser_password_reset")
    assert sent.status == "sent"
    assert path.rsplit("/", 1)[1] not in (sent.body_text or "") + (sent.body_html or "") + (sent.context or "")
    assert client.get(path).status_code == 200  # the mailed link itself works


def test_the_link_sets_a_new_password_once_and_ends_the_other_sessions(app, client, smtp):
    piet = make_organiser("piet@voorbeeld.nl")
    door_phone = app.test_client()
    login_as(door_phone, piet)
    assert _opens_dashboard(door_phone)
    ask(client, "piet@voorbeeld.nl")
    path = link_in(delivered(smtp, RESET_SUBJECT)[0])
    browser = app.test_client()
    form = browser.get(path)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    assert "Kies een nieuw wachtwoord" in form.get_data(as_text=True)
    response = choose(browser, path)
    assert response.status_code == 303 and response.headers["Location"] == "/organise/"
    assert _opens_dashboard(browser)  # logged in with the new password's session
    assert not _opens_dashboard(door_phone)  # every other session ended
    db.session.expire_all()
    assert db.session.get(Organiser, piet.id).check_password(NEW_PASSWORD)
    # Single use: the link is dead now, also for whoever else has the mail.
    again = app.test_client().get(path)
    assert again.status_code == 410 and "Deze link werkt niet meer" in again.get_data(as_text=True)
    assert choose(app.test_client(), path, "nog een ander sterk wachtwoord").status_code == 410
    assert app.test_client().post("/organise/login", data={
        "email": "piet@voorbeeld.nl", "password": NEW_PASSWORD}).status_code == 303


def test_the_link_expires_after_an_hour(app, client):
    piet = make_organiser("piet@voorbeeld.nl")
    path = f"/organise/password/reset/{make_token(piet, LinkPurpose.RESET, utcnow() - timedelta(minutes=59))}"
    assert client.get(path).status_code == 200
    path = f"/organise/password/reset/{make_token(piet, LinkPurpose.RESET, utcnow() - timedelta(minutes=61))}"
    assert client.get(path).status_code == 410
    assert choose(client, path).status_code == 410
    db.session.expire_all()
    assert db.session.get(Organiser, piet.id).check_password(PASSWORD)


def test_the_link_dies_with_any_password_change_and_log_out_everywhere(app, client):
    from gatherings.organise import accounts, login_sessions

    piet = make_organiser("piet@voorbeeld.nl")
    token = make_token(piet, LinkPurpose.RESET, utcnow())
    assert check_token(token).organiser is not None
    accounts.change_password(piet, "nog een ander sterk wachtwoord")
    db.session.commit()
    assert check_token(token).organiser is None
    assert client.get(f"/organise/password/reset/{token}").status_code == 410
    token = make_token(piet, LinkPurpose.RESET, utcnow())
    login_sessions.end_all(piet)
    db.session.commit()
    assert check_token(token).organiser is None


def test_a_switched_off_account_cannot_use_its_link(app, client):
    piet = make_organiser("piet@voorbeeld.nl")
    token = make_token(piet, LinkPurpose.RESET, utcnow())
    piet.active = False
    db.session.commit()
    assert client.get(f"/organise/password/reset/{token}").status_code == 410


@pytest.mark.parametrize("token", ["bestaat-niet", "x" * 400, "WyJyZXNldCIsMSwxLCJhIl0.vals"])
def test_a_made_up_link_is_404(client, token):
    make_organiser("piet@voorbeeld.nl")
    response = client.get(f"/organise/password/reset/{token}")
    assert response.status_code == 404
    assert "Nieuwe link aanvragen" in response.get_data(as_text=True)


def test_a_token_signed_with_another_key_is_refused(app):
    from itsdangerous import URLSafeSerializer

    from gatherings.organise.password_links import _fingerprint

    piet = make_organiser("piet@voorbeeld.nl")
    # Everything right (even the fingerprint) but the key it is signed with.
    forged = URLSafeSerializer("another-secret", salt="organise-password-link").dumps(
        ["invitation", piet.id, int(utcnow().timestamp()), _fingerprint(piet)])
    assert check_token(forged).organiser is None and not check_token(forged).known


@pytest.mark.parametrize("password,confirm,message", [
    ("wachtwoord123", None, "Dit wachtwoord is te makkelijk te raden."),
    ("kort", None, "Een wachtwoord heeft minstens 10 en hoogstens 200 tekens."),
    ("piet@voorbeeld.nl", None, "Maak uw wachtwoord niet van uw e-mailadres of naam"),
    (NEW_PASSWORD, "iets anders", "De twee wachtwoorden zijn niet gelijk."),
])
def test_a_weak_password_is_refused_at_the_field_and_the_link_keeps_working(app, client, password, confirm,
                                                                            message):
    piet = make_organiser("piet@voorbeeld.nl")
    path = f"/organise/password/reset/{make_token(piet, LinkPurpose.RESET, utcnow())}"
    response = choose(client, path, password, confirm)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert re.search(r'aria-describedby="[^"]*(new_password|confirm)-error', html)
    for field in re.findall(r'<input[^>]*type="password"[^>]*>', html):
        assert 'value="' not in field or 'value=""' in field, field  # passwords are never sent back
    db.session.expire_all()
    assert db.session.get(Organiser, piet.id).check_password(PASSWORD)
    assert choose(client, path).status_code == 303  # the link was not used up by the mistake


def test_a_form_with_mistakes_gets_its_message(client):
    response = ask(client, "geen adres")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Dit is geen geldig e-mailadres." in html and 'value="geen adres"' in html
    assert outbox() == []


# -- invitations ---------------------------------------------------------------------------------

def _invite(client, **values):
    data = {"email": "nieuw@voorbeeld.nl", "name": "Nieuwe Organisator", "invite": "y", "password": ""}
    return client.post("/organise/admin/organisers", data={**data, **values})


def test_an_admin_invites_a_new_organiser_who_chooses_a_password(app, client, smtp):
    admin = make_organiser("beheer@voorbeeld.nl", admin=True)
    login_as(client, admin)
    response = _invite(client)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Er gaat een uitnodiging per e-mail naartoe" in page
    (message,) = delivered(smtp, INVITATION_SUBJECT)
    assert [a.addr_spec for a in message["To"].addresses] == ["nieuw@voorbeeld.nl"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "U bent uitgenodigd als organisator bij Gatherings" in text and "De link werkt 7 dagen" in text
    path = link_in(message)
    (sent,) = outbox(kind="organiser_invitation")
    assert path.rsplit("/", 1)[1] not in (sent.body_text or "") + (sent.body_html or "")
    newcomer = app.test_client()
    assert "Kies uw wachtwoord" in newcomer.get(path).get_data(as_text=True)
    assert choose(newcomer, path).status_code == 303
    assert "Ingelogd als nieuw@voorbeeld.nl" in newcomer.get("/organise/").get_data(as_text=True)
    assert newcomer.get(path).status_code == 410


def test_an_invitation_works_for_seven_days(app):
    organiser = make_organiser("nieuw@voorbeeld.nl")
    assert check_token(make_token(organiser, LinkPurpose.INVITATION, utcnow() - timedelta(days=6, hours=23))).organiser
    assert not check_token(make_token(organiser, LinkPurpose.INVITATION, utcnow() - timedelta(days=7, minutes=1))).organiser


def test_without_invitation_the_admin_still_types_the_first_password(app, client):
    login_as(client, make_organiser("beheer@voorbeeld.nl", admin=True))
    response = _invite(client, invite="")
    assert response.status_code == 422
    assert "Kies een wachtwoord." in response.get_data(as_text=True)
    response = _invite(client, invite="", password=NEW_PASSWORD)
    assert response.status_code == 303
    assert outbox(kind="organiser_invitation") == []
    assert app.test_client().post("/organise/login", data={
        "email": "nieuw@voorbeeld.nl", "password": NEW_PASSWORD}).status_code == 303


# -- limits --------------------------------------------------------------------------------------

def test_asking_is_limited_per_address_and_per_client_and_mistakes_are_never_a_429(app, app_config):
    limited = create_app({**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                          "ORGANISE_RESET_LIMIT_ADDRESS": "3 per hour", "ORGANISE_RESET_LIMIT_CLIENT": "6 per hour"})
    with limited.app_context():
        client = limited.test_client()
        codes = [ask(client, "piet@voorbeeld.nl").status_code for _ in range(4)]
        assert codes == [303, 303, 303, 429]
        slowed = ask(client, "Piet@Voorbeeld.nl")
        assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) > 0
        html = slowed.get_data(as_text=True)
        assert "Er is te vaak om een link gevraagd. Probeer het over 60 minuten opnieuw." in html
        assert 'value="Piet@Voorbeeld.nl"' in html
        # A form with mistakes gets its own message, never a 429.
        assert ask(client, "geen adres").status_code == 422
        # Another address from elsewhere is not slowed by this address's counter...
        assert ask(client, "jan@voorbeeld.nl", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 303
        # ... and one client cannot ask for address after address without end.
        codes = [ask(client, f"p{i}@voorbeeld.nl").status_code for i in range(4)]
        assert codes == [303, 303, 303, 429]
        db.session.remove()
        db.engine.dispose()


def test_purge_forgets_link_mails_once_their_links_have_expired(app, client, smtp, runner):
    make_organiser("piet@voorbeeld.nl")
    ask(client, "piet@voorbeeld.nl")
    ask(client, "niemand@voorbeeld.nl")
    delivered(smtp, RESET_SUBJECT)
    from gatherings.privacy.services import purge_requested

    purge_requested.send(None, cutoff=utcnow() - timedelta(days=365), now=utcnow())
    assert len(outbox(kind="organiser_password_reset")) == 2
    purge_requested.send(None, cutoff=utcnow() - timedelta(days=365), now=utcnow() + timedelta(hours=2))
    assert outbox(kind="organiser_password_reset") == []


def test_the_pages_are_plain_and_every_field_has_a_label(app, client):
    from tests.htmlpage import Page

    piet = make_organiser("piet@voorbeeld.nl")
    token = make_token(piet, LinkPurpose.RESET, utcnow())
    for path in ("/organise/password/reset", "/organise/password/reset/sent", f"/organise/password/reset/{token}"):
        response = client.get(path)
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
        html = response.get_data(as_text=True)
        page = Page(html)
        assert page.find("main", id="main") is not None and len(page.find_all("h1")) == 1
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"\sstyle=", html)
        for field in page.find_all("input"):
            if field.get("type") not in ("hidden", "submit"):
                assert page.find("label", for_=field.get("id")) is not None, (path, field.attrs)
