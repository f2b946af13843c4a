"""One way to list registrations: the page, the exports and who a message reaches agree."""
import re

import pytest
import sqlalchemy as sa

from gatherings.attendance import exports, listing, services
from gatherings.database import unit_of_work
from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.my import services as my_services
from gatherings.registration import services as registration
from tests.factories import locked_call, make_gathering, make_registration

from .test_services import applicant


def url(gathering, rest=""):
    return f"/organise/gatherings/{gathering.slug}{rest}"


def composition_section(client, gathering) -> str:
    page = client.get(url(gathering, "/registrations")).get_data(as_text=True)
    return re.search(r'<section aria-labelledby="composition-title".*?</section>', page, re.S).group(0)


def shown_counts(section: str) -> dict[str, tuple[str, str]]:
    """{perspective label: (with a seat, waiting)} as the table shows them."""
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(.*?)</td><td class="num">(.*?)</td></tr>',
                      section)
    return {label: tuple(re.sub(r"<[^>]+>", "", cell).replace("&lt;", "<") for cell in cells)
            for label, *cells in rows}


# -- issue 9, Security 8: the composition must not show one person's perspective ------------------

def test_composition_does_not_tell_the_perspective_of_who_registered_between_two_loads(org_client, gathering):
    make_registration(gathering, perspective="client")
    before = composition_section(org_client, gathering)
    make_registration(gathering, perspective="management")
    after = composition_section(org_client, gathering)
    # Two loads side by side: the composition is the same, so it says nothing of the newcomer.
    assert before == after
    counts = shown_counts(after)
    assert counts["Manager, bestuurder of toezichthouder"] == ("<5", "<5")
    assert counts["Cliënt"] == ("<5", "<5")
    assert "zodat niemand is terug te vinden" in after


def test_composition_shows_counts_from_the_threshold_on_and_hides_what_would_give_one_away(org_client, gathering):
    gathering.capacity = 20
    db.session.commit()
    for _ in range(6):
        make_registration(gathering, perspective="professional")
    for _ in range(5):
        make_registration(gathering, perspective="relative")
    counts = shown_counts(composition_section(org_client, gathering))
    assert counts["Hulpverlener"] == ("6", "<5") and counts["Naaste"] == ("5", "<5")
    assert counts["Cliënt"] == ("<5", "<5")
    # A single small count next to shown ones and the total of 12 would be worked out: never one alone.
    make_registration(gathering, perspective="client")
    counts = shown_counts(composition_section(org_client, gathering))
    hidden_confirmed = [label for label, (seated, _waiting) in counts.items() if seated == "<5"]
    assert "Cliënt" in hidden_confirmed and len(hidden_confirmed) >= 2
    assert counts["Hulpverlener"][0] == "6" or counts["Naaste"][0] == "5"


def test_mixed_session_shows_the_counts_seating_needs(client, app):
    from tests.factories import login_as, make_organiser

    mixed = make_gathering(kind="mixed")
    login_as(client, make_organiser("org@voorbeeld.nl", gatherings=[mixed]))
    make_registration(mixed, perspective="relative")
    assert shown_counts(composition_section(client, mixed))["Naaste"] == ("1", "0")
    make_registration(mixed, perspective="relative")
    make_registration(mixed, perspective="relative")  # its group's allotment is 2: waits
    assert shown_counts(composition_section(client, mixed))["Naaste"] == ("2", "1")


# -- issue 10, item 5: the exports list what the page lists, in the same order -------------------

def test_exports_list_the_registrations_in_the_order_of_the_page(app):
    gathering = make_gathering(capacity=4)
    for name in ("Zoë de Vries", "Émile Bakker", "anna Smit", "Bob Jansen", "Ömer Kaya", "Wachter Twee"):
        make_registration(gathering, name=name)
    page = listing.registrations_page(gathering)
    table = exports.export_table(gathering)
    assert [row.name for row in table.rows] == [r.name for r in page.confirmed.rows + page.waiting.rows]
    assert [row.status for row in table.rows][4:] == ["Wachtlijst 1", "Wachtlijst 2"]


# -- issue 10, item 5: the count an organiser is shown is the number of mails queued ----------------

@pytest.fixture
def mixed_bag(app, gathering):
    """Of every kind: with a seat, waiting, cancelled, erased, without an address."""
    make_registration(gathering, email="een@voorbeeld.nl")
    locked_call(services.add_by_hand, gathering, applicant("Zonder Adres"))  # seat, no address
    erased = make_registration(gathering, email="weg@voorbeeld.nl")  # seat, then erased
    make_registration(gathering, email="wacht@voorbeeld.nl")
    locked_call(services.add_by_hand, gathering, applicant("Wacht Zonder Adres"))
    gone = make_registration(gathering, email="afgemeld@voorbeeld.nl")
    locked_call(registration.cancel, gathering, gone.id)
    with unit_of_work():
        my_services.erase(erased.email_key)  # promotes the first who waits
    return gathering


def outbox_size(kind="organiser_message") -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind))


@pytest.mark.parametrize("audience", ["confirmed", "waitlisted", "all"])
def test_the_count_shown_for_a_message_is_the_number_of_mails_queued(org_client, mixed_bag, audience):
    form = org_client.get(url(mixed_bag, "/message")).get_data(as_text=True)
    seated, waiting = map(int, re.search(r"met een plek (\d+), op de wachtlijst (\d+)", form).groups())
    shown = {"confirmed": seated, "waitlisted": waiting, "all": seated + waiting}[audience]
    assert (seated, waiting) == (2, 0)  # een, wacht (promoted); nobody waiting has an address

    data = {"audience": audience, "subject": "Route", "body": "Neem de achteringang.", "sender_name": "Ria"}
    preview = org_client.post(url(mixed_bag, "/message"), data=data).get_data(as_text=True)
    confirmed = int(re.search(r'name="recipients" value="(\d+)"', preview).group(1))
    assert confirmed == shown
    response = org_client.post(url(mixed_bag, "/message"), data={**data, "step": "send", "recipients": confirmed})
    if not shown:  # nobody to write to: there is nothing to confirm, and nothing goes out
        assert "Ja, verstuur" not in preview and response.status_code == 409 and outbox_size() == 0
        return
    assert response.status_code == 303
    assert outbox_size() == shown == listing.audience_size(mixed_bag, audience)
    flashed = org_client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(rf"Het bericht gaat naar {shown} person", flashed)


def test_an_unknown_audience_is_refused(app, gathering):
    with pytest.raises(services.ActionRefused):
        services.message_registrants(gathering, "everyone", "Route", "Tekst", "Ria")
