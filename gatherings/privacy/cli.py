"""``flask privacy purge``."""
import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

privacy_cli = AppGroup("privacy", help="Privacy: remove personal data that is no longer needed.")


@privacy_cli.command("purge")
def purge_command():
    """Anonymise registrations of gatherings that ended more than RETENTION_DAYS ago."""
    count = services.purge()
    db.session.commit()
    click.echo(f"privacy purge: {count} registrations anonymised "
               f"(gatherings ended before {services.retention_cutoff():%Y-%m-%d}).")
