"""Every public and organiser form, and the query strings of the organiser's pages, fuzzed.

Each form gets, field by field, a good value or a bad one: any Unicode (control characters,
line separators, right-to-left marks, emoji), huge and tiny numbers, non-ASCII digits, dates at the
ends of the calendar, the words a checkbox or a select does not send, very long text, a file where
text belongs, a field sent twice, a field left out. Two things must hold for every answer:

- never a 5xx (the app runs with TESTING, so an exception fails the test with its traceback);
- a refused form (any 4xx) stored nothing: every table has as many rows as before.

Deterministic (Hypothesis derandomized: the same examples every run) and bounded (a fixed number
of examples per form), on SQLite and on PostgreSQL like the rest of the suite.
"""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from gatherings.catalogue.models import HostOrganisation
from gatherings.extensions import db
from tests.factories import login_as, make_gathering, make_organiser, make_registration, make_theme
from tests.fuzz_forms import FORMS, PASSWORD, File, Form, Slot, form_data

@pytest.fixture
def world(app, client):
    from gatherings.my.models import AccessToken, hash_token
    from gatherings.timeutil import local, utcnow
    from datetime import timedelta

    theme = make_theme()
    host = HostOrganisation(slug="de-hoven", name="GGZ De Hoven", city="Utrecht")
    db.session.add(host)
    gathering = make_gathering(title="Samen aan tafel", theme=theme, capacity=2)
    mixed = make_gathering(kind="mixed", title="Gemengd")
    other = make_gathering(title="Een andere")
    draft = make_gathering(title="Concept", status="draft")
    registrations = [make_registration(gathering, name=f"Deelnemer {i}") for i in range(3)]  # one waiting
    from gatherings.programme import services as programme_services
    from tests.factories import locked_call
    from tests.programme.factories import make_programme
    rounds = make_programme(other, [1, 50], [3], optional={1})
    chooser = make_registration(other, name="Kiezer")
    locked_call(programme_services.choose, other, chooser, {rounds[0].id: rounds[0].workshops[0].id})  # 1A is full
    admin = make_organiser("beheer@voorbeeld.nl", admin=True, password=PASSWORD)
    organiser = make_organiser("org@voorbeeld.nl", gatherings=[gathering, mixed, other, draft])
    db.session.add(AccessToken(token_hash=hash_token("mijn-link"), email_key=registrations[0].email_key,
                               expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    from gatherings.alerts import services as alerts
    from gatherings.database import unit_of_work
    from gatherings.reflection.models import ReflectionInvitation, token_digest
    follows = [alerts.request_follow(f"volger{i}@voorbeeld.nl", theme_slugs=["inclusie"], kinds=[], locale="nl",
                                     consent_version="fuzz") for i in range(3)]
    db.session.add(ReflectionInvitation(token_hash=token_digest("reflectie-link"), gathering_id=other.id,
                                        perspective_group="unknown"))
    db.session.commit()
    with unit_of_work():
        alerts.confirm(follows[1])
        alerts.confirm(follows[2])
    day = make_gathering(title="Landelijke dag", kind="national", capacity=50)
    (day_round,) = make_programme(day, [1, 5], plenary=False)
    day_registration = make_registration(day, name="Kiest een werkplaats")
    locked_call(programme_services.choose, day, day_registration, {day_round.id: day_round.workshops[0].id})
    login_as(client, admin)
    return {
        "day_slug": day.slug, "day_part_id": day_round.id, "day_workshop_id": day_round.workshops[0].id,
        "day_other_workshop_id": day_round.workshops[1].id, "day_registration_id": day_registration.id,
        "part_start": f"{local(day_round.ends_at):%d-%m-%Y %H:%M}",
        "part_end": f"{local(day_round.ends_at) + timedelta(minutes=30):%d-%m-%Y %H:%M}",
        "pending_follow_token": alerts.link_token(follows[0].nonce), "follow_token": alerts.link_token(follows[1].nonce),
        "other_follow_token": alerts.link_token(follows[2].nonce), "reflect_token": "reflectie-link",
        "slug": gathering.slug, "mixed_slug": mixed.slug, "other_slug": other.slug, "draft_slug": draft.slug,
        "token": registrations[1].token, "my_token": "mijn-link", "registration_id": registrations[2].id,
        "theme_id": theme.id, "host_id": host.id, "admin_id": admin.id, "organiser_id": organiser.id,
        "other_token": chooser.token, "round_id": rounds[0].id, "optional_round_id": rounds[1].id,
        "full_workshop_id": rounds[0].workshops[0].id, "workshop_id": rounds[0].workshops[1].id,
        "optional_workshop_id": rounds[1].workshops[0].id,
    }


def row_counts() -> dict[str, int]:
    """Rows per table, in one query."""
    db.session.expire_all()
    tables = db.metadata.sorted_tables
    counts = db.session.execute(sa.select(*(
        sa.select(sa.func.count()).select_from(table).scalar_subquery().label(table.name) for table in tables))).one()
    return dict(zip((table.name for table in tables), counts))


def _request_data(data: dict, values: dict, n: int, *, files: bool = True) -> dict:
    """The fields as the test client sends them (a list for a repeated field; a file makes it multipart)."""
    sent = {}
    for name, value in data.items():
        if value is None:
            continue  # left out
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, File):
                out.append((io.BytesIO(b"\x00\xff binary"), "x.bin") if files else "x.bin")
            elif isinstance(item, Slot):
                out.append(item.format(n=n, **values))
            else:
                out.append(item)
        sent[name.format(**values) if "{" in name else name] = out if len(out) > 1 else out[0]
    return sent


AREAS = sorted({form.area for form in FORMS})


@pytest.mark.parametrize("area", AREAS)
def test_forms_never_fail_and_a_refused_form_stores_nothing(app, client, world, area):
    """One world per area (setting one up costs more than a dozen requests); each form fuzzed in turn."""
    for form in FORMS:
        if form.area == area:
            try:
                fuzz(form, client, world)
            except BaseException as error:
                error.add_note(f"form: {form.name} ({form.method} {form.path})")
                raise


def fuzz(form: Form, client, world: dict) -> None:
    counter = iter(range(1, 10**6))

    def check(data: dict, query: dict) -> None:
        n = next(counter)
        body = _request_data(data, world, n)
        query_string = _request_data(query, world, n, files=False)
        path = form.path.format(**world)
        before = row_counts()
        if form.method == "GET":
            response = client.get(path, query_string=query_string)
        else:
            response = client.post(path, query_string=query_string, data=body)
        assert response.status_code < 500, (response.status_code, body, query_string)
        if 400 <= response.status_code < 500 and not form.stores_when_refused:
            assert row_counts() == before, (response.status_code, body, query_string)
        db.session.rollback()

    # The sweep: every boundary of every field's kind once, all fields at once (each field reads and
    # checks its own value whatever the others hold).
    specs = {**form.fields, **form.query}
    for i in range(max((len(spec.bad_values) for spec in specs.values()), default=0)):
        values = {name: spec.bad_values[i % len(spec.bad_values)] for name, spec in specs.items() if spec.bad_values}
        check({name: values.get(name) for name in form.fields}, {name: values.get(name) for name in form.query})

    @settings(max_examples=form.examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(data=form_data(form.fields), query=form_data(form.query))
    def one_request(data, query):
        check(data, query)

    one_request()
