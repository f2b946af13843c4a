"""The forms tests/test_form_fuzz.py fuzzes: each form's address, fields and the good and bad values of each field."""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

PASSWORD = "een goed wachtwoord"


class File:
    """A file upload where a form expects text: sent as multipart/form-data."""


FILE = File()

SPECIAL = [
    "", " ", "   ", "\u00a0", "\t", "\r\n", "\n\n", "\x01", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029",
    "\u200b", "\u202e", "\ufeff", "\ud7ff", "\U0010ffff", "👩‍👩‍👧", "Zoë", "عائشة", "=?utf-8?q?Eve=0D=0AX-Injected=3A_yes?=",
    "Eve\r\nBcc: x@evil.example", "<script>alert(1)</script>", "' OR 1=1 --", "%", "_", "\\", "%00", "{{ 7*7 }}",
    "²", "١٢", "１２", "0", "-0", "00", "-1", "1.5", "1e309", "NaN", "inf", "None", "null", "true", "false",
    "y", "yes", "on", "off", "1", "2", str(2**31 - 1), str(2**31), str(2**63), str(-2**63 - 1), "9" * 40, "9" * 5000,
    "0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:59", "2000-01-01T00:00", "2100-12-31T23:59",
    "2101-01-01T00:00", "2027-03-28T02:30", "2027-10-31T02:30", "31-12-2026 14:30", "31-02-2027 10:00",
    "2027-13-01T10:00", "2027-01-12T25:00", "2027-01-12", "14:00",
    "a@b", "@", "a@b.c", "x" * 64 + "@voorbeeld.nl", "anna@voorbeeld.nl", "ANNA@VOORBEELD.NL", "an na@voorbeeld.nl",
    "javascript:alert(1)", "https://evil.example", "//evil.example", "/\t/evil.example", "/\r/x",
    "theme", "national", "mixed", "client", "relative", "professional", "not_said", "confirmed", "waitlisted", "all",
    "x" * 101, "x" * 201, "x" * 2001, "x" * 10_001,
]
NASTY = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),  # any code point but surrogates, control characters included
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.just(FILE),
)


# Bad values of each kind of field, next to the general ones: the boundaries of what that field reads.
DATE_BAD = ["0001-01-01T00:00", "9999-12-31T23:59", "0000-01-01T00:00", "1999-12-31T23:59", "2101-01-01T00:00",
            "2027-03-28T02:30", "2027-10-31T02:30", "31-02-2027 10:00", "2027-13-01T10:00", "2027-01-12T24:00",
            "01-01-0001 00.00", "31-12-9999 23.59", "１２-01-2027 14:00", "²⁰²⁷-01-12T14:00"]
NUMBER_BAD = ["²", "١٢", "1e309", "NaN", "-1", "+5", "1_000", "1.5", str(2**31), str(2**63), "9" * 5000,
              "100001", "61", " 7 "]
ID_BAD = ["None", "", "0", "-1", str(2**31 - 1), str(2**31), str(2**63), "9" * 40, "²", "١", "abc", "1.0"]
TEXT_BAD = [" ", "   ", "a\tb", "a\r\nb", "a\x0bb", "a\x85b", "a\u2028b", "\u202eevil",
            "=?utf-8?b?RXZlDQpYLUluamVjdGVkOiB5ZXM=?=", "x" * 121, "x" * 201, "x" * 2001, "x" * 10_001, "12345"]
# Fewer: checking a password is slow on purpose (scrypt).
PASSWORD_BAD = ["", "   ", "x" * 10_001, "wacht\r\nwoord", "\u202e" * 12]
EMAIL_BAD = ["a@b", "@", "a@", "@b.nl", "a b@voorbeeld.nl", "a@voorbeeld.nl\r\nBcc: x@evil.example",
             "x" * 250 + "@voorbeeld.nl", "anna@voorbeeld..nl", "\u00e9@voorbeeld.nl", "anna@xn--.nl", "-"]
CHOICE_BAD = ["", "y", "Y", "false", "0", "1", "on", "None", "theme ", "THEME", "client\n", "feest", "all\x00"[:3]]


@dataclass
class FormField:
    good: st.SearchStrategy
    bad: st.SearchStrategy
    bad_values: list[str]  # its kind's boundaries, each sent once (see sweep)


class Slot(str):
    """A good value naming something of the world ("{slug}") or a number of its own ("{n}")."""


def _kind(bad_values):
    def make(*values) -> FormField:
        good = st.sampled_from([Slot(v) if "{" in v else v for v in values])
        return FormField(good, st.one_of(st.sampled_from(bad_values), NASTY), bad_values)
    return make


text, date, number, ident = _kind(TEXT_BAD), _kind(DATE_BAD), _kind(NUMBER_BAD), _kind(ID_BAD)
password = _kind(PASSWORD_BAD)
email, choice = _kind(EMAIL_BAD), _kind(CHOICE_BAD)


def value_of(spec: FormField):
    """One field: left out, a good value, a bad one, or sent twice."""
    one = st.one_of(spec.good, spec.bad)
    return st.one_of(st.none(), spec.good, spec.bad, st.lists(one, min_size=2, max_size=3))


def form_data(fields: dict[str, FormField]):
    """Any mix of good and bad fields, or a good form with one field bad (to reach what lies past the
    first message: the service, the database, the mail)."""
    anything = st.fixed_dictionaries({name: value_of(spec) for name, spec in fields.items()})
    if not fields:
        return anything

    def one_bad(name):
        return st.fixed_dictionaries({other: (spec.bad if other == name else spec.good)
                                      for other, spec in fields.items()})

    return st.one_of(anything, st.sampled_from(sorted(fields)).flatmap(one_bad),
                     st.fixed_dictionaries({name: spec.good for name, spec in fields.items()}))


@dataclass
class Form:
    area: str
    name: str
    method: str
    path: str  # formatted with the world's values
    fields: dict[str, FormField] = field(default_factory=dict)
    query: dict[str, FormField] = field(default_factory=dict)
    examples: int = 6
    # A refused login or password check may count the attempt: only "never a 5xx" is asserted there.
    stores_when_refused: bool = False


PERSON = {
    "name": text("Anna de Vries", "Zoë"), "email": email("anna@voorbeeld.nl", "bo-{n}@voorbeeld.nl", ""),
    "perspective": choice("client", "relative", "professional", "not_said", ""),
    "organisation": text("", "Stichting Naast"), "needs": text("", "Een rustige plek\r\nen koffie"),
    "consent": choice("y"),
    "companion": choice("", "y"), "companion_name": text("", "Bea Bakker"),
}
# /r/<token>/edit: the person's fields but the address and consent.
CHANGE = {name: spec for name, spec in PERSON.items() if name not in ("email", "consent")}
GATHERING = {
    "title": text("Samen aan tafel"), "slug": text("", "samen-aan-tafel", "nieuw-{n}"),
    "kind": choice("theme", "national", "mixed"), "theme_id": ident("None", "{theme_id}"),
    "host_id": ident("None", "{host_id}"), "description": text("Een middag praten."),
    "starts_at": date("2027-01-12T14:00", "2100-12-31T20:00"), "ends_at": date("2027-01-12T17:00", "2100-12-31T23:59"),
    "venue_name": text("Buurthuis"), "venue_address": text("", "Oudegracht 12"), "venue_city": text("Utrecht"),
    "online_url": text("", "https://meet.voorbeeld.nl/x"), "accessibility": text("", "Rolstoel"),
    "capacity": number("30", "6", "0", "100000"), "allot_lived": number("", "2"), "allot_relatives": number("", "2"),
    "allot_professionals": number("", "2"), "registration_opens_at": date("", "2000-01-01T00:00"),
    "registration_closes_at": date("", "2027-01-11T10:00"), "reminder_days": number("2", "0", "60"),
    "contact_email": email("", "vragen@voorbeeld.nl"), "organiser_ids": ident("{admin_id}", "{organiser_id}"),
}
THEME = {"name": text("Sociale inclusie"), "slug": text("thema-{n}"), "description": text("", "Over meedoen.")}
HOST = {"name": text("GGZ De Hoven"), "slug": text("host-{n}"), "city": text("", "Utrecht"),
        "website": text("", "https://dehoven.nl"), "contact_email": email("", "info@dehoven.nl")}
PART = {"kind": choice("round", "plenary"), "title": text("Ronde 2"), "description": text("", "Kies er een."),
        "starts_at": date("{part_start}"), "ends_at": date("{part_end}"), "optional": choice("", "y")}
WORKSHOP = {"title": text("Herstel"), "description": text("", "Samen."), "leader": text("", "Cliëntenraad"),
            "room": text("", "Zaal 2"), "capacity": number("20", "0", "1", "100000")}
PAGE = number("1", "2", "")
# A gathering's programme (the world's "other" gathering): field names are filled in like values.
ROUNDS = {"round_{round_id}": ident("{workshop_id}", "{full_workshop_id}", "{optional_workshop_id}"),
          "round_{optional_round_id}": ident("none", "{optional_workshop_id}", "{workshop_id}")}
BUTTON = {"x": FormField(st.just(""), NASTY, [])}  # a button sends only its CSRF token: anything else must be ignored

FORMS = [
    # -- public ----------------------------------------------------------------------------------------
    Form("public", "register", "POST", "/gatherings/{slug}/register", {**PERSON, "website": text("")}),
    Form("public", "register mixed", "POST", "/gatherings/{mixed_slug}/register", {**PERSON, "website": text("")}),
    # Changed before it is cancelled: a cancelled registration refuses every change.
    Form("public", "change own registration", "POST", "/r/{token}/edit", CHANGE, examples=10),
    Form("public", "cancel own registration", "POST", "/r/{token}/cancel", {"confirm": choice("no", "yes")}),
    Form("public", "register with a programme", "POST", "/gatherings/{other_slug}/register",
         {**PERSON, **ROUNDS, "website": text("")}, examples=10),
    Form("public", "change own workshops", "POST", "/r/{other_token}/workshops",
         {**ROUNDS, "wait_if_full": choice("", "y")}, examples=10),
    Form("public", "ask for my link", "POST", "/my", {"email": email("an@voorbeeld.nl")}),
    Form("public", "erase my data", "POST", "/my/{my_token}/erase", {"confirm": choice("no", "yes")}, examples=10),
    Form("public", "language", "GET", "/taal/en", query={"next": text("/", "/gatherings/{slug}")}),
    Form("public", "language (unknown)", "GET", "/taal/xx", query={"next": text("/")}, examples=10),
    Form("public", "follow themes", "POST", "/alerts",
         {"email": email("volg-{n}@voorbeeld.nl", ""), "theme": choice("inclusie", ""),
          "kind": choice("theme", "national", "mixed", ""), "consent": choice("y"), "website": text("")}),
    Form("public", "confirm following", "POST", "/alerts/{pending_follow_token}/confirm", BUTTON, examples=4),
    Form("public", "change what I follow", "POST", "/alerts/{follow_token}",
         {"theme": choice("inclusie", ""), "kind": choice("theme", "national", "")}),
    Form("public", "stop following", "POST", "/alerts/{other_follow_token}/unsubscribe", BUTTON, examples=4),
    Form("public", "reflection", "POST", "/reflect/{reflect_token}",
         {"value": choice("1", "3", "5", ""), "takeaway": text("", "Veel geleerd."), "suggestion": text("", "Meer pauze.")}),
    Form("public", "list of gatherings", "GET", "/", query={"kind": choice("theme", ""), "theme": text("inclusie", ""),
                                                 "q": text("tafel", "")}),
    # -- organiser ---------------------------------------------------------------------------------------
    Form("organiser", "login", "POST", "/organise/login", {"email": email("beheer@voorbeeld.nl"), "password": password("fout")},
         query={"next": text("/organise/dashboard")}, examples=6, stores_when_refused=True),
    Form("organiser", "own password", "POST", "/organise/password",
         {"current_password": password("fout"), "new_password": password("nog een goed wachtwoord"),
          "confirm": password("nog een goed wachtwoord")}, examples=4, stores_when_refused=True),
    Form("organiser", "forgot password", "POST", "/organise/password/reset", {"email": email("beheer@voorbeeld.nl")},
         examples=6, stores_when_refused=True),
    Form("organiser", "password from a link", "POST", "/organise/password/reset/{my_token}",
         {"new_password": password("nog een goed wachtwoord"), "confirm": password("nog een goed wachtwoord")},
         examples=4, stores_when_refused=True),
    Form("organiser", "new gathering", "POST", "/organise/gatherings/new", GATHERING, examples=15),
    Form("organiser", "edit gathering", "POST", "/organise/gatherings/{draft_slug}/edit", GATHERING, examples=15),
    Form("organiser", "cancel gathering", "POST", "/organise/gatherings/{other_slug}/cancel",
         {"message": text("", "Helaas."), "confirm": choice("false")}),
    Form("organiser", "publish", "POST", "/organise/gatherings/{draft_slug}/publish", BUTTON, examples=5),
    # -- admin -------------------------------------------------------------------------------------------
    Form("admin", "new organiser", "POST", "/organise/admin/organisers",
         {"email": email("nieuw@voorbeeld.nl"), "name": text("", "Nieuw"), "password": password("kort"),
          "admin": choice("y", ""), "invite": choice("", "y")}, examples=10),
    Form("admin", "organiser active", "POST", "/organise/admin/organisers/{organiser_id}/active", {"value": choice("0", "1")}),
    Form("admin", "organiser admin", "POST", "/organise/admin/organisers/{organiser_id}/admin", {"value": choice("0", "1")}),
    Form("admin", "reset password", "POST", "/organise/admin/organisers/{organiser_id}/password", {"password": password("kort")},
         examples=10),
    Form("admin", "new theme", "POST", "/organise/admin/themes/new", THEME),
    Form("admin", "edit theme", "POST", "/organise/admin/themes/{theme_id}/edit", {**THEME, "slug": text("inclusie")}),
    Form("admin", "new host", "POST", "/organise/admin/hosts/new", HOST),
    Form("admin", "edit host", "POST", "/organise/admin/hosts/{host_id}/edit", HOST),
    # -- attendance --------------------------------------------------------------------------------------
    Form("attendance", "add by hand", "POST", "/organise/gatherings/{slug}/registrations/new", PERSON),
    Form("attendance", "add by hand, mixed", "POST", "/organise/gatherings/{mixed_slug}/registrations/new", PERSON),
    Form("attendance", "walk-in", "POST", "/organise/gatherings/{slug}/checkin/walk-in",
         {f"walk_in-{name}": value for name, value in PERSON.items()}),
    Form("attendance", "needs", "POST", "/organise/gatherings/{slug}/registrations/{registration_id}/needs",
         {"needs": text("Koffie")}, query={"q": text(""), "bevestigd": PAGE}),
    Form("attendance", "message", "POST", "/organise/gatherings/{slug}/message",
         {"audience": choice("all", "confirmed", "waitlisted"), "subject": text("Hoi"), "body": text("Tot dan."),
          "sender_name": text("Ria")}),
    Form("attendance", "check in", "POST", "/organise/gatherings/{slug}/checkin/{registration_id}", BUTTON,
         examples=10),
    Form("attendance", "promote", "POST", "/organise/gatherings/{slug}/registrations/{registration_id}/promote", BUTTON,
         query={"q": text(""), "wachtlijst": PAGE}, examples=10),
    Form("attendance", "door", "GET", "/organise/gatherings/{slug}/checkin", query={"q": text("Deel", ""), "done": ident("{registration_id}")}),
    Form("attendance", "door search", "GET", "/organise/gatherings/{slug}/checkin.json", query={"q": text("Deel")}),
    Form("attendance", "registrations", "GET", "/organise/gatherings/{slug}/registrations",
         query={"q": text("Deel", ""), "bevestigd": PAGE, "wachtlijst": PAGE,
                "geannuleerd": PAGE}),
    Form("attendance", "export log", "GET", "/organise/exports", query={"page": PAGE}),
    Form("attendance", "reports", "GET", "/organise/reports", query={"year": number("2027", "2026")}),
    Form("attendance", "reflection settings", "POST", "/organise/gatherings/{slug}/reflection",
         {"enabled": choice("y", ""), "takeaway_question": text("", "Wat neemt u mee?"),
          "suggestion_question": text("", "Wat kan beter?")}),
    Form("attendance", "attendance report", "GET", "/organise/reports/attendance",
         query={"start": date("", "2026-01-01"), "end": date("", "2026-12-31")}),
    Form("attendance", "attendance report csv", "POST", "/organise/reports/attendance.csv", BUTTON,
         query={"start": date("", "2026-01-01"), "end": date("", "2026-12-31")}, examples=4),
    Form("attendance", "reflection results", "GET", "/organise/reflection",
         query={"start": date("", "2026-01-01"), "end": date("", "2026-12-31")}),
    Form("attendance", "reflection csv", "POST", "/organise/reflection.csv", BUTTON,
         query={"start": date("", "2026-01-01"), "end": date("", "2026-12-31")}, examples=4),
    Form("attendance", "export csv", "POST", "/organise/gatherings/{slug}/export.csv", BUTTON, examples=5),
    Form("attendance", "export xlsx", "POST", "/organise/gatherings/{slug}/export.xlsx", BUTTON, examples=5),
    # -- the programme (a national day of its own in the world; the removals last) ----------------------
    Form("programme", "new part", "POST", "/organise/gatherings/{day_slug}/programme/parts/new", PART),
    Form("programme", "edit part", "POST", "/organise/gatherings/{day_slug}/programme/parts/{day_part_id}/edit", PART),
    Form("programme", "new workshop", "POST", "/organise/gatherings/{day_slug}/programme/parts/{day_part_id}/workshops/new",
         WORKSHOP),
    Form("programme", "edit workshop", "POST", "/organise/gatherings/{day_slug}/programme/workshops/{day_workshop_id}/edit",
         WORKSHOP),
    Form("programme", "move someone", "POST",
         "/organise/gatherings/{day_slug}/programme/workshops/{day_workshop_id}/people/{day_registration_id}/move",
         {"target": ident("{day_other_workshop_id}", "geen"), "over": choice("", "y")}),
    Form("programme", "sign-in list", "POST",
         "/organise/gatherings/{day_slug}/programme/workshops/{day_workshop_id}/sign-in-list", BUTTON, examples=3),
    Form("programme", "message to a workshop", "POST", "/organise/gatherings/{day_slug}/message",
         {"audience": choice("workshop-{day_workshop_id}", "workshop-{day_other_workshop_id}", "workshop-0", "workshop-"),
          "subject": text("Zaal"), "body": text("Zaal 3."), "sender_name": text("Organisatie")}, examples=5),
    Form("programme", "remove workshop", "POST",
         "/organise/gatherings/{day_slug}/programme/workshops/{day_workshop_id}/remove",
         {"target": ident("{day_other_workshop_id}", "geen")}, examples=4),
    Form("programme", "remove part", "POST", "/organise/gatherings/{day_slug}/programme/parts/{day_part_id}/remove", BUTTON,
         examples=3),
]
