"""Values from the URL: redirect targets, ids and query-string numbers (gatherings/inputs.py).

Each of these was a 500 or an open redirect found by the security review (issue 9).
"""
import pytest

from gatherings.inputs import MAX_ID, local_target, parse_id, query_int
from tests.factories import login_as, make_gathering, make_organiser, make_registration

# What a browser would follow to another site, or what cannot go into a Location header at all.
NASTY_TARGETS = [
    "/\t/evil.example",          # the browser drops the tab: //evil.example
    "/\r/x", "/\n/x", "/\r\n/x",  # a 500 before (a newline in a header)
    "/\x00/x", "/\x0b/evil.example", "/\x7f/x", "/\x85/x",
    "/\u2028/evil.example", "/\u2029/x",
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
    "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "data:text/html,x", "//user@evil.example", "https://gatherings.test@evil.example/",
    " /x", "/ /evil.example", "\t//evil.example",
    "evil.example", "x/y", "", "?next=/", "#x",
    "/" + "a" * 3000,
]
LOCAL_TARGETS = ["/", "/gatherings/samen-aan-tafel", "/gatherings?kind=theme&q=buurt", "/r/abc-DEF_123",
                 "/%2F%2Fevil.example", "/bijeenkomsten/caf%C3%A9", "/a@b"]


@pytest.mark.parametrize("target", NASTY_TARGETS)
def test_local_target_refuses_anything_a_browser_could_read_as_another_site(target):
    assert local_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", LOCAL_TARGETS)
def test_local_target_keeps_paths_on_this_site(target):
    assert local_target(target, "/home") == target


def test_local_target_under_a_prefix_only_in_that_part_of_the_site():
    assert local_target("/organise/gatherings/x", "/organise/", under="/organise/") == "/organise/gatherings/x"
    assert local_target("/organise", "/organise/", under="/organise/") == "/organise"
    assert local_target("/organisewhatever", "/organise/", under="/organise/") == "/organise/"
    assert local_target("/gatherings/x", "/organise/", under="/organise/") == "/organise/"


@pytest.mark.parametrize("target", NASTY_TARGETS[:-1])
def test_language_switch_never_leaves_the_site(client, target):
    response = client.get("/taal/en", query_string={"next": target})
    if "\x00" in target:  # refused before any view (security.py)
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert response.headers["Set-Cookie"].startswith("lang=en")


def test_the_reviewers_two_requests(client):
    """Exactly as reported: Location //evil.example, and a 500."""
    tab = client.get("/taal/en?next=/%09/evil.example")
    assert (tab.status_code, tab.headers["Location"]) == (302, "/")
    carriage_return = client.get("/taal/en?next=/%0d/x")
    assert (carriage_return.status_code, carriage_return.headers["Location"]) == (302, "/")


def test_language_switch_goes_back_to_the_page(client):
    response = client.get("/taal/en", query_string={"next": "/gatherings?kind=theme"})
    assert response.headers["Location"] == "/gatherings?kind=theme"


@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example", "/organise/\r\nx", "/gatherings/x",
                                    "https://evil.example/organise/"])
def test_organiser_login_next_stays_in_the_organiser_area(app, client, target):
    make_organiser("wie@voorbeeld.nl")
    response = client.post("/organise/login", query_string={"next": target},
                           data={"email": "wie@voorbeeld.nl", "password": "een goed wachtwoord"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/organise/"


def test_organiser_login_next_leads_back(app, client):
    make_organiser("wie@voorbeeld.nl")
    response = client.post("/organise/login", query_string={"next": "/organise/dashboard"},
                           data={"email": "wie@voorbeeld.nl", "password": "een goed wachtwoord"})
    assert response.headers["Location"] == "/organise/dashboard"


# -- numbers ----------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("12", 12), (" 12 ", 12), ("0", None), ("101", None), ("²", None), ("１２", None), ("١٢", None),
    ("1_0", None), ("-1", None), ("+1", None), ("1e1", None), ("", None), (None, None), ("9" * 5000, None),
])
def test_query_int_ascii_digits_in_range_only(value, expected):
    assert query_int(value, 1, 100) == expected


@pytest.mark.parametrize("value, expected", [
    (1, 1), ("1", 1), (MAX_ID, MAX_ID), (str(MAX_ID), MAX_ID), (MAX_ID + 1, None), (str(MAX_ID + 1), None),
    (0, None), (-5, None), ("²", None), (True, None), (None, None),
])
def test_parse_id_fits_the_database(value, expected):
    assert parse_id(value) == expected


@pytest.fixture
def admin_client(app, client):
    login_as(client, make_organiser("beheer@voorbeeld.nl", admin=True))
    return client


BIG = [str(2**31), str(2**31 - 1 + 1), str(2**63), "9" * 30]


@pytest.mark.parametrize("big", BIG)
def test_ids_too_big_for_the_database_are_404(app, admin_client, big):
    gathering = make_gathering()
    paths = [
        f"/organise/gatherings/{big}", f"/organise/gatherings/{big}/registrations",
        f"/organise/gatherings/{big}/edit", f"/organise/gatherings/{big}/checkin",
        f"/organise/gatherings/{gathering.slug}/registrations/{big}/needs",
        f"/organise/gatherings/{gathering.slug}/registrations/{big}/cancel",
        f"/organise/admin/organisers/{big}/password", f"/organise/admin/themes/{big}/edit",
        f"/organise/admin/hosts/{big}/edit",
    ]
    for path in paths:
        assert admin_client.get(path).status_code == 404, path
    for path in [f"/organise/gatherings/{gathering.slug}/checkin/{big}",
                 f"/organise/gatherings/{gathering.slug}/registrations/{big}/promote",
                 f"/organise/admin/organisers/{big}/active"]:
        assert admin_client.post(path, data={"value": "1"}).status_code == 404, path


@pytest.mark.parametrize("odd", ["²", "١", "0", "00", "-1"])
def test_odd_digits_in_a_gathering_address_are_404(app, admin_client, odd):
    make_gathering()
    assert admin_client.get(f"/organise/gatherings/{odd}").status_code == 404
    assert admin_client.get(f"/organise/admin/themes/{odd}/edit").status_code == 404


def test_a_gathering_by_id_still_opens(app, admin_client):
    gathering = make_gathering(title="Op nummer")
    assert "Op nummer" in admin_client.get(f"/organise/gatherings/{gathering.id}").text


@pytest.mark.parametrize("value", ["²", "١٢", str(2**31), "9" * 400, "-1", "1.5", "abc"])
def test_odd_numbers_in_query_strings_are_ignored(app, admin_client, value):
    gathering = make_gathering()
    make_registration(gathering)
    for path in [f"/organise/gatherings/{gathering.slug}/checkin?done={value}",
                 f"/organise/reports?year={value}", f"/organise/exports?page={value}",
                 f"/organise/gatherings/{gathering.slug}/registrations?bevestigd={value}"]:
        assert admin_client.get(path).status_code == 200, path
