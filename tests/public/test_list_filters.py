"""The list's filters by place, online and dates (issue 15, item 6): read, range-checked, never a 500."""
from datetime import timedelta

import pytest

from gatherings.timeutil import utcnow
from tests.factories import make_gathering
from tests.htmlpage import Page


def titles(response) -> list[str]:
    return sorted(h.text for h in Page(response.text).find_all("h2") if h.find("a") is not None)


@pytest.fixture
def three(client):
    now = utcnow().replace(microsecond=0)
    make_gathering(title="Zwolle", venue_city="Zwolle", starts_at=now + timedelta(days=3))
    make_gathering(title="Utrecht", venue_city="Utrecht", starts_at=now + timedelta(days=30))
    make_gathering(title="Online", venue_name="", venue_address="", venue_city="", online_url="https://meet.example/x",
                   starts_at=now + timedelta(days=60))
    return now


def test_each_filter_narrows_the_list(client, three):
    in_10 = (three + timedelta(days=10)).date()
    assert titles(client.get("/?city=Utrecht")) == ["Utrecht"]
    assert titles(client.get("/?online=true")) == ["Online"]
    assert titles(client.get("/?online=false")) == ["Utrecht", "Zwolle"]
    assert titles(client.get(f"/?from={in_10.isoformat()}")) == ["Online", "Utrecht"]
    assert titles(client.get(f"/?to={in_10.day}-{in_10.month}-{in_10.year}")) == ["Zwolle"]  # typed the Dutch way


def test_the_place_choice_lists_the_places_of_the_list(client, three):
    page = Page(client.get("/").text)
    assert [o.text for o in page.by_id("city").find_all("option")] == ["Alle plaatsen", "Utrecht", "Zwolle"]


@pytest.mark.parametrize("query, field, message", [
    ("from=morgen", "from", "Vul een datum in zoals 31-12-2027."),
    ("from=30-02-2027", "from", "Vul een datum in zoals 31-12-2027."),
    ("to=1999-12-31", "to", "Kies een datum tussen 2000 en 2100."),
    ("from=2101-01-01", "from", "Kies een datum tussen 2000 en 2100."),
    ("from=2027-03-10&to=2027-03-01", "to", "Deze datum ligt voor de datum bij ‘Vanaf’. Kies een latere datum."),
    ("online=misschien", "online", "Kies een van de antwoorden."),
])
def test_a_wrong_filter_gets_a_dutch_message_at_the_field(client, three, query, field, message):
    response = client.get("/?" + query)
    assert response.status_code == 422
    page = Page(response.text)
    assert message in page.error_for(field)
    assert [a.get("href") for a in page.by_id("error-summary").find_all("a")] == [f"#{field}"]
    if "&" not in query:
        assert titles(response) == ["Online", "Utrecht", "Zwolle"]  # the wrong filter filters nothing


@pytest.mark.parametrize("query", ["from=" + "9" * 5000, "to=２０２７-01-01", "from=2027-1-1-1", "city=" + "x" * 5000,
                                   "from=0000-00-00", "to=-1-1-2027", "online=", "from=&to=", "city=%F0%9F%98%80"])
def test_odd_values_never_give_a_500(client, three, query):
    assert client.get("/?" + query).status_code in (200, 422)
