"""``flask --app wsgi organiser add EMAIL [--admin]``."""
import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..database import unit_of_work
from . import accounts

organiser_cli = AppGroup("organiser", help="Organisatoraccounts beheren.")


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    if _stdin_is_tty():
        return click.prompt(_("Wachtwoord"), hide_input=True, confirmation_prompt=_("Nog een keer"))
    # Piped in (a script, a secret store): the first line is the password.
    return sys.stdin.readline().rstrip("\r\n")


@organiser_cli.command("add")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Maak er een beheerder van.")
@click.option("--name", default="", help="Naam van de organisator.")
def add_command(email: str, admin: bool, name: str) -> None:
    """Maak een organisator aan; het wachtwoord wordt gevraagd (of gelezen van standaardinvoer)."""
    password = _read_password()
    try:
        with unit_of_work():
            organiser = accounts.create_organiser(email, password, admin=admin, name=name)
    except accounts.AccountError as error:
        raise click.ClickException(str(error))
    role = _("beheerder") if organiser.is_admin else _("organisator")
    click.echo(_("%(email)s is aangemaakt als %(role)s.", email=organiser.email, role=role))
