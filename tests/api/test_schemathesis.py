"""Schemathesis against the API's own description: every answer matches /api/v1/openapi.json.

All of schemathesis's checks (no 5xx, status codes, content types, headers and bodies as described,
bad input refused, good input accepted, 405 with Allow ...), for valid and invalid requests, on
the WSGI app and its database (SQLite or PostgreSQL, as the rest of the suite). Deterministic and
bounded: a fixed number of examples per operation, the same ones every run.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from gatherings.api.openapi import SPEC
from tests.factories import make_gathering, make_registration, make_theme
from tests.programme_factories import choose, make_programme

# Enough to reach the boundaries (long q, unknown kind, odd slugs, NUL, non-ASCII) in well under 30 s.
MAX_EXAMPLES = 40
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
})


# The document the app serves (test_the_served_description_is_the_one_tested). Loaded at import rather than
# through schemathesis.pytest.from_fixture, whose lazy loading does not work with pytest 9.
schema = schemathesis.openapi.from_dict(SPEC, config=CONFIG)


@pytest.fixture
def api(app):
    theme = make_theme("inclusie", "Sociale inclusie")
    make_gathering(title="Buurtsoep", theme=theme, slug="buurtsoep")
    make_gathering(kind="mixed", title="Gemengde sessie")
    day = make_gathering(kind="national", title="Landelijke dag", slug="landelijke-dag")
    _opening, first = make_programme(day, rounds=((("Herstel", "Zaal 1", 1), ("Wonen", "", 5)),))
    choose(make_registration(day), first.workshops[0])
    choose(make_registration(day), first.workshops[0], "waiting")
    return app


def test_the_served_description_is_the_one_tested(client):
    assert client.get("/api/v1/openapi.json").get_json() == SPEC


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_answers_as_described(case, api):
    case.call_and_validate(app=api)
