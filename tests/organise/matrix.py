"""Every address of the organiser area and who may use it: the access matrix.

One entry per (method, rule). ``rule`` is written as in the blueprint; its
``<name>`` parts are filled from the ``world`` fixture (tests/organise/conftest.py),
where gathering A is organised by "organiser A" and not by "organiser B".

scope:
  "gathering"  organisers of the gathering in the address, and admins
  "organiser"  any logged-in organiser
  "admin"      admins only

``data`` is posted as is (no CSRF in the matrix app). Allowed means: not sent to
the login page and not 401/403/404; a form that refuses the (empty) data with a
4xx validation answer is fine, it got past the door.

Add new organiser addresses here; test_access.py checks that every /organise
rule of the app is listed.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Address:
    method: str
    rule: str
    scope: str
    data: dict = field(default_factory=dict, hash=False, compare=False)
    # Allowed, and it ends the session: the answer is a 303 to the login page.
    ends_session: bool = field(default=False, hash=False, compare=False)

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


# The login page, logging out and choosing a password through a mailed link are open to everyone.
PUBLIC = {("GET", "/organise/login"), ("POST", "/organise/login"), ("POST", "/organise/logout"),
          ("GET", "/organise/password/reset"), ("POST", "/organise/password/reset"),
          ("GET", "/organise/password/reset/sent"),
          ("GET", "/organise/password/reset/<token>"), ("POST", "/organise/password/reset/<token>")}

ADDRESSES: list[Address] = [
    Address("GET", "/organise/", "organiser"),
    Address("GET", "/organise/password", "organiser"),
    Address("POST", "/organise/password", "organiser"),
    Address("POST", "/organise/logout/everywhere", "organiser", ends_session=True),
    # gatherings
    Address("GET", "/organise/gatherings/new", "organiser"),
    Address("POST", "/organise/gatherings/new", "organiser"),
    Address("GET", "/organise/gatherings/<slug>", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/edit", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/edit", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/duplicate", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/publish", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/cancel", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/cancel", "gathering"),
    # admins: accounts, themes, host organisations
    Address("GET", "/organise/admin/organisers", "admin"),
    Address("POST", "/organise/admin/organisers", "admin"),
    Address("POST", "/organise/admin/organisers/<id:organiser_id>/active", "admin"),
    Address("POST", "/organise/admin/organisers/<id:organiser_id>/admin", "admin"),
    Address("GET", "/organise/admin/organisers/<id:organiser_id>/password", "admin"),
    Address("POST", "/organise/admin/organisers/<id:organiser_id>/password", "admin"),
    Address("GET", "/organise/admin/themes", "admin"),
    Address("GET", "/organise/admin/themes/new", "admin"),
    Address("POST", "/organise/admin/themes/new", "admin"),
    Address("GET", "/organise/admin/themes/<id:theme_id>/edit", "admin"),
    Address("POST", "/organise/admin/themes/<id:theme_id>/edit", "admin"),
    Address("GET", "/organise/admin/hosts", "admin"),
    Address("GET", "/organise/admin/hosts/new", "admin"),
    Address("POST", "/organise/admin/hosts/new", "admin"),
    Address("GET", "/organise/admin/hosts/<id:host_id>/edit", "admin"),
    Address("POST", "/organise/admin/hosts/<id:host_id>/edit", "admin"),
    # attendance (gatherings/attendance/views.py, door_views.py)
    Address("GET", "/organise/gatherings/<slug>/registrations", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/registrations/<id:registration_id>/promote", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/registrations/<id:registration_id>/cancel", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/registrations/<id:registration_id>/cancel", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/registrations/new", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/registrations/new", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/registrations/<id:registration_id>/needs", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/registrations/<id:registration_id>/needs", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/checkin", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/checkin.json", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/checkin/<id:registration_id>", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/checkin/<id:registration_id>/undo", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/checkin/<id:registration_id>/admit", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/checkin/walk-in", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/checkin/code", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/export.csv", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/export.xlsx", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/sign-in-list", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/message", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/message", "gathering"),
    Address("GET", "/organise/dashboard", "organiser"),
    Address("GET", "/organise/reports", "organiser"),
    Address("GET", "/organise/exports", "admin"),
    Address("GET", "/organise/reports/attendance", "organiser"),
    Address("POST", "/organise/reports/attendance.csv", "organiser"),
    # the programme (gatherings/programme/organise_views.py, workshop_views.py)
    Address("GET", "/organise/gatherings/<slug>/programme", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/programme/parts/new", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/programme/parts/new", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/programme/parts/<id:part_id>/edit", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/programme/parts/<id:part_id>/edit", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/programme/parts/<id:part_id>/remove", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/programme/parts/<id:part_id>/remove", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/programme/parts/<id:part_id>/workshops/new", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/programme/parts/<id:part_id>/workshops/new", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/programme/workshops/<id:workshop_id>", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/programme/workshops/<id:workshop_id>/edit", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/programme/workshops/<id:workshop_id>/edit", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/programme/workshops/<id:workshop_id>/remove", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/programme/workshops/<id:workshop_id>/remove", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/programme/workshops/<id:workshop_id>/sign-in-list", "gathering"),
    Address("GET", "/organise/gatherings/<slug>/programme/workshops/<id:workshop_id>/people/<id:registration_id>/move",
            "gathering"),
    Address("POST", "/organise/gatherings/<slug>/programme/workshops/<id:workshop_id>/people/<id:registration_id>/move",
            "gathering"),
    # reflection (gatherings/reflection/organise_views.py)
    Address("GET", "/organise/gatherings/<slug>/reflection", "gathering"),
    Address("POST", "/organise/gatherings/<slug>/reflection", "gathering"),
    Address("GET", "/organise/reflection", "admin"),
    Address("POST", "/organise/reflection.csv", "admin"),
]
