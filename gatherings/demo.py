"""``flask demo``: the movement's themes, a few hosts and gatherings of every kind."""
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from .catalogue.models import Gathering, HostOrganisation, Theme
from .database import unit_of_work, write_lock_row
from .extensions import db
from .programme.models import ProgrammePart, Workshop
from .registration import services
from .timeutil import AMSTERDAM, utcnow

THEMES = [
    ("perspectieven", "Integreren van de perspectieven van cliënt, naaste en hulpverlener"),
    ("thuis-voelen", "Je thuis voelen, in de wijk of elders"),
    ("jongvolwassenen", "Integrale zorg en ondersteuning voor jongvolwassenen"),
    ("samenhang", "Samenhang in behandeling en ondersteuning"),
    ("inclusie", "Sociale inclusie"),
    ("medezeggenschap", "Medezeggenschap van cliënten"),
    ("zorgonderwijs", "Zorgonderwijs"),
]
HOSTS = [
    ("de-hoven", "GGZ De Hoven", "Utrecht", "info@dehoven.example"),
    ("lentis-noord", "Herstelhuis Noord", "Groningen", "contact@herstelhuis.example"),
    ("samen-sterk", "Stichting Samen Sterk", "Eindhoven", "hallo@samensterk.example"),
]


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = (datetime.now(AMSTERDAM) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


def _gatherings(themes, hosts):
    return [
        dict(slug="in-elkaars-keuken-utrecht", kind="theme", title="Een kijkje in elkaars keuken: De Hoven",
             theme=themes["perspectieven"], host=hosts["de-hoven"], starts_at=_at(12, 13, 30), ends_at=_at(12, 16),
             venue_name="Buurthuis De Pijler", venue_address="Oudegracht 12", venue_city="Utrecht", capacity=40,
             accessibility="Drempelvrij, lift aanwezig, invalidetoilet. Stilteruimte op de eerste verdieping.",
             description="Cliënten, naasten en hulpverleners van De Hoven laten zien hoe zij samen werken aan herstel. Daarna praten we in kleine groepen."),
        dict(slug="thuis-in-de-wijk-groningen", kind="theme", title="Je thuis voelen in de wijk",
             theme=themes["thuis-voelen"], host=hosts["lentis-noord"], starts_at=_at(26, 14), ends_at=_at(26, 17),
             venue_name="Wijkcentrum De Wijert", venue_address="Van Lenneplaan 3", venue_city="Groningen", capacity=3,
             accessibility="Gelijkvloers. Parkeren voor de deur. Rustige ruimte.",
             description="Wat maakt dat je je thuis voelt? Een middag over wonen, buren en erbij horen. Bijna vol."),
        dict(slug=NATIONAL_SLUG, kind="national", title="Landelijke dag: radicale vernieuwing samen",
             theme=None, host=None, starts_at=_at(60, 10), ends_at=_at(60, 16, 30),
             venue_name="Jaarbeurs", venue_address="Jaarbeursplein 6", venue_city="Utrecht", capacity=400,
             accessibility="Volledig toegankelijk. Rolstoelplekken in de zaal, ringleiding, tolk gebarentaal bij plenaire delen, stilteruimte.",
             description="De landelijke dag van de beweging: plenaire delen in de ochtend, werkplaatsen in twee rondes in de middag."),
        dict(slug="gemengde-sessie-jongvolwassenen", kind="mixed", title="Gemengde sessie: jongvolwassenen en zorg",
             theme=themes["jongvolwassenen"], host=hosts["samen-sterk"], starts_at=_at(19, 19), ends_at=_at(19, 21, 30),
             venue_name="Stichting Samen Sterk", venue_address="Stratumseind 40", venue_city="Eindhoven", capacity=24,
             allot_lived=8, allot_relatives=8, allot_professionals=8,
             accessibility="Begane grond, drempelvrij. Er is een rustige ruimte.",
             description="Jongvolwassenen met ervaring, naasten en hulpverleners in gelijke aantallen aan tafel."),
        dict(slug="medezeggenschap-online", kind="theme", title="Medezeggenschap: hoe doe je dat? (online)",
             theme=themes["medezeggenschap"], host=None, starts_at=_at(33, 19, 30), ends_at=_at(33, 21),
             online_url="https://meet.example/medezeggenschap", capacity=80,
             description="Een online avond over meepraten en meebeslissen in de ggz."),
    ]


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no gatherings yet.")
@with_appcontext
def demo_command(if_empty: bool):
    """Load demo themes, host organisations and gatherings (safe to run twice)."""
    with unit_of_work():
        created = _load_demo(if_empty)
    if created is None:
        click.echo("The database already has gatherings; demo data not loaded.")
    else:
        click.echo(f"Demo data: {created} gatherings added.")


def _load_demo(if_empty: bool) -> int | None:
    """How many gatherings were added; None when ``if_empty`` and there are gatherings already."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Gathering)):
        return None
    themes = {}
    for slug, name in THEMES:
        theme = db.session.scalar(sa.select(Theme).where(Theme.slug == slug)) or Theme(slug=slug, name=name)
        db.session.add(theme)
        themes[slug] = theme
    hosts = {}
    for slug, name, city, email in HOSTS:
        host = db.session.scalar(sa.select(HostOrganisation).where(HostOrganisation.slug == slug))
        host = host or HostOrganisation(slug=slug, name=name, city=city, contact_email=email)
        db.session.add(host)
        hosts[slug] = host
    db.session.flush()
    created = 0
    now = utcnow()
    for data in _gatherings(themes, hosts):
        if db.session.scalar(sa.select(Gathering).where(Gathering.slug == data["slug"])):
            continue
        gathering = Gathering(status="published", changed_at=now, **data)
        db.session.add(gathering)
        created += 1
    db.session.flush()
    if created:
        almost_full_id = db.session.scalar(sa.select(Gathering.id).where(Gathering.slug == "thuis-in-de-wijk-groningen"))
        if almost_full_id is not None:
            almost_full = write_lock_row(Gathering, almost_full_id)
            for name in ("Anna de Vries", "Pieter Jansen"):
                services.register(almost_full, services.Applicant(
                    name=name, email=f"{name.split()[0].lower()}@voorbeeld.nl", perspective="relative",
                    consent_version="demo"))
    _national_programme()
    created += _ended_yesterday(themes, hosts)
    return created


NATIONAL_SLUG = "landelijke-dag-2027"
# (kind, title, start, end, description, workshops: (title, leader, room, capacity, description))
PROGRAMME = [
    ("plenary", "Welkom en opening", (10, 0), (10, 45),
     "De dagvoorzitter opent de dag. Een cliënt, een naaste en een hulpverlener vertellen waarom zij meedoen.", []),
    ("plenary", "In gesprek: wat is radicale vernieuwing?", (11, 0), (12, 30),
     "Een gesprek in de grote zaal, met vragen uit de zaal.", []),
    ("round", "Werkplaatsen, ronde 1", (13, 30), (14, 30), "Kies één werkplaats.", [
        ("Herstel begint thuis", "Herstelhuis Noord", "Zaal Utrecht", 150,
         "Hoe een thuis helpt bij herstel, en wat de wijk kan doen."),
        ("Naasten aan tafel", "Landelijk netwerk naasten", "Zaal Amsterdam", 125,
         "Naasten en hulpverleners over samen beslissen."),
        ("Ervaringsdeskundigheid in het team", "GGZ De Hoven", "Zaal Rotterdam", 125,
         "Wat een ervaringsdeskundige in een behandelteam verandert."),
        ("Kleine kring: na een opname", "Stichting Samen Sterk", "Stilteruimte", 3,
         "Een klein gesprek in een rustige ruimte. Plaats voor drie mensen."),
    ]),
    ("round", "Werkplaatsen, ronde 2", (14, 45), (15, 45), "Kies één werkplaats.", [
        ("Jongvolwassenen: de overgang naar 18", "Stichting Samen Sterk", "Zaal Utrecht", 150,
         "Jongeren en hun naasten over zorg die ophoudt bij 18 jaar."),
        ("Medezeggenschap die werkt", "Cliëntenraad De Hoven", "Zaal Amsterdam", 125,
         "Hoe een cliëntenraad echt meebeslist."),
        ("Werk en meedoen", "Herstelhuis Noord", "Zaal Rotterdam", 125,
         "Werk, vrijwilligerswerk en erbij horen."),
    ]),
    ("plenary", "Afsluiting", (16, 0), (16, 30), "Wat nemen we mee? Terugblik en afsluiting.", []),
]


def _national_programme() -> None:
    """The national day's programme: a plenary morning, two afternoon rounds of workshops (one of them for
    three people), a plenary close. Only on a day without a programme yet, so a second run adds nothing;
    times on the day the gathering is, also when it was made by an earlier run."""
    gathering = db.session.scalar(sa.select(Gathering).where(Gathering.slug == NATIONAL_SLUG))
    if gathering is None or db.session.scalar(
            sa.select(sa.func.count()).select_from(ProgrammePart).where(ProgrammePart.gathering_id == gathering.id)):
        return
    day = gathering.starts_at.astimezone(AMSTERDAM).date()

    def at(hour_minute):
        return datetime(day.year, day.month, day.day, *hour_minute, tzinfo=AMSTERDAM)

    for kind, title, start, end, description, workshops in PROGRAMME:
        part = ProgrammePart(gathering=gathering, kind=kind, title=title, description=description,
                             starts_at=at(start), ends_at=at(end))
        part.workshops = [Workshop(title=w_title, leader=leader, room=room, capacity=capacity, description=text)
                          for w_title, leader, room, capacity, text in workshops]
        db.session.add(part)
    db.session.flush()
    _fill_small_workshop(gathering)


SMALL_CIRCLE = [("Yusuf Demir", "client"), ("Henk de Groot", "relative"), ("Lotte Vermeulen", "professional")]


def _fill_small_workshop(gathering: Gathering) -> None:
    """Three people who registered for the day and took the small circle's three seats, so the form shows a
    full workshop that can still be chosen (its waiting list)."""
    from .programme import services as programme

    rounds = [p for p in gathering.programme if p.is_round]
    for n, (name, perspective) in enumerate(SMALL_CIRCLE):
        locked = write_lock_row(Gathering, gathering.id)
        person = services.register(locked, services.Applicant(
            name=name, email=f"{name.split()[0].lower()}@voorbeeld.nl", perspective=perspective,
            consent_version="demo")).registration
        programme.choose(locked, person, {rounds[0].id: rounds[0].workshops[-1].id,
                                          rounds[1].id: rounds[1].workshops[n % len(rounds[1].workshops)].id})


ENDED_SLUG = "terugblik-samen-herstellen"
ATTENDEES = [
    ("Sanne Bakker", "client"), ("Joost de Boer", "relative"), ("Mirjam Visser", "professional"),
    ("Karim Haddou", "experience_expert"), ("Els Mulder", "relative"), ("Thomas Smit", "professional"),
]
NO_SHOW = ("Ruud Meijer", "client")


def _ended_yesterday(themes, hosts) -> int:
    """A gathering that ended yesterday: its participants checked in (one did not come).

    ``mail send`` (``make run`` keeps it running) then queues their reflection invitations, and each has a
    certificate; the reports count it. Registered while it was still open, then moved to yesterday, as
    registration closes when a gathering starts.
    """
    if db.session.scalar(sa.select(Gathering).where(Gathering.slug == ENDED_SLUG)):
        return 0
    gathering = Gathering(
        slug=ENDED_SLUG, kind="theme", title="Samen herstellen: een terugblik", theme=themes["samenhang"],
        host=hosts["de-hoven"], starts_at=_at(7, 13, 30), ends_at=_at(7, 16), status="published",
        venue_name="Buurthuis De Pijler", venue_address="Oudegracht 12", venue_city="Utrecht", capacity=30,
        description="Cliënten, naasten en hulpverleners kijken samen terug op een jaar samenwerken.",
        changed_at=utcnow())
    db.session.add(gathering)
    db.session.flush()
    people = []
    for name, perspective in ATTENDEES + [NO_SHOW]:
        email = name.split()[0].lower() + "@voorbeeld.nl"
        people.append(services.register(write_lock_row(Gathering, gathering.id), services.Applicant(
            name=name, email=email, perspective=perspective, consent_version="demo")).registration)
    gathering.starts_at, gathering.ends_at = _at(-1, 13, 30), _at(-1, 16)
    for person in people[:len(ATTENDEES)]:
        person.checked_in_at = gathering.starts_at + timedelta(minutes=10)
    db.session.flush()
    return 1
