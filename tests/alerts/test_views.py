"""/alerts through HTTP, with the mails received by a real SMTP server (aiosmtpd)."""
import re
import time

import sqlalchemy as sa

from gatherings.alerts import services
from gatherings.alerts.models import Follow, FollowStatus
from gatherings.extensions import db
from gatherings.mail.sender import send_due
from gatherings.organise.services import publish_gathering
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_theme
from tests.mail.conftest import outbox

from .helpers import follow, links_in, text_of

HOST = "http://gatherings.test"


def _mails(smtp, kind_word):
    if smtp.controller is None:
        smtp.start()
    send_due()
    return [m for m in smtp.messages if kind_word in m["Subject"]]


def _confirmed(client, smtp, email="volger@voorbeeld.nl", **kw):
    assert follow(client, email, **kw).status_code == 303
    mail = [m for m in _mails(smtp, "Bevestig") if m["To"].addresses[0].addr_spec == email][-1]
    (confirm,) = [link for link in links_in(mail) if link.endswith("/confirm")]
    response = client.post(confirm)
    assert response.status_code == 303
    return response.headers["Location"]  # the manage page


def _alert_mail(client, smtp, theme):
    gathering = make_gathering(status="draft", theme_id=theme.id, title="Thuis in de wijk")
    locked_call(publish_gathering, gathering)
    services.queue_due_alerts()
    (mail,) = _mails(smtp, "Nieuwe bijeenkomst")
    return gathering, mail


def test_the_answer_is_the_same_page_after_the_same_work_for_known_and_unknown_addresses(app, client, smtp):
    make_theme()
    _confirmed(app.test_client(), smtp, "bekend@voorbeeld.nl")
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2].split()[0]))
    known = follow(client, "bekend@voorbeeld.nl")
    known_work, statements[:] = list(statements), []
    unknown = follow(client, "onbekend@voorbeeld.nl")
    unknown_work = list(statements)
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert client.get(known.headers["Location"]).get_data() == client.get(unknown.headers["Location"]).get_data()
    # The same statements, in the same order (BEGIN: whether the test's connection had begun already).
    assert [w for w in known_work if w != "BEGIN"] == [w for w in unknown_work if w != "BEGIN"]
    assert known_work.count("INSERT") == 3 and "UPDATE" not in known_work and "DELETE" not in known_work
    assert len(outbox(kind="alert_confirm")) == 3  # and each asked-for address gets its own mail to confirm


def test_nothing_is_active_until_the_link_in_the_mail_is_followed_and_confirmed(app, client, smtp):
    make_theme()
    follow(client)
    (pending,) = db.session.scalars(sa.select(Follow)).all()
    assert pending.status == FollowStatus.PENDING
    (mail,) = _mails(smtp, "Bevestig")
    (confirm,) = [link for link in links_in(mail) if link.endswith("/confirm")]
    # Opening the link (as a mail scanner does) shows a button and changes nothing.
    page = client.get(confirm)
    assert page.status_code == 200 and "Ja, stuur mij deze berichten" in page.get_data(as_text=True)
    assert db.session.scalars(sa.select(Follow).execution_options(populate_existing=True)).one().status == "pending"
    response = client.post(confirm)
    assert response.status_code == 303
    assert db.session.scalars(sa.select(Follow).execution_options(populate_existing=True)).one().status == "active"
    assert "Sociale inclusie" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_consent_and_its_text_version_are_recorded(app, client, smtp):
    make_theme()
    page = client.get("/alerts").get_data(as_text=True)
    assert app.config["ALERTS_CONSENT_VERSION"] in page
    follow(client)
    (row,) = db.session.scalars(sa.select(Follow)).all()
    assert row.consent_version == app.config["ALERTS_CONSENT_VERSION"] and row.consent_at is not None


def test_a_form_with_mistakes_gets_its_messages_and_stores_nothing(app, client):
    make_theme()
    response = client.post("/alerts", data={"email": "geen-adres", "theme": ["bestaat-niet"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dit is geen geldig e-mailadres" in html and "Kies minstens één thema of één soort bijeenkomst." in html
    assert "Zonder uw toestemming sturen we geen e-mail." in html
    assert 'aria-describedby="theme-error"' in html or 'aria-describedby="theme-hint theme-error"' in html
    assert 'value="geen-adres"' in html  # what was typed stays
    assert db.session.scalars(sa.select(Follow)).all() == [] and outbox() == []


def test_the_honeypot_gets_the_same_answer_and_stores_nothing(app, client):
    make_theme()
    response = follow(client, website="http://spam.example")
    assert response.status_code == 303 and response.headers["Location"].endswith("/alerts/sent")
    assert db.session.scalars(sa.select(Follow)).all() == [] and outbox() == []


def test_rate_limits_per_address_count_only_valid_forms(make_app, app):
    make_theme()
    limited = make_app(RATELIMIT_ENABLED=True, ALERTS_LIMIT_ADDRESS="2 per hour",
                       RATELIMIT_STORAGE_URI="memory://")
    with limited.app_context():
        client = limited.test_client()
        address = f"veel{time.time_ns()}@voorbeeld.nl"
        for _ in range(5):  # mistakes: always the messages, never a 429
            assert client.post("/alerts", data={"email": address, "theme": ["inclusie"]}).status_code == 422
        assert follow(client, address).status_code == 303
        assert follow(client, address).status_code == 303
        refused = follow(client, address)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert follow(client, "ander" + address).status_code == 303  # another address is not slowed
        db.session.remove()


def test_alert_mail_has_the_facts_and_rfc_8058_headers_parsed_from_the_received_message(app, client, smtp):
    theme = make_theme()
    manage = _confirmed(client, smtp)
    gathering, mail = _alert_mail(client, smtp, theme)
    text = text_of(mail)
    assert "Thuis in de wijk" in text and "Buurthuis, Straat 1, Utrecht" in text
    assert "nog 10 plekken vrij" in text and f"{HOST}/gatherings/{gathering.slug}" in text
    unsubscribe = mail["List-Unsubscribe"]
    assert re.fullmatch(r"<http://gatherings\.test/alerts/[A-Za-z0-9_-]{40,}/unsubscribe>", str(unsubscribe))
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert str(unsubscribe)[1:-1] in text  # the same link in the text
    assert f"{HOST}{manage}" in text  # and the one to change themes and kinds


def test_one_click_post_unsubscribes_without_login_and_a_get_only_shows_a_page(make_app, app, client, smtp):
    theme = make_theme()
    _confirmed(client, smtp)
    _gathering, mail = _alert_mail(client, smtp, theme)
    path = str(mail["List-Unsubscribe"])[1:-1].removeprefix(HOST)
    # A fresh client with CSRF protection on, as a mail provider posting RFC 8058's body.
    strict = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = strict.get(path)
    assert page.status_code == 200 and "Stop met deze berichten" in page.get_data(as_text=True)
    assert db.session.scalars(sa.select(Follow).execution_options(populate_existing=True)).one().is_active
    response = strict.post(path, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "U bent gestopt" in response.get_data(as_text=True)
    db.session.rollback()  # end this test's read, to see the other app's commit
    assert db.session.scalars(sa.select(Follow).execution_options(populate_existing=True)).all() == []
    assert strict.post(path, data="List-Unsubscribe=One-Click").status_code == 200  # twice is fine


def test_a_follower_changes_themes_and_kinds_from_the_link(app, client, smtp):
    make_theme()
    make_theme("thuis", "Thuis voelen")
    manage = _confirmed(client, smtp)
    response = client.post(manage, data={"theme": ["thuis"], "kind": ["national"]})
    assert response.status_code == 303
    row = db.session.scalars(sa.select(Follow).execution_options(populate_existing=True)).one()
    assert [t.slug for t in row.themes] == ["thuis"] and row.kind_codes == ["national"]
    assert client.post(manage, data={}).status_code == 422  # nothing chosen: a message, nothing changed


def test_english_form_gives_english_mail(app, client, smtp):
    make_theme()
    client.set_cookie("lang", "en")
    follow(client)
    (mail,) = _mails(smtp, "confirm")
    assert mail["Subject"] == "Please confirm: messages about new gatherings"
    assert str(mail["Content-Language"]) == "en"
    assert "Do you really want this?" in text_of(mail)
    assert '<html lang="en">' in mail.get_body(preferencelist=("html",)).get_content()


def test_my_page_shows_and_ends_what_the_address_follows_and_erasing_ends_it(app, client, smtp):
    from gatherings.my import services as my_services
    from gatherings.my.models import AccessToken, hash_token

    make_theme()
    _confirmed(client, smtp)
    token = "t" * 43
    db.session.add(AccessToken(token_hash=hash_token(token), email_key="volger@voorbeeld.nl",
                               expires_at=utcnow().replace(year=utcnow().year + 1)))
    db.session.commit()
    page = client.get(f"/my/{token}").get_data(as_text=True)
    assert "Berichten over nieuwe bijeenkomsten" in page and "over het thema Sociale inclusie" in page
    assert client.post(f"/my/{token}/alerts/end").status_code == 303
    assert db.session.scalars(sa.select(Follow).execution_options(populate_existing=True)).all() == []
    assert "Berichten over nieuwe bijeenkomsten" not in client.get(f"/my/{token}").get_data(as_text=True)
    _confirmed(client, smtp)
    assert my_services.export_data("volger@voorbeeld.nl")["following"][0]["themes"] == ["inclusie"]
    my_services.erase("volger@voorbeeld.nl")
    db.session.commit()
    assert db.session.scalars(sa.select(Follow).execution_options(populate_existing=True)).all() == []


def test_gathering_page_and_calendar_page_offer_keep_me_informed(app, client):
    theme = make_theme()
    gathering = make_gathering(theme_id=theme.id)
    page = client.get(f"/gatherings/{gathering.slug}").get_data(as_text=True)
    assert "Houd me op de hoogte" in page and "/alerts?theme=inclusie" in page
    assert "Houd me op de hoogte" in client.get("/calendar").get_data(as_text=True)
    form = client.get("/alerts?theme=inclusie").get_data(as_text=True)
    assert re.search(r'value="inclusie"\s+checked', form)


def test_unknown_links_are_a_404_never_a_500(app, client):
    assert client.get("/alerts/onbekend/confirm").status_code == 404
    assert client.get("/alerts/onbekend").status_code == 404
    assert client.get("/alerts/onbekend/unsubscribe").status_code == 200  # says there is nothing to stop


def test_a_sent_alert_mail_leaves_no_working_link_in_the_outbox(app, client, smtp):
    theme = make_theme()
    _confirmed(client, smtp)
    _alert_mail(client, smtp, theme)
    for row in outbox():
        if row.kind in ("alert_confirm", "alert_gathering"):
            assert row.status == "sent" and not row.body_text and not row.body_html and row.context is None
