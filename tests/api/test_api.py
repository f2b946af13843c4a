"""The public JSON API: the fields docs/product.md names, its filters, errors, and its own OpenAPI description."""
from datetime import datetime, timedelta

import jsonschema
import pytest

from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration, make_theme

REQUIRED = {"slug", "title", "kind", "theme", "starts_at", "ends_at", "url", "ics_url", "status",
            "registration_open", "capacity", "confirmed", "waitlisted", "seats_left"}
SEAT_FIELDS = {"capacity", "confirmed", "waitlisted", "seats_left"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    jsonschema.Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})
    return document


def validate(spec, path, status, body):
    """Validate a response body against the schema the OpenAPI document gives for it (OpenAPI 3.1 = JSON Schema 2020-12)."""
    schema = spec["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"]["schema"]
    # "#/components/..." references resolve against the root, so the components travel along.
    root = {**schema, "components": spec["components"]}
    jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(body)


def test_list_has_the_fields_and_matches_the_description(client, spec):
    theme = make_theme("inclusie", "Sociale inclusie")
    g = make_gathering(title="Buurtsoep", theme=theme, capacity=3)
    make_registration(g)
    response = client.get("/api/v1/gatherings")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    validate(spec, "/api/v1/gatherings", 200, body)
    [item] = body["gatherings"]
    assert REQUIRED <= item.keys()
    assert item["slug"] == g.slug and item["title"] == "Buurtsoep" and item["kind"] == "theme"
    assert item["theme"] == "inclusie"
    assert item["status"] == "published" and item["registration_open"] is True
    assert (item["capacity"], item["confirmed"], item["waitlisted"], item["seats_left"]) == (3, 1, 0, 2)
    assert item["url"] == f"http://gatherings.test/gatherings/{g.slug}"  # BASE_URL
    assert item["ics_url"] == f"http://gatherings.test/gatherings/{g.slug}.ics"
    assert "allotments" not in item


def test_times_are_iso_8601_with_offset_in_amsterdam(client, spec):
    g = make_gathering()
    item = client.get(f"/api/v1/gatherings/{g.slug}").get_json()
    for key in ("starts_at", "ends_at"):
        moment = datetime.fromisoformat(item[key])
        assert moment.utcoffset() is not None
        assert moment.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert datetime.fromisoformat(item["starts_at"]) == g.starts_at


def test_one_gathering_is_the_object_itself(client, spec):
    g = make_gathering(capacity=1)
    make_registration(g)
    make_registration(g)
    response = client.get(f"/api/v1/gatherings/{g.slug}")
    body = response.get_json()
    validate(spec, "/api/v1/gatherings/{slug}", 200, body)
    assert body["slug"] == g.slug
    assert (body["confirmed"], body["waitlisted"], body["seats_left"]) == (1, 1, 0)


def test_mixed_session_has_allotments_per_group(client, spec):
    g = make_gathering(kind="mixed", capacity=6, allot_lived=2, allot_relatives=2, allot_professionals=2)
    make_registration(g, perspective="client")
    make_registration(g, perspective="experience_expert")
    make_registration(g, perspective="client")  # waits
    make_registration(g, perspective="other")
    body = client.get(f"/api/v1/gatherings/{g.slug}").get_json()
    validate(spec, "/api/v1/gatherings/{slug}", 200, body)
    assert body["allotments"] == {
        "lived": {"capacity": 2, "confirmed": 2, "waitlisted": 1, "seats_left": 0},
        "relatives": {"capacity": 2, "confirmed": 0, "waitlisted": 0, "seats_left": 2},
        "professionals": {"capacity": 2, "confirmed": 1, "waitlisted": 0, "seats_left": 1},
    }
    assert (body["confirmed"], body["waitlisted"], body["seats_left"]) == (3, 1, 3)
    listed = client.get("/api/v1/gatherings?kind=mixed").get_json()["gatherings"][0]
    assert listed["allotments"] == body["allotments"]


def test_states_show_in_status_and_registration_open(client, spec):
    now = utcnow()
    cancelled = make_gathering(status="cancelled")
    closed = make_gathering(registration_closes_at=now - timedelta(minutes=1))
    later = make_gathering(registration_opens_at=now + timedelta(days=1))
    for g, status, is_open in ((cancelled, "cancelled", False), (closed, "published", False),
                               (later, "published", False)):
        body = client.get(f"/api/v1/gatherings/{g.slug}").get_json()
        validate(spec, "/api/v1/gatherings/{slug}", 200, body)
        assert (body["status"], body["registration_open"]) == (status, is_open)


def test_filters_are_those_of_the_list_page(client, spec):
    inclusie = make_theme("inclusie", "Sociale inclusie")
    now = utcnow()
    make_gathering(title="Buurtsoep", kind="theme", theme=inclusie, venue_city="Zwolle")
    make_gathering(title="Landelijke dag", kind="national")
    make_gathering(title="Aan tafel", kind="mixed")
    make_gathering(title="Concept", status="draft")
    make_gathering(title="Geweest", starts_at=now - timedelta(days=3))

    def found(query):
        body = client.get("/api/v1/gatherings" + query).get_json()
        validate(spec, "/api/v1/gatherings", 200, body)
        return sorted(g["title"] for g in body["gatherings"])

    assert found("") == ["Aan tafel", "Buurtsoep", "Landelijke dag"]
    assert found("?kind=national") == ["Landelijke dag"]
    assert found("?theme=inclusie") == ["Buurtsoep"]
    assert found("?q=zwolle") == ["Buurtsoep"]
    assert found("?kind=mixed&q=zwolle") == []
    assert found("?theme=bestaat-niet") == []


def test_unknown_or_draft_gathering_is_a_json_404(client, spec):
    draft = make_gathering(status="draft")
    for slug in ("bestaat-niet", draft.slug):
        response = client.get(f"/api/v1/gatherings/{slug}")
        assert response.status_code == 404
        assert response.mimetype == "application/json"
        validate(spec, "/api/v1/gatherings/{slug}", 404, response.get_json())
        assert response.get_json()["status"] == 404
    other = client.get("/api/v1/nothing-here")
    assert other.status_code == 404 and other.mimetype == "application/json"


def test_api_does_not_accept_writes(client):
    g = make_gathering()
    assert client.post("/api/v1/gatherings", json={}).status_code == 405
    assert client.delete(f"/api/v1/gatherings/{g.slug}").status_code == 405


def test_description_names_every_path_and_filter(spec):
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) >= {"/api/v1/gatherings", "/api/v1/gatherings/{slug}"}
    names = {p["name"] for p in spec["paths"]["/api/v1/gatherings"]["get"]["parameters"]}
    assert names == {"kind", "theme", "q", "city", "online", "from", "to"}
    gathering = spec["components"]["schemas"]["Gathering"]
    assert REQUIRED <= set(gathering["required"])
    assert set(gathering["properties"]["allotments"]["properties"]) == {"lived", "relatives", "professionals"}
    for group in gathering["properties"]["allotments"]["properties"].values():
        assert set(group["required"]) == SEAT_FIELDS


def test_the_schema_check_catches_a_wrong_answer(client, spec):
    """Guard for the tests above: a body missing a field or with a wrong type does not pass."""
    g = make_gathering(kind="mixed")
    good = client.get(f"/api/v1/gatherings/{g.slug}").get_json()
    for broken in ({k: v for k, v in good.items() if k != "seats_left"}, {**good, "capacity": "10"},
                   {**good, "kind": "party"}, {**good, "allotments": {"lived": {}}}):
        with pytest.raises(jsonschema.ValidationError):
            validate(spec, "/api/v1/gatherings/{slug}", 200, broken)


# -- the answers the description promises (issue 9) ----------------------------------------------

@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "TRACE"])
def test_405_says_which_methods_are_allowed(client, method):
    g = make_gathering()
    for path in ("/api/v1/gatherings", f"/api/v1/gatherings/{g.slug}"):
        response = client.open(path, method=method)
        assert response.status_code == 405
        assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
        assert response.get_json()["status"] == 405


def test_405_on_pages_says_so_too(client):
    response = client.delete("/")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


@pytest.mark.parametrize("query", [{"q": "x" * 101}, {"kind": "feest"}, {"kind": ""}])
def test_filters_outside_the_description_are_a_described_400(client, spec, query):
    response = client.get("/api/v1/gatherings", query_string=query)
    assert response.status_code == 400
    validate(spec, "/api/v1/gatherings", 400, response.get_json())
    assert response.get_json()["error"].startswith("Ongeldige waarde voor ")


def test_q_of_100_characters_is_a_filter(client, spec):
    make_gathering(title="Buurtsoep")
    response = client.get("/api/v1/gatherings", query_string={"q": "x" * 100})
    assert response.status_code == 200 and response.get_json() == {"gatherings": []}


def test_nul_is_a_described_400(client, spec):
    response = client.get("/api/v1/gatherings", query_string={"theme": "a\x00b"})
    assert response.status_code == 400
    validate(spec, "/api/v1/gatherings", 400, response.get_json())


def test_the_list_pages_place_online_and_date_filters_work_here_too(client, spec):
    """Issue 15, item 6: the same filters as `/`, as the description says."""
    now = utcnow().replace(microsecond=0)
    make_gathering(title="Zwolle", venue_city="Zwolle", starts_at=now + timedelta(days=3))
    make_gathering(title="Utrecht", venue_city="Utrecht", starts_at=now + timedelta(days=30))
    make_gathering(title="Online", venue_name="", venue_address="", venue_city="", online_url="https://meet.example/x",
                   starts_at=now + timedelta(days=60))

    def found(query):
        response = client.get("/api/v1/gatherings" + query)
        assert response.status_code == 200, response.get_json()
        validate(spec, "/api/v1/gatherings", 200, response.get_json())
        return sorted(g["title"] for g in response.get_json()["gatherings"])

    in_10_days, in_40_days = (now + timedelta(days=10)).date(), (now + timedelta(days=40)).date()
    assert found("?city=Zwolle") == ["Zwolle"]
    assert found("?city=Nergens") == []
    assert found("?online=true") == ["Online"]
    assert found("?online=false") == ["Utrecht", "Zwolle"]
    assert found(f"?from={in_10_days}") == ["Online", "Utrecht"]
    assert found(f"?to={in_10_days}") == ["Zwolle"]
    assert found(f"?from={in_10_days}&to={in_40_days}") == ["Utrecht"]
    assert found(f"?from={in_40_days}&to={in_10_days}") == []  # the wrong way round: nothing, not an error
    assert found("?from=0001-01-01&to=9999-12-31") == ["Online", "Utrecht", "Zwolle"]  # outside 2000-2100


@pytest.mark.parametrize("query", [{"from": "31-12-2027"}, {"to": "2027-02-30"}, {"from": "morgen"},
                                   {"online": "ja"}, {"city": "x" * 121}])
def test_a_new_filter_it_cannot_read_is_a_described_400(client, spec, query):
    response = client.get("/api/v1/gatherings", query_string=query)
    assert response.status_code == 400
    validate(spec, "/api/v1/gatherings", 400, response.get_json())
    assert response.get_json()["error"] == f"Ongeldige waarde voor {next(iter(query))}."
