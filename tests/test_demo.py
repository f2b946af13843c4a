"""``flask demo`` gives the national day a programme: a plenary morning, two afternoon rounds of at least
three workshops, one workshop of at most three seats; a second run changes nothing."""
import sqlalchemy as sa

from gatherings.catalogue.models import Gathering
from gatherings.demo import NATIONAL_SLUG
from gatherings.extensions import db
from gatherings.programme.models import ProgrammePart, Workshop
from gatherings.timeutil import local


def _programme_rows():
    return (db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammePart)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Workshop)))


def test_demo_gives_the_national_day_a_programme_once(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    once = _programme_rows()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "0 gatherings added" in second.output
    assert _programme_rows() == once

    day = db.session.scalar(sa.select(Gathering).where(Gathering.slug == NATIONAL_SLUG))
    body = client.get(f"/api/v1/gatherings/{NATIONAL_SLUG}").get_json()
    programme = body["programme"]
    rounds = [p for p in programme if p["kind"] == "round"]
    plenary = [p for p in programme if p["kind"] == "plenary"]
    assert len(rounds) == 2 and all(len(r["workshops"]) >= 3 for r in rounds)
    parts = db.session.scalars(sa.select(ProgrammePart).where(ProgrammePart.gathering_id == day.id)
                               .order_by(ProgrammePart.starts_at)).all()
    # A plenary morning, rounds in the afternoon, everything inside the day, in order, no overlap.
    assert plenary and parts[0].kind == "plenary" and local(parts[0].starts_at).hour < 12
    assert all(local(p.starts_at).hour >= 12 for p in parts if p.kind == "round")
    assert day.starts_at <= parts[0].starts_at and parts[-1].ends_at <= day.ends_at
    assert all(a.ends_at <= b.starts_at for a, b in zip(parts, parts[1:]))
    # One small workshop; the rounds seat the whole day.
    assert any(w["capacity"] <= 3 for r in rounds for w in r["workshops"])
    assert all(sum(w["capacity"] for w in r["workshops"]) >= day.capacity for r in rounds)
    assert all(w["room"] for r in rounds for w in r["workshops"])
    # The small one is full, so the form shows a workshop that can still be chosen for its waiting list.
    small = next(w for r in rounds for w in r["workshops"] if w["capacity"] <= 3)
    assert small["seats_left"] == 0 and small["confirmed"] == small["capacity"]


def test_a_national_day_from_an_earlier_demo_gets_its_programme_on_its_own_day(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    day = db.session.scalar(sa.select(Gathering).where(Gathering.slug == NATIONAL_SLUG))
    db.session.execute(sa.delete(ProgrammePart))  # as loaded before the demo had a programme
    moved = day.starts_at.replace(year=day.starts_at.year + 1)
    day.ends_at, day.starts_at = day.ends_at.replace(year=day.ends_at.year + 1), moved
    db.session.commit()
    assert runner.invoke(args=["demo"]).exit_code == 0
    parts = db.session.scalars(sa.select(ProgrammePart).where(ProgrammePart.gathering_id == day.id)).all()
    assert parts and all(day.starts_at <= p.starts_at and p.ends_at <= day.ends_at for p in parts)
