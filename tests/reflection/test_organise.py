"""The organiser's reflection page, and the admins' overview across gatherings with its audited CSV."""
import random
from datetime import date

import sqlalchemy as sa
from werkzeug.http import parse_options_header

from gatherings.attendance.models import ExportLog
from gatherings.extensions import db
from gatherings.reflection import results, services
from gatherings.reflection.models import ReflectionAnswer, ReflectionInvitation
from tests.factories import login_as, make_gathering, make_organiser, make_theme


def add_answers(gathering, group, values, texts=()):
    texts = list(texts) + [""] * (len(values) - len(texts))
    for value, text in zip(values, texts):
        db.session.add(ReflectionInvitation(token_hash=services.token_digest(f"{group}{random.random()}"),
                                            gathering_id=gathering.id, perspective_group=group, used=True))
        db.session.add(ReflectionAnswer(gathering_id=gathering.id, perspective_group=group,
                                        answered_on=date(2026, 3, 5), value=value, takeaway=text, suggestion=""))
    db.session.commit()


def test_averages_only_for_groups_of_five_or_more(app):
    gathering = make_gathering()
    add_answers(gathering, "lived", [5, 4, 4, 3, 5], texts=["Herkenning."])
    add_answers(gathering, "relatives", [1, 2], texts=["Te druk."])
    found = results.gathering_results(gathering)
    groups = {g.group.value: g for g in found.groups}
    assert (found.invitations, found.answers) == (7, 7)
    assert groups["lived"].shown and groups["lived"].average == 4.2 and groups["lived"].answers == 5
    assert not groups["relatives"].shown and groups["relatives"].average is None
    written = {w.text: w.group for w in found.written}
    assert written == {"Herkenning.": "lived", "Te druk.": None}


def test_written_answers_come_in_random_order(app):
    gathering = make_gathering()
    add_answers(gathering, "professionals", [3] * 8, texts=[f"Antwoord {n}" for n in range(8)])
    orders = {tuple(w.text for w in results.gathering_results(gathering, rng=random.Random(seed)).written)
              for seed in range(5)}
    assert len(orders) > 1


def test_the_organiser_page_shows_counts_chart_and_texts_without_names(app, client):
    gathering = make_gathering(title="Keukentafel")
    organiser = make_organiser(gatherings=[gathering])
    login_as(client, organiser)
    add_answers(gathering, "lived", [5, 4, 4, 3, 5], texts=["Herkenning."])
    add_answers(gathering, "relatives", [1, 2], texts=["Te druk."])
    html = client.get(f"/organise/gatherings/{gathering.slug}/reflection").get_data(as_text=True)
    assert "<svg" in html and "4.2" in html and "<script" not in html
    assert "Herkenning." in html and "Te druk." in html
    relatives_row = html.split("<th scope=\"row\">Naasten</th>")[1].split("</tr>")[0]
    assert "niet getoond" in relatives_row and "1.5" not in html


def test_the_organiser_turns_it_off_and_edits_the_questions(app, client):
    gathering = make_gathering()
    login_as(client, make_organiser(gatherings=[gathering]))
    response = client.post(f"/organise/gatherings/{gathering.slug}/reflection",
                           data={"takeaway_question": "Wat raakte u?", "suggestion_question": ""})
    assert response.status_code == 303
    settings = services.settings_of(gathering)
    assert settings.enabled is False
    assert services.questions(settings) == ("Wat raakte u?", "Wat kan beter?")
    too_long = client.post(f"/organise/gatherings/{gathering.slug}/reflection",
                           data={"enabled": "y", "takeaway_question": "x" * 301})
    assert too_long.status_code == 422
    assert "Dit mag hoogstens 300 tekens lang zijn." in too_long.get_data(as_text=True)
    assert services.settings_of(gathering).enabled is False


def test_only_the_gatherings_organisers_see_its_reflections(app, client):
    gathering = make_gathering()
    login_as(client, make_organiser())
    assert client.get(f"/organise/gatherings/{gathering.slug}/reflection").status_code == 403
    assert client.get("/organise/reflection").status_code == 403


def test_admins_see_the_period_by_theme_and_kind_and_download_an_audited_csv(app, client):
    from datetime import datetime, timezone

    theme = make_theme()
    in_period = make_gathering(theme_id=theme.id, starts_at=datetime(2026, 3, 4, 12, tzinfo=timezone.utc))
    outside = make_gathering(theme_id=theme.id, starts_at=datetime(2025, 3, 4, 12, tzinfo=timezone.utc))
    add_answers(in_period, "lived", [5, 5, 4, 4, 3])
    add_answers(outside, "lived", [1, 1, 1, 1, 1])
    admin = make_organiser(admin=True)
    login_as(client, admin)
    html = client.get("/organise/reflection?start=2026-01-01&end=2026-12-31").get_data(as_text=True)
    assert "Sociale inclusie" in html and "4.2 (5)" in html and "1.0" not in html
    chart = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Gemiddelde waarde per perspectief, alle bijeenkomsten" in chart and "4.2" in chart
    assert 'tabindex="0"' in html

    bad = client.get("/organise/reflection?start=2026-13-01&end=2025-01-01")
    assert bad.status_code == 422
    assert "Vul een datum in, bijvoorbeeld 2026-03-31." in bad.get_data(as_text=True)

    response = client.post("/organise/reflection.csv?start=2026-01-01&end=2026-12-31")
    assert response.status_code == 200
    assert parse_options_header(response.headers["Content-Disposition"]) == \
        ("attachment", {"filename": "reflectie-2026-01-01-2026-12-31.csv"})
    text = response.get_data().decode("utf-8-sig")
    assert "Thema;Sociale inclusie;1;5;5;5;4,2" in text
    [entry] = db.session.scalars(sa.select(ExportLog)).all()
    assert (entry.actor_email, entry.gathering_slug, entry.format, entry.row_count) == \
        (admin.email, "rapport-reflectie", "csv", len(text.strip().splitlines()) - 1)
