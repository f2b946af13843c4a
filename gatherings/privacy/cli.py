"""``flask privacy purge``."""
import click
from flask.cli import AppGroup

from ..database import unit_of_work
from . import services

privacy_cli = AppGroup("privacy", help="Privacy: remove personal data that is no longer needed.")


@privacy_cli.command("purge")
def purge_command():
    """Anonymise registrations of gatherings that ended more than RETENTION_DAYS ago."""
    with unit_of_work():
        count = services.purge()
    click.echo(f"privacy purge: {count} registrations anonymised "
               f"(gatherings ended before {services.retention_cutoff():%Y-%m-%d}).")
