"""An answer cannot be traced back to a person: no column joins it to one, and erasing people leaves it."""
from datetime import date

import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.reflection import services
from gatherings.reflection.models import ReflectionAnswer

from .test_views import answers, tokens

PERSONAL_TABLES = {"registration", "organiser", "outbox_message", "access_token", "certificate",
                   "reflection_invitation"}


def test_no_column_of_an_answer_leads_to_a_person(app):
    table = ReflectionAnswer.__table__
    assert {c.name for c in table.columns} == {"id", "gathering_id", "perspective_group", "answered_on", "value",
                                               "takeaway", "suggestion"}
    # Its only foreign key is the gathering; and nothing points at an answer.
    assert {fk.column.table.name for fk in table.foreign_keys} == {"gathering"}
    for other in db.metadata.sorted_tables:
        assert all(fk.column.table is not table for fk in other.foreign_keys), other.name
    # The day, never a moment.
    assert isinstance(table.c.answered_on.type, sa.Date) and not isinstance(table.c.answered_on.type, sa.DateTime)
    # The database the migrations build agrees (not only the model).
    inspector = sa.inspect(db.engine)
    referred = {fk["referred_table"] for fk in inspector.get_foreign_keys("reflection_answer")}
    assert referred == {"gathering"}
    assert not PERSONAL_TABLES & referred


def test_the_invitation_knows_the_group_and_whether_it_was_used_not_when_or_which_answer(app):
    from gatherings.reflection.models import ReflectionInvitation

    columns = {c.name for c in ReflectionInvitation.__table__.columns}
    assert columns == {"id", "token_hash", "gathering_id", "perspective_group", "used"}


def test_erasing_and_purging_the_people_leaves_the_answers(app, client, people, ended):
    from gatherings.privacy.services import anonymise, purge
    from gatherings.timeutil import utcnow

    first, second, _third = tokens(people)
    client.post(f"/reflect/{first}", data={"value": "5", "takeaway": "Goed."})
    client.post(f"/reflect/{second}", data={"value": "2"})
    present, absent = people
    anonymise(present[0], utcnow())
    db.session.commit()
    app.config["RETENTION_DAYS"] = 0
    purge()
    db.session.commit()
    assert [(a.perspective_group, a.value) for a in answers()] == [("lived", 5), ("relatives", 2)]
    assert all(isinstance(a.answered_on, date) for a in answers())


def test_the_token_itself_is_not_stored(app, people):
    from gatherings.reflection.models import ReflectionInvitation

    token = tokens(people)[0]
    stored = db.session.scalars(sa.select(ReflectionInvitation.token_hash)).all()
    assert token not in stored and services.token_digest(token) in stored
